"""An officer at 1024×768: create a campaign, import a roster, read and export the dashboard."""

import io

import pytest
from openpyxl import load_workbook

from core.demo import DEMO_PASSWORD
from core.models import Campaign
from tests.demo_snapshot import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}
ROSTER = (
    "name,phone,village code,cohort\n"
    "王大山,13800001111,621102100201,\n"
    "李小红,13800002222,621102100201,\n"
    "张老三,13800003333,621102100202,\n"
    "陈春燕,13800004444,621121100201,\n"
    "错号码,12345,621102100201,\n"
)


@pytest.fixture
def demo_site(transactional_db):
    load_demo()


@pytest.fixture
def desk(request, chromium, live_server, tmp_path):
    context = chromium.new_context(viewport=TABLET, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:  # the call phase is reported before teardown
        # What the officer saw when it broke (the path is printed in the test report).
        shot = tmp_path / "failure.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failure: {shot} at {page.url}")
    context.close()


def sign_in(page, base, username):
    page.goto(f"{base}/en/accounts/login/?next=/admin/")
    page.locator("details.staff-login summary").click()
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("details.staff-login button[type=submit]").click()
    page.wait_for_url(f"{base}/admin/")


def table_rows(page, selector):
    return page.eval_on_selector_all(
        f"{selector} tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))",
    )


def test_officer_creates_campaign_imports_roster_and_exports_what_the_dashboard_shows(
    desk, live_server, demo_site, tmp_path
):
    base = live_server.url
    sign_in(desk, base, "officer")

    desk.goto(f"{base}/admin/campaigns/new/")
    desk.fill("#id_title", "春耕手机课")
    desk.select_option("#id_office", label="定西市农业农村局")
    desk.fill("#id_region", "621100000000")
    first_course = desk.locator("input[name=courses]").first
    if first_course.count():
        first_course.check()
    desk.fill("#id_starts_on", "2026-01-01")
    desk.fill("#id_ends_on", "2030-12-31")
    desk.fill("#id_target_learners", "8")
    desk.keyboard.press("Escape")  # close the date picker that covers the save button
    desk.locator("main form[method=post] button[type=submit]").first.dispatch_event("click")
    desk.wait_for_url(f"{base}/admin/campaigns/")
    campaign = Campaign.objects.get(title="春耕手机课")

    desk.goto(f"{base}/admin/campaigns/roster/{campaign.pk}/")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    desk.set_input_files("input[type=file]", str(roster))
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_selector("#invalid-rows")
    invalid = table_rows(desk, "#invalid-rows")
    assert [row[0] for row in invalid] == ["6"]
    assert len(table_rows(desk, "#valid-rows")) == 4
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_selector("#roster-status")
    assert campaign.enrollments.values("learner").distinct().count() == 4

    desk.goto(f"{base}/admin/campaigns/dashboard/{campaign.pk}/")
    assert desk.locator("[data-kpi=enrolled]").inner_text() == "4"
    assert desk.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    assert desk.locator("svg.campaign-chart").count() == 1
    desk.locator("#region-table a", has_text="安定区").click()
    desk.locator("#region-table a", has_text="凤翔镇").click()
    desk.wait_for_url("**region=621102100000")
    on_screen = {row[0]: row[1] for row in table_rows(desk, "#region-table")}
    assert on_screen == {"团结村": "2", "红星村": "1"}

    with desk.expect_download() as download_info:
        desk.locator("#exports a", has_text="XLSX").first.click()
    workbook = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))
    summary = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert summary[1][0] == int(desk.locator("[data-kpi=enrolled]").inner_text())
    regions = list(workbook.worksheets[1].iter_rows(values_only=True))[1:]
    assert {row[0]: str(row[2]) for row in regions} == on_screen
