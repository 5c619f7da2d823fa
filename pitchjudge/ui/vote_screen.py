"""The audience vote on the projector (a mode of the board): the QR code of the vote page,
how many have voted, and the tally's bars as votes arrive, or hidden until the reveal."""

from __future__ import annotations

from html import escape

import streamlit as st

from pitchjudge.formatting import format_number
from pitchjudge.i18n import Gettext
from pitchjudge.qr import qr_png
from pitchjudge.services import votes
from pitchjudge.ui import state
from pitchjudge.ui.room_board import CHROME_CSS

FINGERPRINT_KEY = "vote_screen_fingerprint"

# Light text on a dark panel: 15:1 for the words, the bars are decoration (AA holds for all
# text; no user text is in this block).
STYLE = """<style>
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 2rem; }
.pj-vote { background: #0d1117; color: #f0f3f6; border-radius: 16px; padding: 1.5rem 2rem; }
.pj-vote h1 { font-size: 3rem; margin: 0 0 .3rem; color: #f0f3f6; }
.pj-vote .pj-big { font-size: 2rem; margin: .2rem 0 1rem; }
.pj-vote .pj-row { display: grid; grid-template-columns: 16rem 1fr 5rem; gap: 1rem;
  align-items: center; margin: .6rem 0; font-size: 1.7rem; }
.pj-vote .pj-name { font-weight: 700; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.pj-vote .pj-track { background: #21262d; border-radius: 8px; height: 2.2rem; }
.pj-vote .pj-bar { background: #2f81f7; border-radius: 8px; height: 100%;
  transition: width .8s ease; }
.pj-vote .pj-count { text-align: right; font-variant-numeric: tabular-nums; font-weight: 700; }
.pj-vote .pj-link { font-family: monospace; font-size: 1.2rem; word-break: break-all; }
</style>"""


def projected(contest_id: int) -> int | None:
    """The round whose vote the organiser put on the projector (one small read)."""
    with state.db_session(read_only=True) as session:
        return votes.projected_round(session=session, contest_id=contest_id)


def show(contest_id: int, round_id: int, _: Gettext) -> None:
    """Draw the vote view; it refreshes itself, and hands back to the board when the
    organiser takes the vote off the projector."""
    lang = state.language()
    ngettext = state.ngettext()
    st.html(STYLE + f"<style>{CHROME_CSS}</style>")  # a room screen: no Streamlit chrome
    with state.db_session(read_only=True) as session:
        vote = votes.status(session=session, round_id=round_id)
        page = votes.vote_page(session=session, token=vote.token)
    link = votes.vote_link(state.base_url(), vote.token)
    left, right = st.columns([2, 3], gap="large")
    with left:
        title = escape(_("Vote for your favourite!"))
        scan = escape(_("Scan the QR code with your phone"))
        st.html(
            f'<div class="pj-vote"><h1>{title}</h1>'
            f'<p class="pj-big">{escape(page.contest_name)} · {escape(page.round_name)}</p>'
            f'<p class="pj-big">{scan}</p></div>'
        )
        st.image(qr_png(link, scale=12), width=420)
        st.html(f'<p class="pj-link">{escape(link)}</p>')

    def tally() -> None:
        if projected(contest_id) != round_id or not state.display_link_live(contest_id, _):
            st.rerun(scope="app")
        with state.db_session(read_only=True) as session:
            now = votes.status(session=session, round_id=round_id)
        heading = {
            votes.NOT_OPEN: _("The vote opens soon"),
            votes.OPEN: _("The vote is open"),
            votes.CLOSED: _("The vote is closed"),
        }[now.state]
        voters = ngettext("{count} vote", "{count} votes", now.voters).format(
            count=format_number(now.voters, language=lang)
        )
        parts = [
            f'<div class="pj-vote" data-testid="pj-vote-tally" data-voters="{now.voters}">',
            f"<h1>{escape(heading)}</h1>",
            f'<p class="pj-big">{escape(voters)}</p>',
        ]
        if now.tally_shown:
            most = max((row.votes for row in now.rows), default=0) or 1
            for row in now.rows:
                parts.append(
                    f'<div class="pj-row"><span class="pj-name">{escape(row.startup_name)}</span>'
                    f'<div class="pj-track"><div class="pj-bar" '
                    f'style="width:{100 * row.votes / most:.1f}%"></div></div>'
                    f'<span class="pj-count">{format_number(row.votes, language=lang)}</span>'
                    "</div>"
                )
        else:
            hidden = escape(_("The result stays hidden until the reveal."))
            parts.append(f'<p class="pj-big">{hidden}</p>')
        parts.append("</div>")
        st.html("".join(parts))

    with right:
        st.fragment(run_every=f"{state.get_settings().refresh_s}s")(tally)()
