"""The projected leaderboard, opened on the projector's laptop through the display link."""

import streamlit as st

from pitchjudge.ui import palmares_screen, push, room_board, state, vote_screen

_ = state.gettext()
ngettext = state.ngettext()
lang = state.language()
contest = state.display_contest()
voting = vote_screen.projected(contest.id)
if voting:  # the organiser put the audience vote on the projector (Stage page)
    vote_screen.show(contest.id, voting, _)
    st.stop()

FINGERPRINT_KEY = "board_fingerprint"


def watch() -> None:
    """Every refresh: one small read of the board's fingerprint (see
    `pitchjudge.services.board.fingerprint`); the page is redrawn only when it changed.
    A display link re-issued since this tab opened redraws it too: the page then stops
    with the message. While the database is away the board stays, marked "Reconnecting…"."""
    with room_board.reconnecting(_):
        if not state.display_link_live(contest.id, _):
            st.rerun(scope="app")
        if state.board_fingerprint(contest.id) != st.session_state.get(FINGERPRINT_KEY):
            st.rerun(scope="app")
        if vote_screen.projected(contest.id):
            st.rerun(scope="app")


def room_screen() -> None:
    """View dispatch: which room view the board's state asks for (`room_board.VIEWS`)."""
    fingerprint = state.board_fingerprint(contest.id)
    st.session_state[FINGERPRINT_KEY] = fingerprint
    view = state.board_view(contest.id, fingerprint)
    room_board.VIEWS[room_board.view_kind(view)](view, _=_, ngettext=ngettext, lang=lang)


if palmares_screen.show(contest.id, _):  # the palmarès replaces the board while it runs
    st.stop()
room_screen()
# Redrawn as soon as the board changes; while events arrive, the polling below is only a
# safety net (every 30 s), else it follows the refresh setting.
every = push.fallback_interval(push.follow(contest.id, push.BOARD, key="board"))
st.fragment(run_every=every)(watch)()
palmares_screen.watch(contest.id, _, every=every)
