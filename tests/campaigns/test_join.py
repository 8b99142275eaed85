"""/join/<code>: a wrong or expired code says so; anonymous visitors sign in first."""

import datetime

import pytest
from django.utils import timezone

from core.codes import JOIN_CODE_ALPHABET, random_join_code

from .factories import CampaignFactory, CohortFactory, ProgramOfficeFactory


@pytest.fixture
def campaign(tree):
    office = ProgramOfficeFactory(region=tree.f)
    return CampaignFactory(office=office, title="春季培训", join_code="SPRG26")


def test_join_codes_avoid_look_alike_characters():
    codes = {random_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(set(c) <= set(JOIN_CODE_ALPHABET) for c in codes)
    assert not set("01OILUV") & set(JOIN_CODE_ALPHABET)


def test_unknown_code_says_so(client, campaign):
    response = client.get("/en/join/ZZZZZZ/")
    assert response.status_code == 404
    assert b"There is no campaign with this code" in response.content


def test_expired_code_says_so(client, campaign):
    campaign.starts_on = timezone.localdate() - datetime.timedelta(days=30)
    campaign.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save()
    response = client.get("/en/join/SPRG26/")
    assert response.status_code == 410
    assert b"ended on" in response.content


def test_anonymous_visitor_is_asked_to_sign_in_and_come_back(client, campaign):
    response = client.get("/en/join/sprg-26/")
    assert response.status_code == 200
    assert "春季培训" in response.content.decode()
    assert b"/en/accounts/login/?next=/en/join/sprg-26/" in response.content
    posted = client.post("/en/join/SPRG26/")
    assert posted.status_code == 302
    assert "/accounts/login/" in posted["Location"]
    assert "next=/en/join/SPRG26/" in posted["Location"]


def test_cohort_code_shows_the_cohort(client, tree, campaign):
    CohortFactory(campaign=campaign, village=tree.va1, name="团结村一期", join_code="TJ2345")
    response = client.get("/join/TJ2345/")
    assert response.status_code == 200
    assert "团结村一期" in response.content.decode()


def test_typed_code_is_normalised_and_redirected(client, campaign):
    response = client.get("/en/join/", {"code": " sprg 26 "})
    assert response.status_code == 302
    assert response["Location"].endswith("/join/SPRG26/")


def test_signed_in_learner_joins_all_courses_and_the_cohort_once(client, tree, campaign):
    from learners.models import Enrollment

    from .factories import UserFactory, make_course

    campaign.courses.set([make_course("手机入门", lessons=1), make_course("防诈骗", lessons=1)])
    cohort = CohortFactory(campaign=campaign, village=tree.va1, name="一期", join_code="TJ2345")
    learner = UserFactory(username="farmer")
    client.force_login(learner)
    for _ in range(2):
        response = client.post("/join/tj2345/")
        assert response.status_code == 302
        assert response["Location"].endswith("/join/TJ2345/")
    enrollments = Enrollment.objects.filter(learner=learner)
    assert enrollments.count() == 2
    assert {(e.campaign_id, e.cohort_id) for e in enrollments} == {(campaign.pk, cohort.pk)}
    page = client.get(response["Location"]).content.decode()
    assert "春季培训" in page


def test_expired_code_enrolls_no_one(client, tree, campaign):
    from learners.models import Enrollment

    from .factories import UserFactory, make_course

    campaign.courses.set([make_course("手机入门", lessons=1)])
    campaign.starts_on = timezone.localdate() - datetime.timedelta(days=30)
    campaign.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save()
    client.force_login(UserFactory(username="farmer"))
    assert client.post("/join/SPRG26/").status_code == 410
    assert not Enrollment.objects.exists()


def test_a_code_typed_with_o_and_i_opens_the_campaign_whose_code_has_0_and_1(client, tree):
    office = ProgramOfficeFactory(region=tree.a)
    CampaignFactory(office=office, title="团结村", join_code="TJWG01")
    response = client.get("/en/join/", {"code": "tjwg oi"})
    assert response.status_code == 302
    assert response["Location"].endswith("/join/TJWG01/")
