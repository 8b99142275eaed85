"""The progress write budget: a batch of 20 events costs ≤ 3 queries + 1 per lesson touched."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from learners.models import Enrollment
from learners.services import enrollment_create, progress_record

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


# The dashboard mark (learners.changes, decision 0095) rides in the single write statement on
# PostgreSQL; SQLite has no data-modifying WITH, so there it is one INSERT more.
MARK = 0 if connection.vendor == "postgresql" else 1


def statements(captured):
    # Savepoints come from the test's own transaction, not from the service's work; on SQLite
    # the dashboard mark is its own statement (see MARK).
    return [
        q
        for q in captured
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        and not (MARK and 'INTO "learners_learnerchange"' in q["sql"])
    ]


def writes(captured) -> list[str]:
    """The first word of each writing statement (a PostgreSQL `WITH` holds several writes)."""
    words = [q["sql"].split(maxsplit=1)[0] for q in statements(captured.captured_queries)]
    return [word for word in words if word in ("INSERT", "UPDATE", "DELETE", "WITH")]


@pytest.fixture
def no_hooks(settings):
    # Completion hooks (certificates) are other rooms' work, measured in their own tests.
    settings.LEARNERS_ON_COURSE_COMPLETED = []


@pytest.mark.parametrize("touched", [1, 2, 3, 5])
def test_a_batch_of_20_events_costs_at_most_3_queries_plus_1_per_lesson(
    touched, no_hooks, django_assert_max_num_queries
):
    course = make_course(lessons=5, questions=3)
    user = learner(enrolled_in=course)
    events = batch(lessons_of(course)[:touched])
    with django_assert_max_num_queries(3 + touched + 2 + MARK) as captured:
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
    with django_assert_max_num_queries(3 + 3 + 2 + MARK) as captured:
        progress_record(learner=user, events=events)
    assert len(statements(captured.captured_queries)) <= 3 + 3


def test_a_batch_over_two_courses_stays_within_budget(no_hooks, django_assert_max_num_queries):
    # Two courses mean two enrollment updates: on PostgreSQL they share the lesson upsert's
    # statement, on SQLite each costs one, still within "1 per lesson touched".
    first, second = make_course(lessons=3, questions=2), make_course(lessons=3, questions=2)
    user = learner(enrolled_in=first)
    enrollment_create(learner=user, course=second)
    events = batch([lessons_of(first)[0], lessons_of(second)[0]])
    with django_assert_max_num_queries(3 + 2 + 2 + MARK) as captured:
        result = progress_record(learner=user, events=events)
    assert set(result.courses) == {first.pk, second.pk}
    assert len(statements(captured.captured_queries)) <= 3 + 2


def test_a_replayed_batch_of_20_events_writes_nothing(no_hooks, django_assert_max_num_queries):
    course = make_course(lessons=4, questions=3)
    user = learner(enrolled_in=course)
    events = batch(lessons_of(course))
    progress_record(learner=user, events=events)
    with django_assert_max_num_queries(10) as captured:
        result = progress_record(learner=user, events=events)
    assert result.duplicates == 20
    # The event insert finds every id taken; nothing else is written.
    assert writes(captured) == ["INSERT"]


def test_activity_within_the_minute_writes_only_the_events(no_hooks, django_assert_max_num_queries):
    # Last activity is kept to the minute: opening a lesson again right away changes nothing
    # but the event log, a minute later the enrollment's last activity moves.
    course = make_course(lessons=2, questions=1)
    user = learner(enrolled_in=course)
    first = lessons_of(course)[0]
    opened = timezone.now()
    progress_record(learner=user, events=batch([first], size=1), now=opened)
    again = batch([first], size=1)
    with django_assert_max_num_queries(10) as captured:
        progress_record(learner=user, events=again, now=opened + timedelta(seconds=30))
    assert writes(captured) == ["INSERT"]
    later = opened + timedelta(minutes=2)
    events = [e | {"at": later.isoformat()} for e in batch([first], size=1)]
    with django_assert_max_num_queries(10) as captured:
        progress_record(learner=user, events=events, now=later)
    # On PostgreSQL the enrollment update and the dashboard mark are one WITH statement.
    assert writes(captured) == ["INSERT", "UPDATE" if MARK else "WITH"]
    assert Enrollment.objects.get(learner=user).last_activity_at == later
