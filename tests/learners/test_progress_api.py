"""POST /api/progress/: the one write path for learning progress, seen from the browser."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from learners.models import Enrollment, LessonProgress, ProgressEvent, QuizAttempt
from learners.services import MAX_EVENTS

from .factories import learner, lessons_of, make_course, now_iso, right_answers, wrong_answers

pytestmark = pytest.mark.django_db

URL = "/api/progress/"


def event(lesson, kind, *, at=None, data=None, event_id=None):
    return {
        "id": str(event_id or uuid.uuid4()),
        "lesson": lesson.pk,
        "kind": kind,
        "at": at or now_iso(),
        "data": data or {},
    }


def post(client, events=None, *, body=None):
    payload = body if body is not None else json.dumps({"events": events})
    return client.post(URL, payload, content_type="application/json")


@pytest.fixture
def course():
    return make_course(lessons=2, questions=2)


@pytest.fixture
def signed_in(client, course):
    user = learner(enrolled_in=course)
    client.force_login(user)
    client.user = user
    return client


def complete_lesson(lesson):
    return [
        event(lesson, "opened"),
        event(lesson, "read"),
        event(lesson, "quiz", data={"answers": right_answers(lesson)}),
    ]


def test_reading_and_passing_the_quiz_completes_the_lesson(signed_in, course):
    first, _second = lessons_of(course)
    response = post(signed_in, complete_lesson(first))
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 3
    assert body["duplicates"] == 0
    assert body["lessons"] == {str(first.pk): {"status": "completed", "score": 100}}
    assert body["courses"] == {str(course.pk): {"percent": 50, "completed": False}}
    enrollment = Enrollment.objects.get(learner=signed_in.user, course=course)
    assert enrollment.progress_percent == 50
    assert enrollment.average_score == 100
    assert enrollment.last_activity_at is not None
    assert enrollment.completed_at is None


def test_completing_every_lesson_completes_the_course(signed_in, course):
    events = [e for lesson in lessons_of(course) for e in complete_lesson(lesson)]
    body = post(signed_in, events).json()
    assert body["courses"] == {str(course.pk): {"percent": 100, "completed": True}}
    assert Enrollment.objects.get(learner=signed_in.user).completed_at is not None


def test_a_failed_quiz_is_scored_but_does_not_complete_the_lesson(signed_in, course):
    first = lessons_of(course)[0]
    events = [event(first, "read"), event(first, "quiz", data={"answers": wrong_answers(first)})]
    body = post(signed_in, events).json()
    assert body["lessons"][str(first.pk)] == {"status": "read", "score": 0}
    attempt = QuizAttempt.objects.get()
    assert (attempt.score, attempt.passed) == (0, False)
    assert attempt.answers == wrong_answers(first)


def test_the_server_score_counts_not_the_clients(signed_in, course):
    first = lessons_of(course)[0]
    data = {"answers": wrong_answers(first), "score": 100, "passed": True}
    post(signed_in, [event(first, "read"), event(first, "quiz", data=data)])
    assert LessonProgress.objects.get().status == LessonProgress.Status.READ
    assert QuizAttempt.objects.get().score == 0


def test_passing_without_reading_does_not_complete_the_lesson(signed_in, course):
    first = lessons_of(course)[0]
    post(signed_in, [event(first, "quiz", data={"answers": right_answers(first)})])
    assert LessonProgress.objects.get().status == LessonProgress.Status.OPENED


def test_a_lesson_without_quiz_is_complete_once_read(client):
    course = make_course(lessons=1, questions=0)
    user = learner(enrolled_in=course)
    client.force_login(user)
    body = post(client, [event(lessons_of(course)[0], "read")]).json()
    assert body["courses"][str(course.pk)] == {"percent": 100, "completed": True}


def test_replayed_batch_changes_nothing(signed_in, course):
    first = lessons_of(course)[0]
    events = complete_lesson(first)
    post(signed_in, events)
    before = list(LessonProgress.objects.values()), list(Enrollment.objects.values())
    body = post(signed_in, events).json()
    assert (body["accepted"], body["duplicates"]) == (0, 3)
    assert ProgressEvent.objects.count() == 3
    assert (list(LessonProgress.objects.values()), list(Enrollment.objects.values())) == before


@pytest.mark.parametrize("size", [1, 2, 20])
def test_a_retry_after_a_lost_response_is_a_200_reporting_duplicates(signed_in, course, size):
    # The offline queue resends a batch whose response never arrived: every event is already
    # stored (a single event too, which once broke the SQLite write path with a 500).
    first, second = lessons_of(course)
    events = [event((first, second)[i % 2], "opened") for i in range(size)]
    assert post(signed_in, events).status_code == 200
    response = post(signed_in, events)
    assert response.status_code == 200
    assert (response.json()["accepted"], response.json()["duplicates"]) == (0, size)
    assert ProgressEvent.objects.count() == size


def test_a_retry_with_one_new_event_stores_only_the_new_one(signed_in, course):
    first = lessons_of(course)[0]
    stored = complete_lesson(first)
    post(signed_in, stored)
    body = post(signed_in, [*stored, event(lessons_of(course)[1], "read")]).json()
    assert (body["accepted"], body["duplicates"]) == (1, 3)
    assert body["courses"][str(course.pk)]["percent"] == 50
    assert ProgressEvent.objects.count() == 4


def test_the_same_event_twice_in_one_batch_counts_once(signed_in, course):
    first = lessons_of(course)[0]
    once = event(first, "opened")
    body = post(signed_in, [once, once]).json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)


def test_retrying_after_failing_keeps_the_best_score(signed_in, course):
    first = lessons_of(course)[0]
    post(signed_in, complete_lesson(first))
    post(signed_in, [event(first, "quiz", data={"answers": wrong_answers(first)})])
    progress = LessonProgress.objects.get()
    assert (progress.status, progress.best_score) == ("completed", 100)
    assert QuizAttempt.objects.count() == 2


def test_a_republished_answer_key_scores_the_next_attempt(signed_in, course):
    first = lessons_of(course)[0]
    old_right = right_answers(first)
    assert (
        post(signed_in, [event(first, "quiz", data={"answers": old_right})]).json()["lessons"][
            str(first.pk)
        ]["score"]
        == 100
    )
    # The trainer fixes the key: every question's other choice is now the right one.
    for child in first.quiz:
        for choice in child.value["choices"]:
            choice["is_correct"] = not choice["is_correct"]
    first.save_revision().publish()
    retry = event(first, "quiz", data={"answers": old_right})
    again = post(signed_in, [retry])
    assert again.json()["lessons"][str(first.pk)]["score"] == 100  # best score is kept
    assert QuizAttempt.objects.get(pk=retry["id"]).score == 0


def test_completion_hooks_run_once_in_the_same_transaction(signed_in, course, settings):
    calls.clear()
    settings.LEARNERS_ON_COURSE_COMPLETED = ["tests.learners.test_progress_api.remember"]
    events = [e for lesson in lessons_of(course) for e in complete_lesson(lesson)]
    post(signed_in, events)
    post(signed_in, [event(lessons_of(course)[0], "read")])
    enrollment = Enrollment.objects.get()
    assert calls == [(enrollment.pk, True)]


calls = []


def remember(*, enrollment_id):
    from django.db import connection

    calls.append((enrollment_id, connection.in_atomic_block))


# --- bad input: 400, a JSON error naming the problem, nothing written -------------------------


def assert_rejected(response, code):
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["error"]
    assert ProgressEvent.objects.count() == 0
    assert LessonProgress.objects.count() == 0


def test_malformed_json_is_rejected(signed_in):
    assert_rejected(post(signed_in, body="{not json"), "malformed")


def test_json_nested_a_thousand_deep_is_rejected_with_a_reason(signed_in):
    response = post(signed_in, body='{"events": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_rejected(response, "malformed")
    assert "嵌套" in response.json()["error"] or "nested" in response.json()["error"]


def test_deeply_nested_quiz_data_is_rejected(signed_in, course):
    first = lessons_of(course)[0]
    data = {"answers": {}}
    node = data["answers"]
    for _ in range(500):
        node["x"] = {}
        node = node["x"]
    assert_rejected(post(signed_in, [event(first, "quiz", data=data)]), "malformed")


def test_a_body_larger_than_any_batch_is_rejected(signed_in, course):
    first = lessons_of(course)[0]
    padded = event(first, "opened") | {"padding": "x" * 300_000}
    assert_rejected(post(signed_in, [padded]), "too_large")


def test_a_body_that_is_not_utf8_is_rejected(signed_in):
    assert_rejected(
        post(
            signed_in,
            body=b'{"events": ["\xff\xfe\xfa"]}'.decode("unicode_escape").encode("latin-1"),
        ),
        "malformed",
    )


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "events",
        {"events": None},
        {"events": [None]},
        {"events": [{"id": ["x"], "lesson": 1, "kind": "read", "at": "2024-01-01T00:00:00Z"}]},
        {"events": [{"id": "00000000-0000-0000-0000-000000000001", "lesson": "1", "kind": "read"}]},
        {"events": [{"id": "00000000-0000-0000-0000-000000000001", "lesson": 1.5, "kind": "read"}]},
        {"events": [{"id": "00000000-0000-0000-0000-000000000001", "lesson": 1, "kind": 3}]},
        {
            "events": [
                {
                    "id": "00000000-0000-0000-0000-000000000001",
                    "lesson": 1,
                    "kind": "read",
                    "at": 1700000000,
                }
            ]
        },
    ],
)
def test_wrong_types_are_rejected_with_a_reason(signed_in, payload):
    assert_rejected(post(signed_in, body=json.dumps(payload)), "malformed")


def test_an_integer_too_long_to_read_is_rejected(signed_in):
    body = '{"events": [{"lesson": ' + "9" * 5000 + "}]}"
    assert_rejected(post(signed_in, body=body), "malformed")


def test_a_batch_without_an_event_list_is_rejected(signed_in):
    assert_rejected(post(signed_in, body=json.dumps({"events": "x"})), "malformed")


def test_an_event_with_a_bad_uuid_is_rejected_with_its_index(signed_in, course):
    first = lessons_of(course)[0]
    bad = event(first, "read") | {"id": "nope"}
    response = post(signed_in, [event(first, "opened"), bad])
    assert_rejected(response, "malformed")
    assert response.json()["index"] == 1


def test_an_unknown_kind_is_rejected(signed_in, course):
    assert_rejected(post(signed_in, [event(lessons_of(course)[0], "liked")]), "malformed")


def test_an_unknown_lesson_rejects_the_whole_batch(signed_in, course):
    good = event(lessons_of(course)[0], "opened")
    unknown = good | {"id": str(uuid.uuid4()), "lesson": 999999}
    response = post(signed_in, [good, unknown])
    assert_rejected(response, "unknown_lesson")
    assert response.json()["lesson"] == 999999


def test_an_unpublished_lesson_is_unknown(signed_in, course):
    first = lessons_of(course)[0]
    first.unpublish()
    assert_rejected(post(signed_in, [event(first, "opened")]), "unknown_lesson")


def test_a_lesson_outside_the_learners_courses_is_rejected(signed_in, course):
    other = make_course(lessons=1, title="网络安全")
    good = event(lessons_of(course)[0], "opened")
    response = post(signed_in, [good, event(lessons_of(other)[0], "opened")])
    assert_rejected(response, "not_enrolled")


def test_a_course_page_id_is_not_a_lesson(signed_in, course):
    response = post(signed_in, [event(lessons_of(course)[0], "opened") | {"lesson": course.pk}])
    assert_rejected(response, "unknown_lesson")


@pytest.mark.parametrize("lesson_id", [2**31, 2**64, -1, 0, True, "7", 1.5])
def test_a_lesson_that_is_not_a_page_id_is_rejected(signed_in, course, lesson_id):
    bad = event(lessons_of(course)[0], "opened") | {"lesson": lesson_id}
    assert_rejected(post(signed_in, [bad]), "malformed")


@pytest.mark.parametrize(
    "at",
    ["2026-02-30T10:00", "0000-0-0T0:0", "0001-01-01T00:00+14:00", "1999-12-31", "yesterday", 5],
)
def test_an_impossible_or_unreadable_time_is_rejected(signed_in, course, at):
    bad = event(lessons_of(course)[0], "opened") | {"at": at}
    assert_rejected(post(signed_in, [bad]), "malformed")


def test_a_time_more_than_a_day_ahead_is_rejected(signed_in, course):
    ahead = (timezone.now() + timedelta(days=1, minutes=5)).isoformat()
    assert_rejected(post(signed_in, [event(lessons_of(course)[0], "read", at=ahead)]), "future")


def test_a_time_less_than_a_day_ahead_is_accepted(signed_in, course):
    # Phones' clocks drift; only more than a day ahead is refused.
    ahead = (timezone.now() + timedelta(hours=20)).isoformat()
    assert post(signed_in, [event(lessons_of(course)[0], "read", at=ahead)]).status_code == 200


def test_more_than_100_events_are_rejected(signed_in, course):
    first = lessons_of(course)[0]
    events = [event(first, "opened") for _ in range(MAX_EVENTS + 1)]
    assert_rejected(post(signed_in, events), "too_many")


def test_exactly_100_events_are_accepted(signed_in, course):
    first = lessons_of(course)[0]
    events = [event(first, "opened") for _ in range(MAX_EVENTS)]
    assert post(signed_in, events).json()["accepted"] == MAX_EVENTS


def test_an_answer_to_an_unknown_question_is_rejected(signed_in, course):
    first = lessons_of(course)[0]
    quiz = event(first, "quiz", data={"answers": {"not-a-question": [0]}})
    assert_rejected(post(signed_in, [quiz]), "malformed")


def test_an_answer_out_of_range_is_rejected(signed_in, course):
    first = lessons_of(course)[0]
    question_id = next(iter(right_answers(first)))
    quiz = event(first, "quiz", data={"answers": {question_id: [7]}})
    assert_rejected(post(signed_in, [quiz]), "malformed")


def test_signed_out_visitors_cannot_post_progress(client, course):
    response = post(client, [event(lessons_of(course)[0], "opened")])
    assert response.status_code == 403
    assert ProgressEvent.objects.count() == 0


def test_a_post_without_the_csrf_header_is_refused(course):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner(enrolled_in=course))
    assert post(client, [event(lessons_of(course)[0], "opened")]).status_code == 403
    assert ProgressEvent.objects.count() == 0


def test_a_post_with_the_csrf_header_is_accepted(course):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(learner(enrolled_in=course))
    client.get(lessons_of(course)[0].url)
    token = client.cookies["csrftoken"].value
    response = client.post(
        URL,
        json.dumps({"events": [event(lessons_of(course)[0], "opened")]}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
