"""A farmer signs up with a mobile number and an SMS code, agreeing to the privacy notice."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from learners.accounts.models import ConsentRecord, LearnerProfile

from .conftest import last_code
from .factories import learner

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
VERIFY = "/accounts/phone/verify/"


def sign_up(client, phone="138 0013 8001", name="张三"):
    return client.post(SIGNUP, {"display_name": name, "phone": phone, "consent": "on"})


def test_new_learner_signs_up_with_phone_and_code_and_is_signed_in(client, outbox):
    response = sign_up(client)
    assert response.status_code == 302 and response.url == VERIFY
    code = last_code(outbox, "+8613800138001")

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 302
    assert client.get("/me/profile/").status_code == 200
    profile = LearnerProfile.objects.get(phone="+8613800138001")
    assert profile.display_name == "张三"
    assert profile.phone_verified
    assert profile.consent_version == settings.CONSENT_VERSION
    assert profile.consented_at is not None
    record = ConsentRecord.objects.get(user=profile.user)
    assert record.version == settings.CONSENT_VERSION and len(record.text_sha256) == 64
    assert not profile.user.has_usable_password()


def test_signup_without_consent_is_refused_and_creates_nobody(client, outbox):
    response = client.post(SIGNUP, {"display_name": "张三", "phone": "13800138001"})
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not get_user_model().objects.exists()
    assert outbox == []


@pytest.mark.parametrize(
    "number", ["010 1234 5678", "+1 202 555 0143", "12345", "138001380011", "not a number"]
)
def test_signup_refuses_numbers_that_are_not_mainland_mobiles(client, outbox, number):
    response = client.post(SIGNUP, {"display_name": "张三", "phone": number, "consent": "on"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert outbox == []


def test_wrong_code_does_not_sign_in(client, outbox):
    sign_up(client)
    code = last_code(outbox, "+8613800138001")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_signup_with_a_known_number_looks_the_same_and_creates_no_account(client, outbox):
    learner(phone="+8613800138002")
    users_before = get_user_model().objects.count()

    new = sign_up(client, phone="13800138001")
    client.cookies.clear()
    known = sign_up(client, phone="13800138002")

    assert (new.status_code, new.url) == (known.status_code, known.url) == (302, VERIFY)
    assert get_user_model().objects.count() == users_before + 1  # only the new number's account
    known_sms = [m.message for m in outbox if m.phone == "+8613800138002"]
    new_sms = [m.message for m in outbox if m.phone == "+8613800138001"]
    assert len(known_sms) == len(new_sms) == 1
    # The same wording, with a code in both: the texts tell nobody which number was registered.
    assert re.sub(r"\d{6}", "CODE", known_sms[0]) == re.sub(r"\d{6}", "CODE", new_sms[0])


def test_signup_with_a_registered_number_texts_a_code_that_signs_that_learner_in(client, outbox):
    owner = learner(phone="+8613800138002", display_name="李秀英")

    response = sign_up(client, phone="13800138002", name="冒名者")
    assert response.status_code == 302 and response.url == VERIFY
    code = last_code(outbox, "+8613800138002")
    assert re.fullmatch(r"\d{6}", code)

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert get_user_model().objects.count() == 1
    owner.learner_profile.refresh_from_db()
    assert owner.learner_profile.display_name == "李秀英"  # the sign-up form's name is not applied


def test_signup_with_a_registered_number_and_a_wrong_code_signs_nobody_in(client, outbox):
    learner(phone="+8613800138002")
    sign_up(client, phone="13800138002")
    code = last_code(outbox, "+8613800138002")
    wrong = "000000" if code != "000000" else "111111"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 200
    assert "验证码不对" in response.content.decode() or response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_whoever_typed_a_registered_number_cannot_move_it_to_their_own_phone(client, outbox):
    owner = learner(phone="+8613800138002")
    sign_up(client, phone="13800138002")

    client.post(VERIFY, {"action": "change", "phone": "13900139009"})

    owner.learner_profile.refresh_from_db()
    assert owner.learner_profile.phone == "+8613800138002"
    assert [m for m in outbox if m.phone == "+8613900139009"] == []
    assert "_auth_user_id" not in client.session


def test_signup_code_expires_after_ten_minutes(client, outbox, monkeypatch):
    import time

    sign_up(client)
    code = last_code(outbox, "+8613800138001")
    later = time.time() + 10 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)

    client.post(VERIFY, {"code": code})

    assert "_auth_user_id" not in client.session
    assert not LearnerProfile.objects.get(phone="+8613800138001").phone_verified


def test_signup_from_a_join_link_returns_to_it_after_the_code(client, outbox):
    response = client.post(
        SIGNUP + "?next=/join/ABC123/",
        {"display_name": "张三", "phone": "13800138001", "consent": "on", "next": "/join/ABC123/"},
    )
    assert response.status_code == 302

    response = client.post(response.url, {"code": last_code(outbox, "+8613800138001")})

    assert response.status_code == 302 and response.url == "/join/ABC123/"
