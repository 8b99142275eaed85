"""Exports: masked phones unless permitted, no formula cells, every export logged."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import ExportLog
from campaigns.services.exports import INLINE_ROW_LIMIT, neutralise
from campaigns.services.rollups import rollup_rebuild
from core.roles import PROGRAM_OFFICERS
from learners.accounts.models import LearnerProfile
from learners.services import enrollment_create

from .factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    make_course,
)

pytestmark = pytest.mark.django_db
NAME, PHONE = 1, 2  # columns of the learner export


@pytest.fixture
def setup(tree):
    office = ProgramOfficeFactory(region=tree.a)
    campaign = CampaignFactory(office=office, region=tree.a, title="=HYPERLINK(1)")
    course = make_course("手机入门", lessons=1)
    campaign.courses.set([course])
    cohort = CohortFactory(campaign=campaign, village=tree.va1, name="@cohort")
    names = ["=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@me", "\tTab", "\rCR", "王芳"]
    for n, name in enumerate(names):
        user = UserFactory(username=f"l{n}")
        LearnerProfile.objects.create(
            user=user,
            display_name=name,
            phone=f"+861381234{n:04d}",
            village_code=tree.va1.code if n % 2 else tree.va2.code,
        )
        enrollment_create(learner=user, course=course, campaign=campaign, cohort=cohort)
    rollup_rebuild(campaign_id=campaign.pk)
    officer = UserFactory(username="officer_a", role=PROGRAM_OFFICERS)
    office.members.add(officer)
    return campaign, officer


def download(client, url):
    response = client.get(url)
    assert response.status_code == 302, response.content[:500]
    assert "download" in response["Location"]
    file_response = client.get(response["Location"])
    assert file_response.status_code == 200
    return b"".join(file_response.streaming_content)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\t1", "\r1"])
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value
    assert neutralise("1-2") == "1-2"
    assert neutralise(-3) == -3


def test_learner_csv_masks_phones_and_neutralises_formulas(client, setup):
    campaign, officer = setup
    client.force_login(officer)
    content = download(client, reverse("campaigns:export", args=[campaign.pk, "learners", "csv"]))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert len(data) == 7
    assert header[NAME : PHONE + 1] == ["姓名", "手机号"]  # the admin's language (zh-Hans)
    phones = [r[PHONE] for r in data]
    assert all(p.startswith("138****") and len(p) == 11 for p in phones)
    for row in data:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'=cmd|' /C calc'!A0" in [r[NAME] for r in data]
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.file_format, log.row_count) == (
        officer,
        "learners",
        "csv",
        7,
    )
    assert log.full_phone_numbers is False


def test_officer_with_contact_permission_gets_full_phones(client, setup):
    campaign, officer = setup
    officer.user_permissions.add(Permission.objects.get(codename="view_contact_details"))
    client.force_login(officer)
    content = download(client, reverse("campaigns:export", args=[campaign.pk, "learners", "xlsx"]))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert {row[PHONE] for row in values[1:]} == {f"1381234{n:04d}" for n in range(7)}
    assert ExportLog.objects.get().full_phone_numbers is True


def test_aggregate_xlsx_matches_the_dashboard(client, setup, tree):
    campaign, officer = setup
    client.force_login(officer)
    url = reverse("campaigns:export", args=[campaign.pk, "aggregates", "xlsx"])
    content = download(client, url + f"?region={tree.ta.code}")
    workbook = load_workbook(io.BytesIO(content))
    summary = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert summary[1][0] == 7
    regions = {r[1]: r[2] for r in list(workbook.worksheets[1].iter_rows(values_only=True))[1:]}
    assert regions == {tree.va1.code: 3, tree.va2.code: 4}
    cohorts = list(workbook.worksheets[3].iter_rows(values_only=True))
    assert cohorts[1][0] == "'@cohort"
    assert ExportLog.objects.get().region_code == tree.ta.code


def test_large_learner_exports_are_built_by_celery(
    client, setup, monkeypatch, django_capture_on_commit_callbacks
):
    campaign, officer = setup
    monkeypatch.setattr("campaigns.services.exports.INLINE_ROW_LIMIT", 3)
    assert INLINE_ROW_LIMIT > 3
    client.force_login(officer)
    # The build is queued through the outbox, i.e. when the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("campaigns:export", args=[campaign.pk, "learners", "csv"]))
    assert response["Location"] == reverse("campaigns:exports")
    log = ExportLog.objects.get()
    assert (log.status, log.row_count) == ("ready", 7)  # eager Celery in tests
    listing = client.get(reverse("campaigns:exports")).content.decode()
    assert reverse("campaigns:export_download", args=[log.pk]) in listing


def _export_queries(setup_campaign, officer, region=None) -> tuple[int, int]:
    """(queries, rows) of building a learner export of the campaign."""
    from campaigns.dashboard import campaign_scope
    from campaigns.services.exports import export_build

    scope = campaign_scope(user=officer, campaign=setup_campaign)
    region = region or scope.root
    log = ExportLog.objects.create(
        user=officer,
        campaign=setup_campaign,
        kind="learners",
        file_format="xlsx",
        region_code=region.code,
        status="pending",
    )
    with CaptureQueriesContext(connection) as queries:
        log = export_build(export_id=log.pk, scope=scope, region=region)
    return len(queries), log.row_count


def test_learner_export_queries_do_not_grow_with_the_rows(setup, tree):
    campaign, officer = setup
    few_queries, few_rows = _export_queries(campaign, officer)
    course = campaign.courses.specific().get()
    cohort = campaign.cohorts.get()
    for n in range(40):
        user = UserFactory(username=f"more{n}")
        LearnerProfile.objects.create(
            user=user, display_name=f"学员{n}", phone=f"+861390000{n:04d}", village_code=""
        )
        enrollment_create(learner=user, course=course, campaign=campaign, cohort=cohort)
    many_queries, many_rows = _export_queries(campaign, officer)
    assert (few_rows, many_rows) == (7, 47)
    assert many_queries == few_queries


def test_learner_export_of_a_village_lists_only_its_learners(setup, tree):
    campaign, officer = setup
    _queries, rows = _export_queries(campaign, officer, region=tree.va1)
    assert rows == 3  # learners 1, 3 and 5 live in village A1
    log = ExportLog.objects.latest("pk")
    sheet = load_workbook(log.file.open("rb")).worksheets[0]
    villages = {row[3] for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert villages == {tree.va1.code}
