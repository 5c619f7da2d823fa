"""The public results page: the confirmed palmarès, once the organiser has opened it."""

import streamlit as st

from pitchjudge.formatting import format_fixed
from pitchjudge.services import awards
from pitchjudge.ui import state
from pitchjudge.ui.widgets import inert

_ = state.gettext()
lang = state.language()

contest = state.current_contest()
st.title(_("Palmarès"))
rows = None
if contest is not None:
    with state.db_session(read_only=True) as session:
        rows = awards.public_palmares(session=session, contest_id=contest.id, language=lang)
if rows is None:
    st.info(_("The results are not published yet."), icon=":material/hourglass_top:")
    st.stop()
st.markdown(f"### {inert(contest.name)}")
for row in rows:
    with st.container(border=True):
        st.markdown(f"**{inert(row.prize_name)}**")
        details = [inert(row.sponsor)] if row.sponsor else []
        if row.amount:
            details.append(format_fixed(row.amount, language=lang))
        if details:
            st.caption(" · ".join(details))
        st.markdown("## " + (inert(row.winner_name) if row.winner_name else _("Not awarded")))
