"""Fixtures shared by the whole suite.

Tests that need a service (PostgreSQL, Redis, a Celery worker, Chromium) skip with a one-line
reason on a newcomer's machine, and fail instead when CI=true, so CI never passes by skipping.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the current test unless `condition` holds."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a per-test folder, never into media/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (zh-hans): a request to an /en/ page in an
    earlier test of the same worker leaves English active in the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits, cached fragments, page shells and kept routes never leak between tests."""
    from django.core.cache import caches

    from core.generation import memo_clear

    for store in caches.all():
        store.clear()
    memo_clear()
    yield
    for store in caches.all():
        store.clear()
    memo_clear()


@pytest.fixture(autouse=True)
def _demo_copy_forgotten():
    """After a test that copied the demo in (tests/demo_snapshot.py), forget cached row ids."""
    from tests import demo_snapshot

    copies = demo_snapshot.restored
    yield
    if demo_snapshot.restored != copies:
        demo_snapshot.clear_caches()


# --- services -------------------------------------------------------------------------------------


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def postgres():
    """The suite runs on PostgreSQL (DATABASE_URL=postgres://...)."""
    need(_is_postgres(), "needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url():
    """A reachable Redis server (REDIS_URL)."""
    url = os.environ.get("REDIS_URL", "")
    need(bool(url), "needs Redis: set REDIS_URL=redis://...")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        need(False, f"Redis at {url} does not answer: {exc}")
    return url


def redis_broker_options() -> dict:
    """Transport options of a Redis broker in the tests: this pytest-xdist worker's own keys.

    Parallel workers share one Redis; each one's Celery queues live under its own key prefix, the
    same one the worker process it starts takes from the test settings (cms/settings/test.py).
    """
    options = {"visibility_timeout": 3600}
    if xdist_worker := os.environ.get("PYTEST_XDIST_WORKER"):
        options["global_keyprefix"] = f"dvc-broker-{xdist_worker}:"
    return options


def _worker_env(extra: dict[str, str]) -> dict[str, str]:
    from django.db import connection

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test", **extra}
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    if _is_postgres():
        # The worker must read the test database the suite writes to, not the configured one.
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{db['USER'] or ''}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def _forget_earlier_results(result_backend: str) -> None:
    """Delete the task results this pytest worker's earlier runs stored (cms/settings/test.py).

    Test databases number outbox rows from 1 again, so an old SUCCESS under "outbox-185" would
    make Celery take a new, lost task for done."""
    import redis

    client = redis.Redis.from_url(result_backend)
    keys = list(client.scan_iter(match=f"{settings.TEST_RESULT_KEYPREFIX}*", count=1000))
    if keys:
        client.delete(*keys)


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """Start `celery -A cms worker` in its own process and wait until it is ready."""
    if env.get("CELERY_RESULT_BACKEND", "").startswith(("redis://", "rediss://")):
        _forget_earlier_results(env["CELERY_RESULT_BACKEND"])
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cms",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "-n",
            f"test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{log_path.read_text()}")
        if " ready." in log_path.read_text():
            return process
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"Celery worker did not become ready:\n{log_path.read_text()}")


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker_process(redis_url, transactional_db, tmp_path, settings):
    """A real Celery worker process on the Redis broker, reading the suite's test database."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from cms.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    app.conf.broker_transport_options = redis_broker_options()
    env = _worker_env(
        {"CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url, "REDIS_URL": redis_url}
    )
    process = start_worker(env, tmp_path / "worker.log")
    yield process
    stop_worker(process)
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


# --- browser --------------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole run: a second sync driver in the same thread fails."""
    need(Path(CHROMIUM).exists(), f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "needs the playwright package")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    """Debian's Chromium driven by Playwright (never a downloaded browser build)."""
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(chromium, live_server):
    """A fresh browser context at 360×740 that records every request it makes."""
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.requested_urls = []
    page.on("request", lambda request: page.requested_urls.append(request.url))
    yield page
    context.close()


@pytest.fixture
def demo_shell(monkeypatch):
    """Make `bootstrap_demo` load only the site, roles and demo accounts, not the demo courses.

    The full demo (three courses in two languages, a campaign) costs thousands of queries; tests of
    the shell, the roles and sign-in need none of it. The full command is tested on its own.
    """
    from cms.management.commands import bootstrap_demo

    monkeypatch.setattr(bootstrap_demo, "EXTRA_DEMO_LOADERS", ["learners.accounts.demo.load"])
