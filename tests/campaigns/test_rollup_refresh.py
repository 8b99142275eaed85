"""Rollups follow the raw data: `rebuild_rollups`, and the beat task that refreshes changed ones."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

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
    for course in campaign.courses.all():
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


def test_beat_task_refreshes_only_campaigns_whose_data_changed(tree, campaign):
    # Learners studying on their own first, so enrollment ids run ahead of campaign ids: the
    # check once matched a campaign's last build by the enrollment's id and passed only when
    # the two happened to coincide.
    course = campaign.courses.get()
    for n in range(5):
        enrollment_create(learner=UserFactory(username=f"solo{n}"), course=course)
    quiet = CampaignFactory(office=campaign.office, region=tree.a)
    enroll(campaign, "a", tree.va1)
    assert set(campaigns_needing_rollup()) == {campaign.pk, quiet.pk}  # never built
    assert rollups_refresh.apply().get() == 2
    assert RollupState.objects.count() == 2
    assert campaigns_needing_rollup() == []
    enroll(campaign, "b", tree.va1)
    assert campaigns_needing_rollup() == [campaign.pk]
    rollups_refresh.apply()
    admin = UserFactory(username="root", is_superuser=True)
    assert kpis(campaign_scope(user=admin, campaign=campaign))["enrolled"] == 2
    later = timezone.now() + datetime.timedelta(hours=2)
    assert set(campaigns_needing_rollup(now=later)) == {campaign.pk, quiet.pk}
