"""Draw a certificate as a printable PDF (ReportLab) and as a PNG for chat apps (Pillow).

Pure functions of a `CertificateContent`: no database, no network. Both use the same CJK faces
(`fonts.py`), so the PNG and the PDF read the same. ReportLab embeds only the glyphs a document
uses (a subset), which keeps a certificate far below the 150 KB budget
(docs/decisions/0031-certificate-rendering.md).
"""

import functools
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen import canvas as pdfcanvas

from . import fonts

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
PNG_SIZE = (1080, 1440)  # portrait 3:4, the shape chat apps show full-width on a phone
INK = (0x1F, 0x2A, 0x24)
ACCENT = (0x9E, 0x1B, 0x1B)  # seal red
FRAME = (0xB0, 0x8D, 0x3C)  # muted gold
MUTED = (0x55, 0x5F, 0x59)
SEAL_MAX_PIXELS = 320  # larger seals are scaled down: they print at about 3.5 cm


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on one certificate; snapshots, so a later edit never changes it."""

    learner_name: str
    course_title: str
    hours: Decimal
    completed_on: date
    issuer_name: str
    signatory_name: str
    code: str
    verify_url: str
    seal_image: bytes | None = None


def display_code(code: str) -> str:
    """The short code in groups of four digits, the way it is read aloud."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def hours_text(hours: Decimal) -> str:
    """Hours without trailing zeros: 1.5, 2, 0.25."""
    text = format(Decimal(hours).normalize(), "f")
    return text


def date_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_en(day: date) -> str:
    return day.strftime("%-d %B %Y")


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap with code points above U+FFFF written as UTF-16 pairs."""
    entries = []
    for index, code in enumerate(subset):
        utf16 = chr(code).encode("utf-16-be", "surrogatepass").hex().upper() if code else "0000"
        entries.append(f"<{index:02X}> <{utf16}>")
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


# ReportLab 4-5 writes <20BB7> for 𠮷, which is not valid UTF-16, so PDF readers (and search,
# and copy-paste) lose exactly the rare name characters this module exists for.
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@functools.cache
def _register(face: fonts.Face) -> str:
    pdfmetrics.registerFont(ttfonts.TTFont(face.name, str(fonts.static_path(face))))
    return face.name


@functools.cache
def _pil_font(face: fonts.Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.static_path(face)), size)


@functools.cache
def _seal(data_hash: str, data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    image = image.convert("RGBA")
    image.thumbnail((SEAL_MAX_PIXELS, SEAL_MAX_PIXELS))
    return image


def _seal_image(data: bytes | None) -> Image.Image | None:
    if not data:
        return None
    return _seal(hashlib.sha256(data).hexdigest(), data)


def _start_x(x: float, width: float, align: str) -> float:
    """Where a line of `width` starts so that it is aligned at `x`."""
    return {"center": x - width / 2, "right": x - width}.get(align, x)


def _break_lines(text: str, width_of: Callable[[str], float], max_width: float) -> list[str]:
    """`text` in lines no wider than `max_width` (CJK may break between any two characters)."""
    lines, current = [], ""
    for char in text:
        if current and width_of(current + char) > max_width:
            lines.append(current)
            current = char
        else:
            current += char
    lines.append(current)
    return lines


def _rgb(color: tuple[int, int, int]) -> Color:
    return Color(*(c / 255 for c in color))


# --- PDF ------------------------------------------------------------------------------------------


def _pdf_width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, _register(face), size) for face, run in fonts.runs(text))


def _pdf_fit(text: str, size: float, max_width: float, min_size: float) -> float:
    while size > min_size and _pdf_width(text, size) > max_width:
        size -= 1
    return size


def _pdf_text(
    canvas: pdfcanvas.Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    color: tuple[int, int, int] = INK,
    align: str = "left",
    bold: bool = False,
) -> None:
    x = _start_x(x, _pdf_width(text, size), align)
    canvas.setFillColor(_rgb(color))
    canvas.setStrokeColor(_rgb(color))
    # Text render mode is graphics state: save/restore keeps the bold title from leaking into
    # the rest of the page.
    canvas.saveState()
    for face, run in fonts.runs(text):
        obj = canvas.beginText(x, y)
        obj.setFont(_register(face), size)
        if bold:
            # One weight is embedded; fill+stroke thickens the title without a second font.
            obj.setTextRenderMode(2)
            canvas.setLineWidth(size / 40)
        obj.textOut(run)
        canvas.drawText(obj)
        x += pdfmetrics.stringWidth(run, face.name, size)
    canvas.restoreState()


def _pdf_wrapped(
    canvas: pdfcanvas.Canvas, y: float, text: str, size: float, max_width: float
) -> float:
    """Centre `text` on as many lines as it needs (CJK breaks between any two characters)."""
    for line in _break_lines(text, lambda part: _pdf_width(part, size), max_width):
        _pdf_text(canvas, PAGE_WIDTH / 2, y, line, size, align="center")
        y -= size * 1.3
    return y


def _pdf_qr(canvas: pdfcanvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    qr = segno.make(url, error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    module = size / len(matrix)
    canvas.setFillColor(white)
    canvas.rect(x - 4, y - 4, size + 8, size + 8, stroke=0, fill=1)
    canvas.setFillColor(_rgb(INK))
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                path.rect(
                    x + col_index * module, y + size - (row_index + 1) * module, module, module
                )
    canvas.drawPath(path, stroke=0, fill=1)


def _pdf_page(canvas: pdfcanvas.Canvas, content: CertificateContent) -> None:
    width, height = PAGE_WIDTH, PAGE_HEIGHT
    canvas.setStrokeColor(_rgb(FRAME))
    canvas.setLineWidth(3)
    canvas.rect(22, 22, width - 44, height - 44)
    canvas.setLineWidth(0.8)
    canvas.rect(30, 30, width - 60, height - 60)

    _pdf_text(canvas, width / 2, height - 105, "结业证书", 40, align="center", bold=True)
    _pdf_text(
        canvas,
        width / 2,
        height - 130,
        "CERTIFICATE OF COMPLETION",
        11,
        color=MUTED,
        align="center",
    )
    name_size = _pdf_fit(content.learner_name, 34, width - 200, 18)
    _pdf_text(canvas, width / 2, height - 200, content.learner_name, name_size, align="center")
    canvas.setStrokeColor(_rgb(FRAME))
    canvas.setLineWidth(0.8)
    canvas.line(width / 2 - 160, height - 212, width / 2 + 160, height - 212)
    _pdf_text(
        canvas,
        width / 2,
        height - 245,
        "完成了课程  has completed the course",
        13,
        color=MUTED,
        align="center",
    )
    title = f"《{content.course_title}》"
    title_size = _pdf_fit(title, 24, width - 200, 16)
    after_title = _pdf_wrapped(canvas, height - 282, title, title_size, width - 200)
    details = f"学时 {hours_text(content.hours)} 小时 · 完成日期 {date_zh(content.completed_on)}"
    details_en = f"{hours_text(content.hours)} hours · completed {date_en(content.completed_on)}"
    _pdf_text(canvas, width / 2, after_title - 10, details, 13, align="center")
    _pdf_text(canvas, width / 2, after_title - 28, details_en, 10, color=MUTED, align="center")

    left = 90
    seal = _seal_image(content.seal_image)
    if seal is not None:
        seal_size = 100
        canvas.drawImage(
            ImageReader(seal),
            left + 70,
            95,
            seal_size,
            seal_size,
            mask="auto",
            preserveAspectRatio=True,
        )
    _pdf_text(canvas, left, 150, f"颁发单位  {content.issuer_name}", 13)
    if content.signatory_name:
        _pdf_text(canvas, left, 126, f"签发人  {content.signatory_name}", 13)
    _pdf_text(canvas, left, 100, "Issued by the program office above", 9, color=MUTED)

    qr_size = 104
    qr_x, qr_y = width - 90 - qr_size, 92
    _pdf_qr(canvas, content.verify_url, qr_x, qr_y, qr_size)
    _pdf_text(
        canvas, qr_x + qr_size / 2, 76, "扫码验证 Scan to verify", 9, color=MUTED, align="center"
    )
    _pdf_text(canvas, qr_x - 18, 150, "证书编号 Code", 9, color=MUTED, align="right")
    _pdf_text(canvas, qr_x - 18, 130, display_code(content.code), 14, align="right")
    _pdf_text(canvas, qr_x - 18, 112, content.verify_url, 8, color=MUTED, align="right")


def _new_canvas(buffer: io.BytesIO, title: str) -> pdfcanvas.Canvas:
    canvas = pdfcanvas.Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        # Otherwise ReportLab lists Helvetica, an unembedded font, on every page.
        initialFontName=_register(fonts.faces()[0]),
    )
    canvas.setTitle(title)
    canvas.setCreator("Digital Village Classroom")
    return canvas


def render_pdf(content: CertificateContent) -> bytes:
    """One certificate as an A4 landscape PDF with subset-embedded CJK fonts."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, f"结业证书 {display_code(content.code)}")
    _pdf_page(canvas, content)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_many_pdf(
    contents: Iterable[CertificateContent],
    *,
    on_page: Callable[[int], None] | None = None,
) -> bytes:
    """Many certificates, one page each, in one PDF for printing; `on_page(n)` after each page."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, "结业证书")
    for number, content in enumerate(contents, start=1):
        _pdf_page(canvas, content)
        canvas.showPage()
        if on_page is not None:
            on_page(number)
    canvas.save()
    return buffer.getvalue()


# --- PNG ------------------------------------------------------------------------------------------


def _png_width(text: str, size: int) -> float:
    return sum(_pil_font(face, size).getlength(run) for face, run in fonts.runs(text))


def _png_fit(text: str, size: int, max_width: int, min_size: int) -> int:
    while size > min_size and _png_width(text, size) > max_width:
        size -= 2
    return size


def _png_text(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    text: str,
    size: int,
    *,
    color: tuple[int, int, int] = INK,
    align: str = "left",
    bold: bool = False,
) -> None:
    x = _start_x(x, _png_width(text, size), align)
    for face, run in fonts.runs(text):
        font = _pil_font(face, size)
        draw.text(
            (x, y),
            run,
            font=font,
            fill=color,
            anchor="ls",
            stroke_width=max(1, size // 40) if bold else 0,
            stroke_fill=color,
        )
        x += font.getlength(run)


def _png_wrapped(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, max_width: int) -> int:
    for line in _break_lines(text, lambda part: _png_width(part, size), max_width):
        _png_text(draw, PNG_SIZE[0] / 2, y, line, size, align="center")
        y += int(size * 1.35)
    return y


def render_png(content: CertificateContent) -> bytes:
    """The same certificate as a portrait PNG (1080×1440) to share in a chat app."""
    width, height = PNG_SIZE
    image = Image.new("RGB", PNG_SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((24, 24, width - 25, height - 25), outline=FRAME, width=8)
    draw.rectangle((44, 44, width - 45, height - 45), outline=FRAME, width=2)
    centre = width / 2

    _png_text(draw, centre, 190, "结业证书", 96, align="center", bold=True)
    _png_text(draw, centre, 245, "CERTIFICATE OF COMPLETION", 30, color=MUTED, align="center")
    name_size = _png_fit(content.learner_name, 84, width - 160, 40)
    _png_text(draw, centre, 380, content.learner_name, name_size, align="center")
    draw.line((centre - 260, 405, centre + 260, 405), fill=FRAME, width=3)
    _png_text(
        draw, centre, 470, "完成了课程 has completed the course", 32, color=MUTED, align="center"
    )
    title = f"《{content.course_title}》"
    after = _png_wrapped(draw, 550, title, _png_fit(title, 56, width - 160, 40), width - 160)
    _png_text(
        draw,
        centre,
        after + 20,
        f"学时 {hours_text(content.hours)} 小时 · {date_zh(content.completed_on)}",
        36,
        align="center",
    )
    _png_text(draw, centre, after + 70, f"颁发单位  {content.issuer_name}", 36, align="center")
    if content.signatory_name:
        _png_text(
            draw,
            centre,
            after + 120,
            f"签发人  {content.signatory_name}",
            32,
            color=MUTED,
            align="center",
        )
    seal = _seal_image(content.seal_image)
    if seal is not None:
        seal_copy = seal.copy()
        seal_copy.thumbnail((220, 220))
        # Like an ink seal, it overlaps the end of the issuer's line.
        image.paste(seal_copy, (int(centre + 120), after + 5), seal_copy)

    qr = segno.make(content.verify_url, error="m", micro=False)
    qr_image = Image.open(io.BytesIO(_segno_png(qr, scale=9)))
    qr_top = height - 160 - qr_image.height
    image.paste(qr_image, (int(centre - qr_image.width / 2), qr_top))
    _png_text(
        draw, centre, height - 110, "扫码验证 Scan to verify", 30, color=MUTED, align="center"
    )
    _png_text(draw, centre, height - 64, display_code(content.code), 40, align="center")

    out = io.BytesIO()
    # A 64-colour palette keeps the file small enough for a slow network without visible loss.
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, "PNG", compress_level=6)
    return out.getvalue()


def _segno_png(qr: segno.QRCode, *, scale: int) -> bytes:
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=2, dark="#1f2a24")
    return buffer.getvalue()
