"""Deck checks and storage: hostile PDFs are refused with clear messages, good decks are stored."""

from __future__ import annotations

import hashlib
import io
import resource
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from pitchjudge import decks
from pitchjudge.deck_store import FileDeckStore
from pitchjudge.deck_worker import EXIT_SETUP_FAILED, RENDER_WIDTH_PX, THUMBNAIL_WIDTH_PX
from pitchjudge.decks import (
    DeckFacts,
    DeckLimits,
    deck_page_keys,
    deck_pdf_key,
    deck_prefix,
    deck_thumbnail_key,
    has_deck,
    inspect_deck,
    store_deck,
)
from pitchjudge.errors import InvalidDeck
from tests import pdf_samples


@pytest.fixture(scope="module")
def deck() -> bytes:
    return pdf_samples.make_deck(4, noise_images=1)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "decks"


def _stored_files(store_dir: Path) -> list[Path]:
    return sorted(store_dir.rglob("*")) if store_dir.exists() else []


def _word_file() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document>Our pitch</document>")
    return buffer.getvalue()


def _garbage_pdf(*, with_eof: bool) -> bytes:
    garbage = bytes(range(256)) * 40
    return b"%PDF-1.7\n" + garbage + (b"\n%%EOF\n" if with_eof else b"")


_GOOD = pdf_samples.make_deck(5)

# (id, bytes factory, limits, words the message must contain)
REJECTIONS: list[tuple[str, Callable[[], bytes], DeckLimits, tuple[str, ...]]] = [
    ("empty", lambda: b"", DeckLimits(), ("empty", "upload")),
    (
        "over-size",
        lambda: _GOOD,
        DeckLimits(max_bytes=1024),
        ("MB", "limit", "compressed images"),
    ),
    ("png-renamed", pdf_samples.png_bytes, DeckLimits(), ("not a PDF", "Export")),
    ("word-renamed", _word_file, DeckLimits(), ("not a PDF", "Export")),
    (
        "cut-in-half",
        lambda: _GOOD[: len(_GOOD) // 2],
        DeckLimits(),
        ("incomplete", "upload the new file"),
    ),
    # pdfium would open this one and show the surviving pages: only the end marker is lost.
    ("end-marker-cut", lambda: _GOOD[:-7], DeckLimits(), ("incomplete",)),
    ("garbage-no-eof", lambda: _garbage_pdf(with_eof=False), DeckLimits(), ("incomplete",)),
    ("garbage-after-header", lambda: _garbage_pdf(with_eof=True), DeckLimits(), ("damaged",)),
    (
        "user-password",
        lambda: pdf_samples.make_encrypted_deck(user_password="letmein"),
        DeckLimits(),
        ("password", "Remove"),
    ),
    (
        "permissions-only",
        lambda: pdf_samples.make_encrypted_deck(user_password=None),
        DeckLimits(),
        ("protection", "Remove"),
    ),
    ("no-pages", pdf_samples.zero_page_pdf, DeckLimits(), ("no pages",)),
    (
        "too-many-pages",
        lambda: _GOOD,
        DeckLimits(max_pages=3),
        ("5 pages", "limit is 3", "Remove some slides"),
    ),
    (
        "gigantic-page",
        lambda: pdf_samples.single_page_pdf(media_box=b"0 0 200000 200000"),
        DeckLimits(),
        ("Page 1", "too large", "standard slide size"),
    ),
    (
        "tiny-page",
        lambda: pdf_samples.single_page_pdf(media_box=b"0 0 20 10"),
        DeckLimits(),
        ("Page 1", "too small"),
    ),
]


def _assert_message(error: InvalidDeck, words: tuple[str, ...]) -> None:
    message = str(error)
    for word in words:
        assert word.lower() in message.lower(), message
    assert "{" not in message, message  # every placeholder was filled
    assert error.field == "deck"


@pytest.mark.parametrize(
    ("make", "limits", "words"),
    [case[1:] for case in REJECTIONS],
    ids=[case[0] for case in REJECTIONS],
)
def test_bad_deck_is_refused_and_nothing_stored(
    make: Callable[[], bytes], limits: DeckLimits, words: tuple[str, ...], store_dir: Path
) -> None:
    data = make()
    with pytest.raises(InvalidDeck) as inspected:
        inspect_deck(data, limits)
    _assert_message(inspected.value, words)

    with pytest.raises(InvalidDeck) as stored:
        store_deck(data, store=FileDeckStore(store_dir), limits=limits)
    assert str(stored.value) == str(inspected.value)
    assert _stored_files(store_dir) == []


def test_size_message_gives_size_and_limit_in_mb() -> None:
    data = b"%PDF-1.7\n" + bytes(3 * 1024 * 1024) + b"%%EOF\n"
    with pytest.raises(InvalidDeck) as caught:
        inspect_deck(data, DeckLimits(max_bytes=2 * 1024 * 1024))
    assert "3.1 MB" in str(caught.value) and "limit is 2 MB" in str(caught.value)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_content_stream_bomb_is_refused_without_hurting_the_caller(store_dir: Path) -> None:
    bomb = pdf_samples.content_bomb_pdf(3 << 30)  # 3 MB that inflates to 3 GB
    assert len(bomb) < 4 * 1024 * 1024
    limits = DeckLimits(worker_memory_mb=384, worker_timeout_s=20)
    rss_before = _max_rss_mb()
    started = time.monotonic()
    with pytest.raises(InvalidDeck) as caught:
        store_deck(bomb, store=FileDeckStore(store_dir), limits=limits)
    assert time.monotonic() - started < limits.worker_timeout_s
    _assert_message(caught.value, ("processed safely", "simpler version"))
    assert _max_rss_mb() - rss_before < 100
    assert _stored_files(store_dir) == []


def test_image_bomb_is_stopped_by_the_wall_clock_timeout(store_dir: Path) -> None:
    # pdfium decodes images as a downsampled stream, so a 2.7 GB image costs time, not
    # memory: six pages of it take ~9 s of CPU, far beyond the timeout.
    bomb = pdf_samples.image_bomb_pdf(30_000, pages=6)
    limits = DeckLimits(worker_timeout_s=1.5)
    started = time.monotonic()
    with pytest.raises(InvalidDeck) as caught:
        store_deck(bomb, store=FileDeckStore(store_dir), limits=limits)
    assert time.monotonic() - started < limits.worker_timeout_s + 2
    _assert_message(caught.value, ("processed safely",))
    assert _stored_files(store_dir) == []


def test_good_deck_is_inspected_without_writing(deck: bytes, tmp_path: Path) -> None:
    facts = inspect_deck(deck)
    assert facts == DeckFacts(
        sha256=hashlib.sha256(deck).hexdigest(),
        size_bytes=len(deck),
        page_count=4,
        page_width_pt=pdf_samples.SLIDE_W_PT,
        page_height_pt=pdf_samples.SLIDE_H_PT,
    )
    assert list(tmp_path.iterdir()) == []


def test_junk_before_header_and_after_end_marker_is_tolerated(deck: bytes) -> None:
    facts = inspect_deck(b"\r\nsome mail gateway banner\r\n" + deck + b"\r\n\x00\x00")
    assert facts.page_count == 4


def test_store_deck_writes_the_layout(deck: bytes, store_dir: Path) -> None:
    facts = store_deck(deck, store=FileDeckStore(store_dir))
    sha = hashlib.sha256(deck).hexdigest()
    assert facts.sha256 == sha and facts.page_count == 4

    # The layout on disk is the one earlier versions wrote: existing stores keep working.
    deck_dir = store_dir / sha[:2] / sha
    assert deck_pdf_key(sha) == f"{sha[:2]}/{sha}/deck.pdf"
    assert (deck_dir / "deck.pdf").read_bytes() == deck
    store = FileDeckStore(store_dir)
    assert has_deck(store, sha)
    assert store.read(deck_pdf_key(sha)) == deck

    with Image.open(store_dir / deck_thumbnail_key(sha)) as thumbnail:
        assert thumbnail.format == "PNG"
        assert thumbnail.width == THUMBNAIL_WIDTH_PX
        assert thumbnail.height == round(THUMBNAIL_WIDTH_PX * 540 / 960)

    pages = deck_page_keys(store, sha)
    assert pages == [f"{sha[:2]}/{sha}/pages/{n:03d}.webp" for n in range(1, 5)]
    for page in pages:
        with Image.open(io.BytesIO(store.read(page))) as image:
            assert image.format == "WEBP"
            assert image.size == (RENDER_WIDTH_PX, round(RENDER_WIDTH_PX * 540 / 960))
    # Nothing half-written is left beside the published deck.
    assert sorted(p.name for p in store_dir.iterdir()) == [sha[:2]]


def test_storing_twice_is_idempotent(
    deck: bytes, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = store_deck(deck, store=FileDeckStore(store_dir))
    files = {p: p.stat().st_mtime_ns for p in _stored_files(store_dir)}

    def no_worker(*args: object, **kwargs: object) -> None:
        raise AssertionError("an already stored deck must not be processed again")

    monkeypatch.setattr(decks, "_run_worker", no_worker)
    assert store_deck(deck, store=FileDeckStore(store_dir)) == first
    assert {p: p.stat().st_mtime_ns for p in _stored_files(store_dir)} == files


def test_stored_deck_still_meets_todays_page_limit(deck: bytes, store_dir: Path) -> None:
    store_deck(deck, store=FileDeckStore(store_dir))
    with pytest.raises(InvalidDeck) as caught:
        store_deck(deck, store=FileDeckStore(store_dir), limits=DeckLimits(max_pages=2))
    _assert_message(caught.value, ("4 pages", "limit is 2"))


def test_concurrent_stores_of_the_same_deck(deck: bytes, store_dir: Path) -> None:
    results: list[DeckFacts] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def store() -> None:
        barrier.wait()
        try:
            results.append(store_deck(deck, store=FileDeckStore(store_dir)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=store) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 3 and len(set(results)) == 1
    sha = results[0].sha256
    assert sorted(p.name for p in store_dir.iterdir()) == [sha[:2]]
    assert len(deck_page_keys(FileDeckStore(store_dir), sha)) == 4


def test_thirty_page_deck_fits_the_default_limits(store_dir: Path) -> None:
    data = pdf_samples.make_deck(30, noise_images=6)
    facts = store_deck(data, store=FileDeckStore(store_dir), limits=DeckLimits())
    assert facts.page_count == 30
    assert len(deck_page_keys(FileDeckStore(store_dir), facts.sha256)) == 30


@pytest.mark.parametrize(
    "bad_sha",
    [
        "../" * 21 + "a",
        "A" * 64,
        "a" * 63,
        "a" * 65,
        "g" * 64,
        "a" * 63 + "\n",
        "",
        None,
    ],
)
def test_path_helpers_reject_a_bad_sha(bad_sha: str, store_dir: Path) -> None:
    store = FileDeckStore(store_dir)
    for helper in (deck_pdf_key, deck_thumbnail_key, deck_prefix):
        with pytest.raises(ValueError):
            helper(bad_sha)
    for reader in (deck_page_keys, has_deck):
        with pytest.raises(ValueError):
            reader(store, bad_sha)


def test_unknown_deck_has_no_pages(store_dir: Path) -> None:
    sha = "0" * 64
    assert deck_page_keys(FileDeckStore(store_dir), sha) == []
    assert not has_deck(FileDeckStore(store_dir), sha)


def _fake_worker(
    monkeypatch: pytest.MonkeyPatch, returncode: int, stdout: bytes, stderr: bytes = b""
) -> None:
    def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        return subprocess.CompletedProcess(command, returncode, stdout, stderr)

    monkeypatch.setattr(decks.subprocess, "run", run)


@pytest.mark.parametrize(
    ("returncode", "stdout"),
    [
        (0, b"garbage \x00\xff"),
        (0, b"[1, 2]"),
        (0, b'{"status": "ok", "page_count": "many"}'),
        (0, b'{"status": "rejected", "reason": "too_many_pages", "pages": "x"}'),
        (0, b'{"status": "rejected", "reason": "unheard-of"}'),
        (-9, b""),
        (1, b'{"status": "ok"}'),
    ],
)
def test_worker_misbehaviour_is_refused_safely(
    deck: bytes, monkeypatch: pytest.MonkeyPatch, returncode: int, stdout: bytes
) -> None:
    _fake_worker(monkeypatch, returncode, stdout)
    with pytest.raises(InvalidDeck) as caught:
        inspect_deck(deck)
    _assert_message(caught.value, ("processed safely",))


def test_worker_that_cannot_start_is_a_server_error(
    deck: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_worker(monkeypatch, EXIT_SETUP_FAILED, b"", b"ImportError: no pypdfium2")
    with pytest.raises(RuntimeError, match="could not start"):
        inspect_deck(deck)
