"""THE ONE PLACE WITH HAND-WRITTEN SQL for the progress write path.

Why plain SQL: a batch must (1) insert its events skipping ids already stored *and* learn which
ones were new, and (2) upsert the learner's lesson rows and update their enrollments, all in as
few round trips as the statement budget allows (decision 0025). The public ORM cannot say which
rows `bulk_create(ignore_conflicts=True)` inserted, and Django's private query classes (used here
before) broke on SQLite when every event of a batch was a replay (decision 0070).

Every statement below is standard SQL that PostgreSQL and SQLite ≥ 3.35 both accept:
`INSERT … ON CONFLICT … DO NOTHING RETURNING`, `INSERT … ON CONFLICT … DO UPDATE SET x =
excluded.x`, and `UPDATE … SET … = CASE … END`. Values go through each field's public
`get_db_prep_save`, so UUIDs, times and JSON are stored exactly as the ORM stores them; table and
column names come from the models' `db_table` / `column`, never from input.
"""

import uuid
from datetime import datetime

from django.db import connection

from ...models import Enrollment, LessonProgress, ProgressEvent

Statement = tuple[str, list]

_EVENT_FIELDS = [
    "id",
    "learner",
    "lesson",
    "kind",
    "occurred_at",
    "received_at",
    "data",
    "score",
    "passed",
]
_PROGRESS_FIELDS = [
    "learner",
    "lesson",
    "course",
    "status",
    "opened_at",
    "read_at",
    "quiz_passed_at",
    "best_score",
    "updated_at",
]
# Replaced on conflict: the rows are the learner's whole current state, computed under the lock.
_PROGRESS_REPLACED = [
    "status",
    "opened_at",
    "read_at",
    "quiz_passed_at",
    "best_score",
    "updated_at",
]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _values(model, names: list[str], objs: list) -> tuple[str, list]:
    """`(%s, …), (%s, …)` and the adapted parameters for `objs`' values of fields `names`."""
    fields = [model._meta.get_field(name) for name in names]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(getattr(obj, field.attname), connection)
        for obj in objs
        for field in fields
    ]
    return ", ".join([row] * len(objs)), params


def _columns(model, names: list[str]) -> str:
    return ", ".join(_q(model._meta.get_field(name).column) for name in names)


def events_insert(rows: list[ProgressEvent]) -> set[uuid.UUID]:
    """Insert `rows`, skipping ids already stored; return the ids this statement inserted."""
    if not rows:
        return set()
    values, params = _values(ProgressEvent, _EVENT_FIELDS, rows)
    pk = ProgressEvent._meta.pk
    sql = (
        f"INSERT INTO {_q(ProgressEvent._meta.db_table)}"  # noqa: S608 - names from model metadata
        f" ({_columns(ProgressEvent, _EVENT_FIELDS)})"
        f" VALUES {values} ON CONFLICT ({_q(pk.column)}) DO NOTHING RETURNING {_q(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # PostgreSQL returns UUIDs, SQLite the 32-character hex text the ORM stores.
        return {pk.to_python(value) for (value,) in cursor.fetchall()}


def lesson_progress_upsert(rows: list[LessonProgress]) -> Statement:
    """`INSERT … ON CONFLICT (learner, lesson) DO UPDATE` of the learner's changed lesson rows."""
    values, params = _values(LessonProgress, _PROGRESS_FIELDS, rows)
    opts = LessonProgress._meta
    replaced = ", ".join(
        f"{col} = excluded.{col}"
        for col in (_q(opts.get_field(name).column) for name in _PROGRESS_REPLACED)
    )
    sql = (
        f"INSERT INTO {_q(opts.db_table)}"  # noqa: S608 - names from model metadata
        f" ({_columns(LessonProgress, _PROGRESS_FIELDS)})"
        f" VALUES {values} ON CONFLICT ({_columns(LessonProgress, ['learner', 'lesson'])})"
        f" DO UPDATE SET {replaced}"
    )
    return sql, params


def enrollments_update(
    pks: list[int],
    *,
    percent: int,
    average: int | None,
    last: datetime | None,
    completed: datetime | None,
) -> Statement:
    """`UPDATE` of the learner's enrollments in one course.

    Last activity only moves forward; a completion time, once set, is kept.
    """
    opts = Enrollment._meta

    def prep(name: str, value):
        return opts.get_field(name).get_db_prep_save(value, connection)

    last_col, done_col = _q("last_activity_at"), _q("completed_at")
    sets = [f"{_q('progress_percent')} = %s", f"{_q('average_score')} = %s"]
    params = [prep("progress_percent", percent), prep("average_score", average)]
    if last is not None:
        sets.append(
            f"{last_col} = CASE WHEN {last_col} IS NULL OR {last_col} < %s"
            f" THEN %s ELSE {last_col} END"
        )
        params += [prep("last_activity_at", last)] * 2
    if completed is not None:
        sets.append(f"{done_col} = COALESCE({done_col}, %s)")
        params.append(prep("completed_at", completed))
    in_list = ", ".join(["%s"] * len(pks))
    sql = (
        f"UPDATE {_q(opts.db_table)} SET {', '.join(sets)}"  # noqa: S608 - values are %s params
        f" WHERE {_q(opts.pk.column)} IN ({in_list})"
    )
    return sql, params + list(pks)


def write(statements: list[Statement]) -> None:
    """Run the batch's state writes; on PostgreSQL as one statement.

    PostgreSQL runs data-modifying `WITH` queries in one statement (one round trip), each on a
    different table or row set, so they cannot see or step on each other. SQLite has no
    data-modifying `WITH`: there they run one after the other, in the same transaction.
    """
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            *first, (last_sql, _) = statements
            ctes = ", ".join(f"write_{i} AS ({sql})" for i, (sql, _) in enumerate(first))
            sql = f"WITH {ctes} {last_sql}" if ctes else last_sql
            cursor.execute(sql, [param for _, params in statements for param in params])
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
