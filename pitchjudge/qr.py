"""QR codes for personal links (segno: pure Python, no system libraries)."""

from __future__ import annotations

import io

import segno


def qr_png(url: str, *, scale: int = 6) -> bytes:
    """A PNG QR code of `url`, with a quiet zone, readable from a phone at arm's length."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_svg_data_uri(url: str) -> str:
    """An inline SVG QR code of `url`, for printable HTML sheets."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)
