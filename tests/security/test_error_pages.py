"""Error pages render fully under the learner Content-Security-Policy."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def crash(settings):
    settings.ROOT_URLCONF = "tests.security.urls_boom"
    return Client(raise_request_exception=False).get("/boom/")


def test_server_error_page_has_no_inline_style_or_script(crash):
    html = crash.content.decode()
    assert crash.status_code == 500
    assert "你的学习进度不会丢失" in html
    # The 500 page is rendered without a request, so it cannot carry the nonce: any inline
    # style or script would be blocked by the policy sent with it.
    policy = crash["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert not re.search(r"\sstyle=", html)
    assert "<style" not in html
    assert "<script" not in html


def test_server_error_page_styles_come_from_our_own_stylesheet(crash, settings):
    html = crash.content.decode()
    match = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert match, html
    assert match.group(1).startswith(settings.STATIC_URL)
    assert "style-src 'self'" in crash["Content-Security-Policy"]
    # The sheet it links is the shell's, which defines the colours and type the page uses.
    sheet = finders.find(match.group(1).removeprefix(settings.STATIC_URL))
    with open(sheet, encoding="utf-8") as handle:
        assert "--ink:" in handle.read()
