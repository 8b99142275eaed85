"""Pages and settings of the house shell."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from core.pages import OneQueryViewRestrictionsMixin, route_path


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
