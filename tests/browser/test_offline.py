"""A farmer saves a course, learns without a network, and nothing is lost or doubled."""

import json
import re

import pytest
from playwright.sync_api import expect

from learners.models import LessonProgress, ProgressEvent
from tests.learners.factories import lessons_of, make_course

from .serial import serial_live_server  # noqa: F401 (fixture)
from .test_learning import QUEUED, answer, site_and_accounts, step_to_quiz

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]

QUEUE_CONTENTS = QUEUED.replace(".count()", ".getAll()")


@pytest.fixture
def course(transactional_db):
    site_and_accounts()
    return make_course(lessons=3, questions=2, title="识别诈骗电话")


def sign_in_demo_learner(phone, live_server):
    phone.goto(live_server.url + "/accounts/login/")
    phone.get_by_text("工作人员：用用户名和密码登录").click()
    phone.get_by_label("用户名").fill("learner")
    phone.get_by_label("密码").fill("demo-pass-2026")
    phone.get_by_role("button", name="用密码登录").click()
    phone.wait_for_url(re.compile(r"/$"))


def test_saved_course_works_offline_and_its_queue_syncs_once(phone, live_server, course):
    first, second, _third = lessons_of(course)
    sign_in_demo_learner(phone, live_server)
    phone.goto(live_server.url + course.url)
    phone.get_by_role("button", name="开始学习").click()
    phone.wait_for_url(live_server.url + first.url)
    phone.wait_for_function("navigator.serviceWorker.ready.then(() => true)")

    # Save for offline: the size is shown before anything is downloaded.
    phone.goto(live_server.url + course.url)
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.get_by_role("button", name="保存课程，没网也能学").click()
    message = phone.locator(".offline-save [data-msg]")
    message.filter(has_text="需要下载").wait_for()
    assert re.search(r"\d+ KB", message.inner_text())
    phone.get_by_role("button", name="现在下载").click()
    message.filter(has_text="已保存在这部手机上").wait_for()

    # Offline: the saved lesson opens from the phone, and its quiz still gives feedback.
    phone.context.set_offline(True)
    phone.goto(live_server.url + second.url)
    assert phone.locator("h1").inner_text() == second.title
    step_to_quiz(phone)
    answer(phone, ["选项0", "选项1"])
    phone.get_by_role("button", name="提交答案").click()
    expect(phone.locator(".quiz-result")).to_contain_text("本课通过")
    status = phone.locator("#sync-status")
    status.filter(has_text="等待上传").wait_for()
    queued = phone.evaluate(f"({QUEUE_CONTENTS})()")
    assert {event["kind"] for event in queued} >= {"opened", "read", "quiz"}
    assert not ProgressEvent.objects.filter(lesson=second).exists()

    # A page that was not saved shows the offline page.
    phone.goto(live_server.url + "/me/profile/")
    assert "现在没有网络" in phone.locator("h1").inner_text()

    # Back online: the queue drains and the server has the lesson complete.
    phone.context.set_offline(False)
    phone.goto(live_server.url + course.url)
    phone.wait_for_function(f"async () => (await ({QUEUED})()) === 0")
    status.wait_for(state="hidden")
    assert LessonProgress.objects.get(lesson=second).status == "completed"
    stored = ProgressEvent.objects.count()

    # Replaying the same queue changes nothing.
    reply = phone.evaluate(
        """async (events) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const res = await fetch('/api/progress/', {method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
              body: JSON.stringify({events})});
            return res.json();
        }""",
        queued,
    )
    assert reply["accepted"] == 0 and reply["duplicates"] == len(queued), json.dumps(reply)
    assert ProgressEvent.objects.count() == stored

    # Saved courses are listed with their size and can be removed.
    phone.goto(live_server.url + "/me/")
    saved = phone.locator(".saved-courses")
    assert course.title in saved.inner_text() and "KB" in saved.inner_text()
    saved.get_by_role("button", name="删除").click()
    saved.wait_for(state="hidden")
