"""Time the Apply page's script run (AppTest, no browser) on a database holding the demo contest.

Run: .venv/bin/python bench/bench_apply_page.py   — prints figures, asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(runs: int = 15) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pj-bench-apply-"))
    os.environ.update(
        PITCHJUDGE_DATABASE_URL=f"sqlite:///{workdir}/bench.db",
        PITCHJUDGE_DATA_DIR=str(workdir / "data"),
        PITCHJUDGE_ADMIN_PASSWORD="bench-password",
        PITCHJUDGE_LANGUAGE="fr",
    )
    from streamlit.testing.v1 import AppTest

    from pitchjudge.cli import prepare_database
    from pitchjudge.config import load_settings
    from pitchjudge.demo import seed_demo

    settings = load_settings(env_file=None)
    engine = prepare_database(settings)
    started = time.perf_counter()
    seed_demo(engine=engine, settings=settings)
    print(f"demo seeded (24 applications with decks) in {time.perf_counter() - started:.1f} s")

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    started = time.perf_counter()
    at.run()
    print(f"first run (migration check, catalogs, caches): {time.perf_counter() - started:.3f} s")
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    timings.sort()
    print(
        f"Apply page script run over {runs} runs:"
        f" median {statistics.median(timings) * 1000:.0f} ms,"
        f" p95 {timings[int(0.95 * (runs - 1))] * 1000:.0f} ms, min {timings[0] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
