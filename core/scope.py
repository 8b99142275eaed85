"""The one scoping function: what a signed-in staff user may see, by region subtree.

Administrators (and superusers) see everything; a program officer sees the region subtrees of the
offices they belong to; anyone else sees no region. Every room narrows its reads with it:
campaigns' selectors (admin views, exports, dashboards), certificates, reminders and sessions
(docs/decisions/0090-visibility-down-the-tree.md, 0151).
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from .models import ProgramOffice, Region
from .roles import ADMINISTRATORS


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

    def covering_q(self, prefix: str = "") -> Q:
        """Rows whose `<prefix>path` is an ancestor (or the root) of one of the scope's subtrees."""
        if self.everything:
            return Q()
        paths = {
            p[:end]
            for p in self.region_paths
            for end in range(Region.steplen, len(p), Region.steplen)
        }
        return Q(**{f"{prefix}path__in": sorted(paths)}) if paths else Q(pk__in=[])

    def contains_path(self, path: str | None) -> bool:
        """Whether a region path lies in one of the scope's subtrees."""
        if self.everything:
            return True
        return bool(path) and any(path.startswith(p) for p in self.region_paths)


def user_scope(user) -> Scope:
    """The scope of a signed-in staff user (cached on the user object for the request)."""
    cached = getattr(user, "_region_scope", None)
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
    user._region_scope = scope
    return scope
