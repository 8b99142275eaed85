"""Reads of the reminders, narrowed to what the asking user may see (campaigns.selectors scope).

A rule belongs to the office that owns its campaign (and the offices above it) or, for a cohort
rule, to that cohort's trainer; its preview, log and effect only ever cover the rule's own
learners, so whoever may see the rule may see them (masked numbers only).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from core.models import Cohort, Region
from learners.models import Enrollment, LessonProgress, ProgressEvent

from ..selectors import campaigns_editable, cohorts_visible
from . import services
from .models import ReminderRule, ReminderSend

CAME_BACK_WITHIN = timedelta(days=7)
STALLED_AFTER = timedelta(days=7)


def rules_visible(*, user) -> QuerySet[ReminderRule]:
    """Rules of campaigns the user's office owns (or an office above), and of cohorts they train."""
    return ReminderRule.objects.filter(
        Q(campaign__in=campaigns_editable(user=user).values("pk")) | Q(cohort__trainer=user)
    ).select_related("campaign", "cohort")


def rule_cohorts_for(*, user) -> QuerySet[Cohort]:
    """Cohorts a user may write a cohort rule for: the ones they train."""
    return Cohort.objects.filter(trainer=user).select_related("campaign")


@dataclass(frozen=True)
class Preview:
    targets: int
    held_recent: int
    held_course_cap: int
    budget: int
    budget_used: int
    would_send: int
    by_region: list[tuple[str, int]]


def rule_preview(*, rule: ReminderRule, now: datetime | None = None) -> Preview:
    """How many learners the rule reaches today, per county, and the SMS count against the budget.

    Counts in SQL (a few aggregate queries), whatever the size of the campaign.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    rows = services._with_caps(services.rule_targets(rule, now=now), now=now)
    learners = rows.values("learner_id").distinct()
    targets = learners.count()
    held_recent = rows.filter(recent=True).values("learner_id").distinct().count()
    held_course_cap = rows.filter(recent=False, capped=True).values("learner_id").distinct().count()
    budget = services.daily_budget(rule.campaign_id)
    used = services.budget_used(rule.campaign_id, day)
    eligible = targets - held_recent - held_course_cap
    counties = (
        rows.annotate(county=Substr("learner__learner_profile__village_code", 1, 6))
        .values("county")
        .annotate(n=Count("learner_id", distinct=True))
        .order_by("-n")
    )
    names = dict(
        Region.objects.filter(
            code__in=[f"{c['county']}000000" for c in counties if c["county"]]
        ).values_list("code", "name")
    )
    by_region = [
        (names.get(f"{c['county']}000000", "—") if c["county"] else "—", c["n"]) for c in counties
    ]
    return Preview(
        targets=targets,
        held_recent=held_recent,
        held_course_cap=held_course_cap,
        budget=budget,
        budget_used=used,
        would_send=max(min(eligible, budget - used), 0),
        by_region=by_region,
    )


@dataclass(frozen=True)
class Effect:
    reminded: int
    reminded_back: int
    held: int
    held_back: int

    @staticmethod
    def share(part: int, whole: int) -> int | None:
        return round(part * 100 / whole) if whole else None

    @property
    def reminded_percent(self) -> int | None:
        return self.share(self.reminded_back, self.reminded)

    @property
    def held_percent(self) -> int | None:
        return self.share(self.held_back, self.held)


def rule_effect(*, rule: ReminderRule) -> Effect:
    """Reminded learners and how many opened a lesson within 7 days, beside those held back by a
    cap or the budget the same days (measured from when they would have been reminded)."""

    def came_back(moment: str):
        return Exists(
            ProgressEvent.objects.filter(
                learner_id=OuterRef("learner_id"),
                occurred_at__gt=OuterRef(moment),
                occurred_at__lte=OuterRef(moment) + CAME_BACK_WITHIN,
            )
        )

    sent = rule.sends.filter(status=ReminderSend.Status.SENT).annotate(back=came_back("sent_at"))
    held = rule.sends.filter(
        status=ReminderSend.Status.HELD,
        reason__in=[ReminderSend.Reason.RECENT, ReminderSend.Reason.BUDGET],
    ).annotate(back=came_back("planned_at"))
    return Effect(
        reminded=sent.count(),
        reminded_back=sent.filter(back=True).count(),
        held=held.count(),
        held_back=held.filter(back=True).count(),
    )


def rule_log(*, rule: ReminderRule, limit: int = 200) -> QuerySet[ReminderSend]:
    """The rule's latest reminders (masked numbers), newest first."""
    return rule.sends.order_by("-planned_at", "-pk")[:limit]


def call_list(*, user, now: datetime | None = None) -> QuerySet[Enrollment]:
    """Stalled learners of the cohorts the user trains (officers: cohorts in their subtree)."""
    now = now or timezone.now()
    cohorts = cohorts_visible(user=user).values("pk")
    last_lesson = (
        LessonProgress.objects.filter(
            learner_id=OuterRef("learner_id"), course_id=OuterRef("course_id")
        )
        .order_by("-updated_at")
        .values("lesson__title")[:1]
    )
    return (
        Enrollment.objects.filter(cohort__in=cohorts, completed_at__isnull=True)
        .filter(Q(last_activity_at__lte=now - STALLED_AFTER) | Q(last_activity_at__isnull=True))
        .filter(learner__is_active=True, learner__learner_profile__isnull=False)
        .annotate(
            last_lesson=Subquery(last_lesson),
            phone=F("learner__learner_profile__phone"),
            name=F("learner__learner_profile__display_name"),
        )
        .select_related("course", "cohort")
        .prefetch_related("call_notes")
        .order_by("cohort__name", "last_activity_at", "pk")
    )
