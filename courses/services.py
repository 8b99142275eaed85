"""Writes of the courses room that are not page edits: the editor's narration recordings."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.permissions import policy_registry

from .audio import RENDITION_EXTENSION, audio_rendition
from .models import LessonMedia

# A take from the browser is WebM/Opus at about 64 kbit/s: 20 minutes is under 10 MB.
RECORDING_MAX_BYTES = 20 * 1024 * 1024

RECORDING_TOO_LARGE = _("This recording is too large to upload (more than 20 MB).")
RECORDING_MISSING = _("No recording was received. Record again.")
RECORDING_TITLE = _("Recording %(when)s")


def media_permission_policy():
    """The permission policy the media library itself checks (wagtailmedia.*_media)."""
    return policy_registry.get_by_type(LessonMedia)


def lesson_audio_record(*, user, upload, title: str = "") -> LessonMedia:
    """Store a take from the editor's recorder as an audio item, in its phone rendition."""
    policy = media_permission_policy()
    collection = policy.collections_user_has_permission_for(user, "add").order_by("path").first()
    if collection is None:
        raise PermissionDenied
    if upload is None or upload.size == 0:
        raise ValidationError(RECORDING_MISSING, code="recording_missing")
    if upload.size > RECORDING_MAX_BYTES:
        raise ValidationError(RECORDING_TOO_LARGE, code="recording_too_large")
    rendition = audio_rendition(upload)
    title = title.strip()[:255] or str(
        RECORDING_TITLE % {"when": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")}
    )
    media = LessonMedia(
        title=title,
        type="audio",
        collection=collection,
        uploaded_by_user=user,
        duration=round(rendition.duration, 1),
        file_size=rendition.size,
    )
    # Assigned, not saved: the file is written by save(), after validation passes.
    media.file = ContentFile(
        rendition.data, name=f"recording-{timezone.now():%Y%m%d-%H%M%S}.{RENDITION_EXTENSION}"
    )
    media.full_clean()
    media.save()
    return media
