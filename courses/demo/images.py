"""Pictures for the demo courses, drawn by the project with Pillow (no third-party artwork).

Each drawing is a simple, flat phone-screen mock-up or illustration without words, so one
picture serves both languages; the alt text carries the meaning.
"""

import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 720, 540
GREEN, DARK, PAPER, LINE = "#0b5c3b", "#1f2a24", "#f4f7f2", "#c9d3c5"
RED, AMBER, BLUE, WHITE = "#c62828", "#f9a825", "#1565c0", "#ffffff"

Drawing = Callable[[ImageDraw.ImageDraw], None]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _phone(draw: ImageDraw.ImageDraw, x: int = 250, y: int = 30, w: int = 220, h: int = 480):
    """A phone outline; returns the screen rectangle."""
    draw.rounded_rectangle((x, y, x + w, y + h), radius=28, fill=DARK)
    screen = (x + 12, y + 40, x + w - 12, y + h - 40)
    draw.rectangle(screen, fill=WHITE)
    draw.ellipse((x + w / 2 - 14, y + h - 32, x + w / 2 + 14, y + h - 8), outline=LINE, width=3)
    return screen


def _rows(draw, screen, count: int, start: int = 20, gap: int = 46, widths=None):
    x0, y0, x1, _ = screen
    for i in range(count):
        top = y0 + start + i * gap
        width = (widths[i] if widths else 1.0) * (x1 - x0 - 70)
        draw.rounded_rectangle((x0 + 16, top, x0 + 44, top + 28), radius=6, fill=GREEN)
        draw.rounded_rectangle((x0 + 54, top + 8, x0 + 54 + width, top + 20), radius=6, fill=LINE)


def large_text(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    draw.text((x0 + 20, y0 + 40), "a", fill=DARK, font=_font(40))
    draw.text((x0 + 90, y0 + 10), "A", fill=GREEN, font=_font(110))
    draw.line((x0 + 20, y0 + 200, x1 - 20, y0 + 200), fill=LINE, width=8)
    draw.ellipse((x1 - 70, y0 + 184, x1 - 38, y0 + 216), fill=GREEN)
    _rows(draw, screen, 3, start=240, widths=[0.9, 0.6, 0.8])
    draw.rounded_rectangle((40, 200, 200, 340), radius=20, outline=GREEN, width=6)
    draw.text((80, 220), "A+", fill=GREEN, font=_font(70))


def voice_message(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    draw.rounded_rectangle((x0 + 14, y0 + 30, x1 - 60, y0 + 80), radius=16, fill=PAPER)
    draw.rounded_rectangle((x0 + 60, y0 + 100, x1 - 14, y0 + 150), radius=16, fill="#a5d6a7")
    for i, height in enumerate((10, 24, 34, 18, 28, 12, 22)):
        cx = x0 + 90 + i * 14
        draw.line((cx, y0 + 125 - height / 2, cx, y0 + 125 + height / 2), fill=GREEN, width=6)
    draw.ellipse((x0 + 60, y0 + 300, x0 + 136, y0 + 376), fill=GREEN)
    draw.rounded_rectangle((x0 + 88, y0 + 318, x0 + 108, y0 + 348), radius=10, fill=WHITE)
    draw.line((x0 + 98, y0 + 348, x0 + 98, y0 + 360), fill=WHITE, width=4)


def payment(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    size, cells = 150, 10
    left, top = x0 + (x1 - x0 - size) / 2, y0 + 40
    step = size / cells
    for row in range(cells):
        for col in range(cells):
            if (row * 7 + col * 3 + row * col) % 3 == 0 or row in (0, 9) or col in (0, 9):
                draw.rectangle(
                    (
                        left + col * step,
                        top + row * step,
                        left + (col + 1) * step - 1,
                        top + (row + 1) * step - 1,
                    ),
                    fill=DARK,
                )
    draw.rounded_rectangle((x0 + 20, y0 + 230, x1 - 20, y0 + 280), radius=12, fill=GREEN)
    draw.ellipse((560, 60, 680, 180), fill="#2e7d32")
    draw.line((585, 120, 612, 148, 655, 92), fill=WHITE, width=12)


def photo_tips(draw):
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill="#fff8e1")
    draw.ellipse((560, 40, 660, 140), fill=AMBER)
    draw.rectangle((80, 330, 640, 470), fill="#8d6e63")
    for i, colour in enumerate(("#e53935", "#fb8c00", "#43a047")):
        cx = 220 + i * 140
        draw.ellipse((cx - 60, 230, cx + 60, 350), fill=colour)
        draw.line((cx, 230, cx + 10, 205), fill="#4e342e", width=6)
    for corner in ((60, 60), (660, 60), (60, 500), (660, 500)):
        cx, cy = corner
        dx = 40 if cx < 360 else -40
        dy = 40 if cy < 270 else -40
        draw.line((cx, cy, cx + dx, cy), fill=DARK, width=6)
        draw.line((cx, cy, cx, cy + dy), fill=DARK, width=6)


def gov_service(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    colours = (GREEN, BLUE, AMBER, RED, "#6a1b9a", "#00838f", GREEN, BLUE, AMBER)
    for i, colour in enumerate(colours):
        col, row = i % 3, i // 3
        left, top = x0 + 18 + col * 62, y0 + 40 + row * 76
        draw.rounded_rectangle((left, top, left + 48, top + 48), radius=12, fill=colour)
    draw.rounded_rectangle(
        (x0 + 18, y0 + 290, x1 - 18, y0 + 340), radius=12, outline=GREEN, width=4
    )
    draw.polygon(((110, 300), (170, 270), (170, 330)), fill=GREEN)
    draw.rectangle((60, 330, 180, 420), fill="#e8f5e9", outline=GREEN, width=4)


def product_photo(draw):
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=WHITE)
    draw.polygon(((0, 400), (720, 360), (720, 540), (0, 540)), fill="#efebe9")
    draw.ellipse((230, 170, 490, 430), fill="#e53935")
    draw.ellipse((300, 210, 360, 260), fill="#ef9a9a")
    draw.line((360, 170, 380, 120), fill="#4e342e", width=10)
    draw.ellipse((380, 110, 460, 150), fill="#43a047")
    draw.ellipse((560, 40, 660, 140), outline=AMBER, width=10)


def listing(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    draw.rectangle((x0 + 14, y0 + 14, x1 - 14, y0 + 160), fill="#ffccbc")
    draw.ellipse((x0 + 60, y0 + 40, x0 + 150, y0 + 130), fill="#e53935")
    _rows(draw, screen, 3, start=180, widths=[0.9, 0.7, 0.5])
    draw.rounded_rectangle((x0 + 14, y0 + 330, x1 - 14, y0 + 380), radius=12, fill=AMBER)
    draw.polygon(((80, 200), (190, 200), (220, 250), (190, 300), (80, 300)), fill=AMBER)
    draw.ellipse((95, 240, 115, 260), fill=WHITE)


def delivery(draw):
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill="#e3f2fd")
    draw.rectangle((0, 430, WIDTH, HEIGHT), fill="#9e9e9e")
    draw.rectangle((120, 250, 440, 420), fill=BLUE)
    draw.polygon(((440, 290), (560, 290), (610, 350), (610, 420), (440, 420)), fill="#1976d2")
    draw.rectangle((470, 305, 545, 350), fill="#bbdefb")
    for cx in (200, 520):
        draw.ellipse((cx - 42, 380, cx + 42, 464), fill=DARK)
        draw.ellipse((cx - 16, 406, cx + 16, 438), fill=LINE)
    draw.rectangle((190, 120, 330, 240), fill="#bcaaa4", outline="#6d4c41", width=5)
    draw.line((260, 120, 260, 240), fill="#6d4c41", width=5)


def live_stream(draw):
    screen = _phone(draw)
    x0, y0, x1, y1 = screen
    draw.rectangle(screen, fill="#263238")
    draw.ellipse((x0 + 60, y0 + 60, x0 + 136, y0 + 136), fill="#ffcc80")
    draw.rounded_rectangle((x0 + 40, y0 + 140, x0 + 156, y0 + 280), radius=30, fill=GREEN)
    draw.rounded_rectangle((x0 + 12, y0 + 12, x0 + 60, y0 + 34), radius=6, fill=RED)
    for i in range(3):
        cx, cy = x1 - 30, y1 - 40 - i * 45
        draw.ellipse((cx - 14, cy - 10, cx, cy + 4), fill="#f06292")
        draw.ellipse((cx - 2, cy - 10, cx + 12, cy + 4), fill="#f06292")
        draw.polygon(((cx - 14, cy), (cx + 12, cy), (cx - 1, cy + 16)), fill="#f06292")


def customer_service(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    for i in range(3):
        top = y0 + 30 + i * 90
        if i % 2:
            draw.rounded_rectangle((x0 + 60, top, x1 - 14, top + 60), radius=16, fill="#a5d6a7")
        else:
            draw.rounded_rectangle((x0 + 14, top, x1 - 60, top + 60), radius=16, fill=PAPER)
    for i in range(5):
        cx = 70 + i * 36
        draw.regular_polygon((cx, 120, 16), n_sides=5, rotation=90, fill=AMBER)


def fraud_call(draw):
    screen = _phone(draw)
    x0, y0, x1, y1 = screen
    draw.rectangle(screen, fill="#37474f")
    draw.ellipse((x0 + 58, y0 + 40, x0 + 138, y0 + 120), fill="#90a4ae")
    draw.text((x0 + 70, y0 + 70), "?", fill=WHITE, font=_font(40))
    draw.ellipse((x0 + 20, y1 - 90, x0 + 80, y1 - 30), fill=RED)
    draw.ellipse((x1 - 80, y1 - 90, x1 - 20, y1 - 30), fill="#43a047")
    draw.regular_polygon((110, 140, 70), n_sides=3, fill=AMBER)
    draw.text((100, 120), "!", fill=DARK, font=_font(60))


def fake_loan(draw):
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill="#fff3e0")
    draw.ellipse((220, 160, 500, 460), fill="#c8a165")
    draw.polygon(((300, 170), (420, 170), (390, 110), (330, 110)), fill="#c8a165")
    draw.text((320, 250), "$", fill=WHITE, font=_font(120))
    draw.line((180, 120, 540, 480), fill=RED, width=26)
    draw.line((540, 120, 180, 480), fill=RED, width=26)


def secret_code(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    for i in range(6):
        cx = x0 + 26 + i * 28
        draw.ellipse((cx - 9, y0 + 60, cx + 9, y0 + 78), fill=DARK)
    draw.rounded_rectangle((60, 230, 200, 360), radius=14, fill=AMBER)
    draw.arc((85, 160, 175, 260), start=180, end=360, fill=AMBER, width=16)
    draw.ellipse((118, 275, 142, 299), fill=DARK)
    draw.rectangle((126, 295, 134, 325), fill=DARK)
    draw.rounded_rectangle((x0 + 20, y0 + 120, x1 - 20, y0 + 170), radius=12, fill=RED)


def safe_payment(draw):
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill="#e8f5e9")
    draw.polygon(
        ((360, 60), (540, 130), (520, 330), (360, 480), (200, 330), (180, 130)), fill=GREEN
    )
    draw.line((280, 270, 340, 330, 450, 200), fill=WHITE, width=28)


def personal_info(draw):
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill="#ede7f6")
    draw.rounded_rectangle((120, 130, 600, 420), radius=24, fill=WHITE, outline="#5e35b1", width=6)
    draw.ellipse((160, 180, 280, 300), fill="#b39ddb")
    draw.rounded_rectangle((170, 300, 270, 380), radius=30, fill="#b39ddb")
    for i, width in enumerate((260, 200, 230)):
        draw.rounded_rectangle(
            (310, 200 + i * 50, 310 + width, 222 + i * 50), radius=8, fill="#d1c4e9"
        )
    draw.rounded_rectangle((300, 180, 590, 360), radius=12, fill="#5e35b1")
    for i in range(8):
        draw.text((318 + i * 33, 245), "*", fill=WHITE, font=_font(50))


def report_fraud(draw):
    screen = _phone(draw)
    x0, y0, x1, _ = screen
    draw.text((x0 + 22, y0 + 40), "96110", fill=DARK, font=_font(46))
    for i in range(9):
        col, row = i % 3, i // 3
        cx, cy = x0 + 45 + col * 55, y0 + 140 + row * 60
        draw.ellipse((cx - 22, cy - 22, cx + 22, cy + 22), fill=PAPER, outline=LINE, width=2)
    draw.ellipse(((x0 + x1) / 2 - 28, y0 + 330, (x0 + x1) / 2 + 28, y0 + 386), fill="#43a047")
    draw.polygon(((60, 160), (200, 160), (200, 320), (130, 380), (60, 320)), fill=BLUE)
    draw.line((95, 265, 125, 295, 170, 225), fill=WHITE, width=12)


def cover(colour: str, motif: Drawing) -> Drawing:
    def draw_cover(draw):
        draw.rectangle((0, 0, WIDTH, HEIGHT), fill=colour)
        motif(draw)

    return draw_cover


DRAWINGS: dict[str, Drawing] = {
    "large-text": large_text,
    "voice-message": voice_message,
    "payment": payment,
    "photo-tips": photo_tips,
    "gov-service": gov_service,
    "product-photo": product_photo,
    "listing": listing,
    "delivery": delivery,
    "live-stream": live_stream,
    "customer-service": customer_service,
    "fraud-call": fraud_call,
    "fake-loan": fake_loan,
    "secret-code": secret_code,
    "safe-payment": safe_payment,
    "personal-info": personal_info,
    "report-fraud": report_fraud,
}


def draw_png(key: str) -> bytes:
    """The picture `key` as an optimised PNG (a few kilobytes)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    DRAWINGS[key](ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.quantize(colors=32).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_pack_images(stdout=None) -> list[str]:
    """Redraw every picture the demo packs list into their `images/` folders (overwrites), and
    bring each manifest's sha256 up to date. The pictures are committed; run this after changing
    a drawing (`manage.py demo_pictures`)."""
    import hashlib

    from . import COURSE_SLUGS, pack_file, pack_manifest, pack_manifest_write

    written = []
    for slug in COURSE_SLUGS:
        manifest = pack_manifest(slug)
        for key, entry in manifest["images"].items():
            data = draw_png(key)
            pack_file(slug, entry["file"]).write_bytes(data)
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            written.append(entry["file"])
            if stdout is not None:
                stdout.write(f"{slug}/{entry['file']}: {len(data)} bytes")
        pack_manifest_write(slug, manifest)
    return written
