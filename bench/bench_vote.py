"""The audience vote under a full room (issue 13), against a real server (`streamlit run
pitchjudge/ui/asgi.py`, SQLite) and Debian's Chromium:

- session: what one Streamlit session costs the server (RSS and CPU per browser tab), the
           reason the phone page is plain HTTP beside the app;
- room:    locust, headless, in a subprocess: 1,000 phones each open /vote/<token> and vote
           within 60 s. Votes per second, p50/p95 vote latency (the POST), errors, the
           server's peak RSS and CPU, then the vote rows counted (no vote lost); and, while the
           vote runs, the mark-to-projector delay of the jury's board (before and during).

Run: .venv/bin/python bench/bench_vote.py [session] [room] [--users N]
Prints figures, asserts nothing; the browser parts are skipped when /usr/bin/chromium is
missing.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psutil  # noqa: E402  (comes with locust, in the dev group)
from bench_projector import CHART, flip_mark, open_projector, seed, stats, until_changed  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from pitchjudge.db import session_scope  # noqa: E402
from pitchjudge.models import Vote  # noqa: E402
from pitchjudge.services import auth, votes  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def open_vote(w: dict) -> str:
    with session_scope(w["engine"]) as session:
        organiser = auth.open_organiser_session(session=session)
        votes.open_window(session=session, organiser_token=organiser, round_id=w["round_id"])
        return votes.window_for_round(session=session, round_id=w["round_id"]).token


# --- session ---------------------------------------------------------------------------------


def session_cost(workdir: Path, playwright, tabs: int = 10) -> None:
    w = seed(workdir, judges=2, pitches=4)
    print(f"\nOne Streamlit session (the Apply page, {tabs} Chromium tabs) — {load()}")
    with serve(workdir, w["values"], w["port"]) as app:
        server = psutil.Process(app.process.pid)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        warm = browser.new_context().new_page()
        warm.goto(app.url, timeout=120_000)
        warm.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        time.sleep(2)
        rss, cpu = server.memory_info().rss, sum(server.cpu_times()[:2])
        pages = []
        for _ in range(tabs):
            page = browser.new_context().new_page()
            page.goto(app.url, timeout=120_000)
            page.wait_for_selector(
                '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000
            )
            pages.append(page)
        time.sleep(2)
        rss_after, cpu_after = server.memory_info().rss, sum(server.cpu_times()[:2])
        print(f"  server RSS per session        {(rss_after - rss) / tabs / 2**20:7.1f} MiB")
        print(f"  server CPU to open a session  {(cpu_after - cpu) / tabs * 1000:7.0f} ms")
        # An open projector tab is also a session that refreshes every 2 s.
        projector = open_projector(browser, w["display"])
        time.sleep(2)
        before = sum(server.cpu_times()[:2])
        time.sleep(20)
        idle = (sum(server.cpu_times()[:2]) - before) / 20
        print(f"  server CPU of one idle projector session {idle * 100:5.1f} % of a core")
        per_rss, per_cpu = (rss_after - rss) / tabs, (cpu_after - cpu) / tabs
        print(
            f"  → 1,000 phones as Streamlit sessions: ~{per_rss * 1000 / 2**30:.1f} GiB and "
            f"~{per_cpu * 1000:.0f} CPU-seconds just to open them"
        )
        projector.close()
        browser.close()
    w["engine"].dispose()


# --- room ------------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """The server's RSS (peak) and CPU time, sampled every 0.25 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.25)


def read_stats(prefix: Path) -> dict[str, dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def vote_times(prefix: Path) -> tuple[float, float, float]:
    """(first second with a vote, first second with every vote in, peak votes per second),
    from locust's per-second history of POST /vote."""
    with open(f"{prefix}_stats_history.csv", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Name"] == "POST /vote"]
    counts = [(float(r["Timestamp"]), int(r["Total Request Count"])) for r in rows]
    total = max((c for _t, c in counts), default=0)
    first = next((t for t, c in counts if c > 0), 0.0)
    last = next((t for t, c in counts if c == total), first)
    peak = max((float(r["Requests/s"]) for r in rows), default=0.0)
    return first, last, peak


def room(workdir: Path, playwright, users: int) -> None:
    w = seed(workdir, judges=6, pitches=8)
    token = open_vote(w)
    spawn = max(1, round(users / 50))  # every phone has started within ~50 s
    print(
        f"\n{users} phones voting (locust, {spawn} new phones per second) while the jury's board "
        f"is projected — {load()}"
    )
    with serve(workdir, w["values"], w["port"]) as app:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        projector = open_projector(browser, w["display"])
        time.sleep(3)

        def marks(count: int) -> list[float]:
            delays = []
            for n in range(count):
                before = [projector.evaluate(CHART)]
                saved = flip_mark(
                    w["engine"], w, w["judges"][n % 6], w["pitches"][n % 8], w["criteria"][0]
                )
                delays.append(until_changed([projector], before, saved))
                time.sleep(0.7 * (n % 3))
            return delays

        quiet = marks(6)
        sampler = Sampler(app.process.pid)
        rss_before, cpu_before = sampler.process.memory_info().rss, sampler.cpu()
        sampler.start()
        prefix = workdir / "locust"
        env = {
            **os.environ,
            "VOTE_TOKEN": token,
            "VOTE_PITCHES": ",".join(str(p) for p in w["pitches"]),
        }
        started = time.monotonic()
        locust = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile_vote.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(spawn),
                "-t",
                f"{users // spawn + 25}s",
                "--host",
                app.url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--csv-full-history",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        during = []
        while locust.poll() is None:
            during += marks(1)
        elapsed = time.monotonic() - started
        cpu_used = sampler.cpu() - cpu_before
        sampler.stop.set()
        said = locust.stderr.read().strip().splitlines()
        errors = said[-5:] if locust.returncode not in (0, 1) else []
        browser.close()
    with session_scope(w["engine"], read_only=True) as session:
        rows = session.exec(select(func.count()).select_from(Vote)).one()
    w["engine"].dispose()
    figures = read_stats(prefix)
    post, page = figures["POST /vote"], figures["GET /vote (page)"]
    done = int(post["Request Count"]) - int(post["Failure Count"])
    print(f"  votes stored (303)            {done} of {post['Request Count']} POSTs")
    first, last, peak = vote_times(prefix)
    print(
        f"  votes per second              {done / max(1e-9, last - first):7.1f} "
        f"(all {done} in {last - first:.0f} s), peak {peak:.0f}/s"
    )
    print(
        f"  vote latency (POST)           p50 {post['50%']} ms   p95 {post['95%']} ms   "
        f"max {float(post['Max Response Time']):.0f} ms"
    )
    print(f"  page latency (GET)            p50 {page['50%']} ms   p95 {page['95%']} ms")
    print(
        f"  errors                        {post['Failure Count']} votes, "
        f"{page['Failure Count']} pages"
    )
    print(
        f"  server RSS                    {rss_before / 2**20:.0f} MiB before, "
        f"peak {sampler.peak / 2**20:.0f} MiB"
    )
    print(
        f"  server CPU                    {cpu_used:.1f} s over {elapsed:.0f} s "
        f"({cpu_used / elapsed * 100:.0f} % of a core)"
    )
    print(
        f"  vote rows counted after       {rows} (lost: {done - rows})"
        + ("" if not errors else f"   locust said: {' | '.join(errors)}")
    )
    stats("mark → jury's projector, before the vote", quiet)
    stats(f"mark → jury's projector, while {users} phones vote", during)
    print(f"  ({load()})")


def main() -> None:
    args = sys.argv[1:]
    users = 1000
    if "--users" in args:
        users = int(args[args.index("--users") + 1])
    parts = [a for a in args if a in ("session", "room")] or ["session", "room"]
    if not CHROMIUM.exists():
        print(f"bench_vote: skipped ({CHROMIUM} is missing)")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        for part in parts:
            with tempfile.TemporaryDirectory() as tmp:
                {"session": session_cost, "room": lambda d, p: room(d, p, users)}[part](
                    Path(tmp), playwright
                )


if __name__ == "__main__":
    main()
