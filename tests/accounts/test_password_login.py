"""Staff and the demo accounts keep signing in with username and password."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core.demo import DEMO_PASSWORD

from .factories import learner

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def demo(db, demo_shell):
    call_command("bootstrap_demo", force=True)


@pytest.mark.parametrize("username", ["learner", "trainer", "officer", "admin"])
def test_demo_accounts_sign_in_with_username_and_password(client, demo, username):
    response = client.post(LOGIN, {"login": username, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    user = get_user_model().objects.get(username=username)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, demo):
    response = client.post(LOGIN, {"login": "trainer", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_session_key_changes_at_password_login(client, demo):
    client.get(LOGIN)
    client.session.save()
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key

    client.post(LOGIN, {"login": "trainer", "password": DEMO_PASSWORD})

    assert client.session.session_key != before


def test_demo_learner_has_a_consented_profile_with_a_phone(demo):
    from learners.accounts.demo import DEMO_LEARNER_PHONE
    from learners.accounts.models import LearnerProfile

    profile = LearnerProfile.objects.get(user__username="learner")
    assert profile.phone == DEMO_LEARNER_PHONE and profile.phone_verified
    assert profile.consent_version


def test_disabling_a_user_ends_their_sessions(client):
    user = learner()
    client.force_login(user)
    assert client.get("/me/profile/").status_code == 200

    user.is_active = False
    user.save()

    response = client.get("/me/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_admin_login_goes_through_the_rate_limited_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_login_page_offers_phone_code_signup_and_staff_password(client):
    html = client.get(LOGIN).content.decode()
    assert 'action="/accounts/login/code/"' in html
    assert 'type="tel"' in html
    assert 'href="/accounts/signup/"' in html
    assert 'name="password"' in html


def test_wagtail_front_end_login_cannot_be_used_to_guess_passwords(client):
    user = get_user_model().objects.create_user("trainer1", password="right-pass-2026")
    response = client.post(
        "/_util/login/", {"username": user.username, "password": "right-pass-2026"}
    )
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
