"""E-mail throughput and latency: the outbox delivered by the real sender to a local aiosmtpd.

Prints: messages per second for 1,000 queued messages; the p95 time from the event (the
commit that queued a message) to its arrival at the SMTP server, for the burst and for a steady
trickle of events while the sender runs; and what queueing the receipt (plus the rate-limit
checks) adds to the web request that submits an application (target: p95 <= 20 ms).

Run: .venv/bin/python bench/bench_mail.py [messages]   — prints figures, asserts nothing.
Set PITCHJUDGE_BENCH_POSTGRES_URL to an empty PostgreSQL database to measure there as well.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import text  # noqa: E402

from pitchjudge import mail  # noqa: E402
from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.models import utcnow  # noqa: E402
from pitchjudge.services import applications, mail_sender  # noqa: E402
from pitchjudge.services import mail as outbox  # noqa: E402
from tests.factories import make_contest, submit  # noqa: E402
from tests.smtp_support import free_port  # noqa: E402


class Arrivals:
    """aiosmtpd handler noting when each Message-ID arrives."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        for line in head.split("\r\n"):
            if line.lower().startswith("message-id:"):
                with self.lock:
                    self.at[line.split(":", 1)[1].strip()] = time.time()
        return "250 OK"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def draft(number: int) -> mail.Draft:
    return mail.compose(
        kind=mail.RECEIPT,
        language="fr",
        to_address=f"applicant{number}@bench.example",
        to_name=f"Founder {number}",
        subject=f"Bench {number}",
        greeting="Bonjour,",
        intro="Merci.",
        blocks=[mail.Block("link", "Ouvrir", url=f"http://localhost:8501/?token=t{number}")],
        contest_name="Bench",
    )


def queue_one(engine, settings, number: int) -> tuple[str, float]:
    with session_scope(engine) as session:
        row = outbox.queue(session=session, settings=settings, draft=draft(number), contest_id=None)
        message_id = row.message_id
    return message_id, time.time()


def wait_for(arrivals: Arrivals, ids: list[str], timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with arrivals.lock:
            if all(i in arrivals.at for i in ids):
                return
        time.sleep(0.02)
    raise RuntimeError("not every message arrived")


def measure(label: str, engine, settings, count: int) -> None:
    arrivals = Arrivals()
    port = free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=port)
    controller.start()
    configured = load_settings(
        {
            "PITCHJUDGE_SMTP_URL": f"smtp://127.0.0.1:{port}?tls=none",
            "PITCHJUDGE_MAIL_FROM": "bench@bench.example",
            "PITCHJUDGE_DATA_DIR": str(settings.data_dir),
        },
        env_file=None,
    )
    try:
        # Burst: every message queued, then one sender delivers them.
        events = [queue_one(engine, configured, n) for n in range(count)]
        started = time.time()
        thread, stop = mail_sender.start_thread(engine, configured, poll_s=0.2)
        wait_for(arrivals, [i for i, _ in events])
        elapsed = max(arrivals.at.values()) - started
        burst = [arrivals.at[i] - t for i, t in events]
        print(
            f"[{label}] {count} messages delivered in {elapsed:.1f} s: "
            f"{count / elapsed:.0f} messages/s; event to delivery p95 {p95(burst):.1f} s "
            "(a burst: the last in the queue waits for the others)"
        )
        # Trickle: events keep coming while the sender runs (poll every 0.2 s).
        trickle = []
        for n in range(100):
            trickle.append(queue_one(engine, configured, count + n))
            time.sleep(0.05)
        wait_for(arrivals, [i for i, _ in trickle])
        delays = [arrivals.at[i] - t for i, t in trickle]
        print(
            f"[{label}] 100 events at 20/s while the sender runs: event to delivery "
            f"median {statistics.median(delays) * 1000:.0f} ms, p95 {p95(delays) * 1000:.0f} ms"
        )
        stop.set()
        thread.join(10)
    finally:
        controller.stop()


def submit_overhead(label: str, engine, settings, runs: int) -> None:
    """Time what the receipt and the rate limits add inside the real submit transaction."""
    spent: list[tuple[str, float]] = []
    original_receipt = outbox.queue_receipt
    original_rate = applications._check_rate

    def timed(function, name: str):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append((name, time.perf_counter() - started))

        return wrapper

    outbox.queue_receipt = timed(original_receipt, "receipt")
    applications._check_rate = timed(original_rate, "limits")
    contest = make_contest(engine, name=f"Bench submit {label}")
    # A server composes its first message once (Babel's locale data, the catalog): warm up.
    outbox.demo_previews(contest=contest, settings=settings, language="fr")
    outbox.demo_previews(contest=contest, settings=settings, language="en")
    try:
        totals, receipts, limits = [], [], []
        for n in range(runs):
            spent.clear()
            submit(
                engine,
                settings,
                contest.id,
                startup_name=f"Bench {n}",
                contact_email=f"founder{n}@bench.example",
                client=f"10.8.{n // 250}.{n % 250}",
            )
            totals.append(sum(t for _n, t in spent) * 1000)
            receipts.append(sum(t for n, t in spent if n == "receipt") * 1000)
            limits.append(sum(t for n, t in spent if n == "limits") * 1000)
    finally:
        outbox.queue_receipt = original_receipt
        applications._check_rate = original_rate
    print(
        f"[{label}] submit: receipt + rate limits add median {statistics.median(totals):.1f} ms, "
        f"p95 {p95(totals):.1f} ms to the request (target p95 <= 20 ms; {runs} applications); "
        f"receipt alone median {statistics.median(receipts):.1f} ms, p95 {p95(receipts):.1f} ms; "
        f"rate limits alone median {statistics.median(limits):.1f} ms, p95 {p95(limits):.1f} ms"
    )


def main(count: int = 1000) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="pj-bench-mail-"))
    settings = load_settings(
        {
            "PITCHJUDGE_DATABASE_URL": f"sqlite:///{workdir}/bench.db",
            "PITCHJUDGE_DATA_DIR": str(workdir / "data"),
        },
        env_file=None,
    )
    targets = [("SQLite", settings.database_url)]
    if os.environ.get("PITCHJUDGE_BENCH_POSTGRES_URL"):
        targets.append(("PostgreSQL", os.environ["PITCHJUDGE_BENCH_POSTGRES_URL"]))
    for label, url in targets:
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        migrate(engine)
        started = utcnow()
        measure(label, engine, settings, count)
        submit_overhead(label, engine, settings, runs=200)
        print(f"[{label}] done in {(utcnow() - started).total_seconds():.0f} s")
        engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
