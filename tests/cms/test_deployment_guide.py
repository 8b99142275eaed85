"""docs/deployment.md works when followed literally (issue 21).

The variables production needs are found by starting the production settings (and
`check --deploy`) with an empty environment, adding whichever variable they ask for, until they
start; the guide's table must mark those as required. Every variable the settings read is in the
table; the guide's own commands for keys work as printed.
"""

import re
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learners.certificates.credential import private_key_text
from tests.conftest import REPO

GUIDE = REPO / "docs" / "deployment.md"
SETTINGS_SOURCES = [
    REPO / "cms" / "settings" / "base.py",
    REPO / "cms" / "settings" / "production.py",
    REPO / "cms" / "gunicorn_conf.py",
]
# Read by base.py but fixed by production (DEBUG is always off there).
NOT_READ_IN_PRODUCTION = {"DEBUG"}


def _table() -> dict[str, str]:
    """Variable name -> the guide's 'required' cell."""
    text = GUIDE.read_text()
    section = text[text.index("## Environment variables") :]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0]):
            rows[name] = cells[1]
    return rows


def _required_in_guide() -> set[str]:
    return {name for name, cell in _table().items() if cell.startswith(("**yes**", "**one of"))}


def _placeholder(name: str, tmp_path: Path) -> str:
    return {
        "SECRET_KEY": "k" * 30 + "-a-long-random-production-secret-" + "z" * 20,
        "CERTIFICATE_SIGNING_KEY": private_key_text(Ed25519PrivateKey.generate()),
        "ALLOWED_HOSTS": "learn.example.org",
        "SITE_URL": "https://learn.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "AWS_PRIVATE_BUCKET_NAME": "dvc-private",
    }.get(name, "x")


def _asked_for(output: str) -> str | None:
    """The variable a failed start or check names first."""
    for pattern in (
        r"Set the ([A-Z][A-Z0-9_]+) environment variable",
        r"([A-Z][A-Z0-9_]+) is required in production",
        r"([A-Z][A-Z0-9_]+) must be",
        r"\b([A-Z]+_[A-Z0-9_]+) is not set",
        # cms.E102 names both ways of storing private files; the folder needs no credentials.
        r"or (PRIVATE_MEDIA_ROOT)\b",
    ):
        found = re.search(pattern, output)
        if found:
            return found.group(1)
    return None


def _clean_env(tmp_path: Path) -> dict[str, str]:
    import os

    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "VAR_DIR": str(tmp_path / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def test_the_guide_marks_exactly_the_variables_production_refuses_to_start_without(tmp_path):
    env = _clean_env(tmp_path)
    found: list[str] = []
    for _ in range(15):
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode == 0:
            break
        name = _asked_for(result.stdout + result.stderr)
        assert name and name not in found, (found, result.stderr[-3000:])
        found.append(name)
        env[name] = _placeholder(name, tmp_path)
    else:
        raise AssertionError(f"production never started; asked for {found}")
    required = _required_in_guide()
    assert set(found) <= required, (
        f"production needs {set(found) - required}, not marked in the guide"
    )
    # Whatever else the guide marks required is what several boxes cannot do without (a shared
    # database, broker and media bucket) or the settings module itself: named here on purpose.
    assert required - set(found) == {
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_PRIVATE_BUCKET_NAME",
    }


def test_every_variable_the_production_settings_read_is_in_the_guide():
    read = set()
    for source in SETTINGS_SOURCES:
        text = source.read_text()
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        read |= set(re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]+)\"", text))
        read |= set(re.findall(r"Env\(\)\.str\(\"([A-Z][A-Z0-9_]+)\"", text))
    assert {"SECRET_KEY", "REDIS_URL", "GUNICORN_BIND", "VAR_DIR"} <= read  # the scan works
    missing = read - NOT_READ_IN_PRODUCTION - set(_table())
    assert not missing, f"read by the settings but not in docs/deployment.md: {sorted(missing)}"


def test_the_guide_has_every_step_and_none_of_the_old_mistakes():
    text = GUIDE.read_text()
    for step in (
        "pip install -c requirements.lock",
        "manage.py collectstatic --noinput",
        "manage.py migrate --noinput",
        "ANALYZE",
        "manage.py setup_site --admin",
        "manage.py certificate_key",
        "secrets.token_urlsafe(50)",
        "gunicorn -c python:cms.gunicorn_conf cms.wsgi",
        "celery -A cms worker",
        "celery -A cms beat",
        "/healthz",
        "X-Request-ID",
        "UTC",
    ):
        assert step in text, step
    assert "$((2*CPU+1))" not in text  # CPU was never defined
    assert "--bind 0.0.0.0" not in text  # the web box is reached only by the proxy


def _guide_command(prefix: str) -> str:
    for line in GUIDE.read_text().splitlines():
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no command starting with {prefix!r} in the guide")


def _run_as_printed(command: str, env: dict) -> str:
    """A command of the guide, run by the shell as an operator pastes it; its output."""
    return subprocess.run(  # noqa: S602
        command.replace(".venv/bin/python", sys.executable),
        shell=True,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_key_commands_of_the_guide_print_usable_keys_and_write_nothing(tmp_path):
    env = _clean_env(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE")
    secret = _run_as_printed(_guide_command("python3 -c 'import secrets"), env)
    assert re.fullmatch(r"SECRET_KEY=[A-Za-z0-9_-]{60,}\n", secret)
    key = _run_as_printed(_guide_command("DJANGO_SETTINGS_MODULE=cms.settings.dev"), env)
    line = key.splitlines()[0]
    assert line.startswith("CERTIFICATE_SIGNING_KEY=")
    from learners.certificates.credential import _load_private_key

    _load_private_key(line.removeprefix("CERTIFICATE_SIGNING_KEY="))
    # Only the embedded default's empty queue folders (made on import), no key kept on the box.
    assert not [p for p in (tmp_path / "var").rglob("*") if p.is_file()]
