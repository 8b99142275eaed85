"""Plan, dispatch and send reminders; every rule that keeps them respectful is enforced here.

Life of a reminder (decision 0105):
1. `reminders_plan` (once a day per active rule, inside its window) picks the rule's learners with
   set-based SQL and writes one `ReminderSend` per learner: *queued* within the caps and the
   campaign's daily budget, *held* otherwise (the comparison group). Unique (rule, learner, day).
2. `reminders_dispatch` (every minute) hands queued rows whose time has come to the outbox, one
   message each, and marks them enqueued in the same transaction.
3. `reminder_send` (the Celery task behind the outbox) locks the row and the learner, checks
   everything again at send time (quiet hours, window, off switch, erased, caps, budget), commits
   *sending*, and only then calls the gateway. A redelivered task finds *sending* and does not
   call it again: a killed worker may lose a reminder (marked *uncertain*), never double it.
   Through a gateway that sends a key at most once (`sms_deduplicates`), a reminder left
   *sending* by a dead worker is queued again and re-sent under the same key: exactly once
   (decision 0126).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from core.outbox.services import outbox_enqueue
from core.phone import mask_phone
from courses.selectors import course_lessons
from learners.accounts.links import sign_in_link_create
from learners.accounts.models import LearnerProfile
from learners.accounts.sms import SmsError, send_sms, sms_deduplicates
from learners.certificates.models import Certificate
from learners.models import Enrollment, LessonProgress, ProgressEvent
from learners.selectors import lesson_statuses

from .models import DEFAULT_DAILY_BUDGET, ReminderBudget, ReminderRule, ReminderSend

logger = logging.getLogger(__name__)

QUIET_START = time(21, 0)  # local time (settings.TIME_ZONE, Asia/Shanghai)
QUIET_END = time(8, 0)
RECENT = timedelta(days=3)  # one reminder per learner per 3 days, whatever the rule
COURSE_CAP = 3  # at most 3 reminders per learner and course
STALE_SENDING = timedelta(minutes=10)
DISPATCH_BATCH = 1000

S = ReminderSend.Status
R = ReminderSend.Reason
# Rows that may have reached the learner: they count against every cap.
REACHED = [S.SENDING, S.SENT, S.UNCERTAIN]
QUIZ = ProgressEvent.Kind.QUIZ


@dataclass(frozen=True)
class PlanResult:
    queued: int
    held: int


def is_quiet(moment: datetime) -> bool:
    """Whether `moment` falls in the quiet hours (21:00–08:00 local)."""
    local = timezone.localtime(moment).time()
    return local >= QUIET_START or local < QUIET_END


def in_window(rule: ReminderRule, moment: datetime) -> bool:
    """Whether `moment` is an allowed time for `rule`: inside its window and outside quiet hours."""
    local = timezone.localtime(moment).time()
    return not is_quiet(moment) and rule.window_start <= local < rule.window_end


def daily_budget(campaign_id: int) -> int:
    """The campaign's reminder SMS per day."""
    row = ReminderBudget.objects.filter(campaign_id=campaign_id).values_list("daily_sms", flat=True)
    return next(iter(row), DEFAULT_DAILY_BUDGET)


def budget_used(campaign_id: int, day: date) -> int:
    """Reminders of the campaign that day that are queued or may have reached someone."""
    return ReminderSend.objects.filter(
        campaign_id=campaign_id, day=day, status__in=[S.QUEUED, *REACHED]
    ).count()


def quiz_failed_twice(*, learner, course, before: datetime) -> QuerySet[LessonProgress]:
    """The learner's lessons of `course` whose quiz they failed twice since they last passed it
    (or ever), the latest failure at or before `before`; newest failure first.

    `learner` and `course` are ids or `OuterRef`s (inside the planner's one query).
    """
    quiz = ProgressEvent.objects.filter(
        learner_id=OuterRef("learner_id"), lesson_id=OuterRef("lesson_id"), kind=QUIZ
    ).order_by("-occurred_at")
    fails = quiz.filter(passed=False).values("occurred_at")
    last_pass = quiz.filter(passed=True).values("occurred_at")[:1]
    return (
        LessonProgress.objects.filter(learner_id=learner, course_id=course)
        .annotate(
            last_fail=Subquery(fails[:1]),
            second_fail=Subquery(fails[1:2]),
            last_pass=Subquery(last_pass),
        )
        .filter(second_fail__isnull=False, last_fail__lte=before)
        .filter(Q(last_pass__isnull=True) | Q(last_pass__lt=F("second_fail")))
        .order_by("-last_fail", "pk")
    )


def certificates_waiting(*, enrollment, before: datetime) -> QuerySet[Certificate]:
    """The enrollment's valid, rendered certificate issued at or before `before` that its learner
    has not opened yet."""
    return Certificate.objects.filter(
        enrollment_id=enrollment,
        status=Certificate.Status.ISSUED,
        rendered_at__isnull=False,
        opened_at__isnull=True,
        issued_at__lte=before,
    )


def rule_targets(rule: ReminderRule, *, now: datetime) -> QuerySet[Enrollment]:
    """Enrollments the rule aims at today, before caps: one SQL query, nothing loaded.

    Learners with no phone, an erased account or the off switch on are never targets.
    """
    since = now - timedelta(days=rule.days)
    rows = Enrollment.objects.filter(
        campaign_id=rule.campaign_id,
        learner__is_active=True,
        learner__learner_profile__phone__isnull=False,
        learner__learner_profile__reminders_off=False,
    )
    if rule.cohort_id:
        rows = rows.filter(cohort_id=rule.cohort_id)
    kind = ReminderRule.Kind
    if rule.kind == kind.CERTIFICATE:
        return rows.filter(
            Exists(certificates_waiting(enrollment=OuterRef("pk"), before=since)),
            completed_at__isnull=False,
        )
    rows = rows.filter(completed_at__isnull=True)
    if rule.kind == kind.NOT_STARTED:
        return rows.filter(last_activity_at__isnull=True, enrolled_at__lte=since)
    if rule.kind == kind.QUIZ_FAILED:
        return rows.filter(
            Exists(
                quiz_failed_twice(
                    learner=OuterRef("learner_id"), course=OuterRef("course_id"), before=since
                )
            )
        )
    return rows.filter(last_activity_at__isnull=False, last_activity_at__lte=since)


def _with_caps(rows: QuerySet[Enrollment], *, now: datetime) -> QuerySet[Enrollment]:
    """Annotate whether the recent cap or the course cap holds each enrollment back."""
    mine = ReminderSend.objects.filter(learner_id=OuterRef("learner_id"))
    # Two EXISTS, not one with OR: each is an index probe on (learner, attempted_at).
    reached = mine.filter(status__in=REACHED, attempted_at__gt=now - RECENT)
    waiting = mine.filter(status=S.QUEUED)
    course_sends = ReminderSend.objects.filter(
        enrollment_id=OuterRef("pk"), status__in=REACHED
    ).order_by()
    # "3 or more" without counting them all: the third one exists.
    third = course_sends.values("pk")[COURSE_CAP - 1 : COURSE_CAP]
    return rows.annotate(
        recent=ExpressionWrapper(Q(Exists(reached)) | Q(Exists(waiting)), BooleanField()),
        capped=Exists(third),
    )


def reminders_plan(*, rule: ReminderRule, now: datetime | None = None) -> PlanResult:
    """Pick today's learners of an active rule; idempotent per (rule, learner, day).

    One `INSERT … SELECT` (decision 0125): the database picks each learner's first enrollment
    (window function), decides held or queued (caps, then a running count against what is left
    of the campaign's budget, in learner order) and writes the rows. Nothing is loaded into
    Python, so time and memory do not depend on this process.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not rule.active:
        return PlanResult(0, 0)
    already = ReminderSend.objects.filter(
        rule_id=rule.pk, day=day, learner_id=OuterRef("learner_id")
    )
    candidates = (
        _with_caps(rule_targets(rule, now=now), now=now)
        .filter(~Exists(already))
        .annotate(
            enrollment_ref=F("pk"),
            learner_ref=F("learner_id"),
            nth=Window(
                RowNumber(),
                partition_by=[F("learner_id")],
                order_by=[F("enrolled_at").asc(), F("pk").asc()],
            ),
        )
        .order_by()
        .values("enrollment_ref", "learner_ref", "recent", "capped", "nth")
    )
    select_sql, select_params = candidates.query.sql_with_params()
    budget = daily_budget(rule.campaign_id)
    remaining = max(budget - budget_used(rule.campaign_id, day), 0)
    table = connection.ops.quote_name(ReminderSend._meta.db_table)
    # One reminder per learner per rule and day: their first course (nth = 1). Held for a cap
    # first; then `n`, the running count of eligible learners in learner order, against what is
    # left of the budget. Of those over the budget only the next `budget` are written (held):
    # the comparison group of "did it work?", as large as a day's reminders, not the campaign.
    sql = f"""
        INSERT INTO {table} (rule_id, learner_id, enrollment_id, campaign_id, day, status,
                             reason, phone_masked, planned_at, gateway_result)
        SELECT %s, c.learner_ref, c.enrollment_ref, %s, %s,
               CASE WHEN c.recent OR c.capped OR c.n > %s THEN %s ELSE %s END,
               CASE WHEN c.recent THEN %s
                    WHEN c.capped THEN %s
                    WHEN c.n > %s THEN %s
                    ELSE '' END,
               '', %s, ''
        FROM (
            SELECT f.learner_ref, f.enrollment_ref, f.recent, f.capped,
                   SUM(CASE WHEN f.recent OR f.capped THEN 0 ELSE 1 END)
                       OVER (ORDER BY f.learner_ref ROWS UNBOUNDED PRECEDING) AS n
            FROM ({select_sql}) f
            WHERE f.nth = 1
        ) c
        WHERE c.recent OR c.capped OR c.n <= %s
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - table name from model metadata, the SELECT compiled by the ORM
    ops = connection.ops
    params = [
        rule.pk,
        rule.campaign_id,
        ops.adapt_datefield_value(day),
        remaining,
        S.HELD,
        S.QUEUED,
        R.RECENT,
        R.COURSE_CAP,
        remaining,
        R.BUDGET,
        ops.adapt_datetimefield_value(now),
        *select_params,
        remaining + budget,
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        ReminderRule.objects.filter(pk=rule.pk).update(planned_on=day)
    counts = dict(
        ReminderSend.objects.filter(rule_id=rule.pk, day=day, planned_at=now)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return PlanResult(counts.get(S.QUEUED, 0), counts.get(S.HELD, 0))


def reminders_dispatch(*, now: datetime | None = None) -> int:
    """Plan rules due today and hand queued reminders whose time has come to the outbox.

    Returns how many were handed over. Rows of a past day that never found an allowed time are
    closed as *skipped (late)*; rows stuck in *sending* are closed as *uncertain*.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    ReminderSend.objects.filter(status=S.QUEUED, day__lt=today).update(
        status=S.SKIPPED, reason=R.LATE
    )
    stale = ReminderSend.objects.filter(status=S.SENDING, attempted_at__lt=now - STALE_SENDING)
    if sms_deduplicates():
        # The gateway sends a key at most once: ask it again (same key, checked again first).
        stale.filter(day=today).update(status=S.QUEUED, enqueued_at=None)
    stale.update(status=S.UNCERTAIN, gateway_result="worker stopped before the gateway answered")
    due_rules = [rule for rule in ReminderRule.objects.filter(active=True) if in_window(rule, now)]
    for rule in due_rules:
        if rule.planned_on != today:
            reminders_plan(rule=rule, now=now)
    handed = 0
    for rule in due_rules:
        ids = list(
            ReminderSend.objects.filter(
                rule=rule, day=today, status=S.QUEUED, enqueued_at__isnull=True
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:DISPATCH_BATCH]
        )
        for send_id in ids:
            with transaction.atomic():
                marked = ReminderSend.objects.filter(
                    pk=send_id, status=S.QUEUED, enqueued_at__isnull=True
                ).update(enqueued_at=now)
                if marked:
                    outbox_enqueue(task="reminders.send", args=[send_id], key=f"reminder:{send_id}")
                    handed += 1
    return handed


def next_lesson_path(*, enrollment: Enrollment) -> str:
    """The path of the learner's next unfinished lesson, or of the course if it has none."""
    course = enrollment.course
    lessons = course_lessons(course)
    statuses = lesson_statuses(user=enrollment.learner, lessons=lessons)
    target = next((lesson for lesson in lessons if statuses.get(lesson.pk) != "completed"), course)
    return _page_path(target)


def _page_path(page) -> str:
    return urlsplit(page.get_url() or "/").path


def reminder_target(*, row: ReminderSend, now: datetime) -> tuple[str, str]:
    """Where the reminder's link leads, checked at send time: (path, "") or ("", skip reason).

    Stalled or not started: the next unfinished lesson. Quiz failed twice: that lesson (the one
    failed last). Certificate ready: the certificate's card on My learning.
    """
    rule, enrollment = row.rule, row.enrollment
    if rule.kind == ReminderRule.Kind.CERTIFICATE:
        waiting = certificates_waiting(enrollment=enrollment.pk, before=now).first()
        if waiting is None:
            return "", R.CERT_OPENED
        return f"{reverse('learners_my_learning')}#certificate-{waiting.code}", ""
    if enrollment.completed_at is not None:
        return "", R.FINISHED
    if rule.kind == ReminderRule.Kind.QUIZ_FAILED:
        failed = (
            quiz_failed_twice(learner=row.learner_id, course=enrollment.course_id, before=now)
            .select_related("lesson")
            .first()
        )
        if failed is None:
            return "", R.QUIZ_PASSED
        return _page_path(failed.lesson), ""
    return next_lesson_path(enrollment=enrollment), ""


def render_message(*, rule: ReminderRule, name: str, course: str, link: str) -> str:
    """The rule's text with the learner's name, the course and the link filled in."""
    text = str(rule.message)
    return text.replace("{name}", name).replace("{course}", course).replace("{link}", link)


def _close(row: ReminderSend, status: str, reason: str = "") -> str:
    row.status, row.reason = status, reason
    row.save(update_fields=["status", "reason"])
    return status


def reminder_send(*, send_id: int, now: datetime | None = None) -> str:
    """Send one planned reminder at most once; returns the row's status afterwards.

    Idempotent: only a *queued* row is ever sent, and it leaves *queued* (committed) before the
    gateway is called. A row outside an allowed time goes back to the dispatcher (not enqueued).
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            # Lock this row only: not the rule (its other reminders go on) nor the course page.
            ReminderSend.objects.select_for_update(of=("self",))
            .select_related("rule", "enrollment__course")
            .filter(pk=send_id)
            .first()
        )
        if row is None or row.status != S.QUEUED:
            return row.status if row else "gone"
        # Lock the learner: two rules' reminders for one person are checked one after the other.
        user = get_user_model().objects.select_for_update().filter(pk=row.learner_id).first()
        rule = row.rule
        if row.day != timezone.localdate(now):
            return _close(row, S.SKIPPED, R.LATE)
        if not rule.active or not in_window(rule, now):
            row.enqueued_at = None  # the dispatcher hands it over again at the next allowed time
            row.save(update_fields=["enqueued_at"])
            return row.status
        profile = LearnerProfile.objects.filter(user_id=row.learner_id).first()
        if user is None or not user.is_active or profile is None or not profile.phone:
            return _close(row, S.SKIPPED, R.ERASED)
        if profile.reminders_off:
            return _close(row, S.SKIPPED, R.OFF)
        target, gone = reminder_target(row=row, now=now)
        if gone:
            return _close(row, S.SKIPPED, gone)
        reached = ReminderSend.objects.filter(status__in=REACHED).exclude(pk=row.pk)
        if reached.filter(learner_id=row.learner_id, attempted_at__gt=now - RECENT).exists():
            return _close(row, S.HELD, R.RECENT)
        if reached.filter(enrollment_id=row.enrollment_id).count() >= COURSE_CAP:
            return _close(row, S.HELD, R.COURSE_CAP)
        spent = reached.filter(campaign_id=row.campaign_id, day=row.day).count()
        if spent >= daily_budget(row.campaign_id):
            return _close(row, S.HELD, R.BUDGET)
        link = sign_in_link_create(user=user, next_path=target, now=now)
        text = render_message(
            rule=rule,
            name=profile.display_name or "学员",
            course=row.enrollment.course.title,
            link=link,
        )
        phone = profile.phone
        row.status = S.SENDING
        row.attempted_at = now
        row.phone_masked = mask_phone(phone)
        row.save(update_fields=["status", "attempted_at", "phone_masked"])
    # Committed as *sending*: from here on, nothing calls the gateway for this row again.
    try:
        send_sms(phone, text, key=f"reminder:{send_id}")
    except SmsError as exc:
        ReminderSend.objects.filter(pk=send_id).update(
            status=S.FAILED, gateway_result=str(exc)[:200]
        )
        return S.FAILED
    ReminderSend.objects.filter(pk=send_id).update(
        status=S.SENT, sent_at=timezone.now(), gateway_result="ok"
    )
    return S.SENT


def rule_save(*, rule: ReminderRule, user, daily_sms: int | None = None) -> ReminderRule:
    """Validate and save a rule (new ones start off); set the campaign's daily budget if given."""
    if rule.pk is None:
        rule.created_by = user
        rule.active = False
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        if daily_sms is not None:
            ReminderBudget.objects.update_or_create(
                campaign_id=rule.campaign_id, defaults={"daily_sms": daily_sms}
            )
    return rule


def rule_set_active(*, rule: ReminderRule, active: bool) -> None:
    """Turn a rule on or off; turning it off stops its queued reminders at send time."""
    ReminderRule.objects.filter(pk=rule.pk).update(active=active)


def call_note_add(*, enrollment: Enrollment, user, note: str, now: datetime | None = None):
    """Record that a trainer phoned this learner (the caller checked the enrollment's scope)."""
    from .models import CallNote

    note_row = CallNote(
        enrollment=enrollment, author=user, note=note.strip(), called_at=now or timezone.now()
    )
    note_row.full_clean()
    note_row.save()
    return note_row
