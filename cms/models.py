"""Pages and settings of the house shell."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class HomePage(Page):
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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The big start button leads to the first section under home (the course catalog).
        context["start_page"] = self.get_children().live().in_menu().first() or (
            self.get_children().live().first()
        )
        return context
