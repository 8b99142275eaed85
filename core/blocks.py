"""Blocks shared by every page type: text, pictures, sound, video and callouts.

Authoring checks that must block publishing (an image without alt text) run in `clean()` only
when Wagtail is not deferring validation, so a trainer can still save an unfinished draft.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtailmedia.blocks import AudioChooserBlock, VideoChooserBlock

# Rich text in lessons stays plain: bold, lists and links only (docs/decisions/0012).
LESSON_RICH_TEXT_FEATURES = ["bold", "ol", "ul", "link"]

IMAGE_NEEDS_ALT_TEXT = _("Describe the picture for people who cannot see it (alt text).")

# A video above this size gets a warning in the editor: on 2G/3G it costs farmers real money.
VIDEO_WARNING_BYTES = 8 * 1024 * 1024


def is_drafting(block: blocks.Block) -> bool:
    """True while Wagtail saves a draft, when publishing checks are deferred."""
    return bool(getattr(block, "is_deferred_validation", False))


class LessonRichTextBlock(blocks.RichTextBlock):
    """Short paragraphs with bold, lists and links."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", LESSON_RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/rich_text.html"
        label = _("Text")
        description = _("A few short sentences. Bold, lists and links only.")
        preview_value = "<p>打开<b>设置</b>，找到<b>显示</b>。</p>"


class ImageBlock(blocks.StructBlock):
    """A picture with alt text and an optional caption, served as AVIF/WebP/JPEG renditions."""

    image = ImageChooserBlock(label=_("picture"))
    alt_text = blocks.CharBlock(
        label=_("alt text"),
        max_length=200,
        required=False,
        help_text=_("What the picture shows, for screen readers and slow connections."),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=200, required=False)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = _("Picture")
        description = _("A picture or phone screenshot with alt text.")

    def clean(self, value):
        value = super().clean(value)
        if not is_drafting(self) and value.get("image") and not value.get("alt_text", "").strip():
            raise StructBlockValidationError(
                block_errors={"alt_text": ValidationError(IMAGE_NEEDS_ALT_TEXT)}
            )
        return value


class AudioClipBlock(blocks.StructBlock):
    """A short sound clip (narration of one idea, a voice message example) with a transcript."""

    audio = AudioChooserBlock(label=_("audio"))
    title = blocks.CharBlock(label=_("title"), max_length=120, required=False)
    transcript = blocks.TextBlock(label=_("transcript"), required=False)

    class Meta:
        icon = "media"
        template = "blocks/audio.html"
        label = _("Audio clip")
        description = _("A short recording; add the words for people who cannot listen.")


class VideoBlock(blocks.StructBlock):
    """A video that never autoplays; its file size is shown before the learner presses play."""

    video = VideoChooserBlock(label=_("video"))
    poster = ImageChooserBlock(label=_("poster picture"), required=False)
    transcript = blocks.TextBlock(label=_("transcript"), required=False)

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")
        description = _("A short video. Keep it small: learners pay for data.")


class CalloutBlock(blocks.StructBlock):
    """A highlighted tip, warning or scam alert."""

    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("tip", _("Tip")), ("warning", _("Warning")), ("scam", _("Scam alert"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("title"), max_length=80, required=False)
    text = blocks.RichTextBlock(label=_("text"), features=LESSON_RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "blocks/callout.html"
        label = _("Callout")
        description = _("A tip, a warning or a scam alert that stands out.")
        preview_value = {"kind": "scam", "title": "当心", "text": "<p>验证码不能告诉任何人。</p>"}
