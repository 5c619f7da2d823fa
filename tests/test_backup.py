"""`pitchjudge backup` / `restore`: a live contest backed up while judges save, restored
elsewhere, compared row by row and byte by byte; refusals of a non-empty target, a damaged
archive, another engine; the command itself as a process."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from pitchjudge import backup as backup_module
from pitchjudge.backup import BackupError, backup, restore, verify
from pitchjudge.config import Settings, load_settings
from pitchjudge.db import alembic_config, make_engine, migrate, session_scope
from pitchjudge.deck_store import open_deck_store
from pitchjudge.models import AuditEvent, Criterion, Mark, Scorecard
from pitchjudge.services import scoring
from tests.conftest import POSTGRES_URL
from tests.factories import make_judging, submit
from tests.pdf_samples import make_deck

PITCHJUDGE = Path(sys.executable).parent / "pitchjudge"
#: Tables the judges' saves write to (compared by the snapshot rules, not for equality).
WRITTEN_BY_JUDGES = {"mark", "scorecard", "auditevent", "roundversion"}


def settings_for(url: str, data_dir: Path) -> Settings:
    return load_settings(
        {
            "PITCHJUDGE_DATABASE_URL": url,
            "PITCHJUDGE_DATA_DIR": str(data_dir),
            "PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery",
        },
        env_file=None,
    )


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def target(engine: Engine, tmp_path: Path):
    """An empty database of the same engine as `engine`, and an empty deck store."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path}/restored.db"
    else:
        url = fresh_postgres_database(url_of(engine), "restore")
    restored = make_engine(url)
    migrate(restored)  # as `pitchjudge init` leaves it: tables, an organiser password, no data
    yield restored, settings_for(url, tmp_path / "restored")
    restored.dispose()


def fresh_postgres_database(url: str, suffix: str) -> str:
    """A new, empty PostgreSQL database beside the test one (the role needs CREATEDB)."""
    parsed = make_url(url)
    name = f"{parsed.database}_{suffix}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def table_rows(engine: Engine, skip: set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every row of every table of the app, in primary-key order."""
    rows = {}
    with session_scope(engine, read_only=True) as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in skip:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
    return rows


def store_files(settings: Settings) -> dict[str, bytes]:
    store = open_deck_store(settings)
    return {key: store.read(key) for key in store.keys()}  # noqa: SIM118 (a store, not a dict)


class Judge(threading.Thread):
    """Saves marks and comments through the services, one after the other, and records which
    ones were started and which acknowledged (committed)."""

    def __init__(self, engine: Engine, w: dict, index: int, scales: dict[int, tuple]):
        super().__init__(daemon=True)
        self.engine, self.w, self.index, self.scales = engine, w, index, scales
        self.judge_id = w["judges"][index]
        self.ops: list[tuple] = []  # ("mark", pitch, criterion, value) | ("comment", pitch, text)
        self.acked = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def next_op(self, i: int, state: dict) -> tuple:
        pitches, criteria = self.w["pitches"], self.w["criteria"]
        pitch = pitches[i % len(pitches)]
        if i % 2:
            return ("comment", pitch, f"judge {self.index} wrote comment #{i}")
        criterion = criteria[(i // 2) % len(criteria)]
        low, high = self.scales[criterion]
        last = state.get((pitch, criterion))
        value = low if last is None or last >= high else last + 1
        state[(pitch, criterion)] = value
        return ("mark", pitch, criterion, value)

    def run(self) -> None:
        state: dict = {}
        i = 0
        try:
            while not self.stop.is_set():
                op = self.next_op(i, state)
                self.ops.append(op)
                ids = dict(round_id=self.w["round_id"], judge_id=self.judge_id, pitch_id=op[1])
                with session_scope(self.engine) as session:
                    if op[0] == "mark":
                        scoring.save_mark(session=session, criterion_id=op[2], value=op[3], **ids)
                    else:
                        scoring.save_text(session=session, field="comment", value=op[2], **ids)
                self.acked += 1  # the commit returned: the judge saw "saved"
                i += 1
        except BaseException as error:  # reported by the test
            self.error = error

    def replay(self, k: int) -> tuple[dict, dict]:
        marks, comments = {}, {}
        for op in self.ops[:k]:
            if op[0] == "mark":
                marks[(op[1], op[2])] = float(op[3])
            else:
                comments[op[1]] = op[2]
        return marks, comments


def judge_state(engine: Engine, round_id: int, judge_id: int) -> tuple[dict, dict]:
    with session_scope(engine, read_only=True) as session:
        marks = {
            (m.pitch_id, m.criterion_id): m.value
            for m in session.scalars(
                select(Mark).where(Mark.round_id == round_id, Mark.judge_id == judge_id)
            )
        }
        comments = {
            c.pitch_id: c.comment
            for c in session.scalars(
                select(Scorecard).where(
                    Scorecard.round_id == round_id, Scorecard.judge_id == judge_id
                )
            )
            if c.comment
        }
    return marks, comments


def audit_rows(engine: Engine) -> dict[int, dict]:
    with session_scope(engine, read_only=True) as session:
        return {e.id: e.model_dump() for e in session.scalars(select(AuditEvent))}


def wait_for(condition, what: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_backup_while_judges_save_restores_a_consistent_snapshot(engine, target, tmp_path):
    source = settings_for(url_of(engine), tmp_path / "source")
    w = make_judging(engine, source, judges=4, pitches=3)
    for n, pages in enumerate((3, 2)):
        submit(
            engine,
            source,
            w["contest"].id,
            deck=make_deck(pages=pages),
            startup_name=f"Deckco {n}",
            contact_email=f"deck{n}@x.example",
        )
    with session_scope(engine, read_only=True) as session:
        scales = {
            c.id: (int(c.scale_min), int(c.scale_max))
            for c in session.scalars(select(Criterion).where(Criterion.id.in_(w["criteria"])))
        }
    judges = [Judge(engine, w, n, scales) for n in range(4)]
    for judge in judges:
        judge.start()
    try:
        wait_for(lambda: all(j.acked >= 5 or j.error for j in judges), "first saves")
        acked_before = [j.acked for j in judges]
        started_by_snapshot: list[int] = []

        def progress(line: str) -> None:
            if line.startswith("Database: ") and not started_by_snapshot:
                # The snapshot is taken; the judges save on while the decks are copied.
                started_by_snapshot.extend(len(j.ops) for j in judges)
                wait_for(
                    lambda: all(
                        j.acked >= s + 3 or j.error
                        for j, s in zip(judges, started_by_snapshot, strict=True)
                    ),
                    "saves during the backup",
                )

        manifest = backup(
            engine=engine, settings=source, path=tmp_path / "live.tar", progress=progress
        )
    finally:
        for judge in judges:
            judge.stop.set()
        for judge in judges:
            judge.join(timeout=60)
    assert [j.error for j in judges] == [None] * 4

    restored_engine, restored_settings = target
    result = restore(engine=restored_engine, settings=restored_settings, path=tmp_path / "live.tar")
    assert result.manifest.counts == manifest.counts
    assert manifest.counts["marks"] > 0 and manifest.counts["audit_events"] > 0

    # Every judge: the restored marks and comments are exactly those after the first k saves,
    # with every save acknowledged before the backup began among them (nothing lost), none
    # started after the snapshot was taken, and nothing half (a mark without its history event).
    source_audit, restored_audit = audit_rows(engine), audit_rows(restored_engine)
    after_snapshot = 0
    for judge, before, end in zip(judges, acked_before, started_by_snapshot, strict=True):
        state = judge_state(restored_engine, w["round_id"], judge.judge_id)
        matching = [k for k in range(before, end + 1) if judge.replay(k) == state]
        assert matching, f"judge {judge.index}: restored state is no prefix of the saves"
        after_snapshot += judge.acked - matching[-1]
        mine = sorted(i for i, row in source_audit.items() if row["actor_id"] == judge.judge_id)
        restored_mine = sorted(
            i for i, row in restored_audit.items() if row["actor_id"] == judge.judge_id
        )
        assert restored_mine == mine[: len(restored_mine)]
        k = matching[-1]
        if k:
            last_event = restored_audit[restored_mine[-1]]
            op = judge.ops[k - 1]
            if op[0] == "comment":
                assert last_event["new_value"] == op[2]
            else:
                assert float(last_event["new_value"]) == op[3]
    assert after_snapshot >= 3 * len(judges), "the judges saved nothing during the backup"
    # Every history event restored is the source's, column for column.
    assert all(source_audit[i] == row for i, row in restored_audit.items())
    # Everything the judges did not touch is identical; every deck file byte for byte.
    assert table_rows(restored_engine, WRITTEN_BY_JUDGES) == table_rows(engine, WRITTEN_BY_JUDGES)
    decks = store_files(source)
    assert any(key.endswith("/deck.pdf") for key in decks)
    assert store_files(restored_settings) == decks

    # A second restore into the now-full target is refused, in numbers, and changes nothing.
    before_rows = table_rows(restored_engine)
    with pytest.raises(BackupError) as refused:
        restore(engine=restored_engine, settings=restored_settings, path=tmp_path / "live.tar")
    message = str(refused.value)
    assert "not empty" in message
    assert f"{manifest.counts['marks']} marks" in message
    assert f"{len(decks)} file(s)" in message
    assert table_rows(restored_engine) == before_rows


# --- Refusals: damaged archives, nothing half-restored ---------------------------------------


@pytest.fixture
def demo_archive(sqlite_engine: Engine, tmp_path: Path) -> tuple[Path, Settings]:
    """A small SQLite contest with two decks, backed up."""
    source = settings_for(url_of(sqlite_engine), tmp_path / "source")
    w = make_judging(sqlite_engine, source, judges=2, pitches=2)
    submit(sqlite_engine, source, w["contest"].id, deck=make_deck(pages=2))
    with session_scope(sqlite_engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            criterion_id=w["criteria"][0],
            value=3,
        )
    path = tmp_path / "backup.tar"
    backup(engine=sqlite_engine, settings=source, path=path)
    return path, source


def empty_target(tmp_path: Path, name: str) -> tuple[Engine, Settings]:
    url = f"sqlite:///{tmp_path}/{name}.db"
    return make_engine(url), settings_for(url, tmp_path / name)


def member_offset(path: Path, name: str) -> int:
    with tarfile.open(path) as archive:
        return archive.getmember(name).offset_data


@pytest.mark.parametrize("member", ["database.sqlite3", "deck", "manifest.json"])
def test_one_changed_byte_is_refused_before_anything_is_touched(demo_archive, tmp_path, member):
    path, _source = demo_archive
    with tarfile.open(path) as archive:
        names = archive.getnames()
    name = next(n for n in names if n.endswith("deck.pdf")) if member == "deck" else member
    data = bytearray(path.read_bytes())
    data[member_offset(path, name) + 100] ^= 0x01
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(bytes(data))
    engine, settings = empty_target(tmp_path, "target")
    with pytest.raises(BackupError) as refused:
        restore(engine=engine, settings=settings, path=tampered)
    assert "damaged" in str(refused.value) and "Nothing was restored" in str(refused.value)
    assert refused.value.exit_code == 1
    assert store_files(settings) == {}
    assert not (tmp_path / "target.db").exists()


@pytest.mark.parametrize("inside", ["database.sqlite3", "manifest.json", "manifest.json.sha256"])
def test_a_truncated_archive_is_refused(demo_archive, tmp_path, inside):
    path, _source = demo_archive
    data = path.read_bytes()
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: member_offset(path, inside) + 10])
    engine, settings = empty_target(tmp_path, "target")
    with pytest.raises(BackupError, match="damaged or incomplete"):
        restore(engine=engine, settings=settings, path=truncated)
    assert store_files(settings) == {}
    with pytest.raises(BackupError, match="damaged or incomplete"):
        verify(truncated)


def test_a_failed_database_restore_leaves_the_deck_store_empty(demo_archive, tmp_path, monkeypatch):
    path, _source = demo_archive
    engine, settings = empty_target(tmp_path, "target")

    def broken(_engine, _dump):
        raise BackupError("disk trouble", 2)

    monkeypatch.setattr(backup_module, "_restore_sqlite", broken)
    with pytest.raises(BackupError, match="disk trouble"):
        restore(engine=engine, settings=settings, path=path)
    assert store_files(settings) == {}


def test_a_full_disk_during_backup_leaves_no_archive(sqlite_engine, tmp_path, monkeypatch):
    source = settings_for(url_of(sqlite_engine), tmp_path / "source")
    w = make_judging(sqlite_engine, source, judges=1, pitches=1)
    submit(sqlite_engine, source, w["contest"].id, deck=make_deck(pages=2))
    real_addfile = tarfile.TarFile.addfile
    calls = []

    def addfile(self, info, fileobj=None):
        calls.append(info.name)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_addfile(self, info, fileobj)

    monkeypatch.setattr(tarfile.TarFile, "addfile", addfile)
    with pytest.raises(BackupError) as failed:
        backup(engine=sqlite_engine, settings=source, path=tmp_path / "out" / "b.tar")
    assert "No space left" in str(failed.value) and failed.value.exit_code == 2
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.postgres
def test_a_sqlite_backup_does_not_restore_into_postgresql(demo_archive, postgres_engine, tmp_path):
    path, _source = demo_archive
    url = fresh_postgres_database(POSTGRES_URL, "cross")
    engine = make_engine(url)
    try:
        with pytest.raises(BackupError, match="cross-engine restore is not supported"):
            restore(engine=engine, settings=settings_for(url, tmp_path / "pg"), path=path)
    finally:
        engine.dispose()


def test_a_newer_schema_is_refused(demo_archive, tmp_path, monkeypatch):
    path, _source = demo_archive
    engine, settings = empty_target(tmp_path, "target")
    monkeypatch.setattr(backup_module, "_known_revisions", lambda _engine: {"0001_initial"})
    with pytest.raises(BackupError, match="made by a newer PitchJudge"):
        restore(engine=engine, settings=settings, path=path)


# --- The command, as a process ---------------------------------------------------------------


def cli(tmp_path: Path, name: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PITCHJUDGE_")}
    env.update(
        PITCHJUDGE_DATABASE_URL=f"sqlite:///{tmp_path}/{name}.db",
        PITCHJUDGE_DATA_DIR=str(tmp_path / name),
        PITCHJUDGE_ADMIN_PASSWORD="correct horse battery",
    )
    return subprocess.run(
        [str(PITCHJUDGE), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_commands_back_up_check_and_restore(sqlite_template, tmp_path):
    shutil.copy(sqlite_template, tmp_path / "source.db")
    engine = make_engine(f"sqlite:///{tmp_path}/source.db")
    source = settings_for(url_of(engine), tmp_path / "source")
    w = make_judging(engine, source, judges=2, pitches=2)
    submit(engine, source, w["contest"].id, deck=make_deck(pages=2))
    engine.dispose()

    made = cli(tmp_path, "source", "backup", "b.tar")
    assert made.returncode == 0, made.stderr
    assert "Backed up into b.tar" in made.stdout and "1 contest(s), 3 application(s)" in made.stdout
    assert "Decks:" in made.stderr  # progress

    checked = cli(tmp_path, "elsewhere", "restore", "--check-only", "b.tar")
    assert checked.returncode == 0 and "every checksum matches" in checked.stdout
    assert not (tmp_path / "elsewhere.db").exists()

    done = cli(tmp_path, "elsewhere", "restore", "b.tar")
    assert done.returncode == 0, done.stderr
    assert "Restored the backup" in done.stdout and "2 judge(s)" in done.stdout
    restored = make_engine(f"sqlite:///{tmp_path}/elsewhere.db")
    original = make_engine(f"sqlite:///{tmp_path}/source.db")
    assert table_rows(restored) == table_rows(original)
    restored.dispose(), original.dispose()
    assert store_files(settings_for("sqlite://", tmp_path / "elsewhere")) == store_files(source)

    assert "links of the backup do not open here" in done.stderr  # no secret.key copied
    again = cli(tmp_path, "elsewhere", "restore", "b.tar")
    assert (
        again.returncode == 1 and "not empty" in again.stderr and "3 applications" in again.stderr
    )
    missing = cli(tmp_path, "elsewhere", "restore", "nothing.tar")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_restore_upgrades_an_older_schema(tmp_path):
    """A backup made by an older version restores, then the schema is brought up to date."""
    url = f"sqlite:///{tmp_path}/old.db"
    old = make_engine(url)
    script = ScriptDirectory.from_config(alembic_config(old))
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    migrate(old, previous)
    path = tmp_path / "old.tar"
    manifest = backup(engine=old, settings=settings_for(url, tmp_path / "old"), path=path)
    old.dispose()
    assert manifest.alembic_revision == previous
    engine, settings = empty_target(tmp_path, "target")
    result = restore(engine=engine, settings=settings, path=path)
    assert result.revision == head
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM mark")).scalar_one() == 0


@pytest.mark.postgres
def test_a_missing_pg_dump_is_named(postgres_engine, tmp_path, monkeypatch):
    settings = settings_for(POSTGRES_URL, tmp_path / "data")
    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: None)
    with pytest.raises(BackupError) as failed:
        backup(engine=postgres_engine, settings=settings, path=tmp_path / "b.tar")
    assert "pg_dump is not installed" in str(failed.value) and failed.value.exit_code == 2
    assert list(tmp_path.glob("b.tar*")) == []


def test_no_database_means_nothing_to_back_up(tmp_path):
    url = f"sqlite:///{tmp_path}/missing.db"
    engine = make_engine(url)
    with pytest.raises(BackupError, match="does not exist: nothing to back up"):
        backup(engine=engine, settings=settings_for(url, tmp_path / "d"), path=tmp_path / "b.tar")
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "b.tar").exists()


def test_judge_links_open_after_a_restore_only_with_the_same_link_key(sqlite_engine, tmp_path):
    """The archive holds no link key (a stolen backup opens no judge link): the restore says
    whether this installation's key is the backup's."""
    from pitchjudge.links import SECRET_FILE
    from pitchjudge.services.judges import judge_token

    source = settings_for(url_of(sqlite_engine), tmp_path / "source")
    w = make_judging(sqlite_engine, source, judges=1, pitches=1)
    path = tmp_path / "b.tar"
    backup(engine=sqlite_engine, settings=source, path=path)
    with tarfile.open(path) as archive:
        assert not [n for n in archive.getnames() if n.endswith(SECRET_FILE)]
    key = (tmp_path / "source" / SECRET_FILE).read_text()
    assert key.encode() not in path.read_bytes()

    other_engine, other = empty_target(tmp_path, "other")
    assert restore(engine=other_engine, settings=other, path=path).same_link_key is None

    engine, settings = empty_target(tmp_path, "same")
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / SECRET_FILE).write_text(key)
    assert restore(engine=engine, settings=settings, path=path).same_link_key is True
    with session_scope(engine, read_only=True) as session:
        from pitchjudge.models import Judge as JudgeRow

        judge = session.get(JudgeRow, w["judges"][0])
        assert judge_token(settings=settings, judge=judge) == w["tokens"][0]


def test_decks_on_s3_are_backed_up_and_restored_into_an_empty_bucket(sqlite_engine, tmp_path):
    """An `s3://` deck store goes into the archive and comes back, byte for byte, into another
    (empty) bucket; the restored application opens its deck from there."""
    from tests.s3_support import local_s3

    def on_s3(url: str, data_dir: Path, server, bucket: str) -> Settings:
        values = {
            "PITCHJUDGE_DATABASE_URL": url,
            "PITCHJUDGE_DATA_DIR": str(data_dir),
            "PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery",
            **server.env(bucket),
        }
        return load_settings(values, env_file=None)

    with local_s3() as server:
        source = on_s3(url_of(sqlite_engine), tmp_path / "source", server, server.new_bucket())
        w = make_judging(sqlite_engine, source, judges=1, pitches=1)
        submit(sqlite_engine, source, w["contest"].id, deck=make_deck(pages=2))
        decks = store_files(source)
        assert any(key.endswith("/deck.pdf") for key in decks)
        path = tmp_path / "backup.tar"
        backup(engine=sqlite_engine, settings=source, path=path)

        url = f"sqlite:///{tmp_path}/restored.db"
        restored_engine = make_engine(url)
        migrate(restored_engine)
        restored = on_s3(url, tmp_path / "restored", server, server.new_bucket())
        assert store_files(restored) == {}
        restore(engine=restored_engine, settings=restored, path=path)
        assert store_files(restored) == decks
        assert table_rows(restored_engine) == table_rows(sqlite_engine)
        restored_engine.dispose()
