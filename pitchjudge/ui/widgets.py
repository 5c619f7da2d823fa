"""Widgets shared by several pages: inert user text, the deck viewer, field errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlmodel import Session

from pitchjudge import decks
from pitchjudge.errors import DeckStoreUnavailable, FormInvalid, PitchJudgeError
from pitchjudge.formatting import escape_markdown, format_fixed, format_number
from pitchjudge.i18n import Gettext, get_ngettext
from pitchjudge.models import PitchStatus
from pitchjudge.ui import state

STATUS_COLOURS = {
    PitchStatus.SUBMITTED: "blue",
    PitchStatus.SHORTLISTED: "green",
    PitchStatus.REJECTED: "gray",
    PitchStatus.WITHDRAWN: "orange",
}


def inert(text: str | None) -> str:
    """User text ready for st.markdown, shown exactly as typed (no Markdown, no HTML)."""
    return escape_markdown(text)


def status_label(status: str, _: Gettext) -> str:
    """The translated name of an application status."""
    labels = {
        PitchStatus.SUBMITTED: _("Submitted"),
        PitchStatus.SHORTLISTED: _("Shortlisted"),
        PitchStatus.REJECTED: _("Not selected"),
        PitchStatus.WITHDRAWN: _("Withdrawn"),
    }
    return labels.get(status, status)


def status_badge(status: str, _: Gettext) -> None:
    st.badge(status_label(status, _), color=STATUS_COLOURS.get(status, "gray"))


def show_form_errors(error: PitchJudgeError, _: Gettext, labels: dict[str, str]) -> None:
    """A refused change: every problem of a form, each prefixed with its field, or the one
    message of any other refusal."""
    if isinstance(error, FormInvalid):
        errors = error.errors
    elif getattr(error, "field", None) in labels:
        errors = [error]
    else:
        st.error(error.localized(_), icon=":material/error:")
        return
    lines = []
    for item in errors:
        field = getattr(item, "field", None)
        prefix = f"**{labels[field]}** — " if field in labels else ""
        lines.append(f"- {prefix}{inert(item.localized(_))}")
    st.error(_("Please correct the following:") + "\n\n" + "\n".join(lines))


@dataclass(frozen=True)
class FormProblems:
    """A refused form: the translated messages of each field, and those of no field."""

    by_field: dict[str, list[str]]
    general: list[str]
    #: First drawn in this run (the summary then scrolls into view, once).
    fresh: bool


def remember_problems(key: str, error: PitchJudgeError | None) -> None:
    """Keep a refusal for the next run, which draws it next to the fields (or forget it)."""
    if error is None:
        st.session_state.pop(key, None)
        return
    st.session_state[key] = error
    st.session_state[f"{key}_fresh"] = st.session_state.get(f"{key}_fresh", 0) + 1


def form_problems(key: str, labels: dict[str, str] | None = None) -> FormProblems | None:
    """The refusal kept under `key`, translated and sorted by field (None when there is none).

    Errors about a field that `labels` does not list go to the general messages."""
    error = st.session_state.get(key)
    if not isinstance(error, PitchJudgeError):
        return None
    _ = state.gettext()
    errors = error.errors if isinstance(error, FormInvalid) else [error]
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for item in errors:
        field = getattr(item, "field", None)
        if field and (labels is None or field in labels):
            by_field.setdefault(field, []).append(item.localized(_))
        else:
            general.append(item.localized(_))
    seen = st.session_state.get(f"{key}_seen")
    fresh_count = st.session_state.get(f"{key}_fresh", 0)
    st.session_state[f"{key}_seen"] = fresh_count
    return FormProblems(by_field=by_field, general=general, fresh=seen != fresh_count)


def field_error(problems: FormProblems | None, field: str, _: Gettext) -> None:
    """The problems of one field, drawn right under it."""
    if problems is None:
        return
    for message in problems.by_field.get(field, []):
        st.error(inert(message), icon=":material/error:")


def form_summary(problems: FormProblems | None, _: Gettext, labels: dict[str, str]) -> None:
    """Every problem summed up where the applicant is looking: at the submit button, scrolled
    into view on the run that first shows it."""
    if problems is None:
        return
    ngettext = get_ngettext(state.language())
    # In the form's order (the order of `labels`), as the eye goes up the form.
    order = {field: index for index, field in enumerate(labels)}
    fields = [
        labels.get(field, field)
        for field in sorted(problems.by_field, key=lambda f: order.get(f, len(order)))
    ]
    lines = []
    if fields:
        lines.append(
            ngettext(
                "{count} field to correct: {fields}.",
                "{count} fields to correct: {fields}.",
                len(fields),
            ).format(count=len(fields), fields=", ".join(f"**{inert(f)}**" for f in fields))
        )
    lines.extend(inert(message) for message in problems.general)
    with st.container(key="form_summary"):
        st.error("  \n".join(lines), icon=":material/error:")
    if problems.fresh:
        scroll_into_view("st-key-form_summary")


def scroll_into_view(css_class: str) -> None:
    """Scroll the element with `css_class` to the middle of the screen (once it is drawn).

    Streamlit keeps the scroll position across reruns, so a message drawn far from where the
    visitor is looking would stay unseen; the counter makes each call a new script."""
    count = st.session_state.get("_scroll_count", 0) + 1
    st.session_state["_scroll_count"] = count
    st.html(
        f"""<script>/* {count} */
(() => {{
  let tries = 0;
  const go = () => {{
    const target = document.querySelector(".{css_class}");
    if (target) {{ target.scrollIntoView({{block: "center"}}); return; }}
    if (++tries < 40) setTimeout(go, 50);
  }};
  go();
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


class _NotStored(Exception):
    """Raised (so never cached) when a deck is not completely stored yet."""


@st.cache_data(max_entries=1024, show_spinner=False)
def _stored_page_keys(store_url: str, sha256: str) -> tuple[str, ...]:
    # Cached per deck once complete: content-addressed objects never change.
    keys = decks.deck_page_keys(state.deck_store(), sha256)
    if not keys:
        raise _NotStored(sha256)
    return tuple(keys)


@st.cache_data(max_entries=256, show_spinner=False)
def _stored_object(store_url: str, key: str) -> bytes:
    # A page image or thumbnail (a few hundred kB); the key holds its content's hash.
    return state.deck_store().read(key)


def deck_pages(sha256: str) -> list[str] | None:
    """The page keys of a completely stored deck, [] if it is not (or not yet) stored, None
    if the store cannot be reached right now."""
    store = state.deck_store()
    try:
        return list(_stored_page_keys(store.url, sha256))
    except _NotStored:
        return []
    except DeckStoreUnavailable as error:
        logging.getLogger(__name__).warning("deck store unreadable: %s", error.reason)
        return None


def deck_object(key: str) -> bytes | None:
    """A stored page image or thumbnail; None when it is missing or unreadable right now."""
    try:
        return _stored_object(state.deck_store().url, key)
    except FileNotFoundError:
        return None
    except DeckStoreUnavailable as error:
        logging.getLogger(__name__).warning("deck store unreadable: %s", error.reason)
        return None


def deck_thumbnail(sha256: str) -> bytes | None:
    """The first page's thumbnail of a completely stored deck (None otherwise)."""
    if not deck_pages(sha256):
        return None
    return deck_object(decks.deck_thumbnail_key(sha256))


def deck_viewer(*, sha256: str, key: str, _: Gettext) -> None:
    """The deck's pages as images, one at a time with a page picker, readable on a laptop."""
    pages = deck_pages(sha256)
    if pages is None:
        st.warning(
            _(
                "The pages of this deck cannot be loaded right now (the deck store does not "
                "answer). Try again in a moment."
            )
        )
        return
    if not pages:
        st.warning(_("The pages of this deck are not available."))
        return
    if len(pages) > 1:
        number = st.select_slider(
            _("Page"),
            options=list(range(1, len(pages) + 1)),
            key=f"{key}_page",
            format_func=lambda n: f"{n} / {len(pages)}",
        )
    else:
        number = 1
    image = deck_object(pages[number - 1])
    if image is None:
        st.warning(_("This page cannot be loaded right now. Try again in a moment."))
    else:
        st.image(
            image,
            width="stretch",
            alt=_("Page {number} of {total} of the deck").format(number=number, total=len(pages)),
        )
    store = state.deck_store()
    st.download_button(
        _("Download the PDF"),
        # Read from the store only when clicked (a PDF may be 20 MB, and the page reruns often).
        data=lambda: store.read(decks.deck_pdf_key(sha256)),
        file_name="deck.pdf",
        mime="application/pdf",
        key=f"{key}_download",
        on_click="ignore",
    )


def labelled_lines(items: list[tuple[str, str]]) -> None:
    """Facts shown as '**label** — value' lines; values must already be inert or formatted.
    A fact with no value is left out (a line reading "Website — —" says nothing)."""
    shown = [(label, value) for label, value in items if value and value.strip() not in ("—", "-")]
    st.markdown("  \n".join(f"**{label}** — {value}" for label, value in shown))


def round_picker(rounds: list, _: Gettext, *, key: str):
    """Choose a round (the open one first by default); None when the contest has none."""
    if not rounds:
        st.info(_("No round yet: create one on the page Rounds."))
        return None
    names = [r.name for r in rounds]
    default = next((i for i, r in enumerate(rounds) if r.status == "open"), 0)
    chosen = st.selectbox(_("Round"), options=names, index=default, key=key)
    return rounds[names.index(chosen)]


def show_notice(key: str) -> None:
    """The message a previous action left under `key`, shown once.

    The slot exists on every run, message or not, so the elements below keep their place
    (otherwise Streamlit redraws tabs below it on their first tab after the message goes).
    """
    slot = st.empty()
    message = st.session_state.pop(key, None)
    if message:
        slot.success(message, icon=":material/check_circle:")


def run_and_reload(
    action: Callable[[Session], object],
    message: str,
    *,
    notice_key: str,
    _: Gettext,
    labels: dict[str, str] | None = None,
) -> object:
    """Run a change in one transaction; on success reload the page with `message` shown,
    on a refusal show every problem (fields named with `labels`)."""
    try:
        with state.db_session() as session:
            result = action(session)
    except PitchJudgeError as error:
        show_form_errors(error, _, labels or {})
        return None
    st.session_state[notice_key] = message
    st.rerun()
    return result


def uploader_words(_: Gettext, *, max_mb: int) -> None:
    """Streamlit 1.67's file uploader writes "Upload" and "20MB per file • PDF" in English
    and takes no parameter for either: write them in the visitor's language instead (in the
    page itself, so screen readers and axe-core read the same words as the eye)."""
    words = json.dumps(
        {
            "button": _("Choose a PDF file"),
            "limit": _("{mb} MB per file · PDF").format(mb=max_mb),
        },
        ensure_ascii=False,
    ).replace("</", "<\\/")
    st.html(
        f"""<script>
        (() => {{
            window.__pjUploaderWords = {words};
            const apply = () => {{
                const w = window.__pjUploaderWords;
                for (const zone of document.querySelectorAll(
                    '[data-testid="stFileUploaderDropzone"]'
                )) {{
                    const label = zone.querySelector(
                        'button [data-testid="stMarkdownContainer"] p'
                    );
                    if (label && label.textContent !== w.button) label.textContent = w.button;
                    const limit = zone.querySelector(
                        '[data-testid="stFileUploaderDropzoneInstructions"] span'
                    );
                    if (limit && limit.textContent !== w.limit) limit.textContent = w.limit;
                    const input = zone.querySelector("input[type=file]");
                    if (input && input.getAttribute("aria-label") !== w.button) {{
                        input.setAttribute("aria-label", w.button);
                    }}
                }}
            }};
            // React redraws the uploader on every run: put the words back each time.
            if (!window.__pjUploaderObserver) {{
                window.__pjUploaderObserver = new MutationObserver(apply);
                window.__pjUploaderObserver.observe(document.body, {{
                    childList: true, subtree: true, characterData: true,
                }});
            }}
            apply();
        }})();
        </script>""",
        unsafe_allow_javascript=True,
    )


def exact_text() -> None:
    """User text reads and copies exactly as typed.

    `inert()` puts an invisible word joiner (U+2060) after each "@" and ":" so that
    Streamlit's Markdown renderer makes no link of an address; escapes cannot do it (the
    links are found in the parsed text). Once the renderer has drawn the text, the joiner has
    done its work: take it out of the page, so that a copied e-mail address or link, a screen
    reader and a search in the page get the text without it."""
    st.html(
        """<script>
        (() => {
            if (window.__pjExactText) return;
            // Markdown, captions, buttons, notices: wherever Streamlit drew a text (never
            // inside what a visitor types).
            const skip = new Set(["SCRIPT", "STYLE", "TEXTAREA", "INPUT"]);
            const clean = () => {
                if (!document.body.textContent.includes("\\u2060")) return;
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (
                        node.nodeValue.includes("\\u2060")
                        && !skip.has(node.parentElement?.tagName)
                    ) {
                        node.nodeValue = node.nodeValue.replaceAll("\\u2060", "");
                    }
                }
            };
            let pending = false;
            window.__pjExactText = new MutationObserver(() => {
                if (pending) return;
                pending = true;
                requestAnimationFrame(() => { pending = false; clean(); });
            });
            window.__pjExactText.observe(document.body, {
                childList: true, subtree: true, characterData: true,
            });
            clean();
        })();
        </script>""",
        unsafe_allow_javascript=True,
    )


def weak_design_warning(connectivity: float, limit: float, _: Gettext, *, language: str) -> None:
    """The judges' panels share too few applications for the calibration to be sure."""
    st.warning(
        _(
            "The judges are only weakly linked: few shared applications hold the panels "
            "together (connectivity {value}, below {limit}). Judge leniency, hence the "
            "calibrated totals, rest on a handful of marks: mix the panels so judges share more."
        ).format(
            value=format_fixed(connectivity, language=language),
            limit=format_number(limit, language=language),
        ),
        icon=":material/warning:",
    )


def readable_colours() -> None:
    """Captions dark enough to read: Streamlit draws them at 60 % opacity, 3.9:1 on white
    (axe-core asks for 4.5:1); this grey is 6.5:1."""
    st.html(
        """<style>
        [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
            color: #5f5e5c; opacity: 1;
        }
        </style>"""
    )
