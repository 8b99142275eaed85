from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from wagtail.signals import workflow_approved

        from .workflow import _on_workflow_approved

        workflow_approved.connect(_on_workflow_approved, dispatch_uid="courses_review_lessons")
        # wagtailmedia's usage page checks no item (issue 16, finding 8).
        from . import media_usage

        media_usage.install()
        # Shared page shells are forgotten when content changes (decision 0175).
        from . import page_cache

        page_cache.connect_signals()
