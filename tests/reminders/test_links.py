"""The short link in a reminder signs in only its learner, once, before it expires; it also
carries the off switch, as does /me/."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from learners.accounts import links
from learners.accounts.models import LearnerProfile
from learners.accounts.services import account_erase
from tests.accounts.factories import learner

from .conftest import CLOCK, at

pytestmark = pytest.mark.django_db


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def person():
    return learner()


@pytest.fixture
def link(person, settings):
    settings.SITE_URL = "https://dvc.example.cn"
    CLOCK.set(at(9, 10))
    return links.sign_in_link_create(user=person, next_path="/zh-hans/courses/c-1/lesson-2/")


def test_the_link_is_short_and_on_the_public_address(link):
    assert link.startswith("https://dvc.example.cn/r/")
    assert len(link) <= len("https://dvc.example.cn/r/") + 23


def test_opening_the_link_does_not_use_it_up_a_button_does(client, link, person):
    path = link.removeprefix("https://dvc.example.cn")
    page = client.get(path)
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session  # a chat app's preview signs nobody in
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/courses/c-1/lesson-2/"
    assert client.session["_auth_user_id"] == str(person.pk)


def test_the_link_works_once(client, link):
    path = link.removeprefix("https://dvc.example.cn")
    client.post(path)
    client.logout()
    again = client.post(path)
    assert again.status_code == 410
    assert "_auth_user_id" not in client.session
    assert "已经用过或已过期" in client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_the_link_expires_after_seven_days(client, link):
    path = link.removeprefix("https://dvc.example.cn")
    CLOCK.set(at(9, 10) + datetime.timedelta(days=7, seconds=1))
    assert client.post(path).status_code == 410
    assert "_auth_user_id" not in client.session


def test_the_link_signs_in_its_learner_even_if_someone_else_was_signed_in(client, link, person):
    someone = learner()
    client.force_login(someone)
    client.post(link.removeprefix("https://dvc.example.cn"))
    assert client.session["_auth_user_id"] == str(person.pk)


def test_an_unknown_or_altered_token_signs_in_nobody(client, link):
    path = link.removeprefix("https://dvc.example.cn")
    altered = path[:-2] + ("A" if path[-2] != "A" else "B") + "/"
    assert client.post(altered).status_code == 410
    assert client.get("/r/nothing-here/").status_code == 410
    assert "_auth_user_id" not in client.session


def test_an_erased_learners_link_signs_in_nobody(client, link, person):
    account_erase(user=person)
    assert client.post(link.removeprefix("https://dvc.example.cn")).status_code == 410
    assert "_auth_user_id" not in client.session


def test_only_a_hash_of_the_token_is_stored(link):
    from learners.accounts.models import SignInLink

    stored = SignInLink.objects.get()
    assert token_of(link) not in stored.token_sha256 and len(stored.token_sha256) == 64


def test_an_outside_address_is_never_a_destination(person):
    with pytest.raises(ValueError):
        links.sign_in_link_create(user=person, next_path="https://evil.example/")
    with pytest.raises(ValueError):
        links.sign_in_link_create(user=person, next_path="//evil.example/")


def test_the_off_button_in_the_link_turns_reminders_off(client, link, person):
    token = token_of(link)
    response = client.post(reverse("accounts_sign_in_link_off", args=[token]))
    assert response.status_code == 200
    assert LearnerProfile.objects.get(user=person).reminders_off is True
    assert "_auth_user_id" not in client.session  # stopping needs no sign-in, gives none


def test_the_off_switch_in_my_settings(client, person):
    client.force_login(person)
    with translation.override("zh-hans"):
        url = reverse("accounts_profile")
    assert "不要用短信提醒我学习课程" in client.get(url).content.decode()
    profile = LearnerProfile.objects.get(user=person)
    client.post(
        url,
        {
            "display_name": profile.display_name,
            "village_code": "",
            "language": "zh-hans",
            "reminders_off": "on",
        },
    )
    assert LearnerProfile.objects.get(user=person).reminders_off is True


def test_the_consent_notice_says_reminders_may_be_sent(client):
    from learners.accounts.services import consent_text

    assert "学习提醒" in consent_text(language="zh-hans")
    assert "course reminders" in consent_text(language="en")
