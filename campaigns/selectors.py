"""Reads of the campaigns room, always narrowed to what the asking user may see.

Scoping lives here, in querysets, so that every admin view, export and dashboard that starts from
these functions shows an officer only their office's region subtree and a trainer only their
cohorts (docs/decisions/0040-region-scoping-in-querysets.md).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from cms.roles import ADMINISTRATORS

from .models import Campaign, Cohort, ProgramOffice, Region


@dataclass(frozen=True)
class Scope:
    """What a user may see: everything, some region subtrees, and/or the cohorts they train."""

    everything: bool
    region_paths: tuple[str, ...]
    user_id: int | None

    def region_q(self, prefix: str = "") -> Q:
        """Rows whose `<prefix>path` lies in one of the scope's subtrees (nothing if none)."""
        if self.everything:
            return Q()
        if not self.region_paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in self.region_paths))


def user_scope(user) -> Scope:
    """The scope of a signed-in staff user (cached on the user object for the request)."""
    cached = getattr(user, "_campaigns_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = Scope(everything=False, region_paths=(), user_id=None)
    elif user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists():
        scope = Scope(everything=True, region_paths=(), user_id=user.pk)
    else:
        paths = sorted(
            set(ProgramOffice.objects.filter(members=user).values_list("region__path", flat=True))
        )
        # A path inside another one adds nothing to the filter.
        kept = tuple(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
        scope = Scope(everything=False, region_paths=kept, user_id=user.pk)
    user._campaigns_scope = scope
    return scope


def regions_visible(*, user) -> QuerySet[Region]:
    """Regions in the user's subtrees."""
    return Region.objects.filter(user_scope(user).region_q())


def offices_visible(*, user) -> QuerySet[ProgramOffice]:
    """Program offices whose region is in the user's subtrees."""
    return ProgramOffice.objects.filter(user_scope(user).region_q("region__")).select_related(
        "region"
    )


def campaigns_visible(*, user) -> QuerySet[Campaign]:
    """Campaigns in the user's subtrees, plus campaigns with a cohort the user trains."""
    scope = user_scope(user)
    condition = scope.region_q("region__")
    if not scope.everything and scope.user_id:
        condition |= Q(pk__in=Cohort.objects.filter(trainer_id=scope.user_id).values("campaign"))
    return Campaign.objects.filter(condition).select_related("office", "region")


def cohorts_visible(*, user) -> QuerySet[Cohort]:
    """Cohorts of campaigns in the user's subtrees, plus the cohorts the user trains."""
    scope = user_scope(user)
    condition = scope.region_q("campaign__region__")
    if not scope.everything and scope.user_id:
        condition |= Q(trainer_id=scope.user_id)
    return Cohort.objects.filter(condition).select_related("campaign", "village", "trainer")


def campaign_cohorts_for(*, user, campaign: Campaign) -> QuerySet[Cohort] | None:
    """The cohorts of `campaign` whose figures the user may see; None means the whole campaign."""
    scope = user_scope(user)
    if scope.everything or any(campaign.region.path.startswith(p) for p in scope.region_paths):
        return None
    return Cohort.objects.filter(campaign=campaign, trainer_id=scope.user_id)


def region_by_code(*, code: str) -> Region | None:
    """The region with this division code, if any."""
    return Region.objects.filter(code=code).first()
