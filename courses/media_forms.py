"""The media library's upload and edit form (WAGTAILMEDIA["MEDIA_FORM_BASE"]).

Every audio file a trainer uploads or replaces is stored as the phone rendition
(courses.audio), whatever format it arrived in; its length is measured, not typed.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from wagtailmedia.forms import BaseMediaForm

from .audio import RENDITION_EXTENSION, audio_rendition

DURATION_IS_MEASURED = _("Measured from the recording when it is uploaded.")


class LessonMediaForm(BaseMediaForm):
    """wagtailmedia's form, storing audio as the phone rendition."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._measured_duration = None
        if self.instance.type == "audio" and "duration" in self.fields:
            # Shown, but measured from the file when it is uploaded rather than typed.
            self.fields["duration"].disabled = True
            self.fields["duration"].help_text = DURATION_IS_MEASURED

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.instance.type != "audio" or not upload or "file" not in self.changed_data:
            return upload
        upload.seek(0)
        try:
            rendition = audio_rendition(upload)
        except ValidationError as exc:
            raise ValidationError(exc.messages, code="audio_unreadable") from exc
        self._measured_duration = rendition.duration
        self.instance.file_size = rendition.size
        name = f"{Path(upload.name).stem or 'audio'}.{RENDITION_EXTENSION}"
        return ContentFile(rendition.data, name=name)

    def clean(self):
        cleaned_data = super().clean()
        if self._measured_duration is not None:
            cleaned_data["duration"] = round(self._measured_duration, 1)
        return cleaned_data
