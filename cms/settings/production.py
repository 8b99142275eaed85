"""Production: everything from environment variables (docs/deployment.md lists them)."""

import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL, env

# Rate limits, lockouts and SMS counters must survive any amount of other traffic: Redis, not a
# culling cache (decision 0075). Without it production does not start.
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is required in production: rate limits and lockouts live in Redis."
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # required: no default in production
CERTIFICATE_DEV_KEY_ALLOWED = False  # CERTIFICATE_SIGNING_KEY is required (system check)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# The public address printed in QR codes and sent in SMS texts: required, no localhost guess.
SITE_URL = env.str("SITE_URL").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        "SITE_URL must be the site's public address, e.g. https://ketang.example.cn"
    )
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default=SITE_URL)

# --- Nothing durable on a box's own disk (issue 21, decision 0140) -------------------------------
# The certificate fonts' static instances are derived from the installed package: each box builds
# them once into its temporary folder (20 s per face, on the first certificate after a reboot).
CERTIFICATE_FONT_DIR = Path(
    env.str(
        "CERTIFICATE_FONT_DIR", default=str(Path(tempfile.gettempdir()) / "dvc-certificate-fonts")
    )
)

# --- HTTPS behind a proxy -------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is a one-way commitment for the whole domain and its subdomains: the operator's
# choice (docs/deployment.md, "Accepted check --deploy warnings").
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Email ----------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# --- Logging: JSON-free plain lines to stdout, collected by the process manager -------------------
LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="INFO")  # noqa: F405
