"""`make test` keeps an `xdist_group` on one worker (`--dist loadgroup`).

tests/integration/test_embedded_run.py builds a whole embedded site in a module fixture (about
40 s); its group keeps the module on one worker so the site is built once. pytest 9.2 with
pytest-xdist 3.8 silently stopped grouping (pytest-dev/pytest-xdist#1386) and the site was built on
both workers: this fails if the installed pair ever does that again.
"""

import subprocess
import sys

GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("one_site")


@pytest.mark.parametrize("n", range(6))
def test_reports_its_worker(n):
    print("worker", os.environ["PYTEST_XDIST_WORKER"])
"""


def test_a_marked_group_runs_on_one_worker_as_make_test_runs_it(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-rA", "-q"),
            *("-p", "no:cacheprovider", "-p", "no:django", str(tmp_path / "test_grouped.py")),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    workers = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("worker ")}
    assert len(workers) == 1, result.stdout
    assert "6 passed" in result.stdout
