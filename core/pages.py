"""Page routing that reads every page on a path in one query, shared by every room's pages."""

import copy
from functools import cache, reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.url_routing import RouteResult


def _paths_above(page: Page) -> list[str]:
    """The tree paths of `page` and each of its ancestors (prefixes of its own path, no query)."""
    step = page.steplen
    return [page.path[:end] for end in range(step, len(page.path) + 1, step)]


class OneQueryViewRestrictionsMixin:
    """Page view restrictions read in one query, or none when routing already saw there are none.

    Same rule as Wagtail's `Page.get_view_restrictions`: the restrictions on the page and on
    each ancestor, where a page that is an alias counts through the page it aliases. The
    ancestors' paths are prefixes of the page's own path, so no query is needed to list them.
    """

    def get_view_restrictions(self):
        """Restrictions that apply to this page (itself or an ancestor, aliases resolved)."""
        if getattr(self, "_routed_without_view_restrictions", False):
            return PageViewRestriction.objects.none()
        paths = _paths_above(self)
        return PageViewRestriction.objects.filter(
            Q(page__path__in=paths, page__alias_of__isnull=True) | Q(page__aliases__path__in=paths)
        ).distinct()


@cache  # page models are fixed once apps are loaded: worked out once, not on every request
def _specific_relations() -> dict[type, list[str]]:
    """Page models that inherit straight from Page, with the joins that read them as themselves.

    A page class may name foreign keys its page template always uses in `route_select_related`
    (a lesson's narration), so they arrive in the same query.
    """
    relations = {}
    for model in get_page_models():
        if model is Page or list(model._meta.parents) != [Page]:
            continue
        name = model._meta.model_name
        extra = getattr(model, "route_select_related", ())
        relations[model] = [name, *(f"{name}__{field}" for field in extra)]
    return relations


def _as_specific(page: Page, relations: dict[type, list[str]]) -> Page:
    """`page` as its own class, from the row joined by `route_path` (a query only if not joined)."""
    model = page.specific_class
    if model is None or isinstance(page, model):
        return page
    names = relations.get(model)
    if names:
        # The reverse one-to-one from Page to its subclass row, filled by select_related.
        child = Page._meta.get_field(names[0])
        if child.is_cached(page) and child.get_cached_value(page) is not None:
            return child.get_cached_value(page)
    return page.specific


def route_path(start: Page, request, path_components: list[str]):
    """Route `path_components` below `start` reading every page on the path in one query.

    Wagtail's `Page.route` reads two rows per level (the child, then its specific row), and its
    view-restriction check two more; a lesson four levels down cost ten queries. The answer is
    the same: a child is found by slug under its parent, intermediate pages may be drafts, the
    page served must be live (else 404), a page class with its own `route()` (sub-routes) takes
    over the rest of the path, and restrictions on any page above (or the page it aliases) apply.
    """
    depth = start.depth
    above = _paths_above(start)
    wanted = reduce(
        or_,
        (Q(depth=depth + i, slug=slug) for i, slug in enumerate(path_components, start=1)),
    )
    restricted = PageViewRestriction.objects.filter(
        Q(page_id=OuterRef("pk")) | Q(page_id=OuterRef("alias_of_id"))
    )
    relations = _specific_relations()
    rows = list(
        Page.objects.filter(Q(path__in=above) | Q(wanted, path__startswith=start.path))
        .select_related(*(name for names in relations.values() for name in names))
        .annotate(restricted=Exists(restricted))
        .order_by("depth", "path")
    )
    any_restriction = any(row.restricted for row in rows if row.path in above)
    parent = start
    for i, slug in enumerate(path_components):
        child = next(
            (
                row
                for row in rows
                if row.depth == parent.depth + 1
                and row.slug == slug
                and row.path.startswith(parent.path)
            ),
            None,
        )
        if child is None:
            raise Http404
        any_restriction = any_restriction or child.restricted
        child = _as_specific(child, relations)
        # Treebeard's get_parent() returns this without a query (as after Wagtail's own route).
        child._cached_parent_obj = parent
        rest = path_components[i + 1 :]
        if rest and type(child).route is not Page.route:
            return child.route(request, rest)
        parent = child
    parent._routed_without_view_restrictions = not any_restriction
    return parent.route(request, [])


# --- routes kept per process (decision 0190) ------------------------------------------------------


class SharedRouteMixin:
    """A page class whose route may be kept: every reader of a path gets the same live page.

    Such a page is served from a route this process kept (core/generation.py) until the
    published site changes, with no query for its site, locale or tree. Only a live page with no
    privacy restriction on it or above it, routed to itself with no sub-route, is kept; anything
    else (and every other page class, plain Wagtail pages included) is routed by Wagtail each time.
    """

    shared_route = True


def _route_key(request, path: str) -> tuple:
    return ("route", request.get_host(), get_language(), path)


def _keepable(route) -> bool:
    if route is None:
        return False
    page, args, kwargs = route
    return (
        getattr(type(page), "shared_route", False)
        and not args
        and not kwargs
        and page.live
        and getattr(page, "_routed_without_view_restrictions", False)
    )


def serve(request, path: str):
    """Wagtail's page view, with the route (and site) of a shared page kept per process.

    On a hit, the request carries the kept site and route exactly as Wagtail caches them for one
    request (`Site.find_for_request`, `Page.route_for_request`), and Wagtail's own view serves the
    page: its hooks (privacy, serve chain) run as always. A copy of the page is handed out, so
    nothing one request sets on it is seen by the next.
    """
    from wagtail import views as wagtail_views

    from . import generation

    key = _route_key(request, path)
    kept = generation.memo_get(request, key)
    if kept is not None:
        site, page = kept
        request._wagtail_site = site
        request._wagtail_route_for_request = RouteResult(copy.copy(page), (), {})
    else:
        route = Page.route_for_request(request, path)  # kept on the request for Wagtail's view
        if _keepable(route):
            site = Site.find_for_request(request)
            generation.memo_put(request, key, (site, copy.copy(route[0])))
    return wagtail_views.serve(request, path)
