"""Per-process resources (settings, engine) and per-session state (language, role)."""

from __future__ import annotations

import logging
import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pitchjudge import ops
from pitchjudge.cli import prepare_database
from pitchjudge.config import Settings, load_settings
from pitchjudge.db import DatabaseUnavailable, session_scope
from pitchjudge.deck_store import DeckStore, open_deck_store
from pitchjudge.errors import AccessDenied, ConfigError, PitchJudgeError
from pitchjudge.i18n import LANGUAGES, Gettext, get_gettext, get_ngettext, get_pgettext
from pitchjudge.models import Contest
from pitchjudge.services import applications, auth, board, contests
from pitchjudge.ui.cookie import cookie_token, sync_cookie

ENTRY_SCRIPT = Path(__file__).resolve().parents[2] / "streamlit_app.py"
_run = threading.local()


def entry_started() -> None:
    """Called first by the entry script: the pages of this run come from its navigation."""
    _run.via_entry = True


def entry_finished() -> None:
    _run.via_entry = False


def require_entry() -> None:
    """Run the entry script when Streamlit started this page without it.

    With a `pages/` folder, Streamlit resolves a first request to a page's address (a
    bookmark like /results) by running that file alone, with its old automatic navigation:
    no settings, no language, no layout, every page listed by file name. Running the entry
    script instead builds the real navigation, which then opens the page asked for.
    """
    if getattr(_run, "via_entry", False):
        return
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        # A fragment's own rerun: the page is there already, and anything the entry script
        # drew from here would land outside the fragment (StreamlitInvalidLayoutContextError).
        return
    runpy.run_path(str(ENTRY_SCRIPT), run_name="__main__")
    st.stop()


# Session-state keys shared across pages (one place, named once).
LANGUAGE_KEY = "ui_language"
#: The query parameter that carries a language other than the contest's (`?lang=en`).
LANGUAGE_PARAM = "lang"
ORGANISER_KEY = "organiser_signed_in"
ORGANISER_TOKEN_KEY = "organiser_session_token"
CLEAR_COOKIE_KEY = "organiser_cookie_clear"
CONTEST_KEY = "contest_snapshot"
SESSION_ENDED_KEY = "organiser_session_ended"
TOKEN_LANGUAGE_KEY = "application_language_by_token"


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    return load_settings()


def get_settings() -> Settings:
    """The settings; a bad value stops the page with a message naming the setting."""
    try:
        return _settings()
    except ConfigError as error:
        st.error(f"Configuration error: {error}")
        st.stop()
        raise


def deck_store() -> DeckStore:
    """The deck store of the settings (one per process); pages read it through
    `pitchjudge.ui.widgets` (deck_viewer, deck_thumbnail), which cache what they read."""
    return open_deck_store(get_settings())


@st.cache_resource(show_spinner=False)
def _engine(database_url: str) -> Engine:
    return prepare_database(get_settings())


def get_engine() -> Engine:
    """The database engine, migrated, shared by every session of this process.

    A database that cannot be reached stops the page with a friendly message (the details,
    password masked, go to the server's log; nothing is cached, so the next visit retries).
    """
    try:
        return _engine(get_settings().database_url)
    except DatabaseUnavailable as error:
        ops.count(ops.DATABASE_ERROR)
        logging.getLogger(__name__).error("%s", error, extra={"event": ops.DATABASE_ERROR})
        _ = get_gettext(language())
        st.title("PitchJudge")
        st.error(
            _(
                "The contest is unavailable for a moment (its database cannot be reached). "
                "Please try again in a few minutes; nothing you entered before was lost."
            ),
            icon=":material/cloud_off:",
        )
        st.stop()
        raise


def process_engine() -> Engine:
    """The same engine, for server code outside any page (the push channel): a bad setting
    or an unreachable database raises instead of drawing a message."""
    return _engine(_settings().database_url)


@st.cache_resource(show_spinner=False)
def _board_cache(database_url: str) -> board.BoardCache:
    return board.BoardCache()


def board_cache() -> board.BoardCache:
    """The projected boards of this process, computed once per change for every screen."""
    return _board_cache(get_settings().database_url)


def board_fingerprint(contest_id: int) -> tuple:
    """What a projector compares on every refresh: one small read."""
    with db_session(read_only=True) as session:
        return board.fingerprint(session=session, contest_id=contest_id)


def board_view(contest_id: int, fingerprint: tuple) -> board.BoardView:
    """The contest's board for `fingerprint`, from the shared cache when it is there."""
    cache = board_cache()
    view = cache.get((contest_id, fingerprint))
    if view is not None:
        return view
    with db_session(read_only=True) as session:
        return cache.view(session=session, contest_id=contest_id, fingerprint_=fingerprint)


@contextmanager
def db_session(*, read_only: bool = False) -> Iterator[Session]:
    """A database session for one page action (commit on success, rollback on error)."""
    with session_scope(get_engine(), read_only=read_only) as session:
        yield session


def current_contest() -> Contest | None:
    """The contest the app shows (a detached copy, safe to read after the session closes)."""
    with db_session(read_only=True) as session:
        return contests.current_contest(session=session)


def language() -> str:
    """The visitor's language: their own choice (kept in the address as `?lang=`), else the
    contest's, else the default setting."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    if chosen in LANGUAGES:
        return chosen
    requested = st.query_params.get(LANGUAGE_PARAM)
    if requested in LANGUAGES:
        return requested
    return application_language() or default_language()


def application_language() -> str | None:
    """The language an applicant applied in, when a private link (`?token=`) is open: an
    old link without `?lang=` still opens in it (read once per session and link)."""
    token = st.query_params.get("token")
    if not token:
        return None
    known = st.session_state.setdefault(TOKEN_LANGUAGE_KEY, {})
    if token not in known:
        try:
            with db_session(read_only=True) as session:
                pitch = applications.application_by_token(session=session, token=token)
                known[token] = pitch.language if pitch.language in LANGUAGES else None
        except AccessDenied:
            known[token] = None
    return known[token]


def keep_language_in_address() -> None:
    """Write the visitor's language into the address when it is not the contest's (and take
    it out when it is): a reload, a page switch or a copied address keeps the language."""
    chosen = language()
    if chosen != default_language():
        if st.query_params.get(LANGUAGE_PARAM) != chosen:
            st.query_params[LANGUAGE_PARAM] = chosen
    elif LANGUAGE_PARAM in st.query_params:
        del st.query_params[LANGUAGE_PARAM]


def default_language() -> str:
    """The language of a visitor who has not chosen: the contest's, else the setting's."""
    contest = st.session_state.get(CONTEST_KEY)
    if contest is not None and contest.language in LANGUAGES:
        return contest.language
    return get_settings().language


def gettext() -> Gettext:
    """The translate function for this visitor.

    Every page asks for it first, so this is also where a page started without the entry
    script hands over to it (see `require_entry`).
    """
    require_entry()
    return get_gettext(language())


def ngettext():
    """The plural-aware translate function for this visitor: ngettext(singular, plural, n)."""
    return get_ngettext(language())


def pgettext():
    """The context-aware translate function for this visitor: pgettext(context, message)."""
    return get_pgettext(language())


def is_organiser() -> bool:
    """Signed in during this session, or earlier in this browser (its cookie, see
    `pitchjudge.ui.cookie`): a reload keeps the organiser signed in."""
    if st.session_state.get(ORGANISER_KEY):
        # Re-checked on every run (one indexed look-up): a password reset or "sign out
        # everywhere" stops a tab left open at its next click.
        token = st.session_state.get(ORGANISER_TOKEN_KEY)
        with db_session(read_only=True) as session:
            live = auth.organiser_session_is_live(session=session, token=token)
        if live:
            return True
        st.session_state[ORGANISER_KEY] = False
        st.session_state[ORGANISER_TOKEN_KEY] = None
        st.session_state[CLEAR_COOKIE_KEY] = True
        st.session_state[SESSION_ENDED_KEY] = True
        return False
    if ORGANISER_TOKEN_KEY in st.session_state:  # the cookie was checked already
        return False
    token = cookie_token()
    valid = False
    if token is not None:
        with db_session(read_only=True) as session:
            valid = auth.organiser_session_is_valid(session=session, token=token)
    st.session_state[ORGANISER_TOKEN_KEY] = token if valid else None
    st.session_state[ORGANISER_KEY] = valid
    return valid


def signed_in(token: str) -> None:
    """The organiser just signed in with the password; `token` opens their session."""
    st.session_state[ORGANISER_KEY] = True
    st.session_state[ORGANISER_TOKEN_KEY] = token


def sign_out() -> None:
    """End the organiser's session here and in the database; the cookie goes next run."""
    token = st.session_state.get(ORGANISER_TOKEN_KEY)
    with db_session() as session:
        auth.sign_out_organiser(session=session, token=token)
    st.session_state[ORGANISER_KEY] = False
    st.session_state[ORGANISER_TOKEN_KEY] = None
    st.session_state[CLEAR_COOKIE_KEY] = True


def open_organiser_sessions() -> int:
    """How many organiser sessions are open (what "Sign out everywhere" would end)."""
    with db_session(read_only=True) as session:
        return auth.count_organiser_sessions(session=session)


def sign_out_everywhere() -> int:
    """End every organiser session (every browser, this one included); returns how many."""
    with db_session() as session:
        ended = auth.end_all_organiser_sessions(session=session)
    st.session_state[ORGANISER_KEY] = False
    st.session_state[ORGANISER_TOKEN_KEY] = None
    st.session_state[CLEAR_COOKIE_KEY] = True
    return ended


def keep_cookie() -> None:
    """Draw the cookie writer: the organiser's token while signed in, a deletion once after
    signing out (called by the entry script on every run)."""
    token = st.session_state.get(ORGANISER_TOKEN_KEY)
    if st.session_state.get(ORGANISER_KEY) and token:
        sync_cookie(token, max_age_s=int(auth.SESSION.total_seconds()))
    elif st.session_state.pop(CLEAR_COOKIE_KEY, False):
        sync_cookie(None, max_age_s=0)


def require_organiser() -> None:
    """Stop a page for anyone but a signed-in organiser (navigation hides it; this enforces it)."""
    if not is_organiser():
        _ = gettext()
        if st.session_state.get(SESSION_ENDED_KEY):
            st.warning(
                _(
                    "Your organiser session has ended (the password was changed, or someone "
                    "signed out everywhere). Nothing more is saved from this page."
                ),
                icon=":material/lock_clock:",
            )
        st.error(_("This page is for organisers. Sign in first."))
        st.stop()


def show_error(error: PitchJudgeError) -> None:
    """A domain error as a translated message (safe inside a fragment's own rerun)."""
    st.error(error.localized(get_gettext(language())))


def address_in_use() -> str | None:
    """The app's address as this visitor's browser reaches it (scheme, host, port and any
    base path), or None outside a browser session."""
    url = st.context.url
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    base_path = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base_path}" if base_path else "")


def base_url() -> str:
    """The address every link the app hands out starts with: PITCHJUDGE_BASE_URL when set,
    else the address in use (so `make run PORT=8611` gives :8611 links), else localhost and
    the server's port."""
    settings = get_settings()
    if settings.base_url_configured:
        return settings.base_url
    return address_in_use() or f"http://localhost:{st.get_option('server.port')}"


def base_url_mismatch() -> tuple[str, str] | None:
    """(configured, in use) when PITCHJUDGE_BASE_URL differs from the address in use."""
    settings = get_settings()
    in_use = address_in_use()
    if not settings.base_url_configured or in_use is None:
        return None
    if in_use.rstrip("/").lower() == settings.base_url.rstrip("/").lower():
        return None
    return settings.base_url, in_use


def client_address() -> str:
    """The visitor's IP address when Streamlit knows it (used to slow password guessing).

    Forwarded headers count only from the proxies of PITCHJUDGE_TRUSTED_PROXIES (see
    `pitchjudge.ui.proxies`); without any, the address is the connection's own.
    """
    address = st.context.ip_address
    return address if isinstance(address, str) else ""


def display_token(contest_id: int) -> str:
    """The projector's link token; the write session (SQLite's write lock) only the first
    time, not on every run of the pages that show the link."""
    settings = get_settings()
    with db_session(read_only=True) as session:
        token = board.issued_display_token(
            session=session, settings=settings, contest_id=contest_id
        )
    if token is None:
        with db_session() as session:
            token = board.display_token(session=session, settings=settings, contest_id=contest_id)
    return token


def display_contest() -> Contest:
    """The contest of the display link in the address (projector, stage screen); a missing,
    forged or replaced link stops the page with a message."""
    try:
        with db_session(read_only=True) as session:
            return board.contest_by_display_token(
                session=session, token=st.query_params.get("display", "")
            )
    except AccessDenied as error:
        show_error(error)
        st.stop()
        raise


def display_link_live(contest_id: int, _: Gettext) -> bool:
    """Whether the display link in the address still opens `contest_id`: the projector and
    the stage screen ask on every refresh, so a re-issued link stops an old tab at once
    (it then says so instead of following the contest). `_` is the page's translate
    function: inside a fragment, `gettext()` must not hand over to the entry script."""
    try:
        with db_session(read_only=True) as session:
            contest = board.contest_by_display_token(
                session=session, token=st.query_params.get("display", "")
            )
    except AccessDenied as error:
        st.error(error.localized(_), icon=":material/link_off:")
        return False
    return contest.id == contest_id


def organiser_page(title: str) -> Contest:
    """Start an organiser page: guard, title, and the contest it works on (stops, with a hint,
    when there is none yet)."""
    require_organiser()
    st.title(title)
    contest = current_contest()
    if contest is None:
        _ = gettext()
        st.info(_("Create the contest first (page Contest)."))
        st.stop()
    return contest


def organiser_token() -> str | None:
    """This browser's organiser session token, for the services that re-check it."""
    return st.session_state.get(ORGANISER_TOKEN_KEY)
