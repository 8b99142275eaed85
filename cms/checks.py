"""Deployment checks: security state that cannot be evicted, private files that are not public.

Run by ``manage.py check --deploy`` (CI runs it under production settings at WARNING level).
"""

from pathlib import Path

from django.conf import settings
from django.core import checks

REDIS_BACKENDS = ("django_redis.cache.RedisCache", "django.core.cache.backends.redis.RedisCache")
NO_REDIS = (
    "The default cache is not Redis. Rate limits, lockouts and SMS counters live there and a "
    "culling cache lets an attacker erase them; set REDIS_URL."
)
NO_PRIVATE_STORAGE = (
    "No private file storage is configured. Certificates, print batches and exports need "
    "AWS_PRIVATE_BUCKET_NAME (a private bucket) or PRIVATE_MEDIA_ROOT (a folder the web server "
    "does not serve)."
)
PRIVATE_STORAGE_PUBLIC = (
    "The private file storage can be read without permission: {reason}. Certificates, print "
    "batches and exports would be public."
)


def _inside(path: Path, folder) -> bool:
    if not folder:
        return False
    folder = Path(folder).resolve()
    return path == folder or folder in path.parents


def _private_storage_problem() -> str:
    """Why STORAGES["private"] would be publicly readable, or "" when it is not."""
    storage = settings.STORAGES.get("private")
    if storage is None:
        return "STORAGES has no 'private' entry"
    options = storage.get("OPTIONS", {})
    backend = storage.get("BACKEND", "")
    if backend.endswith("FileSystemStorage"):
        location = Path(options.get("location") or settings.MEDIA_ROOT).resolve()
        for folder in (settings.MEDIA_ROOT, getattr(settings, "STATIC_ROOT", None)):
            if _inside(location, folder):
                return f"its folder {location} is inside {folder}, which is served publicly"
        return ""
    if "s3" in backend.lower():
        if not options.get("querystring_auth", getattr(settings, "AWS_QUERYSTRING_AUTH", True)):
            return "its URLs are not signed (querystring_auth is off)"
        if options.get("custom_domain"):
            return "it is served through a custom (CDN) domain, which drops the signature"
        bucket = options.get("bucket_name", getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""))
        if bucket and bucket == getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
            return "it is the same bucket as the public media"
        return ""
    return ""


@checks.register(checks.Tags.security, deploy=True)
def security_state_in_redis(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Error when the default cache (allauth's rate limits) is not Redis."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in REDIS_BACKENDS:
        return []
    return [checks.Error(NO_REDIS, id="cms.E101")]


@checks.register(checks.Tags.security, deploy=True)
def private_storage_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Error when private files have no explicit, non-public storage."""
    problem = _private_storage_problem()
    if problem:
        return [checks.Error(PRIVATE_STORAGE_PUBLIC.format(reason=problem), id="cms.E103")]
    if not getattr(settings, "PRIVATE_STORAGE_CONFIGURED", False):
        return [checks.Error(NO_PRIVATE_STORAGE, id="cms.E102")]
    return []
