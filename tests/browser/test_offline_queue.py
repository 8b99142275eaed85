"""The offline queue cannot jam: the real client script against server errors, lost responses
and events the server refuses for good (issue 15)."""

import re

import pytest

from learners.models import LessonProgress, ProgressEvent
from learners.services import enrollment_create
from tests.learners.factories import lessons_of, make_course

from .serial import serial_live_server  # noqa: F401 (fixture)
from .test_learning import QUEUED, site_and_accounts
from .test_offline import sign_in_demo_learner

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("serial_live_server"),
]

API = re.compile(r".*/api/progress/$")


@pytest.fixture
def course(transactional_db):
    from django.contrib.auth import get_user_model

    site_and_accounts()
    course = make_course(lessons=2, questions=1, title="识别诈骗电话")
    enrollment_create(learner=get_user_model().objects.get(username="learner"), course=course)
    return course


def queue_empty(phone, timeout=60_000):
    phone.wait_for_function(f"async () => (await ({QUEUED})()) === 0", timeout=timeout)


def eventually(phone, check, seconds=60):
    """Wait (letting the page run) until `check()` is true."""
    for _ in range(seconds * 4):
        if check():
            return
        phone.wait_for_timeout(250)
    raise AssertionError("timed out")


def test_a_server_error_is_retried_with_back_off_until_it_goes_through(phone, live_server, course):
    first = lessons_of(course)[0]
    sign_in_demo_learner(phone, live_server)
    answers = []

    def flaky(route):
        answers.append(route.request.url)
        if len(answers) <= 2:  # the first two tries meet a broken server
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    phone.route(API, flaky)
    phone.goto(live_server.url + first.url)
    # Retried on its own (no reload, no "online" event) until the server takes it.
    eventually(phone, lambda: len(answers) >= 3)
    eventually(phone, lambda: ProgressEvent.objects.filter(lesson=first).exists())
    queue_empty(phone)
    assert ProgressEvent.objects.filter(lesson=first, kind="opened").count() == 1
    assert phone.locator("#sync-rejected").is_hidden()


def test_a_lost_response_is_sent_again_and_the_server_reports_duplicates(
    phone, live_server, course
):
    first = lessons_of(course)[0]
    sign_in_demo_learner(phone, live_server)
    replies = []

    def lose_first_response(route):
        response = route.fetch()  # the server stores the events …
        if not replies:
            replies.append(None)
            route.abort("connectionreset")  # … but the phone never hears back
        else:
            replies.append(response.json())
            route.fulfill(response=response)

    phone.route(API, lose_first_response)
    phone.goto(live_server.url + first.url)
    eventually(phone, lambda: len(replies) >= 2)
    queue_empty(phone)
    assert replies[1]["duplicates"] >= 1 and replies[1]["accepted"] == 0
    assert ProgressEvent.objects.filter(lesson=first, kind="opened").count() == 1


def test_an_event_refused_for_good_is_dropped_and_shown_and_the_rest_is_saved(
    phone, live_server, course
):
    first, second = lessons_of(course)
    sign_in_demo_learner(phone, live_server)
    phone.goto(live_server.url + course.url)
    # Two queued events from an offline session: one names a lesson that was since deleted.
    phone.evaluate(
        """([good, gone]) => new Promise((ok) => {
          const open = indexedDB.open("dvc", 1);
          open.onupgradeneeded = () => open.result.createObjectStore("events", { keyPath: "id" });
          open.onsuccess = () => {
            const t = open.result.transaction("events", "readwrite"), s = t.objectStore("events");
            const at = new Date().toISOString();
            s.put({ id: crypto.randomUUID(), lesson: gone, kind: "read", at, data: {} });
            s.put({ id: crypto.randomUUID(), lesson: good, kind: "read", at, data: {} });
            t.oncomplete = () => ok();
          };
        })""",
        [second.pk, 2_000_000_000],
    )
    phone.goto(live_server.url + first.url)
    rejected = phone.locator("#sync-rejected")
    rejected.wait_for()
    eventually(phone, lambda: LessonProgress.objects.filter(lesson=second).exists())
    queue_empty(phone)
    assert "无法保存" in rejected.inner_text()
    assert "2000000000" in rejected.inner_text()  # the server's reason names the lesson
    assert LessonProgress.objects.get(lesson=second).read_at is not None
