"""A multi-line text box that saves as the judge types and survives reloads.

`st.text_area` only sends its value on blur or Ctrl+Enter, so a judge who reloads the page
or closes the laptop loses what was typed since the last blur. This module draws the box
with a tiny inline Components v2 component instead:

- the browser sends the text ~500 ms after typing stops, on blur and when the tab is hidden;
- every keystroke is also copied into a `localStorage` draft (keyed by `storage_key`),
  because nothing can be sent while a page unloads; the draft is removed once the server
  reports the same text as saved, and kept while saving fails;
- when the box mounts and a draft differs from the stored text, the draft wins (it was
  typed but never saved) and is sent at once;
- the stored text is copied into the box once per mount, never on later reruns (that ate
  keystrokes), and always as plain text (`textarea.value`, never `innerHTML`);
- a status line under the box says "Saved", "Saving…" or "Not saved: <reason>"; while the
  database is away (a restart) it says "Connection lost — retrying…" and the browser sends
  the text again every few seconds until it is saved.

The Python side saves in the component's `on_draft_change` callback, and again in the
script body when the browser's text differs from what this session last saved or loaded
(a new session after a reconnect gets the browser's text without the callback firing).

Streamlit 1.67 behaviours the browser side works around (each measured with Chromium):

- widget updates made in one tick are sent as one batch that reruns only the *first*
  update's fragment: the box's send on blur plus a quick tap on a button outside it reran
  the box only and the click was lost. A click arriving before the box's batch is sent is
  held and replayed right after it (a link click: after the box's run has ended, else the
  page switch overtook the save);
- a fragment rerun requested while (or just after) a full-app run is running made a button
  outside the fragment disappear until the next rerun: sends after a typing pause wait
  until no run was requested or running for 200 ms (at most 5 s). This reads
  `stApp`'s `data-test-script-state` attribute (not a public API; without it, no wait);
- after a server restart the new session knows no fragment until the whole script has run,
  so the box's sends are dropped: when the connection comes back and a send stays
  unanswered, the box presses Streamlit's "r" (rerun) shortcut once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.ui.autosave_js import SHARED_JS

__all__ = ["autosave_text_area", "draft_to_save"]

_LOGGER = logging.getLogger(__name__)

COMPONENT_NAME = "pitchjudge_autosave_text_area"
DEBOUNCE_MS = 500
_TRACKER_PREFIX = "_pj_autosave:"
_SAVED_ELSEWHERE_MAX = 20

_HTML = """
<div class="pj-autosave">
  <label class="pj-label"></label>
  <textarea class="pj-textarea" spellcheck="true"></textarea>
  <div class="pj-status" role="status" aria-live="polite"></div>
</div>
"""

# Streamlit exposes its theme to v2 components as --st-* custom properties; the fallbacks
# are the light theme's values.
_CSS = """
:host { display: block; }
.pj-autosave {
  font-family: var(--st-font, "Source Sans", sans-serif);
  font-size: var(--st-base-font-size, 1rem);
  color: var(--st-text-color, #31333f);
}
.pj-label {
  display: flex;
  align-items: center;
  min-height: 1.5rem;
  margin-bottom: 0.25rem;
  font-size: 0.875rem;
  line-height: 1.6;
  overflow-wrap: anywhere;
  white-space: pre-wrap;
}
.pj-textarea {
  box-sizing: border-box;
  display: block;
  width: 100%;
  min-height: 68px;
  margin: 0;
  padding: 0.75rem;
  font: inherit;
  font-size: 0.875rem;
  line-height: 1.4;
  color: inherit;
  background-color: var(--st-secondary-background-color, #f0f2f6);
  border: 1px solid var(--st-widget-border-color, transparent);
  border-radius: var(--st-base-radius, 0.5rem);
  outline: none;
  resize: vertical;
  transition: border-color 150ms ease;
}
.pj-textarea::placeholder { color: var(--st-text-color, #31333f); opacity: 0.6; }
.pj-textarea:focus { border-color: var(--st-text-color, #31333f); }
.pj-textarea:disabled { cursor: not-allowed; opacity: 0.6; }
.pj-status {
  min-height: 1.25rem;
  margin-top: 0.25rem;
  font-size: 0.75rem;
  line-height: 1.6;
  color: var(--st-gray-text-color, rgba(49, 51, 63, 0.6));
  overflow-wrap: anywhere;
}
.pj-status[data-state="error"] { color: var(--st-red-text-color, #bd4043); }
.pj-status[data-state="retrying"] {
  color: var(--st-orange-text-color, #a14a00);
  font-weight: 600;
}
"""

# The default export runs at mount and again whenever `data` changes (not when it does
# not), with the same DOM: per-mount state therefore lives on the textarea element, and
# listeners are attached once. Streamlit calls only the cleanup returned last, at unmount.
_JS = (
    SHARED_JS
    + """
const DEBOUNCE_MS = __DEBOUNCE_MS__;
const SENT_DEDUPE_MS = 1500;

function readDraft(storageKey) {
  try { return window.localStorage.getItem(storageKey); } catch (e) { return null; }
}
function writeDraft(storageKey, text) {
  try { window.localStorage.setItem(storageKey, text); } catch (e) { /* quota, privacy */ }
}
// Only a draft equal to the stored text goes: another tab's unsaved draft stays.
function dropDraftIfSaved(storageKey, savedText) {
  try {
    if (window.localStorage.getItem(storageKey) === savedText) {
      window.localStorage.removeItem(storageKey);
    }
  } catch (e) { /* privacy mode */ }
}

function createController(root, textarea, label, status) {
  const c = {
    storageKey: null,
    confirmed: "",       // the text the server reports as stored
    error: null,         // {text, message} of the last refused save
    labels: {saved: "Saved", saving: "Saving…", error: "Not saved", retrying: "Retrying…"},
    disabled: false,
    draftWaiting: false, // a draft found while disabled: applied once enabled
    touched: false,
    debounce: null,      // typing pause timer
    waiting: null,       // timer of a send waiting for a quiet moment
    waitStarted: 0,
    waitForce: false,
    retry: null,
    retryDelay: RETRY_MIN_MS,
    lastSent: null,
    lastSentAt: 0,
    lastBusyAt: appBusy() ? Date.now() : 0,
    disconnected: !appConnected(),
    reconnected: false,  // the connection came back: the session may be a new one
    holdClicks: false,   // a click now would share this box's batch: hold it
    heldClick: null,
    seq: 0,
    mountId: Math.random().toString(36).slice(2) + Date.now().toString(36),
    setStateValue: null,
  };

  const errorFor = (text) => c.error !== null && c.error.text === text;
  const cancel = (name) => { if (c[name] !== null) { clearTimeout(c[name]); c[name] = null; } };

  c.render = () => {
    const text = textarea.value;
    const pending = c.debounce !== null || c.waiting !== null;
    let state = "";
    let message = "";
    if (text === c.confirmed && !pending) {
      if (c.touched || text !== "") { state = "saved"; message = c.labels.saved; }
    } else if (errorFor(text) && c.error.retry) {
      // The database is away for a moment: the draft waits here and is sent again (the
      // status stays put while a retry is on its way, rather than flicker to "Saving…").
      state = "retrying";
      message = c.labels.retrying ?? c.error.message;
    } else if (errorFor(text) && !pending) {
      state = "error";
      message = c.error.message ? c.labels.error + ": " + c.error.message : c.labels.error;
    } else {
      state = "saving";
      message = c.labels.saving;
    }
    status.dataset.state = state;
    status.textContent = message;
    root.dataset.state = state;
    // Unconfirmed text with nothing on its way: send it again later (a lost message,
    // a reconnect whose run saved it after this box was drawn).
    if (state === "retrying" && !c.disabled) {
      if (c.retry === null) {
        c.retry = setTimeout(() => { c.retry = null; c.send({force: true}); }, OUTAGE_RETRY_MS);
      }
    } else if (state === "saving" && !pending && !c.disabled) {
      if (c.retry === null) {
        c.retry = setTimeout(() => {
          c.retry = null;
          c.retryDelay = Math.min(c.retryDelay * 2, RETRY_MAX_MS);
          if (c.reconnected && appConnected() && !appBusy()) {
            c.reconnected = false;   // a send after reconnecting got no answer
            c.lastSent = null;
            rerunWholeApp();
            c.render();
          } else {
            c.send({force: true});
          }
        }, c.retryDelay);
      }
    } else {
      cancel("retry");
    }
  };

  // Send the box's text now, if it is news to the server.
  c.flush = (force) => {
    cancel("debounce");
    cancel("waiting");
    c.waitForce = false;
    const text = textarea.value;
    if (c.disabled || c.storageKey === null || c.setStateValue === null) { c.render(); return; }
    if (text === c.confirmed) { dropDraftIfSaved(c.storageKey, c.confirmed); c.render(); return; }
    const recentlySent = text === c.lastSent && Date.now() - c.lastSentAt < SENT_DEDUPE_MS;
    if (recentlySent && !force && !errorFor(text)) { c.render(); return; }
    c.seq += 1;
    c.lastSent = text;
    c.lastSentAt = Date.now();
    c.setStateValue("draft", {
      text: text, storage_key: c.storageKey, mount: c.mountId, seq: c.seq,
    });
    c.holdClicksUntilSent();
    c.render();
  };

  addClickHold(c, textarea);

  // Send soon, at a quiet moment. Streamlit 1.67 drops a button outside this fragment from
  // the page when this fragment's rerun is requested while a full-app run is running or
  // has just ended, so a send after a typing pause waits until no run was requested or
  // running for SETTLE_MS (at most MAX_WAIT_MS). Blur and page hide send at once.
  c.send = ({force = false, now = false} = {}) => {
    if (now) { c.flush(force); return; }
    c.waitForce = c.waitForce || force;
    if (c.waiting !== null) return;
    c.waitStarted = Date.now();
    const tick = () => {
      c.waiting = null;
      const t = Date.now();
      if (appBusy()) c.lastBusyAt = t;
      const quiet = t - c.lastBusyAt >= SETTLE_MS;
      if (quiet || t - c.waitStarted >= MAX_WAIT_MS) {
        c.flush(c.waitForce);
      } else {
        c.waiting = setTimeout(tick, 50);
      }
    };
    c.waiting = setTimeout(tick, 0);
    c.render();
  };

  c.onInput = () => {
    c.touched = true;
    c.retryDelay = RETRY_MIN_MS;
    writeDraft(c.storageKey, textarea.value);
    dropDraftIfSaved(c.storageKey, c.confirmed);
    cancel("debounce");
    c.debounce = setTimeout(() => { c.debounce = null; c.send(); }, DEBOUNCE_MS);
    c.render();
  };
  // Leaving the box (Tab, a click on a button or a link) sends at once: before the run that
  // click starts, which may replace this box (next pitch) or the page.
  c.onBlur = () => c.send({now: true});
  // Nothing can be sent once the page unloads: send now; the draft is in localStorage.
  c.onHidden = () => { if (document.visibilityState === "hidden") c.send({now: true}); };
  c.onPageHide = () => c.send({now: true});
  watchApp(c, () => { if (textarea.value !== c.confirmed) c.send({force: true}); });

  // Fill the box for a storage key: once per mount (and again if the key changes).
  c.load = (data) => {
    c.storageKey = data.storage_key;
    c.confirmed = data.saved ?? "";
    c.touched = false;
    c.lastSent = null;
    const stored = data.value ?? "";
    const draft = readDraft(c.storageKey);
    c.draftWaiting = false;
    if (draft !== null && draft !== stored) {
      if (data.disabled) {
        textarea.value = stored;   // keep the draft for when the box is enabled again
        c.draftWaiting = true;
      } else {
        textarea.value = draft;    // typed but never saved: newer than the database
        c.touched = true;
      }
    } else {
      dropDraftIfSaved(c.storageKey, stored);
      textarea.value = stored;
    }
  };

  c.update = (data) => {
    c.labels = data.labels ?? c.labels;
    label.textContent = data.label ?? "";
    textarea.placeholder = data.placeholder ?? "";
    textarea.style.height = (data.height ?? 120) + "px";
    textarea.setAttribute("aria-label", data.label ?? "");
    root.dataset.storageKey = data.storage_key;
    const wasDisabled = c.disabled;
    c.disabled = !!data.disabled;
    textarea.disabled = c.disabled;
    let loaded = false;
    if (c.storageKey !== data.storage_key) {
      // Another text in the same box: a pending draft of the old one stays in localStorage.
      cancel("debounce");
      cancel("waiting");
      c.load(data);
      loaded = true;
    } else {
      c.confirmed = data.saved ?? "";
      if (wasDisabled && !c.disabled && c.draftWaiting && !c.touched) {
        const draft = readDraft(c.storageKey);
        if (draft !== null && draft !== c.confirmed) { textarea.value = draft; c.touched = true; }
        c.draftWaiting = false;
        loaded = true;
      }
    }
    c.error = data.error ?? null;
    dropDraftIfSaved(c.storageKey, c.confirmed);
    // Drafts of boxes that unmounted (next pitch) before they heard their text was saved.
    for (const [otherKey, savedText] of Object.entries(data.saved_elsewhere ?? {})) {
      if (otherKey !== c.storageKey) dropDraftIfSaved(otherKey, savedText);
    }
    // Just filled with a draft (or a stored text this session has not seen): send it.
    // Otherwise only redraw: a refused text is not sent again until the judge acts.
    if (loaded && textarea.value !== c.confirmed) c.send({force: true});
    else c.render();
  };

  c.cleanup = () => {
    cancel("debounce");
    cancel("waiting");
    cancel("retry");
    c.observer.disconnect();
    document.removeEventListener("visibilitychange", c.onHidden);
    window.removeEventListener("pagehide", c.onPageHide);
    window.removeEventListener("click", c.onClickCapture, true);
    delete textarea.__pjAutosave;
  };

  textarea.addEventListener("input", c.onInput);
  textarea.addEventListener("blur", c.onBlur);
  document.addEventListener("visibilitychange", c.onHidden);
  window.addEventListener("pagehide", c.onPageHide);
  window.addEventListener("click", c.onClickCapture, true);
  return c;
}

export default function (component) {
  const { data, parentElement, setStateValue, key } = component;
  const root = parentElement.querySelector(".pj-autosave");
  const textarea = root.querySelector("textarea");
  const label = root.querySelector("label");
  const status = root.querySelector(".pj-status");
  if (!textarea.id) {
    textarea.id = key + "-textarea";
    label.htmlFor = textarea.id;
  }
  let c = textarea.__pjAutosave;
  if (!c) {
    c = createController(root, textarea, label, status);
    textarea.__pjAutosave = c;
  }
  c.setStateValue = setStateValue;
  c.update(data);
  return c.cleanup;
}
""".replace("__DEBOUNCE_MS__", str(DEBOUNCE_MS))
)

_component = st.components.v2.component(COMPONENT_NAME, html=_HTML, css=_CSS, js=_JS)


def draft_to_save(draft: Any, *, storage_key: str, known: str) -> str | None:
    """The text to persist from the browser's `draft` state, or None when there is nothing.

    The draft is `{"text": ..., "storage_key": ..., ...}` as the component sends it. Nothing
    is saved when it is missing or malformed, when it belongs to another storage key (a box
    reused for another pitch) or when its text is what this session last saved or loaded.
    """
    if not isinstance(draft, dict):
        return None
    text = draft.get("text")
    if not isinstance(text, str) or draft.get("storage_key") != storage_key:
        return None
    if text == known:
        return None
    return text


def _retry(error: Exception, key: str) -> bool:
    """Whether the browser should send a refused save again by itself (the database is
    away for a moment, see `pitchjudge.errors.DatabaseOutage`)."""
    retry = bool(getattr(error, "retry", False))
    if retry:
        _LOGGER.warning("Autosave of %r waits for the database: %s", key, error.__cause__ or error)
    return retry


def _default_describe(error: Exception) -> str:
    if isinstance(error, PitchJudgeError):
        return str(error)
    return ""


def _saved_elsewhere(storage_key: str) -> dict[str, str]:
    """The texts this session saved for other storage keys lately, newest first."""
    trackers = [
        tracker
        for name, tracker in st.session_state.items()
        if isinstance(name, str)
        and name.startswith(_TRACKER_PREFIX)
        and isinstance(tracker, dict)
        and tracker.get("saved_order")
        and tracker.get("storage_key") != storage_key
    ]
    trackers.sort(key=lambda tracker: tracker["saved_order"], reverse=True)
    return {t["storage_key"]: t["known"] for t in trackers[:_SAVED_ELSEWHERE_MAX]}


def _tracker(key: str, storage_key: str, value: str) -> dict[str, Any]:
    """What this session knows about the box `key`: created (or reset) from the database."""
    name = _TRACKER_PREFIX + key
    tracker = st.session_state.get(name)
    if not isinstance(tracker, dict) or tracker.get("storage_key") != storage_key:
        tracker = {"storage_key": storage_key, "known": value, "error": None, "attempted": None}
        st.session_state[name] = tracker
    return tracker


def _sync(
    key: str,
    draft: Any,
    *,
    storage_key: str,
    on_save: Callable[[str], None],
    describe_error: Callable[[Exception], str],
) -> bool:
    """Persist the browser's draft if it is new; True when `on_save` was called."""
    tracker = st.session_state.get(_TRACKER_PREFIX + key)
    if not isinstance(tracker, dict) or tracker.get("storage_key") != storage_key:
        return False
    text = draft_to_save(draft, storage_key=storage_key, known=tracker["known"])
    # The callback and the script body see the same draft in one run: try it once.
    if text is None or draft == tracker.get("attempted"):
        return False
    tracker["attempted"] = dict(draft)
    try:
        on_save(text)
    except Exception as error:
        if not isinstance(error, PitchJudgeError):
            _LOGGER.exception("Autosave of %r refused by an unexpected error", key)
        try:
            message = describe_error(error)
        except Exception:
            message = ""
        tracker["error"] = {"text": text, "message": message, "retry": _retry(error, key)}
    else:
        # No st.* call after on_save: a rerun request arriving meanwhile is raised at the
        # next st.* call (a yield point) and would cut this bookkeeping short.
        tracker["known"] = text
        tracker["saved_order"] = time.monotonic_ns()
        tracker["error"] = None
    return True


def _current_draft(key: str) -> Any:
    state = st.session_state.get(key)
    return state.get("draft") if isinstance(state, dict) else None


@st.fragment
def _autosave_fragment(
    label: str,
    *,
    key: str,
    value: str,
    storage_key: str,
    on_save: Callable[[str], None],
    placeholder: str,
    height: int,
    disabled: bool,
    labels: dict[str, str],
    describe_error: Callable[[Exception], str],
) -> str:
    tracker = _tracker(key, storage_key, value)

    def on_draft_change() -> None:
        if not disabled:
            _sync(
                key,
                _current_draft(key),
                storage_key=storage_key,
                on_save=on_save,
                describe_error=describe_error,
            )

    data = {
        "label": label,
        "value": value,
        "storage_key": storage_key,
        "saved": tracker["known"],
        "saved_elsewhere": _saved_elsewhere(storage_key),
        "error": tracker["error"],
        "placeholder": placeholder,
        "height": int(height),
        "disabled": bool(disabled),
        "labels": labels,
    }
    result = _component(key=key, data=data, on_draft_change=on_draft_change)
    draft = result.get("draft")
    if not disabled:
        # A new session (reconnect, server restart) receives the browser's text without the
        # callback firing. The data above is already drawn; the browser sends the text again
        # a few seconds later and then learns it was saved.
        _sync(
            key,
            draft,
            storage_key=storage_key,
            on_save=on_save,
            describe_error=describe_error,
        )
    if isinstance(draft, dict) and draft.get("storage_key") == storage_key:
        text = draft.get("text")
        if isinstance(text, str):
            return text
    return str(tracker["known"])


def autosave_text_area(
    label: str,
    *,
    key: str,
    value: str,
    storage_key: str,
    on_save: Callable[[str], None],
    placeholder: str = "",
    height: int = 120,
    disabled: bool = False,
    saved_label: str = "Saved",
    saving_label: str = "Saving…",
    error_label: str = "Not saved",
    retrying_label: str = "Connection lost — retrying…",
    describe_error: Callable[[Exception], str] | None = None,
) -> str:
    """A multi-line text box that saves as the judge types; returns the current text.

    The box runs in its own `st.fragment`, created here: callers need not wrap it. A save
    reruns only the box, never the caller's page, so the caller's code is not rerun by
    typing (read the database where the current text matters). It also works inside a
    caller's fragment (fragments nest). Buttons may sit anywhere: a click right after typing
    is held until the box's text is sent, then replayed.

    Parameters
    ----------
    label
        Shown above the box (plain text).
    key
        Widget key, unique on the page. Use one key per thing edited (e.g. include the
        pitch id): the box copies `value` in once per mount only, so changing `key` is how
        to show another text in it.
    value
        The text currently stored in the database. Used to fill the box when it mounts and
        as what this session has "loaded".
    storage_key
        Stable id of the browser's `localStorage` draft, e.g.
        ``f"pj:{judge_id}:{round_id}:{pitch_id}:comment"``. It is the `localStorage` key
        itself. A draft that differs from `value` when the box mounts wins and is saved.
    on_save
        Persists the text. Called only when the text differs from what this session last
        saved or loaded. Raise (ideally a `PitchJudgeError`) to refuse: the status shows
        `error_label` and the reason, and the draft stays in `localStorage`.
    placeholder, height, disabled
        As for `st.text_area` (`height` in pixels). A disabled box saves nothing; a draft
        found while disabled stays in `localStorage`.
    saved_label, saving_label, error_label, retrying_label
        Status texts under the box, translated by the caller. `retrying_label` shows while
        the database is away (`DatabaseOutage`): the draft stays in `localStorage` and is
        sent again every few seconds until it is saved.
    describe_error
        Turns a refusal into the reason shown after `error_label`, e.g.
        ``lambda e: e.localized(_)``. By default a `PitchJudgeError` shows its English
        text and any other exception shows no reason (it is logged with its traceback).

    Returns
    -------
    str
        The text as of this run: what the browser last sent (saved or not), else the text
        last saved or loaded. Fragment-only reruns do not rerun the caller's code, so read
        the database for anything that must be current.
    """
    labels = {
        "saved": saved_label,
        "saving": saving_label,
        "error": error_label,
        "retrying": retrying_label,
    }
    text = _autosave_fragment(
        label,
        key=key,
        value=value,
        storage_key=storage_key,
        on_save=on_save,
        placeholder=placeholder,
        height=height,
        disabled=disabled,
        labels=labels,
        describe_error=describe_error or _default_describe,
    )
    return value if text is None else text
