"""How long "close round" takes while 8 judges save marks non-stop (PostgreSQL, from
PITCHJUDGE_TEST_POSTGRES_URL; SQLite too for comparison).

Run: .venv/bin/python bench/bench_close_round.py   — prints figures, asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.errors import PitchJudgeError  # noqa: E402
from pitchjudge.services import contests, scoring  # noqa: E402


def close_under_load(url: str, workdir: Path, writers: int = 8, warmup_s: float = 3.0) -> float:
    """Seconds from asking to close to the close committed, with `writers` saving marks."""
    from tests.factories import make_judging

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    settings = load_settings({"PITCHJUDGE_DATA_DIR": str(workdir / "data")}, env_file=None)
    w = make_judging(engine, settings, judges=writers, pitches=4)
    stop = threading.Event()
    saved = [0] * writers

    def judge(index: int) -> None:
        value = 1
        while not stop.is_set():
            value = value % 5 + 1
            try:
                with session_scope(engine) as session:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=w["judges"][index],
                        pitch_id=w["pitches"][index % 4],
                        criterion_id=w["criteria"][0],
                        value=value,
                    )
                saved[index] += 1
            except PitchJudgeError:  # the round closed: nothing more is saved
                return

    threads = [threading.Thread(target=judge, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(warmup_s)
    started = time.perf_counter()
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    elapsed = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    print(f"    {sum(saved)} marks saved by {writers} writers meanwhile")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print("Close round while 8 judges save marks non-stop")
        seconds = close_under_load(f"sqlite:///{workdir}/bench.db", workdir)
        print(f"  SQLite: closed in {seconds * 1000:.0f} ms")
        url = os.environ.get("PITCHJUDGE_TEST_POSTGRES_URL")
        if url:
            for attempt in range(3):
                seconds = close_under_load(url, workdir)
                print(f"  PostgreSQL run {attempt + 1}: closed in {seconds * 1000:.0f} ms")
        else:
            print("  PostgreSQL: skipped (set PITCHJUDGE_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
