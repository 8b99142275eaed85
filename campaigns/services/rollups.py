"""Rebuilding a campaign's rollup tables from the raw learner tables.

Definitions (docs/decisions/0041-dashboard-rollups.md):
- a campaign's learners are the users with at least one enrollment in it;
- a learner's cohort is the lowest cohort id on their enrollments in the campaign (normally they
  all carry the same one); their region is the region whose code is their profile's village
  code, else their cohort's village, else unknown;
- active in the last 7 days: the latest `last_activity_at` of their campaign enrollments is
  at most 7 days before the rebuild;
- completed: every one of their enrollments in the campaign is completed; the week of completion
  is that of their last `completed_at`;
- certificates: issued (not revoked) certificates of the campaign;
- weekly active: learners with at least one progress event on a lesson of the campaign's courses
  that week (weeks start on Monday, local time);
- lesson funnel: learners with progress in the lesson (started) and with it completed, among
  learners enrolled in that course through the campaign;
- missed question: a quiz attempt whose choices differ from the question's current answer key.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncWeek
from django.utils import timezone

from campaigns.models import (
    Campaign,
    Cohort,
    CourseRollup,
    LessonRollup,
    QuestionRollup,
    Region,
    RegionRollup,
    RollupState,
    WeeklyRollup,
)

ACTIVE_WINDOW = datetime.timedelta(days=7)
ROLLUP_MODELS = (RegionRollup, CourseRollup, WeeklyRollup, LessonRollup, QuestionRollup)


def week_start(moment: datetime.datetime) -> datetime.date:
    """The Monday (local time) of the week `moment` falls in."""
    day = timezone.localtime(moment).date()
    return day - datetime.timedelta(days=day.weekday())


def _cohort_key(campaign_id: int, learner_ref: str = "learner_id"):
    """Subquery: a learner's cohort in the campaign (lowest cohort id on their enrollments)."""
    from learners.models import Enrollment

    return Subquery(
        Enrollment.objects.filter(
            campaign_id=campaign_id, learner_id=OuterRef(learner_ref), cohort_id__isnull=False
        )
        .order_by("cohort_id")
        .values("cohort_id")[:1]
    )


LEARNER_CHUNK = 500
# Above this share of all users, a campaign's learners are read in one query.
CHUNK_BELOW_SHARE = 0.1


def _learner_sets(campaign: Campaign, learners: list[dict]) -> list:
    """What to filter the campaign's events by (`learner_id__in=` each item in turn).

    Events of every campaign share one table. Asked for "events of this campaign's learners"
    through a subquery, PostgreSQL cannot tell how few they are and reads the whole table: 23 s
    for a 10 k-learner campaign among 1 M learners. A small campaign's learner ids are therefore
    named, 500 a query (with 2,000 the planner, guessing several times more events per learner
    than there are, still read the whole table), which uses the (learner, lesson, kind) index:
    1.7 s. A campaign holding a large share of all learners is read in one pass, which is then
    the cheaper plan (1 M learners: 89 s in one query, 153 s in chunks).
    """
    from django.contrib.auth import get_user_model

    from learners.models import Enrollment

    if len(learners) > CHUNK_BELOW_SHARE * get_user_model().objects.count():
        return [Enrollment.objects.filter(campaign=campaign).values("learner_id")]
    ids = sorted(row["learner_id"] for row in learners)
    return [ids[start : start + LEARNER_CHUNK] for start in range(0, len(ids), LEARNER_CHUNK)]


def _campaign_lessons(campaign: Campaign) -> list:
    """(course, lesson) pairs of the campaign's courses, lessons in tree order."""
    from courses.selectors import course_lessons

    pairs = []
    for course in campaign.courses.order_by("path"):
        pairs += [(course, lesson) for lesson in course_lessons(course)]
    return pairs


def _learner_rows(campaign: Campaign, as_of: datetime.datetime):
    """Per-learner facts (cohort, region, active, completed, certificates, weeks)."""
    from learners.accounts.models import LearnerProfile
    from learners.certificates.models import Certificate
    from learners.models import Enrollment

    village = Subquery(
        LearnerProfile.objects.filter(user_id=OuterRef("learner_id")).values("village_code")[:1]
    )
    per_learner = (
        Enrollment.objects.filter(campaign=campaign)
        .values("learner_id")
        .annotate(
            cohort_key=Min("cohort_id"),
            village_code=village,
            joined_at=Min("enrolled_at"),
            last_activity=Max("last_activity_at"),
            total=Count("id"),
            done=Count("completed_at"),
            done_at=Max("completed_at"),
        )
        .order_by()
    )
    certificates = dict(
        Certificate.objects.filter(campaign=campaign, status=Certificate.Status.ISSUED)
        .values("learner_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("learner_id", "n")
    )
    cohort_village = dict(Cohort.objects.filter(campaign=campaign).values_list("pk", "village_id"))
    rows = list(per_learner.iterator(chunk_size=5000))
    codes = {r["village_code"] for r in rows if r["village_code"]}
    regions_by_code = {}
    code_list = list(codes)
    for start in range(0, len(code_list), 1000):
        regions_by_code.update(
            dict(
                Region.objects.filter(code__in=code_list[start : start + 1000]).values_list(
                    "code", "pk"
                )
            )
        )
    since = as_of - ACTIVE_WINDOW
    for row in rows:
        region_id = regions_by_code.get(row["village_code"] or "")
        if region_id is None and row["cohort_key"] is not None:
            region_id = cohort_village.get(row["cohort_key"])
        row["region_id"] = region_id
        row["active"] = row["last_activity"] is not None and row["last_activity"] >= since
        row["completed"] = row["total"] == row["done"]
        row["certificates"] = certificates.get(row["learner_id"], 0)
    return rows


def _region_rollups(campaign: Campaign, learners: list[dict]) -> list[RegionRollup]:
    buckets: dict[tuple, RegionRollup] = {}
    paths = dict(
        Region.objects.filter(
            pk__in={r["region_id"] for r in learners if r["region_id"]}
        ).values_list("pk", "path")
    )
    for row in learners:
        key = (row["cohort_key"], row["region_id"])
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = RegionRollup(
                campaign=campaign,
                cohort_id=row["cohort_key"],
                region_id=row["region_id"],
                region_path=paths.get(row["region_id"], ""),
            )
        bucket.enrolled += 1
        bucket.active_7d += row["active"]
        bucket.completed += row["completed"]
        bucket.certificates += row["certificates"]
    return list(buckets.values())


def _course_rollups(campaign: Campaign, as_of: datetime.datetime) -> list[CourseRollup]:
    from learners.certificates.models import Certificate
    from learners.models import Enrollment

    since = as_of - ACTIVE_WINDOW
    rows = (
        Enrollment.objects.filter(campaign=campaign)
        .annotate(cohort_key=_cohort_key(campaign.pk))
        .values("course_id", "cohort_key")
        .annotate(
            enrolled=Count("id"),
            completed=Count("id", filter=Q(completed_at__isnull=False)),
            active=Count("id", filter=Q(last_activity_at__gte=since)),
        )
        .order_by()
    )
    certificates = {
        (r["course_id"], r["cohort_key"]): r["n"]
        for r in Certificate.objects.filter(campaign=campaign, status=Certificate.Status.ISSUED)
        .annotate(cohort_key=_cohort_key(campaign.pk))
        .values("course_id", "cohort_key")
        .annotate(n=Count("id"))
        .order_by()
    }
    return [
        CourseRollup(
            campaign=campaign,
            cohort_id=r["cohort_key"],
            course_id=r["course_id"],
            enrolled=r["enrolled"],
            completed=r["completed"],
            active_7d=r["active"],
            certificates=certificates.get((r["course_id"], r["cohort_key"]), 0),
        )
        for r in rows
    ]


def _weekly_rollups(
    campaign: Campaign, learners: list[dict], learner_sets: list, lesson_ids
) -> list[WeeklyRollup]:
    from learners.models import ProgressEvent

    buckets: dict[tuple, WeeklyRollup] = {}

    def bucket(cohort_id, week) -> WeeklyRollup:
        key = (cohort_id, week)
        if key not in buckets:
            buckets[key] = WeeklyRollup(campaign=campaign, cohort_id=cohort_id, week=week)
        return buckets[key]

    cohort_of = {}
    for row in learners:
        cohort_of[row["learner_id"]] = row["cohort_key"]
        bucket(row["cohort_key"], week_start(row["joined_at"])).joined += 1
        if row["completed"]:
            bucket(row["cohort_key"], week_start(row["done_at"])).completed += 1
    tz = ZoneInfo(settings.TIME_ZONE)
    for chunk in learner_sets:
        active = (
            ProgressEvent.objects.filter(learner_id__in=chunk, lesson_id__in=lesson_ids)
            .annotate(week=TruncWeek("occurred_at", tzinfo=tz))
            .values_list("learner_id", "week")
            .distinct()
            .order_by()
        )
        for learner_id, week in active.iterator(chunk_size=5000):
            day = week.date() if isinstance(week, datetime.datetime) else week
            bucket(cohort_of.get(learner_id), day).active += 1
    return list(buckets.values())


def _lesson_rollups(campaign: Campaign, pairs) -> list[LessonRollup]:
    from learners.models import Enrollment, LessonProgress

    position = {lesson.pk: (course.pk, index) for index, (course, lesson) in enumerate(pairs, 1)}
    rows = (
        LessonProgress.objects.filter(lesson_id__in=list(position))
        .filter(
            Exists(
                Enrollment.objects.filter(
                    campaign=campaign,
                    learner_id=OuterRef("learner_id"),
                    course_id=OuterRef("course_id"),
                )
            )
        )
        .annotate(cohort_key=_cohort_key(campaign.pk))
        .values("lesson_id", "cohort_key")
        .annotate(
            started=Count("id"),
            completed=Count("id", filter=Q(status=LessonProgress.Status.COMPLETED)),
        )
        .order_by()
    )
    return [
        LessonRollup(
            campaign=campaign,
            cohort_id=r["cohort_key"],
            course_id=position[r["lesson_id"]][0],
            lesson_id=r["lesson_id"],
            position=position[r["lesson_id"]][1],
            started=r["started"],
            completed=r["completed"],
        )
        for r in rows
    ]


def _question_rollups(
    campaign: Campaign, learners: list[dict], learner_sets: list, pairs
) -> list[QuestionRollup]:
    from courses.selectors import lesson_quiz_key
    from learners.models import QuizAttempt

    keys, prompts = {}, {}
    for _course, lesson in pairs:
        keys[lesson.pk] = lesson_quiz_key(lesson)
        for child in lesson.quiz:
            prompts[(lesson.pk, child.id)] = str(child.value.get("prompt", ""))[:300]
    cohort_of = {row["learner_id"]: row["cohort_key"] for row in learners}
    buckets: dict[tuple, QuestionRollup] = {}
    quiz_lessons = [lesson_id for lesson_id, key in keys.items() if key]
    attempts = (
        row
        for chunk in learner_sets
        for row in QuizAttempt.objects.filter(learner_id__in=chunk, lesson_id__in=quiz_lessons)
        .values_list("learner_id", "lesson_id", "data")
        .iterator(chunk_size=5000)
    )
    for learner_id, lesson_id, data in attempts:
        answers = (data or {}).get("answers", {})
        cohort_id = cohort_of.get(learner_id)
        for question_id, question in keys[lesson_id].items():
            key = (cohort_id, lesson_id, question_id)
            row = buckets.get(key)
            if row is None:
                row = buckets[key] = QuestionRollup(
                    campaign=campaign,
                    cohort_id=cohort_id,
                    lesson_id=lesson_id,
                    question_id=question_id,
                    question_text=prompts.get((lesson_id, question_id), ""),
                )
            row.answered += 1
            row.missed += frozenset(answers.get(question_id, ())) != question.correct
    return list(buckets.values())


def rollup_rebuild(*, campaign_id: int, as_of: datetime.datetime | None = None) -> RollupState:
    """Recompute every rollup of one campaign from the raw tables; replaces the old rows."""
    # Taken before the first read: a change stamped at or after it is seen by the next refresh.
    started_at = timezone.now()
    as_of = as_of or started_at
    campaign = Campaign.objects.get(pk=campaign_id)
    learners = _learner_rows(campaign, as_of)
    pairs = _campaign_lessons(campaign)
    lesson_ids = [lesson.pk for _course, lesson in pairs]
    region_rows = _region_rollups(campaign, learners)
    course_rows = _course_rollups(campaign, as_of)
    learner_sets = _learner_sets(campaign, learners)
    weekly_rows = _weekly_rollups(campaign, learners, learner_sets, lesson_ids)
    lesson_rows = _lesson_rollups(campaign, pairs)
    question_rows = _question_rollups(campaign, learners, learner_sets, pairs)
    with transaction.atomic():
        for model in ROLLUP_MODELS:
            model.objects.filter(campaign=campaign).delete()
        RegionRollup.objects.bulk_create(region_rows, batch_size=1000)
        CourseRollup.objects.bulk_create(course_rows, batch_size=1000)
        WeeklyRollup.objects.bulk_create(weekly_rows, batch_size=1000)
        LessonRollup.objects.bulk_create(lesson_rows, batch_size=1000)
        QuestionRollup.objects.bulk_create(question_rows, batch_size=1000)
        state, _ = RollupState.objects.update_or_create(
            campaign=campaign, defaults={"built_at": started_at, "as_of": as_of}
        )
    return state


STALE_AFTER = datetime.timedelta(hours=1)


def campaigns_needing_rollup(*, now: datetime.datetime | None = None) -> list[int]:
    """Campaigns with learner activity, enrollments or certificates since their last rebuild,
    never built, or built more than STALE_AFTER ago (the 7-day window slides)."""
    from learners.certificates.models import Certificate
    from learners.models import Enrollment

    now = now or timezone.now()
    built = RollupState.objects.filter(campaign=OuterRef("pk")).values("built_at")[:1]
    # Inside the Exists() subqueries the campaign's build time is the annotation of the outer
    # (campaign) query. A RollupState subquery nested there would resolve OuterRef("pk") to the
    # enrollment's or certificate's own id, and compare against an unrelated campaign's build.
    since = OuterRef("built_at")
    changed = Q(
        Exists(
            Enrollment.objects.filter(campaign=OuterRef("pk")).filter(
                Q(last_activity_at__gte=since)
                | Q(enrolled_at__gte=since)
                | Q(completed_at__gte=since)
            )
        )
    ) | Q(
        Exists(
            Certificate.objects.filter(campaign=OuterRef("pk")).filter(
                Q(issued_at__gte=since) | Q(revoked_at__gte=since)
            )
        )
    )
    # "Active in the last 7 days" keeps sliding for a week after a campaign ends.
    recent = Q(ends_on__gte=timezone.localdate(now) - datetime.timedelta(days=8))
    return list(
        Campaign.objects.annotate(built_at=Subquery(built))
        .filter(Q(built_at__isnull=True) | changed | (recent & Q(built_at__lt=now - STALE_AFTER)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
