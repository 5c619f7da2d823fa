"""The judge's page, opened by their personal link: my pitches, and one pitch's scorecard."""

import uuid

import streamlit as st

from pitchjudge.errors import AccessDenied, DatabaseOutage, PitchJudgeError
from pitchjudge.models import ScorecardStatus, utcnow
from pitchjudge.services import applications, contests, judges, rubric, scoring, stage
from pitchjudge.services.scoring import IncompleteScorecard
from pitchjudge.ui import confirm, push, state
from pitchjudge.ui.autosave import autosave_text_area
from pitchjudge.ui.autosave_marks import MarkRow, autosave_marks
from pitchjudge.ui.error_boundary import rerun_soon
from pitchjudge.ui.timer import stage_timer
from pitchjudge.ui.widgets import deck_viewer, inert

MAX_SEGMENTS = 11  # scales with more steps get a number box instead of buttons
STAGE_SEEN_KEY = "judge_stage_seen"

_ = state.gettext()
ngettext = state.ngettext()
pgettext = state.pgettext()
lang = state.language()
settings = state.get_settings()
STAGE_REFRESH = f"{settings.refresh_s}s"

token = st.query_params.get("judge", "")
try:
    with state.db_session(read_only=True) as session:
        judge = judges.judge_by_token(session=session, token=token)
        contest = contests.get_contest(session=session, contest_id=judge.contest_id)
        round_ = scoring.open_round(session=session, contest_id=contest.id)
        pitches = (
            scoring.judge_pitches(session=session, round_id=round_.id, judge_id=judge.id)
            if round_
            else []
        )
except AccessDenied as error:
    st.title(_("Judging"))
    state.show_error(error)
    st.stop()

with st.sidebar:
    st.markdown(f"**{inert(judge.name)}**  \n{inert(contest.name)}")

if round_ is None:
    st.title(_("Judging"))
    st.info(
        _(
            "No round is open for scoring right now. This page will be ready when the "
            "organisers open one; keep your link."
        ),
        icon=":material/schedule:",
    )
    st.stop()

done = sum(p.status == ScorecardStatus.SUBMITTED for p in pitches)
ids = [p.pitch_id for p in pitches]
names = {p.pitch_id: p.startup_name for p in pitches}


def go_to(pitch_id: int | None) -> None:
    """Show another pitch (kept in the URL, so a reload lands back on it)."""
    if pitch_id is None:
        st.query_params.pop("pitch", None)
    else:
        st.query_params["pitch"] = str(pitch_id)


next_pitch = next((p.pitch_id for p in pitches if p.status != ScorecardStatus.SUBMITTED), None)
requested = st.query_params.get("pitch")
current = int(requested) if requested and requested.isdigit() else None
with state.db_session(read_only=True) as session:
    on_stage_round = stage.stage_round(session=session, contest_id=contest.id)
    gated = current is not None and not stage.scoring_is_open(
        session=session, round_=round_, pitch_id=current
    )


@st.fragment(run_every=STAGE_REFRESH)
def now_pitching() -> None:
    """The live final: who is on stage, their clock, and a jump to their scorecard.

    When a new startup goes on stage the page opens its scorecard (once: the judge can go
    back to another); when the Q&A of the scorecard on screen ends, scoring opens. The push
    channel reruns it as soon as the stage changes.
    """
    push.follow(contest.id, push.STAGE, key="judge_stage")
    with state.db_session(read_only=True) as session:
        now = stage.stage_now(session=session, contest_id=contest.id)
        open_now = current is not None and stage.scoring_is_open(
            session=session, round_=round_, pitch_id=current
        )
    if now is None or now.round_id != round_.id:
        return
    seen = st.session_state.get(STAGE_SEEN_KEY, "unset")
    st.session_state[STAGE_SEEN_KEY] = now.pitch_id
    jump = (
        now.pitch_id is not None
        and now.pitch_id in names
        and now.pitch_id != current
        # On the first load, a scorecard chosen in the address (a reload) wins.
        and (seen != "unset" or current is None)
        and seen != now.pitch_id
    )
    if jump:
        go_to(now.pitch_id)
        st.rerun(scope="app")
    if gated and open_now:
        st.rerun(scope="app")
    if not now.started:
        # A running order prepared for a round judged at home puts no bar on judges'
        # pages: only a stage that has begun does.
        return
    with st.container(border=True):
        cols = st.columns([3, 3, 2], vertical_alignment="center")
        if now.pitch_id is None:
            cols[0].markdown(
                "**"
                + _("Between pitches")
                + "**"
                + (
                    "  \n" + _("Next: {name}").format(name=inert(now.next_startup))
                    if now.next_startup
                    else ""
                )
            )
        else:
            cols[0].markdown(
                _("Now pitching: **{name}**").format(name=inert(now.startup_name or ""))
            )
        with cols[1]:
            stage_timer(now, _, size="small", key="judge_stage_timer")
        if now.pitch_id in names and now.pitch_id != current:
            cols[2].button(
                _("Score this pitch"),
                key="judge_stage_go",
                on_click=go_to,
                args=(now.pitch_id,),
                icon=":material/arrow_forward:",
                width="stretch",
            )


if on_stage_round is not None and on_stage_round.id == round_.id:
    now_pitching()

if current is None:
    st.title(_("My pitches — {round}").format(round=inert(round_.name)))
    st.markdown(_("Hello {name}, thank you for judging.").format(name=inert(judge.name)))
    if not pitches:
        st.info(_("No pitch is assigned to you in this round yet."))
        st.stop()
    st.progress(
        done / len(pitches),
        text=_("{done} of {total} scorecards submitted").format(done=done, total=len(pitches)),
    )
    if next_pitch is not None:
        st.button(
            _("Score the next pitch"),
            type="primary",
            icon=":material/arrow_forward:",
            on_click=go_to,
            args=(next_pitch,),
            key="judge_next",
        )
    else:
        st.success(
            _("All your scorecards are submitted. Thank you!"), icon=":material/celebration:"
        )
    labels = {
        scoring.NOT_STARTED: (pgettext("scorecard", "Not started"), "gray"),
        ScorecardStatus.DRAFT: (pgettext("scorecard", "Draft"), "orange"),
        ScorecardStatus.SUBMITTED: (pgettext("scorecard", "Submitted"), "green"),
    }
    for item in pitches:
        with st.container(border=True):
            cols = st.columns([5, 2, 2], vertical_alignment="center")
            cols[0].markdown(f"**{inert(item.startup_name)}**  \n{inert(item.one_liner)}")
            with cols[1]:
                text, colour = labels[item.status]
                st.badge(text, color=colour)
                st.caption(
                    _("{marks} of {criteria} marks").format(
                        marks=item.marks, criteria=item.criteria
                    )
                )
            cols[2].button(
                _("Score"),
                key=f"judge_open_{item.pitch_id}",
                on_click=go_to,
                args=(item.pitch_id,),
                width="stretch",
            )
    st.stop()

try:
    with state.db_session(read_only=True) as session:
        view = scoring.scorecard_view(
            session=session, round_id=round_.id, judge_id=judge.id, pitch_id=current
        )
        deck = applications.current_deck(session=session, pitch_id=current)
except PitchJudgeError as error:
    state.show_error(error)
    st.button(_("Back to my pitches"), on_click=go_to, args=(None,), key="judge_back_error")
    st.stop()

# What this page last loaded or saved of each field: the server refuses a write when another
# tab of this judge changed the field meanwhile (and this tab then says so).
BASES_KEY = "judge_bases"
if st.session_state.get(BASES_KEY, {}).get("pitch") != (round_.id, current):
    st.session_state[BASES_KEY] = {
        "pitch": (round_.id, current),
        "comment": view.comment,
        "private_note": view.private_note,
        **{f"mark:{cid}": value for cid, value in view.marks.items()},
    }
bases = st.session_state[BASES_KEY]

position = ids.index(current) if current in ids else 0
nav = st.columns([2, 1, 1, 3], vertical_alignment="center")
nav[0].button(
    _("My pitches"), icon=":material/arrow_back:", on_click=go_to, args=(None,), key="judge_back"
)
nav[1].button(
    _("Previous"),
    key="judge_prev",
    disabled=position == 0,
    on_click=go_to,
    args=(ids[position - 1] if position else None,),
)
nav[2].button(
    _("Next"),
    key="judge_next_pitch",
    disabled=position >= len(ids) - 1,
    on_click=go_to,
    args=(ids[position + 1] if position < len(ids) - 1 else None,),
)
nav[3].caption(
    _("Pitch {n} of {total} · {done} submitted").format(n=position + 1, total=len(ids), done=done)
)

st.header(inert(view.pitch.startup_name))
st.markdown(f"*{inert(view.pitch.one_liner)}*")

deck_column, card_column = st.columns([3, 2], gap="medium")
with deck_column:
    if deck is None:
        st.warning(_("No deck attached."))
    else:
        deck_viewer(sha256=deck.sha256, key=f"judge_deck_{current}", _=_)
    with st.expander(_("About this startup")):
        st.markdown(inert(view.pitch.description))


def mark_key(criterion_id: int) -> str:
    return f"mark_{round_.id}_{current}_{criterion_id}"


def save_mark(criterion_id: int) -> None:
    """Save a mark the moment it is chosen."""
    key = mark_key(criterion_id)
    value = st.session_state.get(key)
    try:
        with state.db_session() as session:
            scoring.save_mark(
                session=session,
                round_id=round_.id,
                judge_id=judge.id,
                pitch_id=current,
                criterion_id=criterion_id,
                value=value,
                token=token,
                base=bases.get(f"mark:{criterion_id}"),
            )
            bases[f"mark:{criterion_id}"] = scoring.stored_mark(
                session=session,
                round_id=round_.id,
                judge_id=judge.id,
                pitch_id=current,
                criterion_id=criterion_id,
            )
    except DatabaseOutage as error:
        # The database is away: the number stays in the box, and the fragment saves it
        # again every few seconds until it is back (see `criterion_control`).
        st.session_state[f"error_{key}"] = error.localized(_)
        st.session_state[f"retry_{key}"] = True
    except PitchJudgeError as error:
        st.session_state[f"error_{key}"] = error.localized(_)
        st.session_state.pop(f"retry_{key}", None)
        # Show what is really stored, not a value the server refused.
        st.session_state[key] = st.session_state.get(f"known_{key}")
    else:
        st.session_state[f"known_{key}"] = value
        st.session_state[f"saved_{key}"] = utcnow()
        st.session_state.pop(f"error_{key}", None)
        st.session_state.pop(f"retry_{key}", None)


def store_mark(criterion_id: int, value: float | None) -> None:
    """Persist one mark from the rubric component (it shows refusals itself)."""
    with state.db_session() as session:
        mark = scoring.save_mark(
            session=session,
            round_id=round_.id,
            judge_id=judge.id,
            pitch_id=current,
            criterion_id=criterion_id,
            value=value,
            token=token,
            base=bases.get(f"mark:{criterion_id}"),
        )
        bases[f"mark:{criterion_id}"] = mark.value if mark is not None else None


@st.fragment
def criterion_control(criterion, share: float, submitted: bool) -> None:
    """A criterion whose scale is too long for buttons: a number box that saves on change
    and reruns only this small fragment."""
    key = mark_key(criterion.id)
    if st.session_state.get(f"retry_{key}") and not submitted:
        save_mark(criterion.id)  # typed while the database was away: try again
    with state.db_session(read_only=True) as session:
        stored = scoring.stored_mark(
            session=session,
            round_id=round_.id,
            judge_id=judge.id,
            pitch_id=current,
            criterion_id=criterion.id,
        )
    # Another tab (or device) wrote since this one last looked: show the stored value.
    if st.session_state.get(f"known_{key}", "unset") != stored:
        st.session_state[key] = stored
        st.session_state[f"known_{key}"] = stored
        bases[f"mark:{criterion.id}"] = stored  # this tab now shows the stored value
    help_text = "  \n".join(inert(line) for line in rubric.help_lines(criterion))
    st.markdown(f"**{inert(criterion.name)}** · {share:.0f} %", help=help_text or None)
    st.number_input(
        f"{criterion.name} · {share:.0f} %",  # the accessible name; the Markdown above shows
        min_value=criterion.scale_min,
        max_value=criterion.scale_max,
        step=criterion.scale_step,
        value=None,
        key=key,
        on_change=save_mark,
        args=(criterion.id,),
        disabled=submitted,
        label_visibility="collapsed",
    )
    if levels := rubric.level_lines(criterion):
        st.caption(" · ".join(inert(line) for line in levels))
    if st.session_state.get(f"retry_{key}"):
        st.warning(st.session_state[f"error_{key}"], icon=":material/cloud_sync:")
        rerun_soon(f"judge_retry_{key}")
    elif st.session_state.get(f"error_{key}"):
        st.error(st.session_state[f"error_{key}"], icon=":material/error:")


def save_text(field: str):
    def save(text: str) -> None:
        with state.db_session() as session:
            card = scoring.save_text(
                session=session,
                round_id=round_.id,
                judge_id=judge.id,
                pitch_id=current,
                field=field,
                value=text,
                token=token,
                base=bases.get(field),
            )
            bases[field] = getattr(card, field)

    return save


ids_args = dict(round_id=round_.id, judge_id=judge.id, pitch_id=current, token=token)
missing_key = f"judge_missing_{round_.id}_{current}"
submitted_key = "judge_just_submitted"


def submit() -> None:
    """Submit (a button callback: the rubric drawn after it knows what is missing)."""
    st.session_state.pop(missing_key, None)
    try:
        with state.db_session() as session:
            scoring.submit_scorecard(session=session, **ids_args)
    except IncompleteScorecard as error:
        st.session_state[missing_key] = {
            "ids": list(error.criterion_ids),
            "attempt": uuid.uuid4().hex,
            "message": error.localized(_),
        }
    except PitchJudgeError as error:
        st.session_state[missing_key] = {"message": error.localized(_)}
    else:
        st.session_state[submitted_key] = True


@st.fragment
def scorecard() -> None:
    """The rubric: every change is saved at once; only this panel reruns."""
    try:
        with state.db_session(read_only=True) as session:
            judges.check_judge_link(judges.get_judge(session=session, judge_id=judge.id), token)
    except AccessDenied as error:  # revoked or re-issued since this tab opened
        st.error(error.localized(_), icon=":material/link_off:")
        return
    with state.db_session(read_only=True) as session:
        fresh = scoring.scorecard_view(
            session=session, round_id=round_.id, judge_id=judge.id, pitch_id=current
        )
    submitted = fresh.status == ScorecardStatus.SUBMITTED
    shares = rubric.weight_percentages(fresh.criteria)
    saving = {
        "saved_label": _("Saved"),
        "saving_label": _("Saving…"),
        "error_label": _("Not saved"),
        "retrying_label": _("Connection lost — retrying…"),
        "describe_error": lambda e: e.localized(_) if isinstance(e, PitchJudgeError) else "",
    }
    # Scales of a few steps are buttons in one component that keeps each click in the browser
    # until the server has it (a reload right after quick clicks loses nothing); long scales
    # get a number box each.
    rows, long_scales = [], []
    for criterion, share in zip(fresh.criteria, shares, strict=True):
        values = rubric.scale_values(criterion)
        if len(values) > MAX_SEGMENTS:
            long_scales.append((criterion, share))
            continue
        rows.append(
            MarkRow(
                criterion_id=criterion.id,
                label=f"{criterion.name} · {share:.0f} %",
                help="\n".join(rubric.help_lines(criterion)),
                options=tuple(values),
                value=fresh.marks.get(criterion.id),
                levels=" · ".join(rubric.level_lines(criterion)),
            )
        )
    if gated:
        st.info(
            _("Scoring opens when the Q&A ends. You can take notes now."),
            icon=":material/hourglass_top:",
        )
    refused = st.session_state.get(missing_key) or {}
    if rows:
        autosave_marks(
            key=f"marks_{round_.id}_{current}",
            rows=rows,
            storage_key=f"pj:{judge.id}:{round_.id}:{current}:marks",
            on_save=store_mark,
            disabled=submitted or gated,
            help_label=_("Help"),
            missing=refused.get("ids", ()),
            missing_attempt=refused.get("attempt"),
            missing_label=_("No mark yet"),
            language=lang,
            **saving,
        )
    for criterion, share in long_scales:
        criterion_control(criterion, share, submitted or gated)

    autosave_text_area(
        _("Comment for the applicant"),
        key=f"comment_{round_.id}_{current}",
        value=fresh.comment,
        storage_key=f"pj:{judge.id}:{round_.id}:{current}:comment",
        on_save=save_text("comment"),
        height=110,
        placeholder=_("What is strong, what to improve — the applicant will read it."),
        disabled=submitted,
        **saving,
    )
    autosave_text_area(
        _("Private note for the jury"),
        key=f"note_{round_.id}_{current}",
        value=fresh.private_note,
        storage_key=f"pj:{judge.id}:{round_.id}:{current}:note",
        on_save=save_text("private_note"),
        height=80,
        placeholder=_("Only the jury and the organisers see this."),
        disabled=submitted,
        **saving,
    )

    if st.session_state.pop(submitted_key, False):
        st.rerun(scope="app")  # the list, the counts and the next pitch change too
    if submitted:
        st.success(
            _("Submitted. You can reopen it while the round is open."), icon=":material/task_alt:"
        )
        cols = st.columns(2)
        if next_pitch is not None:
            cols[0].button(
                _("Next pitch: {name}").format(name=names[next_pitch]),
                key="judge_submitted_next",
                type="primary",
                icon=":material/arrow_forward:",
                on_click=go_to,
                args=(next_pitch,),
            )
        else:
            cols[0].button(
                _("All done: back to my pitches"),
                key="judge_submitted_back",
                type="primary",
                icon=":material/celebration:",
                on_click=go_to,
                args=(None,),
            )
        if cols[1].button(_("Reopen the scorecard"), key="judge_reopen"):
            try:
                with state.db_session() as session:
                    scoring.reopen_scorecard(session=session, **ids_args)
            except PitchJudgeError as error:
                state.show_error(error)
            else:
                st.rerun(scope="app")
    else:
        st.button(
            _("Submit the scorecard"),
            type="primary",
            key="judge_submit",
            icon=":material/send:",
            disabled=gated,
            on_click=submit,
        )
        # Right by the button, in this fragment: what stopped the submit.
        if refused.get("message"):
            st.error(refused["message"], icon=":material/error:")


with card_column:
    scorecard()
    with st.expander(_("I have a conflict of interest"), icon=":material/block:"):
        st.caption(_("You will no longer see or score this pitch; the organisers are told."))
        reason = st.text_input(_("Reason"), key=f"judge_conflict_reason_{current}", max_chars=500)
        confirm.ask_button(_("Declare the conflict"), key="judge_declare")


def declare() -> None:
    try:
        with state.db_session() as session:
            scoring.declare_conflict(
                session=session,
                round_id=round_.id,
                judge_id=judge.id,
                pitch_id=current,
                reason=st.session_state.get(f"judge_conflict_reason_{current}", ""),
                token=token,
            )
    except PitchJudgeError as error:
        state.show_error(error)
    else:
        go_to(None)
        st.rerun()


def conflict_lines() -> list[str]:
    given = next((p.marks for p in pitches if p.pitch_id == current), 0)
    lines = [
        _("You declare a conflict of interest with **{name}**.").format(
            name=inert(view.pitch.startup_name)
        ),
        _("You will no longer see or score this pitch, and the organisers are told."),
    ]
    if given:
        lines.append(
            ngettext(
                "The {count} mark you gave it will no longer count.",
                "The {count} marks you gave it will no longer count.",
                given,
            ).format(count=given)
        )
    lines.append(_("Only an organiser can undo this."))
    return lines


confirm.confirm_dialog(
    "judge_declare",
    title=_("Declare a conflict of interest?"),
    lines=conflict_lines,
    confirm_label=_("Declare the conflict"),
    action=declare,
    _=_,
)
