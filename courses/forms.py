"""Editor form for lessons: adds the whole-lesson publishing check to Wagtail's validation."""

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
