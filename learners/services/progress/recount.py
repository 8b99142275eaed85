"""Recount: each touched course's percent, average score and completion, and what follows.

A course's figures come from the learner's stored rows over all its live lessons (read with the
batch, `read.Stored.rows`) plus this batch's lesson changes, so no second read is needed. The
learner's enrollments in the course are updated only when a figure moves or the last activity
moves by more than a minute. An enrollment that becomes complete calls the completion hooks
(certificates) inside the same transaction, and a batch that may move a dashboard figure marks
the learner changed (campaigns' rollup refresh, decision 0095).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from wagtail.models import Page

from courses.models import CoursePage, LessonPage

from ...changes import events_move_figures, learner_changed_statement
from ...models import LessonProgress, ProgressEvent
from . import sql
from .apply import LessonChange
from .read import Enrolled, Stored

ACTIVITY_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CourseState:
    """A learner's standing in one course, as stored on their enrollments."""

    percent: int
    average_score: int | None
    last_activity_at: datetime | None
    completed_at: datetime | None


@dataclass
class CourseFigures:
    """The learner's totals over one course's live lessons: stored, then moved by the batch."""

    lessons: int = 0
    done: int = 0
    score_sum: int = 0
    score_count: int = 0
    last: datetime | None = None

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.lessons) if self.lessons else 0

    @property
    def average(self) -> int | None:
        return round(self.score_sum / self.score_count) if self.score_count else None

    @property
    def complete(self) -> bool:
        return bool(self.lessons) and self.done >= self.lessons


@dataclass
class Recount:
    """The enrollment writes, the enrollments completed by this batch, and the courses' figures
    in the shape the API returns (by course id)."""

    writes: list[sql.Statement] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    courses: dict[int, dict] = field(default_factory=dict)


def _course_path(lesson: LessonPage) -> str:
    return lesson.path[: -Page.steplen]


def course_figures(rows: list[LessonPage]) -> dict[str, CourseFigures]:
    """Totals by course path from the course's live lessons, each with the learner's state."""
    figures: dict[str, CourseFigures] = defaultdict(CourseFigures)
    for row in rows:
        course = figures[_course_path(row)]
        course.lessons += 1
        course.done += row.lp_status == LessonProgress.Status.COMPLETED
        if row.lp_best is not None:
            course.score_sum += row.lp_best
            course.score_count += 1
    return figures


def courses_recount(changes: list[LessonChange], stored: Stored, *, now: datetime) -> Recount:
    """Each touched course's figures after the batch, and the enrollment writes they need."""
    figures = course_figures(stored.rows)
    touched: dict[int, tuple[CourseFigures, list[Enrolled]]] = {}
    for change in changes:
        mine = stored.enrolled[change.lesson.pk]
        course = figures[_course_path(change.lesson)]
        touched.setdefault(mine[0].course_id, (course, mine))
        _lesson_counted(course, change, now=now)
    recount = Recount()
    for course_id, (course, mine) in touched.items():
        _enrollments_recount(recount, course_id, course, mine, now=now)
    return recount


def _lesson_counted(course: CourseFigures, change: LessonChange, *, now: datetime) -> None:
    """Move the course's totals from the lesson's stored state to its new one."""
    before, after = change.lesson, change.progress
    was_done = before.lp_status == LessonProgress.Status.COMPLETED
    course.done += int(after.status == LessonProgress.Status.COMPLETED) - was_done
    if after.best_score is not None:
        course.score_sum += after.best_score - (before.lp_best or 0)
        course.score_count += int(before.lp_best is None)
    if change.latest is not None:
        # A phone clock up to a day ahead is accepted; activity is never later than now.
        course.last = max(filter(None, [course.last, min(change.latest, now)]))


def _enrollments_recount(
    recount: Recount,
    course_id: int,
    course: CourseFigures,
    mine: list[Enrolled],
    *,
    now: datetime,
) -> None:
    """Add the course's enrollment update (when needed), completions and figures to `recount`."""
    complete = course.complete
    if _enrollments_stale(mine, course):
        recount.writes.append(
            sql.enrollments_update(
                [e.pk for e in mine],
                percent=course.percent,
                average=course.average,
                last=course.last,
                completed=(course.last or now) if complete else None,
            )
        )
    recount.completed += [e.pk for e in mine if complete and e.completed_at is None]
    recount.courses[course_id] = {"percent": course.percent, "completed": complete}


def _enrollments_stale(mine: list[Enrolled], course: CourseFigures) -> bool:
    """Whether the stored enrollments differ from the course's figures after the batch."""
    figures = (course.percent, course.average, course.complete)
    stale = any((e.progress_percent, e.average_score, e.is_completed) != figures for e in mine)
    # Last activity is kept to the minute: a batch that changes nothing else within a minute of
    # the last one skips the write.
    recent = course.last is None or all(
        e.last_activity_at and e.last_activity_at >= course.last - ACTIVITY_RESOLUTION for e in mine
    )
    return stale or not recent


def learner_mark(
    learner: AbstractBaseUser,
    new_by_lesson: dict[int, list[ProgressEvent]],
    stored: Stored,
    *,
    writes: list[sql.Statement],
    now: datetime,
) -> list[sql.Statement]:
    """The dashboard mark (learners.changes, decision 0095) when the batch may move a figure.

    New events may move a figure even when no state changes (a back-dated week, a quiz answer);
    a batch of replays only moves nothing. On PostgreSQL the mark rides in the write statement.
    """
    if not new_by_lesson:
        return []
    if writes or events_move_figures(
        (row.kind, row.occurred_at, [e.last_activity_at for e in stored.enrolled[lesson_id]])
        for lesson_id, new in new_by_lesson.items()
        for row in new
    ):
        return [learner_changed_statement(learner.pk, now=now)]
    return []


def run_completion_hooks(*, enrollment_id: int) -> None:
    """Call every `settings.LEARNERS_ON_COURSE_COMPLETED` hook for a newly completed enrollment."""
    for path in getattr(settings, "LEARNERS_ON_COURSE_COMPLETED", []):
        import_string(path)(enrollment_id=enrollment_id)


def course_state(*, learner: AbstractBaseUser, course: CoursePage) -> CourseState:
    """The learner's percent, average score and completion in `course` from their lesson rows."""
    total = LessonPage.objects.live().child_of(course).count()
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
