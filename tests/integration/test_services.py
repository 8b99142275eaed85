"""On real services (CI): PostgreSQL, Redis as cache and broker, and a real Celery worker."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection

from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.integration


def test_suite_runs_on_postgresql(postgres, db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int")
        assert cursor.fetchone()[0] >= 130000


def test_cache_is_redis_and_shared_between_processes(redis_url, settings):
    import redis

    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    key = f"it-{uuid.uuid4().hex}"
    cache.set(key, "from-django", 30)
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert any(key in name.decode() for name in raw.keys(f"*{key}*"))


def test_healthz_reports_postgres_redis_and_broker_up(postgres, redis_url, client, db):
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"


def test_worker_process_runs_a_task_and_reads_the_same_database(celery_worker_process, demo_shell):
    """A task sent through Redis runs in the worker process and sees our committed rows."""
    from wagtail.models import Page

    from cms.tasks import ping

    load_demo()
    token = uuid.uuid4().hex
    answer = ping.delay(token).get(timeout=30)
    assert answer["token"] == token
    assert answer["worker"].startswith("test-")
    assert answer["pages"] == Page.objects.count()


def test_healthz_worker_check_round_trips_through_redis(celery_worker_process, client):
    response = client.get("/healthz?worker=1")
    assert response.json()["checks"]["worker"] == {"status": "ok"}
