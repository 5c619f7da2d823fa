"""The deck store: a folder or an S3 bucket (moto's server on a local port), the commit order
that keeps half-written decks invisible, the sweep of leftovers, and a full disk (a real tmpfs)."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import func, select

from pitchjudge import decks
from pitchjudge.config import load_settings
from pitchjudge.db import session_scope
from pitchjudge.deck_store import (
    DeckStore,
    FileDeckStore,
    S3DeckStore,
    S3Settings,
    open_deck_store,
    open_store_url,
)
from pitchjudge.deck_worker import THUMBNAIL_WIDTH_PX
from pitchjudge.decks import deck_page_keys, deck_pdf_key, deck_thumbnail_key, has_deck, store_deck
from pitchjudge.errors import DECK_NOT_STORED, ConfigError, DeckStoreUnavailable, InvalidDeck
from pitchjudge.models import Deck, Pitch
from pitchjudge.services import applications
from tests import disk_support, pdf_samples
from tests.factories import make_contest, submit
from tests.s3_support import CREDENTIALS, LocalS3, free_port, local_s3


@pytest.fixture(scope="module")
def deck() -> bytes:
    return pdf_samples.make_deck(4, noise_images=1)


@pytest.fixture(scope="module")
def s3_server() -> Iterator[LocalS3]:
    with local_s3() as server:
        yield server


def _s3_store(server: LocalS3, bucket: str | None = None, prefix: str = "decks") -> S3DeckStore:
    bucket = bucket or server.new_bucket()
    return S3DeckStore(
        bucket,
        prefix,
        S3Settings(
            endpoint_url=server.endpoint_url,
            region=CREDENTIALS["AWS_DEFAULT_REGION"],
            access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        ),
    )


@pytest.fixture(params=["file", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DeckStore:
    if request.param == "file":
        return FileDeckStore(tmp_path / "decks")
    return _s3_store(request.getfixturevalue("s3_server"))


# --- the contract, on both kinds of store ----------------------------------------------------


def test_objects_are_written_read_listed_and_deleted(store: DeckStore) -> None:
    store.ping()
    assert list(store.keys()) == []
    assert not store.exists("ab/x/deck.pdf")
    store.write("ab/x/deck.pdf", b"%PDF-one")
    store.write("ab/x/pages/001.webp", b"page")
    store.write("cd/y/deck.pdf", b"%PDF-two")
    assert store.read("ab/x/deck.pdf") == b"%PDF-one"
    assert store.exists("ab/x/deck.pdf") and not store.exists("ab/x")
    assert sorted(store.keys()) == ["ab/x/deck.pdf", "ab/x/pages/001.webp", "cd/y/deck.pdf"]
    assert sorted(store.keys("ab/x/pages/")) == ["ab/x/pages/001.webp"]
    assert dict(store.sizes())["cd/y/deck.pdf"] == len(b"%PDF-two")
    store.write("ab/x/deck.pdf", b"%PDF-new")  # an overwrite is whole, too
    assert store.read("ab/x/deck.pdf") == b"%PDF-new"
    store.delete("ab/x/deck.pdf")
    store.delete("ab/x/deck.pdf")  # deleting what is gone is no error
    assert not store.exists("ab/x/deck.pdf")
    with pytest.raises(FileNotFoundError):
        store.read("ab/x/deck.pdf")
    store.clear()
    assert list(store.keys()) == []


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../b", ".hidden", "a//b", "", "a\n"])
def test_keys_cannot_leave_the_store(store: DeckStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.write(key, b"x")
    with pytest.raises(ValueError):
        store.read(key)


def test_a_deck_is_stored_read_back_and_deduplicated(
    store: DeckStore, deck: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = store_deck(deck, store=store)
    sha = hashlib.sha256(deck).hexdigest()
    assert facts.sha256 == sha and facts.page_count == 4
    assert has_deck(store, sha)
    assert store.read(deck_pdf_key(sha)) == deck
    pages = deck_page_keys(store, sha)
    assert pages == [f"{sha[:2]}/{sha}/pages/{n:03d}.webp" for n in range(1, 5)]
    with Image.open(io.BytesIO(store.read(pages[3]))) as image:
        assert image.format == "WEBP"
    with Image.open(io.BytesIO(store.read(deck_thumbnail_key(sha)))) as thumbnail:
        assert (thumbnail.format, thumbnail.width) == ("PNG", THUMBNAIL_WIDTH_PX)
    # Only the deck's objects: no staging folder, no temporary file, no probe.
    assert len(list(store.keys())) == 4 + 3

    def no_worker(*args: object, **kwargs: object) -> None:
        raise AssertionError("an already stored deck must not be processed again")

    monkeypatch.setattr(decks, "_run_worker", no_worker)
    assert store_deck(deck, store=store) == facts
    assert len(list(store.keys())) == 7


def test_a_refused_pdf_reaches_no_store(store: DeckStore) -> None:
    with pytest.raises(InvalidDeck):
        store_deck(pdf_samples.make_encrypted_deck(user_password="pw"), store=store)
    assert list(store.keys()) == []


def test_the_store_url_is_checked_at_start_up(tmp_path: Path) -> None:
    for bad in ("/srv/decks", "s3://", "s3://UPPER/x", "s3://b/x", "ftp://host/x", "file://"):
        with pytest.raises(ConfigError, match="PITCHJUDGE_DECK_STORE"):
            load_settings({"PITCHJUDGE_DECK_STORE": bad}, env_file=None)
    with pytest.raises(ConfigError, match="PITCHJUDGE_S3_ENDPOINT_URL"):
        load_settings(
            {"PITCHJUDGE_DECK_STORE": "s3://decks-bucket", "PITCHJUDGE_S3_ENDPOINT_URL": "host"},
            env_file=None,
        )
    with pytest.raises(ConfigError, match="AWS_SECRET_ACCESS_KEY"):
        load_settings(
            {"PITCHJUDGE_DECK_STORE": "s3://decks-bucket", "AWS_ACCESS_KEY_ID": "k"},
            env_file=None,
        )
    # The endpoint and credentials may come from .env, like every setting.
    env_file = tmp_path / ".env"
    env_file.write_text(
        "PITCHJUDGE_DECK_STORE=s3://decks-bucket/prix-lyon/2027/\n"
        "AWS_ENDPOINT_URL=http://minio:9000/\nAWS_ACCESS_KEY_ID=k\nAWS_SECRET_ACCESS_KEY=s\n"
        "AWS_DEFAULT_REGION=fr-par\n"
    )
    settings = load_settings({}, env_file=env_file)
    assert settings.deck_store_url == "s3://decks-bucket/prix-lyon/2027/"
    assert settings.s3 == S3Settings(
        endpoint_url="http://minio:9000", region="fr-par", access_key_id="k", secret_access_key="s"
    )
    assert "secret_access_key" not in repr(settings)  # the secret is never printed
    store = open_deck_store(settings)
    assert isinstance(store, S3DeckStore) and store.root == "decks-bucket/prix-lyon/2027"
    default = load_settings({"PITCHJUDGE_DATA_DIR": str(tmp_path / "d")}, env_file=None)
    assert open_deck_store(default).url == f"file://{tmp_path}/d/decks"


# --- interrupted uploads and the sweep -----------------------------------------------------


def _age(path: Path, seconds: float) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_file_store_sweeps_stale_incoming_folders_and_temp_files(
    tmp_path: Path, deck: bytes
) -> None:
    root = tmp_path / "decks"
    store = FileDeckStore(root)
    # What a crash mid-upload leaves: a staging folder with some pages, a half-written file.
    stale = root / ".incoming-crashed"
    (stale / "pages").mkdir(parents=True)
    (stale / "pages" / "001.webp").write_bytes(b"half")
    _age(stale, 2 * 3600)
    fresh = root / ".incoming-in-progress"  # another upload, right now: kept
    fresh.mkdir()
    (root / "ab" / "x").mkdir(parents=True)
    temp = root / "ab" / "x" / ".tmp-crashed"
    temp.write_bytes(b"half")
    _age(temp, 2 * 3600)
    assert list(store.keys()) == []  # leftovers are never listed as objects

    store_deck(deck, store=store)  # each upload sweeps the staging folders
    assert not stale.exists() and fresh.exists() and temp.exists()
    assert store.sweep(deep=True) == 1  # start-up also looks for temporary files
    assert not temp.exists() and fresh.exists()


def test_file_store_interrupted_worker_leaves_nothing_visible(tmp_path: Path) -> None:
    """A deck worker killed mid-render (as by a crash): its staging folder is never read as a
    deck, and the next start-up sweeps it."""
    store = FileDeckStore(tmp_path / "decks")
    data = pdf_samples.make_deck(30, noise_images=6)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pitchjudge.deck_store import FileDeckStore; "
            "from pitchjudge.decks import store_deck; "
            f"store_deck(sys.stdin.buffer.read(), store=FileDeckStore({str(store.root)!r}))",
        ],
        stdin=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
        start_new_session=True,  # so the worker it starts can be killed with it
    )
    process.stdin.write(data)
    process.stdin.close()
    deadline = time.monotonic() + 60
    pages: list[Path] = []
    while time.monotonic() < deadline and not pages:
        pages = list(store.root.glob(".incoming-*/pages/*.webp"))
    os.killpg(process.pid, signal.SIGKILL)  # mid-render, the worker too: no clean-up at all
    process.wait()
    assert pages, "the worker never started rendering"
    sha = hashlib.sha256(data).hexdigest()
    assert not has_deck(store, sha) and deck_page_keys(store, sha) == []
    assert list(store.keys()) == []
    assert store.sweep(older_than_s=0) >= 1
    assert [p.name for p in store.root.iterdir()] == []


def test_s3_publish_cut_before_the_pdf_leaves_no_deck(
    s3_server: LocalS3, deck: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _s3_store(s3_server)
    sha = hashlib.sha256(deck).hexdigest()
    real_pipe_file = store.fs.pipe_file

    def cut(path: str, data: bytes, **kwargs: object) -> None:
        if path.endswith("/deck.pdf"):
            raise ConnectionResetError("connection reset by peer")
        real_pipe_file(path, data, **kwargs)

    monkeypatch.setattr(store.fs, "pipe_file", cut)
    with pytest.raises(DeckStoreUnavailable) as caught:
        store_deck(deck, store=store)
    assert caught.value.msgid == DECK_NOT_STORED
    assert "ConnectionResetError" in caught.value.reason
    assert not has_deck(store, sha)
    assert list(store.keys()) == []  # what was put before the cut is deleted again
    monkeypatch.undo()
    assert store_deck(deck, store=store).page_count == 4  # and the next try works
    assert has_deck(store, sha)


def test_s3_orphans_are_invisible_and_swept_at_start_up(s3_server: LocalS3, deck: bytes) -> None:
    """Objects of a deck whose process died before its deck.pdf: nobody reads them, the
    start-up sweep deletes them once stale, and complete decks stay."""
    store = _s3_store(s3_server)
    complete = store_deck(deck, store=store)
    orphan = "ee" + "0" * 62
    store.write(f"ee/{orphan}/pages/001.webp", b"page")
    store.write(f"ee/{orphan}/thumbnail.png", b"thumb")
    assert not has_deck(store, orphan) and deck_page_keys(store, orphan) == []
    assert store.sweep(deep=True) == 0  # young: maybe an upload in progress
    assert store.sweep() == 0  # the cheap sweep (each upload) never lists a bucket
    assert store.sweep(deep=True, older_than_s=0) == 1
    left = list(store.keys())
    assert len(left) == 7
    assert all(key.startswith(f"{complete.sha256[:2]}/{complete.sha256}/") for key in left)


# --- a store that cannot be reached or written ----------------------------------------------


def test_unreachable_s3_endpoint_fails_clearly_and_quickly(deck: bytes) -> None:
    store = S3DeckStore(
        "decks-bucket",
        "x",
        S3Settings(
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            access_key_id="k",
            secret_access_key="s",
            region="eu-west-3",
            connect_timeout_s=1,
        ),
    )
    started = time.monotonic()
    with pytest.raises(DeckStoreUnavailable) as caught:
        store.ping()
    assert "s3://decks-bucket/x" in str(caught.value) and "cannot be reached" in str(caught.value)
    assert "Could not connect" in caught.value.reason or "connect" in caught.value.reason.lower()
    with pytest.raises(DeckStoreUnavailable) as caught:
        store_deck(deck, store=store)
    assert caught.value.msgid == DECK_NOT_STORED  # what the applicant reads
    assert time.monotonic() - started < 60


def test_missing_bucket_fails_ping(s3_server: LocalS3) -> None:
    store = _s3_store(s3_server, bucket="no-such-bucket-here")
    with pytest.raises(DeckStoreUnavailable, match="no-such-bucket-here"):
        store.ping()


def test_file_store_on_a_read_only_disk_fails_ping(tmp_path: Path, deck: bytes) -> None:
    with disk_support.tiny_disk(tmp_path / "ro", read_only=True) as disk:
        store = FileDeckStore(disk)
        with pytest.raises(DeckStoreUnavailable) as caught:
            store.ping()
        assert "Read-only file system" in caught.value.reason
        with pytest.raises(DeckStoreUnavailable) as caught:
            store_deck(deck, store=store)
        assert caught.value.msgid == DECK_NOT_STORED


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    with disk_support.tiny_disk(tmp_path / "tiny") as disk:
        yield disk


_fill = disk_support.fill
_store_files = disk_support.stored_files


@pytest.mark.parametrize(
    ("leave_kb", "worker_fails"),
    [(40, True), (360, False)],
    ids=["full-while-the-worker-renders", "full-while-the-pdf-is-written"],
)
def test_full_disk_refuses_the_deck_and_leaves_nothing(
    tiny_disk: Path, deck: bytes, leave_kb: int, worker_fails: bool, monkeypatch
) -> None:
    store = FileDeckStore(tiny_disk / "decks")
    store.ping()
    filler = _fill(tiny_disk, leave_kb)
    worker_outcomes: list[str] = []
    real_worker = decks._run_worker

    def watched_worker(*args, **kwargs):
        try:
            reply = real_worker(*args, **kwargs)
        except Exception as error:
            worker_outcomes.append(type(error).__name__)
            raise
        worker_outcomes.append("ok")
        return reply

    monkeypatch.setattr(decks, "_run_worker", watched_worker)
    with pytest.raises(DeckStoreUnavailable) as caught:
        store_deck(deck, store=store)
    assert worker_outcomes == (["DeckStoreUnavailable"] if worker_fails else ["ok"])
    error = caught.value
    assert error.msgid == DECK_NOT_STORED
    assert "could not be stored, so nothing was saved" in str(error)
    assert "no space left" in error.reason
    assert not isinstance(error, InvalidDeck)  # never blamed on the applicant's PDF
    assert _store_files(tiny_disk) == ["decks"]  # no half-written page, no staging folder
    filler.unlink()  # space again: the same deck goes through
    assert store_deck(deck, store=store).page_count == 4


def test_full_disk_at_the_service_saves_no_application(tiny_disk: Path, engine, settings) -> None:
    contest = make_contest(engine)
    settings = dataclasses.replace(settings, deck_store_url=f"file://{tiny_disk}/decks")
    _fill(tiny_disk, 40)
    with pytest.raises(DeckStoreUnavailable):
        submit(engine, settings, contest.id, deck=pdf_samples.make_deck(4, noise_images=1))
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(func.count()).select_from(Pitch)).one() == 0
        assert session.exec(select(func.count()).select_from(Deck)).one() == 0
    assert _store_files(tiny_disk) == ["decks"]


def test_write_that_hits_a_full_disk_leaves_no_temporary_file(tiny_disk: Path) -> None:
    store = FileDeckStore(tiny_disk / "decks")
    store.write("ab/x/facts.json", b"{}")
    _fill(tiny_disk, 8)
    with pytest.raises(DeckStoreUnavailable) as caught:
        store.write("ab/x/deck.pdf", b"%" * 200_000)
    assert caught.value.msgid == DECK_NOT_STORED
    assert _store_files(tiny_disk) == ["decks", "decks/ab", "decks/ab/x", "decks/ab/x/facts.json"]


def test_no_space_errors_are_told_apart(tmp_path: Path) -> None:
    from pitchjudge.deck_store import not_stored

    assert "no space left" in not_stored(OSError(errno.ENOSPC, "No space left")).reason
    assert "PermissionError" in not_stored(PermissionError(13, "denied")).reason


# --- the whole journey on S3 ----------------------------------------------------------------


@pytest.fixture
def s3_settings(s3_server: LocalS3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    bucket = s3_server.new_bucket()
    values = {
        "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
        "PITCHJUDGE_LANGUAGE": "en",
        **s3_server.env(bucket),
    }
    return load_settings(values, env_file=None)


def test_application_journey_with_decks_on_s3(engine, s3_settings, tmp_path: Path) -> None:
    from pitchjudge.archive import contents, write_archive

    store = open_deck_store(s3_settings)
    assert isinstance(store, S3DeckStore)
    contest = make_contest(engine)
    first = pdf_samples.make_deck(3)
    result = submit(engine, s3_settings, contest.id, deck=first)
    with session_scope(engine, read_only=True) as session:
        stored = applications.current_deck(session=session, pitch_id=result.pitch.id)
    assert has_deck(store, stored.sha256) and store.read(deck_pdf_key(stored.sha256)) == first
    assert not (tmp_path / "data" / "decks").exists()  # nothing went to the local disk

    second = pdf_samples.make_deck(5, seed=2)
    replaced = applications.replace_deck(
        engine=engine,
        token=result.token,
        deck=second,
        filename="v2.pdf",
        store=store,
        limits=s3_settings.deck_limits,
    )
    assert replaced.page_count == 5 and len(deck_page_keys(store, replaced.sha256)) == 5
    assert contents(engine=engine, store=store).deck_files == (3 + 3) + (5 + 3)

    archive = tmp_path / "archive.zip"
    write_archive(engine=engine, store=store, path=archive)
    import zipfile

    with zipfile.ZipFile(archive) as opened:
        assert opened.read(f"decks/{deck_pdf_key(replaced.sha256)}") == second


def test_open_store_url_reuses_one_s3_client(s3_server: LocalS3) -> None:
    s3 = S3Settings(endpoint_url=s3_server.endpoint_url, access_key_id="a", secret_access_key="b")
    assert open_store_url("s3://some-bucket/p", s3) is open_store_url("s3://some-bucket/p", s3)


def test_check_deck_store_command(tmp_path: Path) -> None:
    cli = Path(sys.executable).parent / "pitchjudge"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PITCHJUDGE_", "AWS_"))}
    env["PITCHJUDGE_DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.db"
    stale = tmp_path / "decks" / ".incoming-crashed"
    stale.mkdir(parents=True)
    _age(stale, 2 * 3600)
    good = subprocess.run(
        [str(cli), "check-deck-store"],
        env={**env, "PITCHJUDGE_DECK_STORE": f"file://{tmp_path}/decks"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert good.returncode == 0, good.stderr
    assert "writable; 1 interrupted upload(s) swept" in good.stdout and not stale.exists()
    bad = subprocess.run(
        [str(cli), "check-deck-store"],
        env={
            **env,
            "PITCHJUDGE_DECK_STORE": "s3://decks-bucket/p",
            "PITCHJUDGE_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
            **CREDENTIALS,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1
    assert "NOT usable" in bad.stderr and "s3://decks-bucket/p" in bad.stderr


def test_start_up_sweeps_the_configured_store(tmp_path: Path, monkeypatch) -> None:
    from pitchjudge.ui import asgi

    root = tmp_path / "decks"
    stale = root / ".incoming-crashed"
    stale.mkdir(parents=True)
    _age(stale, 2 * 3600)
    monkeypatch.setenv("PITCHJUDGE_DECK_STORE", f"file://{root}")
    assert asgi.sweep_deck_store() == 1 and not stale.exists()
    # A store that cannot be reached is logged, and the app starts anyway.
    monkeypatch.setenv("PITCHJUDGE_DECK_STORE", "s3://decks-bucket/p")
    monkeypatch.setenv("PITCHJUDGE_S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    assert asgi.sweep_deck_store() == 0
