"""The Python files the lints in this folder read: the project's own, generated folders skipped."""

import os
from pathlib import Path

# Migrations are skipped: they run against the historical registry and are never edited later.
SKIP_PARTS = {
    "migrations",
    ".venv",
    "venv",
    ".git",
    "node_modules",
    "__pycache__",
    "var",
    "media",
    "static",
}


def python_files(root: Path, *, exclude: Path | None = None):
    """(path, path relative to `root` with slashes) for each .py file below `root`, sorted."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in SKIP_PARTS)
        for name in sorted(names):
            path = Path(folder) / name
            if name.endswith(".py") and path.resolve() != exclude:
                yield path, path.relative_to(root).as_posix()
