"""Admin screens show an officer only their office's subtree and a trainer only their cohorts."""

import pytest
from django.urls import reverse

from core.models import Campaign, Cohort
from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, TRAINERS

from .factories import CampaignFactory, CohortFactory, ProgramOfficeFactory, UserFactory


@pytest.fixture
def world(tree):
    """Two county offices with a campaign and a cohort each, and one user per role."""
    office_a = ProgramOfficeFactory(region=tree.a, name="Office A")
    office_b = ProgramOfficeFactory(region=tree.b, name="Office B")
    officer_a = UserFactory(username="officer_a", role=PROGRAM_OFFICERS)
    office_a.members.add(officer_a)
    trainer_a = UserFactory(username="trainer_a", role=TRAINERS)
    camp_a = CampaignFactory(office=office_a, title="Campaign A")
    camp_b = CampaignFactory(office=office_b, title="Campaign B")
    cohort_a = CohortFactory(campaign=camp_a, village=tree.va1, trainer=trainer_a, name="Co A")
    cohort_b = CohortFactory(campaign=camp_b, village=tree.vb1, name="Co B")
    admin = UserFactory(username="boss", role=ADMINISTRATORS)
    tree.__dict__.update(locals())
    return tree


def test_officer_lists_only_campaigns_in_their_region(client, world):
    client.force_login(world.officer_a)
    response = client.get(reverse("campaigns:index"))
    assert response.status_code == 200
    assert b"Campaign A" in response.content
    assert b"Campaign B" not in response.content


def test_officer_gets_404_for_a_campaign_outside_their_region(client, world):
    client.force_login(world.officer_a)
    for name in ("edit", "delete", "inspect", "history", "usage"):
        url = reverse(f"campaigns:{name}", args=[world.camp_b.pk])
        assert client.get(url).status_code == 404, name
    assert client.get(reverse("campaigns:edit", args=[world.camp_a.pk])).status_code == 200


def test_officer_cannot_create_a_campaign_in_another_region(client, world):
    client.force_login(world.officer_a)
    response = client.post(
        reverse("campaigns:add"),
        {
            "title": "Sneaky",
            "office": world.office_b.pk,
            "region": world.b.code,
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "target_learners": 10,
            "join_code": "ABCDEF",
        },
    )
    assert response.status_code == 200
    assert not Campaign.objects.filter(title="Sneaky").exists()


def test_officer_creates_a_campaign_by_typing_a_region_code(client, world):
    client.force_login(world.officer_a)
    response = client.post(
        reverse("campaigns:add"),
        {
            "title": "Spring drive",
            "office": world.office_a.pk,
            "region": world.ta.code,
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "target_learners": 10,
            "join_code": "ABCDEF",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Campaign.objects.get(title="Spring drive").region == world.ta


def test_trainer_lists_only_their_cohorts(client, world):
    client.force_login(world.trainer_a)
    response = client.get(reverse("cohorts:index"))
    assert response.status_code == 200
    assert b"Co A" in response.content
    assert b"Co B" not in response.content
    # Wagtail answers a missing permission with a redirect to the admin home and a message.
    denied = client.get(reverse("campaigns:index"))
    assert (denied.status_code, denied["Location"]) == (302, reverse("wagtailadmin_home"))


def test_administrator_sees_everything(client, world):
    client.force_login(world.admin)
    content = client.get(reverse("cohorts:index")).content
    assert b"Co A" in content and b"Co B" in content
    assert Cohort.objects.count() == 2
