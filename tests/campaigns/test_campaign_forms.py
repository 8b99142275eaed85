"""Campaign and cohort forms as an officer fills them in: join codes and the course list."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from campaigns.models import Campaign, Cohort
from cms.roles import PROGRAM_OFFICERS

from .factories import CampaignFactory, ProgramOfficeFactory, UserFactory, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(tree):
    office = ProgramOfficeFactory(region=tree.a, name="县办")
    user = UserFactory(username="officer_a", role=PROGRAM_OFFICERS)
    office.members.add(user)
    return user, office


def campaign_data(office, tree, **changes):
    return {
        "title": "春耕培训",
        "office": office.pk,
        "region": tree.a.code,
        "starts_on": "2026-03-01",
        "ends_on": "2026-06-30",
        "target_learners": "50",
        "join_code": "CHUN26",
        **changes,
    }


def test_join_code_help_states_the_rule_and_offers_a_free_code(client, officer):
    user, _office = officer
    client.force_login(user)
    page = client.get(reverse("campaigns:add")).content.decode()
    assert "without the letters I and O" in page
    assert "A free code you may use:" in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("tjwg01", "TJWG01"), ("tjwg-oi", "TJWG01"), (" ab cd ", "ABCD")],
)
def test_join_code_is_accepted_as_people_type_it(client, officer, tree, typed, stored):
    user, office = officer
    client.force_login(user)
    response = client.post(reverse("campaigns:add"), campaign_data(office, tree, join_code=typed))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Campaign.objects.get().join_code == stored


def test_a_join_code_with_other_characters_is_refused_with_the_rule(client, officer, tree):
    user, office = officer
    client.force_login(user)
    response = client.post(reverse("campaigns:add"), campaign_data(office, tree, join_code="AB!C"))
    assert response.status_code == 200
    assert "without the letters I and O" in response.content.decode()
    assert not Campaign.objects.exists()


def test_cohort_join_code_is_normalised_too(client, officer, tree):
    user, office = officer
    campaign = CampaignFactory(office=office, region=tree.a)
    client.force_login(user)
    response = client.post(
        reverse("cohorts:add"),
        {"campaign": campaign.pk, "name": "一班", "village": tree.va1.code, "join_code": "yioo2"},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Cohort.objects.get().join_code == "Y1002"


def test_each_course_is_offered_once_whatever_its_translations(client, officer, tree):
    user, _office = officer
    course = make_course("手机入门", lessons=1)
    english = Locale.objects.get_or_create(language_code="en")[0]
    translation = course.copy_for_translation(english, copy_parents=True)
    translation.title = "Phone basics"
    translation.save()
    client.force_login(user)
    page = client.get(reverse("campaigns:add")).content.decode()
    assert "手机入门" in page
    assert "Phone basics" not in page
    assert f'value="{course.pk}"' in page
    assert f'value="{translation.pk}"' not in page
