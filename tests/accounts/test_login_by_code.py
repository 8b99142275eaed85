"""Signing in with an SMS code: same answer for any number; codes short-lived, single-use."""

import re
import time

import pytest

from .conftest import last_code
from .factories import learner

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"


def _without_csrf(html: str) -> str:
    """The page minus what differs on every response (CSRF token, CSP nonce)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_known_learner_signs_in_with_the_code_from_the_sms(client, outbox):
    user = learner(phone="+8613800138005")
    response = client.post(REQUEST, {"phone": "138 0013 8005"})
    assert response.status_code == 302 and response.url == CONFIRM

    response = client.post(CONFIRM, {"code": last_code(outbox, "+8613800138005")})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_known_and_unknown_numbers_get_identical_responses(client, outbox):
    learner(phone="+8613800138005")

    known = client.post(REQUEST, {"phone": "13800138005"}, follow=True)
    client.cookies.clear()
    unknown = client.post(REQUEST, {"phone": "13800138006"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    known_html = _without_csrf(known.content.decode()).replace("5", "#").replace("6", "#")
    unknown_html = _without_csrf(unknown.content.decode()).replace("5", "#").replace("6", "#")
    assert known_html == unknown_html
    # Only the known number receives a code; the unknown one is told how to sign up.
    assert re.search(r"\b\d{6}\b", next(m for m in outbox if m.phone.endswith("05")).message)
    unknown_sms = next(m for m in outbox if m.phone.endswith("06")).message
    assert "/accounts/signup/" in unknown_sms and not re.search(r"\b\d{6}\b", unknown_sms)


def test_code_expires_after_ten_minutes(client, outbox, monkeypatch):
    learner(phone="+8613800138005")
    client.post(REQUEST, {"phone": "13800138005"})
    code = last_code(outbox, "+8613800138005")
    later = time.time() + 10 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302 and response.url == REQUEST
    assert "_auth_user_id" not in client.session


def test_code_is_still_valid_just_before_ten_minutes(client, outbox, monkeypatch):
    user = learner(phone="+8613800138005")
    client.post(REQUEST, {"phone": "13800138005"})
    code = last_code(outbox, "+8613800138005")
    later = time.time() + 10 * 60 - 5
    monkeypatch.setattr(time, "time", lambda: later)

    client.post(CONFIRM, {"code": code})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_code_works_only_once(client, outbox):
    learner(phone="+8613800138005")
    client.post(REQUEST, {"phone": "13800138005"})
    code = last_code(outbox, "+8613800138005")
    client.post(CONFIRM, {"code": code})
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302 and response.url == REQUEST
    assert "_auth_user_id" not in client.session


def test_too_many_wrong_codes_end_the_attempt(client, outbox):
    learner(phone="+8613800138005")
    client.post(REQUEST, {"phone": "13800138005"})
    code = last_code(outbox, "+8613800138005")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(CONFIRM, {"code": wrong})

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302 and response.url == REQUEST
    assert "_auth_user_id" not in client.session


def test_session_key_changes_at_login(client, outbox):
    learner(phone="+8613800138005")
    client.get("/accounts/login/")
    client.post(REQUEST, {"phone": "13800138005"})
    before = client.session.session_key

    client.post(CONFIRM, {"code": last_code(outbox, "+8613800138005")})

    assert client.session.session_key != before


def test_trainer_registered_learner_signs_in_by_code_and_number_becomes_verified(client, outbox):
    from learners.accounts.models import LearnerProfile
    from learners.accounts.services import learner_register

    trainer = learner(phone=None)
    user = learner_register(name="王芳", phone="13800138007", registered_by=trainer)
    client.post(REQUEST, {"phone": "13800138007"})

    client.post(CONFIRM, {"code": last_code(outbox, "+8613800138007")})

    assert client.session["_auth_user_id"] == str(user.pk)
    assert LearnerProfile.objects.get(user=user).phone_verified


def test_learner_who_chose_english_lands_in_english(client, outbox):
    learner(phone="+8613800138005", language="en")
    client.post(REQUEST, {"phone": "13800138005"})

    response = client.post(CONFIRM, {"code": last_code(outbox, "+8613800138005")})

    assert response.url == "/en/"


def test_sms_gateway_down_shows_a_plain_message_not_a_server_error(client, settings):
    learner(phone="+8613800138005")
    settings.SMS_BACKEND = "learners.accounts.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    settings.SMS_GATEWAY_TIMEOUT = 1

    response = client.post(REQUEST, {"phone": "13800138005"})

    assert response.status_code == 503
    assert "短信" in response.content.decode()


def test_code_page_shows_only_the_masked_number(client, outbox):
    learner(phone="+8613800138005")
    html = client.post(REQUEST, {"phone": "13800138005"}, follow=True).content.decode()
    assert "138****8005" in html
    assert "13800138005" not in html
