"""Run or load one of the lint/ scripts, as make lint does."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> ModuleType:
    """lint/<name>.py as a module, to call its functions."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "lint" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name: str, root: Path, **env: str) -> subprocess.CompletedProcess:
    """`python lint/<name>.py ROOT` from the repository, with extra environment variables."""
    return subprocess.run(
        [sys.executable, str(ROOT / "lint" / f"{name}.py"), str(root)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
