"""How the projected board fits a room's screen: rows per column, columns, pages, type size,
top N and the places each startup moved (pure functions, no Streamlit).

Sizes are percentages of the screen's height (CSS container units `cqh`), so one layout fits
1280×720, 1366×768 and 1920×1080 alike (all 16:9) and the organiser's 16:9 thumbnail.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pitchjudge.models import BoardMode

HEADER = 12.0  # contest, round and status lines
FOOTER = 5.0  # page indicator, "and M more", the legend
CALL_LINE = 3.4  # one "too close to call" sentence in the footer
WIDTH = 100 * 16 / 9  # the screen's width in % of its height (16:9)
MAX_TYPE = 6.2  # a name's size when few rows leave room (60 px at 1080p)
ROOM_TYPE = 4.5  # the size readable from the back of a room (48 px at 1080p)
MIN_TYPE = 2.3  # below this, "full" turns pages instead (17 px at 720p, 25 px at 1080p)
TYPE_PER_ROW = 0.72  # a name's size relative to its row's height
FIXED_EMS = 9.0  # place, total, marks and gaps of a row, in ems of its type
NAME_EMS = 13.0  # room kept for a name, in ems (longer names end with "…")
MAX_COLUMNS = 3


@dataclass(frozen=True)
class Layout:
    """Where the rows go: `pages` of slices into the rows, each laid out in `columns`
    columns of at most `per_column` rows, names and totals `type_size` % of the height."""

    pages: tuple[tuple[int, int], ...]
    columns: int
    per_column: int
    type_size: float
    row_height: float
    more: int = 0  # rows left out (top N): "and M more"
    paged_by_itself: bool = False  # "full" could not fit them readably, so it turns pages


def body_height(calls: int = 0) -> float:
    return 100.0 - HEADER - FOOTER - CALL_LINE * calls


def _type_for(rows: int, columns: int, body: float) -> tuple[float, float]:
    """(type size, row height) of `rows` rows in `columns` columns."""
    per_column = max(1, math.ceil(rows / columns))
    row_height = body / per_column
    width_cap = WIDTH / columns / (FIXED_EMS + NAME_EMS)
    return min(MAX_TYPE, TYPE_PER_ROW * row_height, width_cap), row_height


def _one_screen(rows: int, body: float, max_columns: int = MAX_COLUMNS) -> tuple[int, float, float]:
    """The columns that give `rows` rows the largest type on one screen (fewest on ties)."""
    best = (1, *_type_for(rows, 1, body))
    for columns in range(2, max_columns + 1):
        size, height = _type_for(rows, columns, body)
        if size > best[1] + 1e-9:
            best = (columns, size, height)
    return best


def _paged(count: int, body: float, type_size: float) -> Layout:
    """Pages of equal size whose rows keep `type_size`, in two columns at most."""
    columns = 2 if type_size <= WIDTH / 2 / (FIXED_EMS + NAME_EMS) else 1
    per_column = max(1, int(TYPE_PER_ROW * body / type_size))
    capacity = per_column * columns
    n_pages = max(1, math.ceil(count / capacity))
    # Balanced: pages differ by one row at most (no near-empty last page).
    small, extra = divmod(count, n_pages)
    bounds = [0]
    for index in range(n_pages):
        bounds.append(bounds[-1] + small + (1 if index < extra else 0))
    pages = tuple(itertools.pairwise(bounds))
    size = small + (1 if extra else 0)
    per_column = math.ceil(size / columns) if columns > 1 else size
    if n_pages == 1:
        columns, type_, height = _one_screen(count, body, max_columns=columns)
        return Layout(pages, columns, math.ceil(count / columns), type_, height)
    height = body / per_column
    width_cap = WIDTH / columns / (FIXED_EMS + NAME_EMS)
    return Layout(
        pages, columns, per_column, min(MAX_TYPE, TYPE_PER_ROW * height, width_cap), height
    )


def layout(count: int, *, mode: str, top_n: int = 10, calls: int = 0) -> Layout:
    """The layout of `count` rows in `mode` (see `BoardMode`), with `calls` "too close to
    call" sentences in the footer."""
    body = body_height(calls)
    if count <= 0:
        return Layout(((0, 0),), 1, 0, MAX_TYPE, body)
    if mode == BoardMode.TOP and count > top_n:
        columns, size, height = _one_screen(top_n, body)
        return Layout(
            ((0, top_n),), columns, math.ceil(top_n / columns), size, height, more=count - top_n
        )
    if mode == BoardMode.PAGES:
        return _paged(count, body, ROOM_TYPE)
    columns, size, height = _one_screen(count, body)
    if size >= MIN_TYPE:
        return Layout(((0, count),), columns, math.ceil(count / columns), size, height)
    paged = _paged(count, body, MIN_TYPE * 1.3)
    return Layout(
        paged.pages,
        paged.columns,
        paged.per_column,
        paged.type_size,
        paged.row_height,
        paged_by_itself=True,
    )


def places(rows: Sequence) -> dict[int, int]:
    """Each pitch's place on the board (its rank, or its position when it has none)."""
    return {row.pitch_id: row.rank or index + 1 for index, row in enumerate(rows)}


def movement(previous: dict[int, int] | None, rows: Sequence) -> dict[int, int]:
    """Places gained (> 0) or lost (< 0) by each pitch whose place changed since `previous`
    (the places this screen showed last); empty on a first look."""
    if not previous:
        return {}
    now = places(rows)
    return {
        pitch: previous[pitch] - place
        for pitch, place in now.items()
        if pitch in previous and previous[pitch] != place
    }


def carry_movement(
    active: dict[int, tuple[int, float]], fresh: dict[int, int], *, now: float, seconds: float
) -> dict[int, tuple[int, float]]:
    """The highlights still showing after a redraw: pitch → (places gained since its highlight
    began, when it ends). A redraw with no change (another mark that moved nobody) keeps them
    until they end; a new move adds up and starts the clock again; moving back cancels."""
    kept = {pitch: move for pitch, move in active.items() if move[1] > now}
    for pitch, change in fresh.items():
        total = kept.get(pitch, (0, 0.0))[0] + change
        if total:
            kept[pitch] = (total, now + seconds)
        else:
            kept.pop(pitch, None)
    return kept


def page_delays(n_pages: int, page_seconds: float, now: float) -> list[float]:
    """Each page's CSS animation delay (negative: already running) so that every screen
    shows the same page at the same time: page i shows during [i·T, (i+1)·T) of the cycle,
    counted from the epoch."""
    cycle = n_pages * page_seconds
    offset = now % cycle
    return [((i * page_seconds - offset) % cycle) - cycle for i in range(n_pages)]


def chances_in_ten(p: float) -> int:
    """P(order) in words: "about N chances in 10" (5 to 10; a call is never below a coin)."""
    return min(10, max(5, round(max(p, 1 - p) * 10)))
