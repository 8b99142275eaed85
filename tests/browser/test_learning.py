"""A farmer learns on a 360×740 phone: sign up, listen, answer, complete, and continue later."""

import io
import re
import wave

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from courses.models import LessonMedia
from learners.accounts import sms
from learners.models import Enrollment, LessonProgress
from tests.learners.factories import lessons_of, make_course

from .axe import assert_no_serious_axe_violations
from .serial import serial_live_server  # noqa: F401 (fixture)
from .test_signin import _code_sent_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]

PHONE_NUMBER = "13900139123"


def site_and_accounts() -> None:
    """The home page and the demo accounts (the demo courses are not needed here)."""
    from cms.demo import load_site
    from core.demo import load_accounts
    from learners.accounts.demo import load as load_learner_profile

    load_site()
    load_accounts()
    load_learner_profile(stdout=io.StringIO())


def silence_wav(seconds: float = 3.0) -> bytes:
    """A short silent WAV recording (every browser can play it)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


@pytest.fixture
def course(transactional_db, settings):
    settings.SMS_BACKEND = "learners.accounts.sms.ConsoleBackend"
    site_and_accounts()
    sms.outbox.clear()
    course = make_course(lessons=3, questions=2, title="手机支付入门")
    first = lessons_of(course)[0]
    narration = LessonMedia(title="第1课录音", type="audio", duration=3)
    narration.file.save("narration.wav", ContentFile(silence_wav()), save=False)
    narration.save()
    first.narration = narration
    first.save_revision().publish()
    return course


def serve_media(page, settings):
    """The test server has no media route (DEBUG is off): answer /media/ from storage."""
    from django.core.files.storage import default_storage

    def fulfil(route):
        name = route.request.url.split("/media/", 1)[1]
        with default_storage.open(name) as handle:
            route.fulfill(status=200, body=handle.read(), content_type="audio/wav")

    page.route(re.compile(r".*/media/.*"), fulfil)


def sign_up(phone, live_server):
    phone.goto(live_server.url + "/accounts/signup/")
    phone.get_by_label("您的姓名").fill("王桂芳")
    phone.get_by_label("手机号").fill(PHONE_NUMBER)
    phone.get_by_label("我已阅读上面的说明，并且同意。").check()
    phone.get_by_role("button", name="同意并发送验证码").click()
    phone.wait_for_url(re.compile(r"/accounts/phone/verify/"))
    phone.get_by_label("6 位验证码").fill(_code_sent_to("+86" + PHONE_NUMBER))
    phone.get_by_role("button", name="确认").click()
    phone.wait_for_url(live_server.url + "/")


def step_to_quiz(phone, most=20):
    """Press "Next" until the quiz shows; on the last step "Next" is gone (no endless loop)."""
    for _ in range(most):
        if not phone.get_by_role("button", name="下一步").is_visible():
            break
        phone.get_by_role("button", name="下一步").click()
    phone.locator("#quiz-form").wait_for(state="visible")
    assert phone.get_by_role("button", name="下一步").is_hidden()


def answer(phone, choices):
    """Tick choice `choices[i]` (its label) in question i."""
    for index, label in enumerate(choices):
        phone.locator("fieldset.question").nth(index).get_by_label(label).check()


QUEUED = """() => new Promise((ok) => {
  const open = indexedDB.open("dvc", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("events", { keyPath: "id" });
  open.onsuccess = () => {
    const count = open.result.transaction("events").objectStore("events").count();
    count.onsuccess = () => ok(count.result);
  };
})"""


def wait_synced(phone):
    """Wait until the quiz answer is queued, then until the queue has drained to the server."""
    phone.locator(".next-now").wait_for()
    phone.wait_for_function(f"async () => (await ({QUEUED})()) === 0")
    phone.locator("#sync-status").wait_for(state="hidden")


def test_new_learner_completes_two_lessons_and_is_offered_the_third(
    phone, live_server, course, settings
):
    serve_media(phone, settings)
    phone.set_default_timeout(15_000)
    first, second, third = lessons_of(course)

    sign_up(phone, live_server)
    assert_no_serious_axe_violations(phone)

    phone.goto(live_server.url + "/courses/")
    assert_no_serious_axe_violations(phone)
    phone.get_by_role("link", name="手机支付入门").click()
    phone.wait_for_url(live_server.url + course.url)
    assert_no_serious_axe_violations(phone)
    phone.get_by_role("button", name="开始学习").click()
    phone.wait_for_url(live_server.url + first.url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The big Listen button plays the lesson's recording.
    listen = phone.locator("#listen")
    listen.click()
    phone.wait_for_function("!document.getElementById('narration').paused")
    assert listen.get_attribute("aria-pressed") == "true"
    listen.click()
    assert listen.get_attribute("aria-pressed") == "false"

    # One step per screen, then the quiz.
    assert phone.locator(".step").nth(1).is_hidden()
    step_to_quiz(phone)
    assert_no_serious_axe_violations(phone)

    # Question 0's right answer is 选项0, question 1's is 选项1: first both wrong.
    answer(phone, ["选项1", "选项0"])
    phone.locator(".check-answer").first.click()
    assert "还不对" in phone.locator(".feedback").first.inner_text()
    phone.get_by_role("button", name="提交答案").click()
    expect(phone.locator(".quiz-result")).to_contain_text("再试一次")
    assert_no_serious_axe_violations(phone)

    answer(phone, ["选项0", "选项1"])
    phone.get_by_role("button", name="提交答案").click()
    expect(phone.locator(".quiz-result")).to_contain_text("本课通过")
    wait_synced(phone)
    phone.locator(".next-now").click()

    phone.wait_for_url(live_server.url + second.url)
    step_to_quiz(phone)
    answer(phone, ["选项0", "选项1"])
    phone.get_by_role("button", name="提交答案").click()
    expect(phone.locator(".quiz-result")).to_contain_text("本课通过")
    wait_synced(phone)

    phone.goto(live_server.url + course.url)
    phone.reload()
    continue_button = phone.locator("a.continue")
    assert continue_button.get_attribute("href") == third.url
    assert continue_button.inner_text() == f"继续学习：{third.title}"

    user_progress = LessonProgress.objects.filter(
        learner__learner_profile__phone="+86" + PHONE_NUMBER
    )
    assert sorted(user_progress.values_list("lesson_id", "status")) == [
        (first.pk, "completed"),
        (second.pk, "completed"),
    ]
    enrollment = Enrollment.objects.get(course=course)
    assert enrollment.progress_percent == 66

    phone.goto(live_server.url + "/me/")
    assert "手机支付入门" in phone.locator("main").inner_text()
    assert_no_serious_axe_violations(phone)
    assert all(url.startswith(live_server.url) for url in phone.requested_urls)


def test_lesson_is_readable_and_quiz_answerable_with_javascript_off(chromium, live_server, course):
    from django.test import Client

    from tests.conftest import PHONE
    from tests.learners.factories import learner

    user = learner()
    Enrollment.objects.create(learner=user, course=course)
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    first = lessons_of(course)[0]
    page.goto(live_server.url + first.url)
    assert page.get_by_text("第1课的第二步").is_visible()
    answer(page, ["选项0", "选项1"])
    page.get_by_role("button", name="提交答案").click()
    page.wait_for_url(re.compile(r"\?attempt="))
    assert "得分 100%" in page.locator("#quiz").inner_text()
    assert LessonProgress.objects.get(learner=user, lesson=first).status == "completed"
    context.close()


def test_learner_pages_fit_a_320_px_screen_and_declare_their_language(
    chromium, live_server, course
):
    from django.test import Client

    from tests.learners.factories import learner

    user = learner(enrolled_in=course)
    client = Client()
    client.force_login(user)
    context = chromium.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    first = lessons_of(course)[0]
    for path in ("/", "/courses/", course.url, first.url, "/me/", "/me/profile/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert page.evaluate("document.documentElement.lang") == "zh-hans", path
    page.goto(live_server.url + "/en/")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
