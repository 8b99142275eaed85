"""A campaign's rollup tables: each learner's share, applied in full or only for changed learners.

Definitions (docs/decisions/0041-dashboard-rollups.md):
- a campaign's learners are the users with at least one enrollment in it;
- a learner's cohort is the lowest cohort id on their enrollments in the campaign (normally they
  all carry the same one); their region is the region whose code is their profile's village
  code, else their cohort's village, else unknown;
- active in the last 7 days: the latest `last_activity_at` of their campaign enrollments is
  at most 7 days before the refresh;
- completed: every one of their enrollments in the campaign is completed; the week of completion
  is that of their last `completed_at`;
- certificates: issued (not revoked) certificates of the campaign;
- weekly active: learners with at least one progress event on a lesson of the campaign's courses
  that week (weeks start on Monday, local time);
- lesson funnel: learners with progress in the lesson (started) and with it completed, among
  learners enrolled in that course through the campaign;
- missed question: a quiz attempt whose choices differ from the question's current answer key.

Every rollup row is a sum over learners. A learner's *share* is what they add to each row
(`_shares`), kept in `LearnerRollup`. The full rebuild sums every learner's share; the
incremental refresh (decision 0095) recomputes only the learners marked in
`learners.LearnerChange` (and those whose 7-day activity ran out), and applies the difference
between their new and stored shares. Both paths compute shares with the same function, so they
give the same figures; the tests compare both with an independent computation.
"""

# ruff: noqa: S608 - the SQL here takes table and column names from model metadata (quoted by
# the backend) and every value as a parameter.

import base64
import datetime
import json
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import TruncWeek
from django.utils import timezone

from campaigns.models import (
    CourseRollup,
    LearnerRollup,
    LessonRollup,
    QuestionRollup,
    RegionRollup,
    RollupState,
    WeeklyRollup,
)
from core.models import Campaign, Cohort, Region

ACTIVE_WINDOW = datetime.timedelta(days=7)
ROLLUP_MODELS = (RegionRollup, CourseRollup, WeeklyRollup, LessonRollup, QuestionRollup)
# Learners read per query (ids named in the query use the (learner, …) indexes of every table).
LEARNER_CHUNK = 500
# Marks read per step of the incremental refresh.
MARK_CHUNK = 5000
# On PostgreSQL the full rebuild runs in SQL (`_rebuild_in_sql`); tests switch it off to compare.
SQL_REBUILD = True


def week_start(moment: datetime.datetime) -> datetime.date:
    """The Monday (local time) of the week `moment` falls in."""
    day = timezone.localtime(moment).date()
    return day - datetime.timedelta(days=day.weekday())


# --- shares ------------------------------------------------------------------------------------
# A share maps a rollup row's key to the learner's counts in it. Every kind carries the learner's
# region, so an office below the campaign's region reads every figure of its subtree through the
# rows' region path (decision 0131):
#   ("r", cohort, region)                    -> [enrolled, active_7d, completed, certificates]
#   ("c", cohort, region, course)            -> [enrolled, active_7d, completed, certificates]
#   ("w", cohort, region, "YYYY-MM-DD")      -> [joined, active, completed]
#   ("l", cohort, region, lesson)            -> [started, completed]
#   ("q", cohort, region, lesson, question)  -> [answered, missed]

KEY_LENGTH = {"r": 3, "c": 4, "w": 4, "l": 4, "q": 5}
COUNT_FIELDS = {
    "r": ("enrolled", "active_7d", "completed", "certificates"),
    "c": ("enrolled", "active_7d", "completed", "certificates"),
    "w": ("joined", "active", "completed"),
    "l": ("started", "completed"),
    "q": ("answered", "missed"),
}
MODEL_OF = {
    "r": RegionRollup,
    "c": CourseRollup,
    "w": WeeklyRollup,
    "l": LessonRollup,
    "q": QuestionRollup,
}


# Stored shares are compact text, compressed: a learner's share is some 40 entries, and as a JSON
# array 500 of them made each bulk insert a megabyte that took over a second to quote and parse.
# The string sits in the JSON column as one JSON string. (Shares stored before every kind carried
# a region were dropped by migration 0013_rollups_region_path: every campaign rebuilds once.)


def _field(value) -> str:
    return "" if value is None else str(value)


def _int_or_none(text: str):
    return int(text) if text else None


def share_dump(share: dict) -> str:
    text = ";".join(
        ",".join([*map(_field, key), *map(str, counts)]) for key, counts in share.items()
    )
    return base64.b64encode(zlib.compress(text.encode(), 1)).decode("ascii")


PLAIN = "t:"  # a share the set-based rebuild wrote in SQL: the same text, not compressed


def share_load(stored) -> dict:
    if not stored:
        return {}
    share = {}
    if stored.startswith(PLAIN):
        text = stored[len(PLAIN) :]
    else:
        text = zlib.decompress(base64.b64decode(stored)).decode()
    for entry in text.split(";"):
        parts = entry.split(",")
        kind, size = parts[0], KEY_LENGTH[parts[0]]
        key = [kind, _int_or_none(parts[1]), _int_or_none(parts[2])]
        if kind == "w":
            key.append(parts[3])
        elif kind != "r":
            key.append(int(parts[3]))
        if kind == "q":
            key.append(parts[4])
        share[tuple(key)] = [int(n) for n in parts[size:]]
    return share


@dataclass
class CampaignContext:
    """What every share of one campaign needs: its lessons, quiz keys, cohorts' villages."""

    campaign: Campaign
    lesson_ids: list = field(default_factory=list)
    course_of: dict = field(default_factory=dict)
    position: dict = field(default_factory=dict)
    keys: dict = field(default_factory=dict)
    prompts: dict = field(default_factory=dict)
    cohort_village: dict = field(default_factory=dict)

    @classmethod
    def of(cls, campaign: Campaign) -> "CampaignContext":
        from courses.selectors import course_lessons, lesson_quiz_key

        ctx = cls(campaign)
        index = 0
        for course in campaign.courses.order_by("path"):
            for lesson in course_lessons(course):
                index += 1
                ctx.lesson_ids.append(lesson.pk)
                ctx.course_of[lesson.pk] = course.pk
                ctx.position[lesson.pk] = index
                key = lesson_quiz_key(lesson)
                if key:
                    ctx.keys[lesson.pk] = key
                for child in lesson.quiz:
                    ctx.prompts[(lesson.pk, child.id)] = str(child.value.get("prompt", ""))[:300]
        ctx.cohort_village = dict(
            Cohort.objects.filter(campaign=campaign).values_list("pk", "village_id")
        )
        return ctx


def _chunks(ids, size=None):
    ids = sorted(ids)
    size = size or LEARNER_CHUNK
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _add(share: dict, key: tuple, counts: list) -> None:
    current = share.get(key)
    if current is None:
        share[key] = list(counts)
    else:
        for i, n in enumerate(counts):
            current[i] += n


def _shares(ctx: CampaignContext, learner_ids: list, as_of: datetime.datetime) -> dict:
    """{learner id: (share, expires_at)} for learners of the campaign among `learner_ids`
    (at most a chunk); a learner with no enrollment in the campaign has no entry."""
    from learners.accounts.models import LearnerProfile
    from learners.certificates.models import Certificate
    from learners.models import Enrollment, LessonProgress, ProgressEvent, QuizAttempt

    campaign = ctx.campaign
    enrollments = defaultdict(list)
    for row in Enrollment.objects.filter(campaign=campaign, learner_id__in=learner_ids).values_list(
        "learner_id", "course_id", "cohort_id", "enrolled_at", "last_activity_at", "completed_at"
    ):
        enrollments[row[0]].append(row)
    if not enrollments:
        return {}
    present = sorted(enrollments)
    villages = dict(
        LearnerProfile.objects.filter(user_id__in=present).values_list("user_id", "village_code")
    )
    codes = sorted({code for code in villages.values() if code})
    region_of_code = dict(Region.objects.filter(code__in=codes).values_list("code", "pk"))
    certificates = defaultdict(int)
    for learner_id, course_id in Certificate.objects.filter(
        campaign=campaign, learner_id__in=present, status=Certificate.Status.ISSUED
    ).values_list("learner_id", "course_id"):
        certificates[(learner_id, course_id)] += 1
    weeks = defaultdict(set)
    if ctx.lesson_ids:
        tz = ZoneInfo(settings.TIME_ZONE)
        for learner_id, week in (
            ProgressEvent.objects.filter(learner_id__in=present, lesson_id__in=ctx.lesson_ids)
            .annotate(week=TruncWeek("occurred_at", tzinfo=tz))
            .values_list("learner_id", "week")
            .distinct()
            .order_by()
        ):
            day = week.date() if isinstance(week, datetime.datetime) else week
            weeks[learner_id].add(day.isoformat())
    progress = defaultdict(list)
    if ctx.lesson_ids:
        for learner_id, lesson_id, course_id, status in LessonProgress.objects.filter(
            learner_id__in=present, lesson_id__in=ctx.lesson_ids
        ).values_list("learner_id", "lesson_id", "course_id", "status"):
            progress[learner_id].append((lesson_id, course_id, status))
    attempts = defaultdict(list)
    if ctx.keys:
        for learner_id, lesson_id, data in QuizAttempt.objects.filter(
            learner_id__in=present, lesson_id__in=list(ctx.keys)
        ).values_list("learner_id", "lesson_id", "data"):
            attempts[learner_id].append((lesson_id, data))

    since = as_of - ACTIVE_WINDOW
    result = {}
    for learner_id, rows in enrollments.items():
        cohorts = sorted(row[2] for row in rows if row[2] is not None)
        cohort = cohorts[0] if cohorts else None
        region = region_of_code.get(villages.get(learner_id) or "")
        if region is None and cohort is not None:
            region = ctx.cohort_village.get(cohort)
        lasts = [row[4] for row in rows if row[4] is not None]
        active = bool(lasts) and max(lasts) >= since
        expiries = [last + ACTIVE_WINDOW for last in lasts if last >= since]
        completed = all(row[5] is not None for row in rows)
        own_certificates = sum(certificates.get((learner_id, row[1]), 0) for row in rows)
        share: dict = {}
        _add(share, ("r", cohort, region), [1, int(active), int(completed), own_certificates])
        courses = set()
        for _learner, course_id, _cohort, _joined, last, done in rows:
            courses.add(course_id)
            _add(
                share,
                ("c", cohort, region, course_id),
                [
                    1,
                    int(last is not None and last >= since),
                    int(done is not None),
                    certificates.get((learner_id, course_id), 0),
                ],
            )
        joined = week_start(min(row[3] for row in rows)).isoformat()
        _add(share, ("w", cohort, region, joined), [1, 0, 0])
        if completed:
            done_at = max(row[5] for row in rows)
            _add(share, ("w", cohort, region, week_start(done_at).isoformat()), [0, 0, 1])
        for week in weeks.get(learner_id, ()):
            _add(share, ("w", cohort, region, week), [0, 1, 0])
        for lesson_id, course_id, status in progress.get(learner_id, ()):
            if course_id in courses and ctx.course_of.get(lesson_id) is not None:
                done = int(status == LessonProgress.Status.COMPLETED)
                _add(share, ("l", cohort, region, lesson_id), [1, done])
        for lesson_id, data in attempts.get(learner_id, ()):
            answers = (data or {}).get("answers", {})
            for question_id, question in ctx.keys[lesson_id].items():
                missed = int(frozenset(answers.get(question_id, ())) != question.correct)
                _add(share, ("q", cohort, region, lesson_id, question_id), [1, missed])
        result[learner_id] = (share, min(expiries, default=None))
    return result


# --- rollup rows from keys -----------------------------------------------------------------------


def _new_row(ctx: CampaignContext, key: tuple, counts: list, paths: dict):
    kind, cohort, region = key[0], key[1], key[2]
    values = dict(zip(COUNT_FIELDS[kind], counts, strict=True))
    common = {"campaign": ctx.campaign, "cohort_id": cohort, "region_path": paths.get(region, "")}
    if kind == "r":
        return RegionRollup(**common, region_id=region, **values)
    if kind == "c":
        return CourseRollup(**common, course_id=key[3], **values)
    if kind == "w":
        return WeeklyRollup(**common, week=datetime.date.fromisoformat(key[3]), **values)
    if kind == "l":
        return LessonRollup(
            **common,
            course_id=ctx.course_of[key[3]],
            lesson_id=key[3],
            position=ctx.position[key[3]],
            **values,
        )
    return QuestionRollup(
        **common,
        lesson_id=key[3],
        question_id=key[4],
        question_text=ctx.prompts.get((key[3], key[4]), ""),
        **values,
    )


def _region_paths(keys) -> dict:
    ids = {key[2] for key in keys if key[2] is not None}
    return dict(Region.objects.filter(pk__in=ids).values_list("pk", "path"))


# How the incremental refresh finds a key's row: the columns that identify it besides campaign
# and cohort (the region by its path, "" when unknown, so no NULL needs matching), and the
# columns only an inserted row needs.
_MATCH = {
    "r": ("region_path",),
    "c": ("region_path", "course_id"),
    "w": ("region_path", "week"),
    "l": ("region_path", "lesson_id"),
    "q": ("region_path", "lesson_id", "question_id"),
}
_EXTRA = {
    "r": ("region_id",),
    "c": (),
    "w": (),
    "l": ("course_id", "position"),
    "q": ("question_text",),
}
_DELTA_ROWS = 300  # VALUES rows per statement (parameters stay far below SQLite's limit)


def _sql_type(model, column: str) -> str:
    """The type a VALUES column is cast to, so PostgreSQL never guesses from a NULL or a
    quoted literal; SQLite keeps dates as ISO text, as Django stores them there."""
    from django.db import connection

    internal = model._meta.get_field(column).get_internal_type()
    if internal == "DateField":
        return "date" if connection.vendor == "postgresql" else "text"
    if internal in ("CharField", "TextField"):
        return "varchar(300)"
    return "bigint"


def _key_values(ctx: CampaignContext, kind: str, key: tuple, paths: dict) -> list:
    """The match and extra column values of one key, in `_MATCH` + `_EXTRA` order."""
    region = key[2]
    path = paths.get(region, "")
    if kind == "r":
        return [path, region]
    if kind == "c":
        return [path, key[3]]
    if kind == "w":
        return [path, key[3]]
    if kind == "l":
        return [path, key[3], ctx.course_of[key[3]], ctx.position[key[3]]]
    return [path, key[3], key[4], ctx.prompts.get((key[3], key[4]), "")]


def _apply_kind(ctx: CampaignContext, kind: str, changes: list, paths: dict) -> None:
    """Add one kind's deltas to its rollup rows with three set-based statements per batch of
    keys: UPDATE the rows that exist, INSERT those that do not, DELETE rows whose counts all
    reached zero (the full rebuild writes no empty rows). The deltas travel as a VALUES list in
    a WITH clause; PostgreSQL and SQLite (≥ 3.33, UPDATE … FROM) both run these statements.
    Rows with and without a cohort go in separate batches, so the cohort is matched with a
    plain `=` (indexed) or `IS NULL`."""
    from django.db import connection

    model = MODEL_OF[kind]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    match, extra, counts = _MATCH[kind], _EXTRA[kind], COUNT_FIELDS[kind]
    names = ["cohort_id", *match, *extra, *counts]
    types = [_sql_type(model, name) for name in names]
    row_sql = "(" + ", ".join(f"CAST(%s AS {t})" for t in types) + ")"
    columns = ", ".join(quote(n) for n in names)
    sets = ", ".join(f"{quote(n)} = t.{quote(n)} + d.{quote(n)}" for n in counts)
    inserted = ", ".join(quote(n) for n in ["campaign_id", *names])
    selected = ", ".join(f"d.{quote(n)}" for n in names)
    zero = " AND ".join(f"t.{quote(n)} = 0" for n in counts)
    campaign = ctx.campaign.pk
    for with_cohort in (True, False):
        rows = [
            [key[1], *_key_values(ctx, kind, key, paths), *delta]
            for key, delta in changes
            if (key[1] is not None) == with_cohort
        ]
        same = " AND ".join(
            [
                "t.campaign_id = %s",
                "t.cohort_id = d.cohort_id" if with_cohort else "t.cohort_id IS NULL",
                *(f"t.{quote(m)} = d.{quote(m)}" for m in match),
            ]
        )
        for start in range(0, len(rows), _DELTA_ROWS):
            batch = rows[start : start + _DELTA_ROWS]
            params = [value for row in batch for value in row]
            head = f"WITH d ({columns}) AS (VALUES {', '.join([row_sql] * len(batch))}) "
            # Names come from model metadata (quoted by the backend), values are parameters.
            update = f"{head}UPDATE {table} AS t SET {sets} FROM d WHERE {same}"
            insert = (
                f"{head}INSERT INTO {table} ({inserted}) SELECT %s, {selected} FROM d "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {same})"
            )
            delete = (
                f"{head}DELETE FROM {table} WHERE id IN "
                f"(SELECT t.id FROM {table} AS t, d WHERE {same} AND {zero})"
            )
            with connection.cursor() as cursor:
                cursor.execute(update, [*params, campaign])
                cursor.execute(insert, [*params, campaign, campaign])
                cursor.execute(delete, [*params, campaign])


def _apply_delta(ctx: CampaignContext, delta: dict) -> None:
    """Add `delta` (key -> counts, possibly negative) to the campaign's rollup rows; a row whose
    counts all reach zero is deleted (the full rebuild never writes empty rows)."""
    by_kind = defaultdict(list)
    for key, counts in delta.items():
        if any(counts):
            by_kind[key[0]].append((key, counts))
    paths = _region_paths([key for changes in by_kind.values() for key, _counts in changes])
    for kind in sorted(by_kind):
        _apply_kind(ctx, kind, by_kind[kind], paths)


# --- full rebuild ---------------------------------------------------------------------------------


def rollup_rebuild(*, campaign_id: int, as_of: datetime.datetime | None = None) -> RollupState:
    """Recompute every rollup of one campaign from the raw tables; replaces the old rows.

    Holds the campaign's RollupState row locked throughout, so the incremental refresh leaves
    this campaign alone meanwhile (its marks stay and are applied after, against the new shares).
    """
    from learners.models import Enrollment

    started_at = timezone.now()
    as_of = as_of or started_at
    campaign = Campaign.objects.get(pk=campaign_id)
    with transaction.atomic():
        state, _ = RollupState.objects.get_or_create(
            campaign=campaign, defaults={"built_at": started_at, "as_of": as_of}
        )
        RollupState.objects.select_for_update().filter(pk=state.pk).first()
        ctx = CampaignContext.of(campaign)
        if SQL_REBUILD and connection.vendor == "postgresql":
            _rebuild_in_sql(ctx, as_of)
            state.built_at = started_at
            state.as_of = as_of
            state.save(update_fields=["built_at", "as_of"])
            return state
        learner_ids = set(
            Enrollment.objects.filter(campaign=campaign).values_list("learner_id", flat=True)
        )
        totals: dict = {}
        learner_rows = []
        for chunk in _chunks(learner_ids):
            for learner_id, (share, expires_at) in _shares(ctx, chunk, as_of).items():
                for key, counts in share.items():
                    _add(totals, key, counts)
                learner_rows.append(
                    LearnerRollup(
                        campaign=campaign,
                        learner_id=learner_id,
                        share=share_dump(share),
                        expires_at=expires_at,
                    )
                )
        paths = _region_paths(totals)
        for model in (*ROLLUP_MODELS, LearnerRollup):
            model.objects.filter(campaign=campaign).delete()
        by_model = defaultdict(list)
        for key, counts in totals.items():
            if any(counts):
                by_model[MODEL_OF[key[0]]].append(_new_row(ctx, key, counts, paths))
        for model, rows in by_model.items():
            model.objects.bulk_create(rows, batch_size=1000)
        LearnerRollup.objects.bulk_create(learner_rows, batch_size=1000)
        state.built_at = started_at
        state.as_of = as_of
        state.save(update_fields=["built_at", "as_of"])
    return state


# --- full rebuild in SQL (PostgreSQL) ----------------------------------------------------------
# The same shares as `_shares`, computed by the server for the whole campaign at once: one pass
# over each raw table instead of a few queries and a Python loop per 500 learners (at 1 M learners
# the Python rebuild took over an hour; see decision 0130). Every entry of every learner's share
# goes into a temporary table; the rollup rows are its sums per key, and each learner's stored
# share is its entries as text (the form `share_load` reads, marked PLAIN). The PostgreSQL tests
# run every figure test through this path, SQLite runs `_shares`; both are compared with the same
# independent computation, and the incremental refresh (which uses `_shares`) applies its
# differences against the shares stored here.


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _entries_sql(ctx: CampaignContext) -> tuple[list, str, dict]:
    """The statements that fill the temporary tables rollup_e, rollup_lr and rollup_certs, and the
    SELECT of every share entry of the campaign's learners from them:
    (learner_id, kind, cohort, region, item, label, n1, n2, n3, n4, expires_at)."""
    from learners.accounts.models import LearnerProfile
    from learners.certificates.models import Certificate
    from learners.models import Enrollment, LessonProgress, ProgressEvent

    # The Monday of the week, local time, as `week_start` gives it.
    week = "to_char(date_trunc('week', {} AT TIME ZONE %(tz)s), 'YYYY-MM-DD')"
    parts = [
        # r: one per learner
        """SELECT lr.learner_id, 'r' AS kind, lr.cohort, lr.region, NULL::bigint AS item,
                  ''::text AS label, 1 AS n1, COALESCE((lr.last >= %(since)s)::int, 0) AS n2,
                  lr.done::int AS n3, COALESCE(lc.n, 0) AS n4
           FROM rollup_lr lr LEFT JOIN (
               SELECT e.learner_id, sum(c.n) AS n FROM rollup_e e JOIN rollup_certs c
               ON c.learner_id = e.learner_id AND c.course_id = e.course_id
               GROUP BY e.learner_id) lc ON lc.learner_id = lr.learner_id""",
        # c: one per enrollment
        """SELECT e.learner_id, 'c', lr.cohort, lr.region, e.course_id, '', 1,
                  COALESCE((e.last_activity_at >= %(since)s)::int, 0),
                  (e.completed_at IS NOT NULL)::int, COALESCE(c.n, 0)
           FROM rollup_e e JOIN rollup_lr lr ON lr.learner_id = e.learner_id
           LEFT JOIN rollup_certs c ON c.learner_id = e.learner_id AND c.course_id = e.course_id""",
        # w: the week they joined, and the week they completed
        f"""SELECT lr.learner_id, 'w', lr.cohort, lr.region, NULL, {week.format("lr.joined")},
                  1, 0, 0, 0 FROM rollup_lr lr""",
        f"""SELECT lr.learner_id, 'w', lr.cohort, lr.region, NULL, {week.format("lr.done_at")},
                  0, 0, 1, 0 FROM rollup_lr lr WHERE lr.done""",
    ]
    if ctx.lesson_ids:
        parts += [
            # w: weeks with a progress event on a lesson of the campaign
            f"""SELECT DISTINCT ev.learner_id, 'w', lr.cohort, lr.region, NULL::bigint,
                      {week.format("ev.occurred_at")}, 0, 1, 0, 0
               FROM {_table(ProgressEvent)} ev JOIN rollup_lr lr ON lr.learner_id = ev.learner_id
               WHERE ev.lesson_id = ANY(%(lessons)s)""",
            # l: lesson progress in a course the learner takes through the campaign
            f"""SELECT lp.learner_id, 'l', lr.cohort, lr.region, lp.lesson_id, '', 1,
                      (lp.status = %(completed)s)::int, 0, 0
               FROM {_table(LessonProgress)} lp JOIN rollup_lr lr ON lr.learner_id = lp.learner_id
               WHERE lp.lesson_id = ANY(%(lessons)s) AND EXISTS (
                   SELECT 1 FROM rollup_e e WHERE e.learner_id = lp.learner_id
                   AND e.course_id = lp.course_id)""",
        ]
    if ctx.keys:
        # q: each question of each quiz answer; missed when the set of choices differs from the
        # key's (both as sorted arrays of distinct JSON values; no array means no choice).
        parts.append(
            f"""SELECT ev.learner_id, 'q', lr.cohort, lr.region, ev.lesson_id, k.question, 1,
                      (COALESCE((SELECT jsonb_agg(x ORDER BY x) FROM (SELECT DISTINCT x FROM
                          jsonb_array_elements(CASE WHEN jsonb_typeof(
                              ev.data -> 'answers' -> k.question) = 'array'
                          THEN ev.data -> 'answers' -> k.question ELSE '[]'::jsonb END) x) s),
                          '[]'::jsonb) <> k.correct)::int, 0, 0
               FROM {_table(ProgressEvent)} ev JOIN rollup_lr lr ON lr.learner_id = ev.learner_id
               JOIN keys k ON k.lesson = ev.lesson_id
               WHERE ev.kind = 'quiz' AND ev.lesson_id = ANY(%(keyed)s)"""
        )
    keys_rows = [
        (lesson_id, question_id, json.dumps(sorted(question.correct)))
        for lesson_id, questions in ctx.keys.items()
        for question_id, question in questions.items()
    ]
    # psycopg's client-side binding with named parameters: every value by name.
    named = {
        "campaign": ctx.campaign.pk,
        "tz": settings.TIME_ZONE,
        "completed": LessonProgress.Status.COMPLETED,
        "issued": Certificate.Status.ISSUED,
        "lessons": list(ctx.lesson_ids),
        "keyed": list(ctx.keys),
    }
    values = []
    for index, (lesson_id, question_id, correct) in enumerate(keys_rows):
        named.update({f"kl{index}": lesson_id, f"kq{index}": question_id, f"kc{index}": correct})
        values.append(f"(%(kl{index})s::bigint, %(kq{index})s::text, %(kc{index})s::jsonb)")
    if not values:
        values = ["(NULL::bigint, NULL::text, NULL::jsonb)"]
    keys_cte = f"keys (lesson, question, correct) AS (VALUES {', '.join(values)})"
    body = " UNION ALL ".join(parts)
    # The campaign's enrollments, learners and certificates first, each in a temporary table the
    # planner has statistics for (as CTEs it guessed 200 learners and chose index lookups into
    # the event table per learner: hours at 1 M learners instead of one scan).
    prelude = [
        f"""CREATE TEMPORARY TABLE rollup_e ON COMMIT DROP AS
            SELECT learner_id, course_id, cohort_id, enrolled_at, last_activity_at, completed_at
            FROM {_table(Enrollment)} WHERE campaign_id = %(campaign)s""",
        f"""CREATE TEMPORARY TABLE rollup_lr ON COMMIT DROP AS
            SELECT l.*, COALESCE(r.id, co.village_id) AS region FROM (
                SELECT learner_id, min(cohort_id) AS cohort, max(last_activity_at) AS last,
                       bool_and(completed_at IS NOT NULL) AS done, max(completed_at) AS done_at,
                       min(enrolled_at) AS joined,
                       min(last_activity_at) FILTER (WHERE last_activity_at >= %(since)s)
                           + interval '7 days' AS expires_at
                FROM rollup_e GROUP BY learner_id) l
            LEFT JOIN {_table(LearnerProfile)} p ON p.user_id = l.learner_id
            LEFT JOIN {_table(Region)} r ON r.code = p.village_code AND p.village_code <> ''
            LEFT JOIN {_table(Cohort)} co ON co.id = l.cohort""",
        f"""CREATE TEMPORARY TABLE rollup_certs ON COMMIT DROP AS
            SELECT learner_id, course_id, count(*) AS n FROM {_table(Certificate)}
            WHERE campaign_id = %(campaign)s AND status = %(issued)s GROUP BY 1, 2""",
    ]
    sql = f"""
        WITH {keys_cte}
        SELECT entry.*, lr.expires_at FROM ({body}) entry (learner_id, kind, cohort, region, item,
            label, n1, n2, n3, n4) JOIN rollup_lr lr ON lr.learner_id = entry.learner_id
    """
    return prelude, sql, named


def _rebuild_in_sql(ctx: CampaignContext, as_of: datetime.datetime) -> None:
    """Replace the campaign's rollup rows and stored shares, all in SQL (caller holds the lock)."""
    campaign = ctx.campaign
    prelude, sql, params = _entries_sql(ctx)
    params["since"] = as_of - ACTIVE_WINDOW
    lessons = [(lesson, ctx.course_of[lesson], ctx.position[lesson]) for lesson in ctx.lesson_ids]
    prompts = [(lesson, question, text) for (lesson, question), text in ctx.prompts.items()]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for name in ("rollup_entry", "rollup_e", "rollup_lr", "rollup_certs", "rollup_lesson"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        for statement in prelude:
            cursor.execute(statement, params)
            cursor.execute(f"ANALYZE {statement.split()[3]}")
        cursor.execute(f"CREATE TEMPORARY TABLE rollup_entry ON COMMIT DROP AS {sql}", params)
        cursor.execute("ANALYZE rollup_entry")
        for model in (*ROLLUP_MODELS, LearnerRollup):
            model.objects.filter(campaign=campaign).delete()
        cursor.execute(
            "CREATE TEMPORARY TABLE rollup_lesson (lesson bigint, course bigint, position int,"
            " question text, prompt text) ON COMMIT DROP"
        )
        rows = [(lesson, course, position, None, None) for lesson, course, position in lessons]
        rows += [(lesson, None, None, question, text) for lesson, question, text in prompts]
        if rows:
            cursor.executemany("INSERT INTO rollup_lesson VALUES (%s, %s, %s, %s, %s)", rows)
        path = f"COALESCE((SELECT path FROM {_table(Region)} WHERE id = x.region), '')"
        grouped = (
            "FROM (SELECT cohort, region, item, label, sum(n1) AS n1, sum(n2) AS n2, "
            "sum(n3) AS n3, sum(n4) AS n4 FROM rollup_entry WHERE kind = %s "
            "GROUP BY cohort, region, item, label) x"
        )
        statements = {
            RegionRollup: (
                "region_id, region_path, enrolled, active_7d, completed, certificates",
                f"x.region, {path}, x.n1, x.n2, x.n3, x.n4 {grouped}",
                "r",
            ),
            CourseRollup: (
                "course_id, region_path, enrolled, active_7d, completed, certificates",
                f"x.item, {path}, x.n1, x.n2, x.n3, x.n4 {grouped}",
                "c",
            ),
            WeeklyRollup: (
                "week, region_path, joined, active, completed",
                f"x.label::date, {path}, x.n1, x.n2, x.n3 {grouped}",
                "w",
            ),
            LessonRollup: (
                "course_id, lesson_id, position, region_path, started, completed",
                f"m.course, x.item, m.position, {path}, x.n1, x.n2 {grouped} "
                "JOIN rollup_lesson m ON m.lesson = x.item AND m.question IS NULL",
                "l",
            ),
            QuestionRollup: (
                "lesson_id, question_id, question_text, region_path, answered, missed",
                f"x.item, x.label, COALESCE(m.prompt, ''), {path}, x.n1, x.n2 {grouped} "
                "LEFT JOIN rollup_lesson m ON m.lesson = x.item AND m.question = x.label",
                "q",
            ),
        }
        for model, (columns, select, kind) in statements.items():
            cursor.execute(
                f"INSERT INTO {_table(model)} (campaign_id, cohort_id, {columns}) "
                f"SELECT %s, x.cohort, {select}",
                [campaign.pk, kind],
            )
        # Each learner's share: their entries summed per key, as the text `share_load` reads.
        entry = (
            "kind || ',' || COALESCE(cohort::text, '') || ',' || COALESCE(region::text, '')"
            " || CASE kind WHEN 'r' THEN '' WHEN 'w' THEN ',' || label"
            " WHEN 'q' THEN ',' || item || ',' || label ELSE ',' || item END"
            " || ',' || n1 || ',' || n2"
            " || CASE WHEN kind IN ('r', 'c') THEN ',' || n3 || ',' || n4"
            " WHEN kind = 'w' THEN ',' || n3 ELSE '' END"
        )
        cursor.execute(
            f"INSERT INTO {_table(LearnerRollup)} (campaign_id, learner_id, share, expires_at) "
            f"SELECT %s, learner_id, to_jsonb(%s || string_agg({entry}, ';')), min(expires_at) "
            "FROM (SELECT learner_id, kind, cohort, region, item, label, sum(n1) AS n1, "
            "sum(n2) AS n2, sum(n3) AS n3, sum(n4) AS n4, min(expires_at) AS expires_at "
            "FROM rollup_entry GROUP BY learner_id, kind, cohort, region, item, label) s "
            "GROUP BY learner_id",
            [campaign.pk, PLAIN],
        )
        for name in ("rollup_entry", "rollup_e", "rollup_lr", "rollup_certs", "rollup_lesson"):
            cursor.execute(f"DROP TABLE {name}")


# --- incremental refresh --------------------------------------------------------------------------


def _subtract(delta: dict, share: dict) -> None:
    for key, counts in share.items():
        current = delta.get(key)
        if current is None:
            delta[key] = [-n for n in counts]
        else:
            for i, n in enumerate(counts):
                current[i] -= n


def _apply_learners(campaign: Campaign, learner_ids: set, as_of: datetime.datetime) -> int:
    """Replace these learners' shares in the campaign's rollups (caller holds the state lock).

    Per chunk of learners: one read of their stored shares, `_shares` (a handful of grouped
    queries), one upsert of the new shares and one delete of the learners who left; then the
    summed difference goes to the rollup rows in set-based statements (`_apply_kind`)."""
    ctx = CampaignContext.of(campaign)
    delta: dict = {}
    for chunk in _chunks(learner_ids):
        for stored in LearnerRollup.objects.filter(
            campaign=campaign, learner_id__in=chunk
        ).values_list("share", flat=True):
            _subtract(delta, share_load(stored))
        new = _shares(ctx, chunk, as_of)
        for share, _expires_at in new.values():
            for key, counts in share.items():
                _add(delta, key, counts)
        gone = [learner_id for learner_id in chunk if learner_id not in new]
        if gone:
            LearnerRollup.objects.filter(campaign=campaign, learner_id__in=gone).delete()
        LearnerRollup.objects.bulk_create(
            [
                LearnerRollup(
                    campaign=campaign,
                    learner_id=learner_id,
                    share=share_dump(share),
                    expires_at=expires_at,
                )
                for learner_id, (share, expires_at) in new.items()
            ],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["learner_id", "campaign"],
            update_fields=["share", "expires_at"],
        )
    _apply_delta(ctx, delta)
    return len(learner_ids)


@dataclass
class RefreshResult:
    learners: int = 0
    campaigns: int = 0
    skipped: set = field(default_factory=set)


def _touched(learner_ids: list) -> dict[int, set]:
    """{campaign id: learners} for every campaign these learners are in, or were counted in."""
    from learners.models import Enrollment

    touched = defaultdict(set)
    for chunk in _chunks(learner_ids):
        for campaign_id, learner_id in (
            Enrollment.objects.filter(learner_id__in=chunk, campaign__isnull=False)
            .values_list("campaign_id", "learner_id")
            .distinct()
            .order_by()
        ):
            touched[campaign_id].add(learner_id)
        for campaign_id, learner_id in LearnerRollup.objects.filter(
            learner_id__in=chunk
        ).values_list("campaign_id", "learner_id"):
            touched[campaign_id].add(learner_id)
    return touched


def rollups_apply_changes(*, now: datetime.datetime | None = None) -> RefreshResult:
    """The incremental refresh: apply every marked learner (and every learner whose 7-day
    activity has run out) to the rollups of each campaign they are or were counted in.

    Cost: a few queries per 500 changed learners and campaign, plus one per campaign touched;
    nothing reads a whole campaign or the event table. A campaign being rebuilt in full (its
    state row locked) or never built is skipped and its learners' marks kept for the next run.
    """
    from learners.models import LearnerChange

    now = now or timezone.now()
    result = RefreshResult()
    last_pk = 0
    built = set(RollupState.objects.values_list("campaign_id", flat=True))
    while True:
        marks = list(
            LearnerChange.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "learner_id")[:MARK_CHUNK]
        )
        expired = (
            list(
                LearnerRollup.objects.filter(expires_at__lte=now)
                .values_list("campaign_id", "learner_id")
                .order_by("expires_at")[:MARK_CHUNK]
            )
            if last_pk == 0
            else []
        )
        if not marks and not expired:
            break
        last_pk = marks[-1][0] if marks else last_pk
        touched = _touched([learner_id for _pk, learner_id in marks])
        for campaign_id, learner_id in expired:
            touched[campaign_id].add(learner_id)
        kept = set()
        for campaign_id in sorted(touched):
            learner_ids = touched[campaign_id]
            if campaign_id not in built or not _apply_locked(campaign_id, learner_ids, now):
                result.skipped.add(campaign_id)
                kept |= learner_ids
                continue
            result.campaigns += 1
            result.learners += len(learner_ids)
        done = [pk for pk, learner_id in marks if learner_id not in kept]
        for chunk in _chunks(done, 1000):
            LearnerChange.objects.filter(pk__in=chunk).delete()
        if not marks:
            break
    RollupState.objects.filter(campaign_id__in=built - result.skipped).update(as_of=now)
    return result


def _apply_locked(campaign_id: int, learner_ids: set, now: datetime.datetime) -> bool:
    with transaction.atomic():
        state = (
            RollupState.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(campaign_id=campaign_id)
            .select_related("campaign")
            .first()
        )
        if state is None:
            return False
        _apply_learners(state.campaign, learner_ids, now)
    return True


def campaigns_needing_rollup(*, now: datetime.datetime | None = None) -> list[int]:
    """Campaigns never built: they get a full rebuild; every later change goes incrementally."""
    del now
    return list(
        Campaign.objects.filter(rollup__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
