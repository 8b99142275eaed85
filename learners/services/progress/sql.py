"""THE ONE PLACE WITH HAND-WRITTEN SQL for the progress write path.

Why plain SQL: a batch must (1) insert its events skipping ids already stored *and* learn which
ones were new, and (2) upsert the learner's lesson rows and update their enrollments, all in as
few round trips as the statement budget allows (decision 0025). (3) Its one read, the touched
courses' lessons with the learner's state and enrollments, is written out too: built by the ORM
it cost half of a batch's CPU in building SQL, on every batch (issue 18, decision 0195).

The public ORM cannot say which rows `bulk_create(ignore_conflicts=True)` inserted, and Django's
private query classes (used here before) broke on SQLite when every event of a batch was a replay
(decision 0070).

Every statement below is standard SQL that PostgreSQL and SQLite ≥ 3.35 both accept:
`INSERT … ON CONFLICT … DO NOTHING RETURNING`, `INSERT … ON CONFLICT … DO UPDATE SET x =
excluded.x`, and `UPDATE … SET … = CASE … END`. Values go through each field's public
`get_db_prep_save`, so UUIDs, times and JSON are stored exactly as the ORM stores them; table and
column names come from the models' `db_table` / `column`, never from input.
"""

import uuid
from datetime import datetime

from django.db import connection
from wagtail.models import Page

from courses.models import CoursePage, LessonPage

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


_LESSON_STATE = {  # LessonProgress field → attribute of the lesson row
    "status": "lp_status",
    "opened_at": "lp_opened",
    "read_at": "lp_read",
    "quiz_passed_at": "lp_passed",
    "best_score": "lp_best",
}
# Enrolled's keys (read.py) → Enrollment field, or the course's pass mark.
_ENROLLED = {
    "pk": "id",
    "course_id": "course",
    "progress_percent": "progress_percent",
    "average_score": "average_score",
    "last_activity_at": "last_activity_at",
    "completed_at": "completed_at",
}


def _col(model, name: str) -> str:
    return _q(model._meta.get_field(name).column)


def _enrollments_json() -> str:
    """`aggregate(build('pk', e.id, …, 'pass_mark', c.pass_mark))` for the enrollments of the
    outer lesson's course (PostgreSQL `JSONB_AGG`, SQLite `JSON_GROUP_ARRAY`)."""
    if connection.vendor == "postgresql":
        aggregate, build = "JSONB_AGG", "JSONB_BUILD_OBJECT"
    else:
        aggregate, build = "JSON_GROUP_ARRAY", "JSON_OBJECT"
    pairs = ", ".join(f"'{key}', e.{_col(Enrollment, name)}" for key, name in _ENROLLED.items())
    return f"{aggregate}({build}({pairs}, 'pass_mark', c.{_col(CoursePage, 'pass_mark')}))"


def _parent_path(table: str) -> str:
    """The tree path of `table`'s row's parent: its own without the last `Page.steplen` digits."""
    path = _col(Page, "path")
    return f"SUBSTR({table}.{path}, 1, LENGTH({table}.{path}) - {Page.steplen})"


def lesson_rows_select(learner_id: int, lesson_ids: list[int]) -> Statement:
    """The live lessons sharing a course with `lesson_ids`, each with the learner's state.

    Columns: every lesson column but `body` (the rows become `LessonPage`s through the public
    `Manager.raw`), the learner's lesson state as `lp_*`, and `my_enrollments`: the learner's
    enrollments in the lesson's course as one JSON array (NULL when none). A lesson's course is
    its parent page.
    """
    page, lesson = _q(Page._meta.db_table), _q(LessonPage._meta.db_table)
    columns = ", ".join(
        f"{_q(field.model._meta.db_table)}.{_q(field.column)}"
        for field in LessonPage._meta.concrete_fields
        if field.name != "body"
    )
    state = ", ".join(
        f"mine.{_col(LessonProgress, name)} AS {alias}" for name, alias in _LESSON_STATE.items()
    )
    pk, depth = _q(Page._meta.pk.column), _col(Page, "depth")
    course_pk = _q(CoursePage._meta.pk.column)
    in_list = ", ".join(["%s"] * len(lesson_ids))
    sql = (
        f"SELECT {columns}, {state},"  # noqa: S608 - names from model metadata, values %s params
        f" (SELECT {_enrollments_json()} FROM {_q(Enrollment._meta.db_table)} e"
        f" JOIN {_q(CoursePage._meta.db_table)} c ON c.{course_pk} = e.{_col(Enrollment, 'course')}"
        f" JOIN {page} cp ON cp.{pk} = c.{course_pk}"
        f" WHERE e.{_col(Enrollment, 'learner')} = %s"
        f" AND cp.{_col(Page, 'path')} = {_parent_path(page)}) AS my_enrollments"
        f" FROM {lesson} JOIN {page} ON {page}.{pk} = {lesson}.{_q(LessonPage._meta.pk.column)}"
        f" LEFT JOIN {_q(LessonProgress._meta.db_table)} mine"
        f" ON mine.{_col(LessonProgress, 'lesson')} = {page}.{pk}"
        f" AND mine.{_col(LessonProgress, 'learner')} = %s"
        f" WHERE {page}.{_col(Page, 'live')} AND EXISTS (SELECT 1 FROM {page} b"
        f" WHERE b.{pk} IN ({in_list}) AND b.{depth} = {page}.{depth}"
        f" AND {_parent_path('b')} = {_parent_path(page)})"
        f" ORDER BY {page}.{_col(Page, 'path')}"
    )
    return sql, [learner_id, learner_id, *lesson_ids]


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
