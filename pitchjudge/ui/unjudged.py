"""The warning "N applications have no judge", with the one click that plans them."""

from __future__ import annotations

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.i18n import Gettext
from pitchjudge.models import RoundStatus
from pitchjudge.services import assignments
from pitchjudge.ui import state
from pitchjudge.ui.widgets import inert


def unjudged_warning(round_, *, notice_key: str, _: Gettext, ngettext) -> int:
    """Warn when some of the round's applications have no judge (late applications, say),
    with a button that gives them judges and keeps every existing assignment; returns how
    many have none."""
    with state.db_session(read_only=True) as session:
        missing = assignments.unjudged_pitches(session=session, round_id=round_.id)
    if not missing:
        return 0
    editable = round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN)
    with st.container(border=True):
        st.warning(
            "**"
            + ngettext(
                "{count} application has no judge",
                "{count} applications have no judge",
                len(missing),
            ).format(count=len(missing))
            + "**: "
            + ", ".join(inert(p.startup_name) for p in missing)
            + ". "
            + _("Nobody will score them until they are assigned."),
            icon=":material/person_off:",
        )
        if editable and st.button(
            ngettext(
                "Give judges to this application",
                "Give judges to these {count} applications",
                len(missing),
            ).format(count=len(missing)),
            key=f"plan_unjudged_{round_.id}",
            type="primary",
            icon=":material/auto_awesome:",
            help=_("Every existing assignment stays as it is."),
        ):
            try:
                with state.db_session() as session:
                    added = assignments.plan_unjudged(session=session, round_id=round_.id)
            except PitchJudgeError as error:
                st.error(error.localized(_), icon=":material/error:")
            else:
                st.session_state[notice_key] = ngettext(
                    "{count} assignment added; the others are unchanged.",
                    "{count} assignments added; the others are unchanged.",
                    added,
                ).format(count=added)
                st.rerun()
    return len(missing)
