"""A learner sets their name, village and reading preferences; the pages follow them."""

import pytest
from django.conf import settings

from learners.accounts.models import LearnerProfile

from .factories import learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = learner(display_name="李秀英")
    client.force_login(user)
    return user


def _form(**changes):
    data = {
        "display_name": "李秀英",
        "village_code": "",
        "language": "zh-hans",
        "large_text": "",
        "data_saver": "",
        "autoplay_narration": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""} | {"display_name": data["display_name"]}


def test_learner_saves_name_village_and_preferences(client, me):
    response = client.post(
        "/me/profile/",
        _form(
            display_name="李秀英",
            village_code="110101001001",
            large_text="on",
            data_saver="on",
            autoplay_narration="on",
        ),
    )

    assert response.status_code == 302 and response.url == "/me/profile/"
    profile = LearnerProfile.objects.get(user=me)
    assert profile.village_code == "110101001001"
    assert profile.large_text and profile.data_saver and profile.autoplay_narration


def test_large_text_sets_the_class_on_html(client, me):
    client.post("/me/profile/", _form(large_text="on"))
    html = client.get("/me/profile/").content.decode()
    assert '<html lang="zh-hans" class="large-text"' in html


def test_without_large_text_the_html_has_no_class(client, me):
    html = client.get("/me/profile/").content.decode()
    assert 'class="large-text"' not in html


def test_choosing_english_continues_in_english(client, me):
    response = client.post("/me/profile/", _form(language="en"))
    assert response.url == "/en/me/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en"' in client.get(response.url).content.decode()


def test_village_code_must_have_twelve_digits(client, me):
    response = client.post("/me/profile/", _form(village_code="1101"))
    assert response.status_code == 200
    assert (
        "village_code" in response.context["form"].errors
        or response.context["form"].non_field_errors()
    )
    assert LearnerProfile.objects.get(user=me).village_code == ""


def test_profile_page_reads_the_profile_once(client, me, django_assert_max_num_queries):
    # session + user + profile (shared by the consent check, the page and the html class)
    with django_assert_max_num_queries(4):
        response = client.get("/me/profile/")
    assert response.status_code == 200


def test_profile_page_needs_sign_in(client):
    response = client.get("/me/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_profile_page_masks_the_phone_number(client, me):
    phone = LearnerProfile.objects.get(user=me).phone
    html = client.get("/me/profile/").content.decode()
    assert phone not in html and f"{phone[3:6]}****{phone[-4:]}" in html
