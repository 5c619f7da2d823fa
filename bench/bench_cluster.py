"""Two replicas behind HAProxy under a final's load (issue 14), on PostgreSQL:

- 30 judges saving marks at a human pace (one click every 4–10 s each), through the proxy:
  one Debian Chromium driven by Playwright (async), one browser context per judge, so the
  sticky cookie spreads them over the replicas like 30 laptops;
- 10 projectors showing the live board, through the proxy;
- an audience-vote burst in the middle (locust, `bench/locustfile_vote.py`, plain HTTP
  through the proxy).

Figures: p50/p95 save time (click → the mark committed in PostgreSQL), p95 mark-to-projector
delay (a probe mark on a pitch the judges do not touch, committed → all 10 projectors show it),
errors (clicks never saved, error boxes on a page, failed votes), RSS and CPU per replica (and
of HAProxy and Chromium, since they share the 2 cores), with the load average.

Run: .venv/bin/python bench/bench_cluster.py [--judges 30] [--projectors 10] [--seconds 120]
     [--phones 300]
Database: PITCHJUDGE_BENCH_POSTGRES_URL (default
postgresql+psycopg://pitch:pitch@127.0.0.1:5432/pitchjudge_bench_cluster, created when missing;
emptied). Prints figures, asserts nothing; skipped with the reason when PostgreSQL, HAProxy or
Chromium is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
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
from bench_projector import flip_mark, seed, stats  # noqa: E402
from bench_vote import open_vote, read_stats  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import select  # noqa: E402

from pitchjudge.cluster import Cluster, ClusterConfig, find_haproxy, free_port  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.models import Mark  # noqa: E402
from pitchjudge.services import board  # noqa: E402
from pitchjudge.services.judges import judge_link  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://pitch:pitch@127.0.0.1:5432/pitchjudge_bench_cluster"
LOGS = Path(tempfile.gettempdir()) / "pj_bench_cluster_logs"
PITCHES = 12  # the last one is the probe's: no bench judge scores it
# The room board (HTML): one row per startup, `<li data-pitch="<id>">…<span class="pj-total">`.
BOARD_ROW = "li[data-pitch]"
ERROR_BOX = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def database(url: str) -> str:
    """`url`'s database, created when missing, emptied and migrated."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).first()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    engine.dispose()
    return url


class Usage(threading.Thread):
    """Peak RSS and CPU seconds of a few processes (a process and its children), every 0.5 s."""

    def __init__(self, pids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self.cpu_at_start = {name: self._cpu(name) for name in pids}
        self.cpu_used: dict[str, float] = {}
        self.stop = threading.Event()

    def _tree(self, name: str) -> list[psutil.Process]:
        process = self.processes[name]
        try:
            return [process, *process.children(recursive=True)]
        except psutil.Error:
            return []

    def _cpu(self, name: str) -> float:
        total = 0.0
        for process in self._tree(name):
            try:
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
            except psutil.Error:
                pass
        return total

    def _rss(self, name: str) -> int:
        total = 0
        for process in self._tree(name):
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for name in self.processes:
                self.peak[name] = max(self.peak[name], self._rss(name))

    def finish(self) -> None:
        self.cpu_used = {name: self._cpu(name) - self.cpu_at_start[name] for name in self.processes}
        self.stop.set()


class SaveWatcher(threading.Thread):
    """Clicks waiting for their mark in PostgreSQL; one query every 50 ms for all of them."""

    def __init__(self, engine, round_id: int, pitches: list[int]) -> None:
        super().__init__(daemon=True)
        self.engine, self.round_id, self.pitches = engine, round_id, pitches
        self.pending: dict[tuple[int, int, int], tuple[float, float]] = {}
        self.saved: list[float] = []
        self.superseded = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def expect(self, key: tuple[int, int, int], value: float, clicked: float) -> None:
        with self.lock:
            if key in self.pending:  # clicked again before the first one showed: not timed
                self.superseded += 1
            self.pending[key] = (value, clicked)

    def run(self) -> None:
        while not self.stop.wait(0.05):
            with self.lock:
                if not self.pending:
                    continue
            with session_scope(self.engine, read_only=True) as session:
                rows = session.exec(
                    select(Mark.judge_id, Mark.pitch_id, Mark.criterion_id, Mark.value).where(
                        Mark.round_id == self.round_id, Mark.pitch_id.in_(self.pitches)
                    )
                ).all()
            now = time.monotonic()
            stored = {(j, p, c): v for j, p, c, v in rows}
            with self.lock:
                for key, (value, clicked) in list(self.pending.items()):
                    if stored.get(key) == value:
                        self.saved.append(now - clicked)
                        del self.pending[key]

    def lost(self, older_than_s: float) -> int:
        """Clicks still not saved after `older_than_s`."""
        now = time.monotonic()
        with self.lock:
            return sum(1 for _v, clicked in self.pending.values() if now - clicked > older_than_s)


async def open_judges(browser, w: dict, base_url: str, count: int) -> list:
    """One context and page per judge, each on its own pitch's scorecard, 4 opening at once."""
    gate = asyncio.Semaphore(4)

    async def one(index: int):
        async with gate:
            context = await browser.new_context(viewport={"width": 1366, "height": 800})
            page = await context.new_page()
            pitch = w["pitches"][index % (PITCHES - 1)]
            link = f"{judge_link(base_url, w['tokens'][index])}&pitch={pitch}"
            await page.goto(link, timeout=180_000)
            await page.get_by_role("radiogroup").first.wait_for(timeout=180_000)
            return page

    return await asyncio.gather(*(one(i) for i in range(count)))


async def open_projectors(browser, link: str, count: int) -> list:
    gate = asyncio.Semaphore(4)

    async def one():
        async with gate:
            context = await browser.new_context(viewport={"width": 1600, "height": 900})
            page = await context.new_page()
            await page.goto(link, wait_until="commit", timeout=180_000)
            try:
                await page.locator(BOARD_ROW).first.wait_for(timeout=180_000)
            except Exception:
                await page.screenshot(path="/tmp/pj_bench_cluster_projector.png")
                raise
            return page

    return await asyncio.gather(*(one() for _ in range(count)))


async def judge_loop(page, index: int, w: dict, watcher: SaveWatcher, until: float) -> int:
    """Clicks a mark every 4–10 s until `until`; returns the clicks made."""
    rng = random.Random(index)
    judge = w["judges"][index]
    pitch = w["pitches"][index % (PITCHES - 1)]
    values = {}
    clicks = 0
    await asyncio.sleep(rng.uniform(0, 6))
    while time.monotonic() < until:
        criterion = rng.randrange(len(w["criteria"]))
        key = (judge, pitch, w["criteria"][criterion])
        value = rng.choice([v for v in range(1, 6) if v != values.get(key)])
        group = page.get_by_role("radiogroup").nth(criterion)
        clicked = time.monotonic()
        watcher.expect(key, float(value), clicked)
        await group.get_by_role("radio", name=str(value), exact=True).click(timeout=60_000)
        values[key] = value
        clicks += 1
        await asyncio.sleep(rng.uniform(4, 10))
    return clicks


async def probe_loop(projectors: list, w: dict, until: float) -> list[float]:
    """A probe mark every ~4 s on the probe pitch; seconds until every projector shows it."""
    engine, probe_pitch, probe_judge = w["engine"], w["pitches"][-1], w["judges"][-1]
    delays: list[float] = []
    await asyncio.sleep(5)
    while time.monotonic() < until:
        saved = await asyncio.to_thread(
            flip_mark, engine, w, probe_judge, probe_pitch, w["criteria"][0]
        )
        # The total the board must now show (no judge but the probe's touches this pitch, and
        # each flip moves it by several hundredths). Compared with the value shown, not with the
        # value before: a read that timed out on a busy machine must not hide a projector.
        expected = await asyncio.to_thread(probe_total, engine, w, probe_pitch)
        waiting = set(range(len(projectors)))
        deadline = saved + 120
        while waiting and expected is not None and time.monotonic() < deadline:
            for i in list(waiting):
                shown = await shown_total(projectors[i], probe_pitch)
                if shown is not None and abs(shown - expected) < 0.005:
                    waiting.discard(i)
            await asyncio.sleep(0.05)
        delays.append(time.monotonic() - saved if not waiting else float("inf"))
        await asyncio.sleep(4)
    return delays


async def shown_total(page, pitch: int) -> float | None:
    """The total a projector shows for `pitch` (English number format), None if not shown."""
    cell = page.locator(f'li[data-pitch="{pitch}"] .pj-total').first
    try:
        raw = await cell.text_content(timeout=1_000)
    except Exception:  # not drawn right now (a redraw): not shown
        return None
    try:
        return float((raw or "").replace(",", "").strip())
    except ValueError:
        return None


def probe_total(engine, w: dict, pitch: int) -> float | None:
    with session_scope(engine, read_only=True) as session:
        view = board.board_view(session=session, contest_id=w["contest"].id)
    return next((r.total for r in view.rows if r.pitch_id == pitch), None)


def vote_burst(workdir: Path, url: str, token: str, w: dict, phones: int) -> subprocess.Popen:
    """locust, headless: `phones` phones open the vote page and vote, all within ~15 s."""
    spawn = max(1, phones // 15)
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile_vote.py"),
            "--headless",
            "-u",
            str(phones),
            "-r",
            str(spawn),
            "-t",
            f"{phones // spawn + 60}s",
            "--host",
            url,
            "--csv",
            str(workdir / "locust"),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={
            **os.environ,
            "VOTE_TOKEN": token,
            "VOTE_PITCHES": ",".join(str(p) for p in w["pitches"]),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


async def run(workdir: Path, args: dict[str, int]) -> None:
    from playwright.async_api import async_playwright

    url = database(os.environ.get("PITCHJUDGE_BENCH_POSTGRES_URL", DEFAULT_URL))
    judges, projectors_n, seconds, phones = (
        args["judges"],
        args["projectors"],
        args["seconds"],
        args["phones"],
    )
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    # One more judge than the bench drives: the probe's, on the probe pitch only.
    w = seed(
        workdir,
        judges=judges + 1,
        pitches=PITCHES,
        PITCHJUDGE_DATABASE_URL=url,
        PITCHJUDGE_BASE_URL=base_url,
    )
    token = open_vote(w)
    config = ClusterConfig(
        env=w["values"],
        run_dir=workdir / "run",
        replicas=2,
        port=port,
        host="127.0.0.1",
        mail_sender=False,
        streamlit_args=["--server.fileWatcherType", "none"],
    )
    print(
        f"\n2 replicas behind HAProxy, PostgreSQL: {judges} judges (one Chromium, a context "
        f"each), {projectors_n} projectors, {phones} phones voting mid-run, {seconds} s — "
        f"{load()}"
    )
    with Cluster(config) as cluster:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            opened = time.monotonic()
            screens = await open_projectors(browser, w["display"], projectors_n)
            pages = await open_judges(browser, w, base_url, judges)
            print(
                f"  {judges} judges' and {projectors_n} projectors' pages opened in "
                f"{time.monotonic() - opened:.0f} s — {load()}"
            )
            browser_pid = next(
                (
                    p.pid
                    for p in psutil.Process().children(recursive=True)
                    if p.name().startswith("chrom") and "--type=" not in " ".join(p.cmdline())
                ),
                None,
            )
            pids = {r.name: r.child.pid for r in cluster.replicas}
            pids["haproxy"] = cluster.proxy.pid
            if browser_pid:
                pids["chromium"] = browser_pid
            usage = Usage(pids)
            usage.start()
            watcher = SaveWatcher(
                w["engine"], w["round_id"], [w["pitches"][i] for i in range(PITCHES - 1)]
            )
            watcher.start()
            started = time.monotonic()
            until = started + seconds
            per_replica = {}
            for r in cluster.replicas:
                per_replica[r.name] = 0
            for page in pages:
                cookie = next(
                    (c["value"] for c in await page.context.cookies() if c["name"] == "PJREPLICA"),
                    "?",
                )
                per_replica[cookie] = per_replica.get(cookie, 0) + 1

            async def burst():
                await asyncio.sleep(seconds / 3)
                process = vote_burst(workdir, base_url, token, w, phones)
                while process.poll() is None:
                    await asyncio.sleep(0.5)
                return process

            results = await asyncio.gather(
                *(judge_loop(page, i, w, watcher, until) for i, page in enumerate(pages)),
                probe_loop(screens, w, until),
                burst(),
            )
            elapsed = time.monotonic() - started
            clicks = sum(results[:judges])
            delays, locust = results[judges], results[judges + 1]
            await asyncio.sleep(3)  # the last clicks land
            watcher.stop.set()
            usage.finish()
            error_boxes = 0
            for page in [*pages, *screens]:
                error_boxes += await page.locator(ERROR_BOX).count()
            await browser.close()
        states = cluster.server_states()
        exits = {r.name: r.child.process.poll() for r in cluster.replicas}
    lost = watcher.lost(older_than_s=0)
    print(f"  judges per replica (sticky cookie): {per_replica}; HAProxy saw {states}")
    dead = {name: code for name, code in exits.items() if code is not None}
    print(f"  replicas that died during the run: {dead or 'none'}")
    print(
        f"  clicks {clicks} in {elapsed:.0f} s ({clicks / elapsed:.1f}/s), "
        f"saved {len(watcher.saved)} (and {watcher.superseded} changed again before the "
        "first value was seen in the database)"
    )
    stats("save: click → mark in PostgreSQL", watcher.saved)
    shown = [d for d in delays if d != float("inf")]
    if shown:
        stats(f"probe mark committed → all {projectors_n} projectors", shown)
    figures = read_stats(workdir / "locust") if (workdir / "locust_stats.csv").exists() else {}
    post = figures.get("POST /vote")
    if post:
        print(
            f"  vote burst: {post['Request Count']} POSTs, {post['Failure Count']} failed, "
            f"p50 {post['50%']} ms, p95 {post['95%']} ms (locust exit {locust.returncode})"
        )
    else:
        print(f"  vote burst: no figures (locust said {locust.stderr.read()[-300:]!r})")
    print(
        f"  errors: {lost} clicks never saved, {len(delays) - len(shown)} probes never shown, "
        f"{error_boxes} error boxes on the pages"
    )
    for name in pids:
        print(
            f"  {name:<9} peak RSS {usage.peak[name] / 2**20:6.0f} MiB   CPU "
            f"{usage.cpu_used[name]:6.1f} s ({usage.cpu_used[name] / elapsed * 100:3.0f} % of "
            "a core)"
        )
    print(f"  ({load()}; {os.cpu_count()} cores)")
    w["engine"].dispose()


def main() -> None:
    argv = sys.argv[1:]
    args = {"judges": 30, "projectors": 10, "seconds": 120, "phones": 300}
    for name in args:
        if f"--{name}" in argv:
            args[name] = int(argv[argv.index(f"--{name}") + 1])
    if not CHROMIUM.exists():
        print(f"bench_cluster: skipped ({CHROMIUM} is missing)")
        return
    if not find_haproxy():
        print("bench_cluster: skipped (haproxy is missing: apt-get install -y haproxy)")
        return
    url = os.environ.get("PITCHJUDGE_BENCH_POSTGRES_URL", DEFAULT_URL)
    try:
        create_engine(make_url(url).set(database="postgres")).connect().close()
    except Exception as error:  # any reason: say it and skip
        print(f"bench_cluster: skipped (PostgreSQL unreachable at {make_url(url)!r}: {error})")
        return
    with tempfile.TemporaryDirectory() as tmp:
        try:
            asyncio.run(run(Path(tmp), args))
        finally:  # the replicas' and HAProxy's logs outlive the run, for whoever reads it
            if (Path(tmp) / "run").is_dir():
                shutil.copytree(
                    Path(tmp) / "run",
                    LOGS,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.sock"),
                )
                print(f"  (logs of the replicas and HAProxy: {LOGS})")


if __name__ == "__main__":
    main()
