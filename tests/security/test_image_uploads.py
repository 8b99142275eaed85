"""Hostile images uploaded through the Wagtail admin are refused with a clear message."""

import io
import resource
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection

from .factories import StaffFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/images/add/"
SIDE = 20_000


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def blank_png(side: int) -> bytes:
    """A valid side × side greyscale PNG: huge in pixels, tiny on disk."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + one byte per pixel
    parts = [compressor.compress(row) for _ in range(side)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def huge_png() -> bytes:
    """20,000 × 20,000: 400 megapixels, beyond even Pillow's own bomb limit."""
    return blank_png(SIDE)


def _small_png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 200), (11, 92, 59)).save(buffer, "PNG")
    return buffer.getvalue()


def _small_jpeg() -> bytes:
    buffer = io.BytesIO()
    PILImage.effect_noise((400, 300), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def editor_client(client):
    client.force_login(StaffFactory(is_staff=True, groups=["Trainers"]))
    return client


def _upload(client, name: str, content: bytes, content_type: str = "image/png"):
    return client.post(
        ADD,
        {
            "title": name,
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            "collection": Collection.get_first_root_node().pk,
            "tags": "",
        },
    )


def _errors(response) -> str:
    return " ".join(str(error) for error in response.context["form"].errors.get("file", []))


def test_huge_png_is_refused_without_decoding_it(editor_client, huge_png):
    assert len(huge_png) < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = _upload(editor_client, "huge.png", huge_png)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert response.status_code == 200
    assert "40000000" in _errors(response)
    assert not get_image_model().objects.exists()
    # Decoding would need 400 MB; refusing from the header needs next to nothing.
    assert grown_kib < 100 * 1024


def test_picture_between_our_limit_and_pillows_is_refused_without_decoding_it(editor_client):
    # 100 megapixels: Pillow only warns, and Willow would decode it before Wagtail's check.
    data = blank_png(10_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = _upload(editor_client, "big.png", data)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert "40000000" in _errors(response)
    assert not get_image_model().objects.exists()
    assert grown_kib < 60 * 1024


def test_pillow_itself_refuses_bombs_outside_the_upload_form(settings, huge_png):
    assert PILImage.MAX_IMAGE_PIXELS == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    with pytest.raises(PILImage.DecompressionBombError):
        PILImage.open(io.BytesIO(huge_png))


def test_truncated_png_is_refused(editor_client):
    data = _small_png()
    response = _upload(editor_client, "cut.png", data[: len(data) // 2])
    assert response.status_code == 200
    assert _errors(response)
    assert not get_image_model().objects.exists()


def test_truncated_jpeg_is_refused(editor_client):
    data = _small_jpeg()
    response = _upload(editor_client, "cut.jpg", data[: len(data) // 2], "image/jpeg")
    assert response.status_code == 200
    assert _errors(response)
    assert not get_image_model().objects.exists()


def test_text_file_named_png_is_refused(editor_client):
    response = _upload(editor_client, "notes.png", b"this is not a picture\n" * 50, "image/png")
    assert response.status_code == 200
    assert _errors(response)
    assert not get_image_model().objects.exists()


def test_executable_with_an_image_extension_is_refused(editor_client):
    response = _upload(editor_client, "setup.jpg", b"MZ\x90\x00" + b"\x00" * 4000, "image/jpeg")
    assert response.status_code == 200
    assert _errors(response)
    assert not get_image_model().objects.exists()


def test_a_sound_picture_is_still_accepted(editor_client):
    response = _upload(editor_client, "field.png", _small_png())
    assert response.status_code == 302
    image = get_image_model().objects.get()
    assert (image.width, image.height) == (300, 200)


def test_wagtail_reads_the_pixel_limit_from_settings(settings, huge_png):
    from wagtail.images.fields import WagtailImageField

    assert WagtailImageField().max_image_pixels == settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 10
    assert WagtailImageField().max_image_pixels == 10


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/me/data.json').then(r=>r.text()).then(alert)</script></svg>"
)


def test_svg_with_a_script_is_refused(editor_client):
    # Served as-is from /media/, an SVG's script would run on our origin (stored XSS).
    response = _upload(editor_client, "logo.svg", SVG_WITH_SCRIPT, "image/svg+xml")
    assert response.status_code == 200
    # "Not a supported image format. Supported formats: GIF, JPG, …" without SVG.
    assert "GIF, JPG" in _errors(response)
    assert "SVG" not in _errors(response).upper()
    assert not get_image_model().objects.exists()


def test_svg_renamed_to_png_is_refused(editor_client):
    response = _upload(editor_client, "logo.png", SVG_WITH_SCRIPT, "image/png")
    assert response.status_code == 200
    assert _errors(response)
    assert not get_image_model().objects.exists()
