"""Authoring checks on lessons: errors block publishing, warnings only inform the trainer."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.blocks import VIDEO_WARNING_BYTES

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


# --- one line per problem, for reports (course packs, one review for a course) -----------------

PROBLEM_LINE = _("%(where)s: %(message)s")
STREAM_CHILD = _("block %(number)s (%(label)s)")
LIST_ITEM = _("item %(number)s")
FIELD_LABELS = {"body": _("lesson content"), "quiz": _("quiz")}


def _error_messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(message) for item in error.as_data() for message in item.messages]


def _block_problems(block, value, error, where: list[str]) -> list[str]:
    """Walk a block's validation error alongside its value, naming each failing sub-block."""
    from wagtail.blocks.list_block import ListBlockValidationError
    from wagtail.blocks.stream_block import StreamBlockValidationError
    from wagtail.blocks.struct_block import StructBlockValidationError

    if isinstance(error, list):
        return [line for item in error for line in _block_problems(block, value, item, where)]
    if hasattr(error, "as_data") and not isinstance(error, ValidationError):  # an ErrorList
        return [
            line for item in error.as_data() for line in _block_problems(block, value, item, where)
        ]
    if isinstance(error, StreamBlockValidationError | ListBlockValidationError):
        lines = _leaf(error.non_block_errors, where)
        for index, child_error in sorted(error.block_errors.items()):
            if isinstance(error, StreamBlockValidationError):
                child = value[index]
                label = STREAM_CHILD % {"number": index + 1, "label": child.block.label}
                child_block, child_value = child.block, child.value
            else:
                child_block, child_value = block.child_block, value[index]
                label = LIST_ITEM % {"number": index + 1}
            lines += _block_problems(child_block, child_value, child_error, [*where, str(label)])
        return lines
    if isinstance(error, StructBlockValidationError):
        lines = _leaf(error.non_block_errors, where)
        for name, child_error in error.block_errors.items():
            child_block = block.child_blocks[name]
            lines += _block_problems(
                child_block, value.get(name), child_error, [*where, str(child_block.label)]
            )
        return lines
    return _leaf(error, where)


def _leaf(error, where: list[str]) -> list[str]:
    return [
        str(PROBLEM_LINE % {"where": " › ".join(where), "message": message})
        for message in _error_messages(error)
    ]


def lesson_problems(lesson, *, where: str = "") -> list[str]:
    """Every publishing error of `lesson`, one translated line each naming field, block and part."""
    prefix = [where] if where else []
    lines: list[str] = []
    for field_name in ("body", "quiz"):
        stream = getattr(lesson, field_name)
        label = str(FIELD_LABELS[field_name])
        try:
            stream.stream_block.clean(stream)
        except ValidationError as exc:
            lines += _block_problems(stream.stream_block, stream, exc, [*prefix, label])
    audio_error = lesson_audio_error(
        narration=lesson.narration_id,
        body=lesson.body,
        demo_without_audio=lesson.demo_without_audio,
    )
    if audio_error:
        label = str(lesson._meta.get_field("narration").verbose_name)
        lines += _leaf(audio_error, [*prefix, label])
    return lines
