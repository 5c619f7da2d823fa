"""What `synchronous=FULL` costs on SQLite: mark-save latency with FULL (the app's setting)
and with NORMAL, for one judge saving alone and for 30 judges saving at once, through the
real service (`scoring.save_mark` in `session_scope`, WAL, BEGIN IMMEDIATE).

FULL syncs the write-ahead log at every commit, so a power cut or an OS crash cannot take
back an acknowledged mark; NORMAL syncs only at checkpoints (a process crash loses nothing
with either, see tests/test_faults.py). Run:
    .venv/bin/python bench/bench_sqlite_sync.py   — prints figures, asserts nothing.
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

from sqlalchemy import event  # noqa: E402

from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.services import scoring  # noqa: E402
from tests.factories import make_judging  # noqa: E402

JUDGES = 30
SOLO_SAVES = 300
SAVES_PER_JUDGE = 20


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def engine_with(url: str, synchronous: str):
    engine = make_engine(url)
    if synchronous != "FULL":

        @event.listens_for(engine, "connect")
        def _override(dbapi_connection, _record) -> None:  # after the app's own listener
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")

    return engine


def run(workdir: Path, synchronous: str) -> dict[str, list[float]]:
    url = f"sqlite:///{workdir}/{synchronous.lower()}.db"
    settings = load_settings(
        {"PITCHJUDGE_DATABASE_URL": url, "PITCHJUDGE_DATA_DIR": str(workdir / "data")},
        env_file=None,
    )
    setup = make_engine(url)
    migrate(setup)
    seeded = make_judging(setup, settings, judges=JUDGES, pitches=6)
    setup.dispose()
    engine = engine_with(url, synchronous)
    with engine.connect() as connection:
        mode = connection.connection.dbapi_connection.execute("PRAGMA synchronous").fetchone()[0]
    assert mode == {"FULL": 2, "NORMAL": 1}[synchronous], mode

    def save(index: int, rng: random.Random) -> float:
        started = time.perf_counter()
        with session_scope(engine) as session:
            scoring.save_mark(
                session=session,
                round_id=seeded["round_id"],
                judge_id=seeded["judges"][index],
                pitch_id=rng.choice(seeded["pitches"]),
                criterion_id=rng.choice(seeded["criteria"]),
                value=rng.randint(1, 5),
                token=seeded["tokens"][index],
            )
        return time.perf_counter() - started

    rng = random.Random(1)
    solo = [save(0, rng) for _ in range(SOLO_SAVES)]
    crowd: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(JUDGES)

    def judge(index: int) -> None:
        own = random.Random(index)
        barrier.wait()
        times = [save(index, own) for _ in range(SAVES_PER_JUDGE)]
        with lock:
            crowd.extend(times)

    threads = [threading.Thread(target=judge, args=(i,)) for i in range(JUDGES)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"solo": solo, "crowd": crowd, "crowd_rate": [len(crowd) / elapsed]}


def main() -> None:
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="pj-bench-sync-") as tmp:
        results = {mode: run(Path(tmp), mode) for mode in ("FULL", "NORMAL")}
    print(f"SQLite mark saves (save_mark + commit), database files in {Path(tmp).parent}")
    for mode, figures in results.items():
        solo, crowd = figures["solo"], figures["crowd"]
        print(
            f"  {mode:<6}  1 judge: p50 {statistics.median(solo) * 1000:6.1f} ms "
            f"p95 {percentile(solo, 0.95) * 1000:6.1f} ms  |  {JUDGES} judges at once: "
            f"p50 {statistics.median(crowd) * 1000:6.1f} ms "
            f"p95 {percentile(crowd, 0.95) * 1000:6.1f} ms, "
            f"{figures['crowd_rate'][0]:5.0f} saves/s"
        )
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
