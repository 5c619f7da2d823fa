"""Push channel figures (issue 10), against a real server (the ASGI entry) and Chromium:

- delay:  a mark clicked by one of 6 judges (6 browser contexts, in turn) until an open
          projector shows it, p50/p95 over ≥ 30 marks: with the push channel (the refresh
          interval at 60 s, so polling cannot help), then with the push route blocked in the
          projector's browser (the polling fallback) at refresh 2 s and 1 s. Goals: push
          p95 ≤ 0.5 s; polling p95 ≤ interval + 0.3 s.
- big:    a 1,000-startup board, in process: what a cached refresh costs the server (the
          version check and the shared board from the cache; goal ≤ 100 ms), and what one
          tick of the push channel's shared loop costs (two small reads).

Run: .venv/bin/python bench/bench_push.py [delay] [big] [--marks N] [--only push|poll]
Prints figures with the machine's load (`uptime`); asserts nothing; skipped with the reason
when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_projector import seed, stats  # noqa: E402

from pitchjudge import push  # noqa: E402
from pitchjudge.db import session_scope  # noqa: E402
from pitchjudge.services import board, rubric, scoring  # noqa: E402
from pitchjudge.services.judges import judge_link  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

MAIN_TEXT = "() => document.querySelector('[data-testid=\"stMain\"]')?.textContent ?? ''"
JUDGES = 6


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def stored(engine, w, judge: int, pitch: int, criterion: int) -> float | None:
    with session_scope(engine, read_only=True) as session:
        return scoring.stored_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=judge,
            pitch_id=pitch,
            criterion_id=criterion,
        )


def delay(workdir: Path, playwright, marks: int, only: str | None = None) -> None:
    print(
        f"\nMark clicked by a judge → the projector shows it ({JUDGES} judge browsers, 12 "
        f"startups, {marks} marks per run)   [{uptime()}]"
    )
    runs = (
        ("push (refresh 60 s)", 60, False),
        ("polling fallback, refresh 2 s", 2, True),
        ("polling fallback, refresh 1 s", 1, True),
    )
    for label, refresh, blocked in runs:
        if only and (only == "push") == blocked:
            continue
        run_dir = workdir / f"r{refresh}{'b' if blocked else ''}"
        run_dir.mkdir()
        w = seed(run_dir, judges=JUDGES, pitches=12)
        w["values"]["PITCHJUDGE_REFRESH_S"] = str(refresh)
        engine = w["engine"]
        with session_scope(engine, read_only=True) as session:
            names = [
                c.name for c in rubric.list_criteria(session=session, contest_id=w["contest"].id)
            ]
        with serve(run_dir, w["values"], w["port"]):
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            projector = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            if blocked:
                projector.route("**/_pj/events**", lambda route: route.abort())
            projector.goto(w["display"], timeout=120_000)
            projector.wait_for_selector("[data-push]", state="attached", timeout=120_000)
            judges = []
            for index in range(JUDGES):
                page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
                pitch = w["pitches"][index]
                page.goto(
                    f"{judge_link(w['values']['PITCHJUDGE_BASE_URL'], w['tokens'][index])}"
                    f"&pitch={pitch}",
                    timeout=120_000,
                )
                page.get_by_role("radiogroup").first.wait_for(timeout=120_000)
                judges.append(page)
            time.sleep(3)
            status = projector.locator("[data-push]").first.get_attribute("data-push")
            from_save, from_click = [], []
            rng = random.Random(7)
            for n in range(marks):
                index = n % JUDGES
                page, judge, pitch = judges[index], w["judges"][index], w["pitches"][index]
                criterion = (n // JUDGES) % len(names)
                old = stored(engine, w, judge, pitch, w["criteria"][criterion])
                value = 1 if old != 1 else 5
                # Clicks land anywhere in the refresh interval.
                time.sleep(rng.uniform(0, min(refresh, 2)))
                before = projector.evaluate(MAIN_TEXT)
                group = page.get_by_role("radiogroup").nth(criterion)
                clicked = time.monotonic()
                group.get_by_role("radio", name=str(value), exact=True).click()
                while stored(engine, w, judge, pitch, w["criteria"][criterion]) != value:
                    if time.monotonic() - clicked > 60:
                        raise RuntimeError("the click was never saved")
                    time.sleep(0.01)
                saved = time.monotonic()
                projector.wait_for_function(
                    f"(before) => ({MAIN_TEXT})() !== before", arg=before, timeout=120_000
                )
                shown = time.monotonic()
                from_save.append(shown - saved)
                from_click.append(shown - clicked)
            print(f"  {label}: the projector's push element was '{status}'")
            stats(f"{label}: mark saved → projector", from_save)
            stats(f"{label}: click → projector", from_click)
            browser.close()
        engine.dispose()
    print(f"  [{uptime()}]")


def big(workdir: Path) -> None:
    w = seed(workdir, judges=3, pitches=1000)
    engine, contest_id = w["engine"], w["contest"].id
    print(f"\nA 1,000-startup board (3 judges × 6 criteria, 18,000 marks)   [{uptime()}]")
    cache = board.BoardCache()
    with session_scope(engine, read_only=True) as session:
        started = time.perf_counter()
        fingerprint = board.fingerprint(session=session, contest_id=contest_id)
        cache.view(session=session, contest_id=contest_id, fingerprint_=fingerprint)
        first = time.perf_counter() - started
    print(f"  the board computed once after a change (wall)                {first * 1000:8.1f} ms")
    refresh, tick, tick_cpu = [], [], []
    for _n in range(100):
        started = time.perf_counter()
        with session_scope(engine, read_only=True) as session:
            key = (contest_id, board.fingerprint(session=session, contest_id=contest_id))
        assert cache.get(key) is not None
        refresh.append(time.perf_counter() - started)
        started, ticks = time.perf_counter(), time.process_time()
        with session_scope(engine, read_only=True) as session:
            push.signature(session=session, contest_id=contest_id)
        tick.append(time.perf_counter() - started)
        tick_cpu.append(time.process_time() - ticks)
    stats("a cached refresh: version check + shared board (wall)", refresh, "ms")
    stats("one tick of the push loop (wall)", tick, "ms")
    stats("one tick of the push loop (CPU)", tick_cpu, "ms")
    print(
        f"  push loop: {push.POLL_S * 1000:.0f} ms between ticks → "
        f"{sum(tick_cpu) / len(tick_cpu) / push.POLL_S * 100:.1f} % of a core per watched contest, "
        "whatever the number of screens"
    )
    engine.dispose()


def main() -> None:
    args = sys.argv[1:]
    marks, only = 30, None
    if "--only" in args:  # push | poll
        at = args.index("--only")
        only = args[at + 1]
        del args[at : at + 2]
    if "--marks" in args:
        at = args.index("--marks")
        marks = int(args[at + 1])
        del args[at : at + 2]
    parts = args or ["delay", "big"]
    for part in parts:
        with tempfile.TemporaryDirectory(prefix=f"pj-bench-push-{part}-") as folder:
            if part == "big":
                big(Path(folder))
            elif not CHROMIUM.exists():
                print(f"\nPush delay bench skipped: {CHROMIUM} is missing")
            else:
                from playwright.sync_api import sync_playwright

                with sync_playwright() as playwright:
                    delay(Path(folder), playwright, marks, only)


if __name__ == "__main__":
    main()
