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


# --- narration recorder (issue 13) ----------------------------------------------------------------


@hooks.register("register_admin_urls")
def narration_recorder_urls():
    from django.urls import path

    from .admin_views import narration_record

    return [path("narration/record/", narration_record, name="courses_narration_record")]


@hooks.register("insert_editor_js")
def narration_recorder_js():
    """The "Record" control beside every audio chooser in the page editor."""
    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils.html import format_html, json_script
    from django.utils.translation import gettext as _

    config = {
        "url": reverse("courses_narration_record"),
        "text": {
            "record": _("Record"),
            "stop": _("Stop recording"),
            "again": _("Record again"),
            "keep": _("Keep this recording"),
            "recording": _("Recording… %s"),
            "listen": _("Listen back, then keep it or record again."),
            "uploading": _("Saving the recording…"),
            "failed": _("The recording could not be saved. Try again."),
            "no_microphone": _(
                "The microphone is not available. Allow this site to use it, or upload a file."
            ),
        },
    }
    return format_html(
        '{}<script src="{}" defer></script>',
        json_script(config, "narration-recorder-config"),
        static("courses/js/narration-recorder.js"),
    )
