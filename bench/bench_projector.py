"""Projector figures for issue 16, each against a real server (`streamlit run` of the ASGI
entry pitchjudge/ui/asgi.py) and Debian's Chromium:

- inputs:  how long an overtime penalty, a declared conflict and a mark take to reach an open
           projector (from the commit to the board showing it);
- restart: a server restart until a projector reopened at once shows the board, with the
           ASGI entry's warm-up and, for comparison, `streamlit run streamlit_app.py`;
- idle:    the server's CPU with 1, 10 and 20 idle projectors (nothing changes), with the
           push channel live (as deployed: the screens poll every 30 s) and with it blocked
           (polling every refresh_s); the refreshes are counted (the script runs each browser
           asks for on its websocket), so "ms per refresh" divides by those that happened;
           and the in-process cost of the version check each refresh makes;
- big:     a round of 200 startups × 5 judges × 6 criteria (6,000 marks): the recompute
           cost of one mark change (server CPU, in process), and mark saved → board shows it,
           p50/p95, with 3 projectors open.

Run: .venv/bin/python bench/bench_projector.py [inputs] [restart] [idle] [big]
Prints figures, asserts nothing; skipped with the reason when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_board import cpu_seconds, percentile  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlmodel import select  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402

from pitchjudge import push  # noqa: E402
from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.models import Contest, Criterion, Mark, utcnow  # noqa: E402
from pitchjudge.services import board, scoring, stage  # noqa: E402
from pitchjudge.ui.push import LIVE_FALLBACK_S  # noqa: E402
from tests.browser_support import (  # noqa: E402
    APP_ENTRY,
    CHROMIUM,
    CHROMIUM_ARGS,
    app_settings,
    serve,
)
from tests.factories import make_judging  # noqa: E402

SECRET_KEY = "bench-projector-secret-key-0123456789abcdef01"
PROJECTOR = {"width": 1600, "height": 900}
# The room board (HTML, one `<li data-pitch>` per place): every place's pitch and total, in
# order. Any change of a total, a rank or a name shows here.
BOARD_ROW = "li[data-pitch]"
CHART = """() => {
    const rows = document.querySelectorAll('li[data-pitch]');
    if (!rows.length) return null;
    return Array.from(rows, r => r.dataset.pitch + ':' + r.textContent).join('|');
}"""


def stats(label: str, values: list[float], unit: str = "s") -> None:
    scale = 1000 if unit == "ms" else 1
    print(
        f"  {label:<52} p50 {statistics.median(values) * scale:7.2f} {unit}   "
        f"p95 {percentile(values, 0.95) * scale:7.2f} {unit}   "
        f"max {max(values) * scale:7.2f} {unit}   (n={len(values)})"
    )


def seed(workdir: Path, *, judges: int, pitches: int, marks: bool = True, **overrides: str) -> dict:
    """A live board of `pitches` × `judges` × the classic rubric (6 criteria), all scored
    (in `overrides`' PITCHJUDGE_DATABASE_URL when given, else a SQLite file in `workdir`)."""
    values, port = app_settings(workdir, PITCHJUDGE_SECRET_KEY=SECRET_KEY, **overrides)
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=judges, pitches=pitches)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
        criteria = session.exec(
            select(Criterion).where(Criterion.contest_id == w["contest"].id)
        ).all()
        if marks:
            now = utcnow()
            session.execute(
                insert(Mark),
                [
                    {
                        "round_id": w["round_id"],
                        "judge_id": judge,
                        "pitch_id": pitch,
                        "criterion_id": c.id,
                        "scale_min": c.scale_min,
                        "scale_max": c.scale_max,
                        "value": float((p * 7 + j * 3 + n) % 5 + 1),
                        "updated_at": now,
                    }
                    for p, pitch in enumerate(w["pitches"])
                    for j, judge in enumerate(w["judges"])
                    for n, c in enumerate(criteria)
                ],
            )
        board.set_board(session=session, round_id=w["round_id"], state="live")
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    w.update(
        engine=engine,
        values=values,
        port=port,
        settings=settings,
        display=board.display_link(values["PITCHJUDGE_BASE_URL"], token),
    )
    return w


class Runs:
    """The script runs the projectors' browsers ask the server for (Streamlit's `rerun_script`
    messages on each page's websocket): the refresh fragments' polls, and whole-page reruns
    (a push event, the stream going live or down). Counted as Playwright delivers the frames:
    wait with `page.wait_for_timeout`, not `time.sleep`."""

    def __init__(self) -> None:
        self.polls = 0
        self.pages = 0

    def watch(self, page) -> None:
        page.on("websocket", lambda socket: socket.on("framesent", self._sent))

    def _sent(self, payload) -> None:
        if isinstance(payload, str):
            return
        message = BackMsg.FromString(payload)
        if message.WhichOneof("type") != "rerun_script":
            return
        if message.rerun_script.fragment_id:
            self.polls += 1
        else:
            self.pages += 1

    def total(self) -> int:
        return self.polls + self.pages


def open_projector(browser, link: str, *, runs: Runs | None = None, block_push: bool = False):
    """A projector's tab on `link`; `runs` counts its script runs; `block_push` aborts the push
    route (a proxy that drops it), so the screen polls at the refresh interval."""
    context = browser.new_context(viewport=PROJECTOR)
    if block_push:
        context.route(f"**{push.PATH}**", lambda route: route.abort())
    page = context.new_page()
    if runs is not None:
        runs.watch(page)
    page.goto(link, wait_until="commit", timeout=120_000)
    page.wait_for_selector(BOARD_ROW, timeout=120_000)
    return page


def until_changed(pages, before: list[str | None], since: float, timeout_s: float = 60) -> float:
    """Seconds from `since` until every page's chart differs from `before`."""
    waiting = set(range(len(pages)))
    shown_at = since
    deadline = time.monotonic() + timeout_s
    while waiting:
        for index in list(waiting):
            if pages[index].evaluate(CHART) not in (before[index], None):
                waiting.discard(index)
                shown_at = time.monotonic()
        if time.monotonic() > deadline:
            raise RuntimeError("the projector never showed the change")
        time.sleep(0.02)
    return shown_at - since


def flip_mark(engine, w, judge: int, pitch: int, criterion: int) -> float:
    """A mark that surely changes (1 ↔ 5); the monotonic time of the commit."""
    with session_scope(engine, read_only=True) as session:
        old = scoring.stored_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=judge,
            pitch_id=pitch,
            criterion_id=criterion,
        )
    return set_mark(engine, w, judge, pitch, criterion, 5 if old == 1 else 1)


def set_mark(engine, w, judge: int, pitch: int, criterion: int, value: float) -> float:
    """The judge's click, as the scoring page saves it; the monotonic time of the commit."""
    with session_scope(engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=judge,
            pitch_id=pitch,
            criterion_id=criterion,
            value=value,
        )
    return time.monotonic()


# --- inputs ----------------------------------------------------------------------------------


def inputs(workdir: Path, playwright) -> None:
    w = seed(workdir, judges=6, pitches=12)
    engine, refresh = w["engine"], w["settings"].refresh_s
    print(
        f"\nInputs reaching an open projector (12 startups × 6 judges, refresh {refresh:g} s, "
        f"target {refresh + 1:g} s)"
    )
    with serve(workdir, w["values"], w["port"]):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = open_projector(browser, w["display"])
        time.sleep(3)
        with session_scope(engine) as session:
            stage.set_timing(
                session=session,
                contest_id=w["contest"].id,
                settings=stage.Timing(pitch_seconds=300, qa_seconds=300, overtime_penalty=5),
            )
            stage.set_running_order(session=session, round_id=w["round_id"], pitch_ids=w["pitches"])
        delays: dict[str, list[float]] = {"overtime penalty": [], "conflict": [], "mark": []}
        for n, pitch in enumerate(w["pitches"][:8]):
            # An overtime penalty applied on stage.
            before = [page.evaluate(CHART)]
            with session_scope(engine) as session:
                start = utcnow() - timedelta(minutes=30)
                stage.start_pitch(
                    session=session, round_id=w["round_id"], pitch_id=pitch, now=start
                )
                stage.start_qa(
                    session=session, round_id=w["round_id"], now=start + timedelta(minutes=7)
                )
                stage.decide_penalty(
                    session=session, round_id=w["round_id"], pitch_id=pitch, apply=True
                )
            delays["overtime penalty"].append(until_changed([page], before, time.monotonic()))
            time.sleep(n % 3 * 0.6)  # changes land anywhere within the refresh interval
            # A judge declares a conflict with it.
            before = [page.evaluate(CHART)]
            with session_scope(engine) as session:
                scoring.declare_conflict(
                    session=session,
                    round_id=w["round_id"],
                    judge_id=w["judges"][n % 6],
                    pitch_id=pitch,
                    reason="bench",
                )
            delays["conflict"].append(until_changed([page], before, time.monotonic()))
            time.sleep(n % 3 * 0.6)
            # A mark, for comparison.
            before = [page.evaluate(CHART)]
            judge = w["judges"][(n + 1) % 6]
            with session_scope(engine, read_only=True) as session:
                old = scoring.stored_mark(
                    session=session,
                    round_id=w["round_id"],
                    judge_id=judge,
                    pitch_id=pitch,
                    criterion_id=w["criteria"][0],
                )
            saved = set_mark(engine, w, judge, pitch, w["criteria"][0], 1 if old != 1 else 5)
            delays["mark"].append(until_changed([page], before, saved))
            time.sleep(n % 3 * 0.6)
        for name, values in delays.items():
            stats(f"{name}: commit → projector shows it", values)
        browser.close()
    w["engine"].dispose()


# --- restart ---------------------------------------------------------------------------------


def restart(workdir: Path, playwright) -> None:
    w = seed(workdir, judges=6, pitches=24)
    w["engine"].dispose()
    print("\nServer restart → a projector reopened at once shows the board (24 startups)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    for label, script in (
        ("ASGI entry with warm-up (make run)", APP_ENTRY),
        ("streamlit run streamlit_app.py (before)", "streamlit_app.py"),
    ):
        totals, after_health, warm = [], [], []
        for _n in range(3):
            started = time.monotonic()
            with serve(workdir, w["values"], w["port"], script=script):
                healthy = time.monotonic()
                page = open_projector(browser, w["display"])
                page.wait_for_selector(BOARD_ROW, timeout=120_000)
                shown = time.monotonic()
                page.context.close()
                again = time.monotonic()
                page = open_projector(browser, w["display"])
                page.wait_for_selector(BOARD_ROW, timeout=120_000)
                warm.append(time.monotonic() - again)
                page.context.close()
            totals.append(shown - started)
            after_health.append(shown - healthy)
        print(
            f"  {label:<42} start → board "
            + " ".join(f"{t:.1f}" for t in totals)
            + " s;  answering → board "
            + " ".join(f"{t:.1f}" for t in after_health)
            + " s;  a second projector (warm) "
            + " ".join(f"{t:.1f}" for t in warm)
            + " s"
        )
    # A projector left open through the restart: it reconnects by itself. A mark changed
    # while the server was down tells the new board from the old one.
    left_open = []
    for n in range(3):
        with serve(workdir, w["values"], w["port"]):
            page = open_projector(browser, w["display"])
            page.wait_for_selector(BOARD_ROW, timeout=120_000)
            before = [page.evaluate(CHART)]
        engine = make_engine(w["settings"].database_url)
        with session_scope(engine, read_only=True) as session:
            old = scoring.stored_mark(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][0],
                pitch_id=w["pitches"][n],
                criterion_id=w["criteria"][0],
            )
        set_mark(engine, w, w["judges"][0], w["pitches"][n], w["criteria"][0], 5 if old == 1 else 1)
        engine.dispose()
        started = time.monotonic()
        with serve(workdir, w["values"], w["port"]):
            left_open.append(until_changed([page], before, started, timeout_s=180))
        page.context.close()
    print(
        "  projector left open (ASGI entry)           start → new board "
        + " ".join(f"{t:.1f}" for t in left_open)
        + " s"
    )
    browser.close()


# --- idle ------------------------------------------------------------------------------------


def polling_every(page) -> str:
    """How often the page's refresh fragments poll now: the push element's data-fallback
    ("30.0s" while events arrive, else the refresh setting)."""
    return page.locator("[data-fallback]").first.get_attribute("data-fallback", timeout=120_000)


def idle(workdir: Path, playwright) -> None:
    w = seed(workdir, judges=10, pitches=12)
    engine, refresh = w["engine"], w["settings"].refresh_s

    def check() -> None:
        with session_scope(engine, read_only=True) as session:
            board.fingerprint(session=session, contest_id=w["contest"].id)

    timings = []
    for _n in range(200):
        started = time.process_time()
        check()
        timings.append(time.process_time() - started)
    print(f"\nIdle projectors (12 startups × 10 judges, nothing changes, refresh {refresh:g} s)")
    stats("the version check alone (in process, CPU)", timings, "ms")
    print(
        "  A refresh is one script run a screen asks for: each of the board page's two refresh\n"
        "  fragments (board, palmarès) polls on its own, and a push event reruns the page;\n"
        "  the runs are counted on the browsers' websockets."
    )
    live_every = f"{max(refresh, LIVE_FALLBACK_S)}s"
    with serve(workdir, w["values"], w["port"]) as server:
        pid = server.process.pid
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for label, block_push, every, window in (
            (f"push live (as deployed: polls every {live_every})", False, live_every, 90.0),
            (f"push blocked (polling every {refresh:g} s)", True, f"{refresh}s", 30.0),
        ):
            print(f"  {label}, {window:g} s per figure:")
            runs, pages = Runs(), []
            for screens in (1, 10, 20):
                while len(pages) < screens:
                    pages.append(
                        open_projector(browser, w["display"], runs=runs, block_push=block_push)
                    )
                # Every screen has settled on its polling interval (live: the stream is open).
                deadline = time.monotonic() + 120
                while any(polling_every(page) != every for page in pages):
                    if time.monotonic() > deadline:
                        shown = sorted({str(polling_every(page)) for page in pages})
                        raise RuntimeError(f"the projectors poll every {shown}, not {every}")
                    pages[0].wait_for_timeout(500)
                pages[0].wait_for_timeout(3 * refresh * 1000)
                counted, polls = runs.total(), runs.polls
                before, started = cpu_seconds(pid), time.monotonic()
                pages[0].wait_for_timeout(window * 1000)  # delivers the frames meanwhile
                seconds = time.monotonic() - started
                cpu = cpu_seconds(pid) - before
                refreshes = runs.total() - counted
                per_minute = refreshes / screens / seconds * 60
                per_refresh = (
                    f"{cpu / refreshes * 1000:6.1f} ms of server CPU per refresh"
                    if refreshes
                    else "no refresh counted"
                )
                print(
                    f"    {screens:>2} projectors: server CPU {cpu / seconds * 100:5.1f} % of a "
                    f"core; {refreshes:4d} refreshes ({runs.polls - polls} polls), "
                    f"{per_minute:5.1f} per screen-minute; {per_refresh}"
                )
            for page in pages:
                page.context.close()
        browser.close()
    print(
        "  With push live the server's CPU also keeps the streams (one digest read per contest\n"
        f"  every {push.POLL_S:g} s, a heartbeat per screen every {push.HEARTBEAT_S:g} s): its ms "
        "per refresh includes them.\n  The cost of one poll is the push-blocked figure."
    )
    engine.dispose()


# --- big -------------------------------------------------------------------------------------


def big(workdir: Path, playwright) -> None:
    w = seed(workdir, judges=5, pitches=200)
    engine = w["engine"]
    contest_id = w["contest"].id
    with session_scope(engine, read_only=True) as session:
        n_marks = len(session.exec(select(Mark.id).where(Mark.round_id == w["round_id"])).all())
    print(f"\nA big board: 200 startups × 5 judges × 6 criteria ({n_marks:,} marks)")
    cache = board.BoardCache()
    cpu, wall = [], []
    for n in range(12):
        flip_mark(engine, w, w["judges"][n % 5], w["pitches"][n], w["criteria"][n % 6])
        with session_scope(engine, read_only=True) as session:
            started, ticks = time.perf_counter(), time.process_time()
            cache.view(session=session, contest_id=contest_id)
            cpu.append(time.process_time() - ticks)
            wall.append(time.perf_counter() - started)
    stats("recompute after a mark change (server CPU)", cpu, "ms")
    stats("recompute after a mark change (wall)", wall, "ms")
    with session_scope(engine, read_only=True) as session:
        started = time.perf_counter()
        for _n in range(20):
            cache.view(session=session, contest_id=contest_id)
    print(
        f"  the same board asked again (cache hit, per screen)          "
        f"{(time.perf_counter() - started) / 20 * 1000:7.2f} ms"
    )
    with serve(workdir, w["values"], w["port"]):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages = [open_projector(browser, w["display"]) for _n in range(3)]
        time.sleep(6)
        delays = []
        for n in range(20):
            before = [page.evaluate(CHART) for page in pages]
            pitch = w["pitches"][(n * 37) % 200]
            saved = flip_mark(engine, w, w["judges"][n % 5], pitch, w["criteria"][0])
            delays.append(until_changed(pages, before, saved))
            time.sleep((n % 4) * 0.5)  # clicks land anywhere within the refresh interval
        stats("mark saved → all 3 projectors show it", delays)
        browser.close()
    engine.dispose()


def main() -> None:
    parts = sys.argv[1:] or ["inputs", "restart", "idle", "big"]
    if not CHROMIUM.exists():
        print(f"\nProjector bench skipped: {CHROMIUM} is missing")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        for part in parts:
            with tempfile.TemporaryDirectory(prefix=f"pj-bench-{part}-") as folder:
                {"inputs": inputs, "restart": restart, "idle": idle, "big": big}[part](
                    Path(folder), playwright
                )


if __name__ == "__main__":
    main()
