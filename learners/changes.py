"""Marking learners whose campaign figures may have moved (see `models.LearnerChange`).

Every write path that moves a dashboard figure calls `learners_changed` inside its own
transaction: the mark commits with the change, or neither does. The learners room does not know
about campaigns; the campaigns room's rollup refresh consumes the marks.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.utils import timezone


def learners_changed(learner_ids: Iterable[int], *, now: datetime | None = None) -> None:
    """Mark these learners (one row each) for the next rollup refresh."""
    from .models import LearnerChange

    now = now or timezone.now()
    LearnerChange.objects.bulk_create(
        [LearnerChange(learner_id=pk, marked_at=now) for pk in sorted(set(learner_ids))],
        batch_size=1000,
    )


def learner_changed_statement(learner_id: int, *, now: datetime) -> tuple[str, list]:
    """The INSERT of one mark as SQL, for writers that send their statements together
    (progress: on PostgreSQL it rides in the batch's single write statement, see
    `learners.services.progress.sql.write`).

    Explicit SQL rather than Django's private `InsertQuery`: a plain
    `INSERT INTO <table> (<learner column>, <time column>) VALUES (%s, %s)`, which PostgreSQL
    and SQLite both accept, also as a data-modifying `WITH` on PostgreSQL. Table and column
    names come from the model's metadata, quoted by the backend; the values go through each
    field's public `get_db_prep_save`, so the time is stored exactly as the ORM stores it
    (naive UTC text on SQLite, timestamptz on PostgreSQL).
    """
    from .models import LearnerChange

    opts = LearnerChange._meta
    learner, marked = opts.get_field("learner_id"), opts.get_field("marked_at")
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(opts.db_table)} ({quote(learner.column)}, {quote(marked.column)})"  # noqa: S608 - names from model metadata
        " VALUES (%s, %s)"
    )
    params = [
        learner.get_db_prep_save(learner_id, connection),
        marked.get_db_prep_save(now, connection),
    ]
    return statement, params


def events_move_figures(events: Iterable[tuple[str, datetime, list]]) -> bool:
    """Whether new progress events that changed no stored state can still move a dashboard
    figure: a quiz answer (question figures), or an event in another week than the learner's
    last activity stored in that course (weekly activity). Each event is (kind, occurred_at,
    [last activity of each enrollment in its course]). Re-opening a lesson within the minute
    is neither, and costs no mark."""
    for kind, occurred_at, lasts in events:
        if kind == "quiz":
            return True
        week = timezone.localtime(occurred_at).isocalendar()[:2]
        if not any(last and timezone.localtime(last).isocalendar()[:2] == week for last in lasts):
            return True
    return False
