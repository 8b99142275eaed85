"""Read the QR code printed in a certificate PDF, as a scanner would see the page.

The PDF draws the QR as vector squares (one `re` per dark module, in one path). This rebuilds
the bitmap from those squares and decodes it with zxing-cpp: what is decoded is exactly what is
printed, with no access to the data the PDF was made from.
"""

from collections import Counter

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream


def _squares(data: bytes) -> list[tuple[float, float, float]]:
    import io

    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    stream = ContentStream(page.get_contents(), reader)
    squares = []
    for operands, operator in stream.operations:
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            if abs(w - h) < 0.01 and 0 < w < 20:
                squares.append((round(x, 2), round(y, 2), round(w, 2)))
    return squares


def decode_pdf_qr(data: bytes) -> list[str]:
    """The texts of the QR codes on the PDF's first page."""
    import zxingcpp

    squares = _squares(data)
    if not squares:
        return []
    module = Counter(size for _, _, size in squares).most_common(1)[0][0]
    cells = [(x, y) for x, y, size in squares if size == module]
    left, bottom = min(x for x, _ in cells), min(y for _, y in cells)
    columns = {round((x - left) / module) for x, _ in cells}
    rows = {round((y - bottom) / module) for _, y in cells}
    width, height = max(columns) + 1, max(rows) + 1
    scale, quiet = 8, 4
    image = Image.new("L", ((width + 2 * quiet) * scale, (height + 2 * quiet) * scale), 255)
    pixels = image.load()
    for x, y in cells:
        col = round((x - left) / module) + quiet
        row = height - 1 - round((y - bottom) / module) + quiet  # PDF y grows upwards
        for dx in range(scale):
            for dy in range(scale):
                pixels[col * scale + dx, row * scale + dy] = 0
    return [result.text for result in zxingcpp.read_barcodes(image)]
