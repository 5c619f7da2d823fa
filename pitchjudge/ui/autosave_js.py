"""The JavaScript both autosaving components share (`autosave.py`, `autosave_marks.py`).

Streamlit 1.67 behaviours they work around, each measured with Chromium (details in
`pitchjudge.ui.autosave`): a send must wait for a quiet moment after a script run; a click
outside the component that lands in the same batch as its update is lost unless held and
replayed; after a server restart, the page must be rerun whole once. The app's run and
connection state are read from `stApp`'s `data-test-*` attributes (not a public API).

Each component's script starts with `SHARED_JS`, then builds a controller `c` with the
fields `holdClicks`, `heldClick`, `lastBusyAt`, `disconnected`, `reconnected` and
`retryDelay`, and calls `addClickHold(c, own)` and `watchApp(c, onReconnect)`.
"""

SHARED_JS = """
const SETTLE_MS = 200;        // quiet time after a script run before sending
const MAX_WAIT_MS = 5000;     // ... but never wait longer than this
const RETRY_MIN_MS = 3000;
const RETRY_MAX_MS = 30000;
const MAX_LINK_HOLD_MS = 2000;
// A save refused because the database is away for a moment (error.retry): sent again this
// often, with no action from the judge, until it is saved.
const OUTAGE_RETRY_MS = 2000;

// Streamlit's app root says whether a script run is requested or running. Not a public API:
// without the attribute the components simply never wait.
function appRoot() { return document.querySelector('[data-testid="stApp"]'); }
function appBusy() {
  const state = appRoot()?.dataset?.testScriptState;
  return state === "running" || state === "rerunRequested";
}
function appConnected() {
  const state = appRoot()?.dataset?.testConnectionState;
  return state === undefined || state === "CONNECTED";
}
// After the server restarted, the new session knows no fragment until the whole script has
// run once, so the components' sends are dropped. Press Streamlit's "r" (rerun) shortcut,
// once for all of them: the full run receives the browser's values and saves them.
function rerunWholeApp() {
  const last = window.__pjAutosaveRerunAt ?? 0;
  if (Date.now() - last < 5000) return;
  window.__pjAutosaveRerunAt = Date.now();
  const init = {key: "r", code: "KeyR", keyCode: 82, which: 82, bubbles: true};
  document.body.dispatchEvent(new KeyboardEvent("keydown", init));
  document.body.dispatchEvent(new KeyboardEvent("keyup", init));
}

// Streamlit batches the widget updates of one tick (a setTimeout(0)) and reruns only the
// first one's fragment: a click on a button (or any widget) outside this component's
// fragment that lands in the same batch as its update reruns the fragment only, and the
// click is lost. Chrome handles queued input before that timer, so a quick tap right after
// typing does land in it. Until the batch is sent, a click outside `own` is held and
// replayed just after: the value reaches the server first, then the click's run.
function addClickHold(c, own) {
  c.holdClicksUntilSent = () => {
    if (c.holdClicks) return;
    c.holdClicks = true;
    const replay = () => {
      c.holdClicks = false;
      const held = c.heldClick;
      c.heldClick = null;
      if (held && held.target.isConnected) held.target.dispatchEvent(held.event);
    };
    setTimeout(() => {   // queued after Streamlit's flush timer: runs once it has sent
      const link = c.heldClick?.target?.closest?.("a[href]");
      if (!link) { replay(); return; }
      // A link leaves the page: this fragment's run (which saves) must end first, or the
      // page switch overtakes it and the value stays a draft until it is shown again.
      const started = Date.now();
      const wait = () => {
        const t = Date.now() - started;
        if (t < 100 || (appBusy() && t < MAX_LINK_HOLD_MS)) setTimeout(wait, 25);
        else replay();
      };
      wait();
    }, 0);
  };
  c.onClickCapture = (event) => {
    if (!c.holdClicks || !event.isTrusted || event.composedPath().includes(own)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const e = event;
    c.heldClick = {
      target: e.composedPath()[0] ?? e.target,
      event: new MouseEvent("click", {
        bubbles: true, cancelable: true, composed: true, view: window, detail: e.detail,
        screenX: e.screenX, screenY: e.screenY, clientX: e.clientX, clientY: e.clientY,
        ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey,
        button: e.button, buttons: e.buttons,
      }),
    };
  };
}

// Any change of the run state (including the end of a run) counts as "just busy"; when the
// connection comes back, the session may be a new one: `onReconnect` sends again.
function watchApp(c, onReconnect) {
  c.observer = new MutationObserver(() => {
    c.lastBusyAt = Date.now();
    if (!appConnected()) {
      c.disconnected = true;
    } else if (c.disconnected) {
      c.disconnected = false;
      c.reconnected = true;
      c.retryDelay = RETRY_MIN_MS;
      onReconnect();
    }
  });
  const app = appRoot();
  if (app) {
    c.observer.observe(app, {
      attributes: true, attributeFilter: ["data-test-script-state", "data-test-connection-state"],
    });
  }
}
"""
