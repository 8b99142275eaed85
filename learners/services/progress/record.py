"""`progress_record`: one batch, parsed, then read, applied and recounted in one transaction."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from . import apply, read, recount, sql
from .parse import events_parse


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


def progress_record(
    *, learner: AbstractBaseUser, events: list, now: datetime | None = None
) -> ProgressResult:
    """Apply a batch of client progress events for `learner`; idempotent by event id.

    Raises ValidationError (nothing written) when any event is malformed, dated more than a day
    ahead, names an unknown lesson or a lesson outside the learner's enrolled courses.
    """
    now = now or timezone.now()
    parsed = events_parse(events, now=now)
    with transaction.atomic():
        read.learner_lock(learner)
        parsed, stored = read.batch_read(learner, parsed)
        key_for = apply.quiz_keys(stored.lessons)
        rows = apply.event_rows(learner, parsed, stored, key_for, now=now)
        new_by_lesson = apply.events_insert(rows)
        changes = apply.lessons_apply(learner, stored, new_by_lesson, key_for, now=now)
        recounted = recount.courses_recount(changes, stored, now=now)
        writes = apply.lesson_writes(changes) + recounted.writes
        writes += recount.learner_mark(learner, new_by_lesson, stored, writes=writes, now=now)
        sql.write(writes)
        for enrollment_id in recounted.completed:
            recount.run_completion_hooks(enrollment_id=enrollment_id)
    accepted = sum(len(new) for new in new_by_lesson.values())
    return ProgressResult(
        accepted=accepted,
        duplicates=len(parsed) - accepted,
        lessons={
            c.lesson.pk: {"status": c.progress.status, "score": c.progress.best_score}
            for c in changes
        },
        courses=recounted.courses,
    )
