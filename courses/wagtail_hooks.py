"""Editor integration: authoring warnings after saving a lesson; whole-course review and packs."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem

from .checks import lesson_warnings
from .models import CoursePage, LessonPage
from .review_admin import (
    CoursePackImportView,
    CourseReviewView,
    CourseSubmitView,
    catalog_for_importer,
    course_pack_download,
)


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


# --- whole courses: one review, course packs (courses/review_admin.py) ----------------------------


class SubmitCourseMenuItem(ActionMenuItem):
    """In the course editor's action menu: save the draft, then confirm sending the course with
    its changed lessons for review (course_submit_after_save)."""

    label = _("Submit the whole course for review…")
    name = "action-submit-course"
    icon_name = "resubmit"

    def is_shown(self, context):
        page = context.get("page")
        return (
            context["view"] == "edit"
            and isinstance(page, CoursePage)
            and not context["locked_for_user"]
            and page.has_workflow
            and not page.workflow_in_progress
        )


@hooks.register("register_page_action_menu_item")
def submit_course_menu_item():
    return SubmitCourseMenuItem(order=15)


@hooks.register("after_edit_page")
def course_submit_after_save(request, page):
    """The draft is saved; go on to the whole-course submission."""
    if SubmitCourseMenuItem.name in request.POST and isinstance(page.specific, CoursePage):
        return redirect("courses_review_submit", page.pk)
    return None


def _course_buttons(page, user, priority: int):
    if not isinstance(page.specific_deferred, CoursePage):
        return
    if not page.permissions_for_user(user).can_edit():
        return
    state = page.current_workflow_state
    in_review = state is not None and state.status == state.STATUS_IN_PROGRESS
    if in_review:
        yield PageMenuItem(
            _("Review the whole course"),
            reverse("courses_review", args=[page.pk]),
            icon_name="tasks",
            priority=priority,
            page=page,
        )
    elif page.has_workflow:
        yield PageMenuItem(
            _("Submit the whole course for review…"),
            reverse("courses_review_submit", args=[page.pk]),
            icon_name="resubmit",
            priority=priority,
            page=page,
        )
    yield PageMenuItem(
        _("Export course pack"),
        reverse("courses_pack_export", args=[page.pk]),
        icon_name="download",
        priority=priority + 1,
        page=page,
    )


@hooks.register("register_page_header_buttons")
def course_header_buttons(page, user, view_name, next_url=None):
    yield from _course_buttons(page, user, priority=62)


@hooks.register("register_page_listing_more_buttons")
def course_listing_buttons(page, user, next_url=None):
    yield from _course_buttons(page, user, priority=45)


class CoursePackMenuItem(MenuItem):
    """Shown to staff who may add courses to the catalog."""

    def is_shown(self, request):
        return catalog_for_importer(request.user) is not None


@hooks.register("register_admin_menu_item")
def course_pack_menu_item():
    return CoursePackMenuItem(
        _("Import a course pack"), reverse("courses_pack_import"), icon_name="upload", order=260
    )


@hooks.register("register_admin_urls")
def course_review_urls():
    return [
        path("courses/<int:pk>/submit/", CourseSubmitView.as_view(), name="courses_review_submit"),
        path("courses/<int:pk>/review/", CourseReviewView.as_view(), name="courses_review"),
        path("courses/<int:pk>/pack/", course_pack_download, name="courses_pack_export"),
        path("courses/import/", CoursePackImportView.as_view(), name="courses_pack_import"),
    ]
