"""Offices below a campaign's region follow it, but only inside their own subtree (decision 0090).

A province office runs one campaign across the province. Its prefecture, county and township
offices each see the campaign, and only their own learners, cohorts, figures, exports, rosters and
certificates; only the province office (and offices above it) may change the campaign itself.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.dashboard import campaign_scope, cohort_breakdown, kpis
from campaigns.selectors import campaigns_editable, campaigns_visible, cohorts_visible
from campaigns.services.rollups import rollup_rebuild
from campaigns.services.roster import roster_preview
from core.models import Cohort
from core.roles import PROGRAM_OFFICERS
from learners.accounts.models import LearnerProfile
from learners.certificates.models import Certificate
from learners.certificates.selectors import certificates_visible
from learners.services import enrollment_create

from .factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    add_region,
    make_course,
)

pytestmark = pytest.mark.django_db

# One learner per village: (username, name, phone, village attribute of the world).
LEARNERS = (
    ("l_a1", "张家明", "+8613800000111", "va1"),
    ("l_a2", "李秀英", "+8613800000222", "va2"),
    ("l_a3", "赵立新", "+8613800000333", "va3"),
    ("l_b1", "王翠花", "+8613800000444", "vb1"),
)


@pytest.fixture
def world(tree):
    """Province campaign; offices at prefecture F, county A and township TA; a second town in A."""
    tree.ta2 = add_region("621102200000", "Town A2", tree.a)
    tree.va3 = add_region("621102200201", "Village A3", tree.ta2)
    other_province = add_region("630000000000", "Other province")
    offices = {
        "province": ProgramOfficeFactory(region=tree.p, name="省办"),
        "prefecture": ProgramOfficeFactory(region=tree.f, name="市办"),
        "county": ProgramOfficeFactory(region=tree.a, name="县办"),
        "township": ProgramOfficeFactory(region=tree.ta, name="乡办"),
        "elsewhere": ProgramOfficeFactory(region=other_province, name="外省办"),
    }
    officers = {}
    for level, office in offices.items():
        officers[level] = UserFactory(username=f"officer_{level}", role=PROGRAM_OFFICERS)
        office.members.add(officers[level])
    campaign = CampaignFactory(office=offices["province"], region=tree.p, title="全省数字技能行动")
    course = make_course("手机入门", lessons=1)
    campaign.courses.set([course])
    cohorts = {
        "va1": CohortFactory(campaign=campaign, village=tree.va1, name="甲村班"),
        "va3": CohortFactory(campaign=campaign, village=tree.va3, name="丙村班"),
        "vb1": CohortFactory(campaign=campaign, village=tree.vb1, name="乙县班"),
    }
    for username, name, phone, village in LEARNERS:
        user = UserFactory(username=username)
        region = getattr(tree, village)
        LearnerProfile.objects.create(
            user=user, display_name=name, phone=phone, village_code=region.code
        )
        enrollment = enrollment_create(
            learner=user, course=course, campaign=campaign, cohort=cohorts.get(village)
        )
        Certificate.objects.create(
            enrollment=enrollment,
            learner=user,
            course=course,
            campaign=campaign,
            region=region,
            learner_name=name,
            course_title=course.title,
            issuer_name="省办",
            hours=Decimal("1.0"),
            completed_on=datetime.date(2026, 5, 1),
            recipient_salt="s",
        )
    rollup_rebuild(campaign_id=campaign.pk)
    return tree, campaign, offices, officers, cohorts


# Which learners each office level may see (by username).
SEES = {
    "province": {"l_a1", "l_a2", "l_a3", "l_b1"},
    "prefecture": {"l_a1", "l_a2", "l_a3", "l_b1"},
    "county": {"l_a1", "l_a2", "l_a3"},
    "township": {"l_a1", "l_a2"},
}


@pytest.mark.parametrize("level", ["province", "prefecture", "county", "township"])
def test_every_office_inside_the_campaign_region_follows_it(world, level):
    _tree, campaign, _offices, officers, _cohorts = world
    assert list(campaigns_visible(user=officers[level])) == [campaign]


def test_an_office_of_another_province_does_not_see_the_campaign(world, client):
    _tree, campaign, _offices, officers, _cohorts = world
    assert not campaigns_visible(user=officers["elsewhere"]).exists()
    client.force_login(officers["elsewhere"])
    assert client.get(reverse("campaigns:dashboard", args=[campaign.pk])).status_code == 404


@pytest.mark.parametrize("level", ["prefecture", "county", "township"])
def test_only_the_owning_office_edits_the_campaign(world, client, level):
    _tree, campaign, _offices, officers, _cohorts = world
    assert not campaigns_editable(user=officers[level]).exists()
    client.force_login(officers[level])
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("campaigns:delete", args=[campaign.pk])).status_code == 404
    # The listing links the title to the read-only page instead.
    listing = client.get(reverse("campaigns:index")).content.decode()
    assert reverse("campaigns:inspect", args=[campaign.pk]) in listing
    assert reverse("campaigns:edit", args=[campaign.pk]) not in listing
    client.force_login(officers["province"])
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 200


def test_cohorts_are_those_in_the_office_subtree(world):
    _tree, _campaign, _offices, officers, cohorts = world
    assert set(cohorts_visible(user=officers["county"])) == {cohorts["va1"], cohorts["va3"]}
    assert set(cohorts_visible(user=officers["township"])) == {cohorts["va1"]}
    assert set(cohorts_visible(user=officers["prefecture"])) == set(cohorts.values())


@pytest.mark.parametrize("level", ["prefecture", "county", "township"])
def test_dashboard_figures_count_only_the_office_subtree(world, level):
    _tree, campaign, _offices, officers, _cohorts = world
    scope = campaign_scope(user=officers[level], campaign=campaign)
    figures = kpis(scope)
    assert figures["enrolled"] == len(SEES[level])
    assert figures["certificates"] == len(SEES[level])
    assert figures["target"] is None  # the campaign's target is the province's, not theirs


def test_county_dashboard_page_names_only_its_own_cohorts(world, client):
    tree, campaign, _offices, officers, _cohorts = world
    client.force_login(officers["county"])
    response = client.get(reverse("campaigns:dashboard", args=[campaign.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "甲村班" in page and "丙村班" in page
    assert "乙县班" not in page
    # Drilling outside the county is refused.
    outside = client.get(
        reverse("campaigns:dashboard", args=[campaign.pk]) + f"?region={tree.b.code}"
    )
    assert outside.status_code == 404
    rows = cohort_breakdown(campaign_scope(user=officers["county"], campaign=campaign))
    cohort_rows = {r.label: r.enrolled for r in rows if r.extra}
    assert cohort_rows == {"甲村班": 1, "丙村班": 1}
    assert [r.enrolled for r in rows if not r.extra] == [1]  # 李秀英, in no cohort


@pytest.mark.parametrize("level", ["county", "township"])
def test_learner_export_lists_only_the_office_learners(world, client, level):
    _tree, campaign, _offices, officers, _cohorts = world
    client.force_login(officers[level])
    response = client.get(reverse("campaigns:export", args=[campaign.pk, "learners", "csv"]))
    assert response.status_code == 302
    content = b"".join(client.get(response["Location"]).streaming_content).decode("utf-8-sig")
    for username, name, phone, _village in LEARNERS:
        if username in SEES[level]:
            assert name in content
        else:
            assert name not in content
            assert phone[-4:] not in content


def test_registry_shows_only_certificates_of_the_office_subtree(world, client):
    _tree, _campaign, _offices, officers, _cohorts = world
    names = set(
        certificates_visible(user=officers["township"]).values_list("learner_name", flat=True)
    )
    assert names == {"张家明", "李秀英"}
    client.force_login(officers["township"])
    page = client.get(reverse("certificate_registry:index")).content.decode()
    assert "张家明" in page and "王翠花" not in page and "赵立新" not in page


def test_county_officer_adds_a_cohort_in_its_own_village_only(world, client):
    tree, campaign, _offices, officers, _cohorts = world
    client.force_login(officers["county"])
    data = {
        "campaign": campaign.pk,
        "name": "新班",
        "trainer": "",
        "village": tree.va2.code,
        "schedule": "",
        "join_code": "KQ7MZ3",
    }
    response = client.post(reverse("cohorts:add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Cohort.objects.get(name="新班").village == tree.va2
    response = client.post(
        reverse("cohorts:add"),
        {**data, "name": "越界班", "village": tree.vb1.code, "join_code": "KQ7MZ4"},
    )
    assert response.status_code == 200
    assert not Cohort.objects.filter(name="越界班").exists()


def test_roster_village_outside_the_office_is_a_row_error(world):
    tree, campaign, _offices, officers, _cohorts = world
    content = (
        "name,phone,village code,cohort\n"
        f"陈一,13900000001,{tree.va1.code},\n"
        f"陈二,13900000002,{tree.vb1.code},\n"
        "陈三,13900000003,Town A › Village A2,\n"
        "陈四,13900000004,County B›Town B›Village B1,\n"
        "陈五,13900000005,乙县班村,\n"
    ).encode()
    roster = roster_preview(
        campaign=campaign,
        uploaded_by=officers["county"],
        content=content,
        filename="r.csv",
        within=(tree.a.path,),
    )
    outcome = {row["name"]: row for row in roster.rows}
    assert outcome["陈一"]["outcome"] == "new"
    assert outcome["陈二"]["reasons"] == [
        f"The village “{tree.vb1.code}” is outside your office's region."
    ]
    # A village named by its path is found and stored by its code.
    assert outcome["陈三"]["outcome"] == "new"
    assert outcome["陈三"]["village_code"] == tree.va2.code
    assert outcome["陈四"]["outcome"] == "invalid"
    assert "outside your office" in outcome["陈四"]["reasons"][0]
    assert outcome["陈五"]["reasons"] == ["No village “乙县班村” in this campaign's region."]


def test_a_roster_another_office_uploaded_is_not_shown(world, client):
    tree, campaign, _offices, officers, _cohorts = world
    content = f"name,phone,village code,cohort\n王二,13900000009,{tree.vb1.code},\n".encode()
    roster = roster_preview(
        campaign=campaign, uploaded_by=officers["province"], content=content, filename="r.csv"
    )
    client.force_login(officers["county"])
    url = reverse("campaigns:roster_preview", args=[campaign.pk, roster.pk])
    assert client.get(url).status_code == 404
    client.force_login(officers["province"])
    assert client.get(url).status_code == 200
