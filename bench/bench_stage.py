"""Stage figures: the cost of judges' laptops following the live final.

During the final every judge's page asks every PITCHJUDGE_REFRESH_S (2 s) who is on stage.
This prints the service call's time, then the server's CPU and memory with N judges (default
20) in Chromium following a running stage, and how long their pages take to open the next
startup's scorecard after the organiser's click.

Run: .venv/bin/python bench/bench_stage.py [JUDGES]   — prints figures, asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_board import cpu_seconds, figures, mib, rss_kib, timed  # noqa: E402

from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.models import Contest  # noqa: E402
from pitchjudge.services import contests, stage  # noqa: E402
from pitchjudge.services.judges import judge_link  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, app_settings, serve  # noqa: E402
from tests.factories import make_judging  # noqa: E402

SECRET_KEY = "bench-stage-secret-key-0123456789abcdef0123456"


def main() -> None:
    judges = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory(prefix="pj-bench-stage-") as folder:
        workdir = Path(folder)
        values, port = app_settings(workdir, PITCHJUDGE_SECRET_KEY=SECRET_KEY)
        settings = load_settings(values, env_file=None)
        engine = make_engine(settings.database_url)
        migrate(engine)
        w = make_judging(engine, settings, judges=judges, pitches=10)
        with session_scope(engine) as session:
            session.get(Contest, w["contest"].id).language = "en"
            stage.ensure_running_order(session=session, round_id=w["round_id"])
            stage.start_next(session=session, round_id=w["round_id"])

        def ask() -> None:
            with session_scope(engine, read_only=True) as session:
                stage.stage_now(session=session, contest_id=w["contest"].id)

        print(f"\nThe live final: 10 startups on the running order, {judges} judges")
        figures("stage_now() (what each judge's page asks)", timed(50, ask))
        if not CHROMIUM.exists():
            print(f"  browsers: skipped ({CHROMIUM} is missing)")
            return
        from playwright.sync_api import sync_playwright

        url = values["PITCHJUDGE_BASE_URL"]
        with serve(workdir, values, port) as server, sync_playwright() as playwright:
            pid = server.process.pid
            time.sleep(2)
            idle = rss_kib(pid)
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            pages, loads = [], []
            for token in w["tokens"]:
                page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
                started = time.monotonic()
                page.goto(judge_link(url, token), wait_until="commit", timeout=120_000)
                # The page opens the scorecard of the startup on stage by itself.
                page.get_by_role("heading", name="Startup 1").wait_for(timeout=120_000)
                loads.append(time.monotonic() - started)
                pages.append(page)
            print(
                "  judge's page ready on the startup on stage (s): "
                + " ".join(f"{t:.1f}" for t in loads)
            )
            time.sleep(6)
            before, started = cpu_seconds(pid), time.monotonic()
            time.sleep(20)
            cpu = (cpu_seconds(pid) - before) / (time.monotonic() - started)
            print(f"  server idle                                   {mib(idle)}")
            print(f"  {judges} judges following the stage              {mib(rss_kib(pid))}")
            print(
                f"  server CPU while they follow (refresh {settings.refresh_s} s): "
                f"{cpu * 100:.0f} % of one core"
            )

            # The organiser puts the next startup on stage: how long until each page shows it.
            with session_scope(engine) as session:
                stage.start_next(session=session, round_id=w["round_id"])
            clicked = time.monotonic()
            delays = []
            for page in pages:
                page.get_by_role("heading", name="Startup 2").wait_for(timeout=60_000)
                delays.append(time.monotonic() - clicked)
            print(
                f"  next startup on every judge's page: median {statistics.median(delays):.1f} s, "
                f"last {max(delays):.1f} s (checked one page after another)"
            )
            browser.close()
        with session_scope(engine) as session:
            contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
        engine.dispose()


if __name__ == "__main__":
    main()
