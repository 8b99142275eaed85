"""Pages and settings of the house shell."""

from django.db import models
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
    subpage_types = ["courses.CourseIndexPage"]
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
