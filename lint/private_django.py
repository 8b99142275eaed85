"""Fail on Django's private ORM internals in the project's source (issue 17, decision 0148).

Private APIs (`Manager._insert`, `django.db.models.sql.InsertQuery`, `instance._state.fields_cache`,
`Model._meta.private_fields`, ...) change between Django releases without a deprecation period, so
code built on them breaks on an upgrade, or on one database and not the other. This check greps
every tracked-looking Python file below the repository (migrations, virtualenvs, caches and this
file excepted) and prints `path:line: pattern: the line` for each use.

A use that cannot go yet is listed in ALLOWED with the reason; the check passes today and fails
on any new use. An ALLOWED entry that no longer matches anything is reported so it can be removed.

Run: `python lint/private_django.py [ROOT]` (make lint and .ci/run's lint step do); exit 1 on a use.
"""

import io
import re
import sys
import tokenize
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by path
from lint_files import python_files

# Each pattern names one private API (or family); the text after the regex says what to use instead.
PATTERNS: dict[str, tuple[str, str]] = {
    "sql-module": (
        r"\bdjango\.db\.models\.sql\b",
        "django.db.models.sql is Django's private query layer: use the ORM or explicit SQL",
    ),
    "query-class": (
        r"\b(?:InsertQuery|UpdateQuery|DeleteQuery|AggregateQuery)\b",
        "private query classes: use the ORM or explicit, commented SQL",
    ),
    "compiler": (
        r"\.get_compiler\(",
        "SQL compilers are private: use the ORM or explicit SQL",
    ),
    "manager-insert": (
        r"\._(?:insert|batched_insert|update)\(",
        "Manager/QuerySet._insert/_update are private: use create/bulk_create/update",
    ),
    "model-save-internals": (
        r"\b_(?:do_insert|do_update|save_table|save_parents)\b",
        "Model save internals are private: use save(update_fields=...) or QuerySet.update",
    ),
    "fields-cache": (
        r"_state\.fields_cache",
        "the related-object cache is private: use the field's is_cached()/get_cached_value()",
    ),
    "meta-private": (
        r"_meta\.(?:private_fields|_\w+)",
        "private Options attributes: use _meta.get_field()/get_fields()",
    ),
    "queryset-caches": (
        r"\b_(?:result_cache|prefetched_objects_cache|known_related_objects)\b",
        "QuerySet/instance caches are private: use prefetch_related/Prefetch or a fresh query",
    ),
}

# (path relative to the root, pattern name): why it is still there. Keep this list short.
ALLOWED: dict[tuple[str, str], str] = {}

THIS_FILE = Path(__file__).resolve()


# Strings and comments may name an API (to say it is not used); only code counts.
_TEXT_TOKENS = {tokenize.STRING, tokenize.COMMENT} | {
    getattr(tokenize, name) for name in ("FSTRING_MIDDLE",) if hasattr(tokenize, name)
}


def code_lines(source: str) -> list[str]:
    """`source`'s lines with every string and comment blanked out, positions kept."""
    lines = [list(line) for line in source.splitlines()]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source.splitlines()
    for token in tokens:
        if token.type not in _TEXT_TOKENS:
            continue
        (start_row, start_col), (end_row, end_col) = token.start, token.end
        for row in range(start_row, end_row + 1):
            line = lines[row - 1]
            first = start_col if row == start_row else 0
            last = end_col if row == end_row else len(line)
            line[first:last] = " " * (last - first)
    return ["".join(line) for line in lines]


def scan(root: Path) -> tuple[list[str], set[tuple[str, str]]]:
    """Every use outside ALLOWED as a printable line, and the ALLOWED entries that were used."""
    compiled = {name: re.compile(regex) for name, (regex, _why) in PATTERNS.items()}
    found, allowed_used = [], set()
    for path, relative in python_files(root, exclude=THIS_FILE):
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        lines = source.splitlines()
        for number, code in enumerate(code_lines(source), 1):
            line = lines[number - 1]
            for name, regex in compiled.items():
                if not regex.search(code):
                    continue
                if (relative, name) in ALLOWED:
                    allowed_used.add((relative, name))
                    continue
                found.append(f"{relative}:{number}: {name}: {line.strip()}  ({PATTERNS[name][1]})")
    return found, allowed_used


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else THIS_FILE.parent.parent
    found, allowed_used = scan(root)
    for entry in sorted(set(ALLOWED) - allowed_used):
        print(f"note: allow-list entry {entry} matches nothing any more: remove it")
    if found:
        print("Private Django internals (lint/private_django.py, decision 0148):")
        print("\n".join(found))
        return 1
    print(f"private Django internals: none outside the allow-list ({len(allowed_used)} allowed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
