"""Judging figures: mark-save latency with 30 concurrent judges (SQLite, and PostgreSQL when
PITCHJUDGE_TEST_POSTGRES_URL is set), the scoring page's script run time with 500 pitches in
the round, and the assignment planner on 500 pitches × 40 judges.

Run: .venv/bin/python bench/bench_judging.py   — prints figures, asserts nothing.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from pitchjudge.assignment import plan_assignments  # noqa: E402
from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.services import scoring  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def concurrent_saves(
    url: str, label: str, workdir: Path, *, pause: float = 0.0, per_judge: int | None = None
) -> None:
    """30 judges saving marks at once: back to back (pause 0, a stress test) or at a human
    pace (a pause between clicks, as in a real room)."""
    from tests.factories import make_judging

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    settings = load_settings({"PITCHJUDGE_DATA_DIR": str(workdir / "data")}, env_file=None)
    w = make_judging(engine, settings, judges=30, pitches=20)
    latencies: list[float] = []
    lock = threading.Lock()

    def judge(index: int) -> None:
        mine = []
        rng = random.Random(index)
        cells = [(p, c) for p in w["pitches"] for c in w["criteria"]][:per_judge]
        for pitch, criterion in cells:
            if pause:
                time.sleep(rng.uniform(0.5 * pause, 1.5 * pause))
            started = time.perf_counter()
            with session_scope(engine) as session:
                scoring.save_mark(
                    session=session,
                    round_id=w["round_id"],
                    judge_id=w["judges"][index],
                    pitch_id=pitch,
                    criterion_id=criterion,
                    value=(index + pitch) % 5 + 1,
                )
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=judge, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    mode = f"one click every ~{pause:g} s per judge" if pause else "back to back"
    print(
        f"{label}, {mode}: {len(latencies)} mark saves by 30 concurrent judges in {elapsed:.1f} s "
        f"({len(latencies) / elapsed:.0f}/s); latency p50 {statistics.median(latencies) * 1000:.0f}"
        f" ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    if engine.dialect.name == "postgresql":
        SQLModel.metadata.drop_all(engine)
    engine.dispose()


def scoring_page(workdir: Path, pitches: int = 500) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.factories import make_judging

    os.environ.update(
        PITCHJUDGE_DATABASE_URL=f"sqlite:///{workdir}/page.db",
        PITCHJUDGE_DATA_DIR=str(workdir / "page-data"),
        PITCHJUDGE_ADMIN_PASSWORD="bench-password",
        PITCHJUDGE_LANGUAGE="en",
    )
    settings = load_settings(env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=3, pitches=pitches)
    for view, params in (
        ("'My pitches' list", {}),
        ("one pitch's scorecard", {"pitch": str(w["pitches"][250])}),
    ):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        at.query_params["judge"] = w["tokens"][0]
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        timings = []
        for _ in range(7):
            started = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - started)
            assert not at.exception, at.exception
        print(
            f"scoring page with {pitches} pitches in the round, {view}: median "
            f"{statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
            f"per script run"
        )


def planner() -> None:
    timings = []
    for seed in range(5):
        started = time.perf_counter()
        plan = plan_assignments(judges=range(40), pitches=range(500), judges_per_pitch=3, seed=seed)
        timings.append(time.perf_counter() - started)
    print(
        f"assignment plan 500 pitches × 40 judges × 3: median "
        f"{statistics.median(timings) * 1000:.0f} ms (connected={plan.connected}, "
        f"loads {min(plan.load.values())}–{max(plan.load.values())})"
    )


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pj-bench-judging-"))
    postgres = os.environ.get("PITCHJUDGE_TEST_POSTGRES_URL")
    for pause, per_judge in ((1.0, 30), (0.0, None)):
        concurrent_saves(
            f"sqlite:///{workdir}/saves-{pause}.db",
            "SQLite",
            workdir,
            pause=pause,
            per_judge=per_judge,
        )
        if postgres:
            concurrent_saves(postgres, "PostgreSQL", workdir, pause=pause, per_judge=per_judge)
    if not postgres:
        print("PostgreSQL: skipped (set PITCHJUDGE_TEST_POSTGRES_URL)")
    planner()
    scoring_page(workdir)


if __name__ == "__main__":
    main()
