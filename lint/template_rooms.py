"""Fail when a template reaches into a room above its own (issue 17, docs/architecture.md).

The rooms, top to bottom: cms > campaigns > learners > courses > core. import-linter checks the
Python imports; templates depend on each other by name, which it cannot see. A template file in
room X may not `{% include %}` or `{% extends %}` a template that a higher room provides, nor
`{% load %}` a tag library a higher room defines; a room's Python code may not name a higher
room's template either (`template = "blocks/audio.html"` in a block class, `render(...)`).

Who provides a name: the room whose `templates/` folder (the app directories Django's loader
reads, one per installed app of the room) holds the file. Exceptions, all documented in
docs/architecture.md:
  - the project shell: un-namespaced templates in cms/templates (`base.html`, `404.html`,
    `500.html`) are the contract every room's pages extend;
  - a room's override of a third-party template (cms/templates/wagtailadmin/..., the allauth
    `account/...` pages in learners.accounts) stays the third-party name: any room may use it;
  - names no room provides (wagtailadmin/*, django/forms/*, ...) are third-party and fine.
A name provided by two rooms is reported too: which one Django picks would depend on the order of
INSTALLED_APPS, a silent override.

Run: `python lint/template_rooms.py [ROOT]` (make lint and .ci/run's lint step do); exit 1 on a
finding. Third-party template folders are read from Django's app registry
(DJANGO_SETTINGS_MODULE, default cms.settings.dev).
"""

import ast
import os
import sys
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOMS = ["cms", "campaigns", "learners", "courses", "core"]  # top to bottom
RANK = {room: len(ROOMS) - index for index, room in enumerate(ROOMS)}  # higher = above
SHELL_ROOM = "cms"
SKIP_PARTS = {"migrations", "__pycache__", "static", "node_modules"}
THIS_FILE = Path(__file__).resolve()
# Tag contents between these are text, not tags.
_RAW = {"comment": "endcomment", "verbatim": "endverbatim"}


def _walk(folder: Path):
    for parent, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders if d not in SKIP_PARTS)
        for name in sorted(names):
            yield Path(parent) / name


def room_of(relative: str) -> str | None:
    top = relative.split("/", 1)[0]
    return top if top in RANK else None


def template_dirs(root: Path) -> list[Path]:
    """Every `templates/` folder inside a room (the app directories of the room's apps)."""
    found = []
    for room in ROOMS:
        if not (root / room).is_dir():
            continue
        for parent, subfolders, _names in os.walk(root / room):
            subfolders[:] = sorted(d for d in subfolders if d not in SKIP_PARTS)
            if "templates" in subfolders:
                found.append(Path(parent) / "templates")
                subfolders.remove("templates")
    return found


def tag_libraries(root: Path) -> dict[str, str]:
    """Tag library name -> the room defining it (`<room>/**/templatetags/<name>.py`)."""
    libraries = {}
    for room in ROOMS:
        if not (root / room).is_dir():
            continue
        for path in _walk(root / room):
            if (
                path.parent.name == "templatetags"
                and path.suffix == ".py"
                and path.stem != "__init__"
            ):
                libraries[path.stem] = room
    return libraries


def third_party_template_dirs() -> list[Path]:
    """The template folders of installed apps that are not rooms, from Django's app registry."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
        django.setup()
    return [
        Path(config.path) / "templates"
        for config in apps.get_app_configs()
        if config.name.split(".")[0] not in RANK and (Path(config.path) / "templates").is_dir()
    ]


class Providers:
    """Which room provides each template name, and which names are third-party overrides."""

    def __init__(self, root: Path, third_party: list[Path]):
        self.rooms: dict[str, set[str]] = {}  # template name -> the rooms providing it
        self.files: list[Path] = []  # every template file in a room
        for folder in template_dirs(root):
            room = room_of(folder.relative_to(root).as_posix())
            for path in _walk(folder):
                self.files.append(path)
                self.rooms.setdefault(path.relative_to(folder).as_posix(), set()).add(room)
        self.third_party = third_party

    def is_third_party(self, name: str) -> bool:
        return any((folder / name).is_file() for folder in self.third_party)

    def owner(self, name: str) -> str | None:
        """The room a reference to `name` depends on, or None when any room may use it."""
        rooms = self.rooms.get(name)
        if not rooms or self.is_third_party(name):
            return None
        if "/" not in name and SHELL_ROOM in rooms:
            return None  # the project shell (base.html, 404.html, 500.html)
        return max(rooms, key=RANK.__getitem__)


def _literal(bit: str) -> str | None:
    if len(bit) >= 2 and bit[0] == bit[-1] and bit[0] in "'\"":
        return bit[1:-1]
    return None


def template_references(source: str):
    """(line, tag, kind, name) for every include/extends (kind "template") and load ("library")."""
    closing = None
    for token in Lexer(source).tokenize():
        if token.token_type != TokenType.BLOCK:
            continue
        bits = token.split_contents()
        if not bits:
            continue
        if closing is not None:
            if bits[0] == closing:
                closing = None
            continue
        if bits[0] in _RAW:
            closing = _RAW[bits[0]]
        elif bits[0] in ("include", "extends") and len(bits) > 1:
            name = _literal(bits[1])
            if name is not None:  # a name chosen at run time cannot be checked here
                yield token.lineno, bits[0], "template", name
        elif bits[0] == "load":
            names = bits[bits.index("from") + 1 :] if "from" in bits else bits[1:]
            for library in names:
                yield token.lineno, "load", "library", library


def python_template_names(source: str, names: set[str]):
    """(line, name) for each string constant in `source` that is exactly a room's template name."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
            yield node.lineno, node.value


def scan(root: Path, third_party: list[Path]) -> list[str]:
    providers = Providers(root, third_party)
    libraries = tag_libraries(root)
    found = []
    for name, rooms in sorted(providers.rooms.items()):
        if len(rooms) > 1 and not providers.is_third_party(name):
            found.append(f"{name}: provided by {' and '.join(sorted(rooms))} (one room per name)")
    for path in sorted(providers.files):
        relative = path.relative_to(root).as_posix()
        room = room_of(relative)
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for line, tag, kind, name in template_references(source):
            owner = providers.owner(name) if kind == "template" else libraries.get(name)
            if owner and RANK[owner] > RANK[room]:
                what = f'"{name}"' if kind == "template" else f"tag library {name}"
                found.append(
                    f"{relative}:{line}: {{% {tag} %}} {what} of {owner}, a room above {room}"
                )
    room_names = {name for name in providers.rooms if providers.owner(name)}
    for room in ROOMS:
        if not (root / room).is_dir():
            continue
        for path in _walk(root / room):
            if path.suffix != ".py":
                continue
            relative = path.relative_to(root).as_posix()
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for line, name in python_template_names(source, room_names):
                owner = providers.owner(name)
                if RANK[owner] > RANK[room]:
                    found.append(
                        f'{relative}:{line}: names template "{name}" of {owner}, '
                        f"a room above {room}"
                    )
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else THIS_FILE.parent.parent
    sys.path.insert(0, str(THIS_FILE.parent.parent))
    found = scan(root, third_party_template_dirs())
    if found:
        print("Templates reaching into a higher room (lint/template_rooms.py):")
        print("\n".join(found))
        return 1
    print("templates: every include, extends, load and template name stays in its room or below")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
