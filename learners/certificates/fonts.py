"""The CJK fonts certificates are set in, taken from an installed package, never downloaded.

The package `justmytype-intl-cjk` (SIL OFL) ships Noto Sans SC, JP, TC and KR as variable
TrueType fonts. ReportLab embeds only static TrueType outlines, so each face is instantiated once
at the weight we print with and cached on disk (docs/decisions/0030-certificate-fonts.md). Text is
set in Simplified Chinese first; a character that face lacks (𠮷 U+20BB7, for example) is taken
from the next face in the chain that has it, so a rare name never prints as an empty box.
"""

import fcntl
import functools
import logging
import os
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FONT_PACKAGE = "justmytype_intl_cjk"
# Simplified Chinese first; Japanese carries many GB 18030 extension-B name characters (𠮷).
FALLBACK_CHAIN = ("notosanssc", "notosansjp", "notosanstc", "notosanskr")
WEIGHT = 400


@dataclass(frozen=True)
class Face:
    """One face of the fallback chain: its name, the variable source and the static instance."""

    key: str
    source: Path

    @property
    def name(self) -> str:
        return f"DVC-{self.key}-{WEIGHT}"


def _package_version() -> str:
    return metadata.version(FONT_PACKAGE.replace("_", "-"))


def _source_path(key: str) -> Path:
    folder = resources.files(FONT_PACKAGE) / "fonts" / "ofl" / key
    matches = sorted(Path(str(folder)).glob("*.ttf"))
    if not matches:
        raise FileNotFoundError(f"{FONT_PACKAGE} has no font for {key} in {folder}")
    return matches[0]


@functools.cache
def faces() -> tuple[Face, ...]:
    """The fallback chain, main face first."""
    return tuple(Face(key=key, source=_source_path(key)) for key in FALLBACK_CHAIN)


def cache_dir() -> Path:
    """Where static instances are kept (setting CERTIFICATE_FONT_DIR)."""
    return Path(getattr(settings, "CERTIFICATE_FONT_DIR", settings.VAR_DIR / "fonts"))


@functools.cache
def coverage(face: Face) -> frozenset[int]:
    """The code points `face` can draw, read from the variable font's cmap only."""
    from fontTools.ttLib import TTFont

    font = TTFont(face.source, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def static_path(face: Face) -> Path:
    """The path of `face` instantiated at WEIGHT, building it on first use (once, under a lock)."""
    target = cache_dir() / f"{face.key}-{WEIGHT}-{_package_version()}.ttf"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f"{target.name}.lock").open("w") as lock:
        # Two workers starting together must not both spend 20 s building the same file.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            _instantiate(face.source, target)
    return target


def _instantiate(source: Path, target: Path) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    logger.info("Building the static %s instance of %s (once)", WEIGHT, source.name)
    variable = TTFont(source)
    static = instancer.instantiateVariableFont(variable, {"wght": WEIGHT}, optimize=False)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    static.save(tmp)
    os.replace(tmp, target)


def face_for(char: str) -> Face | None:
    """The first face of the chain that draws `char`, or None when no face has it."""
    code = ord(char)
    for face in faces():
        if code in coverage(face):
            return face
    return None


def runs(text: str) -> list[tuple[Face, str]]:
    """Split `text` into runs that each one face draws; characters no face has stay in the main."""
    main = faces()[0]
    result: list[tuple[Face, str]] = []
    for char in text:
        face = face_for(char) if not char.isspace() else main
        if face is None:
            logger.warning("No certificate font draws U+%04X", ord(char))
            face = main
        if result and result[-1][0] == face:
            result[-1] = (face, result[-1][1] + char)
        else:
            result.append((face, char))
    return result


def missing(text: str) -> str:
    """The characters of `text` that no face of the chain can draw."""
    return "".join(c for c in text if not c.isspace() and face_for(c) is None)
