"""Issue 20: the trainer's tick list works offline on a 360×740 phone. Two people ticked while
offline wait on the phone ("2 条待同步"), sync by themselves when the phone is back online, and a
replay of the same ticks changes nothing on the server."""

import datetime
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Attendance
from campaigns.sessions.services import session_schedule
from core.demo import DEMO_PASSWORD

from .serial import serial_live_server  # noqa: F401 (fixture)
from .test_village_session import _context, _sign_in
from .test_village_session import village as village

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]


def test_ticks_made_offline_sync_when_back_online_once(chromium, live_server, village):
    base = live_server.url
    cohort = village["cohort"]
    session = session_schedule(
        user=cohort.trainer,
        cohort=cohort,
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        planned_minutes=60,
    )
    ctx = _context(chromium)
    page = ctx.new_page()
    _sign_in(page, base, "trainer", DEMO_PASSWORD, "/admin/")
    page.goto(f"{base}/admin/training-sessions/{session.pk}/")
    page.wait_for_load_state("networkidle")

    ctx.set_offline(True)
    for name in ("王秀兰", "李春生"):
        page.locator("#roster tr", has_text=name).locator("button[type=submit]").click()
    expect(page.locator("#tick-sync")).to_contain_text("2 条待同步")
    expect(page.locator("#roster tr", has_text="王秀兰")).to_contain_text("待同步")
    assert not Attendance.objects.filter(session=session).exists()
    waiting = page.evaluate(f"localStorage.getItem('dvc-ticks-{session.pk}')")

    ctx.set_offline(False)
    expect(page.locator("#tick-sync")).to_contain_text("所有勾选都已同步", timeout=15000)
    rows = Attendance.objects.filter(session=session)
    assert sorted(rows.values_list("learner__learner_profile__display_name", flat=True)) == sorted(
        ["王秀兰", "李春生"]
    )
    ids = set(rows.values_list("pk", flat=True))
    assert {str(i) for i in ids} == {t["id"] for t in json.loads(waiting)}

    # The same ticks sent again (a phone that lost the answer) change nothing.
    page.evaluate(f"localStorage.setItem('dvc-ticks-{session.pk}', {json.dumps(waiting)})")
    page.reload()
    expect(page.locator("#tick-sync")).to_contain_text("所有勾选都已同步", timeout=15000)
    assert set(Attendance.objects.filter(session=session).values_list("pk", flat=True)) == ids
    assert page.evaluate(f"localStorage.getItem('dvc-ticks-{session.pk}')") == "[]"
    ctx.close()
