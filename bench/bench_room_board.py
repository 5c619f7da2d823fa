"""How long the room board takes to draw (HTML built once per change of the board, never on an
unchanged refresh), and how much it sends, for 40 to 1,000 startups.

Prints, with the machine's load, the first build (every total formatted anew) and the median
of 15 more (totals already formatted, as when a mark moves a few): a change costs one build per
screen session; an unchanged refresh costs none.
"""

from __future__ import annotations

import os
import statistics
import time

from pitchjudge.services.board import BoardDisplay, BoardRow, BoardView
from pitchjudge.ui import room_board
from pitchjudge.ui.room_board import board_html


def view(count: int, mode: str) -> BoardView:
    rows = [
        BoardRow(
            rank=index + 1,
            pitch_id=index,
            startup_name=f"Startup number {index}",
            total=900 - index * 0.5,
            total_low=880 - index * 0.5,
            total_high=920 - index * 0.5,
            statistical_tie=False,
            n_judges=5,
        )
        for index in range(count)
    ]
    return BoardView(
        state="live",
        contest_name="Prix",
        round_name="Finale",
        rows=rows,
        display=BoardDisplay(mode=mode),
    )


def main() -> None:
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for count in (40, 200, 1000):
        for mode in ("full", "pages", "top"):
            shown = view(count, mode)
            room_board._total.cache_clear()  # every total new, as after a full recompute
            start = time.perf_counter()
            board_html(shown, _=str, ngettext=lambda one, many, n: many, lang="fr")
            cold = time.perf_counter() - start
            times = []
            for _ in range(15):
                start = time.perf_counter()
                html = board_html(shown, _=str, ngettext=lambda one, many, n: many, lang="fr")
                times.append(time.perf_counter() - start)
            print(
                f"room board, {count:>4} startups, {mode:<5}: "
                f"{cold * 1000:6.1f} ms to draw with every total new, "
                f"{statistics.median(times) * 1000:6.1f} ms when totals repeat, "
                f"{len(html) / 1024:5.0f} KiB"
            )


if __name__ == "__main__":
    main()
