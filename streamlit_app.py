"""PitchJudge's entry point: settings, language, and the pages each role may see."""

from pathlib import Path

import streamlit as st

from pitchjudge.i18n import LANGUAGES
from pitchjudge.ui import navigation, state
from pitchjudge.ui.error_boundary import on_script_error
from pitchjudge.ui.widgets import exact_text, readable_colours, uploader_words

state.entry_started()
# Absolute, so that the navigation also builds when a page hands over to this script.
PAGES = Path(__file__).resolve().parent / "pages"
st.set_page_config(
    page_title="PitchJudge",
    page_icon="🎤",
    layout="wide",
    # A judge's laptop needs the width for the deck and the rubric, not the sidebar.
    initial_sidebar_state="collapsed"
    if st.query_params.get("judge") or st.query_params.get("display")
    else "auto",
)

settings = state.get_settings()
state.get_engine()
st.session_state[state.CONTEST_KEY] = state.current_contest()
_ = state.gettext()

with st.sidebar:
    st.selectbox(
        _("Language"),
        options=list(LANGUAGES),
        index=list(LANGUAGES).index(state.language()),
        format_func=LANGUAGES.__getitem__,
        key=state.LANGUAGE_KEY,
        # Kept across page switches (by default a widget's value is dropped on a page switch).
        persist_state="session",
    )
# The choice also lives in the address (?lang=en), so a reload or a link keeps it.
state.keep_language_in_address()

# Private links land on the root with a token: open the page the token is for.
has_token = bool(st.query_params.get("token"))
apply_page = st.Page(
    PAGES / "apply.py",
    title=_("Apply"),
    icon=":material/edit_note:",
    url_path="apply",
    default=not state.is_organiser() and not has_token,
)
my_application = st.Page(
    PAGES / "my_application.py",
    title=_("My application"),
    icon=":material/key:",
    url_path="my_application",
    default=has_token and not state.is_organiser(),
)
palmares_page = st.Page(
    PAGES / "palmares.py", title=_("Palmarès"), url_path="palmares", visibility="hidden"
)
sign_in = st.Page(
    PAGES / "sign_in.py", title=_("Organiser sign-in"), icon=":material/lock:", url_path="sign_in"
)

judge_page = st.Page(
    PAGES / "judge.py",
    title=_("Judging"),
    icon=":material/how_to_vote:",
    url_path="judge",
    default=True,
)

if st.query_params.get("display"):
    # The projector's display link: the leaderboard only; with `&screen=stage` (or at
    # /stage_screen), the screen the speakers see: who is on stage, and the clock.
    stage_screen = st.query_params.get("screen") == "stage"
    pages = {
        "": [
            st.Page(
                PAGES / "board.py",
                title=_("Leaderboard"),
                url_path="board",
                default=not stage_screen,
                visibility="hidden" if stage_screen else "visible",
            ),
            st.Page(
                PAGES / "stage_screen.py",
                title=_("Stage"),
                url_path="stage_screen",
                default=stage_screen,
                visibility="visible" if stage_screen else "hidden",
            ),
        ]
    }
elif st.query_params.get("judge"):
    # A judge's personal link: judges see their own page only.
    pages = {"": [judge_page]}
elif state.is_organiser():
    # One list, no section headers: Streamlit 1.67 draws named sections inside the <ul>
    # as <div>s (axe-core: "list", "listitem", serious), which screen readers misread.
    pages = {
        "": [
            st.Page(
                PAGES / "applications.py",
                title=_("Applications"),
                icon=":material/folder_open:",
                url_path="applications",
                default=True,
            ),
            st.Page(
                PAGES / "contest.py",
                title=_("Contest"),
                icon=":material/emoji_events:",
                url_path="contest",
            ),
            st.Page(
                PAGES / "rubric.py", title=_("Rubric"), icon=":material/rule:", url_path="rubric"
            ),
            st.Page(
                PAGES / "rounds.py", title=_("Rounds"), icon=":material/repeat:", url_path="rounds"
            ),
            st.Page(
                PAGES / "judges.py", title=_("Judges"), icon=":material/groups:", url_path="judges"
            ),
            st.Page(
                PAGES / "assignments.py",
                title=_("Assignments"),
                icon=":material/assignment_ind:",
                url_path="assignments",
            ),
            st.Page(
                PAGES / "progress.py",
                title=_("Progress"),
                icon=":material/monitoring:",
                url_path="progress",
            ),
            st.Page(
                PAGES / "stage.py", title=_("Stage"), icon=":material/podium:", url_path="stage"
            ),
            st.Page(
                PAGES / "results.py",
                title=_("Results"),
                icon=":material/leaderboard:",
                url_path="results",
            ),
            st.Page(
                PAGES / "prizes.py",
                title=_("Prizes"),
                icon=":material/workspace_premium:",
                url_path="prizes",
            ),
            st.Page(
                PAGES / "analytics.py",
                title=_("Analytics"),
                icon=":material/insights:",
                url_path="analytics",
            ),
            st.Page(
                PAGES / "emails.py", title=_("Emails"), icon=":material/mail:", url_path="emails"
            ),
            st.Page(
                PAGES / "health.py",
                title=_("Health"),
                icon=":material/ecg_heart:",
                url_path="health",
            ),
            apply_page,
            my_application,
            palmares_page,
            st.Page(
                PAGES / "sign_in.py",
                title=_("Organiser sign-in"),
                url_path="sign_in",
                visibility="hidden",
            ),
        ],
    }
    with st.sidebar:
        if st.button(_("Sign out"), icon=":material/logout:", key="sign_out"):
            state.sign_out()
            st.rerun()
        with st.popover(_("Sign out everywhere"), icon=":material/devices_off:"):
            st.write(
                _(
                    "Organiser sessions open: {count}. This ends them all: every browser "
                    "signed in, open tabs and this one included. Each must sign in again."
                ).format(count=state.open_organiser_sessions())
            )
            if st.button(_("Sign out everywhere now"), type="primary", key="sign_out_everywhere"):
                state.sign_out_everywhere()
                st.rerun()
    mismatch = state.base_url_mismatch()
    if mismatch:
        st.warning(
            _(
                "Links are built on {configured} (PITCHJUDGE_BASE_URL), but you are using "
                "{in_use}. Judges and applicants get links to {configured}: check that this "
                "address reaches the app, or change the setting."
            ).format(configured=mismatch[0], in_use=mismatch[1]),
            icon=":material/link_off:",
        )
else:
    # Organiser pages stay reachable by address only to say "sign in first" (each page checks).
    guarded = [
        st.Page(PAGES / f"{name}.py", url_path=name, visibility="hidden")
        for name in (
            "applications",
            "contest",
            "rubric",
            "rounds",
            "judges",
            "assignments",
            "progress",
            "stage",
            "results",
            "prizes",
            "analytics",
            "emails",
            "health",
        )
    ]
    pages = {"": [apply_page, my_application, sign_in, palmares_page, *guarded]}

with st.sidebar:
    state.keep_cookie()
# Streamlit's own words in the visitor's language where it takes no parameter for them.
uploader_words(_, max_mb=settings.max_deck_mb)
readable_colours()
exact_text()  # copied addresses and links carry no invisible character
try:
    # Expanded: the organiser has more pages than the folded menu shows (it hid "Emails").
    st.navigation(navigation.complete(pages, _), expanded=True).run()
except Exception as error:
    # The error boundary: a short translated message with an id, the traceback in the log.
    # (st.stop and st.rerun are not Exceptions; widget callbacks go through the ASGI entry's
    # on_script_error, pitchjudge/ui/asgi.py.)
    on_script_error(error)  # a database outage: "reconnecting…", and the page retries
finally:
    state.entry_finished()
