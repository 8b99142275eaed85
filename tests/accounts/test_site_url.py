"""Links that leave the site (SMS texts, certificate QR codes) use its configured public address."""

import os
import subprocess
import sys

import pytest

from learners.certificates.services import verify_url

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/code/"


def test_an_sms_link_uses_the_public_address_not_the_requests_host(client, outbox, settings):
    settings.SITE_URL = "https://ketang.example.cn"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example.com"]
    client.post(REQUEST, {"phone": "13800138006"}, HTTP_HOST="evil.example.com")
    [message] = [m for m in outbox if m.phone == "+8613800138006"]
    assert "https://ketang.example.cn/accounts/signup/" in message.message
    assert "evil.example.com" not in message.message


def test_a_certificate_verify_link_uses_the_public_address(settings):
    settings.SITE_URL = "http://192.168.1.20:8793"
    settings.CERTIFICATE_VERIFY_BASE_URL = ""
    assert verify_url("4821093755123996") == "http://192.168.1.20:8793/c/4821093755123996"


def test_a_separate_verify_domain_still_wins(settings):
    settings.SITE_URL = "http://192.168.1.20:8793"
    settings.CERTIFICATE_VERIFY_BASE_URL = "https://v.example.cn/"
    assert verify_url("4821093755123996") == "https://v.example.cn/c/4821093755123996"


def _production(**extra) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SITE_URL", "WAGTAILADMIN_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="s" * 30 + "-production-like-secret-for-the-check-" + "t" * 20,
        ALLOWED_HOSTS="learn.example.org",
        REDIS_URL="redis://127.0.0.1:6379/3",
        **extra,
    )
    code = (
        "from django.conf import settings; print(settings.SITE_URL, settings.WAGTAILADMIN_BASE_URL)"
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_the_public_address():
    result = _production()
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_refuses_an_address_that_is_not_a_url():
    result = _production(SITE_URL="learn.example.org")
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_uses_the_public_address_for_the_admin_too():
    result = _production(SITE_URL="https://learn.example.org/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://learn.example.org", "https://learn.example.org"]
