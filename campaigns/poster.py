"""A printable A4 poster for a campaign: title, dates, a big QR code and the join code."""

import functools
import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen import canvas as pdfcanvas

from core.models import Campaign

WIDTH, HEIGHT = A4


@functools.cache
def _font() -> str:
    from learners.certificates import fonts

    face = fonts.faces()[0]
    pdfmetrics.registerFont(ttfonts.TTFont(f"poster-{face.name}", str(fonts.static_path(face))))
    return f"poster-{face.name}"


def _centred(pdf, text: str, y: float, size: float) -> None:
    font = _font()
    while size > 10 and pdfmetrics.stringWidth(text, font, size) > WIDTH - 60:
        size -= 2  # long titles shrink to fit the page rather than run off it
    pdf.setFont(font, size)
    pdf.drawCentredString(WIDTH / 2, y, text)


def campaign_poster_pdf(*, campaign: Campaign, join_url: str) -> bytes:
    """The poster as PDF bytes (CJK font embedded as a subset)."""
    buffer = io.BytesIO()
    pdf = pdfcanvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(campaign.title)
    _centred(pdf, campaign.title, HEIGHT - 110, 30)
    _centred(pdf, f"{campaign.office.name} · {campaign.region.name}", HEIGHT - 150, 16)
    _centred(pdf, f"{campaign.starts_on:%Y-%m-%d} — {campaign.ends_on:%Y-%m-%d}", HEIGHT - 178, 14)
    _centred(pdf, "用手机扫码，免费学习数字技能", HEIGHT - 230, 20)
    qr = segno.make(join_url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=12, border=2)
    png.seek(0)
    side = 300
    pdf.drawImage(ImageReader(png), (WIDTH - side) / 2, HEIGHT - 250 - side, side, side)
    _centred(pdf, "加入码 Join code", HEIGHT - 600, 16)
    _centred(pdf, " ".join(campaign.join_code), HEIGHT - 650, 44)
    _centred(pdf, join_url, HEIGHT - 690, 12)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
