"""Benchmark: time inspect_deck and store_deck on a ~10 MB, 30-page deck of noisy images, into a
folder and into an S3 bucket (moto's server on a local port), and reading a page back."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script from anywhere: make the project root (pitchjudge/, tests/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pitchjudge.deck_store import DeckStore, FileDeckStore, S3DeckStore, S3Settings
from pitchjudge.decks import (
    DeckFacts,
    DeckLimits,
    deck_page_keys,
    deck_pdf_key,
    deck_thumbnail_key,
    has_deck,
    inspect_deck,
    store_deck,
)
from tests.pdf_samples import make_deck

RUNS = 3
PAGES = 30
TARGET_MB = 10.0


def _median_seconds(action: Callable[[], DeckFacts]) -> tuple[float, DeckFacts]:
    times = []
    facts = None
    for _ in range(RUNS):
        started = time.perf_counter()
        facts = action()
        times.append(time.perf_counter() - started)
    assert facts is not None
    return statistics.median(times), facts


def _kb(size: int) -> str:
    return f"{size / 1024:,.0f} KB"


def main() -> None:
    """Build the deck, time both calls with the default limits, print what got stored."""
    started = time.perf_counter()
    # A 640×360 noise JPEG adds ~0.27 MB; grow the images so 30 of them make ~TARGET_MB.
    per_image = len(make_deck(1, noise_images=1)) - len(make_deck(1))
    scale = (TARGET_MB * 1024 * 1024 / PAGES / per_image) ** 0.5
    noise_px = (round(640 * scale), round(360 * scale))
    data = make_deck(PAGES, noise_images=PAGES, noise_px=noise_px)
    print(
        f"deck: {PAGES} pages, each with a {noise_px[0]}×{noise_px[1]} noise image, "
        f"{len(data) / 1024 / 1024:.1f} MB (built in {time.perf_counter() - started:.1f} s)"
    )
    limits = DeckLimits()
    print(f"limits: {limits}")

    inspect_s, _facts = _median_seconds(lambda: inspect_deck(data, limits))
    print(f"inspect_deck: {inspect_s:.2f} s (median of {RUNS})")

    with tempfile.TemporaryDirectory() as tmp:
        _bench_store("file", lambda run: FileDeckStore(Path(tmp) / f"run{run}"), data, limits)
    try:
        from tests.s3_support import CREDENTIALS, local_s3
    except ImportError:  # moto is a dev dependency
        print("s3: skipped (moto not installed)")
        return
    with local_s3() as server:
        settings = S3Settings(
            endpoint_url=server.endpoint_url,
            region=CREDENTIALS["AWS_DEFAULT_REGION"],
            access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        bucket = server.new_bucket()
        _bench_store(
            "s3 (moto, local)", lambda run: S3DeckStore(bucket, f"run{run}", settings), data, limits
        )


def _bench_store(
    name: str, make_store: Callable[[int], DeckStore], data: bytes, limits: DeckLimits
) -> None:
    store_times = []
    for run in range(RUNS):
        # A fresh store each time: storing into the same one would just hit the cache.
        store = make_store(run)
        begun = time.perf_counter()
        facts = store_deck(data, store=store, limits=limits)
        store_times.append(time.perf_counter() - begun)
    print(f"{name}: store_deck {statistics.median(store_times):.2f} s (median of {RUNS})")

    begun = time.perf_counter()
    store_deck(data, store=store, limits=limits)
    print(
        f"{name}: store_deck again (already stored) {(time.perf_counter() - begun) * 1000:.1f} ms"
    )

    begun = time.perf_counter()
    has_deck(store, facts.sha256)
    pages = deck_page_keys(store, facts.sha256)
    listed = time.perf_counter() - begun
    begun = time.perf_counter()
    page = store.read(pages[len(pages) // 2])
    read = time.perf_counter() - begun
    print(
        f"{name}: list the pages {listed * 1000:.1f} ms, read one page ({_kb(len(page))}) "
        f"{read * 1000:.1f} ms (uncached; pages cache what they read)"
    )
    sizes = dict(store.sizes())
    page_sizes = [sizes[key] for key in pages]
    print(
        f"{name}: stored pdf {_kb(sizes[deck_pdf_key(facts.sha256)])}, thumbnail "
        f"{_kb(sizes[deck_thumbnail_key(facts.sha256)])}"
    )
    print(
        f"{name}: pages {len(pages)} files, {_kb(sum(page_sizes))} total, "
        f"{_kb(min(page_sizes))} min, {_kb(max(page_sizes))} max; "
        f"whole deck {_kb(sum(sizes.values()))}"
    )


if __name__ == "__main__":
    main()
