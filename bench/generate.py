"""Synthetic campaign data at a chosen scale: `python -m bench.generate --learners 10000`.

One call makes a region tree (a fictitious province, code 99…), a program office, a campaign of
the demo courses, one cohort per village, and `learners` learners enrolled in every course, with
lesson progress, progress events (opened / read / quiz) and certificates spread over `weeks`
weeks. Rows go in with COPY on PostgreSQL and executemany on SQLite, converted to the form Django's
backends store (naive UTC text and hex UUIDs on SQLite), so the ORM reads them back unchanged.
Everything made here is tagged (user names `bench-…`, region codes `99…`) and `purge()` removes it.
"""

import argparse
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

USER_PREFIX = "bench-l"
OFFICER = "bench-officer"
ROOT_CODE = "990000000000"
CHUNK = 20_000
PASSWORD = "!bench-unusable"  # an unusable password hash: generated learners cannot sign in


@dataclass
class Shape:
    """How the region tree fans out (province → prefectures → counties → townships → villages)."""

    prefectures: int = 2
    counties: int = 3
    townships: int = 4
    villages: int = 5


@dataclass
class Summary:
    """What one `generate` call made, and how long it took."""

    label: str
    campaign_id: int = 0
    office_id: int = 0
    learners: int = 0
    enrollments: int = 0
    completed_enrollments: int = 0
    lesson_progress: int = 0
    events: int = 0
    certificates: int = 0
    villages: int = 0
    seconds: float = 0.0
    rows_per_second: float = 0.0
    counts: dict = field(default_factory=dict)


def _sqlite_datetime(value: datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime: naive UTC text.
    return str(value.astimezone(UTC).replace(tzinfo=None))


CONVERTERS = {
    "sqlite": {
        "DateTimeField": _sqlite_datetime,
        "DateField": date.isoformat,
        "UUIDField": lambda v: v.hex,
        "JSONField": json.dumps,
        "DecimalField": str,
    },
    # psycopg adapts datetimes, dates, UUIDs and Decimals itself; COPY parses JSON text.
    "postgresql": {"JSONField": json.dumps},
}


def _prep(model, names: list[str]):
    """Column names and, per column, a converter to the database's form (None: as is)."""
    from django.db import connection

    fields = [model._meta.get_field(name) for name in names]
    converters = CONVERTERS.get(connection.vendor)
    if converters is None:
        raise RuntimeError(f"the generator supports SQLite and PostgreSQL, not {connection.vendor}")
    return [f.column for f in fields], [converters.get(f.get_internal_type()) for f in fields]


def insert_rows(model, names: list[str], rows) -> int:
    """Insert `rows` (tuples in the order of field `names`) into `model`'s table; returns count."""
    from django.db import connection

    # Columns the caller leaves out get their field's (constant) default, as the ORM would.
    extra = [
        f
        for f in model._meta.concrete_fields
        if f.name not in names and not f.null and not f.primary_key
    ]
    if extra:
        defaults = tuple(f.get_default() for f in extra)
        names = [*names, *(f.name for f in extra)]
        rows = (row + defaults for row in rows)
    columns, preps = _prep(model, names)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0

    def prepared(batch):
        return [
            tuple(v if p is None or v is None else p(v) for v, p in zip(row, preps, strict=True))
            for row in batch
        ]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepared([row])[0])
                    count += 1
            return count
        # Table and column names come from model metadata, never from input.
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, prepared(batch))
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, prepared(batch))
            count += len(batch)
    return count


def _code(*parts: int) -> str:
    _province, prefecture, county, township, village = parts
    return f"99{prefecture:02d}{county:02d}{township:03d}{village:03d}"


def regions(shape: Shape) -> list:
    """The fictitious province's tree (created once); returns its villages."""
    from core.models import Region

    root = Region.objects.filter(code=ROOT_CODE).first()
    if root is None:
        root = Region.add_root(code=ROOT_CODE, name="基准省", level=Region.Level.PROVINCE)
        for p in range(1, shape.prefectures + 1):
            pref = root.add_child(
                code=_code(0, p, 0, 0, 0), name=f"基准市{p}", level=Region.Level.PREFECTURE
            )
            for c in range(1, shape.counties + 1):
                county = pref.add_child(
                    code=_code(0, p, c, 0, 0), name=f"基准县{p}-{c}", level=Region.Level.COUNTY
                )
                for t in range(1, shape.townships + 1):
                    town = county.add_child(
                        code=_code(0, p, c, t, 0),
                        name=f"基准镇{p}-{c}-{t}",
                        level=Region.Level.TOWNSHIP,
                    )
                    for v in range(1, shape.villages + 1):
                        town.add_child(
                            code=_code(0, p, c, t, v),
                            name=f"基准村{p}-{c}-{t}-{v}",
                            level=Region.Level.VILLAGE,
                        )
    return list(
        Region.objects.filter(path__startswith=root.path, level=Region.Level.VILLAGE).order_by(
            "path"
        )
    )


def officer():
    """A program officer of every bench office (signs in to the dashboard benchmark)."""
    from django.contrib.auth.models import Group, User

    user, created = User.objects.get_or_create(username=OFFICER, defaults={"is_active": True})
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name="Program officers"))
    return user


def courses() -> list:
    """The live demo courses in the default language, each with its live lessons and quiz keys."""
    from wagtail.models import Locale

    from courses.models import CoursePage
    from courses.selectors import course_lessons, lesson_quiz_key

    default = Locale.get_default()
    found = []
    for course in CoursePage.objects.live().filter(locale=default).order_by("path"):
        lessons = course_lessons(course)
        if lessons:
            keys = [lesson_quiz_key(lesson) for lesson in lessons]
            found.append((course, lessons, keys))
    return found


def code_from(rng: random.Random) -> str:
    """A certificate code (15 digits and the Damm check digit) from a seeded generator: the
    shape of `codes.new_code()` at a fraction of its cost, for millions of rows."""
    from learners.certificates.codes import RANDOM_DIGITS, damm_digit

    body = f"{rng.randrange(10**RANDOM_DIGITS):0{RANDOM_DIGITS}d}"
    return body + damm_digit(body)


def _answers(key: dict, right: bool) -> dict:
    answers = {}
    for block_id, question in key.items():
        correct = sorted(question.correct)
        if right or question.choice_count < 2:
            answers[block_id] = correct
        else:
            wrong = [i for i in range(question.choice_count) if i not in correct][:1]
            answers[block_id] = wrong or correct
    return answers


def generate(
    *, learners: int, label: str, weeks: int = 8, seed: int = 7, shape: Shape | None = None
) -> Summary:
    """Make one campaign with `learners` learners and their history; returns what it made."""
    from django.db import transaction
    from django.utils import timezone

    from core.models import Campaign, Cohort, ProgramOffice
    from learners.accounts.models import LearnerProfile
    from learners.certificates.models import Certificate
    from learners.models import Enrollment, LessonProgress, ProgressEvent

    started = time.perf_counter()
    rng = random.Random(seed)
    summary = Summary(label=label)
    catalogue = courses()
    if not catalogue:
        raise RuntimeError("no live demo courses: run manage.py bootstrap_demo first")
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(weeks=weeks)
    villages = regions(shape or Shape())
    summary.villages = len(villages)
    with transaction.atomic():
        root = villages[0].get_root()
        office = ProgramOffice.objects.create(
            region=root, name=f"基准项目办 {label}", signatory_name="王建国"
        )
        office.members.add(officer())
        campaign = Campaign.objects.create(
            office=office,
            title=f"基准培训 {label}",
            region=root,
            starts_on=start.date(),
            ends_on=(now + timedelta(weeks=4)).date(),
            target_learners=learners,
        )
        campaign.courses.set([c for c, _, _ in catalogue])
        cohorts = Cohort.objects.bulk_create(
            Cohort(campaign=campaign, name=f"{v.name} 班", village=v) for v in villages
        )
    summary.campaign_id, summary.office_id = campaign.pk, office.pk

    from django.contrib.auth.models import User
    from django.db import connection

    names = f"{USER_PREFIX}{label}-"
    # Phone numbers are unique site-wide: the campaign id keeps datasets apart.
    phone_base = 19_000_000_000 + (campaign.pk % 100) * 10_000_000
    if connection.vendor == "postgresql":
        from courses.selectors import score_quiz

        from . import bulk_pg

        made = bulk_pg.history(
            learners=learners,
            label_prefix=names,
            password=PASSWORD,
            start=start,
            now=now,
            seed=seed,
            catalogue=catalogue,
            villages=villages,
            cohorts=cohorts,
            campaign=campaign,
            office=office,
            phone_base=phone_base,
            answers=_answers,
            score_of=score_quiz,
            new_code=code_from,
        )
        for name, value in made.items():
            setattr(summary, name, value)
        return _finish(summary, started)
    with transaction.atomic():
        insert_rows(
            User,
            [
                "username",
                "password",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "is_superuser",
                "date_joined",
            ],
            (
                (f"{names}{i}", PASSWORD, "", "", "", False, True, False, start)
                for i in range(learners)
            ),
        )
    user_ids = list(
        User.objects.filter(username__startswith=names).order_by("pk").values_list("pk", flat=True)
    )
    summary.learners = len(user_ids)
    with transaction.atomic():
        insert_rows(
            LearnerProfile,
            [
                "user",
                "display_name",
                "phone",
                "phone_verified",
                "village_code",
                "language",
                "large_text",
                "data_saver",
                "autoplay_narration",
                "consent_version",
                "consented_at",
                "created_at",
                "updated_at",
            ],
            (
                (
                    uid,
                    f"学员{i}",
                    f"+86{phone_base + i}",
                    True,
                    villages[i % len(villages)].code,
                    "zh-hans",
                    False,
                    False,
                    False,
                    "bench",
                    start,
                    start,
                    start,
                )
                for i, uid in enumerate(user_ids)
            ),
        )

    span = (now - start).total_seconds()
    enrollments, progress, events, _completions = [], [], [], []
    for i, uid in enumerate(user_ids):
        cohort = cohorts[i % len(cohorts)]
        joined = start + timedelta(seconds=rng.random() * span * 0.8)
        for course, lessons, keys in catalogue:
            # A third finish, a third stop part way, a third barely start.
            roll = rng.random()
            reached = (
                len(lessons)
                if roll < 0.34
                else rng.randint(1, len(lessons))
                if roll < 0.67
                else rng.randint(0, 1)
            )
            at = joined
            done = 0
            scores = []
            for position in range(reached):
                lesson, key = lessons[position], keys[position]
                at += timedelta(minutes=rng.randint(5, 60 * 24 * 3))
                at = min(at, now)
                events.append((uuid.UUID(int=rng.getrandbits(128)), uid, lesson.pk, "opened", at))
                finished = position < reached - 1 or reached == len(lessons)
                read_at = quiz_at = None
                score = None
                if finished or rng.random() < 0.5:
                    read_at = at + timedelta(minutes=4)
                    events.append(
                        (uuid.UUID(int=rng.getrandbits(128)), uid, lesson.pk, "read", read_at)
                    )
                if key and read_at:
                    right = finished or rng.random() < 0.6
                    answers = _answers(key, right)
                    quiz_at = read_at + timedelta(minutes=2)
                    score = 100 if right else 0
                    events.append(
                        (
                            uuid.UUID(int=rng.getrandbits(128)),
                            uid,
                            lesson.pk,
                            "quiz",
                            quiz_at,
                            {"answers": answers},
                            score,
                            right,
                        )
                    )
                    scores.append(score)
                complete = read_at is not None and (not key or score == 100)
                done += complete
                status = "completed" if complete else "read" if read_at else "opened"
                passed = quiz_at if score == 100 else None
                best = score
                progress.append(
                    (uid, lesson.pk, course.pk, status, at, read_at, passed, best, quiz_at or at)
                )
            completed_at = at if reached and done == len(lessons) else None
            enrollments.append(
                (
                    uid,
                    course.pk,
                    campaign.pk,
                    cohort.pk,
                    done * 100 // len(lessons),
                    round(sum(scores) / len(scores)) if scores else None,
                    joined,
                    at if reached else None,
                    completed_at,
                )
            )
        if len(events) >= CHUNK * 5 or i == len(user_ids) - 1:
            _flush(events, progress, ProgressEvent, LessonProgress)
            summary.events += len(events)
            summary.lesson_progress += len(progress)
            events.clear()
            progress.clear()
    with transaction.atomic():
        summary.enrollments = insert_rows(
            Enrollment,
            [
                "learner",
                "course",
                "campaign",
                "cohort",
                "progress_percent",
                "average_score",
                "enrolled_at",
                "last_activity_at",
                "completed_at",
            ],
            enrollments,
        )
    # A list, not a cursor: on PostgreSQL the connection is busy with COPY while rows are read.
    done_rows = list(
        Enrollment.objects.filter(campaign=campaign, completed_at__isnull=False).values_list(
            "pk", "learner_id", "course_id", "cohort_id", "completed_at"
        )
    )
    titles = {c.pk: c.title for c, _, _ in catalogue}
    fresh = random.Random()  # codes are unique site-wide: fresh entropy, not the run's seed
    region_of_cohort = {c.pk: c.village_id for c in cohorts}
    with transaction.atomic():
        summary.certificates = insert_rows(
            Certificate,
            [
                "public_id",
                "code",
                "enrollment",
                "learner",
                "course",
                "campaign",
                "cohort",
                "office",
                "region",
                "learner_name",
                "course_title",
                "issuer_name",
                "signatory_name",
                "hours",
                "completed_on",
                "issued_at",
                "credential",
                "recipient_salt",
                "status",
            ],
            (
                (
                    uuid.UUID(int=rng.getrandbits(128)),
                    code_from(fresh),
                    pk,
                    learner,
                    course,
                    campaign.pk,
                    cohort,
                    office.pk,
                    region_of_cohort[cohort],
                    "学员",
                    titles[course],
                    office.name,
                    office.signatory_name,
                    Decimal("1.5"),
                    done_at.date(),
                    done_at,
                    {},
                    f"{rng.getrandbits(64):016x}",
                    "issued",
                )
                for pk, learner, course, cohort, done_at in done_rows
            ),
        )
    summary.completed_enrollments = summary.certificates
    return _finish(summary, started)


def _finish(summary: Summary, started: float) -> Summary:
    summary.seconds = round(time.perf_counter() - started, 2)
    rows = (
        summary.learners * 2
        + summary.enrollments
        + summary.events
        + summary.lesson_progress
        + summary.certificates
    )
    summary.rows_per_second = round(rows / summary.seconds) if summary.seconds else 0.0
    return summary


def _flush(events, progress, event_model, progress_model) -> None:
    from django.db import transaction

    now = datetime.now(UTC)
    with transaction.atomic():
        insert_rows(
            event_model,
            [
                "id",
                "learner",
                "lesson",
                "kind",
                "occurred_at",
                "received_at",
                "data",
                "score",
                "passed",
            ],
            (
                (e[0], e[1], e[2], e[3], e[4], now, e[5], e[6], e[7])
                if len(e) == 8
                else (e[0], e[1], e[2], e[3], e[4], now, {}, None, None)
                for e in events
            ),
        )
        insert_rows(
            progress_model,
            [
                "learner",
                "lesson",
                "course",
                "status",
                "opened_at",
                "read_at",
                "quiz_passed_at",
                "best_score",
                "updated_at",
            ],
            progress,
        )


def purge() -> None:
    """Remove everything a previous run generated (learners, offices, campaigns, regions)."""
    from django.contrib.auth.models import User
    from django.db import transaction

    from campaigns import models as cm
    from learners.accounts.models import ConsentRecord, LearnerProfile
    from learners.certificates.models import Certificate
    from learners.models import Enrollment, LessonProgress, ProgressEvent

    learners = User.objects.filter(username__startswith=USER_PREFIX)
    offices = cm.ProgramOffice.objects.filter(region__code=ROOT_CODE)
    campaigns = cm.Campaign.objects.filter(office__in=offices)
    with transaction.atomic():
        Certificate.objects.filter(enrollment__campaign__in=campaigns)._raw_delete("default")
        for model in (ProgressEvent, LessonProgress, Enrollment):
            model.objects.filter(learner__in=learners)._raw_delete("default")
        for model in (LearnerProfile, ConsentRecord):
            model.objects.filter(user__in=learners)._raw_delete("default")
        for model in (*_rollup_models(), cm.ExportLog, cm.RosterImport):
            model.objects.filter(campaign__in=campaigns)._raw_delete("default")
        cm.ExportLog.objects.filter(office__in=offices)._raw_delete("default")
        cm.Cohort.objects.filter(campaign__in=campaigns)._raw_delete("default")
        cm.Campaign.courses.through.objects.filter(campaign__in=campaigns)._raw_delete("default")
        campaigns._raw_delete("default")
        cm.ProgramOffice.members.through.objects.filter(programoffice__in=offices)._raw_delete(
            "default"
        )
        offices._raw_delete("default")
        User.groups.through.objects.filter(user__in=learners)._raw_delete("default")
        learners._raw_delete("default")


def _rollup_models() -> list:
    from campaigns import models as cm

    return [
        m
        for m in vars(cm).values()
        if isinstance(m, type) and issubclass(m, cm.Rollup) and not m._meta.abstract
    ] + [cm.RollupState]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--label", default="")
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--purge", action="store_true", help="remove earlier generated data first")
    args = parser.parse_args()
    from bench import env

    env.setup()
    env.prepare()
    if args.purge:
        purge()
    summary = generate(
        learners=args.learners, label=args.label or str(args.learners), weeks=args.weeks
    )
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
