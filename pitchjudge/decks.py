"""Pitch decks: check an uploaded PDF in a sandboxed worker and store it with its page images."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import math
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pitchjudge.deck_store import DeckStore, not_stored
from pitchjudge.deck_worker import (
    EXIT_NO_SPACE,
    EXIT_SETUP_FAILED,
    PAGE_SUFFIX,
    PAGES_DIR,
    THUMBNAIL_NAME,
    page_file_name,
)
from pitchjudge.errors import DECK_NOT_STORED, DeckStoreUnavailable, InvalidDeck

logger = logging.getLogger(__name__)

PDF_NAME = "deck.pdf"
FACTS_NAME = "facts.json"

# The PDF spec tolerates junk before the header; readers look for it in the first 1024 bytes.
HEADER_SEARCH_BYTES = 1024
# A complete PDF ends with %%EOF, give or take trailing whitespace or junk.
EOF_SEARCH_BYTES = 1024
MB = 1024 * 1024
# The worker's JSON reply is a few hundred bytes; anything far bigger is not from our code.
MAX_REPLY_BYTES = 64 * 1024

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_WORKER_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class DeckFacts:
    """What a checked deck is: its content hash, size, page count and first-page size."""

    sha256: str
    size_bytes: int
    page_count: int
    page_width_pt: float
    page_height_pt: float


@dataclass(frozen=True)
class DeckLimits:
    """What an uploaded deck may cost: file size, pages, and the worker's time and memory."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 40
    worker_timeout_s: float = 60.0
    worker_memory_mb: int = 1024

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_pages < 1:
            raise ValueError("max_bytes and max_pages must be positive")
        if self.worker_timeout_s <= 0 or self.worker_memory_mb < 64:
            raise ValueError("worker_timeout_s must be positive and worker_memory_mb at least 64")


def deck_prefix(sha256: str) -> str:
    """The key prefix of deck `sha256` in the store: `ab/<sha256>`."""
    # The sha becomes part of a key (a path in a file store): anything but a hex digest could
    # escape the store.
    if not isinstance(sha256, str) or not _SHA256_HEX.fullmatch(sha256):
        raise ValueError("sha256 must be 64 lowercase hexadecimal characters")
    return f"{sha256[:2]}/{sha256}"


def deck_pdf_key(sha256: str) -> str:
    """The key of the PDF of deck `sha256`: written last, so its presence means complete."""
    return f"{deck_prefix(sha256)}/{PDF_NAME}"


def deck_thumbnail_key(sha256: str) -> str:
    """The key of the PNG thumbnail of the first page of deck `sha256`."""
    return f"{deck_prefix(sha256)}/{THUMBNAIL_NAME}"


def deck_page_keys(store: DeckStore, sha256: str) -> list[str]:
    """The keys of the rendered page images of deck `sha256` in page order; [] unless the deck
    is completely stored."""
    if not has_deck(store, sha256):
        return []
    prefix = f"{deck_prefix(sha256)}/{PAGES_DIR}/"
    pages = [
        key
        for key in store.keys(prefix)
        if key.endswith(PAGE_SUFFIX) and key[len(prefix) : -len(PAGE_SUFFIX)].isdigit()
    ]
    # Numeric order, so page 1000 would still follow page 999.
    return sorted(pages, key=lambda key: int(key[len(prefix) : -len(PAGE_SUFFIX)]))


def has_deck(store: DeckStore, sha256: str) -> bool:
    """Whether deck `sha256` is completely stored: its PDF is the last object written."""
    return store.exists(deck_pdf_key(sha256))


def _size_mb(size: int, *, round_up: bool) -> float:
    tenths = size * 10 / MB
    return (math.ceil(tenths) if round_up else math.floor(tenths)) / 10


def _check_bytes(data: bytes, limits: DeckLimits) -> None:
    """The cheap checks, done before any parser sees the bytes."""
    if not data:
        raise InvalidDeck("The file is empty. Choose your deck's PDF file again and upload it.")
    if len(data) > limits.max_bytes:
        # Size rounded up and limit rounded down, so the two never print as the same number.
        raise InvalidDeck(
            "The deck is {size_mb:g} MB; the limit is {limit_mb:g} MB. "
            "Export it with compressed images (or fewer of them) and upload it again.",
            size_mb=_size_mb(len(data), round_up=True),
            limit_mb=_size_mb(limits.max_bytes, round_up=False),
        )
    if b"%PDF-" not in data[: HEADER_SEARCH_BYTES + len(b"%PDF-")]:
        raise InvalidDeck(
            "This file is not a PDF (renaming a file to .pdf does not convert it). "
            "Export your deck as PDF from your presentation software and upload that file."
        )
    # pdfium silently repairs a cut-off file and shows whatever pages survived, so a missing
    # end marker is the only sign that the upload or download was interrupted.
    if b"%%EOF" not in data[-EOF_SEARCH_BYTES:]:
        raise InvalidDeck(
            "The PDF seems incomplete, as if the download or upload was cut off. "
            "Download or export it again, then upload the new file."
        )


def _unsafe() -> InvalidDeck:
    return InvalidDeck(
        "This PDF could not be processed safely (it is too complex or malformed). "
        "Export it again from your presentation software, or send a simpler version."
    )


def _rejection(reply: dict[str, Any]) -> InvalidDeck:
    """The founder-facing error for a rejection reported by the worker."""
    reason = reply.get("reason")
    if reason == "damaged":
        return InvalidDeck(
            "This PDF is damaged and cannot be opened. "
            "Export it again from your presentation software and upload the new file."
        )
    if reason == "encrypted":
        return InvalidDeck(
            "This PDF is protected by a password or restrictions. "
            "Remove the password or protection (or export it again without one) and upload it."
        )
    if reason == "no_pages":
        return InvalidDeck(
            "This PDF has no pages. Check that you exported the right file and upload it again."
        )
    if reason == "too_many_pages" and _ints(reply, "pages", "limit"):
        return InvalidDeck(
            "The deck has {pages} pages; the limit is {limit}. "
            "Remove some slides and upload it again.",
            pages=reply["pages"],
            limit=reply["limit"],
        )
    if reason == "page_too_large" and _page_size_reply(reply):
        return InvalidDeck(
            "Page {page} is far too large ({width_cm:g} × {height_cm:g} cm). "
            "Export the deck again with a standard slide size, such as 16:9, and upload it.",
            page=reply["page"],
            width_cm=reply["width_cm"],
            height_cm=reply["height_cm"],
        )
    if reason == "page_too_small" and _page_size_reply(reply):
        return InvalidDeck(
            "Page {page} is too small ({width_cm:g} × {height_cm:g} cm). "
            "Export the deck again with a standard slide size, such as 16:9, and upload it.",
            page=reply["page"],
            width_cm=reply["width_cm"],
            height_cm=reply["height_cm"],
        )
    if reason == "render_failed" and _ints(reply, "page"):
        return InvalidDeck(
            "Page {page} of this PDF cannot be displayed. "
            "Export the deck again from your presentation software and upload the new file.",
            page=reply["page"],
        )
    logger.warning("deck worker sent an unknown rejection: %.200r", reply)
    return _unsafe()


def _ints(reply: dict[str, Any], *keys: str) -> bool:
    return all(type(reply.get(key)) is int for key in keys)


def _finite(value: Any) -> float | None:
    """`value` as a float if the reply holds a finite number there, else None."""
    if type(value) in (int, float) and math.isfinite(value):
        return float(value)
    return None


def _page_size_reply(reply: dict[str, Any]) -> bool:
    sizes = (reply.get("width_cm"), reply.get("height_cm"))
    return _ints(reply, "page") and all(_finite(size) is not None for size in sizes)


def _facts_from_reply(reply: dict[str, Any], data: bytes, sha256: str) -> DeckFacts:
    count = reply.get("page_count")
    width, height = _finite(reply.get("page_width_pt")), _finite(reply.get("page_height_pt"))
    # The reply comes from a process that just parsed hostile input: trust nothing in it.
    if type(count) is not int or count < 1 or width is None or height is None:
        raise _unsafe()
    return DeckFacts(
        sha256=sha256,
        size_bytes=len(data),
        page_count=count,
        page_width_pt=width,
        page_height_pt=height,
    )


def _run_worker(data: bytes, limits: DeckLimits, out_dir: Path | None) -> dict[str, Any]:
    """Run the worker on `data` and return its success reply; raises InvalidDeck otherwise."""
    command = [
        sys.executable,
        "-m",
        "pitchjudge.deck_worker",
        "--memory-mb",
        str(limits.worker_memory_mb),
        "--cpu-seconds",
        str(math.ceil(limits.worker_timeout_s) + 1),
        "--max-pages",
        str(limits.max_pages),
    ]
    if out_dir is not None:
        command += ["--out", str(out_dir)]
    env = dict(os.environ)
    # The worker must import this very package, wherever the caller's cwd happens to be.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_WORKER_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    try:
        # run() kills the worker when the timeout expires, so a stuck render cannot linger.
        completed = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=limits.worker_timeout_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("deck worker timed out after %.1f s", limits.worker_timeout_s)
        raise _unsafe() from None

    stderr_tail = completed.stderr[-600:].decode("utf-8", "replace").strip()
    if completed.returncode == EXIT_SETUP_FAILED:
        raise RuntimeError(f"The deck worker could not start: {stderr_tail}")
    if completed.returncode == EXIT_NO_SPACE:
        raise not_stored(OSError(errno.ENOSPC, stderr_tail or "no space left on device"))
    if completed.returncode != 0 or len(completed.stdout) > MAX_REPLY_BYTES:
        logger.warning(
            "deck worker failed with status %s: %s", completed.returncode, stderr_tail or "-"
        )
        raise _unsafe()
    try:
        reply = json.loads(completed.stdout)
    except (UnicodeDecodeError, ValueError):
        logger.warning("deck worker sent an unreadable reply")
        raise _unsafe() from None
    if not isinstance(reply, dict):
        raise _unsafe()
    if reply.get("status") == "rejected":
        raise _rejection(reply)
    if reply.get("status") != "ok":
        raise _unsafe()
    return reply


def inspect_deck(data: bytes, limits: DeckLimits | None = None) -> DeckFacts:
    """Check a deck by its content (raises errors.InvalidDeck), rendering nothing to disk."""
    limits = limits or DeckLimits()
    _check_bytes(data, limits)
    reply = _run_worker(data, limits, out_dir=None)
    return _facts_from_reply(reply, data, hashlib.sha256(data).hexdigest())


def _stored_facts(store: DeckStore, data: bytes, sha256: str) -> DeckFacts | None:
    try:
        saved = json.loads(store.read(f"{deck_prefix(sha256)}/{FACTS_NAME}").decode("utf-8"))
        facts = DeckFacts(**saved)
    except (OSError, ValueError, TypeError):
        return None
    if facts.sha256 != sha256 or facts.size_bytes != len(data):
        return None
    return facts


def _existing_facts(store: DeckStore, data: bytes, sha256: str, limits: DeckLimits) -> DeckFacts:
    facts = _stored_facts(store, data, sha256)
    if facts is None:
        # A deck stored without its facts file: recompute rather than trust a guess.
        return inspect_deck(data, limits)
    if facts.page_count > limits.max_pages:
        # The deck was accepted under looser limits; today's limits still apply to it.
        raise InvalidDeck(
            "The deck has {pages} pages; the limit is {limit}. "
            "Remove some slides and upload it again.",
            pages=facts.page_count,
            limit=limits.max_pages,
        )
    return facts


def store_deck(data: bytes, *, store: DeckStore, limits: DeckLimits | None = None) -> DeckFacts:
    """Check the deck, then store it content-addressed with its rendered pages; idempotent.

    Nothing reaches the store before the worker has accepted the PDF. The deck is built in
    the store's staging folder, then published with `deck.pdf` last (see `has_deck`). A store
    that cannot be written (full disk, S3 refusing) raises DeckStoreUnavailable and leaves
    nothing behind.
    """
    limits = limits or DeckLimits()
    _check_bytes(data, limits)
    try:
        return _store_checked(data, store, limits)
    except DeckStoreUnavailable as error:
        if error.msgid == DECK_NOT_STORED:
            raise
        # An unreachable store: the applicant reads what it means for them.
        logger.error("deck store unavailable: %s", error.reason)
        raise DeckStoreUnavailable(DECK_NOT_STORED, reason=error.reason) from error


def _store_checked(data: bytes, store: DeckStore, limits: DeckLimits) -> DeckFacts:
    sha256 = hashlib.sha256(data).hexdigest()
    if has_deck(store, sha256):
        return _existing_facts(store, data, sha256, limits)

    store.sweep()  # the cheap part: stale staging folders of interrupted uploads
    with store.staging() as work_dir:
        reply = _run_worker(data, limits, out_dir=work_dir)
        facts = _facts_from_reply(reply, data, sha256)
        pages_dir = work_dir / PAGES_DIR
        expected = {page_file_name(n) for n in range(1, facts.page_count + 1)}
        written = {p.name for p in pages_dir.iterdir()} if pages_dir.is_dir() else set()
        if written != expected or not (work_dir / THUMBNAIL_NAME).is_file():
            logger.warning("deck worker reported success but its images are incomplete")
            raise _unsafe()
        try:
            (work_dir / FACTS_NAME).write_text(json.dumps(asdict(facts)), encoding="utf-8")
            (work_dir / PDF_NAME).write_bytes(data)
        except OSError as error:
            raise not_stored(error) from error
        store.publish(work_dir, deck_prefix(sha256), last=PDF_NAME)
        return facts
