"""PostgreSQL bulk generation: the learners' history made by SQL (`generate_series`) in the server.

At a million learners Python cannot make 20 M rows in time, so on PostgreSQL the generator sends
the plan (lessons, answer keys, villages) and lets the server make the rows: same distribution as
the Python path in `bench.generate` (a third finish, a third stop part way, a third barely start;
quiz answers right or wrong from each lesson's key), random UUIDs from `gen_random_uuid()`.
For large loads the big tables' indexes and constraints are dropped first and recreated after
(`without_indexes`), which is several times faster than maintaining them row by row.
"""

import json
import random
from contextlib import contextmanager

# Above this many learners the indexes of the big tables are dropped during the load.
DROP_INDEXES_FROM = 50_000
TEMP_TABLES = [
    "bench_village", "bench_lesson", "bench_course", "bench_learner", "bench_plan", "bench_step",
    "bench_code",
]  # fmt: skip


def _ident(cursor, sql: str, params=()) -> list:
    cursor.execute(sql, params)
    return cursor.fetchall()


@contextmanager
def without_indexes(cursor, tables: list[str]):
    """Drop `tables`' indexes, constraints (but NOT NULL) and the foreign keys that point at them,
    and recreate them after the block. Run inside a transaction: if the load fails, rolling it
    back restores them (DDL is transactional in PostgreSQL)."""
    oids = [_ident(cursor, "SELECT %s::regclass::oid", (t,))[0][0] for t in tables]
    # Constraints on the tables, and foreign keys elsewhere that reference them.
    constraints = _ident(
        cursor,
        """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
           FROM pg_constraint c
           WHERE (c.conrelid = ANY(%s) AND c.contype IN ('p', 'u', 'f', 'c', 'x'))
              OR (c.confrelid = ANY(%s) AND c.contype = 'f')""",
        (oids, oids),
    )
    constraints = list(dict.fromkeys(constraints))
    backing = {name for _t, name, _d, kind in constraints if kind in ("p", "u", "x")}
    indexes = [
        (name, definition)
        for name, definition in _ident(
            cursor,
            """SELECT i.relname, pg_get_indexdef(x.indexrelid)
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = ANY(%s)""",
            (oids,),
        )
        if name not in backing
    ]
    order = {"f": 0, "c": 1, "x": 2, "u": 2, "p": 3}
    for table, name, _definition, _kind in sorted(constraints, key=lambda c: order[c[3]]):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for table, name, definition, _kind in sorted(constraints, key=lambda c: -order[c[3]]):
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _defaults(model, names: list[str]) -> tuple[str, list]:
    """`, col, col` and the values of the NOT NULL columns `names` leaves out (defaults)."""
    from django.db import connection

    extra = [
        f
        for f in model._meta.concrete_fields
        if f.name not in names and not f.null and not f.primary_key
    ]
    columns = "".join(f', "{f.column}"' for f in extra)
    values = [f.get_db_prep_save(f.get_default(), connection) for f in extra]
    return columns, values


def _marks(values: list) -> str:
    return "".join(", %s" for _ in values)


def history(
    *,
    learners: int,
    label_prefix: str,
    password: str,
    start,
    now,
    seed: int,
    catalogue,
    villages,
    cohorts,
    campaign,
    office,
    phone_base: int,
    answers,
    score_of,
    new_code,
) -> dict:
    """Make `learners` users, profiles, enrollments, lesson progress, events and certificates."""
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from learners.accounts.models import LearnerProfile
    from learners.certificates.models import Certificate
    from learners.models import Enrollment, LessonProgress, ProgressEvent

    rng = random.Random(seed)
    span = (now - start).total_seconds()
    t = {m: m._meta.db_table for m in (User, LearnerProfile, Enrollment, LessonProgress)}
    t_event, t_cert = ProgressEvent._meta.db_table, Certificate._meta.db_table
    big = [t_event, t[LessonProgress], t[Enrollment], t_cert]
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", (rng.random() * 2 - 1,))
        # ON COMMIT DROP does not fire inside an outer transaction (tests): drop them here too.
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
        # The plan: villages, cohorts, lessons with their answers and scores.
        cursor.execute(
            "CREATE TEMP TABLE bench_village (idx int, code text, cohort_id int) ON COMMIT DROP"
        )
        cohort_of = {c.village_id: c.pk for c in cohorts}
        with cursor.cursor.copy("COPY bench_village FROM STDIN") as copy:
            for index, village in enumerate(villages):
                copy.write_row((index, village.code, cohort_of[village.pk]))
        cursor.execute(
            """CREATE TEMP TABLE bench_lesson (course_id int, pos int, lesson_id int, n int,
               quiz bool, right_data jsonb, wrong_data jsonb, right_score int, wrong_score int)
               ON COMMIT DROP"""
        )
        with cursor.cursor.copy("COPY bench_lesson FROM STDIN") as copy:
            for course, lessons, keys in catalogue:
                for pos, (lesson, key) in enumerate(zip(lessons, keys, strict=True)):
                    right, wrong = answers(key, True), answers(key, False)
                    copy.write_row(
                        (
                            course.pk,
                            pos,
                            lesson.pk,
                            len(lessons),
                            bool(key),
                            json.dumps({"answers": right}),
                            json.dumps({"answers": wrong}),
                            score_of(key, right),
                            score_of(key, wrong),
                        )
                    )
        cursor.execute(
            "CREATE TEMP TABLE bench_course ON COMMIT DROP AS "
            "SELECT DISTINCT course_id, n FROM bench_lesson"
        )
        # Users and their profiles.
        names = [
            "username", "password", "first_name", "last_name", "email", "is_staff", "is_active",
            "is_superuser", "date_joined",
        ]  # fmt: skip
        columns, values = _defaults(User, names)
        cursor.execute(
            f"""INSERT INTO {t[User]} (username, password, first_name, last_name, email,
                is_staff, is_active, is_superuser, date_joined{columns})
                SELECT %s || i, %s, '', '', '', false, true, false, %s{_marks(values)}
                FROM generate_series(0, %s - 1) i""",  # noqa: S608 - names from model metadata
            [label_prefix, password, start, *values, learners],
        )
        cursor.execute(
            f"""CREATE TEMP TABLE bench_learner ON COMMIT DROP AS
                SELECT u.id AS user_id, u.n, v.code AS village_code, v.cohort_id,
                       %s::timestamptz + make_interval(secs => random() * %s) AS joined
                FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {t[User]}
                      WHERE username LIKE %s) u
                JOIN bench_village v ON v.idx = u.n %% (SELECT count(*) FROM bench_village)""",  # noqa: S608
            [start, span * 0.8, label_prefix.replace("_", r"\_") + "%"],
        )
        counts["learners"] = cursor.rowcount
        names = [
            "user", "display_name", "phone", "phone_verified", "village_code", "language",
            "large_text", "data_saver", "autoplay_narration", "consent_version", "consented_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        columns, values = _defaults(LearnerProfile, names)
        cursor.execute(
            f"""INSERT INTO {t[LearnerProfile]} (user_id, display_name, phone, phone_verified,
                village_code, language, large_text, data_saver, autoplay_narration,
                consent_version, consented_at, created_at, updated_at{columns})
                SELECT user_id, '学员' || n, '+86' || (%s + n), true, village_code, 'zh-hans',
                       false, false, false, 'bench', %s, %s, %s{_marks(values)}
                FROM bench_learner""",  # noqa: S608
            [phone_base, start, start, start, *values],
        )
        # One enrollment per learner and course: how far they got and how fast they go.
        cursor.execute(
            """CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
               SELECT l.user_id, l.cohort_id, l.joined, c.course_id, c.n,
                      CASE WHEN roll < 0.34 THEN c.n
                           WHEN roll < 0.67 THEN 1 + floor(random() * c.n)::int
                           ELSE floor(random() * 2)::int END AS reached,
                      5 + random() * (60 * 24 * 3 - 5) AS pace
               FROM bench_learner l CROSS JOIN bench_course c
               CROSS JOIN LATERAL (SELECT random() + 0 * l.n AS roll) r"""
        )
        cursor.execute(
            """CREATE TEMP TABLE bench_step ON COMMIT DROP AS
               SELECT s.*, read_ AND (NOT quiz OR score = 100) AS complete FROM (
               SELECT r.*, CASE WHEN quiz AND read_ THEN
                             CASE WHEN right_ THEN right_score ELSE wrong_score END END AS score
               FROM (
                 SELECT p.user_id, p.course_id, b.lesson_id, b.pos, b.quiz, b.n,
                        b.right_data, b.wrong_data, b.right_score, b.wrong_score,
                        least(p.joined + make_interval(mins => ((b.pos + 1) * p.pace)::int),
                              %s::timestamptz) AS at,
                        (b.pos < p.reached - 1 OR p.reached = p.n) AS finished,
                        (b.pos < p.reached - 1 OR p.reached = p.n OR random() < 0.5) AS read_,
                        (b.pos < p.reached - 1 OR p.reached = p.n OR random() < 0.6) AS right_
                 FROM bench_plan p JOIN bench_lesson b
                   ON b.course_id = p.course_id AND b.pos < p.reached) r) s""",
            [now],
        )
        counts["lesson_progress"] = cursor.rowcount
        cursor.execute("ANALYZE bench_step")
        dropping = without_indexes(cursor, big) if learners >= DROP_INDEXES_FROM else _nothing()
        with dropping:
            cursor.execute(
                f"""INSERT INTO {t_event} (id, learner_id, lesson_id, kind, occurred_at,
                    received_at, data, score, passed)
                    SELECT gen_random_uuid(), user_id, lesson_id, 'opened', at, now(),
                           '{{}}'::jsonb, NULL::int, NULL::bool FROM bench_step
                    UNION ALL
                    SELECT gen_random_uuid(), user_id, lesson_id, 'read',
                           at + interval '4 minutes', now(), '{{}}', NULL, NULL
                    FROM bench_step WHERE read_
                    UNION ALL
                    SELECT gen_random_uuid(), user_id, lesson_id, 'quiz',
                           at + interval '6 minutes', now(),
                           CASE WHEN right_ THEN right_data ELSE wrong_data END,
                           score, score = 100
                    FROM bench_step WHERE read_ AND quiz"""  # noqa: S608
            )
            counts["events"] = cursor.rowcount
            cursor.execute(
                f"""INSERT INTO {t[LessonProgress]} (learner_id, lesson_id, course_id, status,
                    opened_at, read_at, quiz_passed_at, best_score, updated_at)
                    SELECT user_id, lesson_id, course_id,
                      CASE WHEN complete THEN 'completed' WHEN read_ THEN 'read'
                           ELSE 'opened' END,
                      at,
                      CASE WHEN read_ THEN at + interval '4 minutes' END,
                      CASE WHEN score = 100 THEN at + interval '6 minutes' END,
                      score,
                      CASE WHEN read_ AND quiz THEN at + interval '6 minutes' ELSE at END
                    FROM bench_step"""  # noqa: S608
            )
            names = [
                "learner", "course", "campaign", "cohort", "progress_percent", "average_score",
                "enrolled_at", "last_activity_at", "completed_at",
            ]  # fmt: skip
            columns, values = _defaults(Enrollment, names)
            cursor.execute(
                f"""INSERT INTO {t[Enrollment]} (learner_id, course_id, campaign_id, cohort_id,
                    progress_percent, average_score, enrolled_at, last_activity_at,
                    completed_at{columns})
                    SELECT p.user_id, p.course_id, %s, p.cohort_id,
                           coalesce(s.done, 0) * 100 / p.n, s.score, p.joined, s.last,
                           CASE WHEN p.reached > 0 AND s.done = p.n THEN s.last END
                           {_marks(values)}
                    FROM bench_plan p LEFT JOIN (
                      SELECT user_id, course_id, count(*) FILTER (WHERE complete) AS done,
                             round(avg(score))::int AS score,
                             max(at) AS last
                      FROM bench_step GROUP BY user_id, course_id) s
                    ON s.user_id = p.user_id AND s.course_id = p.course_id""",  # noqa: S608
                [campaign.pk, *values],
            )
            counts["enrollments"] = cursor.rowcount
            done = _ident(
                cursor,
                f"SELECT count(*) FROM {t[Enrollment]} "  # noqa: S608
                "WHERE campaign_id = %s AND completed_at IS NOT NULL",
                [campaign.pk],
            )[0][0]
            cursor.execute("CREATE TEMP TABLE bench_code (idx int, code text) ON COMMIT DROP")
            # Codes are unique site-wide: drawn from fresh entropy, not the run's seed.
            fresh = random.Random()
            with cursor.cursor.copy("COPY bench_code FROM STDIN") as copy:
                for index in range(done):
                    copy.write_row((index, new_code(fresh)))
            names = [
                "public_id", "code", "enrollment", "learner", "course", "campaign", "cohort",
                "office", "region", "learner_name", "course_title", "issuer_name",
                "signatory_name", "hours", "completed_on", "issued_at", "credential",
                "recipient_salt", "status",
            ]  # fmt: skip
            columns, values = _defaults(Certificate, names)
            titles = json.dumps({str(c.pk): c.title for c, _l, _k in catalogue})
            cursor.execute(
                f"""INSERT INTO {t_cert} (public_id, code, enrollment_id, learner_id, course_id,
                    campaign_id, cohort_id, office_id, region_id, learner_name, course_title,
                    issuer_name, signatory_name, hours, completed_on, issued_at, credential,
                    recipient_salt, status{columns})
                    SELECT gen_random_uuid(), k.code, e.id, e.learner_id, e.course_id,
                           e.campaign_id, e.cohort_id, %s, h.village_id, '学员',
                           %s::jsonb ->> e.course_id::text, %s, %s, 1.5,
                           (e.completed_at AT TIME ZONE 'UTC')::date, e.completed_at, '{{}}',
                           substr(md5(random()::text), 1, 16), 'issued'{_marks(values)}
                    FROM (SELECT *, row_number() OVER (ORDER BY id) - 1 AS idx
                          FROM {t[Enrollment]}
                          WHERE campaign_id = %s AND completed_at IS NOT NULL) e
                    JOIN bench_code k ON k.idx = e.idx
                    JOIN {cohorts[0]._meta.db_table} h ON h.id = e.cohort_id""",  # noqa: S608
                [office.pk, titles, office.name, office.signatory_name, *values, campaign.pk],
            )
            counts["certificates"] = cursor.rowcount
        cursor.execute(f"DROP TABLE {', '.join(TEMP_TABLES)}")
    with connection.cursor() as cursor:
        for table in big:
            cursor.execute(f"ANALYZE {table}")
    counts["completed_enrollments"] = counts["certificates"]
    return counts


@contextmanager
def _nothing():
    yield
