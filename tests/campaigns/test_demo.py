"""The demo campaign loads through `bootstrap_demo` and loading it twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Collection

from core.models import Campaign, Cohort, ProgramOffice, Region
from learners.models import Enrollment, ProgressEvent

pytestmark = pytest.mark.django_db


def counts():
    models = (Region, ProgramOffice, Campaign, Cohort, Enrollment, ProgressEvent)
    return [m.objects.count() for m in models]


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
    # Each office has its own collection under 各办公室 and the officer its group (decision 0120).
    for office in ProgramOffice.objects.all():
        assert office.collection.get_parent().name == "各办公室"
        assert office.media_group.permissions.count() == 0
        permissions = office.media_group.collection_permissions
        assert permissions.filter(collection=office.collection).exists()
    officer = get_user_model().objects.get(username="officer")
    assert officer.groups.filter(pk=campaign.office.media_group_id).exists()
    assert Collection.objects.filter(name="课程素材", depth=2).exists()
    # The officer's dashboard has figures: weeks of learning, 7 courses finished (see demo.py).
    enrollments = Enrollment.objects.filter(campaign=campaign)
    assert enrollments.values("learner").distinct().count() == 7
    assert enrollments.filter(completed_at__isnull=False).count() == 3 + 2 + 1 + 1
    assert ProgressEvent.objects.filter(kind="quiz").count() > 20


def test_demo_officer_may_create_campaigns_even_after_the_roles_were_lost(settings):
    # A flushed database (every transactional test leaves one) has no roles; the shell rebuilds
    # them with its own permissions and the campaigns room must add back its own.
    Group.objects.all().delete()
    settings.DEBUG = True
    call_command("bootstrap_demo")
    officer = get_user_model().objects.get(username="officer")
    for perm in ("add_campaign", "import_roster", "view_dashboard", "export_figures"):
        assert officer.has_perm(f"core.{perm}"), perm
    assert not officer.has_perm("core.view_contact_details")
