"""A province office's campaign, followed by the offices below it (issue 14, decision 0090).

A prefecture, a county and a township officer each sign in through the real page, and each sees only
their own part: the dashboard's figures, the learner export file and the certificate registry. Each
adds a cohort in their area with the region picker (typing a name, never a code), then revokes and
prints a certificate with the registry's buttons.
"""

import datetime

import pytest
from django.utils import timezone

from core.demo import DEMO_PASSWORD
from core.models import Campaign, Cohort, ProgramOffice, Region
from core.roles import PROGRAM_OFFICERS
from learners.accounts.models import LearnerProfile
from learners.certificates import services as certificates
from learners.certificates.models import Certificate
from learners.models import Enrollment
from learners.services import enrollment_create
from tests.campaigns.factories import UserFactory
from tests.demo_snapshot import load_demo

from .test_campaign_dashboard import TABLET, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo's learners by village: 团结村 and 红星村 (凤翔镇), 锦花村 (内官营镇) are in 安定区;
# 温泉村 and 李家店村 in 通渭县; all of them in 定西市 and 甘肃省.
LEVELS = {
    # level: (username, office region code, learners they see, a village of theirs, its path)
    "prefecture": (
        "officer_pref",
        "621100000000",
        {"张桂兰", "刘建军", "马秀珍", "杨志强", "何玉梅", "王福田", "赵春花"},
        "李家店村",
    ),
    "county": (
        "officer_county",
        "621102000000",
        {"张桂兰", "刘建军", "马秀珍", "杨志强", "何玉梅"},
        "锦花村",
    ),
    "township": (
        "officer_town",
        "621102100000",
        {"张桂兰", "刘建军", "马秀珍", "杨志强"},
        "红星村",
    ),
}
EVERYONE = LEVELS["prefecture"][2]


@pytest.fixture
def province_campaign(transactional_db):
    """The demo, plus a province office's campaign: every demo learner, a certificate each."""
    load_demo()
    province = Region.objects.get(code="620000000000")
    office = ProgramOffice.objects.create(
        name="甘肃省农业农村厅", region=province, signatory_name="省厅"
    )
    demo = Campaign.objects.get()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        office=office,
        title="全省数字技能行动",
        region=province,
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=200),
        target_learners=1000,
    )
    course = demo.courses.specific().order_by("pk").first()
    campaign.courses.set([course])
    for profile in LearnerProfile.objects.filter(display_name__in=EVERYONE):
        enrollment = enrollment_create(learner=profile.user, course=course, campaign=campaign)
        Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=timezone.now())
        certificate = certificates.certificate_issue(enrollment_id=enrollment.pk)
        certificates.certificate_render(certificate_id=certificate.pk)
    from campaigns.services.rollups import rollup_rebuild

    rollup_rebuild(campaign_id=campaign.pk)
    for username, code, _sees, _village in LEVELS.values():
        officer = UserFactory(username=username, role=PROGRAM_OFFICERS)
        officer.set_password(DEMO_PASSWORD)
        officer.save(update_fields=["password"])
        local = ProgramOffice.objects.create(
            name=f"{username}办", region=Region.objects.get(code=code), signatory_name="x"
        )
        local.members.add(officer)
    return campaign


@pytest.fixture
def desk(chromium, live_server):
    context = chromium.new_context(viewport=TABLET, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("level", ["prefecture", "county", "township"])
def test_an_office_below_the_province_sees_and_acts_on_its_own_part(
    desk, live_server, province_campaign, level
):
    campaign = province_campaign
    username, _code, sees, village = LEVELS[level]
    hidden = EVERYONE - sees
    base = live_server.url
    sign_in(desk, base, username)

    # The campaign is listed; its title opens the read-only page (only the province edits it).
    desk.goto(f"{base}/admin/campaigns/")
    link = desk.locator("main a", has_text=campaign.title).first
    assert f"/admin/campaigns/inspect/{campaign.pk}/" in link.get_attribute("href")

    # Figures: their own learners only.
    desk.goto(f"{base}/admin/campaigns/dashboard/{campaign.pk}/")
    assert desk.locator("[data-kpi=enrolled]").inner_text() == str(len(sees))
    page_text = desk.locator("main").inner_text()
    assert not [name for name in hidden if name in page_text]

    # The learner export file: their own learners only.
    with desk.expect_download() as download_info:
        desk.locator("#exports a", has_text="CSV").last.click()
    exported = open(download_info.value.path(), encoding="utf-8-sig").read()
    assert all(name in exported for name in sees)
    assert not [name for name in hidden if name in exported]

    # The registry: their own certificates only.
    desk.goto(f"{base}/admin/certificate_registry/")
    registry = desk.locator("main").inner_text()
    assert all(name in registry for name in sees)
    assert not [name for name in hidden if name in registry]

    # A new cohort in one of their villages, picked by name from the suggestions.
    desk.goto(f"{base}/admin/cohorts/new/")
    desk.select_option("#id_campaign", label=campaign.title)
    desk.fill("#id_name", f"{village}新班")
    desk.locator("#id_village").press_sequentially(village[:2], delay=50)
    option = desk.locator("#id_village-options option").first
    option.wait_for(state="attached")
    path = option.get_attribute("value")
    assert path.startswith("甘肃省 › 定西市 › ") and path.endswith(village)
    desk.fill("#id_village", path)
    desk.locator("main form[method=post] button[type=submit]").first.dispatch_event("click")
    desk.wait_for_url(f"{base}/admin/cohorts/")
    cohort = Cohort.objects.get(name=f"{village}新班")
    assert cohort.village.name == village and cohort.campaign == campaign

    # Revoke one of their certificates through the row's button and the confirmation page.
    target = Certificate.objects.filter(campaign=campaign, learner_name__in=sees).order_by("pk")[0]
    desk.goto(f"{base}/admin/certificate_registry/")
    row = desk.locator("main table tbody tr", has_text=target.code)
    row.locator("a", has_text="撤销").first.dispatch_event("click")
    desk.wait_for_url(f"**/certificate_registry/{target.pk}/revoke/")
    desk.fill("#id_reason", "信息登记有误")
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_url(f"{base}/admin/certificate_registry/")
    target.refresh_from_db()
    assert target.status == "revoked" and target.revoke_reason == "信息登记有误"

    # Print another one: the row's print button opens its PDF.
    other = (
        Certificate.objects.filter(campaign=campaign, learner_name__in=sees, status="issued")
        .order_by("pk")
        .first()
    )
    row = desk.locator("main table tbody tr", has_text=other.code)
    href = row.locator("a", has_text="打印").first.get_attribute("href")
    pdf = desk.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
