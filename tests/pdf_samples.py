"""Programmatic PDF fixtures for the deck tests and benchmark: good decks and hostile ones."""

from __future__ import annotations

import io
import random
import zlib

from fpdf import FPDF
from PIL import Image

# A 16:9 slide in points, the shape most presentation software exports.
SLIDE_W_PT = 960.0
SLIDE_H_PT = 540.0


def make_deck(
    pages: int = 3,
    *,
    noise_images: int = 0,
    noise_px: tuple[int, int] = (640, 360),
    seed: int = 0,
) -> bytes:
    """A plain slide deck from fpdf2; the first `noise_images` pages get an incompressible image."""
    pdf = FPDF(unit="pt", format=(SLIDE_W_PT, SLIDE_H_PT))
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=36)
    rng = random.Random(seed)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_xy(60, 60)
        pdf.cell(text=f"Slide {number}: our startup changes everything")
        pdf.set_fill_color(40 * (number % 6), 120, 200)
        pdf.rect(60, 160, 300 + 10 * (number % 20), 200, style="F")
        if number <= noise_images:
            pdf.image(_noise_jpeg(rng, *noise_px), x=420, y=160, w=480, h=270)
    return bytes(pdf.output())


def _noise_jpeg(rng: random.Random, width: int, height: int) -> io.BytesIO:
    # Random pixels defeat JPEG compression, so each image adds real bytes to the deck.
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    buffer.seek(0)
    return buffer


def make_encrypted_deck(*, user_password: str | None) -> bytes:
    """A deck encrypted with an owner password, plus a password to open it when given."""
    pdf = FPDF(unit="pt", format=(SLIDE_W_PT, SLIDE_H_PT))
    pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    pdf.set_font("Helvetica", size=36)
    pdf.add_page()
    pdf.cell(text="Confidential")
    return bytes(pdf.output())


def png_bytes() -> bytes:
    """A small real PNG, the kind of file founders upload by mistake."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def build_pdf(objects: list[bytes], *, root: int = 1) -> bytes:
    """A syntactically complete PDF (with a correct xref table) from numbered object bodies."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def zeros_deflated(total: int, *, block: int = 1 << 20) -> bytes:
    """A zlib stream inflating to `total` zero bytes, built in milliseconds even for gigabytes."""
    if total % block:
        raise ValueError("total must be a multiple of block")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    # A full flush resets the compressor's history, so every block encodes to the same bytes
    # and the stream can be assembled by repetition instead of compressing gigabytes.
    unit = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_block = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    adler32 = ((total % 65521) << 16) | 1  # Adler-32 of n zero bytes: a = 1, b = n mod 65521
    return b"\x78\xda" + unit * (total // block) + final_block + adler32.to_bytes(4, "big")


def single_page_pdf(
    *, media_box: bytes = b"0 0 612 792", content: bytes = b"", resources: bytes = b"<< >>"
) -> bytes:
    """A one-page PDF with the given MediaBox, raw content stream and resources."""
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [" + media_box + b"] "
            b"/Resources " + resources + b" /Contents 4 0 R >>",
            _stream(b"", content),
        ]
    )


def zero_page_pdf() -> bytes:
    """A well-formed PDF whose page tree is empty."""
    return build_pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    )


def image_bomb_pdf(side: int = 30_000, *, pages: int = 1) -> bytes:
    """A small PDF whose pages all show one side×side RGB image of deflated zeros (2.7 GB)."""
    block = 1 << 20
    data = zeros_deflated(-(-(side * side * 3) // block) * block)
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 3 0 R >>"
    )
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
            _stream(b"", b"q 612 0 0 792 0 0 cm /Im0 Do Q"),
            _stream(
                b"/Type /XObject /Subtype /Image /Width %d /Height %d "
                b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode" % (side, side),
                data,
            ),
            *([page] * pages),
        ]
    )


def content_bomb_pdf(inflated_bytes: int = 3 << 30) -> bytes:
    """A small PDF whose page content stream inflates to `inflated_bytes` zero bytes (3 GB)."""
    data = zeros_deflated(inflated_bytes)
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << >> /Contents 4 0 R >>",
            _stream(b"/Filter /FlateDecode", data),
        ]
    )
