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
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from courses.selectors import course_lessons
from learners.accounts.links import sign_in_link_create
from learners.accounts.models import LearnerProfile
from learners.accounts.phone import mask_phone
from learners.accounts.sms import SmsError, send_sms
from learners.models import Enrollment
from learners.outbox.services import outbox_enqueue
from learners.selectors import lesson_statuses

from .models import DEFAULT_DAILY_BUDGET, ReminderBudget, ReminderRule, ReminderSend

logger = logging.getLogger(__name__)

QUIET_START = time(21, 0)  # local time (settings.TIME_ZONE, Asia/Shanghai)
QUIET_END = time(8, 0)
RECENT = timedelta(days=3)  # one reminder per learner per 3 days, whatever the rule
COURSE_CAP = 3  # at most 3 reminders per learner and course
STALE_SENDING = timedelta(minutes=10)
PLAN_BATCH = 5000
DISPATCH_BATCH = 1000

S = ReminderSend.Status
R = ReminderSend.Reason
# Rows that may have reached the learner: they count against every cap.
REACHED = [S.SENDING, S.SENT, S.UNCERTAIN]


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


def rule_targets(rule: ReminderRule, *, now: datetime) -> QuerySet[Enrollment]:
    """Enrollments the rule aims at today, before caps: one SQL query, nothing loaded.

    Learners with no phone, an erased account or the off switch on are never targets.
    """
    since = now - timedelta(days=rule.days)
    rows = Enrollment.objects.filter(
        campaign_id=rule.campaign_id,
        completed_at__isnull=True,
        learner__is_active=True,
        learner__learner_profile__phone__isnull=False,
        learner__learner_profile__reminders_off=False,
    )
    if rule.cohort_id:
        rows = rows.filter(cohort_id=rule.cohort_id)
    if rule.kind == ReminderRule.Kind.NOT_STARTED:
        rows = rows.filter(last_activity_at__isnull=True, enrolled_at__lte=since)
    else:
        rows = rows.filter(last_activity_at__isnull=False, last_activity_at__lte=since)
    return rows


def _with_caps(rows: QuerySet[Enrollment], *, now: datetime) -> QuerySet[Enrollment]:
    """Annotate whether the recent cap or the course cap holds each enrollment back."""
    recent = ReminderSend.objects.filter(learner_id=OuterRef("learner_id")).filter(
        Q(status__in=REACHED, attempted_at__gt=now - RECENT) | Q(status=S.QUEUED)
    )
    course_sends = ReminderSend.objects.filter(
        enrollment_id=OuterRef("pk"), status__in=REACHED
    ).order_by()
    # "3 or more" without counting them all: the third one exists.
    third = course_sends.values("pk")[COURSE_CAP - 1 : COURSE_CAP]
    return rows.annotate(recent=Exists(recent), capped=Exists(third))


def reminders_plan(*, rule: ReminderRule, now: datetime | None = None) -> PlanResult:
    """Pick today's learners of an active rule; idempotent per (rule, learner, day).

    Streams the candidates (ordered by learner, one row per learner) and writes in batches, so the
    memory used does not grow with the campaign.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not rule.active:
        return PlanResult(0, 0)
    already = ReminderSend.objects.filter(
        rule_id=rule.pk, day=day, learner_id=OuterRef("learner_id")
    )
    rows = (
        _with_caps(rule_targets(rule, now=now), now=now)
        .filter(~Exists(already))
        .order_by("learner_id", "enrolled_at", "pk")
        .values_list("pk", "learner_id", "recent", "capped")
    )
    remaining = max(daily_budget(rule.campaign_id) - budget_used(rule.campaign_id, day), 0)
    queued = held = 0
    batch: list[ReminderSend] = []
    previous = None
    for enrollment_id, learner_id, recent, capped in rows.iterator(chunk_size=PLAN_BATCH):
        if learner_id == previous:
            continue  # one reminder per learner per rule and day: their first course
        previous = learner_id
        reason = R.RECENT if recent else R.COURSE_CAP if capped else ""
        if not reason and remaining <= 0:
            reason = R.BUDGET
        if reason:
            held += 1
        else:
            remaining -= 1
            queued += 1
        batch.append(
            ReminderSend(
                rule_id=rule.pk,
                learner_id=learner_id,
                enrollment_id=enrollment_id,
                campaign_id=rule.campaign_id,
                day=day,
                status=S.HELD if reason else S.QUEUED,
                reason=reason,
                planned_at=now,
            )
        )
        if len(batch) >= PLAN_BATCH:
            ReminderSend.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        ReminderSend.objects.bulk_create(batch, ignore_conflicts=True)
    ReminderRule.objects.filter(pk=rule.pk).update(planned_on=day)
    return PlanResult(queued, held)


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
    ReminderSend.objects.filter(status=S.SENDING, attempted_at__lt=now - STALE_SENDING).update(
        status=S.UNCERTAIN, gateway_result="worker stopped before the gateway answered"
    )
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
    return urlsplit(target.get_url() or "/").path


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
        if row.enrollment.completed_at is not None:
            return _close(row, S.SKIPPED, R.FINISHED)
        reached = ReminderSend.objects.filter(status__in=REACHED).exclude(pk=row.pk)
        if reached.filter(learner_id=row.learner_id, attempted_at__gt=now - RECENT).exists():
            return _close(row, S.HELD, R.RECENT)
        if reached.filter(enrollment_id=row.enrollment_id).count() >= COURSE_CAP:
            return _close(row, S.HELD, R.COURSE_CAP)
        spent = reached.filter(campaign_id=row.campaign_id, day=row.day).count()
        if spent >= daily_budget(row.campaign_id):
            return _close(row, S.HELD, R.BUDGET)
        link = sign_in_link_create(
            user=user, next_path=next_lesson_path(enrollment=row.enrollment), now=now
        )
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
        send_sms(phone, text)
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
