"""Issue 15's acceptance journey, through the UI only, on a 360×740 phone.

A new phone number joins a campaign by its code, takes a whole course, switches to English in
the middle and back, goes offline for two lessons, comes back, loses one response on purpose (the
client retries and the server reports duplicates), and sees its certificate appear. The QR code
printed in the certificate PDF decodes to the address the test server really listens on, and
that page says the certificate is valid.
"""

import functools
import re

import pytest
from django.http import HttpResponse
from django.urls import get_resolver
from playwright.sync_api import expect
from wagtail.models import Locale

from learners.models import Enrollment, LessonProgress
from tests.campaigns.factories import CampaignFactory, ProgramOfficeFactory, add_region
from tests.certificates.pdf_qr import decode_pdf_qr
from tests.learners.factories import lessons_of, make_course

from .serial import serial_live_server  # noqa: F401 (fixture)
from .test_learning import PHONE_NUMBER, QUEUED, answer, sign_up, site_and_accounts

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]


def translate(page, title):
    en = Locale.objects.get(language_code="en")
    translation = page.copy_for_translation(en, copy_parents=True)
    translation.title = title
    translation.save_revision().publish()
    return translation


@pytest.fixture
def campaign(transactional_db, settings):
    settings.SMS_BACKEND = "learners.accounts.sms.ConsoleBackend"
    site_and_accounts()
    course = make_course(lessons=4, questions=2, title="农产品网上销售")
    translate(course, "Selling farm produce online")
    for number, lesson in enumerate(lessons_of(course), start=1):
        translate(lesson, f"Lesson {number}")
    county = add_region("621102000000", "安定区")
    campaign = CampaignFactory(
        office=ProgramOfficeFactory(region=county, name="安定区农业农村局"),
        title="安定区农民数字素养提升行动",
    )
    campaign.courses.add(course)
    return campaign, course


def next_step_until_quiz(phone):
    """Tap "next" (in any language) until the quiz shows."""
    for _ in range(20):
        forward = phone.locator('.stepper [data-step="1"]')
        if not forward.is_visible():
            break
        forward.click()
    phone.locator("#quiz-form").wait_for(state="visible")


def pass_quiz(phone):
    next_step_until_quiz(phone)
    answer(phone, ["选项0", "选项1"])
    phone.locator("#quiz-form button[type=submit]").click()
    expect(phone.locator(".quiz-result")).not_to_be_empty()


def url_pattern(name):
    """The URL pattern called `name`, to wrap its view for one test."""

    def walk(patterns):
        for pattern in patterns:
            yield from walk(pattern.url_patterns) if hasattr(pattern, "url_patterns") else [pattern]

    return next(p for p in walk(get_resolver().url_patterns) if p.name == name)


def broker_down():
    raise ConnectionError("broker unavailable")


def queue_empty(phone):
    phone.wait_for_function(f"async () => (await ({QUEUED})()) === 0", timeout=60_000)


def test_new_phone_joins_learns_in_two_languages_offline_and_gets_a_certificate_that_scans(
    phone, live_server, campaign, settings, monkeypatch
):
    # Links that leave the site use its public address: here, where the test server listens.
    settings.SITE_URL = live_server.url
    phone.set_default_timeout(30_000)
    campaign, course = campaign
    first, second, third, fourth = lessons_of(course)
    base = live_server.url
    phone.add_init_script(
        "window.__synced = [];"
        "document.addEventListener('dvc:synced', (e) => window.__synced.push(e.detail));"
    )

    # Join by code: the page shows the campaign; a new number signs up, comes back and joins.
    phone.goto(base + "/join/")
    phone.fill("#join-code", campaign.join_code.lower())
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(f"{base}/join/{campaign.join_code}/")
    assert campaign.title in phone.locator("h1").inner_text()
    sign_up(phone, live_server)
    phone.goto(f"{base}/join/{campaign.join_code}/")
    phone.get_by_role("button", name="加入这个培训活动").click()
    phone.get_by_text("你已加入").wait_for()
    phone.get_by_role("link", name="开始学习").click()
    phone.wait_for_url(base + course.url)
    phone.locator("a.continue").click()
    phone.wait_for_url(base + first.url)

    # Lesson 1 in Chinese; the answer to the first progress batch is lost on the way back: the
    # server saves the batch, the phone is told it failed (as a proxy that timed out would say).
    lost = []
    progress_url = url_pattern("learners_api_progress")
    save_progress = progress_url.callback

    @functools.wraps(save_progress)
    def lose_first_answer(request, *args, **kwargs):
        response = save_progress(request, *args, **kwargs)
        if request.method == "POST" and not lost:
            lost.append(response.status_code)
            return HttpResponse(status=502)
        return response

    monkeypatch.setattr(progress_url, "callback", lose_first_answer)
    pass_quiz(phone)
    expect(phone.locator(".quiz-result")).to_contain_text("本课通过")
    queue_empty(phone)
    # The phone sent the batch again; the server counted what it already had as duplicates.
    assert lost == [200]
    phone.wait_for_function("() => window.__synced.some((answer) => answer.duplicates >= 1)")
    phone.locator(".next-now").click()
    phone.wait_for_url(base + second.url)

    # Switch to English in the middle of the course: the same lesson, the same progress.
    phone.locator('.lang-switch a[hreflang="en"]').click()
    phone.wait_for_url(re.compile(r"/en/"))
    assert phone.locator("h1").inner_text() == "Lesson 2"
    pass_quiz(phone)
    expect(phone.locator(".quiz-result")).to_contain_text("passed", ignore_case=True)
    queue_empty(phone)
    phone.goto(phone.url.rsplit("/", 2)[0] + "/")  # the English course page
    assert "50%" in phone.locator(".course-state").inner_text()
    assert "Start the course" not in phone.locator("main").inner_text()

    # And back to Chinese: the course page knows both lessons are done.
    phone.locator('.lang-switch a[hreflang="zh-hans"]').click()
    phone.wait_for_url(base + course.url)
    assert "50%" in phone.locator(".course-state").inner_text()

    # Save the course, go offline for lessons 3 and 4, come back.
    phone.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.get_by_role("button", name="保存课程，没网也能学").click()
    phone.get_by_role("button", name="现在下载").click()
    phone.locator(".offline-save [data-msg]").filter(has_text="已保存在这部手机上").wait_for()
    phone.context.set_offline(True)
    for lesson in (third, fourth):
        phone.goto(base + lesson.url)
        pass_quiz(phone)
        expect(phone.locator(".quiz-result")).to_contain_text("本课通过")
    phone.locator("#sync-status").filter(has_text="等待上传").wait_for()
    assert not LessonProgress.objects.filter(lesson__in=[third, fourth]).exists()
    # The broker is down when the phone comes back: the certificate message waits in the outbox.
    monkeypatch.setattr("core.outbox.services.broker_connection", broker_down, raising=True)
    phone.context.set_offline(False)
    phone.goto(base + "/me/")
    queue_empty(phone)

    # One enrollment, in the campaign, complete; every lesson on the Chinese pages.
    [enrollment] = Enrollment.objects.filter(learner__learner_profile__phone="+86" + PHONE_NUMBER)
    assert enrollment.campaign_id == campaign.pk and enrollment.completed_at is not None
    assert set(
        LessonProgress.objects.filter(learner=enrollment.learner).values_list("lesson_id", "status")
    ) == {(lesson.pk, "completed") for lesson in (first, second, third, fourth)}

    # The certificate appears on My learning without a reload, and its QR opens this server's
    # verify page. The page's timers are held so that the worker's run below does not share the
    # test's in-memory SQLite connection with a page request.
    from core.outbox.tasks import outbox_drain

    phone.clock.install()
    phone.goto(base + "/me/")
    assert phone.locator(".my-certificates [data-state=pending]").count() == 1
    # The broker is back; the worker's beat-scheduled outbox drain sends the waiting message (in
    # tests, run eagerly).
    monkeypatch.undo()
    outbox_drain.apply()
    phone.clock.run_for(120_000)  # the page asks again on its own
    card = phone.locator(".my-certificates [data-state=ready]")
    card.wait_for(timeout=60_000)
    assert course.title in card.inner_text()
    pdf_url = card.locator("a[href$='.pdf']").get_attribute("href")
    pdf = phone.request.get(base + pdf_url)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    [scanned] = decode_pdf_qr(pdf.body())
    assert re.fullmatch(re.escape(base) + r"/c/\d{16}", scanned), scanned
    phone.goto(scanned)
    assert "有效" in phone.locator("main").inner_text()
    assert course.title in phone.locator("main").inner_text()
