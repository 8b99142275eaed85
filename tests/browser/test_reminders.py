"""Issue 19 acceptance: an officer writes a reminder rule, previews the count and turns it on; the
console SMS backend receives the reminder at the next allowed time (not in the quiet hours); the
learner follows the link to their next lesson on a 360×740 phone."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.demo import DEMO_COHORT_CODE
from campaigns.reminders import services
from campaigns.reminders.models import ReminderRule
from campaigns.services import campaign_join
from core.demo import DEMO_PASSWORD
from learners.accounts import sms
from learners.models import Enrollment
from tests.accounts.factories import LearnerProfileFactory
from tests.conftest import PHONE
from tests.demo_snapshot import load_demo

from .serial import serial_live_server  # noqa: F401 (fixture)
from .staff import sign_in_with_password as _sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def stalled(transactional_db):
    """The demo site and a learner of the demo cohort who stopped 10 days ago."""
    load_demo()
    user = LearnerProfileFactory(display_name="周小梅", phone="+8613912340000").user
    campaign_join(learner=user, code=DEMO_COHORT_CODE)
    Enrollment.objects.filter(learner=user).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=10),
        enrolled_at=timezone.now() - datetime.timedelta(days=12),
    )
    return user


def test_officer_rule_to_learner_lesson(chromium, live_server, stalled, monkeypatch):
    base = live_server.url
    officer = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = officer.new_page()
    _sign_in(page, base, "officer", DEMO_PASSWORD, "/admin/")
    page.goto(f"{base}/admin/reminders/new/")
    page.fill("#id_name", "停学一周提醒")
    page.select_option("#id_campaign", index=1)
    page.select_option("#id_kind", "stalled")
    page.fill("#id_days", "7")
    page.fill("#id_window_start", "09:00")
    page.fill("#id_window_end", "20:00")
    page.fill("#id_daily_sms", "200")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/reminders/\d+/$"))
    preview = page.locator("#reminder-preview").inner_text()
    reached = int(re.search(r"今天这条规则覆盖的学员：(\d+) 人", preview).group(1))
    assert reached >= 1
    assert "将发送短信" in preview
    with page.expect_navigation():
        page.get_by_role("button", name="开启").click()
    page.wait_for_load_state()
    assert ReminderRule.objects.get(name="停学一周提醒").active

    # The beat runs at 22:00 (quiet hours): nothing goes out; at 09:00 the next day it does.
    phone = stalled.learner_profile.phone
    today = timezone.localdate()
    night = datetime.datetime.combine(today, datetime.time(22, 0), SHANGHAI)
    morning = night + datetime.timedelta(hours=11)
    sms.outbox.clear()
    monkeypatch.setattr(timezone, "now", lambda: night.astimezone(datetime.UTC))
    services.reminders_dispatch()
    assert [m for m in sms.outbox if m.phone == phone] == []
    monkeypatch.setattr(timezone, "now", lambda: morning.astimezone(datetime.UTC))
    services.reminders_dispatch()
    texts = [m.message for m in sms.outbox if m.phone == phone]
    assert len(texts) == 1 and "周小梅" in texts[0]
    link = re.search(r"https?://\S+/r/[\w-]+/", texts[0]).group(0)

    learner = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    phone_page = learner.new_page()
    phone_page.goto(base + "/r/" + link.split("/r/", 1)[1])  # SITE_URL is not the test server
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="继续学习下一课").click()
    phone_page.wait_for_load_state()
    assert "/r/" not in phone_page.url
    assert phone_page.locator("h1").first.is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    # The lesson the learner lands on is the first one they have not finished.
    assert re.search(r"/courses/[^/]+/[^/]+/$", phone_page.url), phone_page.url
    officer.close()
    learner.close()
