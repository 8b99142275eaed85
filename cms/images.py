"""Image uploads that refuse hostile files before anything decodes them.

Wagtail 8 validates an upload through Willow, which fully decodes the picture to read its size:
a 150-megapixel PNG costs ~600 MB before Wagtail's own pixel limit is even checked, and a
truncated file raises OSError, a 500 (docs/decisions/0053-hostile-images.md). This field reads
the size from the header first and turns decoder errors into a form error.
"""

import struct

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

# What Pillow's decoders raise on damaged data.
DECODER_ERRORS = (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError)


def header_pixels(uploaded) -> int | None:
    """Pixels × frames from the image header alone, or None when Pillow cannot read it."""
    uploaded.seek(0)
    try:
        with PILImage.open(uploaded) as image:
            width, height = image.size
            frames = getattr(image, "n_frames", 1) or 1
    except PILImage.DecompressionBombError:
        return 2 * PILImage.MAX_IMAGE_PIXELS + 1
    except (UnidentifiedImageError, *DECODER_ERRORS):
        return None
    finally:
        uploaded.seek(0)
    return width * height * frames


class SafeImageField(WagtailImageField):
    """Wagtail's image field, checking pixels from the header and catching decoder errors."""

    def to_python(self, data):
        if data is not None and hasattr(data, "seek") and self.max_image_pixels:
            pixels = header_pixels(data)
            if pixels is not None and pixels > self.max_image_pixels:
                raise ValidationError(
                    self.error_messages["file_too_many_pixels"]
                    % {"num_pixels": pixels, "max_pixels_count": self.max_image_pixels},
                    code="file_too_many_pixels",
                )
        try:
            return super().to_python(data)
        except DECODER_ERRORS as exc:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from exc


class ImageForm(BaseImageForm):
    """Base of every Wagtail image form (WAGTAILIMAGES_IMAGE_FORM_BASE)."""

    file = SafeImageField(label=_("File"))


def limit_pillow() -> None:
    """Make Pillow itself refuse what Wagtail would refuse, for code paths outside the form."""
    PILImage.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
