"""One box, like production (what `make run` uses): DEBUG off, compressed static files.

The embedded default (SQLite, file cache, filesystem broker) served by gunicorn and a Celery
worker with beat (`manage.py serve_embedded`). Differences from `production`: plain HTTP on the
village network (no HTTPS redirect or secure-only cookies: there is no certificate), and a secret
key generated once into var/ when none is given. `make dev` keeps runserver and debug pages
(`cms.settings.dev`). Decision 0072.
"""

import secrets
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import SITE_URL, VAR_DIR, env

DEBUG = False
# No proxy in front of the one box: gunicorn serves public media too (cms.views.public_media).
SERVE_PUBLIC_MEDIA = env.bool("SERVE_PUBLIC_MEDIA", default=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one made once and kept in var/ (owner-only)."""
    given = env.str("SECRET_KEY", default="")
    if given:
        return given
    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# The host of the public address, plus the machine itself.
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=sorted({"127.0.0.1", "localhost", "[::1]", urlsplit(SITE_URL).hostname or "127.0.0.1"}),
)
# collectstatic's output (serve_embedded runs it before starting gunicorn).
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)  # noqa: F405
