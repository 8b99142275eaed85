"""Campaign and cohort forms as an officer fills them in: join codes and the course list."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from core.models import Campaign, Cohort
from core.roles import PROGRAM_OFFICERS

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
    assert "不用字母I和O" in page  # the rule, in Chinese
    assert "可用的空闲代码" in page  # and a free generated code


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
    assert "不用字母I和O" in response.content.decode()
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


def test_region_search_offers_only_places_of_the_officer_region_with_their_path(client, officer):
    user, _office = officer
    client.force_login(user)
    response = client.get(reverse("regions:search"), {"q": "Village", "villages": "1"})
    assert response.json()["results"] == [
        {
            "code": "621102100201",
            "label": "Province › Prefecture › County A › Town A › Village A1",
        },
        {
            "code": "621102100202",
            "label": "Province › Prefecture › County A › Town A › Village A2",
        },
    ]
    areas = client.get(reverse("regions:search"), {"q": "County"}).json()["results"]
    assert [r["label"] for r in areas] == ["Province › Prefecture › County A"]


def test_a_trainer_cannot_search_regions(client, tree):
    from core.roles import TRAINERS

    client.force_login(UserFactory(username="trainer", role=TRAINERS))
    response = client.get(reverse("regions:search"), {"q": "Village"})
    # Wagtail answers a refused admin URL with a redirect to the dashboard.
    assert response.status_code in (302, 403)
    assert "Village" not in response.content.decode()


def test_cohort_village_is_chosen_by_its_name_path(client, officer, tree):
    user, office = officer
    campaign = CampaignFactory(office=office, region=tree.a)
    client.force_login(user)
    page = client.get(reverse("cohorts:add")).content.decode()
    assert "data-region-search" in page and "省 › 市 › 县 › 乡 › 村" in page
    data = {"campaign": campaign.pk, "name": "二班", "join_code": "ER2345"}
    response = client.post(reverse("cohorts:add"), {**data, "village": "Town A › Village A2"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Cohort.objects.get(name="二班").village == tree.va2


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Village B1", "您的地区内没有“Village B1”"),
        ("Nowhere › Village A2", "您的地区内没有“Nowhere › Village A2”"),
        ("621121100201", "您的辖区内没有这个代码的地区。"),
    ],
)
def test_a_village_outside_the_region_or_unknown_is_refused(client, officer, tree, typed, message):
    user, office = officer
    campaign = CampaignFactory(office=office, region=tree.a)
    client.force_login(user)
    data = {"campaign": campaign.pk, "name": "三班", "join_code": "SAN234", "village": typed}
    response = client.post(reverse("cohorts:add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Cohort.objects.filter(name="三班").exists()


def test_two_villages_of_the_same_name_ask_for_the_path(client, officer, tree):
    from .factories import add_region

    add_region("621102100203", "Village A1", tree.ta)  # another village called "Village A1"
    user, office = officer
    campaign = CampaignFactory(office=office, region=tree.a)
    client.force_login(user)
    data = {"campaign": campaign.pk, "name": "四班", "join_code": "S12345", "village": "Village A1"}
    response = client.post(reverse("cohorts:add"), data)
    assert "“Village A1”对应多个地方" in response.content.decode()
    assert not Cohort.objects.filter(name="四班").exists()
