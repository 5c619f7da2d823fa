"""The stage screen: who is on stage and their clock, huge, through the display link."""

import streamlit as st

from pitchjudge.services import stage
from pitchjudge.ui import push, state
from pitchjudge.ui import stage_screen as screen

_ = state.gettext()
ngettext = state.ngettext()
lang = state.language()
contest = state.display_contest()
FINGERPRINT_KEY = "stage_screen_fingerprint"


def fingerprint() -> tuple:
    with state.db_session(read_only=True) as session:
        return stage.fingerprint(session=session, contest_id=contest.id)


def watch() -> None:
    """Every refresh: one small read of the stage's fingerprint; the screen is redrawn only
    when it changed. The clock itself ticks in the browser. A display link re-issued since
    this tab opened stops it."""
    if not state.display_link_live(contest.id, _):
        st.rerun(scope="app")
    if fingerprint() != st.session_state.get(FINGERPRINT_KEY):
        st.rerun(scope="app")


screen.hide_chrome()
st.session_state[FINGERPRINT_KEY] = fingerprint()
with state.db_session(read_only=True) as session:
    now = stage.stage_now(session=session, contest_id=contest.id)
    slots = stage.running_order(session=session, round_id=now.round_id) if now else []
screen.draw(contest, now, slots, language=lang, _=_, ngettext=ngettext)
# Redrawn as soon as the stage changes; while events arrive, the polling is only a safety net.
every = push.fallback_interval(push.follow(contest.id, push.STAGE, key="stage"))
st.fragment(run_every=every)(watch)()
