"""`make run`'s embedded default serves pages and runs a real worker, with no server at all."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import REPO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 15) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if _get(f"{base}/healthz", timeout=2)[0] in (200, 503):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{base} did not come up")


@pytest.fixture(scope="module")
def embedded_site(tmp_path_factory):
    """migrate, bootstrap_demo, serve_embedded (web + Celery worker) in a private folder."""
    var = tmp_path_factory.mktemp("var")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.dev", VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    subprocess.run([*manage, "bootstrap_demo"], cwd=REPO, env=env, check=True, capture_output=True)
    port = _free_port()
    log = (var / "serve.log").open("w")
    server = subprocess.Popen(
        [*manage, "serve_embedded", "--port", str(port), "--noreload"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_until_up(base)
    yield base, var
    os.killpg(server.pid, 2)  # Ctrl-C, as a person would press it
    server.wait(timeout=30)


def test_home_admin_login_and_healthz_answer_200(embedded_site):
    base, _ = embedded_site
    for path in ("/", "/en/", "/admin/login/", "/healthz"):
        status, _ = _get(base + path)
        assert status == 200, path


def test_healthz_reports_sqlite_file_cache_and_filesystem_broker_up(embedded_site):
    base, _ = embedded_site
    status, body = _get(base + "/healthz")
    checks = json.loads(body)["checks"]
    assert status == 200
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
    }


def test_task_enqueued_by_web_process_is_run_by_worker_process(embedded_site):
    """The web process sends a ping through the filesystem broker; the worker answers."""
    base, var = embedded_site
    # The worker starts beside the web server and may still be booting (a loaded machine takes
    # tens of seconds): ask again, as a person refreshing the page would, for up to two minutes.
    deadline = time.monotonic() + 120
    while True:
        status, body = _get(base + "/healthz?worker=1", timeout=30)
        worker = json.loads(body)["checks"]["worker"]
        if worker == {"status": "ok"} or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert worker == {"status": "ok"}
    assert status == 200
    assert "cms.tasks.ping" in (var / "serve.log").read_text()


def test_ctrl_c_stops_web_server_and_worker(tmp_path):
    """serve_embedded leaves no process behind when interrupted."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.dev", VAR_DIR=str(tmp_path))
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve_embedded", "--port", str(port), "--noreload"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _wait_until_up(f"http://127.0.0.1:{port}")
    os.killpg(process.pid, 2)
    assert process.wait(timeout=30) == 0
    # The worker's pool children finish their warm shutdown a moment after their parent.
    deadline = time.monotonic() + 20
    while True:
        leftovers = subprocess.run(
            ["pgrep", "-g", str(process.pid)], capture_output=True, text=True
        )
        if leftovers.stdout.strip() == "" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert leftovers.stdout.strip() == ""
