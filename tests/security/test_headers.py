"""Every response carries the security headers of issue 8, point 5."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def _directives(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def test_learner_page_forbids_inline_script_without_the_nonce(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


def test_inline_critical_css_carries_the_nonce_named_in_the_header(client):
    response = client.get("/accounts/login/")
    policy = _directives(response["Content-Security-Policy"])
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in policy["style-src"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_each_response_gets_a_fresh_nonce(client):
    first = client.get("/accounts/login/")["Content-Security-Policy"]
    second = client.get("/accounts/login/")["Content-Security-Policy"]
    assert first != second


def test_no_inline_script_on_a_learner_page_lacks_the_nonce(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    policy = _directives(response["Content-Security-Policy"])
    allowed = {value[len("'nonce-") : -1] for value in policy["script-src"] if "nonce-" in value}
    for match in re.finditer(r"<script(?P<attrs>[^>]*)>", html):
        attrs = match.group("attrs")
        if "src=" in attrs or 'type="application/json"' in attrs:
            continue
        nonce = re.search(r'nonce="([^"]+)"', attrs)
        assert nonce and nonce.group(1) in allowed, match.group(0)


def test_admin_gets_its_own_policy_that_still_forbids_framing_by_others(client):
    staff = get_user_model().objects.create_user("editor", password="x", is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_permissions_policy_switches_off_camera_microphone_and_location(client):
    header = client.get("/accounts/login/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in header


def test_referrer_policy_and_no_sniffing(client):
    response = client.get("/accounts/login/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_media_on_a_cdn_is_allowed_by_the_policy(client, settings):
    settings.MEDIA_URL = "https://media.example.org/media/"
    policy = _directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert "https://media.example.org" in policy["img-src"]
    assert "https://media.example.org" in policy["media-src"]


def _production_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "p" * 30 + "-production-like-secret-for-the-check-" + "q" * 20,
        "ALLOWED_HOSTS": "learn.example.org",
        "SITE_URL": "https://learn.example.org",
        "CERTIFICATE_SIGNING_KEY": os.environ.get("CERTIFICATE_SIGNING_KEY", ""),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
    }


def test_production_settings_send_hsts_and_secure_cookies():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ADMIN_MFA_REQUIRED, "
        "'cms.security.SiteCSPMiddleware' in s.MIDDLEWARE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert int(out[0]) >= 60 * 60 * 24 * 365
    assert out[1:] == ["True"] * 6


def test_production_response_carries_hsts(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_admin_pages_may_be_framed_by_the_admin_itself_for_live_preview(client, django_user_model):
    """The editor's preview iframe needs SAMEORIGIN; learner pages keep DENY."""
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    # The same command .ci/run runs, here so that a plain `pytest` also proves point 5.
    import secrets

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from learners.certificates.credential import private_key_text
    from tests.conftest import REPO

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "REDIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="learn.example.org",
        SITE_URL="https://learn.example.org",
        CERTIFICATE_SIGNING_KEY=private_key_text(Ed25519PrivateKey.generate()),
        VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
