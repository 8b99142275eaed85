"""Reads of the campaigns room, always narrowed to what the asking user may see.

Scoping lives here, in querysets, so that every admin view, export and dashboard that starts from
these functions shows an officer only their office's region subtree and a trainer only their
cohorts. An office follows every campaign whose region contains or lies inside its own, but only
the part of it inside its subtree; only the owning office and the offices above it edit the
campaign itself (docs/decisions/0090-visibility-down-the-tree.md, which replaces 0040's rule).
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from core.models import Campaign, Cohort, ProgramOffice, Region
from core.scope import user_scope


def regions_visible(*, user) -> QuerySet[Region]:
    """Regions in the user's subtrees."""
    return Region.objects.filter(user_scope(user).region_q())


PATH_SEPARATOR = " › "
REGION_SEARCH_LIMIT = 20


def region_path_labels(regions) -> dict[int, str]:
    """Each region's names from the top of the tree, "省 › 市 › 县 › 乡 › 村" (one query)."""
    regions = list(regions)
    prefixes = {
        r.path[:end] for r in regions for end in range(Region.steplen, len(r.path), Region.steplen)
    }
    names = dict(Region.objects.filter(path__in=prefixes).values_list("path", "name"))
    return {
        r.pk: PATH_SEPARATOR.join(
            [
                names.get(r.path[:end], "?")
                for end in range(Region.steplen, len(r.path), Region.steplen)
            ]
            + [r.name]
        )
        for r in regions
    }


def region_search(*, user, text: str, villages: bool) -> list[tuple[Region, str]]:
    """Regions of the user's subtrees whose name contains `text` (or whose code starts with it),
    villages or the levels above them, with their path labels; at most REGION_SEARCH_LIMIT."""
    text = text.strip()
    if not text:
        return []
    regions = regions_visible(user=user)
    if villages:
        regions = regions.filter(level=Region.Level.VILLAGE)
    else:
        regions = regions.exclude(level=Region.Level.VILLAGE)
    condition = Q(code__startswith=text) if text.isdigit() else Q(name__contains=text)
    found = list(regions.filter(condition).order_by("path")[:REGION_SEARCH_LIMIT])
    labels = region_path_labels(found)
    return [(r, labels[r.pk]) for r in found]


def offices_visible(*, user) -> QuerySet[ProgramOffice]:
    """Program offices whose region is in the user's subtrees."""
    return ProgramOffice.objects.filter(user_scope(user).region_q("region__")).select_related(
        "region"
    )


def campaigns_visible(*, user) -> QuerySet[Campaign]:
    """Campaigns whose region lies inside or contains one of the user's subtrees, plus campaigns
    with a cohort the user trains."""
    scope = user_scope(user)
    condition = scope.region_q("region__") | scope.covering_q("region__")
    if not scope.everything and scope.user_id:
        condition |= Q(pk__in=Cohort.objects.filter(trainer_id=scope.user_id).values("campaign"))
    return Campaign.objects.filter(condition).select_related("office__region", "region")


def campaigns_editable(*, user) -> QuerySet[Campaign]:
    """Campaigns the user may change or delete: those of their offices and the offices below."""
    return Campaign.objects.filter(user_scope(user).region_q("office__region__")).select_related(
        "office", "region"
    )


def campaign_is_editable(*, user, campaign: Campaign) -> bool:
    """Whether the user may change `campaign` (same rule as `campaigns_editable`)."""
    return user_scope(user).contains_path(campaign.office.region.path)


def cohorts_visible(*, user) -> QuerySet[Cohort]:
    """Cohorts whose village lies in the user's subtrees, plus the cohorts the user trains."""
    scope = user_scope(user)
    condition = scope.region_q("village__")
    if not scope.everything and scope.user_id:
        condition |= Q(trainer_id=scope.user_id)
    return Cohort.objects.filter(condition).select_related("campaign", "village", "trainer")


@dataclass(frozen=True)
class CampaignPart:
    """The part of one campaign a user follows.

    `whole`: everything. Otherwise `subtrees` (region paths inside the campaign's region) when the
    user is an officer below the campaign's region, else `cohort_ids` (a trainer's own cohorts).
    """

    whole: bool
    subtrees: tuple[str, ...] = ()
    cohort_ids: tuple[int, ...] = ()

    @property
    def root_path(self) -> str:
        """The deepest region containing every subtree (the dashboard's top level)."""
        common = self.subtrees[0]
        for path in self.subtrees[1:]:
            while not path.startswith(common):
                common = common[: -Region.steplen]
        return common


def campaign_part_for(*, user, campaign: Campaign) -> CampaignPart:
    """Which part of `campaign` the user may see (figures, learners, exports, certificates)."""
    scope = user_scope(user)
    if scope.contains_path(campaign.region.path):
        return CampaignPart(whole=True)
    inside = tuple(p for p in scope.region_paths if p.startswith(campaign.region.path))
    if inside:
        return CampaignPart(whole=False, subtrees=inside)
    cohorts = Cohort.objects.filter(campaign=campaign, trainer_id=scope.user_id)
    return CampaignPart(whole=False, cohort_ids=tuple(cohorts.values_list("pk", flat=True)))


def campaign_cohorts_for(*, user, campaign: Campaign) -> QuerySet[Cohort] | None:
    """The cohorts of `campaign` whose figures the user may see; None means the whole campaign."""
    part = campaign_part_for(user=user, campaign=campaign)
    if part.whole:
        return None
    return cohorts_visible(user=user).filter(campaign=campaign)


def region_by_code(*, code: str) -> Region | None:
    """The region with this division code, if any."""
    return Region.objects.filter(code=code).first()


def trainers_choosable(*, user, keep: int | None = None) -> QuerySet:
    """Trainers an officer may assign to a cohort, without learning who trains elsewhere.

    Active members of the Trainers role who train no cohort outside the user's regions (new
    trainers included); administrators see every trainer. `keep` (the cohort's current trainer)
    stays choosable so that editing a cohort never drops it (issue 16, finding 8).
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from core.roles import TRAINERS

    trainers = get_user_model().objects.filter(groups__name=TRAINERS, is_active=True)
    scope = user_scope(user)
    if not scope.everything:
        elsewhere = Cohort.objects.filter(trainer=OuterRef("pk")).exclude(
            scope.region_q("village__")
        )
        trainers = trainers.filter(~Exists(elsewhere) | Q(pk=keep))
    return trainers.order_by("username")
