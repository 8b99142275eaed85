"""Authoring checks on lessons: errors block publishing, warnings only inform the trainer."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cms.blocks import VIDEO_WARNING_BYTES

LESSON_MAX_MINUTES = 7

LESSON_NEEDS_AUDIO = _(
    "Add narration for the lesson or at least one audio clip: many learners listen rather "
    "than read."
)
LESSON_TOO_LONG = _("This lesson is estimated at %(minutes)s minutes; aim for 7 minutes or less.")
VIDEO_TOO_LARGE = _(
    "The video “%(title)s” is %(size)s; on a mobile network that is slow and costly. "
    "Aim for less than %(limit)s."
)


def body_has_audio(body: Iterable) -> bool:
    """True if any body block plays sound (an audio clip, or a step with audio)."""
    for child in body:
        if child.block_type == "audio" and child.value.get("audio"):
            return True
        if child.block_type == "steps" and any(
            step.get("audio") for step in child.value.get("steps", [])
        ):
            return True
    return False


def lesson_audio_error(*, narration, body, demo_without_audio: bool) -> ValidationError | None:
    """The 'no sound at all' publishing error, or None."""
    if narration or demo_without_audio or body_has_audio(body):
        return None
    return ValidationError(LESSON_NEEDS_AUDIO, code="lesson_needs_audio")


def lesson_publish_errors(lesson) -> list[ValidationError]:
    """Every error that blocks publishing this lesson (the same rules the editor applies)."""
    errors: list[ValidationError] = []
    for field_name in ("body", "quiz"):
        stream = getattr(lesson, field_name)
        try:
            stream.stream_block.clean(stream)
        except ValidationError as exc:
            errors.append(exc)
    audio_error = lesson_audio_error(
        narration=lesson.narration_id,
        body=lesson.body,
        demo_without_audio=lesson.demo_without_audio,
    )
    if audio_error:
        errors.append(audio_error)
    return errors


def lesson_warnings(*, estimated_minutes: int | None, body: Iterable) -> list[str]:
    """Advice that does not block publishing: long lessons, heavy videos."""
    warnings = []
    if estimated_minutes and estimated_minutes > LESSON_MAX_MINUTES:
        warnings.append(str(LESSON_TOO_LONG % {"minutes": estimated_minutes}))
    for child in body:
        video = child.value.get("video") if child.block_type == "video" else None
        size = video.get_file_size() if video else None
        if size and size > VIDEO_WARNING_BYTES:
            warnings.append(
                str(
                    VIDEO_TOO_LARGE
                    % {
                        "title": video.title,
                        "size": filesizeformat(size),
                        "limit": filesizeformat(VIDEO_WARNING_BYTES),
                    }
                )
            )
    return warnings
