"""Admin forms: the lesson editor's whole-lesson publishing check; the course pack upload."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from .checks import lesson_audio_error


class LessonPageForm(WagtailAdminPageForm):
    """Blocks publishing a lesson that has no sound at all; drafts may still be saved."""

    def clean(self):
        cleaned_data = super().clean()
        # Saving a draft defers publishing checks (Wagtail's deferred validation).
        if self.is_deferred_validation or "body" not in cleaned_data:
            return cleaned_data
        error = lesson_audio_error(
            narration=cleaned_data.get("narration"),
            body=cleaned_data["body"],
            demo_without_audio=self.instance.demo_without_audio,
        )
        if error:
            self.add_error("narration", error)
        return cleaned_data


class CoursePackUploadForm(forms.Form):
    """The course pack upload in the admin."""

    file = forms.FileField(
        label=_("Course pack (.zip)"),
        help_text=_(
            "A pack exported from this platform. It arrives as drafts sent for review; "
            "nothing goes live before a reviewer approves it."
        ),
    )
