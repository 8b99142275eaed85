"""The rooms' import contracts (pyproject.toml [tool.importlinter], docs/architecture.md)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ["cms", "campaigns", "learners", "courses", "core"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts on the packages found in `root`."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path):
    """A copy of the rooms' Python code, to add a deliberate violation to."""
    skip = shutil.ignore_patterns("__pycache__", "templates", "static", "locale", "*.html")
    for room in ROOMS:
        shutil.copytree(ROOT / room, tmp_path / room, ignore=skip)
    return tmp_path


def test_the_repository_keeps_every_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout


def test_the_copy_is_what_is_checked(tree):
    """The copy alone decides (the editable install's packages are not read instead)."""
    (tree / "core" / "upward.py").write_text("import cms.urls\n")
    result = _lint_imports(tree)
    assert result.returncode == 1
    assert "core.upward -> cms.urls (l.1)" in result.stdout


def test_an_upward_import_breaks_the_rooms_contract(tree):
    (tree / "courses" / "upward.py").write_text(
        '"""A course helper that reaches up."""\n\nfrom campaigns.models import Campaign\n'
    )

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "Rooms import only rooms below them" in result.stdout
    assert "courses is not allowed to import campaigns:" in result.stdout
    assert "courses.upward -> campaigns.models (l.3)" in result.stdout


def test_an_import_inside_a_function_counts(tree):
    (tree / "core" / "late.py").write_text("def f():\n    from learners import selectors\n")
    result = _lint_imports(tree)
    assert result.returncode == 1
    assert "core.late -> learners.selectors (l.2)" in result.stdout


@pytest.mark.parametrize(
    ("module", "code", "message"),
    [
        (
            "campaigns/reminders/peek.py",
            "from campaigns.sessions import selectors\n",
            "campaigns.reminders.peek -> campaigns.sessions.selectors (l.1)",
        ),
        (
            "campaigns/sessions/peek.py",
            "from campaigns.reminders import models\n",
            "campaigns.sessions.peek -> campaigns.reminders.models (l.1)",
        ),
        (
            "learners/accounts/peek.py",
            "from learners.certificates import selectors\n",
            "learners.accounts.peek -> learners.certificates.selectors (l.1)",
        ),
    ],
)
def test_sibling_sub_rooms_do_not_import_each_other(tree, module, code, message):
    (tree / module).write_text(code)
    result = _lint_imports(tree)
    assert result.returncode == 1
    assert message in result.stdout


def test_a_downward_import_is_allowed(tree):
    """cms may import anything; courses may import core. Only the new lines are judged."""
    before = _lint_imports(tree).stdout.count("->")
    (tree / "cms" / "down.py").write_text("from learners import selectors\nimport core.pages\n")
    (tree / "courses" / "down.py").write_text("from core import phone\n")
    # A certificate reads the learner's profile: certificates build on accounts.
    certificates = tree / "learners" / "certificates"
    (certificates / "down.py").write_text("from learners.accounts import models\n")
    after = _lint_imports(tree)
    assert after.stdout.count("->") == before
    assert "down" not in after.stdout
