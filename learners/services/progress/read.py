"""Read: what a batch touches, as stored — one statement after the learner's lock.

The touched lessons and every other live lesson of their courses come back in one query, each
with the learner's stored lesson state and their enrollments in the lesson's course (a JSON list
read in the same statement: one round trip fewer per batch). Validation that needs the database
happens here: a lesson that is unknown, unpublished or outside the learner's courses refuses the
batch (`LESSON_UNKNOWN`, `LESSON_NOT_ENROLLED`).
"""

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from courses.models import LessonPage

from ...models import Enrollment
from ...selectors import canonical_ids
from . import sql
from .parse import ParsedEvent

LESSON_UNKNOWN = _("Lesson %(lesson)s does not exist or is not published.")
LESSON_NOT_ENROLLED = _("You are not enrolled in the course of lesson %(lesson)s.")


@dataclass(frozen=True)
class Enrolled:
    """One of the learner's enrollments in a lesson's course, as stored before this batch."""

    pk: int
    course_id: int
    pass_mark: int
    progress_percent: int
    average_score: int | None
    last_activity_at: datetime | None
    completed_at: datetime | None

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class Stored:
    """The batch's lessons as stored: `rows` are every live lesson of the touched courses (each
    with the learner's state as `lp_*` attributes), `lessons` the touched ones by id, `enrolled`
    the learner's enrollments in each touched lesson's course (never empty), by lesson id."""

    rows: list[LessonPage]
    lessons: dict[int, LessonPage]
    enrolled: dict[int, list[Enrolled]]


def learner_lock(learner: AbstractBaseUser) -> None:
    """PostgreSQL: lock the learner's enrollments, so their concurrent batches apply in turn.

    The state is read in the next statement, which sees every batch committed before (a locking
    statement's own joins would see the snapshot from before it waited). SQLite needs no lock:
    its IMMEDIATE transactions already admit one writer at a time.
    """
    if connection.features.has_select_for_update:
        list(
            Enrollment.objects.select_for_update()
            .filter(learner=learner)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def batch_read(
    learner: AbstractBaseUser, parsed: list[ParsedEvent]
) -> tuple[list[ParsedEvent], Stored]:
    """The batch's events (on canonical lessons) and its lessons as stored; or the refusal.

    Events name canonical lessons (decision 0071); one naming a translation (queued by an older
    page, or sent by hand) is moved to its canonical lesson and the lessons are read again.
    """
    events = parsed
    rows, problem = _rows_checked(learner, events)
    if problem is not None and (moved := _on_canonical_lessons(parsed)) is not None:
        events = moved
        rows, problem = _rows_checked(learner, events)
    if problem is not None:
        message, code, index = problem
        # `parsed` keeps the lesson ids as sent: the phone knows its events by those.
        raise ValidationError(message, code=code, params={"lesson": parsed[index].lesson_id})
    lesson_ids = {event.lesson_id for event in events}
    lessons = {row.pk: row for row in rows if row.pk in lesson_ids}
    enrolled = {pk: _enrolled(lesson.my_enrollments) for pk, lesson in lessons.items()}
    return events, Stored(rows, lessons, enrolled)


def _rows_checked(
    learner: AbstractBaseUser, events: list[ParsedEvent]
) -> tuple[list, tuple | None]:
    """The lesson rows for `events`, and the first problem with them (or None)."""
    lesson_ids = {event.lesson_id for event in events}
    rows = lesson_rows(learner, lesson_ids)
    return rows, _first_problem(events, rows, lesson_ids)


def _on_canonical_lessons(parsed: list[ParsedEvent]) -> list[ParsedEvent] | None:
    """`parsed` with each lesson replaced by its canonical translation; None if none moves."""
    canonical = canonical_ids({event.lesson_id for event in parsed})
    if all(canonical[pk] == pk for pk in canonical):
        return None
    return [replace(event, lesson_id=canonical[event.lesson_id]) for event in parsed]


def _first_problem(events: list[ParsedEvent], rows, lesson_ids: set[int]) -> tuple | None:
    """(message, code, event index) of the first event naming an unknown or unenrolled lesson."""
    lessons = {row.pk: row for row in rows if row.pk in lesson_ids}
    for event in events:
        lesson = lessons.get(event.lesson_id)
        if lesson is None:
            return LESSON_UNKNOWN, "unknown_lesson", event.index
        if not lesson.my_enrollments:
            return LESSON_NOT_ENROLLED, "not_enrolled", event.index
    return None


def lesson_rows(learner: AbstractBaseUser, lesson_ids: set[int]) -> list[LessonPage]:
    """The live lessons of the batch's courses with the learner's state and enrollments."""
    statement, params = sql.lesson_rows_select(learner.pk, sorted(lesson_ids))
    rows = list(LessonPage.objects.raw(statement, params))
    for row in rows:
        # Plain columns beside the model's: converted here as the ORM converts its own.
        row.lp_opened = _stored_time(row.lp_opened)
        row.lp_read = _stored_time(row.lp_read)
        row.lp_passed = _stored_time(row.lp_passed)
        if isinstance(row.my_enrollments, str):  # SQLite returns JSON as text
            row.my_enrollments = json.loads(row.my_enrollments)
    return rows


def _stored_time(value: str | datetime | None) -> datetime | None:
    """A stored time: ISO 8601 with an offset (PostgreSQL JSON), naive UTC text (SQLite), or a
    `datetime` the driver made (PostgreSQL columns)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    return parsed.replace(tzinfo=UTC) if timezone.is_naive(parsed) else parsed


def _enrolled(rows: list[dict] | None) -> list[Enrolled]:
    """The JSON enrollment rows of one lesson as `Enrolled`, in primary key order."""
    enrolled = [
        Enrolled(
            **row
            | {
                "last_activity_at": _stored_time(row["last_activity_at"]),
                "completed_at": _stored_time(row["completed_at"]),
            }
        )
        for row in rows or []
    ]
    return sorted(enrolled, key=lambda one: one.pk)
