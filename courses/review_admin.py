"""Admin screens for whole courses: one review for a course, and course packs (issue 13).

Thin views: the rules are in courses/workflow.py and courses/packs.py.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale

from .forms import CoursePackUploadForm
from .models import CourseIndexPage, CoursePage
from .packs import PackCheckFailed, PackError, course_pack_export, course_pack_import
from .workflow import (
    course_review_lessons,
    course_review_lessons_of,
    course_review_problems,
    course_review_submit,
)

REVIEW_SUBMITTED = _("“%(title)s” and %(count)s lesson(s) were sent for review together.")
REVIEW_SUBMITTED_COURSE_ONLY = _("“%(title)s” was sent for review (no lesson has changed).")
PACK_IMPORTED = _(
    "“%(title)s” was imported as drafts and sent for review with its %(count)s lesson(s)."
)


def course_for_editor(request, pk: int) -> CoursePage:
    """The course named in the URL, if the user may edit it (404 / 403 otherwise)."""
    course = get_object_or_404(CoursePage, pk=pk)
    if not course.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    return course


def catalog_for_importer(user) -> CourseIndexPage | None:
    """The source-language catalog, if `user` may add courses to it."""
    index = CourseIndexPage.objects.filter(locale=Locale.get_default()).first()
    if index is None or not index.permissions_for_user(user).can_add_subpage():
        return None
    return index


class CourseMixin(WagtailAdminTemplateMixin):
    header_icon = "folder-open-inverse"

    def dispatch(self, request, *args, **kwargs):
        self.course = course_for_editor(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.course.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_explore", args=[self.course.pk]),
                "label": self.course.get_admin_display_title(),
            },
            {"url": "", "label": self.get_page_title()},
        ]


class CourseSubmitView(CourseMixin, TemplateView):
    """Send a course and all its changed lessons to review in one action."""

    page_title = _("Submit the whole course for review")
    template_name = "courses/admin/course_submit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.course.current_workflow_state
        context.update(
            course=self.course,
            lessons=[lesson for lesson, _revision in course_review_lessons(self.course)],
            problems=course_review_problems(self.course),
            in_review=state is not None and state.status == state.STATUS_IN_PROGRESS,
        )
        context.setdefault("errors", [])
        return context

    def post(self, request, *args, **kwargs):
        try:
            state = course_review_submit(course=self.course, user=request.user)
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(errors=exc.messages))
        count = state.course_lessons.count()
        message = REVIEW_SUBMITTED if count else REVIEW_SUBMITTED_COURSE_ONLY
        messages.success(request, message % {"title": self.course.title, "count": count})
        return redirect("wagtailadmin_explore", self.course.pk)


class CourseReviewView(CourseMixin, TemplateView):
    """The reviewer's one item: the course and each lesson sent with it, previewed at 360 px."""

    page_title = _("Review the whole course")
    template_name = "courses/admin/course_review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.course.current_workflow_state
        rows, actions, task_state = [], [], None
        if state is not None:
            rows = course_review_lessons_of(state)
            task_state = state.current_task_state
        if task_state is not None and state.status == state.STATUS_IN_PROGRESS:
            seen = set()
            for name, label, needs_comment in task_state.task.specific.get_actions(
                self.course, self.request.user
            ):
                if name in seen:
                    continue
                seen.add(name)
                actions.append(
                    {
                        "name": name,
                        "label": label,
                        "needs_comment": needs_comment,
                        "url": reverse(
                            "wagtailadmin_pages:workflow_action",
                            args=(self.course.pk, name, task_state.pk),
                        ),
                    }
                )
        latest = self.course.get_latest_revision()
        context.update(
            course=self.course,
            state=state,
            rows=rows,
            actions=actions,
            course_preview=reverse(
                "wagtailadmin_pages:revisions_view", args=(self.course.pk, latest.pk)
            )
            if latest
            else "",
            next_url=reverse("wagtailadmin_explore", args=[self.course.pk]),
        )
        return context


def course_pack_download(request, pk: int):
    """Download the course as a pack (zip) with its lessons, translations, pictures and audio."""
    course = course_for_editor(request, pk)
    folder = tempfile.mkdtemp(prefix="course-pack-")
    path = Path(folder) / f"{course.slug}.zip"
    try:
        course_pack_export(slug=course.slug, path=path)
    except PackError as exc:
        messages.error(request, str(exc))
        return redirect("wagtailadmin_explore", course.pk)
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the data until the response is sent
    Path(folder).rmdir()
    return FileResponse(handle, as_attachment=True, filename=f"course-{course.pk}.zip")


class CoursePackImportView(WagtailAdminTemplateMixin, TemplateView):
    """Upload a course pack: it arrives as drafts sent for review, or is refused with a report."""

    page_title = _("Import a course pack")
    header_icon = "upload"
    template_name = "courses/admin/pack_import.html"

    def dispatch(self, request, *args, **kwargs):
        if catalog_for_importer(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CoursePackUploadForm())
        context.setdefault("problems", [])
        return context

    def post(self, request, *args, **kwargs):
        form = CoursePackUploadForm(request.POST, request.FILES)
        problems: list[str] = []
        if form.is_valid():
            with tempfile.NamedTemporaryFile(suffix=".zip") as handle:
                for chunk in form.cleaned_data["file"].chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    course = course_pack_import(handle.name, user=request.user)
                except PackCheckFailed as exc:
                    form.add_error("file", str(exc))
                    problems = exc.problems
                except PackError as exc:
                    form.add_error("file", str(exc))
                else:
                    state = course.current_workflow_state
                    count = state.course_lessons.count() if state else 0
                    messages.success(
                        request, PACK_IMPORTED % {"title": course.title, "count": count}
                    )
                    return redirect("wagtailadmin_explore", course.pk)
        return self.render_to_response(self.get_context_data(form=form, problems=problems))
