"""A new privacy notice version is agreed to before anything else; staff are not asked."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from learners.accounts.models import ConsentRecord, LearnerProfile

from .factories import learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_consent_learner(client):
    user = learner(consent_version="2025-01")
    client.force_login(user)
    return user


def test_learner_with_old_consent_is_sent_to_the_consent_page_first(client, old_consent_learner):
    response = client.get("/me/profile/")
    assert response.status_code == 302
    assert response.url == "/me/consent/?next=%2Fme%2Fprofile%2F"


def test_new_notice_version_asks_again(client, settings):
    user = learner()
    client.force_login(user)
    assert client.get("/me/profile/").status_code == 200

    settings.CONSENT_VERSION = "2027-01"

    response = client.get("/me/profile/")
    assert response.status_code == 302 and response.url.startswith("/me/consent/")


def test_consent_page_shows_the_notice_in_plain_chinese(client, old_consent_learner):
    html = client.get("/me/consent/").content.decode()
    assert "手机号" in html and "同意" in html


def test_agreeing_records_version_time_and_text_and_continues(
    client, old_consent_learner, settings
):
    response = client.post("/me/consent/", {"consent": "on", "next": "/me/profile/"})

    assert response.status_code == 302 and response.url == "/me/profile/"
    profile = LearnerProfile.objects.get(user=old_consent_learner)
    assert profile.consent_version == settings.CONSENT_VERSION
    record = ConsentRecord.objects.get(user=old_consent_learner)
    assert record.version == settings.CONSENT_VERSION and record.language == "zh-hans"
    assert client.get("/me/profile/").status_code == 200


def test_not_ticking_the_box_changes_nothing(client, old_consent_learner):
    response = client.post("/me/consent/", {"next": "/me/profile/"})
    assert response.status_code == 200
    assert LearnerProfile.objects.get(user=old_consent_learner).consent_version == "2025-01"
    assert not ConsentRecord.objects.exists()


def test_consent_page_refuses_to_redirect_to_another_site(client, old_consent_learner):
    response = client.post("/me/consent/", {"consent": "on", "next": "https://evil.example/"})
    assert response.url == "/"


def test_writes_without_consent_are_refused_with_json(client, old_consent_learner):
    response = client.post("/me/profile/", {"display_name": "x"})
    assert response.status_code == 403
    assert response.json()["error"] == "consent required"


def test_learner_may_still_sign_out_download_or_delete_without_agreeing(
    client, old_consent_learner
):
    assert client.get("/me/data.json").status_code == 200
    assert client.get("/me/delete/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_staff_without_a_learner_profile_are_not_asked(client):
    staff = get_user_model().objects.create_user("officer1", password="x-pass-2026-long")
    client.force_login(staff)
    assert client.get("/me/profile/").status_code == 200


def test_trainer_registered_learner_is_asked_for_consent_at_first_sign_in(client):
    from learners.accounts.services import learner_register

    user = learner_register(name="王芳", phone="13800138007", registered_by=learner())
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/me/consent/")


def test_notice_shows_its_version_and_the_hash_covers_that_text(client, old_consent_learner):
    import hashlib

    from learners.accounts.services import consent_text

    html = client.get("/me/consent/").content.decode()
    assert settings.CONSENT_VERSION in html
    client.post("/me/consent/", {"consent": "on"})
    record = ConsentRecord.objects.get(user=old_consent_learner)
    text = consent_text(language="zh-hans")
    assert settings.CONSENT_VERSION in text
    assert record.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
