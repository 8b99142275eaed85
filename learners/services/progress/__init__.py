"""The one write path for learning progress (`progress_record`), in plain parts.

A batch of client events (opened / read / quiz), sent by a phone that may have been offline for
days, goes through four steps, each a module whose functions fit on a screen:

- `parse`: the JSON batch into typed events; anything malformed refuses the whole batch with a
  reason (a 400 from the API). No database.
- `read`: under the learner's lock, one statement reads the touched lessons and every other live
  lesson of their courses, with the learner's stored state and enrollments; an unknown lesson or
  one outside the learner's courses refuses the batch.
- `apply`: quiz answers scored from the published key, events inserted idempotently (the client's
  UUID is the primary key: a replay is a no-op that reports duplicates), the lesson rows moved.
- `recount`: each touched course's percent, average score and completion on the enrollments; the
  completion hooks (`settings.LEARNERS_ON_COURSE_COMPLETED`, called as `hook(enrollment_id=…)`
  inside the transaction: certificates queue their job on commit from there, and a hook that
  raises rolls the batch back); the learner's dashboard mark.

`record.progress_record` runs them in one transaction. The SQL the ORM cannot say (insert skipping
stored ids and returning the new ones; one write statement on PostgreSQL) is in one place, `sql`:
explicit, commented, accepted by SQLite and PostgreSQL, no private Django internals (decision 0070).

Concurrency: on PostgreSQL the learner's enrollment rows are locked (`SELECT … FOR UPDATE`)
before anything is read, so concurrent batches of one learner apply one after the other; on
SQLite the IMMEDIATE transaction mode admits one writer at a time anyway.

Statements (budget: 3 + 1 per lesson touched): the lock (PostgreSQL), the read, the event insert,
and the state writes, which are one statement on PostgreSQL (decision 0025).
"""

from .parse import (
    BATCH_EMPTY,
    BATCH_NOT_A_LIST,
    BATCH_TOO_LARGE,
    EVENT_IN_FUTURE,
    EVENT_MALFORMED,
    MAX_EVENTS,
    ParsedEvent,
    events_parse,
)
from .read import LESSON_NOT_ENROLLED, LESSON_UNKNOWN
from .record import ProgressResult, progress_record
from .recount import CourseState, course_state, run_completion_hooks

__all__ = [
    "BATCH_EMPTY",
    "BATCH_NOT_A_LIST",
    "BATCH_TOO_LARGE",
    "EVENT_IN_FUTURE",
    "EVENT_MALFORMED",
    "LESSON_NOT_ENROLLED",
    "LESSON_UNKNOWN",
    "MAX_EVENTS",
    "CourseState",
    "ParsedEvent",
    "ProgressResult",
    "course_state",
    "events_parse",
    "progress_record",
    "run_completion_hooks",
]
