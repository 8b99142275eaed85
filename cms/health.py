"""Liveness of the three services the site depends on: database, cache and task broker."""

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection


def check_database() -> None:
    """Run a trivial query on the default database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """Write and read back a short-lived key."""
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def check_broker() -> None:
    """Open (and close) a connection to the Celery broker, failing fast instead of retrying."""
    from cms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks() -> dict[str, dict[str, str]]:
    """Run every check; each reports {"status": "ok"} or {"status": "error", "error": ...}."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            results[name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:200]}
        else:
            results[name] = {"status": "ok"}
    return results


def check_worker(timeout: float = 5.0) -> None:
    """Send a ping task through the broker and wait for a worker to answer it."""
    from .tasks import ping

    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], expires=timeout * 2)
    try:
        answer = result.get(timeout=timeout, disable_sync_subtasks=False)
    finally:
        # Only a stored answer can be forgotten; forgetting one that never came would hide the
        # real error (the timeout) behind the result backend's "no such file".
        if result.ready():
            result.forget()
    if answer.get("token") != token:
        raise RuntimeError("a worker answered with the wrong token")


def run_worker_check() -> dict[str, str]:
    """The optional deep check: is a Celery worker consuming the queue?"""
    try:
        check_worker()
    except Exception as exc:
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"status": "ok"}
