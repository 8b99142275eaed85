"""Pages and scripts go out compressed; pictures, audio and PDFs are never gzipped a second time."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from cms.compression import CompressTextMiddleware

BODY = b"x" * 5000  # compressible, and well above GZipMiddleware's 200-byte floor


def _through_middleware(content_type: str) -> HttpResponse:
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip, br")
    middleware = CompressTextMiddleware(lambda r: HttpResponse(BODY, content_type=content_type))
    return middleware(request)


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=utf-8", "application/json", "text/javascript", "image/svg+xml"],
)
def test_text_is_gzipped(content_type):
    response = _through_middleware(content_type)
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < len(BODY)


@pytest.mark.parametrize(
    "content_type",
    ["image/avif", "image/webp", "image/jpeg", "audio/mp4", "video/mp4", "application/pdf"],
)
def test_already_compressed_media_is_left_alone(content_type):
    response = _through_middleware(content_type)
    assert not response.has_header("Content-Encoding")
    assert response.content == BODY


def _gzipped(path: str) -> bytes:
    request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING="gzip")
    script = HttpResponse(BODY, content_type="text/javascript")
    return CompressTextMiddleware(lambda r: script).process_response(request, script).content


def test_a_static_file_is_gzipped_to_the_same_bytes_every_time_without_breach_padding():
    static = {_gzipped("/static/learners/js/app.js") for _ in range(5)}
    assert len(static) == 1
    # A page keeps Django's random padding: five responses are not all the same size.
    pages = {len(_gzipped("/courses/")) for _ in range(5)}
    assert len(pages) > 1
    assert min(pages) > len(next(iter(static)))
