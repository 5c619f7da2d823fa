"""The stage clock: a pitch or Q&A countdown that ticks in the browser.

The server sends when the phase started (from the database), its length and the server's
own time; the browser counts from there every quarter second, corrected for its clock's
offset from the server's, so the stage screen, the organiser and every judge's laptop show
the same second without a rerun per tick. Past the limit it counts the overtime up, in red.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pitchjudge.services.stage import PITCH, QA, StageNow

_HTML = """<div class="pj-timer" data-phase="waiting" role="timer" aria-live="off">
  <div class="pj-timer-label"></div>
  <div class="pj-timer-clock"></div>
  <div class="pj-timer-bar"><div class="pj-timer-fill"></div></div>
</div>"""

_CSS = """
.pj-timer { font-family: inherit; text-align: center;
  border-radius: 0.75rem; padding: 0.4em 0.6em; background: #f1f3f5; color: #212529;
  container-type: inline-size; }
.pj-timer[data-size="large"] { font-size: 2.2rem; padding: 0.5em 0.6em 0.7em; }
.pj-timer[data-size="small"] { font-size: 1rem; display: flex; align-items: center;
  gap: 0.75em; padding: 0.3em 0.8em; }
.pj-timer-label { font-weight: 600; }
.pj-timer-clock { font-variant-numeric: tabular-nums; font-weight: 700; line-height: 1.1; }
/* As large as the box allows: "12:34" fits in the width whatever the column. */
.pj-timer[data-size="large"] .pj-timer-clock { font-size: clamp(3rem, 22cqi, 16rem); }
.pj-timer[data-size="small"] .pj-timer-clock { font-size: 1.5em; }
/* The stage screen: as big as the room screen's height allows. */
.pj-timer[data-size="screen"] { font-size: 4.5vh; padding: 1vh 1vw 2.2vh; margin-top: 1vh; }
.pj-timer[data-size="screen"] .pj-timer-clock { font-size: min(24cqi, 36vh); }
.pj-timer[data-size="screen"] .pj-timer-bar { height: 1.2vh; margin-top: 1vh; }
/* No clock between pitches (a dash drawn 16rem tall looked like black blocks). */
.pj-timer-clock:empty { display: none; }
.pj-timer-bar { height: 0.35em; background: #dee2e6; border-radius: 1em; overflow: hidden;
  margin-top: 0.3em; }
.pj-timer[data-size="small"] .pj-timer-bar { flex: 1; margin-top: 0; }
.pj-timer-fill { height: 100%; width: 0; background: #1c7ed6; }
.pj-timer[data-phase="qa"] .pj-timer-fill { background: #7048e8; }
.pj-timer[data-warning="true"] .pj-timer-fill { background: #f08c00; }
.pj-timer[data-over="true"] { background: #c92a2a; color: #fff; }
.pj-timer[data-over="true"] .pj-timer-fill { background: #fff; }
"""

_JS = """
function mmss(seconds) {
  const s = Math.floor(seconds);
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".pj-timer");
  const label = root.querySelector(".pj-timer-label");
  const clock = root.querySelector(".pj-timer-clock");
  const fill = root.querySelector(".pj-timer-fill");
  const state = root.__pjTimer || (root.__pjTimer = {});
  state.data = data;
  // The browser's clock may be off: count from the server's time.
  state.offset = data.server_now_ms - Date.now();
  root.dataset.size = data.size;
  root.dataset.phase = data.phase;
  const draw = () => {
    const d = state.data;
    if (!d.started_ms) {
      label.textContent = d.idle_label;
      clock.textContent = d.idle_clock;
      fill.style.width = "0";
      root.dataset.over = "false";
      root.dataset.warning = "false";
      return;
    }
    const elapsed = Math.max(0, (Date.now() + state.offset - d.started_ms) / 1000);
    const left = d.limit_s - elapsed;
    const over = left < 0;
    root.dataset.over = String(over);
    root.dataset.warning = String(!over && left <= 30);
    label.textContent = over ? d.over_label : d.phase_label;
    clock.textContent = over ? "+" + mmss(-left) : mmss(Math.ceil(left));
    fill.style.width = (d.limit_s > 0 ? Math.min(100, (100 * elapsed) / d.limit_s) : 100) + "%";
  };
  draw();
  if (!state.interval) state.interval = setInterval(draw, 250);
  return () => { clearInterval(state.interval); state.interval = null; };
}
"""

_component = st.components.v2.component("pitchjudge_stage_timer", html=_HTML, css=_CSS, js=_JS)


def _ms(moment) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def stage_timer(now: StageNow, _: Callable[[str], str], *, size: str, key: str) -> None:
    """Draw the clock of what is on stage now (`size`: "screen", "large" or "small")."""
    phase_label = {PITCH: _("Pitch"), QA: _("Q&A")}.get(now.phase, "")
    _component(
        key=key,
        data={
            "size": size,
            "phase": now.phase,
            "started_ms": _ms(now.started_at),
            "limit_s": now.limit_seconds,
            "server_now_ms": _ms(now.server_now),
            "phase_label": phase_label,
            "over_label": _("{phase} — over time").format(phase=phase_label),
            "idle_label": _("Between pitches"),
            "idle_clock": "",
        },
    )
