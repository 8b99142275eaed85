"""Pages and settings of the house shell."""

from functools import cache, reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PageViewRestriction, get_page_models
from wagtail.search import index


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


class HomePage(OneQueryViewRestrictionsMixin, Page):
    """The front door: what the classroom offers and where to start."""

    intro = RichTextField(
        _("introduction"),
        features=["bold", "link"],
        blank=True,
        help_text=_("One or two short sentences a farmer reads first."),
    )
    start_label = models.CharField(
        _("start button label"),
        max_length=40,
        blank=True,
        help_text=_("Text of the big button that leads to the courses."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("start_label")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Find the page for a URL below home in one query (see `route_path`)."""
        if not path_components:
            return super().route(request, path_components)
        return route_path(self, request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The big start button leads to the first section under home (the course catalog).
        context["start_page"] = self.get_children().live().in_menu().first() or (
            self.get_children().live().first()
        )
        return context


class AuditLog(models.Model):
    """One thing a person did that someone may later have to answer for (append-only)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept when the account is later deleted or anonymised, so the record still reads.
    actor_label = models.CharField(_("who (name at the time)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action_label()}"

    def action_label(self) -> str:
        """The action in words ("加入角色"), for the audit log's listing and detail view."""
        from .audit import action_label

        return action_label(self.action)

    action_label.short_description = _("action")
    get_action_display = action_label  # the detail view shows a field through get_<name>_display


class SecurityCacheEntry(models.Model):
    """A row of the embedded default's cache (cms.cache.NonEvictingDatabaseCache).

    The columns are those Django's DatabaseCache reads and writes; a model (instead of
    ``createcachetable``) lets migrations create the table on every database.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "dvc_security_cache"
        verbose_name = _("security cache entry")
        verbose_name_plural = _("security cache entries")

    def __str__(self) -> str:
        return self.cache_key
