"""On a phone with no voice, "Listen" on a lesson without a recording says so and offers large text.

Many cheap phones and the WeChat browser have no speech voice at all; the learner must not be left
pressing a button that does nothing.
"""

import pytest

from learners.accounts import sms
from tests.learners.factories import lessons_of, make_course

from .serial import serial_live_server  # noqa: F401 (fixture)
from .test_learning import sign_up, site_and_accounts

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]

# The phone has a speech engine but no voice in it (what Chromium reports on such phones).
NO_VOICES = "SpeechSynthesis.prototype.getVoices = function () { return []; };"


@pytest.fixture
def course(transactional_db, settings):
    settings.SMS_BACKEND = "learners.accounts.sms.ConsoleBackend"
    site_and_accounts()
    sms.outbox.clear()
    course = make_course(lessons=1, questions=1, title="手机拍照入门")
    assert lessons_of(course)[0].narration is None
    return course


def test_listen_without_recording_or_voice_explains_and_offers_large_text(
    phone, live_server, course
):
    phone.context.add_init_script(NO_VOICES)
    phone.set_default_timeout(15_000)
    lesson = lessons_of(course)[0]
    sign_up(phone, live_server)
    phone.goto(live_server.url + course.url)
    phone.get_by_role("button", name="开始学习").click()
    phone.wait_for_url(live_server.url + lesson.url)
    assert phone.evaluate("speechSynthesis.getVoices().length") == 0
    message = phone.get_by_text("这节课还没有录音，这部手机也没有能朗读的声音。")
    offer = phone.get_by_role("button", name="把字放大")
    assert message.is_hidden() and offer.is_hidden()
    size_before = phone.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")

    phone.get_by_role("button", name="听一听").click()

    message.wait_for(state="visible")
    assert offer.is_visible()
    assert phone.locator("#listen").get_attribute("aria-pressed") == "false"
    box = offer.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    offer.click()

    assert "large-text" in (phone.evaluate("document.documentElement.className") or "")
    size_after = phone.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size_after >= size_before * 1.2
    assert message.is_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
