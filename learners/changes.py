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
