"""Deleting an account must also clear the learner from the campaigns room's generated data.

Roster imports keep every uploaded row (name, phone) as JSON, and finished exports keep their
CSV/XLSX files with names: campaigns.privacy blanks the learner's roster rows and deletes the
learner-list export files that may name them (the export log itself stays).
"""

import pytest
from django.urls import reverse

from campaigns.models import ExportLog, RosterImport
from campaigns.services.roster import roster_confirm, roster_preview
from learners.accounts.models import LearnerProfile
from learners.accounts.services import account_erase
from tests.campaigns.conftest import tree  # noqa: F401  (fixture)
from tests.campaigns.factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    make_course,
)
from tests.campaigns.test_roster_preview import csv_bytes

pytestmark = pytest.mark.django_db

NAME, PHONE = "欧阳娜娜", "13812345678"


@pytest.fixture
def imported(tree):  # noqa: F811
    office = ProgramOfficeFactory(region=tree.a)
    campaign = CampaignFactory(office=office, region=tree.a)
    campaign.courses.set([make_course("手机入门", lessons=1)])
    CohortFactory(campaign=campaign, village=tree.va1, name="一期")
    content = csv_bytes([(NAME, PHONE, tree.va1.code, "一期")])
    roster = roster_preview(campaign=campaign, uploaded_by=None, content=content, filename="r.csv")
    roster_confirm(roster_import_id=roster.pk)
    learner = LearnerProfile.objects.get(display_name=NAME).user
    return campaign, office, learner


def test_roster_rows_forget_a_deleted_learner(imported, django_capture_on_commit_callbacks):
    learner = imported[2]
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=learner)
    stored = repr(list(RosterImport.objects.values_list("rows", flat=True)))
    assert NAME not in stored and PHONE not in stored


def test_export_files_forget_a_deleted_learner(
    client, imported, django_capture_on_commit_callbacks
):
    campaign, office, learner = imported
    officer = UserFactory(username="officer-export", role="Program officers")
    office.members.add(officer)
    client.force_login(officer)
    client.get(reverse("campaigns:export", args=[campaign.pk, "learners", "csv"]))
    export = ExportLog.objects.get()
    assert NAME in export.file.open("rb").read().decode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=learner)
    export.refresh_from_db()
    assert not export.file or NAME not in export.file.open("rb").read().decode("utf-8-sig")
    # The log entry stays (who exported what, when); the file is no longer offered.
    assert export.row_count == 1
    download = reverse("campaigns:export_download", args=[export.pk])
    assert client.get(download).status_code == 404
