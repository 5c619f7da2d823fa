"""The projected board as a room screen: HTML and CSS sized in screen heights, no Streamlit
chrome, movement and the reveal's ceremony (layout maths in `pitchjudge.board_layout`).

Every piece of user text (contest, round, startup names, formula) goes through
`html.escape`: a name with markup shows as typed. No <b>, <strong>, <a> or <img> is drawn.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape

import streamlit as st

from pitchjudge.board_layout import (
    Layout,
    carry_movement,
    chances_in_ten,
    layout,
    movement,
    page_delays,
    places,
)
from pitchjudge.errors import DatabaseOutage
from pitchjudge.formatting import format_fixed
from pitchjudge.models import BoardMode, BoardState
from pitchjudge.services.board import BoardRow, BoardView

Gettext = Callable[[str], str]
NGettext = Callable[[str, str, int], str]

PLACES_KEY = "room_board_places"  # (round id, {pitch: place}) this screen showed last
REVEALED_KEY = "room_board_revealed"  # (round id, places revealed) this screen showed last
LAST_SCREEN_KEY = "room_board_last_screen"  # (page, HTML) of the screen drawn last
MOVE_SECONDS = 8  # how long a moved row stays highlighted
SPOT_SECONDS = 5  # a revealed place alone on the screen
WINNER_SECONDS = 9  # the winner's moment
NAME_CHARACTERS = 60  # longer names are cut (the row also ends them with "…" if narrower)

# One palette, ordered by lightness so that it reads in greyscale too: the winner's row is
# the lightest, then second, then third; other rows are dark. Any two row kinds differ by a
# luminance contrast of at least 1.25:1 (gold against silver is the closest, 1.31), and every
# text/background pair is at least 7:1 (WCAG AAA for large text; AA needs 3:1).
CSS = """
.pj-screen { position: fixed; inset: 0; z-index: 999990; container-type: size;
  background: #0b1220; }
.pj-thumb { position: relative; width: 100%; aspect-ratio: 16 / 9; container-type: size;
  background: #0b1220; border-radius: 6px; overflow: hidden; }
.pj-board { position: absolute; inset: 0; overflow: hidden; color: #f8fafc;
  font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; line-height: 1.15;
  padding: 0 2.2cqh; box-sizing: border-box; }
.pj-head { height: 12cqh; display: flex; flex-direction: column; justify-content: center;
  overflow: hidden; }
.pj-title { font-size: 5cqh; font-weight: 700; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; margin: 0; padding: 0; line-height: 1.15; color: inherit;
  font-family: inherit; letter-spacing: normal; }
.pj-sub { font-size: 3cqh; color: #cbd5e1; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.pj-left { color: #fde68a; font-weight: 700; }
.pj-body { position: relative; }
.pj-message { font-size: 6cqh; font-weight: 700; padding-top: 20cqh; text-align: center; }
.pj-page { position: absolute; inset: 0; }
.pj-paged .pj-page { visibility: hidden; animation-timing-function: step-end;
  animation-iteration-count: infinite; }
.pj-cols { list-style: none; margin: 0 !important; padding: 0 !important; display: grid;
  grid-auto-flow: column; column-gap: 2cqh; height: 100%; }
.pj-row { position: relative; display: flex; align-items: center; gap: 1.2cqh;
  margin: 0.25cqh 0 !important; padding: 0 1.4cqh 0.5cqh !important; border-radius: 0.8cqh;
  background: #17223a; font-size: var(--type); overflow: hidden; min-width: 0; }
.pj-row:nth-child(even) { background: #1e2a44; }
.pj-place { flex: 0 0 2.2em; font-weight: 700; text-align: right;
  font-variant-numeric: tabular-nums; }
.pj-name { flex: 1 1 auto; min-width: 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.pj-total { flex: 0 0 auto; font-weight: 700; font-variant-numeric: tabular-nums; }
.pj-row.pj-p1 { background: #ffe08a; color: #111827; }
.pj-row.pj-p2 { background: #c0c8d4; color: #111827; }
.pj-row.pj-p3 { background: #d9a066; color: #111827; }
.pj-row.pj-p1 .pj-place::after { content: " ★"; }
.pj-bar { position: absolute; left: 1.4cqh; right: 1.4cqh; bottom: 0; height: 0.45cqh;
  border-radius: 0.3cqh; background: rgba(148, 163, 184, 0.25); }
.pj-bar > span { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 0.3cqh;
  background: #7dd3fc; }
.pj-row.pj-p1 .pj-bar > span, .pj-row.pj-p2 .pj-bar > span, .pj-row.pj-p3 .pj-bar > span {
  background: #1f2937; }
.pj-bar > .pj-whisker { background: none; top: -0.5cqh; bottom: -0.5cqh;
  border: 0.3cqh solid #f8fafc; border-top: none; border-bottom: none; }
.pj-row.pj-p1 .pj-whisker, .pj-row.pj-p2 .pj-whisker, .pj-row.pj-p3 .pj-whisker {
  border-color: #111827; }
.pj-chip { flex: 0 0 auto; font-size: 0.62em; font-weight: 700; padding: 0.1em 0.45em;
  border-radius: 0.5em; white-space: nowrap; }
.pj-call { background: #ddd6fe; color: #1e1b4b; }
.pj-up .pj-move { background: #86efac; color: #052e16; }
.pj-down .pj-move { background: #fca5a5; color: #450a0a; }
.pj-moved { animation: pj-glow 1.2s ease-in-out 0s 5 alternate; }
.pj-moved .pj-move { animation: pj-gone 0s linear calc(var(--move) * 1s) forwards; }
@keyframes pj-glow { from { box-shadow: inset 0 0 0 0.5cqh #facc15; }
  to { box-shadow: inset 0 0 0 0.15cqh #facc15; } }
@keyframes pj-gone { to { visibility: hidden; } }
.pj-indicator { position: absolute; right: 0; bottom: -4.6cqh; font-size: 2.6cqh;
  color: #cbd5e1; }
.pj-foot { position: absolute; left: 2.2cqh; right: 2.2cqh; bottom: 0.6cqh;
  font-size: 2.4cqh; color: #cbd5e1; }
.pj-foot > div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  line-height: 3.3cqh; }
.pj-foot .pj-callline { color: #f8fafc; }
.pj-more { font-size: 3cqh; color: #f8fafc; font-weight: 700; }
.pj-spot { position: absolute; inset: 0; z-index: 5; display: flex; flex-direction: column;
  align-items: center; justify-content: center; text-align: center; background: #0b1220;
  color: #f8fafc; padding: 4cqh; visibility: hidden;
  animation: pj-spot calc(var(--spot) * 1s) ease forwards; }
.pj-spot .pj-spot-place { font-size: 7cqh; color: #fde68a; font-weight: 700; }
.pj-spot .pj-spot-name { font-size: 11cqh; font-weight: 700; max-width: 100%;
  overflow-wrap: anywhere; line-height: 1.1; margin: 3cqh 0; }
.pj-spot .pj-spot-total { font-size: 8cqh; font-variant-numeric: tabular-nums; }
.pj-spot.pj-winner { background: #ffe08a; color: #111827; }
.pj-spot.pj-winner .pj-spot-place { color: #111827; font-size: 9cqh; letter-spacing: 0.05em; }
.pj-spot.pj-winner .pj-spot-name { font-size: 14cqh; }
@keyframes pj-spot { 0% { visibility: visible; opacity: 0; transform: scale(0.92); }
  8% { opacity: 1; transform: none; } 88% { visibility: visible; opacity: 1; }
  100% { visibility: hidden; opacity: 0; } }
.pj-new { animation: pj-settle 2.5s ease-out calc(var(--spot) * 0.9s) both; }
@keyframes pj-settle { from { box-shadow: inset 0 0 0 0.6cqh #facc15; }
  to { box-shadow: inset 0 0 0 0 #facc15; } }
@media (prefers-reduced-motion: reduce) {
  .pj-moved, .pj-new { animation: none; } }
"""

# A room screen shows nothing of Streamlit: no header, toolbar, menu, running indicator,
# sidebar or its toggle, and never a scrollbar (the board is sized to the screen).
CHROME_CSS = """
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stStatusWidget"],
[data-testid="stDecoration"], [data-testid="stMainMenu"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarNav"], .modebar-container { display: none !important; }
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
[data-testid="stMainBlockContainer"] { overflow: hidden !important; scrollbar-width: none; }
::-webkit-scrollbar { display: none; }
"""


def _name(name: str) -> str:
    if len(name) > NAME_CHARACTERS:
        name = name[: NAME_CHARACTERS - 1].rstrip() + "…"
    return escape(name)


@functools.lru_cache(maxsize=8192)  # Babel costs ~0.2 ms a number; most totals repeat
def _total(value: float | None, lang: str) -> str:
    return "–" if value is None else escape(format_fixed(value, language=lang))


def status_line(view: BoardView, _: Gettext) -> str:
    status = {
        BoardState.LIVE: _("Live"),
        BoardState.FROZEN: _("Frozen"),
        BoardState.REVEAL: _("And the winners are…"),
    }.get(BoardState(view.state), "")
    return f"{view.round_name} · {status} · " + _("{done} of {total} scorecards in").format(
        done=view.scorecards_submitted, total=view.scorecards_expected
    )


def line_name(line: str, _: Gettext) -> str:
    return {
        "winner": _("For first place"),
        "podium": _("For the podium"),
        "promotion": _("At the promotion cut"),
    }.get(line, line)


def call_sentences(rows: list[BoardRow], _: Gettext) -> list[str]:
    """ "For first place: too close to call, about 6 chances in 10 that A stays ahead of B"."""
    sentences = []
    for index, row in enumerate(rows[:-1]):
        if row.close_call:
            sentences.append(
                _(
                    "{line}: too close to call, {n} chances in 10 that {above} stays "
                    "ahead of {below}"
                ).format(
                    line=line_name(row.close_call["line"], _),
                    n=chances_in_ten(row.close_call["p"]),
                    above=row.startup_name,
                    below=rows[index + 1].startup_name,
                )
            )
    return sentences


def _row(
    row: BoardRow,
    index: int,
    *,
    rows: list[BoardRow],
    moved: dict[int, int],
    scale: tuple[float, float],
    move_left: dict[int, float] | None = None,
    whiskers: bool,
    lang: str,
    _: Gettext,
    new: bool = False,
) -> str:
    place = row.rank or index + 1
    classes = ["pj-row"]
    if row.rank in (1, 2, 3):
        classes.append(f"pj-p{row.rank}")
    chips = []
    change = moved.get(row.pitch_id, 0)
    if change:
        classes += ["pj-moved", "pj-up" if change > 0 else "pj-down"]
        arrow = "↑" if change > 0 else "↓"
        label = (_("{n} places up") if change > 0 else _("{n} places down")).format(n=abs(change))
        chips.append(
            f'<span class="pj-chip pj-move" title="{escape(label)}">{arrow}&#8239;{abs(change)}'
            "</span>"
        )
    above = rows[index - 1] if index > 0 else None
    if row.close_call or (above is not None and above.close_call):
        chips.append(
            f'<span class="pj-chip pj-call" title="{escape(_("Too close to call"))}">≈</span>'
        )
    if new:
        classes.append("pj-new")
    low, high = scale
    span = (high - low) or 1.0

    def at(value: float) -> float:
        return round(min(max((value - low) / span, 0.0), 1.0) * 100, 2)

    bar = ""
    if row.total is not None:
        bar = f'<span style="width:{at(row.total)}%"></span>'
        if whiskers and row.total_low is not None and row.total_high is not None:
            left = at(row.total_low)
            bar += (
                f'<span class="pj-whisker" style="left:{left}%;'
                f'width:{max(at(row.total_high) - left, 0.3)}%"></span>'
            )
        bar = f'<span class="pj-bar" aria-hidden="true">{bar}</span>'
    left = (move_left or {}).get(row.pitch_id) if change else None
    # A highlight carried over from an earlier redraw ends on time (its chip's --move).
    timing = f' style="--move:{max(left, 0.0):.1f}"' if left is not None else ""
    return (
        f'<li class="{" ".join(classes)}"{timing} data-pitch="{row.pitch_id}" '
        f'data-place="{place}">'
        f'<span class="pj-place">{row.rank or "–"}</span>'
        f'<span class="pj-name" title="{escape(row.startup_name)}">{_name(row.startup_name)}'
        f"</span>{''.join(chips)}"
        f'<span class="pj-total">{_total(row.total, lang)}</span>{bar}</li>'
    )


def _scale(view: BoardView, rows: list[BoardRow], whiskers: bool) -> tuple[float, float]:
    """The bars' scale: from 0 (or the lowest total when some are negative) to the best."""
    values = [r.total for r in rows if r.total is not None]
    if whiskers:
        values += [r.total_high for r in rows if r.total_high is not None]
    high = max([view.x_max or 0.0, *values], default=1.0) or 1.0
    low = min([0.0, *values])
    return low, high


def board_html(
    view: BoardView,
    *,
    _: Gettext,
    ngettext: NGettext,
    lang: str,
    moved: dict[int, int] | None = None,
    move_left: dict[int, float] | None = None,
    spotlight: BoardRow | None = None,
    now: float | None = None,
    thumbnail: bool = False,
) -> str:
    """The whole screen for `view`: a string of HTML (user text escaped)."""
    moved = moved or {}
    display = view.display
    rows = list(view.rows)
    # The contest's name is the screen's heading (screen readers, and what tests look for).
    head = [f'<h1 class="pj-title">{escape(view.contest_name)}</h1>']
    body = ""
    foot: list[str] = []
    board_class = "pj-board"
    style = ""
    if view.state == BoardState.HIDDEN or view.round_name is None:
        body = f'<div class="pj-message">{escape(_("Results coming soon…"))}</div>'
    else:
        head.append(f'<div class="pj-sub">{escape(status_line(view, _))}</div>')
        if view.problem:
            body = (
                '<div class="pj-message">'
                + escape(_("Results will appear as soon as judges have scored."))
                + "</div>"
            )
        elif not rows and not view.hidden_places:
            body = f'<div class="pj-message">{escape(_("No marks yet."))}</div>'
    reveal = view.state == BoardState.REVEAL
    if view.hidden_places:
        left = ngettext(
            "{count} place still to reveal", "{count} places still to reveal", view.hidden_places
        ).format(count=view.hidden_places)
        head[-1] = (
            f'<div class="pj-sub">{escape(status_line(view, _))} · '
            f'<span class="pj-left">{escape(left)}</span></div>'
        )
    if rows and not body:
        calls = [] if reveal else call_sentences(rows, _)
        mode = BoardMode.FULL if reveal else display.mode
        plan: Layout = layout(len(rows), mode=mode, top_n=display.top_n, calls=len(calls))
        pages = plan.pages
        more = plan.more
        if reveal and len(pages) > 1:
            # Mid-reveal, the places just revealed (at the top) stay on the one screen.
            pages, more = pages[:1], len(rows) - pages[0][1]
        scale = _scale(view, rows, display.whiskers)
        style = f"--type:{plan.type_size:.2f}cqh;--move:{MOVE_SECONDS}"
        delays = page_delays(len(pages), display.page_seconds, time.time() if now is None else now)
        cycle = len(pages) * display.page_seconds
        sections = []
        for number, (start, end) in enumerate(pages):
            items = "".join(
                _row(
                    row,
                    start + offset,
                    rows=rows,
                    moved=moved,
                    move_left=move_left or {},
                    scale=scale,
                    whiskers=display.whiskers,
                    lang=lang,
                    _=_,
                    new=spotlight is not None and row.pitch_id == spotlight.pitch_id,
                )
                for offset, row in enumerate(rows[start:end])
            )
            grid = (
                f"grid-template-columns:repeat({plan.columns},minmax(0,1fr));"
                f"grid-template-rows:repeat({plan.per_column},{plan.row_height - 0.5:.2f}cqh)"
            )
            animation = ""
            indicator = ""
            if len(pages) > 1:
                animation = (
                    f' style="animation-name:pj-pages-{len(pages)};'
                    f'animation-duration:{cycle}s;animation-delay:{delays[number]:.2f}s"'
                )
                indicator = '<div class="pj-indicator">{}</div>'.format(
                    escape(
                        _("Page {page} of {pages} · places {first}–{last}").format(
                            page=number + 1,
                            pages=len(pages),
                            first=rows[start].rank or start + 1,
                            last=rows[end - 1].rank or end,
                        )
                    )
                )
            sections.append(
                f'<section class="pj-page" data-page="{number + 1}"{animation}>'
                f'<ol class="pj-cols" style="{grid}">{items}</ol>{indicator}</section>'
            )
        if len(pages) > 1:
            board_class += " pj-paged"
            share = 100 / len(pages)
            sections.insert(
                0,
                f"<style>@keyframes pj-pages-{len(pages)} {{ 0% {{ visibility: visible; }} "
                f"{share:.4f}% {{ visibility: hidden; }} 100% {{ visibility: hidden; }} }}"
                "</style>",
            )
        body = "".join(sections)
        height = 100 - 12 - 5 - 3.4 * len(calls)
        body = f'<div class="pj-body" style="height:{height:.2f}cqh">{body}</div>'
        foot += [f'<div class="pj-callline">≈ {escape(sentence)}</div>' for sentence in calls]
        if more:
            foot.append(
                '<div class="pj-more">'
                + escape(ngettext("and {count} more", "and {count} more", more).format(count=more))
                + "</div>"
            )
        notes = []
        if moved:
            notes.append(_("↑↓ places gained or lost with the last marks"))
        if display.whiskers:
            notes.append(_("Lines: the 90 % range of the total this jury would give on average"))
        if notes:
            foot.append(f"<div>{escape(' · '.join(notes))}</div>")
    if view.formula and view.round_name is not None:
        foot.append(f"<div>{escape(_('Total: {formula}').format(formula=view.formula))}</div>")
    spot = ""
    if spotlight is not None:
        winner = spotlight.rank == 1 and not view.hidden_places
        seconds = WINNER_SECONDS if winner else SPOT_SECONDS
        style += f";--spot:{seconds}"
        label = (
            _("Winner") if winner else _("Place {place}").format(place=spotlight.rank or len(rows))
        )
        spot = (
            f'<div class="pj-spot{" pj-winner" if winner else ""}" role="status">'
            f'<div class="pj-spot-place">{"★ " if winner else ""}{escape(label)}'
            f"{' ★' if winner else ''}</div>"
            f'<div class="pj-spot-name">{escape(spotlight.startup_name)}</div>'
            f'<div class="pj-spot-total">{_total(spotlight.total, lang)}</div></div>'
        )
    root = "pj-thumb" if thumbnail else "pj-screen"
    return (
        f'<div class="{root}"><div class="{board_class}" style="{style}">'
        f'<header class="pj-head">{"".join(head)}</header>{body}'
        f'<footer class="pj-foot">{"".join(foot)}</footer>{spot}</div></div>'
    )


def view_kind(view: BoardView) -> str:
    """Which room view the projector shows: "reveal" (the ceremony) or "board"."""
    return "reveal" if view.state == BoardState.REVEAL else "board"


# Over the room screen (z-index above .pj-screen), in a corner: the board stays readable.
RECONNECTING_CSS = """
.pj-reconnecting { position: fixed; top: 1.6vh; right: 1.6vh; z-index: 999995;
  display: flex; align-items: center; gap: 0.8vh; padding: 0.6vh 1.4vh; border-radius: 1vh;
  background: #fde68a; color: #111827; font: 700 2.4vh "DejaVu Sans", Arial, sans-serif; }
.pj-reconnecting::before { content: ""; width: 1.4vh; height: 1.4vh; border-radius: 50%;
  background: #b45309; animation: pj-blink 1s step-end infinite; }
@keyframes pj-blink { 50% { opacity: 0.2; } }
@media (prefers-reduced-motion: reduce) { .pj-reconnecting::before { animation: none; } }
"""


def reconnecting_html(_: Gettext) -> str:
    """The "Reconnecting…" mark a room screen shows over its last picture while the database
    is away."""
    label = escape(_("Reconnecting…"))
    return (
        f'<style>{RECONNECTING_CSS}</style><div class="pj-reconnecting" role="status">{label}</div>'
    )


@contextmanager
def reconnecting(_: Gettext) -> Iterator[None]:
    """For a room screen's refresh fragment: while the database is away (`DatabaseOutage`),
    what is on screen stays, with a "Reconnecting…" mark; the next refresh catches up."""
    try:
        yield
    except DatabaseOutage:
        st.html(reconnecting_html(_))


def _page() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def _draw(html: str) -> None:
    st.session_state[LAST_SCREEN_KEY] = (_page(), html)
    st.html(html)


def redraw_last_screen() -> bool:
    """Draw again the room screen this page showed last (a run cut short by a database
    outage would otherwise leave the projector blank); False when there is none."""
    last = st.session_state.get(LAST_SCREEN_KEY)
    if not last or last[0] != _page():
        return False
    st.html(last[1])
    return True


def show_board(view: BoardView, *, _: Gettext, ngettext: NGettext, lang: str) -> None:
    """The live or frozen board, rows that moved since this screen's last look highlighted."""
    previous = st.session_state.get(PLACES_KEY)
    same_round = bool(previous) and previous[0] == view.round_id
    before = previous[1] if same_round else None
    active: dict[int, tuple[int, float]] = {}
    if view.state == BoardState.LIVE:
        # Highlights outlive the redraws that follow (a judge's next marks, a safety-net
        # poll) until they end: each projector keeps them in its own session.
        now = time.time()
        showing = {row.pitch_id for row in view.rows}
        active = carry_movement(
            previous[2] if same_round and len(previous) > 2 else {},
            movement(before, view.rows),
            now=now,
            seconds=MOVE_SECONDS,
        )
        active = {pitch: move for pitch, move in active.items() if pitch in showing}
    st.session_state[PLACES_KEY] = (view.round_id, places(view.rows), active)
    moved = {pitch: change for pitch, (change, _end) in active.items()}
    left = {pitch: end - time.time() for pitch, (_change, end) in active.items()}
    _draw(
        f"<style>{CHROME_CSS}{CSS}</style>"
        + board_html(view, _=_, ngettext=ngettext, lang=lang, moved=moved, move_left=left)
    )


def show_reveal(view: BoardView, *, _: Gettext, ngettext: NGettext, lang: str) -> None:
    """The ceremony: a place just revealed gets the whole screen for a moment (the winner a
    longer, golden one), then settles at the top of the places revealed so far."""
    seen = st.session_state.get(REVEALED_KEY)
    now = (view.round_id, len(view.rows))
    spotlight = view.rows[0] if view.rows and seen != now else None
    st.session_state[REVEALED_KEY] = now
    st.session_state.pop(PLACES_KEY, None)
    _draw(
        f"<style>{CHROME_CSS}{CSS}</style>"
        + board_html(view, _=_, ngettext=ngettext, lang=lang, spotlight=spotlight)
    )


VIEWS = {"board": show_board, "reveal": show_reveal}


def show_preview(view: BoardView, *, _: Gettext, ngettext: NGettext, lang: str) -> None:
    """The organiser's 16:9 thumbnail of what the projectors show now."""
    st.html(
        f"<style>{CSS}</style>"
        + board_html(view, _=_, ngettext=ngettext, lang=lang, thumbnail=True)
    )
