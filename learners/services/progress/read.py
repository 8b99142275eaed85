"""Read: what a batch touches, as stored — one statement after the learner's lock.

The touched lessons and every other live lesson of their courses come back in one query, each
with the learner's stored lesson state and their enrollments in the lesson's course (a JSON list
read in the same statement: one round trip fewer per batch). Validation that needs the database
happens here: a lesson that is unknown, unpublished or outside the learner's courses refuses the
batch (`LESSON_UNKNOWN`, `LESSON_NOT_ENROLLED`).
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Exists,
    F,
    FilteredRelation,
    JSONField,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import JSONObject, Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from courses.models import LessonPage

from ...models import Enrollment
from ...selectors import canonical_ids
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
    return list(
        LessonPage.objects.live()
        .filter(_siblings_of_batch(lesson_ids))
        .defer("body")
        .alias(
            mine=FilteredRelation(
                "learner_progress", condition=Q(learner_progress__learner=learner)
            )
        )
        .annotate(
            lp_status=F("mine__status"),
            lp_opened=F("mine__opened_at"),
            lp_read=F("mine__read_at"),
            lp_passed=F("mine__quiz_passed_at"),
            lp_best=F("mine__best_score"),
            my_enrollments=_enrollments_in_course_of(learner),
        )
    )


def _parent_path() -> Substr:
    """The outer page row's parent's path (tree paths are `Page.steplen` characters a level)."""
    return Substr(
        OuterRef("path"), 1, (OuterRef("depth") - 1) * Page.steplen, output_field=CharField()
    )


def _siblings_of_batch(lesson_ids: set[int]) -> Exists:
    """True for a live lesson that shares its course with one of `lesson_ids` (or is one)."""
    return Exists(
        Page.objects.filter(
            pk__in=lesson_ids, depth=OuterRef("depth"), path__startswith=_parent_path()
        )
    )


class _JSONList(Aggregate):
    """The group's values as one JSON array (SQLite `json_group_array`, PostgreSQL `jsonb_agg`)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


# Enrolled's fields and where each comes from.
_ENROLLED_COLUMNS = {
    "pk": "pk",
    "course_id": "course_id",
    "pass_mark": "course__pass_mark",
    "progress_percent": "progress_percent",
    "average_score": "average_score",
    "last_activity_at": "last_activity_at",
    "completed_at": "completed_at",
}


def _enrollments_in_course_of(learner: AbstractBaseUser) -> Subquery:
    """For a lesson row: the learner's enrollments in its course, as a JSON list (or NULL)."""
    return Subquery(
        Enrollment.objects.filter(learner=learner, course__path=_parent_path())
        .values("learner")
        .annotate(rows=_JSONList(JSONObject(**_ENROLLED_COLUMNS)))
        .values("rows"),
        output_field=JSONField(),
    )


def _stored_time(value: str | None) -> datetime | None:
    """A time from a JSON row: ISO 8601 with an offset (PostgreSQL) or naive UTC (SQLite)."""
    if value is None:
        return None
    parsed = parse_datetime(value)
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
