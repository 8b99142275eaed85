"""The demo campaign loads through `bootstrap_demo` and loading it twice changes nothing."""

import pytest
from django.core.management import call_command

from campaigns.models import Campaign, Cohort, ProgramOffice, Region

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Region, ProgramOffice, Campaign, Cohort)]


def test_bootstrap_demo_creates_the_campaign_once(settings):
    settings.DEBUG = True
    call_command("bootstrap_demo")
    first = counts()
    call_command("bootstrap_demo")
    assert counts() == first
    campaign = Campaign.objects.get(join_code="DXSZ26")
    assert campaign.office.members.filter(username="officer").exists()
    cohort = campaign.cohorts.get()
    assert cohort.trainer.username == "trainer"
    assert cohort.village.level == "village"
    assert campaign.region.contains(cohort.village)
    assert ProgramOffice.objects.filter(is_default=True).count() == 1
