"""Editor integration: authoring warnings after saving a lesson."""

from django.contrib import messages
from wagtail import hooks

from .checks import lesson_warnings
from .models import LessonPage


def _warn(request, page) -> None:
    """Show non-blocking advice (long lesson, heavy video) as Wagtail warning messages."""
    specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
    if not isinstance(specific, LessonPage):
        return
    for warning in lesson_warnings(
        estimated_minutes=specific.estimated_minutes, body=specific.body
    ):
        messages.warning(request, warning)


@hooks.register("after_create_page")
def warn_after_create(request, page):
    _warn(request, page)


@hooks.register("after_edit_page")
def warn_after_edit(request, page):
    _warn(request, page)
