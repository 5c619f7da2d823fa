"""A private PostgreSQL 15 server for tests that stop, restart or break it.

The shared cluster (port 5432) serves every other test and helper: never restart it. This
starts Debian's PostgreSQL binaries (`initdb`, `pg_ctl`) on a temporary data directory and a
free port, as the `postgres` user when the tests run as root (PostgreSQL refuses to run as
root), with a role `pitch` (password `pitch`) owning a database `pitchjudge`.

    with private_postgres() as pg:
        engine = make_engine(pg.url)
        ...
        pg.stop()   # a fast shutdown, as in a restart: connections are cut
        pg.start()

Skips when the binaries are absent, unless PITCHJUDGE_REQUIRE_POSTGRES=1 (CI): then fails.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser_support import _free_port

PG_BIN = Path(os.environ.get("PITCHJUDGE_PG_BIN", "/usr/lib/postgresql/15/bin"))
REQUIRE_POSTGRES = os.environ.get("PITCHJUDGE_REQUIRE_POSTGRES") == "1"
DATABASE = "pitchjudge"


def require_pg_binaries() -> None:
    """Skip without `initdb`/`pg_ctl`, unless CI requires PostgreSQL (then fail)."""
    missing = [name for name in ("initdb", "pg_ctl", "postgres") if not (PG_BIN / name).exists()]
    if not missing:
        return
    reason = f"PostgreSQL server binaries missing in {PG_BIN} ({', '.join(missing)})"
    if REQUIRE_POSTGRES:
        pytest.fail(f"PITCHJUDGE_REQUIRE_POSTGRES=1 but {reason}: apt-get install -y postgresql")
    pytest.skip(reason)


def _as_owner(command: list[str]) -> list[str]:
    """`command` run as `postgres` when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@dataclass
class PrivatePostgres:
    """One private server: its data directory, port and log, and how to stop and start it."""

    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://pitch:pitch@127.0.0.1:{self.port}/{DATABASE}"

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        command = _as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), *args])
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}\n--- server log ---\n{self.log_tail()}"
            )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c max_connections=60"
        )
        self._ctl("start", "-w", "-t", "60", "-l", str(self.log_path), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` (a restart's shutdown: sessions cut, clean), `immediate`
        (like a crash: recovery at the next start) or `smart`."""
        self._ctl("stop", "-w", "-t", "60", "-m", mode)

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def psql(self, sql: str) -> str:
        command = _as_owner(
            [
                str(PG_BIN / "psql") if (PG_BIN / "psql").exists() else "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtc",
                sql,
            ]
        )
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh private PostgreSQL server, removed afterwards (see the module's docstring)."""
    require_pg_binaries()
    root = Path(tempfile.mkdtemp(prefix="pj-private-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(root=root, port=_free_port())
    started = False
    try:
        command = _as_owner(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(server.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}{result.stderr}")
        server.start()
        started = True
        server.psql("CREATE ROLE pitch LOGIN PASSWORD 'pitch'")
        server.psql(f"CREATE DATABASE {DATABASE} OWNER pitch")
        yield server
    finally:
        if started:
            with suppress(RuntimeError):  # already stopped
                server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
