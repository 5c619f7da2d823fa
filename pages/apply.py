"""Public Apply page: the call, the rubric, the deadline, and the application form."""

import pandas as pd
import streamlit as st

from pitchjudge.errors import InvalidDeck, PitchJudgeError
from pitchjudge.formatting import format_datetime, format_number, time_left
from pitchjudge.services import applications, contests, rubric
from pitchjudge.ui import state
from pitchjudge.ui.upload_guard import release_uploads
from pitchjudge.ui.widgets import (
    field_error,
    form_problems,
    form_summary,
    inert,
    remember_problems,
)

FORM_KEY = "apply_form"
SUBMITTED_TOKEN_KEY = "apply_submitted_token"
SUBMITTED_NAME_KEY = "apply_submitted_name"
SUBMITTED_EMAIL_KEY = "apply_submitted_email"
PROBLEMS_KEY = "apply_problems"

_ = state.gettext()
settings = state.get_settings()
contest = state.current_contest()
lang = state.language()

if contest is None:
    st.title(_("Apply"))
    st.info(_("No contest is open yet. Come back soon!"))
    st.stop()

with state.db_session(read_only=True) as session:
    categories = list(contests.list_categories(session=session, contest_id=contest.id))
    criteria = list(rubric.list_criteria(session=session, contest_id=contest.id))

st.title(inert(contest.name))
window = contests.applications_status(contest)

facts = st.columns(3)
if contest.applications_close_at:
    facts[0].markdown(
        "**"
        + _("Deadline")
        + "**  \n"
        + format_datetime(contest.applications_close_at, timezone=contest.timezone, language=lang)
    )
    left = time_left(contest.applications_close_at, language=lang)
    facts[1].metric(_("Time left"), left or _("Closed"))
if categories:
    facts[2].markdown(
        "**" + _("Categories") + "**  \n" + " · ".join(inert(c.name) for c in categories)
    )

if contest.description:
    with st.container(border=True):
        # The call text is the organiser's, written in Markdown on purpose (HTML stays off).
        st.markdown(contest.description)

if criteria:
    with st.expander(_("How the jury will judge (the rubric)"), icon=":material/rule:"):
        shares = rubric.weight_percentages(criteria)
        st.dataframe(
            pd.DataFrame(
                {
                    _("Criterion"): [c.name for c in criteria],
                    _("What the jury looks for"): [c.description for c in criteria],
                    _("Weight"): [f"{share:.0f} %" for share in shares],
                    _("Scale"): [
                        format_number(c.scale_min, language=lang)
                        + "–"
                        + format_number(c.scale_max, language=lang)
                        for c in criteria
                    ],
                    _("Levels"): [
                        " · ".join(
                            f"{format_number(d['value'], language=lang)} = {d['label']}"
                            for d in c.descriptors or []
                        )
                        for c in criteria
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )

token = st.session_state.get(SUBMITTED_TOKEN_KEY)
if token:
    link = applications.private_link(state.base_url(), token, language=lang)
    st.success(
        _("Thank you! The application of {name} is registered.").format(
            name=inert(st.session_state.get(SUBMITTED_NAME_KEY, ""))
        ),
        icon=":material/celebration:",
    )
    st.warning(
        _(
            "Keep this private link: it is the only way back to your application, to edit it, "
            "replace the deck or withdraw until the deadline. Anyone with the link can do so."
        ),
        icon=":material/key:",
    )
    st.code(link, language=None, wrap_lines=True)
    st.caption(
        _("We also e-mailed it to {email}.").format(
            email=inert(st.session_state.get(SUBMITTED_EMAIL_KEY, ""))
        )
    )
    cols = st.columns(2)
    if cols[0].button(_("Open my application"), type="primary", key="open_mine"):
        st.switch_page("pages/my_application.py", query_params={"token": token, "lang": lang})
    if cols[1].button(_("Submit another application"), key="apply_again"):
        del st.session_state[SUBMITTED_TOKEN_KEY]
        st.rerun()
    st.stop()

if window == "not_yet":
    opening = format_datetime(
        contest.applications_open_at, timezone=contest.timezone, language=lang
    )
    st.info(_("Applications open on {date}.").format(date=opening), icon=":material/schedule:")
    st.stop()
if window == "closed":
    st.warning(_("The deadline has passed: applications are closed."), icon=":material/lock:")
    st.stop()

LABELS = {
    "startup_name": _("Startup name"),
    "one_liner": _("One-liner"),
    "category_id": _("Category"),
    "website": _("Website"),
    "founders": _("Founders"),
    "contact_email": _("Contact email"),
    "description": _("Description"),
    "deck": _("Pitch deck (PDF)"),
    "consent": _("Consent"),
}

st.header(_("Apply"))
# The last refusal: every problem at once, drawn next to its field and summed up at the button.
problems = form_problems(PROBLEMS_KEY, LABELS)
with st.form(FORM_KEY, enter_to_submit=False):
    left, right = st.columns(2)
    with left:
        startup_name = st.text_input(LABELS["startup_name"] + " *", max_chars=120, key="f_name")
        field_error(problems, "startup_name", _)
    with right:
        one_liner = st.text_input(
            LABELS["one_liner"] + " *",
            max_chars=200,
            key="f_one_liner",
            placeholder=_("What you do, for whom, in one sentence"),
        )
        field_error(problems, "one_liner", _)
    with left:
        category_name = st.selectbox(
            LABELS["category_id"] + (" *" if categories else ""),
            options=[c.name for c in categories],
            index=None,
            placeholder=_("Choose a category"),
            key="f_category",
            disabled=not categories,
        )
        field_error(problems, "category_id", _)
    with right:
        website = st.text_input(
            LABELS["website"], max_chars=300, key="f_website", placeholder="https://"
        )
        field_error(problems, "website", _)
    with left:
        founders = st.text_input(
            LABELS["founders"] + " *",
            max_chars=500,
            key="f_founders",
            placeholder=_("Names and roles, e.g. Camille Martin (CEO)"),
        )
        field_error(problems, "founders", _)
    with right:
        email = st.text_input(LABELS["contact_email"] + " *", max_chars=254, key="f_email")
        field_error(problems, "contact_email", _)
    description = st.text_area(
        LABELS["description"] + " *",
        max_chars=5000,
        key="f_description",
        height=160,
        placeholder=_("The problem, your solution, your traction so far"),
    )
    field_error(problems, "description", _)
    deck = st.file_uploader(
        LABELS["deck"] + " *",
        type=["pdf"],
        key="f_deck",
        max_upload_size=settings.max_deck_mb,
        help=_("A PDF of at most {mb} MB and {pages} pages.").format(
            mb=settings.max_deck_mb, pages=settings.max_deck_pages
        ),
    )
    field_error(problems, "deck", _)
    with st.container(border=True):
        st.markdown("**" + _("Your data") + "**")
        if contest.privacy_text:
            # The organiser's own notice, in Markdown on purpose, like the call text.
            st.markdown(contest.privacy_text)
        else:
            st.caption(
                _(
                    "The organisers keep your application to run this contest: the jury reads "
                    "it, and it is deleted or archived when the contest ends."
                )
            )
        consent = st.checkbox(
            _(
                "I agree that the organisers process the data of this application to run the "
                "contest. *"
            ),
            key="f_consent",
        )
        field_error(problems, "consent", _)
    form_summary(problems, _, LABELS)
    submitted = st.form_submit_button(_("Submit my application"), type="primary")

if submitted:
    data = applications.ApplicationInput(
        startup_name=startup_name,
        one_liner=one_liner,
        category_id={c.name: c.id for c in categories}.get(category_name),
        website=website,
        founders=founders,
        contact_email=email,
        description=description,
        consent=consent,
        language=lang,
    )
    try:
        with st.spinner(_("Checking your application and your deck…")):
            result = applications.submit_application(
                engine=state.get_engine(),
                contest_id=contest.id,
                data=data,
                deck=deck.getvalue() if deck is not None else None,
                filename=deck.name if deck is not None else "",
                store=state.deck_store(),
                limits=settings.deck_limits,
                settings=settings,
                client=state.client_address(),
                language=lang,
            )
    except PitchJudgeError as error:
        if isinstance(error, InvalidDeck) or any(
            isinstance(e, InvalidDeck) for e in getattr(error, "errors", ())
        ):
            release_uploads()  # the deck was refused: its bytes are of no further use
        # Drawn by the next run, next to the fields (the form above is already on screen).
        remember_problems(PROBLEMS_KEY, error)
    else:
        release_uploads()  # stored: free the upload's memory
        remember_problems(PROBLEMS_KEY, None)
        st.session_state[SUBMITTED_TOKEN_KEY] = result.token
        st.session_state[SUBMITTED_NAME_KEY] = result.pitch.startup_name
        st.session_state[SUBMITTED_EMAIL_KEY] = result.pitch.contact_email
    st.rerun()
