"""The one write path for learning progress (`progress_record`).

A batch of client events (opened / read / quiz) is validated as a whole, then applied in one
transaction: new events are appended (the client's UUID is the primary key, so a replay is a
no-op), quiz answers are scored from the published answer key, and the learner's
`LessonProgress` rows and `Enrollment` percent, average score, last activity and completion are
updated. Any invalid event rejects the whole batch and writes nothing.

Completion hook: when an enrollment becomes complete, every dotted path in
`settings.LEARNERS_ON_COURSE_COMPLETED` is imported and called as `hook(enrollment_id=<id>)`
inside the same transaction (certificates queue their job on commit from there). A hook that
raises rolls the batch back, so a completion is never recorded without its follow-up work.

Concurrency: on PostgreSQL the learner's enrollment rows are locked (`SELECT … FOR UPDATE`)
before anything is read, so concurrent batches of one learner apply one after the other; on
SQLite the IMMEDIATE transaction mode admits one writer at a time anyway.

Statements (budget: 3 + 1 per lesson touched): the lock (PostgreSQL), one read of the lessons
with the learner's state and enrollments, the event insert, and the state writes, which are one
statement on PostgreSQL (decision 0025). The SQL itself lives in one place, `progress_sql`
(plain SQL both engines accept, no private ORM calls: decision 0070).
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    JSONField,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import JSONObject, Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from courses.selectors import lesson_quiz_key, score_quiz

from ..changes import events_move_figures, learner_changed_statement
from ..models import Enrollment, LessonProgress, ProgressEvent
from ..selectors import canonical_ids
from . import progress_sql

MAX_EVENTS = 100
# Page ids are 32-bit integers; a larger number cannot name a lesson (and overflows SQLite).
MAX_PAGE_ID = 2**31 - 1
FUTURE_TOLERANCE = timedelta(days=1)
# No learner used this before 2020: an earlier time is a broken phone clock or a forged event.
EARLIEST_EVENT = datetime(2020, 1, 1, tzinfo=UTC)
ACTIVITY_RESOLUTION = timedelta(minutes=1)

BATCH_NOT_A_LIST = _("The request must be a JSON object with a list of events.")
BATCH_EMPTY = _("The batch has no events.")
BATCH_TOO_LARGE = _("A batch holds at most %(max)s events.")
EVENT_MALFORMED = _("Event %(index)s is malformed: %(problem)s.")
EVENT_IN_FUTURE = _("Event %(index)s is dated more than a day in the future.")
LESSON_UNKNOWN = _("Lesson %(lesson)s does not exist or is not published.")
LESSON_NOT_ENROLLED = _("You are not enrolled in the course of lesson %(lesson)s.")


@dataclass(frozen=True)
class ParsedEvent:
    """One validated client event."""

    index: int
    id: uuid.UUID
    lesson_id: int
    kind: str
    at: datetime
    answers: dict[str, list[int]] | None


@dataclass(frozen=True)
class CourseState:
    """A learner's standing in one course, as stored on their enrollments."""

    percent: int
    average_score: int | None
    last_activity_at: datetime | None
    completed_at: datetime | None


@dataclass
class ProgressResult:
    """What `progress_record` did, in the shape the API returns."""

    accepted: int = 0
    duplicates: int = 0
    lessons: dict[int, dict] = field(default_factory=dict)
    courses: dict[int, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready form (ids become strings, as JSON object keys must)."""
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "lessons": {str(k): v for k, v in self.lessons.items()},
            "courses": {str(k): v for k, v in self.courses.items()},
        }


def _malformed(index: int, problem: str) -> ValidationError:
    return ValidationError(
        EVENT_MALFORMED, code="malformed", params={"index": index, "problem": problem}
    )


def _parse_answers(index: int, data) -> dict[str, list[int]]:
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise _malformed(index, "quiz data needs an answers object")
    answers = {}
    for block_id, choices in data["answers"].items():
        if not isinstance(choices, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) and 0 <= c < 100 for c in choices
        ):
            raise _malformed(index, "answers must be lists of choice indexes")
        answers[str(block_id)] = sorted(set(choices))
    return answers


def events_parse(raw, *, now: datetime) -> list[ParsedEvent]:
    """Validate the shape of a batch without touching the database."""
    if not isinstance(raw, list):
        raise ValidationError(BATCH_NOT_A_LIST, code="malformed")
    if not raw:
        raise ValidationError(BATCH_EMPTY, code="empty")
    if len(raw) > MAX_EVENTS:
        raise ValidationError(BATCH_TOO_LARGE, code="too_many", params={"max": MAX_EVENTS})
    parsed = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _malformed(index, "not an object")
        try:
            event_id = uuid.UUID(str(item.get("id")))
        except ValueError:
            raise _malformed(index, "id is not a UUID") from None
        lesson_id = item.get("lesson")
        if (
            not isinstance(lesson_id, int)
            or isinstance(lesson_id, bool)
            or not 0 < lesson_id <= MAX_PAGE_ID
        ):
            raise _malformed(index, "lesson is not a page id")
        kind = item.get("kind")
        if kind not in ProgressEvent.Kind.values:
            raise _malformed(index, "unknown kind")
        try:
            at = parse_datetime(item["at"]) if isinstance(item.get("at"), str) else None
            if at is not None:
                at = at.replace(tzinfo=UTC) if timezone.is_naive(at) else at.astimezone(UTC)
        except (ValueError, OverflowError):  # well formed but impossible: 30 February, year 0
            at = None
        if at is None:
            raise _malformed(index, "at is not an ISO 8601 time")
        if at < EARLIEST_EVENT:
            raise _malformed(index, "at is before 2020")
        if at > now + FUTURE_TOLERANCE:
            raise ValidationError(EVENT_IN_FUTURE, code="future", params={"index": index})
        answers = _parse_answers(index, item.get("data")) if kind == "quiz" else None
        parsed.append(ParsedEvent(index, event_id, lesson_id, kind, at, answers))
    return parsed


def _live_lessons():
    return LessonPage.objects.live()


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


@dataclass
class CourseFigures:
    """The learner's totals over one course's live lessons, as stored before this batch."""

    lessons: int = 0
    done: int = 0
    score_sum: int = 0
    score_count: int = 0


def _course_figures(rows) -> dict[str, CourseFigures]:
    """Totals by course path from the course's live lessons, each with the learner's state."""
    figures: dict[str, CourseFigures] = defaultdict(CourseFigures)
    for row in rows:
        course = figures[row.path[: -Page.steplen]]
        course.lessons += 1
        course.done += row.lp_status == LessonProgress.Status.COMPLETED
        if row.lp_best is not None:
            course.score_sum += row.lp_best
            course.score_count += 1
    return figures


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


class _JSONList(Aggregate):
    """The group's values as one JSON array (SQLite `json_group_array`, PostgreSQL `jsonb_agg`)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _enrollments_in_course_of(learner: AbstractBaseUser) -> Subquery:
    """For a lesson row: the learner's enrollments in its course, as a JSON list (or NULL).

    Read with the lessons rather than in a statement of its own: one round trip fewer per batch.
    """
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
    return sorted(
        (
            Enrolled(
                **{
                    **row,
                    "last_activity_at": _stored_time(row["last_activity_at"]),
                    "completed_at": _stored_time(row["completed_at"]),
                }
            )
            for row in rows or []
        ),
        key=lambda enrolled: enrolled.pk,
    )


# Answer keys of published lessons by (lesson id, live revision id, publication time): reading a
# quiz's StreamField is the costliest Python step of a batch, and a published revision never
# changes (the time guards against ids reused when a test database rolls back).
_QUIZ_KEYS: dict[tuple, dict] = {}
_QUIZ_KEYS_MAX = 2000


def _quiz_keys(lessons: dict[int, LessonPage]):
    keys: dict[int, dict] = {}

    def key_for(lesson_id: int) -> dict:
        if lesson_id not in keys:
            lesson = lessons[lesson_id]
            cache_key = (lesson_id, lesson.live_revision_id, lesson.last_published_at)
            key = _QUIZ_KEYS.get(cache_key) if lesson.live_revision_id else None
            if key is None:
                key = lesson_quiz_key(lesson)
                if lesson.live_revision_id:
                    if len(_QUIZ_KEYS) >= _QUIZ_KEYS_MAX:
                        _QUIZ_KEYS.clear()
                    _QUIZ_KEYS[cache_key] = key
            keys[lesson_id] = key
        return keys[lesson_id]

    return key_for


def _status(lp: LessonProgress, has_quiz: bool) -> str:
    if lp.read_at and (lp.quiz_passed_at or not has_quiz):
        return LessonProgress.Status.COMPLETED
    if lp.read_at:
        return LessonProgress.Status.READ
    return LessonProgress.Status.OPENED


def _earliest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


def run_completion_hooks(*, enrollment_id: int) -> None:
    """Call every `settings.LEARNERS_ON_COURSE_COMPLETED` hook for a newly completed enrollment."""
    for path in getattr(settings, "LEARNERS_ON_COURSE_COMPLETED", []):
        import_string(path)(enrollment_id=enrollment_id)


def course_state(*, learner: AbstractBaseUser, course: CoursePage) -> CourseState:
    """The learner's percent, average score and completion in `course` from their lesson rows."""
    total = _live_lessons().child_of(course).count()
    stats = LessonProgress.objects.filter(learner=learner, course=course, lesson__live=True)
    figures = stats.aggregate(
        done=Count("pk", filter=Q(status=LessonProgress.Status.COMPLETED)),
        average=Avg("best_score"),
        last=Max("updated_at"),
    )
    percent = min(100, figures["done"] * 100 // total) if total else 0
    average = round(figures["average"]) if figures["average"] is not None else None
    completed = timezone.now() if total and figures["done"] >= total else None
    return CourseState(percent, average, figures["last"], completed)


def _lesson_rows(learner: AbstractBaseUser, lesson_ids: set[int]) -> list[LessonPage]:
    """The live lessons of the batch's courses with the learner's state and enrollments."""
    return list(
        _live_lessons()
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


def _first_problem(parsed: list[ParsedEvent], rows, lesson_ids: set[int]) -> tuple | None:
    """(message, code, event index) of the first event naming an unknown or unenrolled lesson."""
    lessons = {row.pk: row for row in rows if row.pk in lesson_ids}
    for event in parsed:
        lesson = lessons.get(event.lesson_id)
        if lesson is None:
            return LESSON_UNKNOWN, "unknown_lesson", event.index
        if not lesson.my_enrollments:
            return LESSON_NOT_ENROLLED, "not_enrolled", event.index
    return None


def progress_record(
    *, learner: AbstractBaseUser, events: list, now: datetime | None = None
) -> ProgressResult:
    """Apply a batch of client progress events for `learner`; idempotent by event id.

    Raises ValidationError (nothing written) when any event is malformed, dated more than a day
    ahead, names an unknown lesson or a lesson outside the learner's enrolled courses.
    """
    now = now or timezone.now()
    parsed = events_parse(events, now=now)
    lesson_ids = {event.lesson_id for event in parsed}
    result = ProgressResult()
    with transaction.atomic():
        if connection.features.has_select_for_update:
            # PostgreSQL: concurrent batches of one learner apply one after the other. The
            # state is read in the next statement, which sees every batch committed before
            # (a locking statement's own joins would see the snapshot from before it waited).
            # SQLite needs no lock: its IMMEDIATE transactions already admit one writer at a time.
            list(
                Enrollment.objects.select_for_update()
                .filter(learner=learner)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        # The touched lessons and every other live lesson of their courses, each with the
        # learner's stored state and their enrollments in the lesson's course: validation, the
        # new state and the course totals come from these rows.
        rows = _lesson_rows(learner, lesson_ids)
        problem = _first_problem(parsed, rows, lesson_ids)
        if problem is not None:
            # Events name canonical lessons (decision 0071); one naming a translation (queued by
            # an older page, or sent by hand) is moved to its canonical lesson and read again.
            canonical = canonical_ids(lesson_ids)
            if any(canonical[pk] != pk for pk in lesson_ids):
                parsed = [replace(e, lesson_id=canonical[e.lesson_id]) for e in parsed]
                lesson_ids = {event.lesson_id for event in parsed}
                rows = _lesson_rows(learner, lesson_ids)
                problem = _first_problem(parsed, rows, lesson_ids)
            if problem is not None:
                message, code, index = problem
                sent = events[index]["lesson"]
                raise ValidationError(message, code=code, params={"lesson": sent})
        lessons = {row.pk: row for row in rows if row.pk in lesson_ids}
        figures_by_course = _course_figures(rows)
        course_of = {pk: _enrolled(lesson.my_enrollments) for pk, lesson in lessons.items()}

        key_for = _quiz_keys(lessons)
        rows, seen = [], set()
        for event in parsed:
            if event.id in seen:
                continue
            seen.add(event.id)
            score = passed = None
            if event.answers is not None:
                try:
                    score = score_quiz(key_for(event.lesson_id), event.answers)
                except ValueError as exc:
                    # An answer to a question the published lesson does not have (edited
                    # while the learner was offline): reject, naming the event to drop.
                    raise _malformed(event.index, str(exc)) from None
                passed = score >= course_of[event.lesson_id][0].pass_mark
            rows.append(
                ProgressEvent(
                    id=event.id,
                    learner=learner,
                    lesson_id=event.lesson_id,
                    kind=event.kind,
                    occurred_at=event.at,
                    received_at=now,
                    data={"answers": event.answers} if event.answers is not None else {},
                    score=score,
                    passed=passed,
                )
            )
        inserted = progress_sql.events_insert(rows)
        result.accepted = len(inserted)
        result.duplicates = len(parsed) - len(inserted)

        new_by_lesson: dict[int, list[ProgressEvent]] = defaultdict(list)
        for row in rows:
            if row.id in inserted:
                new_by_lesson[row.lesson_id].append(row)

        course_changes: dict[int, dict] = {}
        to_save: list[LessonProgress] = []
        for lesson_id in sorted(lesson_ids):
            lesson = lessons[lesson_id]
            mine = course_of[lesson_id]
            # No pk: the upsert matches the stored row by (learner, lesson), so new and changed
            # rows go in one INSERT … ON CONFLICT statement.
            lp = LessonProgress(
                learner=learner,
                lesson_id=lesson_id,
                course_id=mine[0].course_id,
                status=lesson.lp_status or LessonProgress.Status.OPENED,
                opened_at=lesson.lp_opened,
                read_at=lesson.lp_read,
                quiz_passed_at=lesson.lp_passed,
                best_score=lesson.lp_best,
            )
            before = (lp.status, lp.opened_at, lp.read_at, lp.quiz_passed_at, lp.best_score)
            for row in new_by_lesson.get(lesson_id, []):
                lp.opened_at = _earliest(lp.opened_at, row.occurred_at)
                if row.kind == ProgressEvent.Kind.READ:
                    lp.read_at = _earliest(lp.read_at, row.occurred_at)
                elif row.kind == ProgressEvent.Kind.QUIZ:
                    lp.best_score = max(lp.best_score or 0, row.score)
                    if row.passed:
                        lp.quiz_passed_at = _earliest(lp.quiz_passed_at, row.occurred_at)
            lp.status = _status(lp, bool(key_for(lesson_id)))
            after = (lp.status, lp.opened_at, lp.read_at, lp.quiz_passed_at, lp.best_score)
            if after != before:
                lp.updated_at = now
                to_save.append(lp)
            change = course_changes.setdefault(
                mine[0].course_id,
                {"completed": 0, "score_sum": 0, "score_count": 0, "last": None, "at": lesson},
            )
            was_done = lesson.lp_status == LessonProgress.Status.COMPLETED
            change["completed"] += int(lp.status == LessonProgress.Status.COMPLETED) - was_done
            if lp.best_score is not None:
                change["score_sum"] += lp.best_score - (lesson.lp_best or 0)
                change["score_count"] += int(lesson.lp_best is None)
            latest = max((r.occurred_at for r in new_by_lesson.get(lesson_id, [])), default=None)
            if latest is not None:
                change["last"] = max(filter(None, [change["last"], min(latest, now)]))
            result.lessons[lesson_id] = {"status": lp.status, "score": lp.best_score}

        writes = [progress_sql.lesson_progress_upsert(to_save)] if to_save else []
        completed_now = []
        for course_id, change in course_changes.items():
            mine = course_of[change["at"].pk]
            figures = figures_by_course[change["at"].path[: -Page.steplen]]
            done = figures.done + change["completed"]
            total = figures.lessons
            percent = min(100, done * 100 // total) if total else 0
            count = figures.score_count + change["score_count"]
            total_score = figures.score_sum + change["score_sum"]
            average = round(total_score / count) if count else None
            complete = bool(total) and done >= total
            last = change["last"]
            stale = any(
                (e.progress_percent, e.average_score, e.is_completed)
                != (percent, average, complete)
                for e in mine
            )
            # Last activity is kept to the minute: a batch that changes nothing else within a
            # minute of the last one skips the write.
            recent = last is None or all(
                e.last_activity_at and e.last_activity_at >= last - ACTIVITY_RESOLUTION
                for e in mine
            )
            if stale or not recent:
                writes.append(
                    progress_sql.enrollments_update(
                        [e.pk for e in mine],
                        percent=percent,
                        average=average,
                        last=last,
                        completed=(last or now) if complete else None,
                    )
                )
            completed_now += [e.pk for e in mine if complete and e.completed_at is None]
            result.courses[course_id] = {"percent": percent, "completed": complete}
        if inserted and (
            writes
            or events_move_figures(
                (row.kind, row.occurred_at, [e.last_activity_at for e in course_of[lesson_id]])
                for lesson_id, new in new_by_lesson.items()
                for row in new
            )
        ):
            # Dashboard rollups: mark the learner changed (campaigns' refresh, decision 0095).
            # New events may move a figure even when no state changes (a back-dated week, a
            # quiz answer); on PostgreSQL the mark rides in the same single write statement.
            writes.append(learner_changed_statement(learner.pk, now=now))
        progress_sql.write(writes)
        for enrollment_id in completed_now:
            run_completion_hooks(enrollment_id=enrollment_id)
    return result
