"""The monthly report of an office: figures by township equal a count from the raw rows, only
inside the office's subtree; XLSX cells cannot start a formula; the PDF is Chinese and logged."""

import datetime
import io
import uuid

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.models import Attendance, ExportLog
from campaigns.sessions.report import monthly_report
from campaigns.sessions.services import attendance_tick

from .sessions_fixtures import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended(world):
    for session, people, trainer in (
        (world.session_a, world.learners_a, world.trainer_a),
        (world.session_b, world.learners_b[:1], world.trainer_b),
    ):
        for person in people:
            attendance_tick(
                recorder=trainer, session=session, learner=person, attendance_id=uuid.uuid4()
            )
    return world


def _this_month():
    return timezone.localdate().replace(day=1)


def test_report_by_township_equals_the_raw_rows(attended):
    report = monthly_report(
        user=attended.officer_f, office=attended.prefecture_office, month=_this_month()
    )
    by_path = {row.path: row for row in report.rows}
    for township in (attended.tree.ta, attended.tree.tb):
        rows = Attendance.objects.filter(session__village__path__startswith=township.path)
        assert by_path[township.path].person_times == rows.count()
        assert by_path[township.path].attendees == rows.values("learner").distinct().count()
        assert by_path[township.path].sessions == 1
    assert report.total.person_times == Attendance.objects.count() == 4


def test_report_of_a_county_office_shows_only_its_county(attended):
    report = monthly_report(user=attended.officer_b, office=attended.office_b, month=_this_month())
    assert [row.label for row in report.rows] == [attended.tree.tb.name]
    assert report.total.person_times == 1


def test_a_month_without_sessions_is_empty(attended):
    last_year = _this_month() - datetime.timedelta(days=400)
    report = monthly_report(
        user=attended.officer_f, office=attended.prefecture_office, month=last_year.replace(day=1)
    )
    assert report.rows == [] and report.total.person_times == 0


def test_downloads_are_logged_and_formula_safe(client, attended):
    attended.prefecture_office.name = "=HYPERLINK(1)"
    attended.prefecture_office.save()
    client.force_login(attended.officer_f)
    url = f"/admin/training-sessions/report/{attended.prefecture_office.pk}/download."
    xlsx = client.get(url + "xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[0][0]).startswith("'=")
    assert rows[-1][2] == 4
    pdf = client.get(url + "pdf")
    assert pdf.content.startswith(b"%PDF-") and len(pdf.content) < 150 * 1024
    logs = ExportLog.objects.filter(user=attended.officer_f, office=attended.prefecture_office)
    assert sorted(logs.values_list("file_format", flat=True)) == ["pdf", "xlsx"]
    assert all(log.file for log in logs)


def test_an_officer_cannot_download_another_offices_report(client, attended):
    client.force_login(attended.officer_b)
    url = f"/admin/training-sessions/report/{attended.prefecture_office.pk}/download.xlsx"
    assert client.get(url).status_code == 404
    assert not ExportLog.objects.exists()
