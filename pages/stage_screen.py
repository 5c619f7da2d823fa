"""The stage screen: who is on stage and their clock, huge, through the display link."""

import streamlit as st

from pitchjudge.services import stage
from pitchjudge.ui import state
from pitchjudge.ui.timer import stage_timer
from pitchjudge.ui.widgets import inert

_ = state.gettext()
REFRESH = f"{state.get_settings().refresh_s}s"
contest = state.display_contest()

st.html(
    """<style>
    [data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 2rem; }
    [data-testid="stMainBlockContainer"] h1 { font-size: 4.5rem; }
    [data-testid="stMainBlockContainer"] h2 { font-size: 2.5rem; color: #495057; }
    </style>"""
)


@st.fragment(run_every=REFRESH)
def on_stage() -> None:
    """Who is on stage is re-read every refresh; the clock itself ticks in the browser."""
    if not state.display_link_live(contest.id, _):  # re-issued since this tab opened
        return
    with state.db_session(read_only=True) as session:
        now = stage.stage_now(session=session, contest_id=contest.id)
    if now is None:
        st.markdown(f"# {inert(contest.name)}")
        st.markdown("## " + _("The stage opens soon."))
        return
    if now.pitch_id is None:
        # The clock below says "Between pitches": the heading announces who comes next.
        st.markdown(
            "# "
            + (
                _("Next: {name}").format(name=inert(now.next_startup))
                if now.next_startup
                else _("Every startup has pitched.")
            )
        )
    else:
        st.markdown(f"# {inert(now.startup_name)}")
        if now.next_startup:
            st.caption(_("Next: {name}").format(name=inert(now.next_startup)))
    stage_timer(now, _, size="large", key="stage_screen_timer")


on_stage()
