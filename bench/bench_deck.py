"""Benchmark: time inspect_deck and store_deck on a ~10 MB, 30-page deck of noisy images."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script from anywhere: make the project root (pitchjudge/, tests/) importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pitchjudge.decks import (
    DeckFacts,
    DeckLimits,
    deck_page_paths,
    deck_pdf_path,
    deck_thumbnail_path,
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

    inspect_s, facts = _median_seconds(lambda: inspect_deck(data, limits))
    print(f"inspect_deck: {inspect_s:.2f} s (median of {RUNS})")

    with tempfile.TemporaryDirectory() as tmp:
        store_times = []
        for run in range(RUNS):
            # A fresh store each time: storing into the same one would just hit the cache.
            store_dir = Path(tmp) / f"run{run}"
            begun = time.perf_counter()
            facts = store_deck(data, store_dir=store_dir, limits=limits)
            store_times.append(time.perf_counter() - begun)
        print(f"store_deck: {statistics.median(store_times):.2f} s (median of {RUNS})")

        begun = time.perf_counter()
        store_deck(data, store_dir=store_dir, limits=limits)
        print(f"store_deck again (already stored): {(time.perf_counter() - begun) * 1000:.1f} ms")

        pages = deck_page_paths(store_dir, facts.sha256)
        page_sizes = [page.stat().st_size for page in pages]
        total = sum(p.stat().st_size for p in store_dir.rglob("*") if p.is_file())
        print(f"stored pdf: {_kb(deck_pdf_path(store_dir, facts.sha256).stat().st_size)}")
        print(f"thumbnail: {_kb(deck_thumbnail_path(store_dir, facts.sha256).stat().st_size)}")
        print(
            f"pages: {len(pages)} files, {_kb(sum(page_sizes))} total, "
            f"{_kb(min(page_sizes))} min, {_kb(max(page_sizes))} max"
        )
        print(f"whole deck directory: {_kb(total)}")


if __name__ == "__main__":
    main()
