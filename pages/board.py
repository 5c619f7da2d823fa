"""The projected leaderboard, opened on the projector's laptop through the display link."""

import pandas as pd
import streamlit as st

from pitchjudge.charts import leaderboard_figure
from pitchjudge.formatting import localized_style
from pitchjudge.models import BoardState
from pitchjudge.ui import push, state
from pitchjudge.ui.widgets import inert

_ = state.gettext()
ngettext = state.ngettext()
lang = state.language()
REFRESH = f"{state.get_settings().refresh_s}s"
contest = state.display_contest()

# Large, high-contrast type readable from the back of a room (no user text in this block).
st.html(
    """<style>
    [data-testid="stMainBlockContainer"] { max-width: 100%; padding-top: 3rem; }
    .pj-board h1 { font-size: 3.2rem; margin: 0; }
    .pj-board .pj-sub { font-size: 1.6rem; color: #495057; }
    </style>"""
)


FINGERPRINT_KEY = "board_fingerprint"


@st.fragment(run_every=REFRESH)
def watch() -> None:
    """Every refresh: one small read of the board's fingerprint (see
    `pitchjudge.services.board.fingerprint`); the page is redrawn only when it changed.
    A display link re-issued since this tab opened redraws it too: the page then stops
    with the message."""
    if not state.display_link_live(contest.id, _):
        st.rerun(scope="app")
    if state.board_fingerprint(contest.id) != st.session_state.get(FINGERPRINT_KEY):
        st.rerun(scope="app")


def live_board() -> None:
    fingerprint = state.board_fingerprint(contest.id)
    st.session_state[FINGERPRINT_KEY] = fingerprint
    view = state.board_view(contest.id, fingerprint)
    st.markdown(f"# {inert(view.contest_name)}")
    if view.state == BoardState.HIDDEN or view.round_name is None:
        st.markdown("## " + _("Results coming soon…"))
        return
    status = {
        BoardState.LIVE: _("Live"),
        BoardState.FROZEN: _("Frozen"),
        BoardState.REVEAL: _("And the winners are…"),
    }[BoardState(view.state)]
    st.markdown(
        f"### {inert(view.round_name)} · {status} · "
        + _("{done} of {total} scorecards in").format(
            done=view.scorecards_submitted, total=view.scorecards_expected
        )
    )
    if view.formula:
        st.markdown("#### " + _("Total: {formula}").format(formula=inert(view.formula)))
    if view.problem:
        st.info(_("Results will appear as soon as judges have scored."))
        return
    if view.hidden_places:
        st.markdown(
            "## "
            + ngettext(
                "{count} place still to reveal",
                "{count} places still to reveal",
                view.hidden_places,
            ).format(count=view.hidden_places)
        )
    if view.rows:
        st.plotly_chart(
            leaderboard_figure(view.rows, x_max=view.x_max, language=lang),
            width="stretch",
            theme=None,
            config={"displayModeBar": False, "staticPlot": True},
        )
        if st.toggle(_("Criteria"), key="board_criteria"):
            st.dataframe(
                localized_style(
                    pd.DataFrame(
                        [
                            {"#": row.rank, _("Startup"): row.startup_name, **row.criteria}
                            for row in view.rows
                        ]
                    ),
                    language=lang,
                ),
                hide_index=True,
                width="stretch",
            )
        ties = [row for row in view.rows if row.statistical_tie]
        if ties:
            st.caption(
                _("Orange bars: too close to call at the winner's, podium or promotion line.")
            )
    elif not view.hidden_places:
        st.markdown("## " + _("No marks yet."))


live_board()
push.follow(contest.id, push.BOARD, key="board")  # redrawn as soon as the board changes
watch()
