"""The applicant's own page, opened by the private link: view, edit, replace the deck, withdraw."""

import pandas as pd
import streamlit as st

from pitchjudge.errors import AccessDenied, PitchJudgeError
from pitchjudge.formatting import format_datetime, format_size, localized_style, time_left
from pitchjudge.models import PitchStatus
from pitchjudge.services import applications, contests, feedback
from pitchjudge.ui import mail_widgets, state
from pitchjudge.ui.upload_guard import release_uploads
from pitchjudge.ui.widgets import (
    deck_pages,
    deck_viewer,
    inert,
    labelled_lines,
    show_form_errors,
    show_notice,
    status_badge,
)

TOKEN_INPUT_KEY = "mine_token_input"
NOTICE_KEY = "mine_notice"
CONFIRM_WITHDRAW_KEY = "mine_confirm_withdraw"

_ = state.gettext()
lang = state.language()
settings = state.get_settings()

st.title(_("My application"))

token = st.query_params.get("token", "")
if not token:
    st.info(
        _(
            "Open this page with the private link you received when you applied. "
            "You can also paste the link here."
        ),
        icon=":material/key:",
    )
    pasted = st.text_input(_("Private link"), key=TOKEN_INPUT_KEY)
    if pasted:
        st.query_params["token"] = pasted.strip().rsplit("token=", 1)[-1].split("&")[0]
        st.rerun()
    current = state.current_contest()
    if current is not None:
        mail_widgets.link_again_form(current.id, _)
    st.stop()

try:
    with state.db_session(read_only=True) as session:
        pitch = applications.application_by_token(session=session, token=token)
        contest = contests.get_contest(session=session, contest_id=pitch.contest_id)
        categories = list(contests.list_categories(session=session, contest_id=contest.id))
        deck = applications.current_deck(session=session, pitch_id=pitch.id)
except AccessDenied as error:
    state.show_error(error)
    st.stop()

show_notice(NOTICE_KEY)

category_names = {c.id: c.name for c in categories}
window = contests.applications_status(contest)
editable = window == "open" and pitch.status != PitchStatus.WITHDRAWN

head, badge = st.columns([4, 1], vertical_alignment="center")
head.subheader(inert(pitch.startup_name))
with badge:
    status_badge(pitch.status, _)
st.markdown(f"*{inert(pitch.one_liner)}*")

if pitch.status == PitchStatus.WITHDRAWN:
    st.warning(_("You withdrew this application. It will not be judged."), icon=":material/undo:")
elif window == "closed":
    st.info(
        _("The deadline has passed: your application can no longer be changed."),
        icon=":material/lock:",
    )
elif contest.applications_close_at:
    st.info(
        _("You can change your application until {date} ({left}).").format(
            date=format_datetime(
                contest.applications_close_at, timezone=contest.timezone, language=lang
            ),
            left=time_left(contest.applications_close_at, language=lang),
        ),
        icon=":material/schedule:",
    )

LABELS = {
    "startup_name": _("Startup name"),
    "one_liner": _("One-liner"),
    "category_id": _("Category"),
    "website": _("Website"),
    "founders": _("Founders"),
    "contact_email": _("Contact email"),
    "description": _("Description"),
    "deck": _("Pitch deck (PDF)"),
}

details, deck_column = st.columns([1, 1], gap="large")
with details:
    labelled_lines(
        [
            (LABELS["category_id"], inert(category_names.get(pitch.category_id, "—"))),
            (LABELS["website"], inert(pitch.website or "—")),
            (LABELS["founders"], inert(pitch.founders)),
            (LABELS["contact_email"], inert(pitch.contact_email)),
            (
                _("Submitted on"),
                format_datetime(pitch.created_at, timezone=contest.timezone, language=lang),
            ),
            (
                _("Last change"),
                format_datetime(pitch.updated_at, timezone=contest.timezone, language=lang),
            ),
        ]
    )
    st.markdown(f"**{LABELS['description']}**")
    st.markdown(inert(pitch.description))

with deck_column:
    if deck is None:
        st.warning(_("No deck attached."))
    else:
        st.caption(
            _("Deck: {pages} pages, {size}").format(
                pages=deck.page_count, size=format_size(deck.size_bytes)
            )
        )
        deck_viewer(sha256=deck.sha256, key="mine_deck", _=_)

with state.db_session(read_only=True) as session:
    released = feedback.released_feedback(session=session, pitch_id=pitch.id, contest_id=contest.id)
if released:
    st.divider()
    st.header(_("Feedback from the jury"))
    for item in released:
        st.subheader(inert(item.round_name))
        if item.rank_band:
            st.markdown(
                _("Your place: {band} of {count} startups").format(
                    band=f"**{_(item.rank_band)}**", count=item.ranked
                )
            )
        st.dataframe(
            localized_style(
                pd.DataFrame(
                    {
                        _("Criterion"): [c.name for c in item.criteria],
                        _("Your average"): [c.own for c in item.criteria],
                        _("Average of all"): [c.field for c in item.criteria],
                    }
                ).astype({_("Your average"): float, _("Average of all"): float}),
                language=lang,
            ),
            hide_index=True,
            width="stretch",
        )
        for comment in item.comments:
            st.markdown("> " + inert(comment))
    st.download_button(
        _("Download my feedback (PDF)"),
        data=lambda: feedback.feedback_pdf(  # built only on click
            contest_name=contest.name,
            startup_name=pitch.startup_name,
            rounds=released,
            gettext=_,
            language=lang,
        ),
        file_name="feedback.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key="mine_feedback_pdf",
    )

if not editable:
    st.stop()

st.divider()
edit_tab, deck_tab, withdraw_tab = st.tabs(
    [_("Edit my application"), _("Replace the deck"), _("Withdraw")]
)

with edit_tab, st.form("mine_edit", enter_to_submit=False):
    left, right = st.columns(2)
    startup_name = left.text_input(
        LABELS["startup_name"],
        value=pitch.startup_name,
        max_chars=120,
        key="mine_edit_startup_name",
    )
    one_liner = right.text_input(
        LABELS["one_liner"], value=pitch.one_liner, max_chars=200, key="mine_edit_one_liner"
    )
    names = [c.name for c in categories]
    current = category_names.get(pitch.category_id)
    category_name = left.selectbox(
        LABELS["category_id"],
        options=names,
        index=names.index(current) if current in names else None,
        disabled=not categories,
    )
    website = right.text_input(
        LABELS["website"], value=pitch.website, max_chars=300, key="mine_edit_website"
    )
    founders = left.text_input(
        LABELS["founders"], value=pitch.founders, max_chars=500, key="mine_edit_founders"
    )
    email = right.text_input(
        LABELS["contact_email"], value=pitch.contact_email, max_chars=254, key="mine_edit_email"
    )
    description = st.text_area(
        LABELS["description"], value=pitch.description, max_chars=5000, height=160
    )
    if st.form_submit_button(_("Save my changes"), type="primary"):
        data = applications.ApplicationInput(
            startup_name=startup_name,
            one_liner=one_liner,
            category_id={c.name: c.id for c in categories}.get(category_name),
            website=website,
            founders=founders,
            contact_email=email,
            description=description,
        )
        try:
            with state.db_session() as session:
                applications.update_application(session=session, token=token, data=data)
        except AccessDenied as error:
            state.show_error(error)
        except PitchJudgeError as error:
            show_form_errors(error, _, LABELS)
        else:
            st.session_state[NOTICE_KEY] = _("Your changes are saved.")
            st.rerun()

with deck_tab:
    new_deck = st.file_uploader(
        _("New deck (PDF)"),
        type=["pdf"],
        key="mine_new_deck",
        max_upload_size=settings.max_deck_mb,
        help=_("A PDF of at most {mb} MB and {pages} pages.").format(
            mb=settings.max_deck_mb, pages=settings.max_deck_pages
        ),
    )
    if st.button(
        _("Replace my deck"), type="primary", key="mine_replace", disabled=new_deck is None
    ):
        try:
            with st.spinner(_("Checking your deck…")):
                applications.replace_deck(
                    engine=state.get_engine(),
                    token=token,
                    deck=new_deck.getvalue() if new_deck else None,
                    filename=new_deck.name if new_deck else "",
                    store=state.deck_store(),
                    limits=settings.deck_limits,
                )
        except PitchJudgeError as error:
            release_uploads()  # refused: free the upload's memory
            state.show_error(error)
        else:
            release_uploads()  # stored: free the upload's memory
            st.session_state[NOTICE_KEY] = _("Your new deck is in place.")
            st.rerun()
    if deck is not None and deck_pages(deck.sha256) == []:
        st.warning(_("The current deck file is missing from the store."))

with withdraw_tab:
    st.write(
        _(
            "Withdrawing takes your application out of the contest. It cannot be undone from "
            "this page."
        )
    )
    confirm = st.checkbox(
        _("I want to withdraw this application"),
        key=CONFIRM_WITHDRAW_KEY,
    )
    if st.button(_("Withdraw my application"), disabled=not confirm, key="mine_withdraw"):
        try:
            with state.db_session() as session:
                applications.withdraw_application(session=session, token=token)
        except PitchJudgeError as error:
            state.show_error(error)
        else:
            st.session_state[NOTICE_KEY] = _("Your application is withdrawn.")
            st.rerun()
