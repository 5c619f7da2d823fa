"""Printable sheets: one card per judge with their name, link and QR code."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pitchjudge.qr import qr_svg_data_uri


def judge_links_sheet(title: str, cards: Sequence[tuple[str, str, str]], *, hint: str) -> str:
    """A self-contained HTML page to print: (name, affiliation, link) per judge, two per row."""
    blocks = "\n".join(
        f"""<section class="card"><img src="{qr_svg_data_uri(link)}" alt="QR">
<div><h2>{escape(name)}</h2><p class="aff">{escape(affiliation)}</p>
<p class="link">{escape(link)}</p></div></section>"""
        for name, affiliation, link in cards
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5cm; }}
h1 {{ font-size: 18pt; }} .hint {{ color: #555; }}
.grid {{ display: grid; grid-template-columns: 1fr 1fr; gap: 0.6cm; }}
.card {{ display: flex; gap: 0.5cm; border: 1px dashed #999; padding: 0.5cm;
  break-inside: avoid; }}
.card img {{ width: 4cm; height: 4cm; }}
.card h2 {{ margin: 0 0 0.2cm; font-size: 14pt; }}
.aff {{ margin: 0; color: #555; }} .link {{ font-family: monospace; font-size: 8pt;
  word-break: break-all; }}
</style></head><body><h1>{escape(title)}</h1><p class="hint">{escape(hint)}</p>
<div class="grid">{blocks}</div></body></html>"""


def vote_badges_sheet(title: str, badges: Sequence[tuple[int, str, str]], *, hint: str) -> str:
    """A self-contained HTML page to print and cut: (number, code, link) per ticket badge,
    three per row, each with the QR code of its own vote link."""
    blocks = "\n".join(
        f"""<section class="badge"><img src="{qr_svg_data_uri(link)}" alt="QR">
<p class="code">{escape(code)}</p><p class="num">#{number}</p></section>"""
        for number, code, link in badges
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1cm; }}
h1 {{ font-size: 16pt; }} .hint {{ color: #444; }}
.grid {{ display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 0.4cm; }}
.badge {{ border: 1px dashed #999; padding: 0.3cm; text-align: center; break-inside: avoid; }}
.badge img {{ width: 3.6cm; height: 3.6cm; }}
.code {{ font-family: monospace; font-size: 15pt; font-weight: bold; margin: 0.1cm 0; }}
.num {{ margin: 0; color: #444; font-size: 9pt; }}
</style></head><body><h1>{escape(title)}</h1><p class="hint">{escape(hint)}</p>
<div class="grid">{blocks}</div></body></html>"""


def vote_tickets_csv(
    headers: Sequence[str], badges: Sequence[tuple[int, str, str]], *, separator: str = ","
) -> bytes:
    """The ticket codes for a ticketing tool: number, code, vote link (UTF-8 with BOM), cells
    separated by `separator` (`;` for a French contest, as French Excel expects)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(badges)
    return buffer.getvalue().encode("utf-8-sig")
