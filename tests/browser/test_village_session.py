"""Issue 20 acceptance: a trainer schedules a village session on their phone; three learners
check in on their own phones (two scan the QR code, one types the code, once more by mistake);
the trainer ticks a fourth who has no phone; a check-in through an old QR photo of a finished
session is refused with a clear message; the officer's attendance figures and the monthly report
(screen, XLSX, PDF) show 4 person-times."""

import datetime
import io
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.models import ExportLog, TrainingSession
from campaigns.services import campaign_join
from campaigns.sessions import codes
from core.demo import DEMO_PASSWORD
from core.models import Cohort
from tests.campaigns.factories import UserFactory
from tests.conftest import PHONE
from tests.demo_snapshot import load_demo

from .serial import serial_live_server  # noqa: F401 (fixture)
from .staff import sign_in_with_password as _sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]

LEARNER_PASSWORD = "village-pass-2026"


@pytest.fixture
def village(transactional_db):
    """The demo site, and three learners with phones plus one without, all in the demo cohort
    (they joined with the cohort's code earlier, through the join service)."""
    load_demo()
    from learners.accounts.services import learner_register

    cohort = Cohort.objects.get(join_code="TJCN26")
    people = []
    for n, name in enumerate(["王秀兰", "李春生", "张桂芳"]):
        user = UserFactory(username=f"villager{n}", password=LEARNER_PASSWORD)
        from learners.accounts.models import LearnerProfile

        LearnerProfile.objects.update_or_create(
            user=user,
            defaults={
                "display_name": name,
                "phone": f"+8613700000{n:03d}",
                "phone_verified": True,
            },
        )
        from learners.accounts.services import consent_record

        consent_record(user=user, language="zh-hans")
        campaign_join(learner=user, code=cohort.join_code)
        people.append(user)
    no_phone = learner_register(
        name="赵老汉", phone="+8613700000999", registered_by=cohort.trainer, village_code=""
    )
    campaign_join(learner=no_phone, code=cohort.join_code)
    return {"cohort": cohort, "people": people}


def _context(chromium, size=PHONE):
    return chromium.new_context(
        viewport=size, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )


def _decode_qr(page, tmp_path) -> str:
    shot = tmp_path / "qr.png"
    page.locator(".checkin-qr svg").screenshot(path=str(shot))
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def _tap_targets_ok(page) -> bool:
    sizes = page.eval_on_selector_all(
        "main button, main input:not([type=hidden]), main a.button",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })",
    )
    return bool(sizes) and all(h >= 44 for _, h in sizes)


def test_village_session_from_schedule_to_monthly_report(chromium, live_server, village, tmp_path):
    base = live_server.url
    now = timezone.localtime()

    # --- the trainer schedules tonight's session on their phone --------------------------
    trainer_ctx = _context(chromium)
    trainer = trainer_ctx.new_page()
    _sign_in(trainer, base, "trainer", DEMO_PASSWORD, "/admin/")
    trainer.goto(f"{base}/admin/training-sessions/new/")
    trainer.select_option("#id_cohort", index=1)
    start = now - datetime.timedelta(minutes=5)
    trainer.fill("#id_day", f"{start:%Y-%m-%d}")
    trainer.fill("#id_time", f"{start:%H:%M}")
    trainer.fill("#id_planned_minutes", "90")
    trainer.fill("#id_place", "村委会活动室")
    trainer.locator("main form button[type=submit]").click()
    trainer.wait_for_url(f"{base}/admin/training-sessions/*/")
    session = TrainingSession.objects.get(place="村委会活动室")
    assert session.cohort == village["cohort"]
    # An earlier session today that has already ended (entered afterwards to tick names).
    trainer.goto(f"{base}/admin/training-sessions/new/")
    trainer.select_option("#id_cohort", index=1)
    earlier = now - datetime.timedelta(hours=3)
    trainer.fill("#id_day", f"{earlier:%Y-%m-%d}")
    trainer.fill("#id_time", f"{earlier:%H:%M}")
    trainer.fill("#id_planned_minutes", "60")
    trainer.fill("#id_place", "文化广场")
    trainer.locator("main form button[type=submit]").click()
    trainer.wait_for_url(f"{base}/admin/training-sessions/*/")
    finished = TrainingSession.objects.get(place="文化广场")

    trainer.goto(f"{base}/admin/training-sessions/{session.pk}/")
    trainer.locator("#show-code").click()
    trainer.wait_for_selector("#checkin-code")
    qr_url = _decode_qr(trainer, tmp_path)
    assert qr_url.startswith(f"{base}/checkin/{session.public_id}/?code=")

    people = village["people"]
    phones = []
    # --- two learners scan the QR code ------------------------------------------------------
    for person in people[:2]:
        ctx = _context(chromium)
        phones.append(ctx)
        page = ctx.new_page()
        trainer.reload()
        url = _decode_qr(trainer, tmp_path)  # a fresh scan: the code may have turned
        path = url.removeprefix(base)
        _sign_in(page, base, person.username, LEARNER_PASSWORD, path)
        if "/checkin/" not in page.url:
            page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert _tap_targets_ok(page)
        page.locator("main form button[type=submit]").click()
        page.wait_for_selector(".checkin-done")
        assert "签到成功" in page.locator(".checkin-done").inner_text()

    # --- the third types the code, then taps once more -------------------------------------
    ctx = _context(chromium)
    phones.append(ctx)
    typist = ctx.new_page()
    _sign_in(typist, base, people[2].username, LEARNER_PASSWORD, "/checkin/")
    typist.goto(f"{base}/checkin/")
    assert _tap_targets_ok(typist)
    for expected in ("签到成功", "已经签过到"):
        trainer.reload()
        code = trainer.locator("#checkin-code").inner_text().strip()
        typist.goto(f"{base}/checkin/")
        typist.fill("#checkin-code", code)
        typist.locator("main form button[type=submit]").click()
        typist.wait_for_selector(".checkin-done")
        assert expected in typist.locator(".checkin-done").inner_text()

    # --- an old QR photo of the finished session is refused ---------------------------------
    stale = typist
    old_code = codes.current_code(secret=finished.secret, at=timezone.now())
    stale.goto(f"{base}/checkin/{finished.public_id}/?code={old_code}")
    stale.locator("main form button[type=submit]").click()
    stale.wait_for_selector(".card .callout[role=alert]")
    assert "签到已关闭" in stale.locator(".card .callout[role=alert]").inner_text()

    # --- the trainer ticks the man without a phone ------------------------------------------
    trainer.goto(f"{base}/admin/training-sessions/{session.pk}/")
    row = trainer.locator("#roster tr", has_text="赵老汉")
    with trainer.expect_navigation():
        row.locator("button[type=submit]").click()
    trainer.wait_for_load_state()
    assert "已计 4 人次" in trainer.locator("#person-times").inner_text()
    for ctx in phones:
        ctx.close()
    trainer_ctx.close()

    # --- the officer's figures and monthly report --------------------------------------------
    desk_ctx = chromium.new_context(
        viewport={"width": 1024, "height": 768}, locale="zh-CN", accept_downloads=True
    )
    desk = desk_ctx.new_page()
    _sign_in(desk, base, "officer", DEMO_PASSWORD, "/admin/")
    campaign = session.cohort.campaign
    desk.goto(base + reverse("campaigns:dashboard", args=[campaign.pk]))
    desk.locator("#attendance-link a").click()
    desk.wait_for_selector("[data-attendance=person_times]")
    assert desk.locator("[data-attendance=person_times]").inner_text().strip() == "4"
    assert desk.locator("[data-attendance=attendees]").inner_text().strip() == "4"

    desk.goto(f"{base}/admin/training-sessions/")
    desk.locator("#monthly-reports a", has_text="定西市农业农村局").click()
    desk.wait_for_selector("#report-total")
    total = desk.locator("#report-total th").all_inner_texts()
    assert total[2] == "4"  # person-times
    with desk.expect_download() as download:
        desk.locator("#report-xlsx").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "合计" and rows[-1][2] == 4
    with desk.expect_download() as download:
        desk.locator("#report-pdf").click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    assert ExportLog.objects.filter(office__name="定西市农业农村局").count() == 2
    desk_ctx.close()
