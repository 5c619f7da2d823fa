"""A judge's marks, one row of toggle buttons per criterion, that no reload can lose.

With one `st.segmented_control` per criterion, a judge who clicks a few marks quickly and
reloads (or closes the laptop) within about a second loses some: the clicks reach the
server, but reruns still queued are dropped when the session disconnects. This module draws
the whole rubric with one inline Components v2 component instead, on the model of
`pitchjudge.ui.autosave` (the comment box):

- a click updates the buttons at once, writes the mark to a `localStorage` draft (key
  ``f"{storage_key}:{criterion_id}"``, value JSON: a number, or ``null`` for a cleared mark)
  and sends every mark not yet confirmed to the server, immediately;
- the server saves each mark that differs from what this session last saved or loaded, and
  sends the saved marks back: a draft is removed once the server has its value, and kept
  while saving it fails ("Not saved: <reason>" next to that row; while the database is away,
  "Connection lost — retrying…" under the rubric, and the marks are sent again every few
  seconds until they are saved);
- when the rubric mounts, drafts that differ from the stored marks win (they were clicked
  but maybe never saved), are shown and sent as soon as the page is quiet;
- a mark changed in the database by another tab is shown unless this tab has a draft of
  its own for that criterion;
- labels, help and option labels are always set as plain text (`textContent`), never HTML.

The Python side saves in the component's `on_pending_change` callback, and again in the
script body when the browser's marks are news to this session (a new session after a
reconnect gets the browser's state without the callback firing).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.formatting import format_number
from pitchjudge.ui.autosave import _default_describe, _retry
from pitchjudge.ui.autosave_js import SHARED_JS

__all__ = ["MarkRow", "autosave_marks", "marks_to_save"]

_LOGGER = logging.getLogger(__name__)

COMPONENT_NAME = "pitchjudge_autosave_marks"
_TRACKER_PREFIX = "_pj_autosave_marks:"
_SAVED_ELSEWHERE_MAX = 20
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class MarkRow:
    """One criterion of the rubric as the judge sees it."""

    criterion_id: int
    label: str  # plain text, e.g. "Team · 20 %": shown bold, and the group's accessible name
    help: str  # plain text in the "?" tooltip (description, level descriptors), "\n" lines
    options: tuple[float, ...]  # the scale's steps, e.g. (1, 2, 3, 4, 5)
    value: float | None  # the mark the database holds now
    levels: str = ""  # plain text shown under the buttons, e.g. "1 = weak · 5 = outstanding"


_HTML = """
<div class="pj-marks">
  <div class="pj-rows"></div>
  <div class="pj-status" role="status" aria-live="polite"></div>
</div>
"""

# Streamlit exposes its theme to v2 components as --st-* custom properties; the fallbacks
# are the light theme's values. The buttons copy st.segmented_control (Streamlit 1.67).
_CSS = """
:host { display: block; }
.pj-marks {
  font-family: var(--st-font, "Source Sans", sans-serif);
  font-size: var(--st-base-font-size, 1rem);
  color: var(--st-text-color, #31333f);
}
.pj-rows { display: flex; flex-direction: column; gap: 0.625rem; }
.pj-head {
  position: relative;
  display: flex;
  align-items: center;
  gap: 0.375rem;
  min-height: 1.5rem;
  margin-bottom: 0.25rem;
}
.pj-label { font-weight: 600; line-height: 1.6; overflow-wrap: anywhere; }
.pj-help {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  flex: none;
  width: 1.25rem;
  height: 1.25rem;
  margin: 0;
  padding: 0;
  color: color-mix(in srgb, var(--st-text-color, #31333f) 60%, transparent);
  background: none;
  border: none;
  border-radius: 50%;
  cursor: help;
}
.pj-help:hover, .pj-help:focus-visible { color: var(--st-text-color, #31333f); }
.pj-help:focus { outline: none; }
.pj-help:focus-visible {
  box-shadow: 0 0 0 0.2rem color-mix(in srgb, var(--st-primary-color, #ff4b4b) 50%, transparent);
}
.pj-tip {
  display: none;
  position: absolute;
  top: calc(100% + 0.25rem);
  left: 0;
  z-index: 10;
  box-sizing: border-box;
  max-width: min(26rem, 100%);
  padding: 0.5rem 0.75rem;
  font-size: 0.875rem;
  font-weight: 400;
  line-height: 1.5;
  color: var(--st-text-color, #31333f);
  background: var(--st-background-color, #ffffff);
  border-radius: var(--st-base-radius, 0.5rem);
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.16), 0 6px 16px rgba(0, 0, 0, 0.12);
  white-space: pre-line;
  overflow-wrap: anywhere;
  pointer-events: none;
}
.pj-help:hover + .pj-tip, .pj-help:focus + .pj-tip { display: block; }
.pj-options { display: flex; flex-wrap: wrap; row-gap: 0.25rem; }
.pj-option {
  position: relative;
  display: inline-flex;
  align-items: center;
  justify-content: center;
  box-sizing: border-box;
  height: 2rem;
  margin: 0 -1px 0 0;
  padding: 0.125rem 1rem;
  font: inherit;
  font-size: 0.875rem;
  line-height: 1.6;
  color: inherit;
  white-space: nowrap;
  background: var(--st-background-color, #ffffff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: 0;
  cursor: pointer;
  user-select: none;
}
.pj-option:first-child {
  border-top-left-radius: var(--st-button-radius, 0.5rem);
  border-bottom-left-radius: var(--st-button-radius, 0.5rem);
}
.pj-option:last-child {
  margin-right: 0;
  border-top-right-radius: var(--st-button-radius, 0.5rem);
  border-bottom-right-radius: var(--st-button-radius, 0.5rem);
}
.pj-option:not(:disabled):hover {
  z-index: 1;
  background: color-mix(in srgb, var(--st-text-color, #31333f) 6%,
    var(--st-background-color, #ffffff));
}
.pj-option[aria-checked="true"]:not(:disabled) {
  z-index: 1;
  color: var(--st-primary-color, #ff4b4b);
  background: color-mix(in srgb, var(--st-primary-color, #ff4b4b) 10%, transparent);
  border-color: var(--st-primary-color, #ff4b4b);
}
.pj-option[aria-checked="true"]:not(:disabled):hover {
  background: color-mix(in srgb, var(--st-primary-color, #ff4b4b) 20%, transparent);
}
.pj-row[data-state="error"] .pj-option[aria-checked="true"]:not(:disabled) {
  border-color: var(--st-red-text-color, #bd4043);
}
.pj-option:focus { outline: none; }
.pj-option:focus-visible {
  z-index: 2;
  box-shadow: 0 0 0 0.2rem color-mix(in srgb, var(--st-primary-color, #ff4b4b) 50%, transparent);
}
.pj-option:disabled {
  cursor: not-allowed;
  color: color-mix(in srgb, var(--st-text-color, #31333f) 40%, transparent);
  background: transparent;
}
.pj-option:disabled[aria-checked="true"] {
  z-index: 1;
  font-weight: 700;
  color: var(--st-background-color, #ffffff);
  /* the theme's green for text: white on it keeps a readable contrast */
  background: var(--st-green-text-color, #158237);
  border-color: var(--st-green-text-color, #158237);
}
.pj-option:disabled[aria-checked="true"]::before { content: "✓\\00a0"; }
.pj-row-status {
  margin-top: 0.125rem;
  font-size: 0.75rem;
  line-height: 1.6;
  color: var(--st-red-text-color, #bd4043);
  overflow-wrap: anywhere;
}
.pj-row-status:empty { display: none; }
.pj-levels {
  margin-top: 0.25rem;
  font-size: 0.8125rem;
  line-height: 1.5;
  color: var(--st-gray-text-color, rgba(49, 51, 63, 0.6));
  overflow-wrap: anywhere;
}
.pj-levels:empty { display: none; }
.pj-row { border-radius: var(--st-base-radius, 0.5rem); }
.pj-row[data-missing="true"] {
  margin: -0.25rem -0.375rem;
  padding: 0.25rem 0.375rem;
  outline: 2px solid var(--st-red-text-color, #bd4043);
  background: color-mix(in srgb, var(--st-red-text-color, #bd4043) 6%, transparent);
}
.pj-status {
  min-height: 1.25rem;
  margin-top: 0.375rem;
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

# Streamlit's help icon (a static SVG: no user text goes through innerHTML).
_HELP_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round" aria-hidden="true" focusable="false"><circle cx="12" cy="12" '
    'r="10"></circle><path d="M9.09 9a3 3 0 0 1 5.83 1c0 2-3 3-3 3"></path>'
    '<line x1="12" y1="17" x2="12.01" y2="17"></line></svg>'
)

# The default export runs at mount and again whenever `data` changes, with the same DOM:
# per-mount state lives on the root element and listeners are attached once. Streamlit
# calls only the cleanup returned last, at unmount. The app-state helpers, the held clicks
# and the reconnect watch are shared with the text box (pitchjudge/ui/autosave_js.py).
_JS = (
    SHARED_JS
    + """
const HELP_ICON = __HELP_ICON__;

// Marks are numbers or null (cleared); ids are strings (JSON object keys).
function same(a, b) {
  a = a ?? null;
  b = b ?? null;
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) < 1e-9;
}
function readDraft(key) {   // undefined: no draft (or not one of ours)
  try {
    const raw = window.localStorage.getItem(key);
    if (raw === null) return undefined;
    const value = JSON.parse(raw);
    if (value === null || (typeof value === "number" && Number.isFinite(value))) return value;
  } catch (e) { /* privacy mode, not JSON */ }
  return undefined;
}
function writeDraft(key, value) {
  try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* quota */ }
}
function removeDraft(key) {
  try { window.localStorage.removeItem(key); } catch (e) { /* privacy mode */ }
}
// Only a draft equal to the stored mark goes: another tab's unsaved draft stays.
function dropDraftIfSaved(key, saved) {
  const draft = readDraft(key);
  if (draft !== undefined && same(draft, saved)) removeDraft(key);
}

function createController(root, idPrefix) {
  const rowsBox = root.querySelector(".pj-rows");
  const status = root.querySelector(".pj-status");
  const c = {
    storageKey: null,
    rowsSig: null,
    rows: [],
    els: new Map(),      // id -> {row, group, buttons: [{button, value}], status}
    saved: {},           // id -> the mark the server reports as stored
    errors: {},          // id -> {value, message} of the last refused save
    ack: 0,              // the last `seq` of this mount the server has processed
    pending: new Map(),  // id -> {value, seq}: chosen here, not yet confirmed
    labels: {
      saved: "Saved", saving: "Saving…", error: "Not saved", retrying: "Retrying…", help: "Help",
      missing: "",
    },
    missing: new Set(),  // ids of criteria a refused submit found without a mark
    shownMissing: null,  // the submit attempt whose first missing criterion was shown
    disabled: false,
    draftsWaiting: false,  // drafts left alone while disabled: read once enabled
    touched: false,
    waiting: null,       // timer of a send waiting for a quiet moment
    waitStarted: 0,
    retry: null,
    retryDelay: RETRY_MIN_MS,
    lastBusyAt: appBusy() ? Date.now() : 0,
    disconnected: !appConnected(),
    reconnected: false,
    holdClicks: false,
    heldClick: null,
    seq: 0,
    mountId: Math.random().toString(36).slice(2) + Date.now().toString(36),
    setStateValue: null,
  };

  const cancel = (name) => { if (c[name] !== null) { clearTimeout(c[name]); c[name] = null; } };
  const draftKey = (id) => c.storageKey + ":" + id;
  const savedValue = (id) => c.saved[id] ?? null;
  const shown = (id) => (c.pending.has(id) ? c.pending.get(id).value : savedValue(id));
  const rowState = (id) => {
    const entry = c.pending.get(id);
    if (!entry) return "saved";
    const error = c.errors[id];
    if (entry.seq <= c.ack && error && same(error.value, entry.value)) {
      return error.retry ? "retrying" : "error";
    }
    return "saving";
  };

  c.build = () => {
    rowsBox.replaceChildren();
    c.els = new Map();
    c.rows.forEach((row, index) => {
      const id = String(row.id);
      const el = document.createElement("div");
      el.className = "pj-row";
      el.dataset.criterion = id;
      const head = document.createElement("div");
      head.className = "pj-head";
      const label = document.createElement("span");
      label.className = "pj-label";
      label.textContent = row.label ?? "";
      head.append(label);
      const group = document.createElement("div");
      group.className = "pj-options";
      group.setAttribute("role", "radiogroup");
      group.setAttribute("aria-label", row.label ?? "");
      const rowStatus = document.createElement("div");
      rowStatus.className = "pj-row-status";
      rowStatus.id = `${idPrefix}-status-${index}`;
      const describedBy = [rowStatus.id];
      let help = null;
      if (row.help) {
        help = document.createElement("button");
        help.type = "button";
        help.className = "pj-help";
        help.innerHTML = HELP_ICON;   // a constant: no user text
        const tip = document.createElement("div");
        tip.className = "pj-tip";
        tip.id = `${idPrefix}-help-${index}`;
        tip.setAttribute("role", "tooltip");
        tip.textContent = row.help;
        help.setAttribute("aria-describedby", tip.id);
        help.addEventListener("keydown", (event) => {
          if (event.key === "Escape") help.blur();
        });
        head.append(help, tip);
        describedBy.unshift(tip.id);
      }
      const levels = document.createElement("div");
      levels.className = "pj-levels";
      levels.id = `${idPrefix}-levels-${index}`;
      levels.textContent = row.levels ?? "";
      if (row.levels) describedBy.push(levels.id);
      group.setAttribute("aria-describedby", describedBy.join(" "));
      const buttons = (row.options ?? []).map((option) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "pj-option";
        button.setAttribute("role", "radio");
        button.setAttribute("aria-checked", "false");
        button.textContent = option.label;
        button.setAttribute("aria-label", option.label);   // not the "✓" of a submitted mark
        button.addEventListener("click", () => c.choose(id, option.value));
        group.append(button);
        return {button, value: option.value};
      });
      // Radio-group keys: arrows (and Home/End) move between the buttons, Space/Enter
      // choose; Tab enters the group once, on its chosen button or its first one.
      group.addEventListener("keydown", (event) => {
        const list = buttons.map((b) => b.button);
        const at = list.indexOf(event.target);
        if (at < 0 || list.length === 0) return;
        const moves = {
          ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
          Home: 0, End: list.length - 1,
        };
        if (!(event.key in moves)) return;
        event.preventDefault();
        const next = (moves[event.key] + list.length) % list.length;
        list.forEach((b, i) => { b.tabIndex = i === next ? 0 : -1; });
        list[next].focus();
      });
      el.append(head, group, levels, rowStatus);
      rowsBox.append(el);
      c.els.set(id, {row: el, group, buttons, status: rowStatus, help});
    });
  };

  c.render = () => {
    let saving = false;
    let retrying = false;
    let anyValue = false;
    const messages = [];
    for (const row of c.rows) {
      const id = String(row.id);
      const els = c.els.get(id);
      if (!els) continue;
      const value = shown(id);
      if (value !== null) anyValue = true;
      let tabbable = null;
      for (const {button, value: option} of els.buttons) {
        const on = value !== null && same(option, value);
        button.setAttribute("aria-checked", on ? "true" : "false");
        button.disabled = c.disabled;
        if (on) tabbable = button;
      }
      if (!els.group.contains(root.getRootNode().activeElement)) {
        tabbable = tabbable ?? els.buttons[0]?.button ?? null;
        for (const {button} of els.buttons) button.tabIndex = button === tabbable ? 0 : -1;
      }
      if (els.help) els.help.setAttribute("aria-label", c.labels.help);
      els.group.setAttribute("aria-disabled", c.disabled ? "true" : "false");
      const state = rowState(id);
      els.row.dataset.state = state;
      const missing = c.missing.has(id) && value === null;
      els.row.dataset.missing = missing ? "true" : "false";
      if (state === "saving") saving = true;
      if (state === "retrying") retrying = true;
      if (state === "error") {
        const message = c.errors[id].message ?? "";
        messages.push(message);
        els.status.textContent = message ? c.labels.error + ": " + message : c.labels.error;
      } else {
        els.status.textContent = missing ? c.labels.missing ?? "" : "";
      }
    }
    let state = "";
    let message = "";
    if (saving) {
      state = "saving";
      message = c.labels.saving;
    } else if (retrying) {
      // The database is away for a moment: the marks wait here and are sent again.
      state = "retrying";
      message = c.labels.retrying;
    } else if (messages.length) {
      state = "error";
      const reasons = new Set(messages);
      const only = reasons.size === 1 ? messages[0] : "";
      message = only ? c.labels.error + ": " + only : c.labels.error;
    } else if (c.touched || anyValue) {
      state = "saved";
      message = c.labels.saved;
    }
    status.dataset.state = state;
    status.textContent = message;
    root.dataset.state = state;
    // Unconfirmed marks with nothing on its way: send them again later (a message lost in
    // a reconnect, a new session whose run saved them after the rubric was drawn).
    if (retrying && !saving && !c.disabled && c.waiting === null) {
      if (c.retry === null) {
        c.retry = setTimeout(() => { c.retry = null; c.send(); }, OUTAGE_RETRY_MS);
      }
    } else if (saving && !c.disabled && c.waiting === null) {
      if (c.retry === null) {
        c.retry = setTimeout(() => {
          c.retry = null;
          c.retryDelay = Math.min(c.retryDelay * 2, RETRY_MAX_MS);
          if (c.reconnected && appConnected() && !appBusy()) {
            c.reconnected = false;   // a send after reconnecting got no answer
            rerunWholeApp();
            c.render();
          } else {
            c.send();
          }
        }, c.retryDelay);
      }
    } else {
      cancel("retry");
      if (!saving && !retrying) c.retryDelay = RETRY_MIN_MS;
    }
  };

  // Send every unconfirmed mark now.
  c.flush = () => {
    cancel("waiting");
    if (c.disabled || c.storageKey === null || c.setStateValue === null || !c.pending.size) {
      c.render();
      return;
    }
    c.seq += 1;
    const marks = {};
    for (const [id, entry] of c.pending) marks[id] = entry.value;
    c.setStateValue("pending", {
      storage_key: c.storageKey, marks: marks, mount: c.mountId, seq: c.seq,
    });
    cancel("retry");
    c.holdClicksUntilSent();
    c.render();
  };

  // Send soon, at a quiet moment (drafts found at mount, retries): Streamlit 1.67 drops a
  // button outside this fragment from the page when this fragment's rerun is requested
  // while a full-app run is running or has just ended.
  c.send = () => {
    if (c.waiting !== null) return;
    c.waitStarted = Date.now();
    const tick = () => {
      c.waiting = null;
      const t = Date.now();
      if (appBusy()) c.lastBusyAt = t;
      if (t - c.lastBusyAt >= SETTLE_MS || t - c.waitStarted >= MAX_WAIT_MS) {
        c.flush();
      } else {
        c.waiting = setTimeout(tick, 50);
      }
    };
    c.waiting = setTimeout(tick, 0);
    c.render();
  };

  // A click (or Space/Enter): the mark shows, is kept in localStorage, and goes at once.
  // Choosing the chosen mark again clears it.
  c.choose = (id, value) => {
    if (c.disabled || c.storageKey === null) return;
    const next = same(shown(id), value) ? null : value;
    c.touched = true;
    c.retryDelay = RETRY_MIN_MS;
    c.pending.set(id, {value: next, seq: c.seq + 1});
    writeDraft(draftKey(id), next);
    c.flush();
  };

  addClickHold(c, root);
  watchApp(c, () => { if (c.pending.size) c.send(); });

  // Drafts that differ from the stored marks win: clicked here, maybe never saved.
  c.loadDrafts = () => {
    let found = false;
    for (const row of c.rows) {
      const id = String(row.id);
      const key = draftKey(id);
      const draft = readDraft(key);
      if (draft === undefined) continue;
      const known = draft === null || (row.options ?? []).some((o) => same(o.value, draft));
      if (!known || same(draft, savedValue(id))) {
        removeDraft(key);   // not on this scale any more, or saved already
        continue;
      }
      c.pending.set(id, {value: draft, seq: c.seq + 1});
      c.touched = true;
      found = true;
    }
    return found;
  };

  c.update = (data) => {
    c.labels = data.labels ?? c.labels;
    root.dataset.storageKey = data.storage_key;
    const sig = JSON.stringify(data.rows ?? []);
    if (sig !== c.rowsSig) {
      c.rowsSig = sig;
      c.rows = data.rows ?? [];
      c.build();
    }
    const wasDisabled = c.disabled;
    c.disabled = !!data.disabled;
    root.dataset.disabled = c.disabled ? "true" : "false";
    c.saved = data.saved ?? {};
    c.errors = data.errors ?? {};
    const ack = data.ack;
    if (ack && ack.mount === c.mountId && ack.seq > c.ack) c.ack = ack.seq;
    let loaded = false;
    if (c.storageKey !== data.storage_key) {
      // Another scorecard in the same rubric: its drafts; the old one's stay in localStorage.
      cancel("waiting");
      c.storageKey = data.storage_key;
      c.pending = new Map();
      c.touched = false;
      c.draftsWaiting = c.disabled;
      if (!c.disabled) loaded = c.loadDrafts();
    } else if (c.disabled && !wasDisabled) {
      c.pending = new Map();     // drafts stay in localStorage for when it is enabled
      c.draftsWaiting = true;
    } else if (!c.disabled && c.draftsWaiting) {
      c.draftsWaiting = false;
      loaded = c.loadDrafts();
    }
    // Marks the server has processed (the state it last handled includes them) and not
    // refused: confirmed, their drafts go. What it saved may differ since (another tab):
    // it is then shown, as the server reports it.
    for (const [id, entry] of [...c.pending]) {
      const error = c.errors[id];
      if (entry.seq <= c.ack && !(error && same(error.value, entry.value))) {
        c.pending.delete(id);
        dropDraftIfSaved(draftKey(id), entry.value);
      }
    }
    for (const row of c.rows) {
      const id = String(row.id);
      if (!c.pending.has(id)) dropDraftIfSaved(draftKey(id), savedValue(id));
    }
    // Drafts of rubrics that unmounted (next pitch) before they heard their marks were saved.
    for (const [key, value] of Object.entries(data.saved_elsewhere ?? {})) {
      if (!key.startsWith(c.storageKey + ":")) dropDraftIfSaved(key, value);
    }
    c.missing = new Set((data.missing ?? []).map(String));
    if (loaded) c.send();
    else c.render();
    // A refused submit: bring its first missing criterion into view, once per attempt.
    if (data.missing_attempt && data.missing_attempt !== c.shownMissing) {
      c.shownMissing = data.missing_attempt;
      const first = c.rows.map((r) => String(r.id)).find(
        (id) => c.missing.has(id) && shown(id) === null);
      const els = first === undefined ? null : c.els.get(first);
      if (els) {
        els.row.scrollIntoView({block: "center"});
        const target = els.buttons.find(({button}) => button.tabIndex === 0) ?? els.buttons[0];
        target?.button.focus({preventScroll: true});
      }
    }
  };

  c.cleanup = () => {
    cancel("waiting");
    cancel("retry");
    c.observer.disconnect();
    window.removeEventListener("click", c.onClickCapture, true);
    delete root.__pjMarks;
  };

  window.addEventListener("click", c.onClickCapture, true);
  return c;
}

export default function (component) {
  const { data, parentElement, setStateValue, key } = component;
  const root = parentElement.querySelector(".pj-marks");
  let c = root.__pjMarks;
  if (!c) {
    c = createController(root, String(key).replace(/[^A-Za-z0-9_-]/g, "_"));
    root.__pjMarks = c;
  }
  c.setStateValue = setStateValue;
  c.update(data);
  return c.cleanup;
}
""".replace("__HELP_ICON__", json.dumps(_HELP_ICON))
)

_component = st.components.v2.component(COMPONENT_NAME, html=_HTML, css=_CSS, js=_JS)


def _mark(value: Any) -> tuple[bool, float | None]:
    """(valid, value) for a mark as JSON gives it: a finite number, or None (cleared)."""
    if value is None:
        return True, None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False, None
    if not math.isfinite(value):
        return False, None
    return True, float(value)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=0, abs_tol=_TOLERANCE)


def marks_to_save(
    pending: Any,
    *,
    storage_key: str,
    known: Mapping[int, float | None],
    options: Mapping[int, Sequence[float]] | None = None,
) -> dict[int, float | None]:
    """The marks to persist from the browser's `pending` state, in the order of `known`.

    `pending` is ``{"storage_key": ..., "marks": {"<criterion id>": number | None}, ...}`` as
    the component sends it. `known` maps every criterion of the rubric to what this session
    last saved or loaded. A mark is kept when its criterion is in `known`, its value is a
    number (one of `options[criterion]` when given) or None, and it differs from `known`.
    Nothing is kept from a missing or malformed state, or one of another storage key (a
    rubric reused for another pitch).
    """
    if not isinstance(pending, Mapping) or pending.get("storage_key") != storage_key:
        return {}
    marks = pending.get("marks")
    if not isinstance(marks, Mapping):
        return {}
    wanted: dict[int, float | None] = {}
    for raw_id, raw_value in marks.items():
        try:
            criterion_id = int(raw_id)
        except (TypeError, ValueError):
            continue
        valid, value = _mark(raw_value)
        if not valid or criterion_id not in known:
            continue
        steps = options.get(criterion_id) if options is not None else None
        if value is not None and steps is not None and not any(_same(value, s) for s in steps):
            continue
        wanted[criterion_id] = value
    return {
        criterion_id: wanted[criterion_id]
        for criterion_id, value in known.items()
        if criterion_id in wanted and not _same(wanted[criterion_id], value)
    }


def _tracker(key: str, storage_key: str, rows: Sequence[MarkRow]) -> dict[str, Any]:
    """What this session knows about the rubric `key`, brought up to date with the database.

    `db` holds the values the caller passed last time: a value that changed since (another
    tab, another device) becomes what this session "knows". Fragment-only reruns pass the
    same (possibly stale) rows again, which changes nothing.
    """
    name = _TRACKER_PREFIX + key
    tracker = st.session_state.get(name)
    if not isinstance(tracker, dict) or tracker.get("storage_key") != storage_key:
        tracker = {"storage_key": storage_key, "db": {}, "known": {}, "errors": {}}
        tracker["attempted"] = None
        st.session_state[name] = tracker
    db, known = tracker["db"], tracker["known"]
    for row in rows:
        value = None if row.value is None else float(row.value)
        if row.criterion_id not in db or not _same(db[row.criterion_id], value):
            db[row.criterion_id] = value
            known[row.criterion_id] = value
    return tracker


def _saved_elsewhere(storage_key: str) -> dict[str, float | None]:
    """The marks this session saved lately for other rubrics, by their `localStorage` key."""
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
    return {
        f"{tracker['storage_key']}:{criterion_id}": value
        for tracker in trackers[:_SAVED_ELSEWHERE_MAX]
        for criterion_id, value in tracker["known"].items()
    }


def _sync(
    key: str,
    pending: Any,
    *,
    storage_key: str,
    options: Mapping[int, Sequence[float]],
    on_save: Callable[[int, float | None], None],
    describe_error: Callable[[Exception], str],
) -> int:
    """Persist the browser's marks that are new; the number of `on_save` calls."""
    tracker = st.session_state.get(_TRACKER_PREFIX + key)
    if not isinstance(tracker, dict) or tracker.get("storage_key") != storage_key:
        return 0
    # The callback and the script body see the same state in one run: try it once. The
    # browser sends a new `seq` with every click, every mount and every retry.
    if not isinstance(pending, Mapping) or pending.get("storage_key") != storage_key:
        return 0
    if pending == tracker.get("attempted"):
        return 0
    to_save = marks_to_save(
        pending, storage_key=storage_key, known=tracker["known"], options=options
    )
    for criterion_id, value in to_save.items():
        try:
            on_save(criterion_id, value)
        except Exception as error:
            if not isinstance(error, PitchJudgeError):
                _LOGGER.exception("Mark %s of %r refused by an unexpected error", criterion_id, key)
            try:
                message = describe_error(error)
            except Exception:
                message = ""
            tracker["errors"][criterion_id] = {
                "value": value,
                "message": message,
                "retry": _retry(error, key),
            }
        else:
            # No st.* call between saves: a rerun request arriving meanwhile is raised at the
            # next st.* call (session_state included) and would cut this bookkeeping short.
            # Then the next run tries the marks left (`attempted` is set only at the end).
            tracker["known"][criterion_id] = value
            tracker["errors"].pop(criterion_id, None)
            tracker["saved_order"] = time.monotonic_ns()
    # A refusal is over once the browser's mark is what is stored (e.g. another tab's).
    marks = pending.get("marks")
    for criterion_id in list(tracker["errors"]):
        if criterion_id in to_save or not isinstance(marks, Mapping):
            continue
        valid, value = _mark(marks.get(str(criterion_id), math.nan))
        if valid and _same(value, tracker["known"].get(criterion_id)):
            del tracker["errors"][criterion_id]
    tracker["attempted"] = dict(pending)
    return len(to_save)


def _current_pending(key: str) -> Any:
    state = st.session_state.get(key)
    return state.get("pending") if isinstance(state, dict) else None


def _component_data(
    tracker: dict[str, Any],
    rows: Sequence[MarkRow],
    *,
    storage_key: str,
    disabled: bool,
    labels: dict[str, str],
    missing: Sequence[int] = (),
    missing_attempt: str | None = None,
) -> dict[str, Any]:
    attempted = tracker.get("attempted")
    ack = None
    if isinstance(attempted, Mapping):
        ack = {"mount": attempted.get("mount"), "seq": attempted.get("seq")}
    return {
        "storage_key": storage_key,
        "rows": [
            {
                "id": row.criterion_id,
                "label": row.label,
                "help": row.help,
                "levels": row.levels,
                "options": [
                    {
                        "value": float(option),
                        "label": format_number(option, language=labels.get("language", "en")),
                    }
                    for option in row.options
                ],
            }
            for row in rows
        ],
        "saved": {str(cid): value for cid, value in tracker["known"].items()},
        "errors": {str(cid): error for cid, error in tracker["errors"].items()},
        "ack": ack,
        "saved_elsewhere": _saved_elsewhere(storage_key),
        "disabled": bool(disabled),
        "labels": labels,
        "missing": [int(cid) for cid in missing],
        "missing_attempt": missing_attempt,
    }


@st.fragment
def _marks_fragment(
    *,
    key: str,
    rows: tuple[MarkRow, ...],
    storage_key: str,
    on_save: Callable[[int, float | None], None],
    disabled: bool,
    labels: dict[str, str],
    describe_error: Callable[[Exception], str],
    missing: tuple[int, ...],
    missing_attempt: str | None,
) -> dict[int, float | None]:
    tracker = _tracker(key, storage_key, rows)
    options = {row.criterion_id: tuple(float(o) for o in row.options) for row in rows}

    def sync(pending: Any) -> None:
        _sync(
            key,
            pending,
            storage_key=storage_key,
            options=options,
            on_save=on_save,
            describe_error=describe_error,
        )

    def on_pending_change() -> None:
        if not disabled:
            sync(_current_pending(key))

    data = _component_data(
        tracker,
        rows,
        storage_key=storage_key,
        disabled=disabled,
        labels=labels,
        missing=missing,
        missing_attempt=missing_attempt,
    )
    result = _component(key=key, data=data, on_pending_change=on_pending_change)
    if not disabled:
        # A new session (reconnect, server restart) receives the browser's marks without
        # the callback firing. The data above is already drawn; the browser sends the marks
        # again a few seconds later and then learns they were saved.
        sync(result.get("pending"))
    return {row.criterion_id: tracker["known"].get(row.criterion_id) for row in rows}


def autosave_marks(
    *,
    key: str,
    rows: Sequence[MarkRow],
    storage_key: str,
    on_save: Callable[[int, float | None], None],
    disabled: bool = False,
    saved_label: str = "Saved",
    saving_label: str = "Saving…",
    error_label: str = "Not saved",
    retrying_label: str = "Connection lost — retrying…",
    describe_error: Callable[[Exception], str] | None = None,
    help_label: str = "Help",
    missing: Sequence[int] = (),
    missing_attempt: str | None = None,
    missing_label: str = "",
    language: str = "en",
) -> dict[int, float | None]:
    """The rubric: one row of toggle buttons per criterion, each click saved at once.

    It runs in its own `st.fragment` (created here, like `autosave_text_area`): a click
    reruns only the rubric, never the caller's code. It may be called inside a caller's
    fragment (fragments nest); the caller's other elements (e.g. a count of marks) are
    refreshed on the caller's next run, not on each click.

    Parameters
    ----------
    key
        Widget key, unique on the page. Use one per scorecard (e.g. include the pitch id).
    rows
        The criteria, in order, with the marks the database holds now (`MarkRow.value`).
        A value that differs from the one passed on an earlier run (another tab wrote it) is
        shown, unless this browser has a draft of its own for that criterion.
    storage_key
        Stable prefix of the browser's `localStorage` drafts, e.g.
        ``f"pj:{judge_id}:{round_id}:{pitch_id}:marks"``; each criterion's draft is at
        ``f"{storage_key}:{criterion_id}"``. A draft that differs from the stored mark when
        the rubric mounts wins and is saved.
    on_save
        Persists one mark: ``on_save(criterion_id, value)``, `value` None when cleared.
        Called only for marks that differ from what this session last saved or loaded.
        Raise (ideally a `PitchJudgeError`) to refuse: that row shows `error_label` and the
        reason, the draft stays in `localStorage`, and the other marks are still saved.
    disabled
        Read-only: the marks are shown, no click is possible and nothing is sent; drafts
        stay in `localStorage` for when the rubric is enabled again.
    saved_label, saving_label, error_label, retrying_label, help_label
        Status texts under the rubric and the accessible name of the "?" buttons,
        translated by the caller. `retrying_label` shows while the database is away
        (`DatabaseOutage`): the marks stay in `localStorage` and are sent again every few
        seconds until they are saved.
    missing, missing_attempt, missing_label
        Criteria a refused submit found without a mark: their rows are outlined and say
        `missing_label` until they get one. Each new `missing_attempt` (any string that
        changes per attempt) scrolls the first of them into view and focuses it.
    describe_error
        Turns a refusal into the reason shown after `error_label`, e.g.
        ``lambda e: e.localized(_)``. By default a `PitchJudgeError` shows its English
        text and any other exception shows no reason (it is logged with its traceback).

    Returns
    -------
    dict[int, float | None]
        Each criterion's mark as stored as far as this session knows (saved or loaded;
        refused and unsent marks are not included). Fragment-only reruns do not rerun the
        caller's code, so read the database for anything that must be current.
    """
    labels = {
        "saved": saved_label,
        "saving": saving_label,
        "error": error_label,
        "retrying": retrying_label,
        "help": help_label,
        "missing": missing_label,
        # How the buttons write a mark such as 1.5 ("1,5" in French).
        "language": language,
    }
    marks = _marks_fragment(
        key=key,
        rows=tuple(rows),
        storage_key=storage_key,
        on_save=on_save,
        disabled=disabled,
        labels=labels,
        describe_error=describe_error or _default_describe,
        missing=tuple(missing),
        missing_attempt=missing_attempt,
    )
    if marks is None:
        return {row.criterion_id: row.value for row in rows}
    return marks
