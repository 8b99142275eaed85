"""Synthesised narration for the demo lessons (decision 0081).

The spoken script of a lesson is read from its demo pack (courses/demo/packs/, decision 0146):
title, summary, text, picture captions, tips and scenarios, as the page shows them. `generate`
speaks it with espeak-ng (Mandarin voice `cmn` for Chinese, `en` for English) and stores the phone
rendition (courses.audio) under `courses/demo/narration/`, where each pack's manifest finds it as
`media/<file>`. The files are committed, so `bootstrap_demo` needs no speech engine: regenerate
them with `manage.py demo_narration` after changing a demo lesson's text.
"""

import hashlib
import html
import re
import subprocess
import tempfile
from pathlib import Path

from courses.audio import audio_rendition

from . import COURSE_SLUGS, EN, pack_file, pack_manifest, pack_manifest_write

# espeak-ng voice and speed (words per minute) per language: slow, for learners who read slowly.
VOICES = {"zh": ("cmn", 150), "en": ("en", 140)}
PAUSE = {"zh": "。", "en": ". "}
_TAG = re.compile(r"<[^>]+>")


def _plain(markup: str) -> str:
    """Visible text of a little HTML: list items and paragraphs become sentences."""
    text = re.sub(r"</(li|p)>", "\n", markup)
    return html.unescape(_TAG.sub("", text)).strip()


def _block_lines(block: dict) -> list[str]:
    kind, value = block["type"], block["value"]
    if kind == "text":
        return [_plain(value)]
    if kind == "image":
        return [value.get("caption", "")]
    if kind == "callout":
        return [value.get("title", ""), _plain(value.get("text", ""))]
    if kind == "scenario":
        return [value.get("sender", ""), value.get("message", "")]
    return []


def narration_script(lesson: dict, lang: str) -> str:
    """What the narrator says for a pack's `lesson` (its manifest entry) in `lang` ("zh"/"en")."""
    lines = [lesson["title"], lesson["summary"]]
    for block in lesson["body"]:
        lines.extend(_block_lines(block))
    sentences = [line.strip() for text in lines for line in text.splitlines() if line.strip()]
    end = PAUSE[lang].strip()
    return " ".join(s if s[-1] in "。！？.!?：:" else s + end for s in sentences)


def speak(text: str, lang: str) -> bytes:
    """The phone rendition of `text` spoken by espeak-ng."""
    voice, speed = VOICES[lang]
    with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", wav.name, text],
            check=True,
            capture_output=True,
        )
        with open(wav.name, "rb") as source:
            return audio_rendition(source).data


def _duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return round(container.duration / av.time_base, 1)


def generate(stdout=None) -> list[Path]:
    """Speak every demo lesson in both languages into courses/demo/narration/ (overwrites), and
    bring each pack manifest's duration and sha256 of its recordings up to date."""
    written = []
    for slug in COURSE_SLUGS:
        manifest = pack_manifest(slug)
        versions = {"zh": manifest["lessons"], "en": manifest["translations"][EN]["lessons"]}
        for lang, lessons in versions.items():
            for lesson in lessons:
                entry = manifest["media"][lesson["narration"]]
                path = pack_file(slug, entry["file"])
                path.parent.mkdir(exist_ok=True)
                data = speak(narration_script(lesson, lang), lang)
                path.write_bytes(data)
                entry["duration"] = _duration(path)
                entry["sha256"] = hashlib.sha256(data).hexdigest()
                written.append(path)
                if stdout is not None:
                    stdout.write(f"{path.name}: {len(data)} bytes")
        pack_manifest_write(slug, manifest)
    return written
