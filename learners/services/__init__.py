"""Writes of the learners room; the one write path for progress (see `progress`)."""

from .enrollment import enrollment_create, enrollments_create_many
from .progress import (
    BATCH_EMPTY,
    BATCH_NOT_A_LIST,
    BATCH_TOO_LARGE,
    EVENT_IN_FUTURE,
    EVENT_MALFORMED,
    LESSON_NOT_ENROLLED,
    LESSON_UNKNOWN,
    MAX_EVENTS,
    ProgressResult,
    course_state,
    progress_record,
    run_completion_hooks,
)

__all__ = [
    "BATCH_EMPTY",
    "BATCH_NOT_A_LIST",
    "BATCH_TOO_LARGE",
    "EVENT_IN_FUTURE",
    "EVENT_MALFORMED",
    "LESSON_NOT_ENROLLED",
    "LESSON_UNKNOWN",
    "MAX_EVENTS",
    "ProgressResult",
    "course_state",
    "enrollment_create",
    "enrollments_create_many",
    "progress_record",
    "run_completion_hooks",
]
