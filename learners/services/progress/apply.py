"""Apply: a batch's events become stored events (idempotently) and the learner's lesson rows.

Each event is stored once: the client's UUID is the primary key, and the insert skips ids already
stored and reports which ones were new (`sql.events_insert`); only new events move the learner's
state, so a replayed batch changes nothing. Quiz answers are scored here from the published
answer key; a stored quiz event is a quiz attempt (`QuizAttempt` is its proxy model). The lesson
rows are the learner's whole state for each touched lesson, recomputed under the lock from the
stored state plus the new events, and written in one upsert.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from courses.models import LessonPage
from courses.selectors import lesson_quiz_key, score_quiz

from ...models import LessonProgress, ProgressEvent
from . import sql
from .parse import ParsedEvent, malformed
from .read import Stored

# Answer keys of published lessons by (lesson id, live revision id, publication time): reading a
# quiz's StreamField is the costliest Python step of a batch, and a published revision never
# changes (the time guards against ids reused when a test database rolls back).
_QUIZ_KEYS: dict[tuple, dict] = {}
_QUIZ_KEYS_MAX = 2000

QuizKeys = Callable[[int], dict]


@dataclass(frozen=True)
class LessonChange:
    """One touched lesson after the batch: its stored row (`lp_*` is the state before), the
    learner's new state, whether that differs, and the latest new event's time (or None)."""

    lesson: LessonPage
    progress: LessonProgress
    changed: bool
    latest: datetime | None


def quiz_keys(lessons: dict[int, LessonPage]) -> QuizKeys:
    """A lookup of the answer key of each of `lessons` by id, each read at most once."""
    keys: dict[int, dict] = {}

    def key_for(lesson_id: int) -> dict:
        if lesson_id not in keys:
            keys[lesson_id] = _published_key(lessons[lesson_id])
        return keys[lesson_id]

    return key_for


def _published_key(lesson: LessonPage) -> dict:
    """`lesson`'s answer key, from the cache when its live revision was read before."""
    if not lesson.live_revision_id:
        return lesson_quiz_key(lesson)
    cache_key = (lesson.pk, lesson.live_revision_id, lesson.last_published_at)
    key = _QUIZ_KEYS.get(cache_key)
    if key is None:
        key = lesson_quiz_key(lesson)
        if len(_QUIZ_KEYS) >= _QUIZ_KEYS_MAX:
            _QUIZ_KEYS.clear()
        _QUIZ_KEYS[cache_key] = key
    return key


def event_rows(
    learner: AbstractBaseUser,
    events: list[ParsedEvent],
    stored: Stored,
    key_for: QuizKeys,
    *,
    now: datetime,
) -> list[ProgressEvent]:
    """The batch's events as rows to insert, scored; an id sent twice in the batch counts once."""
    rows, seen = [], set()
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        score, passed = _scored(
            event, key_for, pass_mark=stored.enrolled[event.lesson_id][0].pass_mark
        )
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
    return rows


def _scored(event: ParsedEvent, key_for: QuizKeys, *, pass_mark: int) -> tuple:
    """(score, passed) of a quiz event from the published key; (None, None) for other kinds."""
    if event.answers is None:
        return None, None
    try:
        score = score_quiz(key_for(event.lesson_id), event.answers)
    except ValueError as exc:
        # An answer to a question the published lesson does not have (edited while the learner
        # was offline): reject, naming the event to drop.
        raise malformed(event.index, str(exc)) from None
    return score, score >= pass_mark


def events_insert(rows: list[ProgressEvent]) -> dict[int, list[ProgressEvent]]:
    """Store `rows`, skipping ids already stored; the new ones by lesson id (idempotent)."""
    inserted: set[uuid.UUID] = sql.events_insert(rows)
    new_by_lesson: dict[int, list[ProgressEvent]] = defaultdict(list)
    for row in rows:
        if row.id in inserted:
            new_by_lesson[row.lesson_id].append(row)
    return dict(new_by_lesson)


def lessons_apply(
    learner: AbstractBaseUser,
    stored: Stored,
    new_by_lesson: dict[int, list[ProgressEvent]],
    key_for: QuizKeys,
    *,
    now: datetime,
) -> list[LessonChange]:
    """Every touched lesson's new state for the learner, in lesson id order."""
    return [
        lesson_apply(
            learner,
            stored.lessons[lesson_id],
            course_id=stored.enrolled[lesson_id][0].course_id,
            new=new_by_lesson.get(lesson_id, []),
            has_quiz=bool(key_for(lesson_id)),
            now=now,
        )
        for lesson_id in sorted(stored.lessons)
    ]


def lesson_apply(
    learner: AbstractBaseUser,
    lesson: LessonPage,
    *,
    course_id: int,
    new: list[ProgressEvent],
    has_quiz: bool,
    now: datetime,
) -> LessonChange:
    """One lesson's state: the stored row moved by the new events (times only move earlier)."""
    # No pk: the upsert matches the stored row by (learner, lesson), so new and changed rows go
    # in one INSERT … ON CONFLICT statement.
    lp = LessonProgress(
        learner=learner,
        lesson_id=lesson.pk,
        course_id=course_id,
        status=lesson.lp_status or LessonProgress.Status.OPENED,
        opened_at=lesson.lp_opened,
        read_at=lesson.lp_read,
        quiz_passed_at=lesson.lp_passed,
        best_score=lesson.lp_best,
    )
    before = _state(lp)
    for row in new:
        _event_apply(lp, row)
    lp.status = _status(lp, has_quiz)
    changed = _state(lp) != before
    if changed:
        lp.updated_at = now
    latest = max((row.occurred_at for row in new), default=None)
    return LessonChange(lesson, lp, changed, latest)


def _state(lp: LessonProgress) -> tuple:
    return (lp.status, lp.opened_at, lp.read_at, lp.quiz_passed_at, lp.best_score)


def _event_apply(lp: LessonProgress, row: ProgressEvent) -> None:
    lp.opened_at = _earliest(lp.opened_at, row.occurred_at)
    if row.kind == ProgressEvent.Kind.READ:
        lp.read_at = _earliest(lp.read_at, row.occurred_at)
    elif row.kind == ProgressEvent.Kind.QUIZ:
        lp.best_score = max(lp.best_score or 0, row.score)
        if row.passed:
            lp.quiz_passed_at = _earliest(lp.quiz_passed_at, row.occurred_at)


def _earliest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


def _status(lp: LessonProgress, has_quiz: bool) -> str:
    if lp.read_at and (lp.quiz_passed_at or not has_quiz):
        return LessonProgress.Status.COMPLETED
    if lp.read_at:
        return LessonProgress.Status.READ
    return LessonProgress.Status.OPENED


def lesson_writes(changes: list[LessonChange]) -> list[sql.Statement]:
    """The upsert of the lesson rows that changed, as one statement (none if nothing changed)."""
    changed = [change.progress for change in changes if change.changed]
    return [sql.lesson_progress_upsert(changed)] if changed else []
