"""Back up the whole app (database and deck store) into one archive, and restore it.

The archive is an uncompressed tar, readable with `tar tvf`:

- `database.pgdump` (PostgreSQL: `pg_dump --format=custom`, itself compressed) or
  `database.sqlite3` (SQLite: the online backup API), one consistent snapshot;
- `decks/<key>` for every object of the deck store (PDFs and rendered pages: already
  compressed, so gzip would spend CPU during scoring for almost nothing);
- `manifest.json`: format, app version, alembic revision, database kind, time, counts, and
  the sha256 and size of every member; last, so a truncated archive has no manifest;
- `manifest.json.sha256`: the manifest's own checksum.

The link key (`secret.key` or PITCHJUDGE_SECRET_KEY) is never in the archive, as the security
model wants (a stolen backup opens no judge link); the manifest keeps a fingerprint of it, and
`restore` says whether the judges' links of the backup open on the target.

`restore` reads the whole archive and checks every checksum before it touches anything; it
restores into an empty database and an empty deck store only, and re-checks the counts and
every deck afterwards. A PostgreSQL backup restores into PostgreSQL, a SQLite one into SQLite:
cross-engine restore is not supported.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from pitchjudge import __version__
from pitchjudge.archive import database_counts
from pitchjudge.config import Settings, masked_url
from pitchjudge.db import DatabaseUnavailable, alembic_config, make_engine, migrate
from pitchjudge.deck_store import DeckStore, open_deck_store

FORMAT = "pitchjudge-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"
DECKS_PREFIX = "decks/"
PG_MEMBER = "database.pgdump"
SQLITE_MEMBER = "database.sqlite3"
_CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup or restore that cannot be done: the message says why, for the console.

    `exit_code` 1: refused (target not empty, archive damaged, wrong engine);
    2: the environment (a missing tool, an unreachable database, a full disk, a file that
    cannot be read)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# --- The deck store -------------------------------------------------------------------------


def _open_store(settings: Settings) -> DeckStore:
    """The deck store of `settings` (file or S3): backup and restore use only `keys`, `read`,
    `write`, `exists` and `delete`."""
    return open_deck_store(settings)


# --- Manifest and checks ----------------------------------------------------------------------


@dataclass
class Manifest:
    database: str  # "postgresql" | "sqlite"
    alembic_revision: str | None
    created_at: str
    counts: dict[str, int]
    members: dict[str, dict] = field(default_factory=dict)
    app_version: str = __version__
    tool: str = ""
    #: A fingerprint of the link key (never the key: the archive alone opens no judge link).
    link_key: str | None = None
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def deck_keys(self) -> list[str]:
        return [name[len(DECKS_PREFIX) :] for name in self.members if name.startswith(DECKS_PREFIX)]

    @property
    def deck_bytes(self) -> int:
        return sum(m["size"] for n, m in self.members.items() if n.startswith(DECKS_PREFIX))

    def to_json(self) -> bytes:
        body = {
            "format": self.format,
            "format_version": self.format_version,
            "app_version": self.app_version,
            "alembic_revision": self.alembic_revision,
            "database": self.database,
            "tool": self.tool,
            "link_key": self.link_key,
            "created_at": self.created_at,
            "counts": self.counts,
            "deck_objects": len(self.deck_keys),
            "deck_bytes": self.deck_bytes,
            "members": self.members,
        }
        return json.dumps(body, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        body = json.loads(data)
        if body.get("format") != FORMAT:
            raise ValueError("not a PitchJudge backup")
        if body.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"backup format {body.get('format_version')} is not supported")
        return cls(
            database=body["database"],
            alembic_revision=body["alembic_revision"],
            created_at=body["created_at"],
            counts={k: int(v) for k, v in body["counts"].items()},
            members=body["members"],
            app_version=body["app_version"],
            tool=body.get("tool", ""),
            link_key=body.get("link_key"),
        )

    def describe(self) -> str:
        c = self.counts
        return (
            f"  - {c['contests']} contest(s), {c['applications']} application(s), "
            f"{c['decks']} deck version(s)\n"
            f"  - {c['judges']} judge(s), {c['marks']} mark(s), {c['scorecards']} scorecard(s), "
            f"{c['audit_events']} history event(s)\n"
            f"  - {len(self.deck_keys)} file(s) of the deck store "
            f"({self.deck_bytes / 1_000_000:.1f} MB)"
        )


def link_key_fingerprint(settings: Settings) -> str | None:
    """16 hex digits that tell whether two installations share the link key (None: this one
    has none yet). Reads the key without creating one."""
    from pitchjudge.links import SECRET_FILE

    if settings.secret_key:
        key = settings.secret_key.encode()
    else:
        path = Path(settings.data_dir) / SECRET_FILE
        if not path.is_file():
            return None
        key = path.read_text(encoding="utf-8").strip().encode()
    return hmac.new(key, b"pitchjudge backup: link key fingerprint", "sha256").hexdigest()[:16]


def _kind(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def _revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _known_revisions(engine: Engine) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return {r.revision for r in script.walk_revisions()}


def _valid_key(key: str) -> bool:
    path = PurePosixPath(key)
    return bool(key) and not path.is_absolute() and ".." not in path.parts and "\\" not in key


class _Ticker:
    """Progress lines for long loops: at most one every `every_s` seconds, plus the last."""

    def __init__(self, progress: Progress | None, what: str, total: int, every_s: float = 2.0):
        self.progress, self.what, self.total, self.every_s = progress, what, total, every_s
        self.last = time.monotonic()

    def tick(self, done: int) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if done == self.total or now - self.last >= self.every_s:
            self.last = now
            self.progress(f"{self.what}: {done}/{self.total}")


def _disk_full(error: OSError, where: Path | str) -> BackupError:
    if error.errno == errno.ENOSPC:
        return BackupError(f"No space left on the disk of {where}: free some space.", 2)
    return BackupError(f"Cannot write {where}: {error.strerror or error}.", 2)


# --- PostgreSQL tools -------------------------------------------------------------------------


_LIBPQ_OPTIONS = {
    "host": "PGHOST",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _libpq_env(url: str) -> dict[str, str]:
    """The connection of `url` as libpq environment variables (the password stays off the
    command line, where `ps` would show it)."""
    parsed = make_url(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    options = {k: v if isinstance(v, str) else v[-1] for k, v in parsed.query.items()}
    for option, variable in _LIBPQ_OPTIONS.items():
        if options.get(option):
            values[variable] = options[option]
    env.update({k: v for k, v in values.items() if v})
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client).",
            2,
        )
    return path


def _tool_major(path: str) -> tuple[int, str]:
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", output)
    if match is None:
        raise BackupError(f"Cannot read the version of {path}: {output.strip()!r}.", 2)
    return int(match.group(1)), output.strip()


def _server_major(connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = " ".join(result.stderr.split())[:400] or f"exit code {result.returncode}"
        if "No space left" in detail:
            raise BackupError(f"{what} failed: no space left on the disk ({detail}).", 2)
        raise BackupError(f"{what} failed: {detail}", 2)


# --- Backup ------------------------------------------------------------------------------------


def _dump_postgres(engine: Engine, url: str, out: Path) -> tuple[str | None, dict[str, int], str]:
    """pg_dump into `out` from a snapshot that the counts read too; returns (revision,
    counts, tool version)."""
    pg_dump = _tool("pg_dump")
    major, version = _tool_major(pg_dump)
    with engine.connect() as connection:
        server = _server_major(connection)
        connection.rollback()
        if major < server:
            raise BackupError(
                f"{version} cannot dump a PostgreSQL {server} server: install "
                f"postgresql-client-{server}.",
                2,
            )
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        # The transaction stays open while pg_dump runs: it dumps this very snapshot, which
        # the counts of the manifest read too.
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        revision = _revision(connection)
        if revision is None:
            raise _no_schema(url)
        counts = database_counts(connection)
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={out}",
            ],
            _libpq_env(url),
            "pg_dump",
        )
        connection.rollback()
    return revision, counts, version


def _dump_sqlite(engine: Engine, out: Path) -> tuple[str | None, dict[str, int], str]:
    """SQLite's online backup API into `out`, in one step: one consistent snapshot, taken
    while judges keep writing (WAL readers do not block writers)."""
    source = engine.raw_connection()
    try:
        target = sqlite3.connect(out)
        try:
            source.driver_connection.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    finally:
        source.close()
    copy = make_engine(f"sqlite:///{out}")
    try:
        with copy.connect() as connection:
            revision = _revision(connection)
        if revision is None:
            raise _no_schema(str(engine.url))
        counts = database_counts(copy)
    finally:
        copy.dispose()
    return revision, counts, f"sqlite {sqlite3.sqlite_version}"


def _no_schema(url: str) -> BackupError:
    return BackupError(
        f"The database {masked_url(url)} holds no PitchJudge data: nothing to back up "
        "(check PITCHJUDGE_DATABASE_URL)."
    )


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> dict:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    info = archive.gettarinfo(str(path), arcname=name)
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o644, 0, 0, "", ""
    with open(path, "rb") as handle:
        archive.addfile(info, handle)
    return {"sha256": digest.hexdigest(), "size": info.size}


def backup(
    *, engine: Engine, settings: Settings, path: Path, progress: Progress | None = None
) -> Manifest:
    """Write the database and the deck store into the archive `path`; returns its manifest.

    The archive is written as `<path>.partial` and renamed at the end: a failed backup never
    leaves a file under the final name."""
    path = Path(path)
    kind = _kind(settings.database_url)
    store = _open_store(settings)
    say = progress or (lambda _line: None)
    if kind == "sqlite":
        database = make_url(settings.database_url).database
        if not database or not Path(database).is_file():
            raise BackupError(
                f"The SQLite database {database} does not exist: nothing to back up.", 2
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".pitchjudge-backup-", dir=path.parent))
    except OSError as error:
        raise _disk_full(error, path.parent) from error
    partial = path.with_name(path.name + ".partial")
    try:
        member = PG_MEMBER if kind == "postgresql" else SQLITE_MEMBER
        dump = work / member
        say(f"Database ({kind}, {masked_url(settings.database_url)}): taking a snapshot…")
        try:
            if kind == "postgresql":
                revision, counts, tool = _dump_postgres(engine, settings.database_url, dump)
            else:
                revision, counts, tool = _dump_sqlite(engine, dump)
        except OSError as error:
            raise _disk_full(error, work) from error
        say(f"Database: {dump.stat().st_size / 1_000_000:.1f} MB.")
        manifest = Manifest(
            database=kind,
            alembic_revision=revision,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            counts=counts,
            tool=tool,
            link_key=link_key_fingerprint(settings),
        )
        # The decks listed after the snapshot: every deck the snapshot names is there already
        # (a deck is stored before its row is committed), and stored objects never change.
        keys = list(store.keys())
        ticker = _Ticker(progress, "Decks", len(keys))
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                manifest.members[member] = _add_file(archive, member, dump)
                dump.unlink()
                for done, key in enumerate(keys, start=1):
                    try:
                        data = store.read(key)
                    except FileNotFoundError:
                        continue  # deleted since it was listed (a reset): not in the snapshot
                    manifest.members[DECKS_PREFIX + key] = _add(archive, DECKS_PREFIX + key, data)
                    ticker.tick(done)
                manifest_bytes = manifest.to_json()
                _add(archive, MANIFEST, manifest_bytes)
                _add(archive, MANIFEST_SUM, hashlib.sha256(manifest_bytes).hexdigest().encode())
            with open(partial, "rb") as handle:
                os.fsync(handle.fileno())
            partial.replace(path)
        except OSError as error:
            raise _disk_full(error, path) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


# --- Restore -----------------------------------------------------------------------------------


def _open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:")
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file.", 2) from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder: give the backup file.", 2) from None
    except PermissionError:
        raise BackupError(f"{path}: cannot be read (permission denied).", 2) from None
    except (tarfile.TarError, EOFError) as error:
        raise BackupError(f"{path} is not a PitchJudge backup, or is damaged ({error}).") from None


def _damaged(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is damaged or incomplete: {why}. Nothing was restored.")


def verify(path: Path, *, progress: Progress | None = None) -> Manifest:
    """Read the whole archive and check every member against the manifest; returns it."""
    path = Path(path)
    seen: dict[str, dict] = {}
    blobs: dict[str, bytes] = {}
    try:
        with _open_archive(path) as archive:
            members = archive.getmembers()
            ticker = _Ticker(progress, "Checking", len(members))
            for done, info in enumerate(members, start=1):
                if not info.isfile():
                    raise _damaged(path, f"unexpected entry {info.name!r}")
                if info.name in seen:
                    raise _damaged(path, f"{info.name!r} appears twice")
                handle = archive.extractfile(info)
                digest, size = hashlib.sha256(), 0
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    if info.name in (MANIFEST, MANIFEST_SUM):
                        blobs[info.name] = blobs.get(info.name, b"") + chunk
                if size != info.size:
                    raise _damaged(path, f"{info.name!r} is cut short")
                seen[info.name] = {"sha256": digest.hexdigest(), "size": size}
                ticker.tick(done)
    except (tarfile.TarError, EOFError) as error:
        raise _damaged(path, str(error) or type(error).__name__) from None
    except OSError as error:
        raise BackupError(f"{path}: cannot be read ({error.strerror or error}).", 2) from None
    if MANIFEST not in blobs or MANIFEST_SUM not in blobs:
        raise _damaged(path, "its manifest is missing (a truncated file?)")
    if hashlib.sha256(blobs[MANIFEST]).hexdigest().encode() != blobs[MANIFEST_SUM].strip():
        raise _damaged(path, "the manifest does not match its checksum")
    try:
        manifest = Manifest.from_json(blobs[MANIFEST])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(
            f"{path} is not a PitchJudge backup this version reads: {error}."
        ) from None
    for name, expected in manifest.members.items():
        found = seen.get(name)
        if found is None:
            raise _damaged(path, f"{name!r} is missing")
        if found != {"sha256": expected["sha256"], "size": expected["size"]}:
            raise _damaged(path, f"{name!r} does not match its checksum")
    extra = set(seen) - set(manifest.members) - {MANIFEST, MANIFEST_SUM}
    if extra:
        raise _damaged(path, f"{len(extra)} member(s) not in the manifest, e.g. {min(extra)!r}")
    bad = [k for k in manifest.deck_keys if not _valid_key(k)]
    if bad:
        raise _damaged(path, f"unsafe deck name {bad[0]!r}")
    return manifest


def _check_target(engine: Engine, settings: Settings, manifest: Manifest, store) -> None:
    kind = _kind(settings.database_url)
    if kind != manifest.database:
        raise BackupError(
            f"This backup holds a {manifest.database} database and the target "
            f"({masked_url(settings.database_url)}) is {kind}: cross-engine restore is not "
            f"supported. Restore into a {manifest.database} database."
        )
    known = _known_revisions(engine)
    if manifest.alembic_revision and manifest.alembic_revision not in known:
        raise BackupError(
            f"This backup was made by a newer PitchJudge (schema {manifest.alembic_revision}, "
            f"app {manifest.app_version}): restore it with that version."
        )
    try:
        with engine.connect() as connection:
            revision = _revision(connection)
            if kind == "postgresql":
                server = _server_major(connection)
    except SQLAlchemyError as error:
        unavailable = DatabaseUnavailable.from_error(error, settings.database_url)
        raise BackupError(f"The database is unreachable: {unavailable}", 2) from error
    if revision and revision not in known:
        raise BackupError(
            f"The target database is at schema {revision}, unknown to this PitchJudge: "
            "restore into a new, empty database."
        )
    counts = database_counts(engine) if revision else {}
    held = {name: n for name, n in counts.items() if n}
    stored = len(list(store.keys()))
    if held or stored:
        what = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in held.items())
        raise BackupError(
            "The target is not empty. "
            + (f"The database {masked_url(settings.database_url)} holds {what}. " if held else "")
            + (f"The deck store {store.url} holds {stored} file(s). " if stored else "")
            + "Restore into a new database and an empty deck store, or delete the contest "
            "first (`pitchjudge archive`, then `pitchjudge reset`)."
        )
    if kind == "postgresql":
        pg_restore = _tool("pg_restore")
        _tool("psql")
        major, version = _tool_major(pg_restore)
        dumped = re.search(r"(\d+)", manifest.tool)
        if dumped and int(dumped.group(1)) > major:
            raise BackupError(
                f"{version} cannot read a dump made by {manifest.tool}: install "
                f"postgresql-client-{dumped.group(1)}.",
                2,
            )
        if major < server:
            raise BackupError(f"{version} is older than the PostgreSQL {server} server.", 2)


def _restore_postgres(engine: Engine, url: str, dump: Path, work: Path) -> None:
    """Drop the empty tables of the app, then load the dump, in one transaction: either all
    of it is restored, or nothing changes."""
    script = work / "restore.sql"
    env = _libpq_env(url)
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            f"--file={script}",
            str(dump),
        ],
        env,
        "pg_restore",
    )
    from pitchjudge import results_version

    tables = [t.name for t in SQLModel.metadata.sorted_tables] + ["alembic_version"]
    drops = [f'DROP TABLE IF EXISTS "{name}" CASCADE;' for name in tables]
    with engine.connect() as connection:
        functions = connection.execute(
            text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname LIKE :prefix"
            ),
            {"prefix": f"{results_version.PREFIX}%"},
        ).scalars()
        drops += [f'DROP FUNCTION IF EXISTS "{name}"() CASCADE;' for name in functions]
    prelude = work / "prelude.sql"
    prelude.write_text("\n".join(drops) + "\n", encoding="utf-8")
    _run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={prelude}",
            f"--file={script}",
        ],
        env,
        "psql (restoring the database)",
    )


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    """Copy the snapshot over the target with the backup API: one write transaction."""
    source = sqlite3.connect(dump)
    try:
        target = engine.raw_connection()
        try:
            source.backup(target.driver_connection)
        finally:
            target.close()
    finally:
        source.close()


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    revision: str | None  # the schema after the restore (upgraded if the backup was older)
    store_url: str
    #: True: the judges' and projectors' links of the backup open here; False: this
    #: installation has another link key; None: it has none yet (the backup's will not open).
    same_link_key: bool | None


def restore(
    *, engine: Engine, settings: Settings, path: Path, progress: Progress | None = None
) -> Restored:
    """Restore the archive `path` into the empty database of `engine` and the empty deck store
    of `settings`; checks everything first, rolls the deck store back on failure."""
    path = Path(path)
    say = progress or (lambda _line: None)
    manifest = verify(path, progress=progress)
    say(f"Checksums verified: {len(manifest.members)} member(s).")
    store = _open_store(settings)
    _check_target(engine, settings, manifest, store)
    member = PG_MEMBER if manifest.database == "postgresql" else SQLITE_MEMBER
    written: list[str] = []
    work = Path(tempfile.mkdtemp(prefix=".pitchjudge-restore-"))
    try:
        with _open_archive(path) as archive:
            dump = work / member
            with archive.extractfile(member) as source, open(dump, "wb") as out:
                digest = hashlib.sha256()
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != manifest.members[member]["sha256"]:
                raise _damaged(path, f"{member!r} changed while it was being restored")
            keys = manifest.deck_keys
            ticker = _Ticker(progress, "Decks", len(keys))
            for done, key in enumerate(keys, start=1):
                data = archive.extractfile(DECKS_PREFIX + key).read()
                if (
                    hashlib.sha256(data).hexdigest()
                    != manifest.members[DECKS_PREFIX + key]["sha256"]
                ):
                    raise _damaged(path, f"{key!r} changed while it was being restored")
                store.write(key, data)
                written.append(key)
                ticker.tick(done)
        say("Database: restoring…")
        if manifest.database == "postgresql":
            _restore_postgres(engine, settings.database_url, dump, work)
        else:
            _restore_sqlite(engine, dump)
        engine.dispose()  # pooled connections knew the old schema
    except BaseException as error:
        if written:
            say(f"Failed: removing the {len(written)} deck file(s) already restored.")
            for key in written:
                store.delete(key)
        if isinstance(error, OSError):
            raise _disk_full(error, store.url) from error
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    revision = _recheck(engine, settings, manifest, say)
    here = link_key_fingerprint(settings)
    return Restored(
        manifest=manifest,
        revision=revision,
        store_url=store.url,
        same_link_key=None if here is None else here == manifest.link_key,
    )


def _recheck(engine: Engine, settings: Settings, manifest: Manifest, say: Progress) -> str | None:
    """After a restore: the counts and every deck must be those of the manifest; then the
    schema is upgraded if the backup was made by an older version."""
    counts = database_counts(engine)
    if counts != manifest.counts:
        raise BackupError(
            f"The restored database does not hold what the backup does: {counts} instead of "
            f"{manifest.counts}.",
            2,
        )
    store = _open_store(settings)
    for key in manifest.deck_keys:
        if (
            hashlib.sha256(store.read(key)).hexdigest()
            != manifest.members[DECKS_PREFIX + key]["sha256"]
        ):
            raise BackupError(f"The restored deck file {key!r} does not match the backup.", 2)
    with engine.connect() as connection:
        before = _revision(connection)
    migrate(engine)
    with engine.connect() as connection:
        after = _revision(connection)
    if after != before:
        say(f"Schema upgraded from {before} to {after}.")
    return after
