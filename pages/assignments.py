"""Organiser: which judges score which pitches in each round."""

from collections import Counter
from functools import partial

import pandas as pd
import streamlit as st

from pitchjudge.assignment import connectivity, is_connected, weak_design
from pitchjudge.models import AssignmentMode
from pitchjudge.scoring.precision import WEAK_CONNECTIVITY
from pitchjudge.services import assignments, contests, impact, judges
from pitchjudge.ui import confirm, state
from pitchjudge.ui.unjudged import unjudged_warning
from pitchjudge.ui.widgets import (
    inert,
    round_picker,
    run_and_reload,
    show_notice,
    weak_design_warning,
)

NOTICE_KEY = "assignments_notice"
WARNINGS_KEY = "assignments_warnings"

_ = state.gettext()
lang = state.language()
ngettext = state.ngettext()
contest = state.organiser_page(_("Assignments"))

show_notice(NOTICE_KEY)
for warning in st.session_state.pop(WARNINGS_KEY, []):
    st.warning(inert(warning), icon=":material/warning:")

with state.db_session(read_only=True) as session:
    rounds = list(contests.list_rounds(session=session, contest_id=contest.id))
round_ = round_picker(rounds, _, key="assignments_round")
if round_ is None:
    st.stop()
unjudged_warning(round_, notice_key=NOTICE_KEY, _=_, ngettext=ngettext)

with state.db_session(read_only=True) as session:
    judge_rows = list(assignments.active_judges(session=session, contest_id=contest.id))
    pitches = list(assignments.round_pitches(session=session, round_=round_))
    pairs = assignments.assigned_pairs(session=session, round_id=round_.id)
    conflicts = judges.conflicted_pairs(session=session, contest_id=contest.id)
    with_work = assignments.pairs_with_work(session=session, round_id=round_.id)

MODES = {
    AssignmentMode.ALL: _("Every judge scores every pitch"),
    AssignmentMode.K_PER_PITCH: _("A few judges per pitch"),
}
LABELS = {"judges_per_pitch": _("Judges per pitch"), "assignment_mode": _("Assignment")}


run = partial(run_and_reload, notice_key=NOTICE_KEY, _=_, labels=LABELS)


with st.form("assignment_mode", enter_to_submit=False, border=True):
    cols = st.columns([3, 1, 2], vertical_alignment="bottom")
    mode = cols[0].radio(
        LABELS["assignment_mode"],
        options=list(MODES),
        format_func=MODES.get,
        index=list(MODES).index(AssignmentMode(round_.assignment_mode)),
        horizontal=True,
    )
    k = cols[1].number_input(
        LABELS["judges_per_pitch"], min_value=1, max_value=50, value=round_.judges_per_pitch or 3
    )
    plan = cols[2].form_submit_button(
        _("Plan the assignments"), type="primary", icon=":material/auto_awesome:"
    )
    st.caption(
        _(
            "The plan respects conflicts, balances the load and mixes the panels so every "
            "judge is linked to every other. Pairs already scored are always kept."
        )
    )


def plan_and_apply(session):
    contests.set_assignment_mode(
        session=session, round_id=round_.id, assignment_mode=mode, judges_per_pitch=int(k)
    )
    result = assignments.plan_round(session=session, round_id=round_.id)
    assignments.apply_plan(session=session, round_id=round_.id, plan=result)
    st.session_state[WARNINGS_KEY] = result.warnings
    return result


REPLAN_DIALOG = f"assignments_replan_{round_.id}"


def replan_lines() -> list[str]:
    """What planning again changes, in numbers (for the dialog that asks first)."""
    with state.db_session(read_only=True) as session:
        change = impact.replan_change(
            session=session,
            round_id=round_.id,
            assignment_mode=mode,
            judges_per_pitch=int(k),
        )
    lines = [
        ngettext(
            "**{count} judge–pitch pair is replaced by a new plan** of {planned}:",
            "**{count} judge–pitch pairs are replaced by a new plan** of {planned}:",
            change.current,
        ).format(count=change.current, planned=change.planned),
        ngettext("{count} pair added;", "{count} pairs added;", change.added).format(
            count=change.added
        )
        + " "
        + ngettext(
            "{count} pair removed (judges no longer see that pitch).",
            "{count} pairs removed (judges no longer see that pitch).",
            change.removed,
        ).format(count=change.removed),
    ]
    lines.append(
        ngettext(
            "{count} pair already holds marks: it is kept, with its marks.",
            "{count} pairs already hold marks: they are kept, with their marks.",
            change.kept_with_work,
        ).format(count=change.kept_with_work)
    )
    return lines


if plan:
    if pairs:  # a plan replaces the current one: ask first, with the numbers
        confirm.open_dialog(REPLAN_DIALOG)
    else:
        run(plan_and_apply, _("The assignments are planned."))
confirm.confirm_dialog(
    REPLAN_DIALOG,
    title=_("Plan the assignments again?"),
    lines=replan_lines,
    confirm_label=_("Replace the assignments"),
    action=partial(run, plan_and_apply, _("The assignments are planned.")),
    _=_,
)

if not judge_rows or not pitches:
    st.info(
        _(
            "This round needs active judges and applications before assignments can be "
            "planned (later rounds take the shortlisted applications)."
        )
    )
    st.stop()

load = Counter(j for j, _p in pairs)
coverage = Counter(p for _j, p in pairs)
# Every pitch of the round counts, those with no judge too (they make the minimum 0).
per_pitch = [coverage.get(p.id, 0) for p in pitches]
metrics = st.columns(3)
metrics[0].metric(_("Assigned pairs"), len(pairs))
metrics[1].metric(
    _("Load per judge"), f"{min(load.values(), default=0)}–{max(load.values(), default=0)}"
)
metrics[2].metric(
    _("Judges per pitch"),
    f"{min(per_pitch, default=0)}–{max(per_pitch, default=0)}",
)
if pairs and not is_connected(pairs):
    st.warning(
        _(
            "Some judges share no pitch, even indirectly: the calibrated results cannot "
            "correct their leniency. Plan again or add assignments."
        )
    )
elif pairs and weak_design(pairs):
    weak_design_warning(connectivity(pairs), WEAK_CONNECTIVITY, _, language=lang)


def cell(judge_id: int, pitch_id: int) -> str:
    if (judge_id, pitch_id) in conflicts:
        return "⛔"
    if (judge_id, pitch_id) in with_work:
        return "✔︎"
    return "●" if (judge_id, pitch_id) in pairs else ""


matrix = pd.DataFrame(
    {j.name: [cell(j.id, p.id) for p in pitches] for j in judge_rows},
    index=[p.startup_name for p in pitches],
)
matrix.insert(0, _("Judges"), [str(coverage.get(p.id, 0)) for p in pitches])
# The last line gives each judge's load, the first column each pitch's number of judges.
matrix.loc[_("Pitches per judge")] = ["", *[str(load.get(j.id, 0)) for j in judge_rows]]
st.caption(_("● assigned · ✔︎ assigned and started · ⛔ conflict of interest"))
st.dataframe(matrix, width="stretch", height=min(38 * (len(pitches) + 1), 560))

st.subheader(_("Adjust by hand"))
cols = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
judge_names = {j.name: j.id for j in judge_rows}
pitch_names = {p.startup_name: p.id for p in pitches}
chosen_judge = cols[0].selectbox(_("Judge"), options=list(judge_names), key="assign_judge")
chosen_pitch = cols[1].selectbox(_("Application"), options=list(pitch_names), key="assign_pitch")
if cols[2].button(_("Assign"), key="assign_add"):
    run(
        lambda s: assignments.assign(
            session=s,
            round_id=round_.id,
            judge_id=judge_names[chosen_judge],
            pitch_id=pitch_names[chosen_pitch],
        ),
        _("The assignment is added."),
    )
if cols[3].button(_("Unassign"), key="assign_remove"):
    run(
        lambda s: assignments.unassign(
            session=s,
            round_id=round_.id,
            judge_id=judge_names[chosen_judge],
            pitch_id=pitch_names[chosen_pitch],
        ),
        _("The assignment is removed."),
    )
