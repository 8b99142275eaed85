"""Finding 3 (issue 16): lockouts and SMS limits cannot be erased by flooding the cache.

allauth keeps its rate limits in the default cache. The embedded default used a file cache that
culls at 300 entries, so ~240 anonymous code requests from other addresses erased a lockout. These
tests run against the embedded default's real cache configuration (cms.settings.base) and, when
REDIS_URL is set, against Redis too.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as project_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.test import override_settings

from cms import checks as deploy_checks
from cms.cache import NonEvictingDatabaseCache
from cms.models import SecurityCacheEntry
from cms.settings import base
from learners.accounts import sms
from tests.conftest import REPO

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
REQUEST_CODE = "/accounts/login/code/"
LOCMEM_VOLATILE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "v"}


def _cache_configs():
    configs = [pytest.param({**base.EMBEDDED_CACHES, "volatile": LOCMEM_VOLATILE}, id="database")]
    if os.environ.get("REDIS_URL"):
        # The test settings' Redis cache: under parallel workers (make test) it keeps to this
        # worker's keys, so its clear() does not flush the other workers' cache and queues.
        configs.append(
            pytest.param(
                {"default": project_settings.CACHES["default"], "volatile": LOCMEM_VOLATILE},
                id="redis",
            )
        )
    return configs


@pytest.fixture(params=_cache_configs())
def security_cache(request):
    with override_settings(CACHES=request.param):
        cache.clear()
        yield cache
        cache.clear()


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "learners.accounts.sms.ConsoleBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _flood(client, *, other_keys: int, code_requests: int) -> None:
    """What an attacker can do: write many other cache keys, many from anonymous requests."""
    cache.set_many({f"flood:{n}": n for n in range(other_keys)}, timeout=3600)
    for n in range(code_requests):
        client.cookies.clear()
        client.post(
            REQUEST_CODE,
            {"phone": f"1390000{n:04d}"},
            REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1",
        )


def test_lockout_and_sms_limit_hold_after_10000_other_keys(
    client, security_cache, outbox, settings
):
    # Hour-long windows, so that a slow machine's flood cannot outlast them (the limits are the
    # point here, not their length: 5 failures lock the account, one code per number).
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "100/h/ip,5/h/key",
        "request_login_code": "1000/h/ip,1/h/key",
    }
    user = get_user_model().objects.create_user("trainer-flood", password="right-pass-2026")
    for _ in range(5):
        client.post(LOGIN, {"login": user.username, "password": "wrong"})
    assert (
        client.post(LOGIN, {"login": user.username, "password": "right-pass-2026"}).status_code
        == 429
    )
    client.cookies.clear()
    assert client.post(REQUEST_CODE, {"phone": "13800138077"}).status_code == 302

    _flood(client, other_keys=10_000, code_requests=300)

    client.cookies.clear()
    locked = client.post(LOGIN, {"login": user.username, "password": "right-pass-2026"})
    client.cookies.clear()
    second_code = client.post(REQUEST_CODE, {"phone": "13800138077"})
    assert locked.status_code == 429
    assert second_code.status_code == 429
    assert len([m for m in outbox if m.phone == "+8613800138077"]) == 1


def test_a_culling_cache_would_lose_the_lockout(client, outbox, tmp_path):
    """A culling cache (MAX_ENTRIES 300, as the old file cache) forgets the lockout.

    Local memory culls the oldest entries first, so the outcome does not depend on chance (the
    file cache culls a random third).
    """
    culling = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"culling-{tmp_path.name}",
            "OPTIONS": {"MAX_ENTRIES": 300},
        },
        "volatile": LOCMEM_VOLATILE,
    }
    with override_settings(CACHES=culling):
        user = get_user_model().objects.create_user("trainer-cull", password="right-pass-2026")
        for _ in range(5):
            client.post(LOGIN, {"login": user.username, "password": "wrong"})
        _flood(client, other_keys=1_000, code_requests=0)
        client.cookies.clear()
        response = client.post(LOGIN, {"login": user.username, "password": "right-pass-2026"})
    assert response.status_code == 302


def test_per_address_sms_limit_is_exact_across_100_addresses(
    client, security_cache, outbox, settings
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "request_login_code": "3/h/ip"}
    answers = {}
    for address in range(100):
        for attempt in range(4):
            client.cookies.clear()
            response = client.post(
                REQUEST_CODE,
                {"phone": f"137{address:04d}{attempt:04d}"},
                REMOTE_ADDR=f"192.0.{address // 50}.{address % 50 + 1}",
            )
            answers.setdefault(address, []).append(response.status_code)

    assert all(codes == [302, 302, 302, 429] for codes in answers.values()), answers
    assert len(outbox) == 300


def test_expired_entries_are_dropped_but_live_ones_stay(security_cache):
    if not isinstance(caches["default"], NonEvictingDatabaseCache):
        pytest.skip("Redis expires keys itself")
    security_cache.set("short", 1, timeout=-1)
    security_cache.set_many({f"live:{n}": n for n in range(400)}, timeout=600)
    assert security_cache.get("short") is None
    assert SecurityCacheEntry.objects.filter(cache_key__endswith=":short").count() == 0
    assert security_cache.get("live:0") == 0
    assert security_cache.get("live:399") == 399


# --- check --deploy -------------------------------------------------------------------------------


def _deploy_check(tmp_path, **extra) -> subprocess.CompletedProcess:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from learners.certificates.credential import private_key_text

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "REDIS_", "PRIVATE_", "AWS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="s" * 30 + "-production-like-secret-for-the-check-" + "t" * 20,
        ALLOWED_HOSTS="learn.example.org",
        SITE_URL="https://learn.example.org",
        CERTIFICATE_SIGNING_KEY=private_key_text(Ed25519PrivateKey.generate()),
        VAR_DIR=str(tmp_path),
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_refuses_to_start_without_redis(tmp_path):
    result = _deploy_check(tmp_path, PRIVATE_MEDIA_ROOT=str(tmp_path / "private"))
    assert result.returncode != 0
    assert "REDIS_URL is required in production" in result.stderr


def test_check_deploy_fails_without_private_media_configuration(tmp_path):
    result = _deploy_check(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.returncode != 0
    assert "cms.E102" in result.stdout + result.stderr


def test_check_deploy_fails_when_the_cache_is_not_redis(settings):
    settings.CACHES = {**base.EMBEDDED_CACHES}
    messages = deploy_checks.security_state_in_redis(None)
    assert [m.id for m in messages] == ["cms.E101"]


def test_private_folder_inside_public_media_is_an_error(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PRIVATE_STORAGE_CONFIGURED = True
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    messages = deploy_checks.private_storage_configured(None)
    assert [m.id for m in messages] == ["cms.E103"]


def test_private_bucket_without_signed_urls_is_an_error(settings):
    settings.PRIVATE_STORAGE_CONFIGURED = True
    settings.AWS_STORAGE_BUCKET_NAME = "public-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "private-files", "querystring_auth": False},
        },
    }
    messages = deploy_checks.private_storage_configured(None)
    assert [m.id for m in messages] == ["cms.E103"]
    assert "not signed" in messages[0].msg


def test_signed_private_bucket_passes(settings):
    settings.PRIVATE_STORAGE_CONFIGURED = True
    settings.AWS_STORAGE_BUCKET_NAME = "public-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "private-files", "querystring_auth": True},
        },
    }
    assert deploy_checks.private_storage_configured(None) == []
