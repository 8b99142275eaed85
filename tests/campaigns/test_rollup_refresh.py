"""Rollups follow the raw data: `rebuild_rollups`, and the beat task that refreshes changed ones."""

import pytest
from django.core.management import call_command

from campaigns.dashboard import campaign_scope, kpis
from campaigns.models import RegionRollup, RollupState
from campaigns.services.rollups import campaigns_needing_rollup, rollup_rebuild
from campaigns.tasks import rollups_refresh
from learners.accounts.models import LearnerProfile
from learners.services import enrollment_create

from .factories import CampaignFactory, ProgramOfficeFactory, UserFactory, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    campaign = CampaignFactory(office=ProgramOfficeFactory(region=tree.a), region=tree.a)
    campaign.courses.set([make_course("手机入门", lessons=1)])
    return campaign


def enroll(campaign, username, village):
    user = UserFactory(username=username)
    LearnerProfile.objects.create(user=user, display_name=username, village_code=village.code)
    for course in campaign.courses.specific():
        enrollment_create(learner=user, course=course, campaign=campaign)
    return user


def test_rebuild_rollups_command_makes_figures_equal_the_raw_data(tree, campaign):
    enroll(campaign, "a", tree.va1)
    enroll(campaign, "b", tree.va2)
    call_command("rebuild_rollups")
    admin = UserFactory(username="root", is_superuser=True)
    assert kpis(campaign_scope(user=admin, campaign=campaign))["enrolled"] == 2
    enroll(campaign, "c", tree.va2)
    assert kpis(campaign_scope(user=admin, campaign=campaign))["enrolled"] == 2
    call_command("rebuild_rollups", str(campaign.pk))
    assert kpis(campaign_scope(user=admin, campaign=campaign))["enrolled"] == 3


def test_rebuilding_twice_gives_the_same_rows(tree, campaign):
    enroll(campaign, "a", tree.va1)
    rollup_rebuild(campaign_id=campaign.pk)
    first = list(RegionRollup.objects.values("region_id", "enrolled", "completed"))
    rollup_rebuild(campaign_id=campaign.pk)
    assert list(RegionRollup.objects.values("region_id", "enrolled", "completed")) == first


def test_beat_task_builds_new_campaigns_then_applies_only_changed_learners(tree, campaign):
    # Learners studying on their own first, so enrollment ids run ahead of campaign ids.
    course = campaign.courses.specific().get()
    for n in range(5):
        enrollment_create(learner=UserFactory(username=f"solo{n}"), course=course)
    quiet = CampaignFactory(office=campaign.office, region=tree.a)
    enroll(campaign, "a", tree.va1)
    assert set(campaigns_needing_rollup()) == {campaign.pk, quiet.pk}  # never built
    assert rollups_refresh.apply().get()["rebuilds"] == 2
    assert RollupState.objects.count() == 2
    assert campaigns_needing_rollup() == []
    # Built: the refresh now applies just the changed learner, and rebuilds nothing.
    enroll(campaign, "b", tree.va1)
    assert rollups_refresh.apply().get() == {"rebuilds": 0, "learners": 1, "campaigns": 1}
    admin = UserFactory(username="root", is_superuser=True)
    assert kpis(campaign_scope(user=admin, campaign=campaign))["enrolled"] == 2
    assert rollups_refresh.apply().get() == {"rebuilds": 0, "learners": 0, "campaigns": 0}


def test_the_refresh_runs_at_least_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["campaigns-rollups-refresh"]
    assert entry["task"] == rollups_refresh.name
    assert entry["schedule"] <= 60
