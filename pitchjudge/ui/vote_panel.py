"""The organiser's audience-vote panel (on the Stage page): open and close the vote, its
anti-fraud mode, ticket codes to print, what the projector shows, and the count so far."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from pitchjudge.formatting import format_datetime_short
from pitchjudge.i18n import Gettext
from pitchjudge.links import secret_key
from pitchjudge.models import Contest, Round, VoteMode, utcnow
from pitchjudge.printing import vote_badges_sheet, vote_tickets_csv
from pitchjudge.qr import qr_png
from pitchjudge.services import votes
from pitchjudge.services.exports import csv_dialect
from pitchjudge.ui import confirm, state
from pitchjudge.ui.widgets import run_and_reload, show_notice

NOTICE_KEY = "vote_notice"
CLOSE_DIALOG = "vote_close"
TICKETS_DIALOG = "vote_tickets"
MODE_KEY = "vote_mode"
COUNT_KEY = "vote_ticket_count"
MINUTES_KEY = "vote_minutes"
LIVE_KEY = "vote_live_tally"
PROJECTOR_KEY = "vote_on_projector"


def _organiser_token() -> str | None:
    return st.session_state.get(state.ORGANISER_TOKEN_KEY)


def _status(round_id: int) -> votes.VoteStatus:
    with state.db_session(read_only=True) as session:
        found = votes.status(session=session, round_id=round_id)
    if found is None:  # the first visit: the window (not open) and its address
        with state.db_session() as session:
            votes.ensure_window(session=session, round_id=round_id)
        with state.db_session(read_only=True) as session:
            found = votes.status(session=session, round_id=round_id)
    return found


def vote_panel(contest: Contest, round_: Round, _: Gettext) -> None:
    """Draw the panel for `round_` (inside an expander of the Stage page)."""
    show_notice(NOTICE_KEY)
    ngettext = state.ngettext()
    token = _organiser_token()
    vote = _status(round_.id)
    lang = state.language()

    def run(action, message: str) -> None:
        run_and_reload(action, message, notice_key=NOTICE_KEY, _=_)

    link = votes.vote_link(state.base_url(), vote.token)
    st.fragment(run_every=f"{state.get_settings().refresh_s}s")(counts)(round_.id, _)

    is_open = vote.state == votes.OPEN
    left, right = st.columns([3, 2], gap="large")
    with left:
        modes = {
            VoteMode.DEVICE: _("One vote per phone (informal events)"),
            VoteMode.TICKETS: _("Ticket codes: one vote per printed code"),
        }
        mode = st.radio(
            _("Anti-fraud"),
            options=list(modes),
            format_func=modes.get,
            index=list(modes).index(vote.mode),
            key=f"{MODE_KEY}_{round_.id}",
            disabled=is_open or vote.voters > 0,
            help=_("It cannot change once people have voted."),
        )
        live = st.toggle(
            _("Show the tally live on the projector"),
            value=vote.live_tally,
            help=_("Off: the result stays hidden until you reveal it, once the vote is closed."),
            key=f"{LIVE_KEY}_{round_.id}",
        )
        projected = st.toggle(
            _("Show the vote on the projector instead of the leaderboard"),
            help=_("The QR code of the vote page, the number of votes and the tally."),
            value=vote.on_projector,
            key=f"{PROJECTOR_KEY}_{round_.id}",
        )
        if (mode, live, projected) != (vote.mode, vote.live_tally, vote.on_projector):
            run(
                lambda s: votes.configure(
                    session=s,
                    organiser_token=token,
                    round_id=round_.id,
                    mode=mode,
                    live_tally=live,
                    on_projector=projected,
                ),
                _("Vote settings saved."),
            )
        if not is_open:
            minutes = st.number_input(
                _("Close by itself after (minutes, 0: only by hand)"),
                min_value=0,
                max_value=24 * 60,
                value=0,
                step=1,
                key=f"{MINUTES_KEY}_{round_.id}",
            )
            if st.button(
                _("Open the vote"),
                type="primary",
                icon=":material/how_to_vote:",
                key=f"vote_open_{round_.id}",
            ):
                closes = utcnow() + timedelta(minutes=minutes) if minutes else None
                run(
                    lambda s: votes.open_window(
                        session=s, organiser_token=token, round_id=round_.id, closes_at=closes
                    ),
                    _("The vote is open."),
                )
        else:
            if vote.closes_at is not None:
                st.caption(
                    _("Closes by itself at {time}.").format(
                        time=format_datetime_short(
                            vote.closes_at, timezone=contest.timezone, language=lang
                        )
                    )
                )
            confirm.ask_button(
                _("Close the vote"),
                key=CLOSE_DIALOG,
                type="primary",
                icon=":material/lock:",
            )
        hidden = vote.state == votes.CLOSED and not vote.live_tally and not vote.revealed
        if hidden and st.button(
            _("Reveal the result on the projector"),
            icon=":material/visibility:",
            key=f"vote_reveal_{round_.id}",
        ):
            run(
                lambda s: votes.reveal(session=s, organiser_token=token, round_id=round_.id),
                _("The result is on the projector."),
            )
    with right:
        st.image(qr_png(link), width=180, caption=_("The audience's vote page"))
        st.code(link, language=None, wrap_lines=True)

    if mode == VoteMode.TICKETS or vote.tickets:
        tickets_block(contest, round_, vote, _)

    confirm.confirm_dialog(
        CLOSE_DIALOG,
        title=_("Close the vote?"),
        lines=lambda: [
            ngettext(
                "**{count}** person has voted. No vote will be taken after this; "
                "the votes in stay.",
                "**{count}** people have voted. No vote will be taken after this; "
                "the votes in stay.",
                _status(round_.id).voters,
            ).format(count=_status(round_.id).voters)
        ],
        confirm_label=_("Close the vote"),
        action=lambda: run(
            lambda s: votes.close_window(session=s, organiser_token=token, round_id=round_.id),
            _("The vote is closed."),
        ),
        _=_,
    )


def tickets_block(contest: Contest, round_: Round, vote: votes.VoteStatus, _: Gettext) -> None:
    """Generate the ticket codes, print them as QR badges, download them as CSV."""
    token = _organiser_token()
    ngettext = state.ngettext()
    key = secret_key(state.get_settings())
    st.markdown("#### " + _("Ticket codes"))
    cols = st.columns([2, 3])
    count = cols[0].number_input(
        _("How many codes"),
        min_value=1,
        max_value=votes.MAX_TICKETS,
        value=vote.tickets or 200,
        step=10,
        key=f"{COUNT_KEY}_{round_.id}",
    )

    def generate() -> None:
        run_and_reload(
            lambda s: votes.generate_tickets(
                session=s, organiser_token=token, key=key, round_id=round_.id, count=int(count)
            ),
            ngettext("{count} code generated.", "{count} codes generated.", int(count)).format(
                count=int(count)
            ),
            notice_key=NOTICE_KEY,
            _=_,
        )

    if not vote.tickets:
        if cols[1].button(
            _("Generate the codes"), icon=":material/confirmation_number:", key="vote_generate"
        ):
            generate()
        return
    confirm.ask_button(
        _("Generate new codes…"),
        key=TICKETS_DIALOG,
        where=cols[1],
        icon=":material/autorenew:",
        disabled=vote.state == votes.OPEN,
    )
    confirm.confirm_dialog(
        TICKETS_DIALOG,
        title=_("Replace the ticket codes?"),
        lines=lambda: [
            _(
                "The **{old}** codes printed so far stop working and the **{used}** votes "
                "cast with them are deleted; **{new}** new codes replace them."
            ).format(old=vote.tickets, used=vote.tickets_used, new=int(count))
        ],
        confirm_label=_("Replace the codes"),
        action=generate,
        _=_,
    )
    with state.db_session(read_only=True) as session:
        codes = votes.ticket_codes(session=session, key=key, round_id=round_.id)
    base = state.base_url()
    badges = [
        (number, votes.format_code(code), votes.vote_link(base, vote.token, code))
        for number, code in codes
    ]
    st.caption(
        _("{used} of {total} codes used.").format(used=vote.tickets_used, total=vote.tickets)
    )
    cols = st.columns(2)
    cols[0].download_button(
        _("Badges to print (QR codes)"),
        data=vote_badges_sheet(
            f"{contest.name} · {round_.name}",
            badges,
            hint=_("Scan the code with your phone's camera, or type the code on the vote page."),
        ),
        file_name="vote-badges.html",
        mime="text/html",
        icon=":material/print:",
        key="vote_badges",
        on_click="ignore",
    )
    cols[1].download_button(
        _("Codes as CSV (ticketing tool)"),
        data=vote_tickets_csv(
            [_("Number"), _("Code"), _("Vote link")],
            badges,
            separator=csv_dialect(contest.language).separator,
        ),
        file_name="vote-codes.csv",
        mime="text/csv",
        icon=":material/download:",
        key="vote_codes_csv",
        on_click="ignore",
    )


def counts(round_id: int, _: Gettext) -> None:
    """The count so far (run as a fragment that refreshes itself while the page is open)."""
    vote = _status(round_id)
    words = {
        votes.NOT_OPEN: _("Not open yet"),
        votes.OPEN: _("Open"),
        votes.CLOSED: _("Closed"),
    }
    cols = st.columns(3)
    cols[0].metric(_("Vote"), words[vote.state])
    cols[1].metric(_("Voters"), vote.voters)
    if vote.mode == VoteMode.TICKETS:
        cols[2].metric(_("Codes used"), f"{vote.tickets_used} / {vote.tickets}")
    if vote.rows:
        st.dataframe(
            pd.DataFrame(
                {
                    _("Startup"): [r.startup_name for r in vote.rows],
                    _("Votes"): [r.votes for r in vote.rows],
                }
            ),
            hide_index=True,
            width="stretch",
        )
