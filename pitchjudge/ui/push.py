"""The room screens' end of the push channel (`pitchjudge.push`): a tiny Components v2 element
that listens to the server-sent events of the page's link and reruns the page (or the fragment
it is drawn in) as soon as what it shows has changed.

The pages keep their refresh fragment's `run_every` polling: when the stream cannot open or
drops (a proxy that buffers it, a server restart), the screen still follows at the refresh
interval, and the element reconnects by itself. A hidden tab closes its stream (a judge's
laptop with several tabs open must not run out of connections) and reopens it when shown.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from pitchjudge import push as channel
from pitchjudge.ui import state

_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  const s = parentElement.__pjPush || (parentElement.__pjPush = { tries: 0 });
  // The stream's status, for tests and curious eyes: <span data-push="open">.
  const marker = parentElement.querySelector("span");
  clearTimeout(s.closing);
  // What the page shows now: a change is a digest different from it.
  s.known = data.signature;
  s.topic = data.topic;
  s.trigger = setTriggerValue;
  s.setState = setStateValue;
  const mark = (status) => marker && marker.setAttribute("data-push", status);
  if (marker) marker.setAttribute("data-fallback", data.fallback);
  // "live": events really arrive (a change or a heartbeat within 3 heartbeats), so the page
  // may poll rarely; anything else hands the screen back to polling at once.
  const live = (value) => {
    if (value) s.news = Date.now();
    if (s.live !== value) { s.live = value; s.setState("live", value); }
  };
  s.live = s.live === undefined ? data.live : s.live;
  if (!s.watchdog) {
    s.watchdog = setInterval(() => {
      if (s.live && Date.now() - (s.news || 0) > data.stale_ms) live(false);
    }, 1000);
  }

  const close = () => {
    clearTimeout(s.retry);
    if (s.source) { s.source.close(); s.source = null; }
  };
  const open = () => {
    close();
    if (document.visibilityState === "hidden") { mark("hidden"); live(false); return; }
    const source = new EventSource(s.url);
    s.source = source;
    mark("connecting");
    source.addEventListener("open", () => { s.tries = 0; mark("open"); });
    source.addEventListener("change", (message) => {
      mark("open");
      live(true);
      const value = JSON.parse(message.data)[s.topic];
      if (value !== undefined && value !== s.known && value !== s.sent) {
        s.sent = value;
        s.trigger("change", value);
      }
    });
    source.addEventListener("ping", () => { mark("open"); live(true); });
    // The server cannot read the database for now: poll (the page shows it is reconnecting).
    source.addEventListener("away", () => { mark("away"); live(false); });
    source.addEventListener("revoked", () => {
      // The link was replaced: the page's own check shows it; no more events.
      close();
      mark("revoked");
      live(false);
      s.trigger("change", "revoked");
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) {
        // Refused or not there (an old server, a proxy): polling goes on; try again later.
        mark("down");
        live(false);
        close();
        s.tries += 1;
        s.retry = setTimeout(open, Math.min(30000, 2000 * 2 ** Math.min(s.tries, 4)));
      } else {
        mark("reconnecting");  // the browser reconnects by itself
        live(false);
      }
    });
  };
  if (s.url !== data.url) { s.url = data.url; open(); }
  if (!s.onVisibility) {
    s.onVisibility = () => {
      if (document.visibilityState === "hidden") { close(); mark("hidden"); live(false); }
      else if (!s.source) { s.sent = null; open(); }
    };
    document.addEventListener("visibilitychange", s.onVisibility);
  }
  return () => {
    // Unmounted, or drawn again: keep the stream unless no new drawing comes.
    s.closing = setTimeout(() => {
      close();
      clearInterval(s.watchdog);
      s.watchdog = null;
      document.removeEventListener("visibilitychange", s.onVisibility);
      s.onVisibility = null;
      s.url = null;
    }, 1000);
  };
}
"""

BOARD, STAGE = channel.BOARD, channel.STAGE

_component = st.components.v2.component(
    "pitchjudge_push", html='<span data-push="off"></span>', js=_JS
)
# The element draws nothing and must take no room on a screen that has to fit.
_HIDE = "<style>[class*='st-key-pj_push_'] { display: none !important; }</style>"


def _link() -> dict[str, str]:
    """The page's own link, which authorises its events."""
    for name in ("display", "judge"):
        token = st.query_params.get(name)
        if token:
            return {name: token}
    return {}


def events_url(link: dict[str, str]) -> str:
    """The push route's address as the browser reaches it (below any base path)."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{'/' + base if base else ''}{channel.PATH}?{urlencode(link)}"


#: While events arrive, a room screen's polling is only a safety net: this often (seconds).
LIVE_FALLBACK_S = 30.0


def fallback_interval(live: bool) -> str:
    """How often the page's refresh fragment polls: the refresh setting, or rarely while the
    push channel is live (an unchanged board then costs next to nothing)."""
    refresh = state.get_settings().refresh_s
    return f"{max(refresh, LIVE_FALLBACK_S) if live else refresh}s"


def follow(contest_id: int, topic: str, *, key: str) -> bool:
    """Rerun as soon as `topic` (`BOARD` or `STAGE`) changes for the contest: the whole page
    when called outside a fragment (a room screen redraws anyway: one step less), the
    fragment when called inside one (the judge's stage bar, beside a scorecard being typed).
    Needs the display or judge link in the address. Returns whether the channel is live
    (events arrive); the element reruns the page when that changes."""
    link = _link()
    if not link:
        return False
    with state.db_session(read_only=True) as session:
        current = channel.signature(session=session, contest_id=contest_id)[topic]
    widget_key = f"pj_push_{key}"
    previous = st.session_state.get(widget_key)
    was_live = bool(getattr(previous, "live", False)) if previous is not None else False
    st.html(_HIDE)
    result = _component(
        key=widget_key,
        data={
            "url": events_url(link),
            "topic": topic,
            "signature": current,
            "live": was_live,
            # How often the page polls now, shown on the element (data-fallback) for tests.
            "fallback": fallback_interval(was_live),
            "stale_ms": int(3 * channel.HEARTBEAT_S * 1000),
        },
        default={"live": False},
        on_live_change=lambda: None,
        height=0,
    )
    return bool(getattr(result, "live", False))
