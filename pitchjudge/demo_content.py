"""Content for a believable demo contest: 24 startups, 6 judges and their PDF pitch decks.

Everything here is fictional (".example" domains) and pure: no Streamlit, no database. The
contest is the "Prix Lyon Startup Web 2027" of the association "Lyon Startup Web"; texts are
in French.

`make_demo_deck` draws a 9-slide, 16:9 pitch deck with fpdf2's core Helvetica font. Core fonts
are single-byte, so every string goes through `_pdf_text`, which maps what the WinAnsi
(cp1252) encoding cannot show. Output is deterministic: the same startup always gives the
same bytes (fixed creation date, figures seeded from the startup name).
"""

from __future__ import annotations

import colorsys
import hashlib
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple, cast

from fpdf import FPDF

from pitchjudge import demo_data

__all__ = [
    "ASSOCIATION_NAME",
    "CONTEST_NAME",
    "DEMO_CATEGORIES",
    "DEMO_JUDGES",
    "DEMO_STARTUPS",
    "DemoStartup",
    "make_demo_deck",
]

ASSOCIATION_NAME = demo_data.contest_text().association
CONTEST_NAME = demo_data.contest_text().name


@dataclass(frozen=True)
class DemoStartup:
    """One fictional applicant, with everything needed to fill an application and its deck."""

    startup_name: str
    one_liner: str  # one sentence, French
    category: str  # one of DEMO_CATEGORIES
    website: str  # https://<slug>.example
    founders: str  # "Camille Martin (CEO), Youssef Benali (CTO)"
    contact_email: str  # <first name>@<slug>.example
    description: str  # 3-5 sentences: problem, solution, business model, traction
    # The content slides that follow the title slide, in order: (title, bullet points).
    slides: tuple[tuple[str, tuple[str, ...]], ...]


DEMO_CATEGORIES: tuple[str, ...] = demo_data.contest_text().categories

# Slide titles; make_demo_deck gives these a dedicated layout (chart, matrix, team cards…).
SLIDE_PROBLEM = "Le problème"
SLIDE_SOLUTION = "Notre solution"
SLIDE_MARKET = "Le marché"
SLIDE_MODEL = "Modèle économique"
SLIDE_TRACTION = "Traction"
SLIDE_COMPETITION = "Concurrence"
SLIDE_TEAM = "L’équipe"
SLIDE_ASK = "Notre levée"

_ASK_AMOUNT_PREFIX = "Montant recherché : "
_ASK_FUNDS_PREFIX = "Utilisation des fonds : "
_EDGE_PREFIX = "Notre avantage"

_FUND_USES = ("Produit & tech", "Commercial & marketing", "Recrutements", "Fonds de roulement")

# The two axes of each category's competition matrix (data/demo/contest.json).
_COMPETITION_AXES: dict[str, tuple[str, str]] = demo_data.contest_text().competition_axes

_CITIES = ("Lyon 2e", "Lyon 7e", "Villeurbanne", "Lyon 3e", "Vaulx-en-Velin", "Lyon 9e")


# --------------------------------------------------------------------------------------------
# Figures behind the charts
# --------------------------------------------------------------------------------------------


class _Figures(NamedTuple):
    """The numbers a deck draws; kept next to the slide texts that quote them."""

    market: tuple[tuple[str, float, str], ...]  # (TAM/SAM/SOM, value in M€, what it covers)
    traction_label: str
    traction: tuple[float, ...]  # 12 monthly values, the last one is today's
    competitors: tuple[str, ...]
    ask_k_eur: int
    stage: str
    funds: tuple[tuple[str, int], ...]  # (use of funds, percent), sums to 100


_FIGURES: dict[str, _Figures] = {}


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "big")


def _rng(name: str, salt: str) -> random.Random:
    return random.Random(_seed(salt, name))


def _monthly_series(name: str, final: float) -> tuple[float, ...]:
    """Twelve months of growth ending exactly at `final`, shaped by the startup name."""
    rng = _rng(name, "traction")
    growth = rng.uniform(0.07, 0.15)
    values = [float(final)]
    for _ in range(11):
        step = -rng.uniform(0.0, 0.04) if rng.random() < 0.12 else growth * rng.uniform(0.4, 1.6)
        values.append(values[-1] / (1 + step))
    return tuple(reversed(values))


def _fund_split(name: str) -> tuple[tuple[str, int], ...]:
    """Use of funds in multiples of 5 %, at least 10 % each, summing to 100 %."""
    rng = _rng(name, "funds")
    weights = [
        rng.uniform(2.5, 7.0),
        rng.uniform(2.0, 6.0),
        rng.uniform(1.5, 5.0),
        rng.uniform(1, 3),
    ]
    total = sum(weights)
    percents = [max(10, 5 * round(20 * w / total)) for w in weights]
    percents[percents.index(max(percents))] += 100 - sum(percents)
    return tuple(zip(_FUND_USES, percents, strict=True))


def _fallback_figures(startup: DemoStartup) -> _Figures:
    """Plausible seeded figures for a DemoStartup that was not built by this module."""
    rng = _rng(startup.startup_name, "fallback")
    tam = rng.choice((1800, 3500, 6400, 9000, 12000))
    sam = round(tam * rng.uniform(0.08, 0.2))
    som = round(sam * rng.uniform(0.02, 0.05), 1)
    competitors: list[str] = []
    for title, bullets in startup.slides:
        if title == SLIDE_COMPETITION:
            competitors = [
                b.split(" : ")[0] for b in bullets if not b.startswith(_EDGE_PREFIX) and " : " in b
            ]
    return _Figures(
        market=(("TAM", tam, "Marché européen"), ("SAM", sam, "France"), ("SOM", som, "À 5 ans")),
        traction_label="Clients payants",
        traction=_monthly_series(startup.startup_name, rng.randint(40, 400)),
        competitors=tuple(competitors[:3])
        or ("Acteur historique", "Outils génériques", "Statu quo"),
        ask_k_eur=rng.choice((500, 800, 1000, 1500)),
        stage="Seed",
        funds=_fund_split(startup.startup_name),
    )


def _figures_for(startup: DemoStartup) -> _Figures:
    figures = _FIGURES.get(startup.startup_name)
    return figures if figures is not None else _fallback_figures(startup)


# --------------------------------------------------------------------------------------------
# French number formatting
# --------------------------------------------------------------------------------------------


def _fr_number(value: float, decimals: int = 0) -> str:
    """French separators: (12400,) -> "12 400", (4.25, 1) -> "4,2"."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",")


def _fr_compact(value: float) -> str:
    """A chart label: 38000 -> "38 000", 8.2 -> "8,2", 42.0 -> "42"."""
    if value >= 100 or float(value).is_integer():
        return _fr_number(value)
    return _fr_number(value, 1)


def _money_m(value_m_eur: float) -> str:
    """An amount given in M€, written the way a pitch deck would: "4,2 Md€", "60 M€"."""
    if value_m_eur >= 1000:
        billions = value_m_eur / 1000
        return f"{_fr_number(billions, 0 if billions.is_integer() or billions >= 10 else 1)} Md€"
    if value_m_eur >= 1:
        decimals = 0 if float(value_m_eur).is_integer() or value_m_eur >= 10 else 1
        return f"{_fr_number(value_m_eur, decimals)} M€"
    return f"{_fr_number(value_m_eur * 1000)} k€"


def _money_k(value_k_eur: int) -> str:
    """800 -> "800 k€", 1500 -> "1,5 M€"."""
    return _money_m(value_k_eur / 1000)


# --------------------------------------------------------------------------------------------
# Building the startups
# --------------------------------------------------------------------------------------------


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]+", "", plain.lower().replace(" ", "-"))


def _startup(
    name: str,
    *,
    category: str,
    slug: str,
    one_liner: str,
    founders: tuple[tuple[str, str, str], ...],
    description: str,
    problem: tuple[str, ...],
    solution: tuple[str, ...],
    market: tuple[tuple[float, str], tuple[float, str], tuple[float, str]],
    model: tuple[str, ...],
    traction: tuple[str, float, tuple[str, ...]],
    competitors: tuple[tuple[str, str], ...],
    edge: str,
    ask: tuple[int, str, tuple[str, ...]],
) -> DemoStartup:
    """Assemble a DemoStartup (and remember the figures its deck charts)."""
    rng = _rng(name, "team")
    traction_label, traction_now, highlights = traction
    ask_k_eur, stage, milestones = ask
    funds = _fund_split(name)
    market_rows = tuple(
        (label, value, text)
        for label, (value, text) in zip(("TAM", "SAM", "SOM"), market, strict=True)
    )
    team_size = len(founders) + rng.randint(2, 12)
    slides = (
        (SLIDE_PROBLEM, problem),
        (SLIDE_SOLUTION, solution),
        (
            SLIDE_MARKET,
            tuple(f"{label} – {_money_m(v)} : {text}" for label, v, text in market_rows),
        ),
        (SLIDE_MODEL, model),
        (SLIDE_TRACTION, highlights),
        (
            SLIDE_COMPETITION,
            (
                *(f"{rival} : {weakness}" for rival, weakness in competitors),
                f"{_EDGE_PREFIX} : {edge}",
            ),
        ),
        (
            SLIDE_TEAM,
            (
                *(f"{person} ({role}) : {background}" for person, role, background in founders),
                f"{team_size} personnes aujourd’hui, basées à {rng.choice(_CITIES)}",
            ),
        ),
        (
            SLIDE_ASK,
            (
                f"{_ASK_AMOUNT_PREFIX}{_money_k(ask_k_eur)} ({stage})",
                _ASK_FUNDS_PREFIX + ", ".join(f"{use.lower()} {pct} %" for use, pct in funds),
                *milestones,
            ),
        ),
    )
    _FIGURES[name] = _Figures(
        market=market_rows,
        traction_label=traction_label,
        traction=_monthly_series(name, traction_now),
        competitors=tuple(rival for rival, _ in competitors),
        ask_k_eur=ask_k_eur,
        stage=stage,
        funds=funds,
    )
    first_name = founders[0][0].split()[0]
    return DemoStartup(
        startup_name=name,
        one_liner=one_liner,
        category=category,
        website=f"https://{slug}.example",
        founders=", ".join(f"{person} ({role})" for person, role, _ in founders),
        contact_email=f"{_ascii_slug(first_name)}@{slug}.example",
        description=description,
        slides=slides,
    )


# The texts and figures live in data/demo/startups.json (see `pitchjudge.demo_data`).
DEMO_STARTUPS: tuple[DemoStartup, ...] = tuple(
    _startup(spec.pop("name"), **spec) for spec in (dict(s) for s in demo_data.startup_specs())
)

DEMO_JUDGES: tuple[tuple[str, str, str], ...] = demo_data.judges()


# --------------------------------------------------------------------------------------------
# PDF rendering
# --------------------------------------------------------------------------------------------

_H = 190.5  # mm: a 13.33 x 7.5 inch slide, PowerPoint's 16:9 size
_W = _H * 16 / 9
_MX = 18.0  # horizontal margin
_BODY_TOP = 42.0
_BODY_BOTTOM = _H - 19.0
_PT = 25.4 / 72  # mm per point
_FONT = "Helvetica"
_CREATION_DATE = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)

_Rgb = tuple[int, int, int]
_INK: _Rgb = (31, 36, 48)
_MUTED: _Rgb = (101, 109, 122)
_LINE: _Rgb = (222, 226, 232)
_PANEL: _Rgb = (246, 247, 249)
_WHITE: _Rgb = (255, 255, 255)

# Accent colours: deep enough for white text; one is picked from a hash of the startup name.
_ACCENTS: tuple[_Rgb, ...] = (
    (37, 99, 235),
    (13, 148, 136),
    (124, 58, 237),
    (219, 39, 119),
    (234, 88, 12),
    (22, 163, 74),
    (2, 132, 199),
    (220, 38, 38),
    (79, 70, 229),
    (161, 98, 7),
    (5, 150, 105),
    (192, 38, 211),
    (14, 116, 144),
    (190, 18, 60),
)

_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

# Characters outside WinAnsi (cp1252), the only encoding fpdf2's core fonts can show.
_PDF_REPLACEMENTS = str.maketrans(
    {
        "\u202f": "\u00a0",  # narrow no-break space
        "\u2009": " ",
        "\u2011": "-",
        "\u2212": "-",
        "\u2192": "->",
        "\u2248": "~",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2713": "",
    }
)
# A space inside a number or before its unit must not break a line: "12 400", "42 k€", "31 %".
_NUMBER_SPACE = re.compile(r"(?<=\d) (?=\d{3}\b|k€|M€|Md€|€|%|h\b|j/7|kg|m²)")


def _pdf_text(text: str) -> str:
    """Make `text` printable with a core font (WinAnsi only, the rest is dropped), and keep
    numbers and their units on one line."""
    text = _NUMBER_SPACE.sub("\u00a0", text.translate(_PDF_REPLACEMENTS))
    return text.encode("cp1252", errors="ignore").decode("cp1252")


def _mix(color: _Rgb, other: _Rgb, amount: float) -> _Rgb:
    """`color` moved `amount` (0-1) of the way towards `other`."""
    r, g, b = (round(c + (o - c) * amount) for c, o in zip(color, other, strict=True))
    return (r, g, b)


class _Palette(NamedTuple):
    accent: _Rgb
    dark: _Rgb
    soft: _Rgb  # light tint, for panels
    mid: _Rgb  # for secondary bars

    @classmethod
    def for_name(cls, name: str) -> _Palette:
        accent = _ACCENTS[_seed("accent", name) % len(_ACCENTS)]
        # A small hue shift, also from the name, so that two decks rarely get the exact same colour.
        h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in accent))
        h = (h + ((_seed("hue", name) % 21) - 10) / 360) % 1.0
        r, g, b = (round(c * 255) for c in colorsys.hls_to_rgb(h, lightness, s))
        accent = (r, g, b)
        return cls(
            accent,
            _mix(accent, (0, 0, 0), 0.3),
            _mix(accent, _WHITE, 0.88),
            _mix(accent, _WHITE, 0.5),
        )


class _Deck:
    """Draws one startup's deck; each `slide_*` method fills one page."""

    def __init__(self, startup: DemoStartup) -> None:
        self.startup = startup
        self.figures = _figures_for(startup)
        self.pal = _Palette.for_name(startup.startup_name)
        self.total = 1 + len(startup.slides)
        pdf = FPDF(orientation="L", unit="mm", format=(_H, _W))
        pdf.core_fonts_encoding = "cp1252"
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        pdf.set_creation_date(_CREATION_DATE)
        # Uncompressed streams put a deck at 40-50 KB, the size of a light real-world deck
        # (compressed, these vector-only slides would weigh about 17 KB).
        pdf.set_compression(False)
        pdf.set_title(f"{startup.startup_name} – Pitch deck")
        pdf.set_author(startup.founders)
        pdf.set_subject(f"Candidature au {CONTEST_NAME}")
        pdf.set_creator("PitchJudge (contenu de démonstration)")
        pdf.set_lang("fr-FR")
        self.pdf = pdf

    # ---------------------------------------------------------------- drawing primitives

    def fill(self, color: _Rgb) -> None:
        self.pdf.set_fill_color(*color)

    def rect(self, x: float, y: float, w: float, h: float, color: _Rgb, radius: float = 0) -> None:
        self.fill(color)
        if radius:
            self.pdf.rect(x, y, w, h, style="F", round_corners=True, corner_radius=radius)
        else:
            self.pdf.rect(x, y, w, h, style="F")

    def rounded(
        self, x: float, y: float, w: float, h: float, color: _Rgb, radius: float, corners: str
    ) -> None:
        """A rectangle rounded only at `corners` ("tl", "tr", "bl", "br", space-separated)."""
        self.rect(x, y, w, h, color, radius)
        r = min(radius, w / 2, h / 2)
        squares = {
            "tl": (x, y),
            "tr": (x + w - r, y),
            "bl": (x, y + h - r),
            "br": (x + w - r, y + h - r),
        }
        for corner, (cx, cy) in squares.items():
            if corner not in corners.split():
                self.rect(cx, cy, r, r, color)

    def dot(self, cx: float, cy: float, r: float, color: _Rgb) -> None:
        self.fill(color)
        self.pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r, style="F")

    def line(
        self, x1: float, y1: float, x2: float, y2: float, color: _Rgb, width: float = 0.3
    ) -> None:
        self.pdf.set_draw_color(*color)
        self.pdf.set_line_width(width)
        self.pdf.line(x1, y1, x2, y2)

    def wrap(self, text: str, w: float, size: float, style: str = "") -> list[str]:
        self.pdf.set_font(_FONT, style, size)
        lines = cast(
            list[str],
            self.pdf.multi_cell(w, size * _PT, _pdf_text(text), dry_run=True, output="LINES"),
        )
        # fpdf2 hands back the lines already encoded for the font; undo that for cell().
        return [line.encode("latin-1").decode("cp1252") for line in lines]

    def text(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        size: float,
        style: str = "",
        color: _Rgb = _INK,
        align: str = "L",
        valign: str = "T",
        min_size: float = 7.0,
        leading: float = 1.22,
    ) -> float:
        """Write `text` in the box, shrinking the font until it fits; returns the height used."""
        current = size
        while True:
            lines = self.wrap(text, w, current, style)
            line_h = current * _PT * leading
            if len(lines) * line_h <= h + 0.01 or current <= min_size:
                break
            current = max(min_size, current - 0.5)
        max_lines = max(1, int((h + 0.01) // line_h))
        if len(lines) > max_lines:  # still too long at the minimum size: ellipsis
            lines = lines[:max_lines]
            last = lines[-1].rstrip()
            while last and self.pdf.get_string_width(last + "…") > w:
                last = last[:-1].rstrip()
            lines[-1] = last + "…"
        used = len(lines) * line_h
        top = y + (h - used) / 2 if valign == "M" else y + (h - used) if valign == "B" else y
        self.pdf.set_text_color(*color)
        for i, line in enumerate(lines):
            self.pdf.set_xy(x, top + i * line_h)
            self.pdf.cell(w, line_h, line, align=align)
        return used

    def label(
        self,
        text: str,
        x: float,
        y: float,
        w: float,
        *,
        size: float,
        style: str = "",
        color: _Rgb = _INK,
        align: str = "L",
    ) -> None:
        """One line of text, shrunk if needed to fit `w`."""
        self.text(
            text, x, y, w, size * _PT * 1.22, size=size, style=style, color=color, align=align
        )

    # ---------------------------------------------------------------- page chrome

    def new_slide(self, title: str) -> None:
        pdf = self.pdf
        pdf.add_page()
        page = pdf.page_no()
        self.rect(0, 0, _W, 4, self.pal.accent)
        self.label(title, _MX, 13, _W - 2 * _MX - 60, size=27, style="B")
        self.rect(_MX, 30.5, 16, 1.4, self.pal.accent)
        self.label(
            self.startup.category.upper(),
            _W - _MX - 90,
            15.5,
            90,
            size=8,
            style="B",
            color=_MUTED,
            align="R",
        )
        # footer
        self.line(_MX, _H - 13, _W - _MX, _H - 13, _LINE, 0.3)
        self.footer(page)

    def footer(self, page: int) -> None:
        name = _pdf_text(self.startup.startup_name)
        self.pdf.set_font(_FONT, "B", 8.5)
        name_w = self.pdf.get_string_width(name)
        self.label(name, _MX, _H - 10.5, name_w + 1, size=8.5, style="B", color=self.pal.accent)
        self.label(f"·  {CONTEST_NAME}", _MX + name_w + 2.5, _H - 10.5, 90, size=8.5, color=_MUTED)
        self.label(
            f"{page} / {self.total}",
            _W - _MX - 30,
            _H - 10.5,
            30,
            size=8.5,
            color=_MUTED,
            align="R",
        )

    # ---------------------------------------------------------------- slides

    def build(self) -> bytes:
        self.slide_title()
        for title, bullets in self.startup.slides:
            draw = {
                SLIDE_PROBLEM: self.slide_problem,
                SLIDE_SOLUTION: self.slide_solution,
                SLIDE_MARKET: self.slide_market,
                SLIDE_MODEL: self.slide_model,
                SLIDE_TRACTION: self.slide_traction,
                SLIDE_COMPETITION: self.slide_competition,
                SLIDE_TEAM: self.slide_team,
                SLIDE_ASK: self.slide_ask,
            }.get(title, self.slide_bullets)
            self.new_slide(title)
            draw(bullets)
        return bytes(self.pdf.output())

    def slide_title(self) -> None:
        s, pal, pdf = self.startup, self.pal, self.pdf
        pdf.add_page()
        split = 212.0
        self.rect(0, 0, _W, _H, pal.accent)
        self.dot(split - 18, 8, 62, _mix(pal.accent, _WHITE, 0.1))
        self.dot(split - 70, _H + 6, 44, _mix(pal.accent, (0, 0, 0), 0.1))
        self.dot(28, -6, 16, _mix(pal.accent, _WHITE, 0.06))
        self.rect(split, 0, _W - split, _H, _PANEL)
        light = _mix(pal.accent, _WHITE, 0.72)
        x, w = _MX + 6, split - _MX - 30
        self.label(
            f"{CONTEST_NAME.upper()}  ·  PITCH DECK", x, 28, w, size=9.5, style="B", color=light
        )
        self.text(
            s.startup_name, x, 46, w, 40, size=50, style="B", color=_WHITE, valign="B", min_size=28
        )
        self.rect(x, 92, 24, 1.8, _WHITE)
        self.text(s.one_liner, x, 100, w, 40, size=18, color=_WHITE, leading=1.28)
        self.label("FONDATEURS", x, 148, w, size=8.5, style="B", color=light)
        self.text(s.founders, x, 154, w, 14, size=12, color=_WHITE)
        # right panel
        px, pw = split + 16, _W - split - 32
        self.rect(px, 30, 26, 26, pal.accent, radius=6)
        initials = "".join(word[0] for word in s.startup_name.split()[:2]).upper()
        self.text(
            initials,
            px,
            30,
            26,
            26,
            size=24 if len(initials) == 1 else 18,
            style="B",
            color=_WHITE,
            align="C",
            valign="M",
        )
        self.label(s.startup_name, px + 31, 36, pw - 31, size=13, style="B")
        self.label(s.website.removeprefix("https://"), px + 31, 43, pw - 31, size=9.5, color=_MUTED)
        rows = (
            ("CATÉGORIE", s.category),
            ("SITE WEB", s.website),
            ("CONTACT", s.contact_email),
            ("CANDIDATURE", f"{CONTEST_NAME}, {ASSOCIATION_NAME}"),
        )
        y = 74.0
        for caption, value in rows:
            self.label(caption, px, y, pw, size=7.5, style="B", color=pal.accent)
            self.text(value, px, y + 4.5, pw, 10, size=10.5, color=_INK)
            y += 20
        self.label(f"1 / {self.total}", px, _H - 10.5, pw, size=8.5, color=_MUTED, align="R")

    def cards(self, items: Sequence[str], *, numbered: bool, tinted: bool) -> None:
        n = max(1, len(items))
        gap = 8.0
        w = (_W - 2 * _MX - gap * (n - 1)) / n
        top, h = _BODY_TOP + 6, 104.0
        for i, item in enumerate(items):
            x = _MX + i * (w + gap)
            if tinted:  # an accent card showing only as a 3 mm top edge
                self.rect(x, top, w, h, self.pal.accent, radius=4)
                self.rounded(x, top + 3, w, h - 3, self.pal.soft, 4, "bl br")
                self.label(
                    f"{i + 1:02d}", x + 10, top + 12, 30, size=30, style="B", color=self.pal.accent
                )
            else:
                self.rect(x, top, w, h, _PANEL, radius=4)
                self.dot(x + 18, top + 20, 8, self.pal.accent)
                self.text(
                    str(i + 1),
                    x + 10,
                    top + 12,
                    16,
                    16,
                    size=15,
                    style="B",
                    color=_WHITE,
                    align="C",
                    valign="M",
                )
            self.text(
                item,
                x + 10,
                top + 36,
                w - 20,
                h - 46,
                size=20,
                style="" if tinted else "B",
                valign="B",
                leading=1.28,
            )

    def bullet_list(
        self, items: Sequence[str], x: float, y: float, w: float, h: float, *, size: float = 16
    ) -> None:
        """Bullets spread over the box, shrunk together until they all fit."""
        gap_ratio = 0.9
        current = size
        while True:
            heights = [
                len(self.wrap(item, w - 8, current)) * current * _PT * 1.25 for item in items
            ]
            gap = current * _PT * gap_ratio * 1.6
            total = sum(heights) + gap * (len(items) - 1)
            if total <= h or current <= 9:
                break
            current -= 0.5
        cy = y
        for item, item_h in zip(items, heights, strict=True):
            if cy > y and cy + item_h > y + h + 0.01:
                break  # even at the minimum size there is no room left: drop the rest
            self.dot(x + 2, cy + current * _PT * 0.62, current * _PT * 0.16 + 0.4, self.pal.accent)
            self.text(
                item, x + 8, cy, w - 8, item_h + 0.5, size=current, min_size=current, leading=1.25
            )
            cy += item_h + gap

    def slide_bullets(self, bullets: Sequence[str]) -> None:
        self.bullet_list(
            bullets, _MX, _BODY_TOP + 6, _W - 2 * _MX, _BODY_BOTTOM - _BODY_TOP - 6, size=18
        )

    def slide_problem(self, bullets: Sequence[str]) -> None:
        if 1 <= len(bullets) <= 4:
            self.cards(bullets, numbered=True, tinted=False)
        else:
            self.slide_bullets(bullets)

    def slide_model(self, bullets: Sequence[str]) -> None:
        if 1 <= len(bullets) <= 4:
            self.cards(bullets, numbered=False, tinted=True)
        else:
            self.slide_bullets(bullets)

    def slide_solution(self, bullets: Sequence[str]) -> None:
        s = self.startup
        right = 188.0
        top = _BODY_TOP + 4
        self.text(
            s.one_liner,
            _MX,
            top,
            right - _MX - 14,
            22,
            size=14,
            style="B",
            color=self.pal.dark,
            leading=1.25,
        )
        self.bullet_list(bullets, _MX, top + 30, right - _MX - 14, _BODY_BOTTOM - top - 32, size=15)
        rng = _rng(s.startup_name, "mockup")
        phone_words = ("appli", "smartphone")
        text = (s.one_liner + " ".join(bullets)).lower()
        if any(word in text for word in phone_words):
            self.phone_mockup(right, top - 2, _W - _MX - right, _BODY_BOTTOM - top + 2, rng)
        else:
            self.browser_mockup(right, top, _W - _MX - right, _BODY_BOTTOM - top - 2, rng)

    def browser_mockup(self, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
        pal = self.pal
        self.rect(x + 1.2, y + 1.6, w, h, _LINE, radius=3)  # shadow
        self.rect(x, y, w, h, (236, 238, 242), radius=3)
        self.rounded(x, y + 8, w, h - 8, _WHITE, 3, "bl br")
        for i, color in enumerate(((239, 107, 107), (245, 190, 80), (98, 200, 120))):
            self.dot(x + 5 + i * 4.2, y + 4, 1.2, color)
        self.rect(x + 22, y + 2, w - 44, 4, _WHITE, radius=2)
        self.label(self.startup.website, x + 22, y + 2.4, w - 44, size=6, color=_MUTED, align="C")
        # sidebar
        sw = 26.0
        self.rounded(x, y + 8, sw, h - 8, pal.dark, 3, "bl")
        self.label(
            self.startup.startup_name, x + 3, y + 12, sw - 6, size=6.5, style="B", color=_WHITE
        )
        for i in range(6):
            color = _mix(pal.dark, _WHITE, 0.55 if i == 0 else 0.25)
            self.rect(
                x + 3,
                y + 22 + i * 7,
                (sw - 6) * (0.9 if i == 0 else rng.uniform(0.5, 0.8)),
                2.2,
                color,
                radius=1,
            )
        cx, cw = x + sw + 6, w - sw - 12
        self.label("Tableau de bord", cx, y + 12, cw, size=8, style="B")
        self.rect(cx + cw - 18, y + 12.2, 18, 4.2, pal.accent, radius=2)
        # KPI tiles
        tile_w = (cw - 8) / 3
        values = self.figures.traction
        kpis = (
            _fr_compact(values[-1]),
            f"+{_fr_number(100 * (values[-1] / values[-4] - 1))} %",
            f"{rng.randint(86, 98)} %",
        )
        for i, kpi in enumerate(kpis):
            tx = cx + i * (tile_w + 4)
            self.rect(tx, y + 21, tile_w, 16, _PANEL, radius=2)
            self.rect(tx + 3, y + 24, tile_w * 0.45, 1.8, _LINE, radius=0.9)
            self.label(
                kpi,
                tx + 3,
                y + 28.5,
                tile_w - 6,
                size=10,
                style="B",
                color=pal.dark if i else pal.accent,
            )
        # area chart of the traction curve
        gy, gh = y + 42, h - 42 - 34
        self.rect(cx, gy, cw, gh, _PANEL, radius=2)
        top_value = max(values)
        points = [
            (cx + 4 + i * (cw - 8) / (len(values) - 1), gy + gh - 4 - (v / top_value) * (gh - 10))
            for i, v in enumerate(values)
        ]
        self.fill(pal.soft)
        self.pdf.polygon(
            [(points[0][0], gy + gh - 4), *points, (points[-1][0], gy + gh - 4)], style="F"
        )
        self.pdf.set_draw_color(*pal.accent)
        self.pdf.set_line_width(0.7)
        self.pdf.polyline(points)
        self.dot(*points[-1], 1.4, pal.accent)
        # list rows
        ry = gy + gh + 5
        for i in range(3):
            self.dot(cx + 3, ry + 3 + i * 9.5, 2.6, _mix(pal.accent, _WHITE, 0.3 + 0.2 * i))
            self.rect(
                cx + 9, ry + 1 + i * 9.5, cw * rng.uniform(0.35, 0.55), 1.9, _LINE, radius=0.9
            )
            self.rect(
                cx + 9, ry + 4.2 + i * 9.5, cw * rng.uniform(0.2, 0.3), 1.5, _PANEL, radius=0.7
            )
            self.rect(cx + cw - 14, ry + 1.6 + i * 9.5, 14, 3.2, pal.soft, radius=1.6)

    def phone_mockup(self, x: float, y: float, w: float, h: float, rng: random.Random) -> None:
        pal = self.pal
        ph_h = h
        ph_w = ph_h * 0.5
        px = x + (w - ph_w) / 2
        self.dot(px + ph_w / 2, y + ph_h / 2, ph_h * 0.46, pal.soft)
        self.rect(px, y, ph_w, ph_h, (28, 31, 40), radius=8)
        sx, sy, sw, sh = px + 2.6, y + 2.6, ph_w - 5.2, ph_h - 5.2
        self.rect(sx, sy, sw, sh, _WHITE, radius=6)
        self.rounded(sx, sy, sw, 30, pal.accent, 6, "tl tr")
        self.rect(px + ph_w / 2 - 8, y + 4, 16, 3.4, (28, 31, 40), radius=1.7)
        self.label(
            self.startup.startup_name, sx + 5, sy + 11, sw - 10, size=9, style="B", color=_WHITE
        )
        self.label(
            "Bonjour Claire",
            sx + 5,
            sy + 17,
            sw - 10,
            size=6.5,
            color=_mix(pal.accent, _WHITE, 0.75),
        )
        # progress ring substitute: a bar
        done = rng.uniform(0.55, 0.85)
        self.rect(sx + 5, sy + 23.5, sw - 10, 2.2, _mix(pal.accent, _WHITE, 0.35), radius=1.1)
        self.rect(sx + 5, sy + 23.5, (sw - 10) * done, 2.2, _WHITE, radius=1.1)
        cy = sy + 36
        for i in range(4):
            self.rect(sx + 4, cy, sw - 8, 16, _PANEL, radius=3)
            self.dot(sx + 10.5, cy + 8, 3.6, _mix(pal.accent, _WHITE, 0.25 + 0.18 * i))
            self.rect(sx + 17, cy + 4.6, (sw - 26) * rng.uniform(0.6, 0.95), 2, _LINE, radius=1)
            self.rect(
                sx + 17,
                cy + 9,
                (sw - 26) * rng.uniform(0.35, 0.6),
                1.6,
                (232, 234, 238),
                radius=0.8,
            )
            cy += 19
        for i in range(4):
            self.dot(sx + sw * (i + 0.5) / 4, sy + sh - 6, 1.5, pal.accent if i == 0 else _LINE)

    def slide_market(self, bullets: Sequence[str]) -> None:
        market = self.figures.market
        pal = self.pal
        colors = (pal.dark, pal.accent, pal.mid)
        split = 180.0
        row_h = (_BODY_BOTTOM - _BODY_TOP - 6) / max(1, len(market))
        for i, (label, value, what) in enumerate(market):
            y = _BODY_TOP + 4 + i * row_h
            color = colors[i % len(colors)]
            self.rect(_MX, y + 1, 2.4, 22, color, radius=1.2)
            amount = _money_m(value)
            self.label(amount, _MX + 9, y, 70, size=24, style="B", color=color)
            amount_w = self.pdf.get_string_width(_pdf_text(amount))
            self.label(label, _MX + 9 + amount_w + 4, y + 3.6, 30, size=12, style="B", color=_MUTED)
            text = bullets[i].split(" : ", 1)[-1] if i < len(bullets) else what
            self.text(text, _MX + 9, y + 11.5, split - _MX - 25, row_h - 14, size=12.5, color=_INK)
        # bar chart, square-root scale so the SOM stays visible
        x0, x1 = split + 6, _W - _MX
        base = _BODY_BOTTOM - 18
        top = _BODY_TOP + 14
        self.rect(x0, _BODY_TOP + 2, x1 - x0, _BODY_BOTTOM - _BODY_TOP - 2, _PANEL, radius=4)
        biggest = max(v for _, v, _ in market) ** 0.5
        bar_w = 26.0
        slot = (x1 - x0 - 20) / len(market)
        for i, (label, value, _) in enumerate(market):
            bh = max(4.0, (value**0.5) / biggest * (base - top - 8))
            bx = x0 + 10 + i * slot + (slot - bar_w) / 2
            self.rect(bx, base - bh, bar_w, bh, colors[i % len(colors)])
            self.label(
                _money_m(value), bx - 8, base - bh - 7, bar_w + 16, size=11, style="B", align="C"
            )
            self.label(
                label, bx - 8, base + 3, bar_w + 16, size=10, style="B", color=_MUTED, align="C"
            )
        self.line(x0 + 8, base, x1 - 8, base, (190, 196, 205), 0.4)
        self.label(
            "Échelle en racine carrée · sources : études sectorielles, estimations de l’équipe",
            x0 + 8,
            _BODY_BOTTOM - 6,
            x1 - x0 - 16,
            size=6.5,
            color=_MUTED,
            align="C",
        )

    def slide_traction(self, bullets: Sequence[str]) -> None:
        pal, fig = self.pal, self.figures
        left_w = 118.0
        n = max(1, len(bullets))
        gap = 6.0
        box_h = (_BODY_BOTTOM - _BODY_TOP - 4 - gap * (n - 1)) / n
        for i, item in enumerate(bullets):
            y = _BODY_TOP + 2 + i * (box_h + gap)
            self.rect(_MX, y, left_w, box_h, pal.soft, radius=3)
            self.rect(_MX, y, 3, box_h, pal.accent)
            self.text(
                item,
                _MX + 9,
                y + 3,
                left_w - 15,
                box_h - 6,
                size=14,
                style="B",
                color=_INK,
                valign="M",
            )
        # chart
        x0, x1 = _MX + left_w + 12, _W - _MX
        y0, y1 = _BODY_TOP + 2, _BODY_BOTTOM
        values = fig.traction
        self.label(fig.traction_label, x0, y0, x1 - x0 - 50, size=13, style="B")
        growth = values[-1] / values[0]
        badge = f"×{_fr_number(growth, 1)} en 12 mois"
        self.rect(x1 - 44, y0, 44, 7, pal.accent, radius=3.5)
        self.label(badge, x1 - 44, y0 + 1.2, 44, size=9, style="B", color=_WHITE, align="C")
        plot_l, plot_r = x0 + 14, x1
        plot_t, plot_b = y0 + 16, y1 - 9
        top_tick, step = _nice_ticks(max(values))
        ticks = [step * k for k in range(round(top_tick / step) + 1)]
        for tick in ticks:
            ty = plot_b - tick / top_tick * (plot_b - plot_t)
            self.line(
                plot_l, ty, plot_r, ty, _LINE if tick else (190, 196, 205), 0.25 if tick else 0.4
            )
            self.label(_fr_compact(tick), x0 - 4, ty - 2, 16, size=7.5, color=_MUTED, align="R")
        slot = (plot_r - plot_l) / len(values)
        bar_w = slot * 0.62
        for i, v in enumerate(values):
            bh = v / top_tick * (plot_b - plot_t)
            bx = plot_l + i * slot + (slot - bar_w) / 2
            self.rect(bx, plot_b - bh, bar_w, bh, pal.accent if i >= len(values) - 3 else pal.mid)
            self.label(
                _MONTHS[i % 12], bx - 3, plot_b + 1.8, bar_w + 6, size=7, color=_MUTED, align="C"
            )
        last_x = plot_l + (len(values) - 1) * slot + slot / 2
        last_y = plot_b - values[-1] / top_tick * (plot_b - plot_t)
        self.label(
            _fr_compact(values[-1]),
            last_x - 14,
            last_y - 6.5,
            28,
            size=10,
            style="B",
            color=pal.dark,
            align="C",
        )
        self.label("2026", plot_r - 20, y1 - 3, 20, size=7, color=_MUTED, align="R")

    def slide_competition(self, bullets: Sequence[str]) -> None:
        pal = self.pal
        rng = _rng(self.startup.startup_name, "competition")
        x_axis, y_axis = _COMPETITION_AXES.get(self.startup.category, ("Simplicité", "Efficacité"))
        bx, by, bw, bh = _MX + 12, _BODY_TOP + 2, 150.0, 112.0
        half_w, half_h = bw / 2, bh / 2
        for qx in (0, 1):
            for qy in (0, 1):
                color = pal.soft if (qx, qy) == (1, 1) else _PANEL
                self.rect(bx + qx * half_w, by + (1 - qy) * half_h, half_w, half_h, color)
        self.line(bx, by + half_h, bx + bw, by + half_h, (180, 186, 196), 0.4)
        self.line(bx + half_w, by, bx + half_w, by + bh, (180, 186, 196), 0.4)
        self.label(
            f"{x_axis}  »",
            bx + half_w,
            by + bh + 2,
            half_w,
            size=8.5,
            style="B",
            color=_MUTED,
            align="R",
        )
        with self.pdf.rotation(90, bx - 3, by + bh):
            self.label(
                f"{y_axis}  »",
                bx - 3 + half_h,
                by + bh - 4.5,
                half_h,
                size=8.5,
                style="B",
                color=_MUTED,
                align="R",
            )
        quadrants = [(0, 1), (1, 0), (0, 0)]
        rng.shuffle(quadrants)

        def place(fx: float, fy: float, name: str, *, ours: bool) -> None:
            cx, cy = bx + fx * bw, by + (1 - fy) * bh
            self.dot(cx, cy, 4.2 if ours else 2.8, pal.accent if ours else (150, 157, 168))
            self.text(
                name,
                cx - 30,
                cy + 5,
                60,
                9,
                size=10 if ours else 8.5,
                style="B",
                color=pal.dark if ours else _INK,
                align="C",
                min_size=7,
                leading=1.1,
            )

        for (qx, qy), rival in zip(quadrants, self.figures.competitors, strict=False):
            fx = qx * 0.5 + 0.25 + rng.uniform(-0.07, 0.07)
            fy = qy * 0.5 + 0.33 + rng.uniform(-0.05, 0.08)
            place(fx, fy, rival, ours=False)
        place(
            0.75 + rng.uniform(-0.02, 0.08),
            0.83 + rng.uniform(-0.06, 0.04),
            self.startup.startup_name,
            ours=True,
        )
        # right column: who they are, what they miss
        x0 = bx + bw + 14
        w = _W - _MX - x0
        n = max(1, len(bullets))
        row_h = min(30.0, (_BODY_BOTTOM - _BODY_TOP) / n)
        for i, item in enumerate(bullets):
            name, _, weakness = item.partition(" : ")
            y = _BODY_TOP + 2 + i * row_h
            ours = name.startswith(_EDGE_PREFIX)
            body = weakness[:1].upper() + weakness[1:] if weakness else ""
            if ours:
                body_h = len(self.wrap(body, w, 11.5)) * 11.5 * _PT * 1.22
                self.rect(x0 - 5, y - 4, w + 9, min(row_h, body_h + 16), pal.soft, radius=3)
            self.label(name, x0, y, w, size=12.5, style="B", color=pal.dark if ours else _INK)
            self.text(body, x0, y + 6.5, w, row_h - 11, size=11.5, color=_INK if ours else _MUTED)

    def slide_team(self, bullets: Sequence[str]) -> None:
        pal = self.pal
        people: list[tuple[str, str, str]] = []
        extras: list[str] = []
        for item in bullets:
            match = re.fullmatch(r"(?P<name>[^()]+?) \((?P<role>[^)]+)\) : (?P<bio>.+)", item)
            if match:
                people.append((match["name"], match["role"], match["bio"]))
            else:
                extras.append(item)
        if not people:  # founders from the application form, without biographies
            for part in self.startup.founders.split(", "):
                name, _, role = part.partition(" (")
                people.append((name, role.rstrip(")"), ""))
        n = len(people)
        gap = 10.0
        card_w = min(92.0, (_W - 2 * _MX - gap * (n - 1)) / n)
        total = n * card_w + gap * (n - 1)
        top, card_h = _BODY_TOP + 4, 98.0
        for i, (name, role, bio) in enumerate(people):
            x = (_W - total) / 2 + i * (card_w + gap)
            self.rect(x, top, card_w, card_h, _PANEL, radius=4)
            cx = x + card_w / 2
            self.dot(cx, top + 24, 15, _mix(pal.accent, _WHITE, 0.12 * i))
            initials = "".join(word[0] for word in name.split()[:2]).upper()
            self.text(
                initials,
                cx - 15,
                top + 9,
                30,
                30,
                size=20,
                style="B",
                color=_WHITE,
                align="C",
                valign="M",
            )
            self.label(name, x + 6, top + 45, card_w - 12, size=15, style="B", align="C")
            self.label(
                role, x + 6, top + 53, card_w - 12, size=11, style="B", color=pal.accent, align="C"
            )
            self.rect(cx - 8, top + 61.5, 16, 0.8, _LINE)
            self.text(
                bio,
                x + 8,
                top + 66,
                card_w - 16,
                card_h - 72,
                size=12,
                color=_MUTED,
                align="C",
                leading=1.3,
            )
        if extras:
            self.text(
                "  ·  ".join(extras),
                _MX,
                top + card_h + 8,
                _W - 2 * _MX,
                10,
                size=11.5,
                style="B",
                color=pal.dark,
                align="C",
            )

    def slide_ask(self, bullets: Sequence[str]) -> None:
        pal, fig = self.pal, self.figures
        milestones = [
            b for b in bullets if not b.startswith((_ASK_AMOUNT_PREFIX, _ASK_FUNDS_PREFIX))
        ]
        left_w = 140.0
        top = _BODY_TOP + 2
        self.label("NOUS RECHERCHONS", _MX, top, left_w, size=9.5, style="B", color=_MUTED)
        self.label(
            _money_k(fig.ask_k_eur), _MX, top + 6, left_w, size=54, style="B", color=pal.accent
        )
        self.label(fig.stage, _MX, top + 29, left_w, size=14, style="B", color=_INK)
        self.label("OBJECTIFS À 18 MOIS", _MX, top + 44, left_w, size=9.5, style="B", color=_MUTED)
        self.bullet_list(milestones, _MX, top + 52, left_w, _BODY_BOTTOM - top - 52, size=14)
        # use of funds
        x0 = _MX + left_w + 16
        w = _W - _MX - x0
        self.rect(x0, top - 2, w, _BODY_BOTTOM - top + 2, _PANEL, radius=4)
        self.label("Utilisation des fonds", x0 + 10, top + 5, w - 20, size=14, style="B")
        shades = (pal.dark, pal.accent, pal.mid, _mix(pal.accent, _WHITE, 0.7))
        stack_x, stack_w = x0 + 10, w - 20
        offset = 0.0
        for i, (_, pct) in enumerate(fig.funds):
            seg = stack_w * pct / 100
            self.rect(stack_x + offset, top + 15, seg, 8, shades[i % len(shades)])
            offset += seg
        row_y = top + 32
        row_h = (_BODY_BOTTOM - row_y - 6) / max(1, len(fig.funds))
        for i, (use, pct) in enumerate(fig.funds):
            y = row_y + i * row_h
            self.rect(stack_x, y + 1, 5, 5, shades[i % len(shades)], radius=1)
            self.label(use, stack_x + 9, y + 0.6, stack_w * 0.5, size=12, style="B")
            amount = _money_k(round(fig.ask_k_eur * pct / 100))
            self.label(
                f"{pct} %",
                stack_x + stack_w - 62,
                y + 0.6,
                22,
                size=12,
                style="B",
                color=pal.dark,
                align="R",
            )
            self.label(
                amount, stack_x + stack_w - 38, y + 0.6, 38, size=12, color=_MUTED, align="R"
            )
            self.rect(
                stack_x + 9,
                y + 8,
                (stack_w - 9) * pct / 100,
                1.6,
                shades[i % len(shades)],
                radius=0.8,
            )


def _nice_ticks(maximum: float) -> tuple[float, float]:
    """(top, step) for a y axis from 0 covering `maximum` with 3-5 round ticks."""
    raw = maximum / 4
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step * 5 >= maximum * 1.08:
            top = step * -(-maximum * 1.08 // step)
            return top, step
    return maximum * 1.1, maximum * 1.1 / 4


def make_demo_deck(startup: DemoStartup) -> bytes:
    """A multi-page PDF pitch deck (16:9 slides) for `startup`, made with fpdf2.

    A title slide followed by one slide per entry of `startup.slides`; the standard titles
    (problem, solution, market, business model, traction, competition, team, ask) get charts
    and dedicated layouts, any other title a bullet list. Deterministic: the same startup
    always gives the same bytes.
    """
    return _Deck(startup).build()
