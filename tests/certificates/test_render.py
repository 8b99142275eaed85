"""Certificates print any Chinese name, stay small, and carry a QR code that opens the check."""

import io
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from learners.certificates import fonts
from learners.certificates.render import (
    CertificateContent,
    display_code,
    render_many_pdf,
    render_pdf,
    render_png,
)

RARE_NAME = "𠮷野 家明"
PDF_BUDGET = 150 * 1024


def seal_png() -> bytes:
    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 580, 580), outline=(200, 20, 20, 230), width=24)
    draw.regular_polygon((300, 300, 110), 5, fill=(200, 20, 20, 230))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def content(**overrides) -> CertificateContent:
    values = {
        "learner_name": RARE_NAME,
        "course_title": "手机网购与防范电信网络诈骗",
        "hours": Decimal("1.50"),
        "completed_on": date(2026, 11, 29),
        "issuer_name": "石泉县农业农村局",
        "signatory_name": "王建国",
        "code": "4821093755123996",
        "verify_url": "https://verify.example.cn/c/4821093755123996",
        "seal_image": seal_png(),
    }
    values.update(overrides)
    return CertificateContent(**values)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_text_contains_the_exact_rare_name():
    text = pdf_text(render_pdf(content()))

    assert RARE_NAME in text


@pytest.mark.parametrize("name", ["䶮", "王堃", "李昇", "赵玥", "张𠮷明"])
def test_gb18030_rare_name_characters_print_and_extract(name):
    assert fonts.missing(name) == ""
    assert name in pdf_text(render_pdf(content(learner_name=name)))


def test_character_the_main_face_lacks_comes_from_the_fallback_face():
    main, *rest = fonts.faces()
    assert ord("𠮷") not in fonts.coverage(main)

    runs = fonts.runs("𠮷野")

    assert runs[0][0] in rest and runs[0][1] == "𠮷"
    assert runs[1] == (main, "野")


def test_pdf_prints_course_hours_date_issuer_signatory_and_code():
    text = pdf_text(render_pdf(content()))

    for expected in [
        "手机网购与防范电信网络诈骗",
        "1.5",
        "2026年11月29日",
        "石泉县农业农村局",
        "王建国",
        display_code("4821093755123996"),
    ]:
        assert expected in text


def test_pdf_embeds_a_subset_font_within_the_budget():
    data = render_pdf(content())
    reader = PdfReader(io.BytesIO(data))
    fonts_used = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts_used.add(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"]

    assert len(data) <= PDF_BUDGET
    # Subset fonts are named ABCDEF+Name (ISO 32000 9.6.4).
    assert fonts_used and all(name[7] == "+" for name in fonts_used)


def test_pdf_with_a_huge_seal_image_stays_within_the_budget():
    big = Image.new("RGB", (3000, 3000), (210, 30, 30))
    out = io.BytesIO()
    big.save(out, "PNG")

    assert len(render_pdf(content(seal_image=out.getvalue()))) <= PDF_BUDGET


def test_long_course_title_wraps_instead_of_running_off_the_page():
    title = "农产品电商直播带货实用技能与网络安全防护综合培训课程（第二期）" * 2
    text = pdf_text(render_pdf(content(course_title=title))).replace("\n", "")

    assert title in text


def test_qr_code_in_png_decodes_to_the_verification_url():
    zxingcpp = pytest.importorskip("zxingcpp")
    image = Image.open(io.BytesIO(render_png(content())))

    decoded = [result.text for result in zxingcpp.read_barcodes(image)]

    assert decoded == ["https://verify.example.cn/c/4821093755123996"]


def test_pdf_prints_the_verification_url_beside_its_qr_code():
    assert "https://verify.example.cn/c/4821093755123996" in pdf_text(render_pdf(content()))


def test_png_is_sized_for_chat_sharing():
    image = Image.open(io.BytesIO(render_png(content())))

    assert image.size == (1080, 1440)
    assert len(render_png(content())) < 200 * 1024


def test_bulk_pdf_has_one_page_per_certificate_and_reports_progress():
    pages = []
    data = render_many_pdf(
        [content(learner_name=name) for name in ["张三", "李四", "𠮷野 家明"]],
        on_page=pages.append,
    )

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    assert pages == [1, 2, 3]
    assert "𠮷野 家明" in reader.pages[2].extract_text()


def test_certificate_without_seal_or_signatory_still_renders():
    data = render_pdf(content(seal_image=None, signatory_name=""))

    assert "签发人" not in pdf_text(data)
