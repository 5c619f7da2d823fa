"""What the proxy's health polls cost, against a real server (`streamlit run
pitchjudge/ui/asgi.py`, SQLite, then PostgreSQL when PITCHJUDGE_TEST_POSTGRES_URL is set):

- /healthz when each poll runs a real check (polls 1.1 s apart), then p50 / p95 / max over
  back-to-back polls (most share the check of the last second), one at a time and 4 at once;
  /metrics likewise;
- the server's CPU seconds spent per 1,000 polls;
- with the database unreachable (a closed port; a silent host): how long /healthz takes to
  say 503.

Run: .venv/bin/python bench/bench_health.py [--polls N]
Prints figures, asserts nothing.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (comes with locust, in the dev group)
import requests  # noqa: E402

from tests.browser_support import app_settings, serve  # noqa: E402


def percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"


def poll(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    status = requests.get(url, timeout=30).status_code
    return time.perf_counter() - started, status


def measure(app, path: str, polls: int, workers: int) -> None:
    process = psutil.Process(app.process.pid)
    cpu_before = sum(process.cpu_times()[:2])
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda _i: poll(app.url + path), range(polls)))
    cpu = sum(process.cpu_times()[:2]) - cpu_before
    statuses = sorted({status for _s, status in results})
    print(
        f"  {path} × {polls}, {workers} at once: {percentiles([s for s, _ in results])}; "
        f"statuses {statuses}; server CPU {cpu / polls * 1000:.2f} s per 1,000 polls"
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(label: str, polls: int, **overrides: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        values, port = app_settings(root, **overrides)
        with serve(root, values, port) as app:
            print(f"{label}:")
            poll(app.url + "/healthz")  # first use: the health engine, the head revision
            # Each poll a real check: spaced beyond the 1 s during which polls share one.
            fresh = []
            for _ in range(10):
                time.sleep(1.1)
                fresh.append(poll(app.url + "/healthz")[0])
            print(f"  /healthz, a real check each time: {percentiles(fresh)}")
            for path in ("/healthz", "/metrics"):
                measure(app, path, polls, 1)
                measure(app, path, polls, 4)


def main() -> None:
    polls = int(sys.argv[sys.argv.index("--polls") + 1]) if "--polls" in sys.argv else 300
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    run("SQLite", polls)
    postgres = os.environ.get("PITCHJUDGE_TEST_POSTGRES_URL")
    if postgres:
        run("PostgreSQL", polls, PITCHJUDGE_DATABASE_URL=postgres)
    for label, host in (
        ("database port closed", f"127.0.0.1:{closed_port()}"),
        # An address nothing answers (no refusal): the connect timeout has to end it.
        ("database host silent", "10.255.255.1:5432"),
    ):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            url = f"postgresql+psycopg://pitch:pitch@{host}/none"
            values, port = app_settings(root, PITCHJUDGE_DATABASE_URL=url)
            with serve(root, values, port) as app:
                times = [poll(app.url + "/healthz") for _ in range(10)]
                print(
                    f"{label}: /healthz {percentiles([s for s, _ in times])}; "
                    f"statuses {sorted({status for _s, status in times})}"
                )
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
