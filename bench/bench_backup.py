"""How long `pitchjudge backup` and `restore` take, and how big the archive is: the demo
contest, then the same with the deck store of a regional contest (266 decks of 2 MB, random
bytes: PDFs do not compress). SQLite always; PostgreSQL too when PITCHJUDGE_TEST_POSTGRES_URL
is set (its schema is dropped; the role needs CREATEDB for the restore database).

Run: .venv/bin/python bench/bench_backup.py [decks] [deck_mb]   — prints figures, asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from pitchjudge.backup import _open_store, backup, restore  # noqa: E402
from pitchjudge.config import load_settings  # noqa: E402
from pitchjudge.db import make_engine, migrate  # noqa: E402
from pitchjudge.demo import seed_demo  # noqa: E402


def settings_for(url: str, data_dir: Path):
    return load_settings(
        {
            "PITCHJUDGE_DATABASE_URL": url,
            "PITCHJUDGE_DATA_DIR": str(data_dir),
            "PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery",
        },
        env_file=None,
    )


def fresh_postgres(url: str, suffix: str) -> str:
    parsed = make_url(url)
    name = f"{parsed.database}_{suffix}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def measure(label: str, source_url: str, target_url: str, workdir: Path, extra_decks: int, mb: int):
    source = settings_for(source_url, workdir / "source")
    engine = make_engine(source_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    seed_demo(engine=engine, settings=source)
    store = _open_store(source)
    for n in range(extra_decks):
        store.write(f"zz/bench-{n:04d}/deck.pdf", os.urandom(mb * 1024 * 1024))
    archive = workdir / "backup.tar"
    started = time.perf_counter()
    manifest = backup(engine=engine, settings=source, path=archive)
    backup_s = time.perf_counter() - started
    engine.dispose()
    target = settings_for(target_url, workdir / "target")
    target_engine = make_engine(target_url)
    started = time.perf_counter()
    restore(engine=target_engine, settings=target, path=archive)
    restore_s = time.perf_counter() - started
    target_engine.dispose()
    print(
        f"{label:<34} {manifest.counts['marks']:>6} marks {len(manifest.deck_keys):>5} files  "
        f"archive {archive.stat().st_size / 1e6:8.1f} MB  backup {backup_s:6.2f} s  "
        f"restore {restore_s:6.2f} s (checks included)"
    )


def main() -> None:
    decks = int(sys.argv[1]) if len(sys.argv) > 1 else 266
    mb = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} ({os.cpu_count()} cores)")
    postgres = os.environ.get("PITCHJUDGE_TEST_POSTGRES_URL", "")
    for extra, name in ((0, "demo"), (decks, f"demo + {decks} decks of {mb} MB")):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            measure(
                f"SQLite, {name}",
                f"sqlite:///{work}/source.db",
                f"sqlite:///{work}/target.db",
                work,
                extra,
                mb,
            )
        if postgres:
            with tempfile.TemporaryDirectory() as tmp:
                target = fresh_postgres(postgres, "bench_restore")
                measure(f"PostgreSQL, {name}", postgres, target, Path(tmp), extra, mb)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
