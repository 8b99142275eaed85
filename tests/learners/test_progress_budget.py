"""The progress write budget: a batch of 20 events costs ≤ 3 queries + 1 per lesson touched."""

import uuid

import pytest

from learners.services import progress_record

from .factories import learner, lessons_of, make_course, now_iso, right_answers

pytestmark = pytest.mark.django_db


def batch(lessons, size=20):
    kinds = ["opened", "read", "quiz", "opened", "quiz"]
    events = []
    for i in range(size):
        lesson = lessons[i % len(lessons)]
        kind = kinds[(i // len(lessons)) % len(kinds)]
        data = {"answers": right_answers(lesson)} if kind == "quiz" else {}
        events.append(
            {
                "id": str(uuid.uuid4()),
                "lesson": lesson.pk,
                "kind": kind,
                "at": now_iso(),
                "data": data,
            }
        )
    return events


def statements(captured):
    # Savepoints come from the test's own transaction, not from the service's work.
    return [q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.fixture
def no_hooks(settings):
    # Completion hooks (certificates) are other rooms' work, measured in their own tests.
    settings.LEARNERS_ON_COURSE_COMPLETED = []


@pytest.mark.parametrize("touched", [2, 3, 5])
def test_a_batch_of_20_events_costs_at_most_3_queries_plus_1_per_lesson(
    touched, no_hooks, django_assert_max_num_queries
):
    course = make_course(lessons=5, questions=3)
    user = learner(enrolled_in=course)
    events = batch(lessons_of(course)[:touched])
    with django_assert_max_num_queries(3 + touched + 2) as captured:
        result = progress_record(learner=user, events=events)
    assert result.accepted == 20
    assert len(statements(captured.captured_queries)) <= 3 + touched


def test_a_second_batch_on_started_lessons_stays_within_budget(
    no_hooks, django_assert_max_num_queries
):
    course = make_course(lessons=5, questions=3)
    user = learner(enrolled_in=course)
    lessons = lessons_of(course)[:3]
    progress_record(learner=user, events=batch(lessons[:2], size=4))
    events = batch(lessons)
    with django_assert_max_num_queries(3 + 3 + 2) as captured:
        progress_record(learner=user, events=events)
    assert len(statements(captured.captured_queries)) <= 3 + 3


def test_a_batch_of_20_events_on_one_lesson_costs_a_constant_5_queries(
    no_hooks, django_assert_max_num_queries
):
    # One lesson: enrollments (locked), lessons, events, the lesson's row and the enrollment —
    # one over "3 + 1 per lesson" (docs/decisions/0025-progress-write-path.md).
    course = make_course(lessons=5, questions=3)
    user = learner(enrolled_in=course)
    events = batch(lessons_of(course)[:1])
    with django_assert_max_num_queries(5 + 2) as captured:
        progress_record(learner=user, events=events)
    assert len(statements(captured.captured_queries)) <= 5


def test_a_replayed_batch_of_20_events_writes_nothing(no_hooks, django_assert_max_num_queries):
    course = make_course(lessons=4, questions=3)
    user = learner(enrolled_in=course)
    events = batch(lessons_of(course))
    progress_record(learner=user, events=events)
    with django_assert_max_num_queries(10) as captured:
        result = progress_record(learner=user, events=events)
    assert result.duplicates == 20
    writes = [
        q
        for q in statements(captured.captured_queries)
        if q["sql"].startswith(("INSERT", "UPDATE"))
    ]
    # The event insert finds every id taken; nothing else is written.
    assert len(writes) == 1
