"""Guessing and SMS flooding are slowed down per number, per account and per client address."""

import pytest
from django.contrib.auth import get_user_model

from .conftest import last_code
from .factories import learner

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/code/"
LOGIN = "/accounts/login/"


def test_second_code_for_the_same_number_within_30_seconds_is_429(client, outbox):
    learner(phone="+8613800138005")
    assert client.post(REQUEST, {"phone": "13800138005"}).status_code == 302
    client.cookies.clear()

    response = client.post(REQUEST, {"phone": "13800138005"})

    assert response.status_code == 429
    assert len([m for m in outbox if m.phone == "+8613800138005"]) == 1


def test_unknown_number_is_limited_exactly_like_a_known_one(client, outbox):
    assert client.post(REQUEST, {"phone": "13800138006"}).status_code == 302
    client.cookies.clear()
    assert client.post(REQUEST, {"phone": "13800138006"}).status_code == 429


def test_codes_per_client_address_are_limited(client, outbox, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "request_login_code": "3/h/ip"}
    for n in range(3):
        client.cookies.clear()
        assert client.post(REQUEST, {"phone": f"1380013801{n}"}).status_code == 302

    client.cookies.clear()
    assert client.post(REQUEST, {"phone": "13800138019"}).status_code == 429


def test_forged_forwarded_for_does_not_reset_the_limit(client, outbox, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "request_login_code": "3/h/ip"}
    for n in range(3):
        client.cookies.clear()
        client.post(REQUEST, {"phone": f"1380013801{n}"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    client.cookies.clear()
    response = client.post(REQUEST, {"phone": "13800138019"}, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_one_trusted_proxy_only_the_proxy_added_address_counts(client, outbox, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "request_login_code": "3/h/ip"}
    for n in range(3):
        client.cookies.clear()
        client.post(
            REQUEST,
            {"phone": f"1380013801{n}"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
        )

    client.cookies.clear()
    forged = client.post(
        REQUEST, {"phone": "13800138019"}, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7"
    )
    client.cookies.clear()
    other_client = client.post(
        REQUEST, {"phone": "13800138018"}, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert forged.status_code == 429
    assert other_client.status_code == 302


def test_sixth_failed_password_login_within_five_minutes_is_429(client):
    user = get_user_model().objects.create_user("trainer1", password="right-pass-2026")
    for _ in range(5):
        response = client.post(LOGIN, {"login": user.username, "password": "wrong"})
        assert response.status_code == 200

    response = client.post(LOGIN, {"login": user.username, "password": "right-pass-2026"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failed_logins_of_one_account_do_not_lock_another(client):
    get_user_model().objects.create_user("trainer1", password="right-pass-2026")
    get_user_model().objects.create_user("trainer2", password="right-pass-2026")
    for _ in range(5):
        client.post(LOGIN, {"login": "trainer1", "password": "wrong"})

    response = client.post(LOGIN, {"login": "trainer2", "password": "right-pass-2026"})

    assert response.status_code == 302


def test_second_signup_code_for_the_same_number_within_30_seconds_is_429(client, outbox):
    data = {"display_name": "张三", "phone": "13800138001", "consent": "on"}
    assert client.post("/accounts/signup/", data).status_code == 302
    last_code(outbox, "+8613800138001")
    client.cookies.clear()

    response = client.post("/accounts/signup/", data)

    assert response.status_code == 429
