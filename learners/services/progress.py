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

Concurrency: the learner's enrollment rows are locked (`SELECT … FOR UPDATE`) before anything
is read, so concurrent batches of one learner apply one after the other; on SQLite the
IMMEDIATE transaction mode serialises writers anyway.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Avg,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce, Greatest, Substr
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from courses.selectors import lesson_quiz_key, score_quiz

from ..models import Enrollment, LessonProgress, ProgressEvent

MAX_EVENTS = 100
FUTURE_TOLERANCE = timedelta(days=1)
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
        if not isinstance(lesson_id, int) or isinstance(lesson_id, bool) or lesson_id <= 0:
            raise _malformed(index, "lesson is not a page id")
        kind = item.get("kind")
        if kind not in ProgressEvent.Kind.values:
            raise _malformed(index, "unknown kind")
        at = parse_datetime(item["at"]) if isinstance(item.get("at"), str) else None
        if at is None:
            raise _malformed(index, "at is not an ISO 8601 time")
        if timezone.is_naive(at):
            at = at.replace(tzinfo=UTC)
        if at > now + FUTURE_TOLERANCE:
            raise ValidationError(EVENT_IN_FUTURE, code="future", params={"index": index})
        answers = _parse_answers(index, item.get("data")) if kind == "quiz" else None
        parsed.append(ParsedEvent(index, event_id, lesson_id, kind, at, answers))
    return parsed


def _live_lessons():
    return LessonPage.objects.live()


def _siblings_of_outer_lesson(prefix: str = "") -> dict:
    """Filter kwargs selecting the live lessons of the outer lesson row's course."""
    parent_path = Substr(
        OuterRef("path"), 1, (OuterRef("depth") - 1) * Page.steplen, output_field=CharField()
    )
    return {
        f"{prefix}path__startswith": parent_path,
        f"{prefix}depth": OuterRef("depth"),
        f"{prefix}live": True,
    }


def _count(queryset, aggregate):
    values = queryset.order_by().values("learner_id").annotate(v=aggregate).values("v")
    return Coalesce(Subquery(values, output_field=IntegerField()), 0)


def _course_figures(learner_id: int) -> dict:
    """Per lesson row: its course's live lesson count and the learner's totals in that course.

    They are read in the statement after the enrollment lock so that they see every batch
    committed before it (a locking SELECT's own subqueries would use its older snapshot).
    """
    mine = LessonProgress.objects.filter(
        learner_id=learner_id, **_siblings_of_outer_lesson("lesson__")
    )
    scored = mine.filter(best_score__isnull=False)
    lessons = (
        LessonPage.objects.filter(**_siblings_of_outer_lesson())
        .order_by()
        .values("depth")
        .annotate(v=Count("pk"))
        .values("v")
    )
    return {
        "course_lessons": Coalesce(Subquery(lessons, output_field=IntegerField()), 0),
        "course_done": _count(mine.filter(status=LessonProgress.Status.COMPLETED), Count("pk")),
        "course_score_sum": _count(scored, Sum("best_score")),
        "course_score_count": _count(scored, Count("pk")),
    }


def _quiz_keys(lessons: dict[int, LessonPage]):
    keys: dict[int, dict] = {}

    def key_for(lesson_id: int) -> dict:
        if lesson_id not in keys:
            keys[lesson_id] = lesson_quiz_key(lessons[lesson_id])
        return keys[lesson_id]

    return key_for


def _insert_new_events(rows: list[ProgressEvent]) -> set[uuid.UUID]:
    """Insert events, skipping ids already stored; return the ids this call inserted."""
    if not rows:
        return set()
    fields = list(ProgressEvent._meta.concrete_fields)
    # bulk_create(ignore_conflicts=True) cannot say which rows were new; INSERT … ON CONFLICT DO
    # NOTHING RETURNING id (PostgreSQL, SQLite ≥ 3.35) does, in the same single statement.
    inserted = ProgressEvent._base_manager._insert(
        rows,
        fields=fields,
        returning_fields=[ProgressEvent._meta.pk],
        on_conflict=OnConflict.IGNORE,
    )
    return {row[0] for row in inserted if row is not None}


def _save_lesson_progress(created: list[LessonProgress], changed: list[LessonProgress]) -> None:
    """Write new and changed rows with the fewest statements (one per row, or one per kind)."""
    fields = ["status", "opened_at", "read_at", "quiz_passed_at", "best_score", "updated_at"]
    if len(created) + len(changed) <= int(bool(created)) + int(bool(changed)):
        for lp in created:
            lp.save(force_insert=True)
        for lp in changed:
            lp.save(force_update=True, update_fields=fields)
        return
    if created:
        LessonProgress.objects.bulk_create(created)
    if changed:
        LessonProgress.objects.bulk_update(changed, fields)


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
        enrollments = list(
            Enrollment.objects.select_for_update(of=("self",))
            .filter(learner=learner)
            .select_related("course")
        )
        lessons = {
            lesson.pk: lesson
            for lesson in _live_lessons()
            .filter(pk__in=lesson_ids)
            .alias(
                mine=FilteredRelation(
                    "learner_progress", condition=Q(learner_progress__learner=learner)
                )
            )
            .annotate(
                lp_id=F("mine__id"),
                lp_status=F("mine__status"),
                lp_opened=F("mine__opened_at"),
                lp_read=F("mine__read_at"),
                lp_passed=F("mine__quiz_passed_at"),
                lp_best=F("mine__best_score"),
                **_course_figures(learner.pk),
            )
        }
        courses_by_path = {e.course.path: e for e in enrollments}
        course_of: dict[int, Enrollment] = {}
        for event in parsed:
            lesson = lessons.get(event.lesson_id)
            if lesson is None:
                raise ValidationError(
                    LESSON_UNKNOWN, code="unknown_lesson", params={"lesson": event.lesson_id}
                )
            enrollment = courses_by_path.get(lesson.path[: -Page.steplen])
            if enrollment is None:
                raise ValidationError(
                    LESSON_NOT_ENROLLED, code="not_enrolled", params={"lesson": event.lesson_id}
                )
            course_of[lesson.pk] = enrollment

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
                passed = score >= course_of[event.lesson_id].course.pass_mark
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
        inserted = _insert_new_events(rows)
        result.accepted = len(inserted)
        result.duplicates = len(parsed) - len(inserted)

        new_by_lesson: dict[int, list[ProgressEvent]] = defaultdict(list)
        for row in rows:
            if row.id in inserted:
                new_by_lesson[row.lesson_id].append(row)

        course_changes: dict[int, dict] = {}
        created: list[LessonProgress] = []
        changed: list[LessonProgress] = []
        for lesson_id in sorted(lesson_ids):
            lesson = lessons[lesson_id]
            enrollment = course_of[lesson_id]
            lp = LessonProgress(
                pk=lesson.lp_id,
                learner=learner,
                lesson_id=lesson_id,
                course_id=enrollment.course_id,
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
                (created if lp.pk is None else changed).append(lp)
            change = course_changes.setdefault(
                enrollment.course_id,
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

        _save_lesson_progress(created, changed)

        completed_now = []
        for course_id, change in course_changes.items():
            mine = [e for e in enrollments if e.course_id == course_id]
            figures = change["at"]
            done = figures.course_done + change["completed"]
            total = figures.course_lessons
            percent = min(100, done * 100 // total) if total else 0
            count = figures.course_score_count + change["score_count"]
            total_score = figures.course_score_sum + change["score_sum"]
            average = round(total_score / count) if count else None
            complete = bool(total) and done >= total
            last = change["last"]
            updates = {"progress_percent": percent, "average_score": average}
            if last is not None:
                updates["last_activity_at"] = Greatest(
                    Coalesce(F("last_activity_at"), Value(last)), Value(last)
                )
            if complete:
                updates["completed_at"] = Coalesce(F("completed_at"), Value(last or now))
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
                Enrollment.objects.filter(pk__in=[e.pk for e in mine]).update(**updates)
            completed_now += [e.pk for e in mine if complete and e.completed_at is None]
            result.courses[course_id] = {"percent": percent, "completed": complete}
        for enrollment_id in completed_now:
            run_completion_hooks(enrollment_id=enrollment_id)
    return result
