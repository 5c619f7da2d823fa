"""Where deck files live: a folder (`file://…`, the default) or an S3 bucket (`s3://bucket/prefix`).

A store holds objects under relative keys such as `ab/<sha256>/deck.pdf` and never serves them
itself: the pages read them through `read()` and draw them. Every object is written whole or not
at all (a file is written under a temporary name in its own folder, then renamed; an S3 object
is one PUT). A deck is several objects; `pitchjudge.decks` publishes them in a fixed order and
a deck counts as stored only once its last object, `deck.pdf`, is there (see `publish`).

Failures to reach or write the store raise `DeckStoreUnavailable` (a full disk, a bucket that
refuses, an endpoint that does not answer); a missing object raises `FileNotFoundError`.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pitchjudge.errors import DECK_NOT_STORED, N_, DeckStoreUnavailable

if TYPE_CHECKING:
    from pitchjudge.config import Settings

__all__ = [
    "DeckStore",
    "DeckStoreUnavailable",
    "FileDeckStore",
    "S3DeckStore",
    "S3Settings",
    "open_deck_store",
    "parse_store_url",
]

logger = logging.getLogger(__name__)

#: Folders where a deck is being built, at the root of a file store (swept when stale).
INCOMING_PREFIX = ".incoming-"
#: Files being written, beside their final name (swept when stale).
TEMP_PREFIX = ".tmp-"
#: Leftovers older than this are from an upload that was interrupted, not one in progress.
STALE_AFTER_S = 3600.0

_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

UNREACHABLE = N_("The deck store ({url}) cannot be reached or written: {reason}")


def check_key(key: str) -> str:
    """`key` if it is a safe relative key (no `..`, no leading dot or slash); else ValueError."""
    if not isinstance(key, str) or not _KEY.fullmatch(key) or len(key) > 512:
        raise ValueError(f"not a deck store key: {key!r}")
    return key


def _reason(error: BaseException) -> str:
    """A short, human line for the log and the operator (never a traceback)."""
    if isinstance(error, OSError) and error.errno in _NO_SPACE:
        return "no space left on the deck store's disk"
    text = str(error).strip() or type(error).__name__
    return f"{type(error).__name__}: {text[:200]}"


def not_stored(error: BaseException) -> DeckStoreUnavailable:
    """The applicant-facing refusal for a write that failed; the cause goes to the log."""
    reason = _reason(error)
    logger.error("deck store write failed: %s", reason)
    return DeckStoreUnavailable(DECK_NOT_STORED, reason=reason)


@contextmanager
def _private_folder(prefix: str, parent: Path | None) -> Iterator[Path]:
    """A new private folder in `parent` (default: the system's temporary folder), removed with
    everything in it on exit; a disk that cannot hold it refuses the deck."""
    try:
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except OSError as error:
        raise not_stored(error) from error
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class DeckStore(ABC):
    """Objects under relative keys; see the module's docstring for the guarantees."""

    url: str

    @abstractmethod
    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every stored object whose key starts with `prefix`, in no particular order."""

    @abstractmethod
    def read(self, key: str) -> bytes:
        """The object's bytes; FileNotFoundError if there is none."""

    @abstractmethod
    def write(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, whole or not at all (raises DeckStoreUnavailable)."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object (nothing happens when there is none)."""

    @abstractmethod
    def ping(self) -> None:
        """Raise DeckStoreUnavailable, with the reason, unless the store can be written."""

    @abstractmethod
    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A private local folder to build a deck in; removed on exit."""

    @abstractmethod
    def publish(self, staged: Path, prefix: str, *, last: str) -> None:
        """Store every file under `staged` at `prefix/<relative path>`, the file named `last`
        after all the others: readers take a deck for stored only once `last` is there."""

    @abstractmethod
    def sweep(self, *, older_than_s: float = STALE_AFTER_S, deep: bool = False) -> int:
        """Delete what interrupted uploads left behind, older than `older_than_s`; `deep`
        looks through the whole store (start-up), otherwise only where it is cheap. Returns
        how many leftovers were removed."""

    def sizes(self) -> Iterator[tuple[str, int]]:
        """(key, size in bytes) of every stored object."""
        for key in self.keys():
            yield key, len(self.read(key))

    def clear(self) -> None:
        """Delete every stored object (and what interrupted uploads left)."""
        for key in list(self.keys()):
            self.delete(key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class FileDeckStore(DeckStore):
    """A folder; a deck is built in `.incoming-*` beside its final place and renamed in."""

    def __init__(self, root: Path | str) -> None:
        # Absolute from the start: the folder must not move if the process changes folder.
        self.root = Path(root).absolute()
        self.url = f"file://{self.root}"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def keys(self, prefix: str = "") -> Iterator[str]:
        # Walk only the folder the prefix names (a deck's pages: one folder, not the store).
        start = self.root / check_key(prefix.rpartition("/")[0]) if "/" in prefix else self.root
        if not start.is_dir():
            return
        for folder, dirs, files in os.walk(start):
            # Decks being built and files being written are not stored objects.
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            base = Path(folder).relative_to(self.root)
            for name in files:
                if name.startswith("."):
                    continue
                key = (base / name).as_posix()
                if key.startswith(prefix):
                    yield key

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise
        except OSError as error:
            raise DeckStoreUnavailable(UNREACHABLE, url=self.url, reason=_reason(error)) from error

    def write(self, key: str, data: bytes) -> None:
        target = self._path(key)
        temp: Path | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
            temp = Path(name)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            temp.chmod(0o644)
            os.replace(temp, target)
            temp = None
        except OSError as error:
            raise not_stored(error) from error
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def sizes(self) -> Iterator[tuple[str, int]]:
        for key in self.keys():
            with suppress(FileNotFoundError):
                yield key, self._path(key).stat().st_size

    def clear(self) -> None:
        if self.root.is_dir():
            shutil.rmtree(self.root)

    def ping(self) -> None:
        probe = self.root / f"{TEMP_PREFIX}ping-{uuid.uuid4().hex}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"ping")
        except OSError as error:
            raise DeckStoreUnavailable(UNREACHABLE, url=self.url, reason=_reason(error)) from error
        finally:
            with suppress(OSError):  # a read-only disk refuses even to unlink nothing
                probe.unlink(missing_ok=True)

    @contextmanager
    def staging(self) -> Iterator[Path]:
        # Beside the final place (same filesystem), so one rename publishes the deck whole.
        with _private_folder(INCOMING_PREFIX, self.root) as folder:
            yield folder

    def publish(self, staged: Path, prefix: str, *, last: str) -> None:
        # One rename makes every file appear at once, `last` included.
        final = self._path(prefix)
        try:
            staged.chmod(0o755)  # mkdtemp makes it private; the published deck need not be
            final.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staged, final)
        except OSError as error:
            if (final / last).is_file():
                return  # another store of the same bytes won the race; its copy is identical
            raise not_stored(error) from error

    def sweep(self, *, older_than_s: float = STALE_AFTER_S, deep: bool = False) -> int:
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than_s
        removed = 0

        def stale(path: Path) -> bool:
            try:
                return path.lstat().st_mtime < cutoff
            except OSError:
                return False

        for entry in self.root.iterdir():
            if entry.name.startswith(INCOMING_PREFIX) and stale(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        if deep:
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = [d for d in dirs if not d.startswith(INCOMING_PREFIX)]
                for name in files:
                    path = Path(folder) / name
                    if name.startswith(TEMP_PREFIX) and stale(path):
                        path.unlink(missing_ok=True)
                        removed += 1
        if removed:
            logger.warning("deck store %s: swept %d interrupted upload(s)", self.url, removed)
        return removed


@dataclass(frozen=True)
class S3Settings:
    """How to reach an S3-compatible service (from the AWS_* variables; see the README)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0


class S3DeckStore(DeckStore):
    """Objects in `s3://bucket/prefix/…`, one PUT each, through s3fs."""

    def __init__(self, bucket: str, prefix: str, s3: S3Settings, url: str | None = None) -> None:
        try:
            import s3fs
        except ImportError as error:  # pragma: no cover - s3fs is in the `s3` extra
            raise DeckStoreUnavailable(
                UNREACHABLE,
                url=url or f"s3://{bucket}/{prefix}",
                reason="the s3fs package is not installed (pip install 'pitchjudge[s3]')",
            ) from error
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.root = f"{bucket}/{self.prefix}" if self.prefix else bucket
        self.url = url or f"s3://{self.root}"
        client_kwargs: dict[str, Any] = {}
        if s3.region:
            client_kwargs["region_name"] = s3.region
        self.fs = s3fs.S3FileSystem(
            key=s3.access_key_id,
            secret=s3.secret_access_key,
            endpoint_url=s3.endpoint_url,
            client_kwargs=client_kwargs,
            config_kwargs={
                "connect_timeout": s3.connect_timeout_s,
                "read_timeout": s3.read_timeout_s,
                "retries": {"max_attempts": 2, "mode": "standard"},
            },
            # Other replicas write too: never answer from a listing cached here.
            use_listings_cache=False,
            skip_instance_cache=True,
        )

    def _path(self, key: str) -> str:
        return f"{self.root}/{check_key(key)}"

    def _unavailable(self, error: BaseException) -> DeckStoreUnavailable:
        return DeckStoreUnavailable(UNREACHABLE, url=self.url, reason=_reason(error))

    def keys(self, prefix: str = "") -> Iterator[str]:
        try:
            found = self.fs.find(f"{self.root}/{prefix}" if prefix else self.root, prefix="")
        except FileNotFoundError:
            return
        except Exception as error:
            raise self._unavailable(error) from error
        start = len(self.root) + 1
        for path in found:
            key = path[start:]
            if key.startswith(prefix) and _KEY.fullmatch(key):
                yield key

    def read(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return self.fs.cat_file(path)
        except FileNotFoundError:
            raise
        except Exception as error:
            raise self._unavailable(error) from error

    def write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            self.fs.pipe_file(path, data)
        except Exception as error:
            raise not_stored(error) from error

    def exists(self, key: str) -> bool:
        path = self._path(key)
        try:
            return self.fs.info(path).get("type") == "file"
        except FileNotFoundError:
            return False
        except Exception as error:
            raise self._unavailable(error) from error

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            self.fs.rm_file(path)
        except FileNotFoundError:
            pass
        except Exception as error:
            raise self._unavailable(error) from error

    def sizes(self) -> Iterator[tuple[str, int]]:
        start = len(self.root) + 1
        try:
            found = self.fs.find(self.root, detail=True)
        except FileNotFoundError:
            return
        except Exception as error:
            raise self._unavailable(error) from error
        for path, info in found.items():
            if _KEY.fullmatch(path[start:]):
                yield path[start:], int(info.get("size") or 0)

    def clear(self) -> None:
        try:
            found = list(self.fs.find(self.root))
            if found:
                self.fs.rm(found)  # batched: up to 1,000 keys a request
        except FileNotFoundError:
            pass
        except Exception as error:
            raise self._unavailable(error) from error

    def ping(self) -> None:
        probe = f"{self.root}/{TEMP_PREFIX}ping-{uuid.uuid4().hex}"
        try:
            self.fs.pipe_file(probe, b"ping")
            self.fs.rm_file(probe)
        except Exception as error:
            raise self._unavailable(error) from error

    @contextmanager
    def staging(self) -> Iterator[Path]:
        with _private_folder("pitchjudge-deck-", None) as folder:
            yield folder

    def publish(self, staged: Path, prefix: str, *, last: str) -> None:
        check_key(prefix)
        files = sorted(p for p in staged.rglob("*") if p.is_file())
        first = {self._path(f"{prefix}/{p.relative_to(staged).as_posix()}"): p for p in files}
        final = first.pop(self._path(f"{prefix}/{last}"))
        try:
            # The others in parallel (s3fs batches them), each one PUT; then the commit object.
            self.fs.pipe({path: file.read_bytes() for path, file in first.items()})
            self.fs.pipe_file(self._path(f"{prefix}/{last}"), final.read_bytes())
        except Exception as error:
            # Without `last` nobody reads them; remove them anyway so nothing half-done stays.
            for path in first:
                with suppress(Exception):
                    self.fs.rm_file(path)
            raise not_stored(error) from error

    def sweep(self, *, older_than_s: float = STALE_AFTER_S, deep: bool = False) -> int:
        """Deck folders without their `deck.pdf` whose objects are all older than the cutoff
        (a PUT cut off halfway leaves no object at all). Only when `deep`: it lists the bucket."""
        if not deep:
            return 0
        from pitchjudge.decks import PDF_NAME

        try:
            found = self.fs.find(self.root, detail=True)
        except FileNotFoundError:
            return 0
        except Exception as error:
            raise self._unavailable(error) from error
        cutoff = time.time() - older_than_s
        groups: dict[str, list[tuple[str, float]]] = {}
        start = len(self.root) + 1
        for path, info in found.items():
            parts = path[start:].split("/")
            if len(parts) < 3:
                continue
            modified = info.get("LastModified")
            stamp = modified.timestamp() if modified is not None else time.time()
            groups.setdefault("/".join(parts[:2]), []).append((path, stamp))
        removed = 0
        for prefix, objects in groups.items():
            complete = f"{self.root}/{prefix}/{PDF_NAME}" in found
            if complete or max(stamp for _, stamp in objects) >= cutoff:
                continue
            for path, _ in objects:
                with suppress(FileNotFoundError):
                    self.fs.rm_file(path)
            removed += 1
        if removed:
            logger.warning("deck store %s: swept %d interrupted upload(s)", self.url, removed)
        return removed


def parse_store_url(url: str) -> tuple[str, str, str]:
    """("file", path, "") or ("s3", bucket, prefix); ValueError with the reason otherwise."""
    url = url.strip()
    if url.startswith("file://"):
        path = url[len("file://") :]
        if not path:
            raise ValueError("a file:// address needs a folder, e.g. file:///srv/pitchjudge/decks")
        return "file", path, ""
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not _BUCKET.fullmatch(bucket):
            raise ValueError(
                "an s3:// address needs a bucket name of 3 to 63 lowercase letters, digits, "
                "dots or hyphens, e.g. s3://pitchjudge-decks/prix-lyon"
            )
        prefix = prefix.strip("/")
        if prefix and not _KEY.fullmatch(prefix):
            raise ValueError(
                "the prefix after the bucket may hold only letters, digits, '.', '_', '-' and '/'"
            )
        return "s3", bucket, prefix
    raise ValueError("it must start with file:// or s3://")


_opened: dict[tuple[str, S3Settings | None], DeckStore] = {}
_opened_lock = threading.Lock()


def open_deck_store(settings: Settings) -> DeckStore:
    """The store `settings.deck_store_url` names (one object per process and address)."""
    return open_store_url(settings.deck_store_url, settings.s3)


def open_store_url(url: str, s3: S3Settings | None = None) -> DeckStore:
    """The store at `url`, opened once per process (the URL was checked with the settings)."""
    kind, where, prefix = parse_store_url(url)
    if kind == "file":
        return FileDeckStore(where)  # nothing to open; a relative folder follows the cwd
    with _opened_lock:
        store = _opened.get((url, s3))
        if store is None:
            store = _opened[(url, s3)] = S3DeckStore(where, prefix, s3 or S3Settings(), url=url)
        return store
