"""Page addresses: every address of the app opens its page, or says which link it needs.

Streamlit serves the default page at `/` only: its own address (`/apply` for a visitor,
`/applications` for an organiser) and the address of a page that this visitor's navigation
does not hold (`/stage_screen` without a display link) would open Streamlit's English
"Page not found" dialog. `complete` fills those gaps before `st.navigation` runs.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pitchjudge.i18n import Gettext

#: Addresses asked for that the navigation did not hold: kept as hidden pages for the session,
#: so the reruns of such a page (the language switch …) keep finding it.
MISSING_KEY = "nav_missing_addresses"
#: Pages that open only with a personal or display link.
JUDGE_ADDRESS = "judge"
DISPLAY_ADDRESSES = ("board", "stage_screen")
PUBLIC_PAGES = ("apply", "my_application", "sign_in", "palmares")


def requested_address() -> str:
    """The page address the browser asked for on loading (e.g. 'apply'), '' for the root or
    for a rerun (which names its page by hash)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    manager = ctx.pages_manager
    if manager.intended_page_script_hash:
        return ""
    return (manager.intended_page_name or "").strip("/")


def _pages(sections: dict[str, list[StreamlitPage]]) -> list[StreamlitPage]:
    return [page for pages in sections.values() for page in pages]


Sections = dict[str, list[StreamlitPage]]


def complete(sections: Sections, _: Gettext) -> Sections:
    """The navigation with every address this session asked for reachable."""
    requested = requested_address()
    pages = _pages(sections)
    default = next((p for p in pages if p._default), pages[0] if pages else None)
    if default is not None and requested and requested == default._url_path:
        # The landing page by its own name: give it its address, and leave the root to a
        # hidden page that leads to it (Streamlit allows one default, served at `/` only).
        default._default = False
        target = default

        def home() -> None:
            st.switch_page(target, query_params=st.query_params.to_dict())

        sections = {
            **sections,
            "": [
                *sections.get("", []),
                st.Page(
                    home, title=default.title, url_path="home", default=True, visibility="hidden"
                ),
            ],
        }
        pages = _pages(sections)
    known = {p._url_path for p in pages}
    missing: list[str] = list(st.session_state.get(MISSING_KEY, []))
    if requested and requested not in known and "/" not in requested and requested not in missing:
        missing.append(requested)
        st.session_state[MISSING_KEY] = missing
    extra = [
        st.Page(
            _message_page(address, _),
            title=_("PitchJudge"),
            url_path=address,
            visibility="hidden",
        )
        for address in missing
        if address not in known
    ]
    if extra:
        sections = {**sections, "": [*sections.get("", []), *extra]}
    return sections


def _message_page(address: str, _: Gettext):
    """A page that says, in the visitor's language, what opens `address`."""

    def page() -> None:
        if address == JUDGE_ADDRESS:
            st.title(_("Judging"))
            st.info(
                _(
                    "This page opens with a judge's personal link. Judges: open the link the "
                    "organisers sent you. Organisers: the links are on the page Judges."
                ),
                icon=":material/key:",
            )
        elif address in DISPLAY_ADDRESSES:
            st.title(_("Leaderboard") if address == "board" else _("Stage"))
            st.info(
                _(
                    "This screen opens with the display link of the contest (the projector's "
                    "link on the page Results, or the stage screen's link on the page Stage). "
                    "Ask the organisers for it."
                ),
                icon=":material/key:",
            )
        elif address in PUBLIC_PAGES:
            st.title(_("PitchJudge"))
            st.info(
                _(
                    "This page is not open from a judge's or a display link. Open the app's "
                    "address without the link to apply or to reach your application."
                ),
                icon=":material/info:",
            )
        else:
            st.title(_("PitchJudge"))
            st.info(
                _("There is no page at this address. Check the link, or start from the home page."),
                icon=":material/info:",
            )
        label = _("Go to the home page")
        st.markdown(f"[{label}]({_home_target()})")

    page.__name__ = f"missing_{address}"
    return page


def _home_target() -> str:
    """The root of the app as a link target (keeps a judge's or display token)."""
    params = st.query_params.to_dict()
    keep = {k: v for k, v in params.items() if k in ("judge", "display", "screen", "lang")}
    query = "&".join(f"{k}={v}" for k, v in keep.items())
    # Relative to this page's address, so an app served under a base path keeps it.
    return "./" + (f"?{query}" if query else "")
