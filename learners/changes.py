"""Marking learners whose campaign figures may have moved (see `models.LearnerChange`).

Every write path that moves a dashboard figure calls `learners_changed` inside its own
transaction: the mark commits with the change, or neither does. The learners room does not know
about campaigns; the campaigns room's rollup refresh consumes the marks.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection
from django.db.models.sql import InsertQuery
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
    (progress: on PostgreSQL it rides in the batch's single write statement)."""
    from .models import LearnerChange

    opts = LearnerChange._meta
    query = InsertQuery(LearnerChange)
    query.insert_values(
        [f for f in opts.concrete_fields if not f.primary_key],
        [LearnerChange(learner_id=learner_id, marked_at=now)],
    )
    [statement] = query.get_compiler(connection=connection).as_sql()
    return statement


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
