"""The progress write path stays in plain parts: every function of `learners/services/progress/`
fits on a screen (issue 17), so a reader sees each step whole."""

import ast
from pathlib import Path

import learners.services.progress

PACKAGE = Path(learners.services.progress.__file__).parent
MAX_LINES = 50


def function_lengths() -> dict[str, int]:
    """Lines of every function and method (decorators included) by `file:name`."""
    lengths = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                lengths[f"{path.name}:{node.name}"] = node.end_lineno - first + 1
    return lengths


def test_the_package_has_the_parse_apply_and_recount_parts():
    names = {path.stem for path in PACKAGE.glob("*.py")}
    assert {"parse", "read", "apply", "recount", "record", "sql"} <= names


def test_every_function_of_the_progress_package_fits_on_a_screen():
    lengths = function_lengths()
    assert "record.py:progress_record" in lengths
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert too_long == {}, f"split these (more than {MAX_LINES} lines): {too_long}"
