"""The stage screen, drawn for a room: the startup on stage, its phase and a big clock, who is
next in large type, the running order down the side; a clean idle screen before the final.

Sizes follow the screen's height (vh), so 1280×720, 1366×768 and 1920×1080 all fit with
nothing to scroll; no Streamlit chrome shows. Every user text is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

import streamlit as st

from pitchjudge.formatting import format_start_time
from pitchjudge.models import Contest
from pitchjudge.services.stage import DONE, PITCH, QA, SlotView, StageNow
from pitchjudge.ui.timer import stage_timer

#: Rows the running order shows at most (done ones fold into one line, the rest into "and N more").
ORDER_ROWS = 12
RECENT_DONE = 2

# A room screen: no toolbar, menu, sidebar toggle, running indicator, decoration or scrollbar.
_CSS = """<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stSidebar"], [data-testid="stMainMenu"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stAppDeployButton"], footer { display: none !important; }
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  overflow: hidden !important; scrollbar-width: none; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; height: 100vh;
  box-sizing: border-box; padding: 3vh 3vw 2vh !important; }
.pj-ss { color: #212529; }
.pj-ss-top { font-size: 3.2vh; font-weight: 600; color: #343a40; margin: 0; line-height: 1.2;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.pj-ss h1.pj-ss-name { font-size: min(11vh, 6.5vw); font-weight: 800; line-height: 1.05;
  margin: 1vh 0 0; padding: 0; color: #212529; overflow: hidden; display: -webkit-box;
  -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow-wrap: anywhere; }
.pj-ss-label { font-size: 4.5vh; font-weight: 600; color: #343a40; margin: 2vh 0 0; }
.pj-ss-next { font-size: 6vh; line-height: 1.15; margin: 0; color: #212529;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.pj-ss-next strong { font-weight: 800; }
.pj-ss-idle h1.pj-ss-name { font-size: min(12vh, 7vw); margin-top: 18vh; }
.pj-ss-between .pj-ss-label { margin-top: 14vh; font-size: 6vh; }
.pj-ss-between h1.pj-ss-name { font-size: min(14vh, 8vw); }
.pj-ss-idle .pj-ss-when { font-size: 7vh; font-weight: 600; color: #1864ab; margin-top: 4vh; }
.pj-ss-order { border-left: 0.5vh solid #dee2e6; padding-left: 2vw; height: 92vh;
  overflow: hidden; }
.pj-ss-order h2 { font-size: 3.6vh; font-weight: 700; color: #343a40; margin: 0 0 1.5vh;
  padding: 0; }
.pj-ss-order ol { list-style: none; margin: 0; padding: 0; }
.pj-ss-order li { font-size: 3.3vh; line-height: 1.25; padding: 0.7vh 0.8vw; margin: 0;
  border-radius: 0.8vh; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  color: #212529; }
.pj-ss-order li .pj-ss-pos { display: inline-block; min-width: 2.2em; color: #495057;
  font-variant-numeric: tabular-nums; }
.pj-ss-order li.pj-ss-done { color: #495057; }
.pj-ss-order li.pj-ss-now { background: #1864ab; color: #fff; font-weight: 700; }
.pj-ss-order li.pj-ss-now .pj-ss-pos { color: #fff; }
.pj-ss-order li.pj-ss-more { color: #495057; font-style: italic; }
</style>"""


def hide_chrome() -> None:
    st.html(_CSS)


def _order(
    slots: list[SlotView], _: Callable[[str], str], ngettext: Callable[[str, str, int], str]
) -> str:
    """The running order: the last done ones (earlier ones folded), on stage, to come."""
    done = [s for s in slots if s.phase == DONE]
    now = [s for s in slots if s.phase in (PITCH, QA)]
    to_come = [s for s in slots if s.phase not in (DONE, PITCH, QA)]
    shown_done = done[-RECENT_DONE:] if to_come or now else done[-ORDER_ROWS:]
    items = []
    if len(done) > len(shown_done):
        hidden = len(done) - len(shown_done)
        items.append(
            '<li class="pj-ss-more">'
            + escape(
                ngettext("✓ {count} done earlier", "✓ {count} done earlier", hidden).format(
                    count=hidden
                )
            )
            + "</li>"
        )
    room = max(1, ORDER_ROWS - len(items) - len(shown_done) - len(now))
    for slot in shown_done:
        items.append(
            f'<li class="pj-ss-done"><span class="pj-ss-pos">✓</span>'
            f"{escape(slot.startup_name)}</li>"
        )
    for slot in now:
        items.append(
            f'<li class="pj-ss-now" aria-current="step"><span class="pj-ss-pos">▶</span>'
            f"{escape(slot.startup_name)}</li>"
        )
    for slot in to_come[:room]:
        items.append(
            f'<li><span class="pj-ss-pos">{slot.position}.</span>{escape(slot.startup_name)}</li>'
        )
    if len(to_come) > room:
        more = len(to_come) - room
        items.append(
            '<li class="pj-ss-more">'
            + escape(ngettext("and {count} more", "and {count} more", more).format(count=more))
            + "</li>"
        )
    title = escape(_("Running order"))
    return (
        f'<nav class="pj-ss pj-ss-order" aria-label="{title}">'
        f"<h2>{title}</h2><ol>{''.join(items)}</ol></nav>"
    )


def _idle(contest: Contest, language: str, _: Callable[[str], str], now: datetime | None) -> str:
    when = (
        _("The live final starts at {time}").format(
            time=format_start_time(
                contest.stage_starts_at, timezone=contest.timezone, language=language, now=now
            )
        )
        if contest.stage_starts_at is not None
        else _("The stage opens soon.")
    )
    return (
        '<div class="pj-ss pj-ss-idle">'
        f'<h1 class="pj-ss-name">{escape(contest.name)}</h1>'
        f'<p class="pj-ss-when">{escape(when)}</p></div>'
    )


def draw(
    contest: Contest,
    now: StageNow | None,
    slots: list[SlotView],
    *,
    language: str,
    _: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
) -> None:
    """The whole screen for what is on stage `now` (None: no live final yet)."""
    main, side = st.columns([7, 3], gap="large")
    with side:
        if slots:
            st.html(_order(slots, _, ngettext))
    with main:
        if now is None or not now.started:
            st.html(_idle(contest, language, _, now.server_now if now else None))
            return
        top = " · ".join([escape(contest.name), escape(now.round_name)])
        if now.pitch_id is None:
            if now.next_startup:
                label = escape(_("Between pitches · Next up"))
                body = (
                    f'<p class="pj-ss-label">{label}</p>'
                    f'<h1 class="pj-ss-name">{escape(now.next_startup)}</h1>'
                )
            else:
                done = escape(_("Every startup has pitched."))
                body = f'<h1 class="pj-ss-name">{done}</h1>'
            st.html(f'<div class="pj-ss pj-ss-between"><p class="pj-ss-top">{top}</p>{body}</div>')
            return
        position = _("Startup {position} of {total}").format(position=now.position, total=now.total)
        st.html(
            f'<div class="pj-ss"><p class="pj-ss-top">{top} · {escape(position)}</p>'
            f'<h1 class="pj-ss-name">{escape(now.startup_name or "")}</h1></div>'
        )
        stage_timer(now, _, size="screen", key="stage_screen_timer")
        if now.next_startup:
            st.html(
                '<div class="pj-ss"><p class="pj-ss-next">'
                + escape(_("Next up: {name}")).format(
                    name=f"<strong>{escape(now.next_startup)}</strong>"
                )
                + "</p></div>"
            )
