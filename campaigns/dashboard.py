"""Selectors of the campaign and office dashboards: they read the rollup tables only.

A `DashboardScope` says which campaigns and (for trainers) which cohorts the figures cover; the
views build it from the user's scope, so the figures never include anything the user may not see.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Min, Q, Sum
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from core.models import Campaign, Cohort, ProgramOffice, Region

from .models import (
    CourseRollup,
    LessonRollup,
    QuestionRollup,
    RegionRollup,
    RollupState,
    WeeklyRollup,
)
from .selectors import campaign_part_for, campaigns_visible

UNKNOWN_REGION = _("Region unknown or outside the campaign")
DIRECTLY_IN = _("%(name)s (no smaller region given)")
COUNTS = ("enrolled", "active_7d", "completed", "certificates")


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole per cent, halves rounded up (12.5 % is 13 %), as in the
    exports and in SQL's ROUND; None when `whole` is zero. Integer arithmetic: no float error."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class DashboardScope:
    """The campaigns a dashboard covers, their root region, and the cohorts when restricted."""

    campaign_ids: tuple[int, ...]
    root: Region
    target: int | None
    cohort_ids: tuple[int, ...] | None = None
    # An office below the campaign's region sees only its region subtrees (decision 0090).
    subtrees: tuple[str, ...] | None = None
    # What the target counts (Campaign.TargetKind); an office's summed target is completions.
    target_kind: str = Campaign.TargetKind.COMPLETIONS

    def q(self) -> Q:
        condition = Q(campaign_id__in=self.campaign_ids)
        if self.cohort_ids is not None:
            condition &= Q(cohort_id__in=self.cohort_ids)
        return condition

    def region_q(self) -> Q:
        """`q()` narrowed to the subtrees: every rollup carries its learners' region path
        (decision 0131), so every figure of an office below the campaign is its subtree's."""
        condition = self.q()
        if self.subtrees is not None:
            condition &= reduce(or_, (Q(region_path__startswith=p) for p in self.subtrees))
        return condition


@dataclass
class Figures:
    """One row of counts."""

    label: str
    enrolled: int = 0
    active_7d: int = 0
    completed: int = 0
    certificates: int = 0
    region: Region | None = None
    extra: dict = field(default_factory=dict)

    @property
    def completion_percent(self) -> int | None:
        return percent(self.completed, self.enrolled)


def campaign_scope(*, user, campaign: Campaign) -> DashboardScope:
    """Scope of one campaign's dashboard: an office below the campaign's region sees its subtree,
    a trainer outside the region only their cohorts."""
    part = campaign_part_for(user=user, campaign=campaign)
    if part.whole:
        return DashboardScope(
            (campaign.pk,),
            campaign.region,
            campaign.target_learners,
            target_kind=campaign.target_kind,
        )
    if part.subtrees:
        root = Region.objects.get(path=part.root_path)
        return DashboardScope((campaign.pk,), root, None, subtrees=part.subtrees)
    return DashboardScope((campaign.pk,), campaign.region, None, part.cohort_ids)


def office_scope(*, user, office: ProgramOffice) -> DashboardScope:
    """Scope of an office's dashboard: its campaigns that the user may see."""
    campaigns = campaigns_visible(user=user).filter(office=office)
    ids = tuple(campaigns.values_list("pk", flat=True))
    # Person-times targets do not add up with completion targets (decision 0113).
    target = sum(
        campaigns.filter(target_kind=Campaign.TargetKind.COMPLETIONS).values_list(
            "target_learners", flat=True
        )
    )
    return DashboardScope(ids, office.region, target)


def _sum(queryset, names=COUNTS) -> dict[str, int]:
    totals = queryset.aggregate(**{n: Sum(n) for n in names})
    return {n: totals[n] or 0 for n in names}


def kpis(scope: DashboardScope) -> dict:
    """Enrolled, active in 7 days, completed, certificates, and progress against the target:
    completed people, or person-times at training sessions when the target counts those."""
    figures = _sum(RegionRollup.objects.filter(scope.region_q()))
    target = scope.target
    figures["target"] = target
    figures["target_kind"] = scope.target_kind
    reached = figures["completed"]
    if target and scope.target_kind == Campaign.TargetKind.PERSON_TIMES:
        from .sessions.selectors import campaign_person_times

        reached = campaign_person_times(campaign_ids=scope.campaign_ids)
    figures["target_reached"] = reached
    figures["target_percent"] = percent(reached, target)
    states = RollupState.objects.filter(campaign_id__in=scope.campaign_ids)
    figures["as_of"] = min((s.as_of for s in states), default=None)
    return figures


def region_breakdown(scope: DashboardScope, parent: Region) -> list[Figures]:
    """Figures for each child region of `parent` (plus learners placed at `parent` itself and,
    at the scope's root, learners whose region is unknown or outside it)."""
    children = {r.path: r for r in parent.get_children().order_by("code")}
    rows: dict[str, Figures] = {path: Figures(str(r), region=r) for path, r in children.items()}
    direct = Figures(str(DIRECTLY_IN % {"name": parent.name}), region=parent)
    unknown = Figures(str(UNKNOWN_REGION))
    queryset = RegionRollup.objects.filter(scope.region_q())
    if parent.pk != scope.root.pk:
        queryset = queryset.filter(region_path__startswith=parent.path)
    depth_len = len(parent.path) + Region.steplen
    grouped = queryset.values("region_path").annotate(**{n: Sum(n) for n in COUNTS}).order_by()
    for row in grouped:
        path = row["region_path"]
        if not path.startswith(parent.path):
            target = unknown
        elif path == parent.path:
            target = direct
        else:
            target = rows.get(path[:depth_len])
            if target is None:  # a region added after the rollup was built
                target = unknown
        for name in COUNTS:
            setattr(target, name, getattr(target, name) + row[name])
    result = list(rows.values())
    if direct.enrolled:
        result.append(direct)
    if unknown.enrolled:
        result.append(unknown)
    return result


def course_breakdown(scope: DashboardScope) -> list[Figures]:
    """Enrollments, activity, completions and certificates per course."""
    grouped = (
        CourseRollup.objects.filter(scope.region_q())
        .values("course_id")
        .annotate(**{n: Sum(n) for n in COUNTS})
        .order_by()
    )
    titles = dict(
        Page.objects.filter(pk__in=[r["course_id"] for r in grouped]).values_list("pk", "title")
    )
    rows = [Figures(titles.get(r["course_id"], "?"), **{n: r[n] for n in COUNTS}) for r in grouped]
    return sorted(rows, key=lambda f: f.label)


def cohort_breakdown(scope: DashboardScope) -> list[Figures]:
    """Figures per cohort with its trainer and village; learners in no cohort last."""
    grouped = {
        r["cohort_id"]: r
        for r in RegionRollup.objects.filter(scope.region_q())
        .values("cohort_id")
        .annotate(**{n: Sum(n) for n in COUNTS})
        .order_by()
    }
    cohorts = Cohort.objects.filter(campaign_id__in=scope.campaign_ids).select_related(
        "trainer", "village"
    )
    if scope.cohort_ids is not None:
        cohorts = cohorts.filter(pk__in=scope.cohort_ids)
    if scope.subtrees is not None:
        cohorts = cohorts.filter(
            reduce(or_, (Q(village__path__startswith=p) for p in scope.subtrees))
        )
    rows = []
    for cohort in cohorts.order_by("name"):
        counts = grouped.get(cohort.pk, {})
        trainer = ""
        if cohort.trainer is not None:
            trainer = cohort.trainer.get_full_name() or cohort.trainer.get_username()
        rows.append(
            Figures(
                cohort.name,
                **{n: counts.get(n) or 0 for n in COUNTS},
                extra={"trainer": trainer, "village": cohort.village.name},
            )
        )
    if None in grouped:
        rows.append(Figures(str(_("No cohort")), **{n: grouped[None][n] for n in COUNTS}, extra={}))
    return rows


def weekly_trend(scope: DashboardScope) -> list[dict]:
    """Per week: learners who joined, were active and completed."""
    return list(
        WeeklyRollup.objects.filter(scope.region_q())
        .values("week")
        .annotate(joined=Sum("joined"), active=Sum("active"), completed=Sum("completed"))
        .order_by("week")
    )


def lesson_funnel(scope: DashboardScope) -> list[dict]:
    """Per lesson in course order: learners who started it and who completed it."""
    rows = list(
        LessonRollup.objects.filter(scope.region_q())
        .values("course_id", "lesson_id")
        .annotate(started=Sum("started"), completed=Sum("completed"), position=Min("position"))
        .order_by()
    )
    titles = dict(
        Page.objects.filter(
            pk__in={r["lesson_id"] for r in rows} | {r["course_id"] for r in rows}
        ).values_list("pk", "title")
    )
    for row in rows:
        row["course"] = titles.get(row["course_id"], "?")
        row["lesson"] = titles.get(row["lesson_id"], "?")
    return sorted(rows, key=lambda r: (r["position"], r["lesson_id"]))


def missed_questions(scope: DashboardScope, limit: int = 10) -> list[dict]:
    """The quiz questions most often answered wrongly."""
    rows = list(
        QuestionRollup.objects.filter(scope.region_q())
        .values("lesson_id", "question_id", "question_text")
        .annotate(answered=Sum("answered"), missed=Sum("missed"))
        .filter(missed__gt=0)
        .order_by("-missed", "question_id")[:limit]
    )
    titles = dict(
        Page.objects.filter(pk__in={r["lesson_id"] for r in rows}).values_list("pk", "title")
    )
    for row in rows:
        row["lesson"] = titles.get(row["lesson_id"], "?")
        row["missed_percent"] = percent(row["missed"], row["answered"])
    return rows


def drill_path(scope: DashboardScope, region: Region) -> list[Region]:
    """Breadcrumb from the scope's root region down to `region`."""
    return [r for r in [*region.get_ancestors(), region] if r.depth >= scope.root.depth]


def region_in_scope(scope: DashboardScope, region_code: str) -> Region | None:
    """The region to drill into, only if it lies inside the scope's root."""
    if not region_code:
        return scope.root
    region = Region.objects.filter(code=region_code).first()
    if region is None or not scope.root.contains(region):
        return None
    return region
