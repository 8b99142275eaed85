"""Absolute links to this site, from its configured public address (`settings.SITE_URL`).

Used for everything that leaves the browser: certificate QR codes and verify links, credential
ids, SMS texts. Never built from the request's Host header (a forged header must not end up in a
printed certificate or a text message) — decision 0072.
"""

from django.conf import settings


def site_url(path: str = "") -> str:
    """`path` (starting with /) under the site's public address."""
    return settings.SITE_URL.rstrip("/") + path
