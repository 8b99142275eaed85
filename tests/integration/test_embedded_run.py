"""`make run`'s embedded default serves pages and runs a real worker, with no server at all."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import REPO

# One module fixture builds the site (migrate, collectstatic, a server): one xdist worker runs it.
pytestmark = pytest.mark.xdist_group("embedded_run")


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
    # collectstatic (hashing and compressing every file) runs first: minutes on a busy machine.
    deadline = time.monotonic() + 360
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
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        VAR_DIR=str(var),
        STATIC_ROOT=str(var / "static"),
        MEDIA_ROOT=str(var / "media"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("SITE_URL", None)
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


def _get_with_headers(url: str, headers: dict) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_web_server_is_gunicorn_with_debug_off(embedded_site):
    base, var = embedded_site
    assert "Booting worker" in (var / "serve.log").read_text()  # gunicorn, not runserver
    status, body = _get(base + "/no-such-page/?x=1")
    # No debug page listing the URL map: the site's own page.
    assert status == 404
    assert b"URLconf" not in body and b"DEBUG = True" not in body


def test_an_unknown_path_gets_the_chinese_404_page_in_the_learner_design(embedded_site):
    base, _ = embedded_site
    for path in ("/no-such-page/", "/c/0000000000000000", "/zh-hans/courses/nothing-here/"):
        status, _, body = _get_with_headers(base + path, {})  # no language preference
        page = body.decode()
        assert status == 404, path
        assert '<html lang="zh-hans"' in page, path
        assert "找不到这个页面" in page, path
        assert 'href="/"' in page  # a way back home
        assert 'class="site-header"' in page  # the learner design, not a bare error page
        assert len(body) <= 14 * 1024, (path, len(body))


def test_javascript_is_served_compressed_with_far_future_caching(embedded_site):
    base, _ = embedded_site
    home = _get(base + "/")[1].decode()
    scripts = re.findall(r'src="(/static/[^"]+\.js)"', home)
    assert scripts, "the home page loads no script"
    status, headers, _ = _get_with_headers(base + scripts[0], {"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers.get("Content-Encoding") in ("gzip", "br")
    assert "immutable" in headers.get("Cache-Control", "")


def test_scripts_go_out_as_the_brotli_and_gzip_files_collectstatic_made(embedded_site):
    """Pre-compressed at build time (decision 0136): the bytes sent are the .br / .gz files."""
    base, var = embedded_site
    lesson_scripts = set()
    for path in ("/", "/courses/"):
        html = _get(base + path)[1].decode()
        lesson_scripts |= set(re.findall(r'src="(/static/[^"]+\.js)"', html))
    assert lesson_scripts
    for src in lesson_scripts:
        built = var / "static" / src.removeprefix("/static/")
        for accept, encoding, suffix in (("gzip, br", "br", ".br"), ("gzip", "gzip", ".gz")):
            status, headers, body = _get_with_headers(base + src, {"Accept-Encoding": accept})
            assert status == 200, src
            assert headers.get("Content-Encoding") == encoding, (src, accept)
            assert body == (built.parent / (built.name + suffix)).read_bytes(), (src, encoding)
        assert len(body) < built.stat().st_size


def test_links_that_leave_the_site_use_the_address_it_listens_on(embedded_site):
    base, var = embedded_site
    assert f"on {base}/" in (var / "serve.log").read_text()


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
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
    )
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


def test_lesson_pictures_and_narration_are_served_and_never_gzipped_again(embedded_site):
    """No proxy in front of `make run`: the one box serves public media itself."""
    base, _ = embedded_site
    course = _get(base + "/courses/phone-basics/")[1].decode()
    lesson_path = re.findall(r'href="(/courses/phone-basics/[^"/]+/)"', course)[0]
    lesson = _get(base + lesson_path)[1].decode()
    pictures = re.findall(r'(?:src|srcset)="(/media/images/[^" ]+)', lesson)
    narration = re.findall(r'src="(/media/media/[^"]+)"', lesson)
    assert pictures and narration, lesson_path
    for url in (pictures[0], narration[0]):
        status, headers, body = _get_with_headers(base + url, {"Accept-Encoding": "gzip, br"})
        assert status == 200, url
        assert body, url
        # AVIF/WebP/JPEG and AAC are compressed already: gzip would only make them larger.
        assert "Content-Encoding" not in headers, (url, headers.get("Content-Encoding"))
        assert "max-age" in headers.get("Cache-Control", ""), url
