"""Reads of training sessions and attendance, narrowed by the one campaigns scope.

Figures are computed from the attendance table itself (decision 0101): sessions held (started
sessions), person-times (attendance rows), distinct attendees, and attendees who completed a
course of the campaign online after they attended. Each breakdown groups the same rows, so a
level's rows add up to its parent's person-times and sessions.
"""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr, TruncWeek
from django.utils import timezone

from core.models import Campaign, Region

from ..selectors import campaign_part_for, cohorts_visible
from .models import Attendance, TrainingSession

BREAKDOWNS = ("region", "cohort", "trainer", "week")


def sessions_visible(*, user) -> QuerySet[TrainingSession]:
    """Sessions of the cohorts the user trains or oversees (officers: their subtree)."""
    return TrainingSession.objects.filter(
        cohort__in=cohorts_visible(user=user).values("pk")
    ).select_related("cohort__campaign", "village", "trainer")


def session_roster(*, session: TrainingSession) -> list[dict]:
    """The cohort's members with whether each is checked in (for the trainer's tick list)."""
    from learners.models import Enrollment

    present = {
        a.learner_id: a
        for a in Attendance.objects.filter(session=session).only("learner_id", "method")
    }
    members = (
        Enrollment.objects.filter(cohort=session.cohort)
        .values("learner_id", "learner__learner_profile__display_name")
        .distinct()
        .order_by("learner__learner_profile__display_name", "learner_id")
    )
    return [
        {
            "learner_id": m["learner_id"],
            "name": m["learner__learner_profile__display_name"] or "—",
            "attendance": present.get(m["learner_id"]),
        }
        for m in members
    ]


def campaign_sessions_for(*, user, campaign: Campaign) -> QuerySet[TrainingSession]:
    """The campaign's sessions in the part of it the user follows."""
    part = campaign_part_for(user=user, campaign=campaign)
    sessions = TrainingSession.objects.filter(cohort__campaign=campaign)
    if part.whole:
        return sessions
    if part.subtrees:
        return sessions.filter(reduce(or_, (Q(village__path__startswith=p) for p in part.subtrees)))
    return sessions.filter(cohort_id__in=part.cohort_ids)


def campaign_person_times(*, campaign_ids) -> int:
    """Person-times (attendance rows) at all sessions of these campaigns, for a whole-campaign
    target; `attendance_figures` gives the same number to a user who follows the whole campaign."""
    return Attendance.objects.filter(session__cohort__campaign_id__in=campaign_ids).count()


@dataclass(frozen=True)
class AttendanceRow:
    """Attendance figures of one group (or of the whole scope when key is None)."""

    key: object
    label: str
    sessions: int
    person_times: int
    attendees: int
    completed_later: int


def _completed_later(campaign: Campaign):
    from learners.models import Enrollment

    return Exists(
        Enrollment.objects.filter(
            learner_id=OuterRef("learner_id"),
            campaign=campaign,
            completed_at__gt=OuterRef("checked_in_at"),
        )
    )


def _group(by: str, region: Region | None):
    """(expression on a session, the same on an attendance) for a breakdown."""
    if by == "region":
        depth = len(region.path) + Region.steplen
        return (
            Substr("village__path", 1, depth),
            Substr("session__village__path", 1, depth),
        )
    if by == "cohort":
        return F("cohort_id"), F("session__cohort_id")
    if by == "trainer":
        return F("trainer_id"), F("session__trainer_id")
    if by == "week":
        # Monday 00:00 of the week, in the project's time zone.
        return TruncWeek("starts_at"), TruncWeek("session__starts_at")
    raise ValueError(by)


def attendance_figures(
    *,
    user,
    campaign: Campaign,
    by: str | None = None,
    region: Region | None = None,
    month: datetime.date | None = None,
) -> list[AttendanceRow]:
    """Sessions held, person-times, distinct attendees and later completions, in the user's part.

    `by` groups them (region: the children of `region`, default the campaign's region); None
    gives one total row. `region` also narrows to that subtree; `month` to sessions starting
    in that calendar month.
    """
    now = timezone.now()
    sessions = campaign_sessions_for(user=user, campaign=campaign)
    if region is not None:
        sessions = sessions.filter(village__path__startswith=region.path)
    if month is not None:
        sessions = sessions.filter(starts_at__year=month.year, starts_at__month=month.month)
    held = sessions.filter(starts_at__lte=now)
    attendances = Attendance.objects.filter(session__in=sessions.values("pk"))
    if by is None:
        totals = attendances.aggregate(
            person_times=Count("pk"), attendees=Count("learner_id", distinct=True)
        )
        later = (
            attendances.filter(_completed_later(campaign)).values("learner_id").distinct().count()
        )
        return [
            AttendanceRow(
                key=None,
                label="",
                sessions=held.count(),
                person_times=totals["person_times"],
                attendees=totals["attendees"],
                completed_later=later,
            )
        ]
    if by == "region" and region is None:
        region = campaign.region
    session_key, attendance_key = _group(by, region)
    held_by = dict(
        held.annotate(k=session_key).values("k").annotate(n=Count("pk")).values_list("k", "n")
    )
    figures = {
        row["k"]: row
        for row in attendances.annotate(k=attendance_key)
        .values("k")
        .annotate(person_times=Count("pk"), attendees=Count("learner_id", distinct=True))
    }
    later = dict(
        attendances.filter(_completed_later(campaign))
        .annotate(k=attendance_key)
        .values("k")
        .annotate(n=Count("learner_id", distinct=True))
        .values_list("k", "n")
    )
    keys = sorted(set(held_by) | set(figures), key=lambda k: (k is None, str(k)))
    labels = _labels(by, keys)
    return [
        AttendanceRow(
            key=k,
            label=labels.get(k, "—"),
            sessions=held_by.get(k, 0),
            person_times=figures.get(k, {}).get("person_times", 0),
            attendees=figures.get(k, {}).get("attendees", 0),
            completed_later=later.get(k, 0),
        )
        for k in keys
    ]


def _labels(by: str, keys) -> dict:
    from django.contrib.auth import get_user_model

    from core.models import Cohort

    if by == "region":
        return dict(Region.objects.filter(path__in=keys).values_list("path", "name"))
    if by == "cohort":
        return dict(Cohort.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "trainer":
        users = get_user_model().objects.filter(pk__in=keys).select_related("learner_profile")
        return {u.pk: _person_name(u) for u in users}
    return {k: f"{timezone.localtime(k):%Y-%m-%d}" for k in keys}


def _person_name(user) -> str:
    profile = getattr(user, "learner_profile", None)
    return (profile.display_name if profile else "") or user.get_full_name() or user.username


def attendance_dashboard(*, user, campaign: Campaign, region: Region) -> dict:
    """The campaign dashboard's attendance section at one drill level (decision 0101)."""
    from django.utils.translation import gettext_lazy as _

    titles = {
        "region": _("By region"),
        "cohort": _("By cohort"),
        "trainer": _("By trainer"),
        "week": _("By week"),
    }
    return {
        "attendance": {"total": attendance_figures(user=user, campaign=campaign, region=region)[0]},
        "attendance_tables": [
            (titles[by], attendance_figures(user=user, campaign=campaign, by=by, region=region))
            for by in BREAKDOWNS
        ],
    }
