"""Settings for the pytest suite.

The database is SQLite unless DATABASE_URL is set (CI points it at PostgreSQL). Unit tests
run Celery tasks eagerly; tests/integration start a real worker on the configured broker.
"""

import atexit
import shutil
import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A worker subprocess started by a test is told the test's media folder (TEST_MEDIA_ROOT), so
# files it writes are the files the test reads.
MEDIA_ROOT = env.str("TEST_MEDIA_ROOT", default="")
# Private files (certificates, print batches, exports) in a sibling folder, outside MEDIA_ROOT.
if not MEDIA_ROOT:
    MEDIA_ROOT = tempfile.mkdtemp(prefix="dvc-test-media-")
    # The process that made the folders removes them when it exits (a run leaves nothing in /tmp).
    atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
    atexit.register(shutil.rmtree, MEDIA_ROOT.rstrip("/") + "-private", ignore_errors=True)
STORAGES["private"] = {"BACKEND": "cms.storage.BesideMediaPrivateStorage"}  # noqa: F405
if not env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "volatile": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "volatile",
        },
    }
# Parallel test workers (pytest-xdist, `make test`) share one Redis: each keeps to its own keys,
# in the cache and in the Celery broker (tests/redis_scope.py). A Celery worker a test starts
# inherits PYTEST_XDIST_WORKER, so it reads and consumes under the same prefix.
XDIST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
if XDIST_WORKER and env.str("REDIS_URL", default=""):
    for _alias in CACHES:
        CACHES[_alias] = {
            **CACHES[_alias],
            "KEY_PREFIX": f"dvc-test-{XDIST_WORKER}",
            "OPTIONS": {
                **CACHES[_alias].get("OPTIONS", {}),
                "CLIENT_CLASS": "tests.redis_scope.PrefixScopedClient",
            },
        }
if XDIST_WORKER and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"dvc-broker-{XDIST_WORKER}:",
    }
# Results too: an outbox task's id is its message's row id ("outbox-185"), and each test database
# numbers its rows from 1, so without a prefix one worker (or the last run) could find another's
# stored SUCCESS under the same id, and Celery then acknowledges a lost task instead of requeueing
# it. tests/conftest.py `start_worker` also clears this prefix's results left by earlier runs.
TEST_RESULT_KEYPREFIX = f"dvc-results-{XDIST_WORKER or 'main'}:"
if str(CELERY_RESULT_BACKEND or "").startswith(("redis://", "rediss://")):  # noqa: F405
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": TEST_RESULT_KEYPREFIX}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
SITE_URL = WAGTAILADMIN_BASE_URL = "http://testserver"
# Most tests sign in staff with force_login; tests/security switch the TOTP requirement back on.
ADMIN_MFA_REQUIRED = False
