"""Projected-leaderboard figures: the board fragment's run time on a round of 1,000 pitches × 5
judges × 8 criteria (40,000 marks), and the server's memory with 20 connected browser sessions
(10 projectors + 10 judges, Debian's Chromium against a `streamlit run` server of its own).

Run: .venv/bin/python bench/bench_board.py [fragment] [memory]   — prints figures, asserts
nothing.
Part (b) is skipped, with the reason, when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_scoring import build_round  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from pitchjudge.charts import leaderboard_figure  # noqa: E402
from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.models import Contest, Mark, Round, utcnow  # noqa: E402
from pitchjudge.services import board, scoring  # noqa: E402
from pitchjudge.services.judges import judge_link  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, app_settings, serve  # noqa: E402
from tests.factories import make_judging  # noqa: E402

SECRET_KEY = "bench-board-secret-key-0123456789abcdef012345"
PROJECTORS, JUDGES = 10, 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(label: str, timings: list[float]) -> None:
    print(
        f"  {label:<58} median {statistics.median(timings) * 1000:7.1f} ms   "
        f"p95 {percentile(timings, 0.95) * 1000:7.1f} ms   (n={len(timings)})"
    )


def timed(runs: int, action: Callable[[], object], before: Callable[[], object] | None = None):
    timings = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return timings


# --- (a) the fragment's run time on 40,000 marks ---------------------------------------------


def fragment_times(workdir: Path) -> None:
    from streamlit.testing.v1 import AppTest

    os.environ.update(
        PITCHJUDGE_DATABASE_URL=f"sqlite:///{workdir}/board.db",
        PITCHJUDGE_DATA_DIR=str(workdir / "board-data"),
        PITCHJUDGE_ADMIN_PASSWORD="bench-password",
        PITCHJUDGE_LANGUAGE="en",
        PITCHJUDGE_SECRET_KEY=SECRET_KEY,
    )
    settings = load_settings(env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    round_id = build_round(engine, 1_000, seed=1)
    with session_scope(engine) as session:
        round_ = session.get(Round, round_id)
        contest_id = round_.contest_id
        board.set_board(session=session, round_id=round_id, state="live")
        token = board.display_token(session=session, settings=settings, contest_id=contest_id)
        mark_ids = list(session.exec(select(Mark.id).where(Mark.round_id == round_id)).all())
        n_marks = len(mark_ids)
    print(
        f"\nProjected leaderboard, live, {n_marks:,} marks (1,000 pitches × 5 judges × 8 criteria)"
    )
    changes = iter(range(10_000))

    def change_a_mark() -> None:
        """A judge changes one mark: the next refresh must recompute."""
        n = next(changes)
        with session_scope(engine) as session:
            session.execute(
                update(Mark)
                .where(col(Mark.id) == mark_ids[(n * 7919) % n_marks])
                .values(value=float(n % 10 + 1), updated_at=utcnow())
            )

    def view() -> board.BoardView:
        with session_scope(engine, read_only=True) as session:
            return board.board_view(session=session, contest_id=contest_id)

    def fingerprint() -> tuple:
        with session_scope(engine, read_only=True) as session:
            return board.fingerprint(session=session, contest_id=contest_id)

    cache = board.BoardCache()

    def cached_view(contest_id: int, fingerprint: tuple) -> board.BoardView:
        """As pitchjudge.ui.state.board_view asks the shared cache."""
        view = cache.get((contest_id, fingerprint))
        if view is not None:
            return view
        with session_scope(engine, read_only=True) as session:
            return cache.view(session=session, contest_id=contest_id, fingerprint_=fingerprint)

    cold = timed(7, view, before=change_a_mark)
    figures("board_view, cold (after a mark changed)", cold)
    cached_view(contest_id, fingerprint())
    figures(
        "cached path: fingerprint() + shared cache hit",
        timed(30, lambda: cached_view(contest_id, fingerprint())),
    )
    figures("fingerprint() alone (read on every refresh)", timed(30, fingerprint))
    rows = view().rows
    figures(
        "leaderboard_figure(1,000 rows) + JSON",
        timed(7, lambda: leaderboard_figure(rows).to_json()),
    )

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.query_params["display"] = token
    at.run()
    if at.exception:
        print(f"  AppTest of the board page failed: {at.exception}")
        return
    figures("AppTest run of pages/board.py, cache hit (whole page)", timed(7, at.run))
    figures(
        "AppTest run of pages/board.py after a mark changed",
        timed(5, at.run, before=change_a_mark),
    )
    engine.dispose()


# --- (b) the server's memory with 20 browser sessions ----------------------------------------


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc)."""
    total, seen, todo = 0, set(), [pid]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mib(kib: int) -> str:
    return f"{kib / 1024:6.1f} MiB"


def server_memory(workdir: Path) -> None:
    if not CHROMIUM.exists():
        print(f"\nServer memory with 20 browser sessions: skipped ({CHROMIUM} is missing)")
        return
    from playwright.sync_api import sync_playwright

    values, port = app_settings(workdir, PITCHJUDGE_SECRET_KEY=SECRET_KEY)
    url = values["PITCHJUDGE_BASE_URL"]
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    # A live final: 10 judges × 12 pitches on the classic rubric (6 criteria), all scored.
    w = make_judging(engine, settings, judges=JUDGES, pitches=12)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
    with session_scope(engine) as session:
        for p, pitch in enumerate(w["pitches"]):
            for j, judge in enumerate(w["judges"]):
                for c, criterion in enumerate(w["criteria"]):
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=(p + j + c) % 5 + 1,
                    )
        board.set_board(session=session, round_id=w["round_id"], state="live")
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    engine.dispose()
    display = board.display_link(url, token)
    judge_links = [
        f"{judge_link(url, t)}&pitch={w['pitches'][n]}" for n, t in enumerate(w["tokens"])
    ]

    print(
        f"\nServer memory, `streamlit run` on SQLite, a live final of 12 pitches × "
        f"{JUDGES} judges × 6 criteria; {PROJECTORS} projectors + {JUDGES} judges in Chromium"
    )
    with serve(workdir, values, port) as server:
        process = server.process
        time.sleep(2)
        idle = rss_kib(process.pid)
        print(f"  server idle, no session                       {mib(idle)}")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            pages, loads = [], []

            def connect(link: str, ready: str) -> None:
                started = time.monotonic()
                page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
                page.goto(link, wait_until="commit", timeout=120_000)
                page.wait_for_selector(ready, timeout=120_000)
                pages.append(page)
                loads.append(time.monotonic() - started)

            # One of each first: the first run of each page imports its modules.
            connect(display, "li[data-pitch]")
            connect(judge_links[0], "[data-testid='stApp'][data-test-script-state='notRunning']")
            time.sleep(5)
            warm = rss_kib(process.pid)
            print(f"  1 projector + 1 judge connected (warm)        {mib(warm)}")
            for _n in range(1, PROJECTORS):
                connect(display, "li[data-pitch]")
            for n in range(1, JUDGES):
                connect(
                    judge_links[n], "[data-testid='stApp'][data-test-script-state='notRunning']"
                )
            time.sleep(10)  # a few refreshes of every projector
            loaded = rss_kib(process.pid)
            cpu_before, started = cpu_seconds(process.pid), time.monotonic()
            time.sleep(10)
            cpu = (cpu_seconds(process.pid) - cpu_before) / (time.monotonic() - started)
            after = rss_kib(process.pid)
            sessions = len(pages)
            print(
                f"  {sessions} sessions connected, settled              {mib(loaded)}"
                f"   (page ready in {min(loads):.1f}–{max(loads):.1f} s)"
            )
            print("  page ready (s), in connection order: " + " ".join(f"{t:.1f}" for t in loads))
            print(f"  {sessions} sessions, 10 s later                     {mib(after)}")
            print(
                f"  per session: {(after - idle) / sessions / 1024:5.1f} MiB from idle, "
                f"{(after - warm) / (sessions - 2) / 1024:5.1f} MiB from warm (marginal)"
            )
            print(
                f"  server CPU with {PROJECTORS} projectors refreshing every 2 s: "
                f"{cpu * 100:.0f} % of one core"
            )
            browser.close()


def main() -> None:
    parts = sys.argv[1:] or ["fragment", "memory"]  # or just one of them
    with tempfile.TemporaryDirectory(prefix="pj-bench-board-") as folder:
        workdir = Path(folder)
        if "fragment" in parts:
            fragment_times(workdir)
        if "memory" in parts:
            server_memory(workdir)


if __name__ == "__main__":
    main()
