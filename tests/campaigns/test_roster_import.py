"""Roster import after confirmation: only valid rows, learners matched by phone, never doubled."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import RosterImport
from campaigns.services.roster import (
    BATCH_ROWS,
    INLINE_LIMIT,
    roster_confirm,
    roster_preview,
    roster_run,
)
from core.roles import PROGRAM_OFFICERS
from learners import services
from learners.accounts.models import LearnerProfile
from learners.models import Enrollment

from .factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    UserFactory,
    make_course,
)
from .test_roster_preview import BAD_ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    office = ProgramOfficeFactory(region=tree.a)
    campaign = CampaignFactory(office=office)
    campaign.courses.set([make_course("手机入门", lessons=1), make_course("网上销售", lessons=1)])
    CohortFactory(campaign=campaign, village=tree.va1, name="一期", join_code="AAAA22")
    return campaign


def import_file(campaign, content, filename="roster.csv", by=None):
    roster = roster_preview(campaign=campaign, uploaded_by=by, content=content, filename=filename)
    return roster_confirm(roster_import_id=roster.pk)


def test_only_rows_shown_as_valid_are_imported(campaign):
    roster = import_file(campaign, csv_bytes(BAD_ROWS))
    assert roster.status == RosterImport.Status.DONE
    assert list(LearnerProfile.objects.values_list("phone", flat=True)) == ["+8613812345678"]
    profile = LearnerProfile.objects.get()
    assert profile.display_name == "张三"
    assert profile.village_code == "621102100201"
    enrollments = Enrollment.objects.filter(learner=profile.user, campaign=campaign)
    assert enrollments.count() == 2
    assert {e.cohort.name for e in enrollments} == {"一期"}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_reimporting_the_same_file_duplicates_no_one(campaign, kind):
    rows = [
        ("张三", "13812345678", "621102100201", "一期"),
        ("李四", "13912345678", "621102100202", ""),
    ]
    content = csv_bytes(rows) if kind == "csv" else xlsx_bytes(rows)
    first = import_file(campaign, content, f"r.{kind}")
    assert (first.registered_count, first.matched_count) == (2, 0)
    again = roster_preview(
        campaign=campaign, uploaded_by=None, content=content, filename=f"r.{kind}"
    )
    assert {r["outcome"] for r in again.rows} == {"existing"}
    second = roster_confirm(roster_import_id=again.pk)
    assert (second.registered_count, second.matched_count) == (0, 2)
    assert LearnerProfile.objects.count() == 2
    assert get_user_model().objects.filter(learner_profile__isnull=False).count() == 2
    assert Enrollment.objects.filter(campaign=campaign).count() == 4


def test_a_learner_registered_elsewhere_is_matched_not_duplicated(campaign):
    existing = UserFactory(username="known")
    LearnerProfile.objects.create(user=existing, display_name="张三", phone="+8613812345678")
    import_file(campaign, csv_bytes([("张三", "138 1234 5678", "621102100201", "")]))
    assert LearnerProfile.objects.count() == 1
    assert Enrollment.objects.filter(learner=existing, campaign=campaign).count() == 2


def test_a_roster_is_imported_only_once(campaign):
    roster = roster_preview(
        campaign=campaign, uploaded_by=None, content=csv_bytes(BAD_ROWS[:1]), filename="r.csv"
    )
    roster_confirm(roster_import_id=roster.pk)
    with pytest.raises(Exception, match="already been imported"):
        roster_confirm(roster_import_id=roster.pk)


def ten_thousand_rows():
    return [(f"学员{n}", f"139{n:08d}", "621102100201", "一期") for n in range(10_000)]


def test_ten_thousand_rows_preview_in_a_constant_number_of_queries(
    campaign, django_assert_max_num_queries
):
    content = csv_bytes(ten_thousand_rows())
    with django_assert_max_num_queries(40):
        roster = roster_preview(
            campaign=campaign, uploaded_by=None, content=content, filename="big.csv"
        )
    assert (roster.valid_count, roster.invalid_count) == (10_000, 0)
    assert not LearnerProfile.objects.exists()


def confirm_and_run(roster, capture):
    """Confirm; the import runs in the Celery task (eager here) once the transaction commits."""
    with capture(execute=True):
        roster_confirm(roster_import_id=roster.pk)
    roster.refresh_from_db()
    return roster


# Bulk writes: a constant number of queries per batch of BATCH_ROWS rows (about 10 on
# PostgreSQL; SQLite splits each bulk insert into statements of at most 999 parameters). Row by
# row would be tens of thousands for 10,000 rows. The budget includes the dashboard refresh the
# import triggers (decision 0095), which also costs a constant number per 1,000 learners.
QUERIES_PER_BATCH = 120


def test_ten_thousand_rows_import_in_one_go_and_again_without_duplicates(
    campaign, django_capture_on_commit_callbacks
):
    content = csv_bytes(ten_thousand_rows())
    roster = roster_preview(campaign=campaign, uploaded_by=None, content=content, filename="a.csv")
    assert roster.valid_count > INLINE_LIMIT  # goes through the Celery task
    with CaptureQueriesContext(connection) as queries:
        roster = confirm_and_run(roster, django_capture_on_commit_callbacks)
    assert roster.status == RosterImport.Status.DONE, roster.error
    assert (roster.registered_count, roster.matched_count) == (10_000, 0)
    assert (roster.processed_count, roster.enrolled_count) == (10_000, 10_000)
    assert len(queries) <= QUERIES_PER_BATCH * (10_000 // BATCH_ROWS + 1)
    assert LearnerProfile.objects.count() == 10_000
    assert Enrollment.objects.filter(campaign=campaign).count() == 20_000
    assert Enrollment.objects.filter(campaign=campaign, cohort__name="一期").count() == 20_000

    again = roster_preview(campaign=campaign, uploaded_by=None, content=content, filename="a.csv")
    assert {r["outcome"] for r in again.rows} == {"existing"}
    again = confirm_and_run(again, django_capture_on_commit_callbacks)
    assert (again.registered_count, again.matched_count) == (0, 10_000)
    assert LearnerProfile.objects.count() == 10_000
    assert get_user_model().objects.filter(learner_profile__isnull=True).count() == 0
    assert Enrollment.objects.filter(campaign=campaign).count() == 20_000


def test_an_interrupted_import_shows_its_progress_and_resumes_after_the_last_batch(
    client, campaign, monkeypatch
):
    rows = [(f"学员{n}", f"137{n:08d}", "621102100201", "") for n in range(2_500)]
    roster = roster_preview(
        campaign=campaign, uploaded_by=None, content=csv_bytes(rows), filename="r.csv"
    )
    RosterImport.objects.filter(pk=roster.pk).update(status=RosterImport.Status.RUNNING)
    real = services.enrollments_create_many
    calls = []

    def worker_dies_in_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(services, "enrollments_create_many", worker_dies_in_the_second_batch)
    with pytest.raises(RuntimeError):
        roster_run(roster_import_id=roster.pk)
    roster.refresh_from_db()
    assert (roster.status, roster.processed_count, roster.registered_count) == (
        RosterImport.Status.RUNNING,
        BATCH_ROWS,
        BATCH_ROWS,
    )
    assert LearnerProfile.objects.count() == BATCH_ROWS  # the failed batch left nothing

    officer = UserFactory(username="officer_a", role=PROGRAM_OFFICERS)
    campaign.office.members.add(officer)
    client.force_login(officer)
    page = client.get(
        reverse("campaigns:roster_preview", args=[campaign.pk, roster.pk])
    ).content.decode()
    assert '<progress id="roster-progress" max="2500" value="1000">' in page

    roster = roster_run(roster_import_id=roster.pk)  # the task's retry
    assert roster.status == RosterImport.Status.DONE
    assert (roster.registered_count, roster.matched_count) == (2_500, 0)
    assert LearnerProfile.objects.count() == 2_500
    assert Enrollment.objects.filter(campaign=campaign).count() == 5_000


def test_officer_previews_and_confirms_in_the_admin(client, campaign, tree):
    officer = UserFactory(username="officer_a", role=PROGRAM_OFFICERS)
    campaign.office.members.add(officer)
    client.force_login(officer)
    upload = client.post(
        reverse("campaigns:roster", args=[campaign.pk]),
        {"file": _named(csv_bytes(BAD_ROWS), "roster.csv")},
    )
    assert upload.status_code == 302
    preview = client.get(upload["Location"])
    page = preview.content.decode()
    assert "138****5678" in page and "13812345678" not in page  # masked on screen
    for line in (3, 4, 5, 6, 7, 8, 9):
        assert f"<td>{line}</td>" in page
    assert not LearnerProfile.objects.exists()
    confirmed = client.post(upload["Location"])
    assert confirmed.status_code == 302
    assert LearnerProfile.objects.count() == 1


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")
