"""The palmarès on the projector: prize by prize, full screen, driven from the Prizes page.

The step lives in the database (`Palmares.step`), so every projector open on the display
link shows the same slide; each one re-reads a small signature every refresh and redraws
when the organiser moves on. `pages/board.py` hands over to `show` while the ceremony runs.
"""

from __future__ import annotations

from html import escape

import streamlit as st

from pitchjudge.formatting import format_fixed
from pitchjudge.i18n import Gettext
from pitchjudge.services import awards
from pitchjudge.ui import room_board, state

SIGNATURE_KEY = "palmares_signature"

#: The screen's colours: text on background, each pair well above WCAG AA's 4.5:1
#: (tests/test_pages_prizes.py computes the ratios).
BACKGROUND = "#111111"
TEXT_COLOURS = {"text": "#ffffff", "kicker": "#e9ecef", "gold": "#f5c518"}

# No Streamlit chrome: header, toolbar, sidebar and its toggle are hidden on this screen.
STYLE = """<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"] { display: none; }
[data-testid="stApp"], [data-testid="stMain"] { background: #111111; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 2rem 3rem; }
.pj-palmares { color: #ffffff; text-align: center; min-height: 80vh; display: flex;
  flex-direction: column; justify-content: center; gap: 1.5rem;
  font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; }
.pj-palmares .pj-kicker { font-size: 2rem; color: #e9ecef; margin: 0; }
.pj-palmares .pj-prize { font-size: 4.5rem; font-weight: 700; color: #f5c518; margin: 0;
  line-height: 1.1; }
.pj-palmares .pj-sponsor { font-size: 2.6rem; color: #ffffff; margin: 0; }
.pj-palmares .pj-winner { font-size: 7rem; font-weight: 800; color: #ffffff; margin: 0;
  line-height: 1.05; overflow-wrap: anywhere; }
.pj-palmares .pj-small { font-size: 2.2rem; color: #f5c518; margin: 0; }
</style>"""


def _signature(contest_id: int) -> tuple:
    with state.db_session(read_only=True) as session:
        return awards.ceremony_signature(session=session, contest_id=contest_id)


def slide_html(slide: awards.Slide, _: Gettext, language: str) -> str:
    """The slide as HTML; every name the organiser typed is escaped."""
    contest = escape(slide.contest_name)
    if slide.phase == "title":
        return (
            f'<div class="pj-palmares" role="main"><p class="pj-kicker">{contest}</p>'
            f'<h1 class="pj-prize">{escape(_("Palmarès"))}</h1></div>'
        )
    total = slide.last_step // awards.STEPS_PER_PRIZE
    kicker = escape(_("Prize {number} of {total}").format(number=slide.number, total=total))
    prize = escape(slide.prize_name)
    if slide.phase == "prize":
        return (
            f'<div class="pj-palmares" role="main"><p class="pj-kicker">{kicker}</p>'
            f'<h1 class="pj-prize">{prize}</h1></div>'
        )
    sponsor = ""
    if slide.sponsor:
        sponsor = escape(_("Offered by {sponsor}").format(sponsor=slide.sponsor))
    if slide.amount:
        amount = format_fixed(slide.amount, language=language)
        sponsor = f"{sponsor} · {escape(amount)}" if sponsor else escape(amount)
    if slide.phase == "sponsor":
        return (
            f'<div class="pj-palmares" role="main"><p class="pj-kicker">{kicker}</p>'
            f'<h1 class="pj-prize">{prize}</h1><p class="pj-sponsor">{sponsor}</p></div>'
        )
    winner = escape(slide.winner_name or _("Not awarded"))
    return (
        f'<div class="pj-palmares" role="main"><p class="pj-small">{prize}</p>'
        f'<h1 class="pj-winner">{winner}</h1><p class="pj-sponsor">{sponsor}</p></div>'
    )


def show(contest_id: int, _: Gettext) -> bool:
    """Draw the current slide and its watcher when the ceremony runs; False otherwise."""
    with state.db_session(read_only=True) as session:
        slide = awards.ceremony_slide(session=session, contest_id=contest_id)
        signature = awards.ceremony_signature(session=session, contest_id=contest_id)
    st.session_state[SIGNATURE_KEY] = signature
    if slide is None:
        return False
    st.html(STYLE)
    st.html(slide_html(slide, _, state.language()))
    watch(contest_id, _)
    return True


def watch(contest_id: int, _: Gettext, *, every: str | None = None) -> None:
    """Every refresh: redraw the page when the ceremony started, moved or stopped, or when
    the display link was re-issued (the page then stops with its message)."""

    @st.fragment(run_every=every or f"{state.get_settings().refresh_s}s")
    def palmares_watch() -> None:
        with room_board.reconnecting(_):  # the database away: the screen stays, marked
            if not state.display_link_live(contest_id, _):
                st.rerun(scope="app")
            if _signature(contest_id) != st.session_state.get(SIGNATURE_KEY):
                st.rerun(scope="app")

    palmares_watch()
