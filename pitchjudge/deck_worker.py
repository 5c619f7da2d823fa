"""Sandboxed deck worker: parses and renders an untrusted PDF from stdin under its own rlimits."""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import resource
import sys
from pathlib import Path
from typing import IO, Any

# Layout of a stored deck, shared with pitchjudge.decks (which owns deck.pdf and facts.json).
THUMBNAIL_NAME = "thumbnail.png"
PAGES_DIR = "pages"
PAGE_SUFFIX = ".webp"

# Pages are rendered this wide; a page much taller than wide is capped in height instead,
# so no page can ask for a bitmap larger than RENDER_WIDTH_PX × MAX_RENDER_HEIGHT_PX.
RENDER_WIDTH_PX = 1400
MAX_RENDER_HEIGHT_PX = 4200
THUMBNAIL_WIDTH_PX = 480
PAGE_QUALITY = 80
# WebP "method" 2 is ~5× faster than the default 4 for a few percent larger files.
PAGE_WEBP_METHOD = 2

# 5080 pt is 1.8 m, beyond any slide or poster; 72 pt (1 inch) is below any real page.
MAX_PAGE_SIDE_PT = 5080.0
MIN_PAGE_SIDE_PT = 72.0

# No single output file may exceed this, so a runaway encoder cannot fill the disk.
MAX_OUTPUT_FILE_BYTES = 64 * 1024 * 1024

# Exit status when the worker itself cannot start (missing library, limits too tight):
# a server problem, which the caller must not blame on the founder's PDF.
EXIT_SETUP_FAILED = 3
# Exit status when the images cannot be written for lack of space: the store is full, which
# the caller must not blame on the PDF either.
EXIT_NO_SPACE = 4


class Rejected(Exception):
    """The PDF breaks a rule; `reason` and `params` go back to the caller as JSON."""

    def __init__(self, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def page_file_name(number: int) -> str:
    """File name of 1-based page `number` inside the pages directory (001.webp …)."""
    return f"{number:03d}{PAGE_SUFFIX}"


def _set_limits(memory_mb: int, cpu_seconds: int) -> None:
    def set_limit(kind: int, soft: int, hard: int) -> None:
        _, current_hard = resource.getrlimit(kind)
        # An unprivileged process cannot raise its hard limit, so never ask for more than it.
        if current_hard != resource.RLIM_INFINITY:
            hard = min(hard, current_hard)
        resource.setrlimit(kind, (min(soft, hard), hard))

    memory = memory_mb * 1024 * 1024
    set_limit(resource.RLIMIT_AS, memory, memory)
    # SIGXCPU at the soft limit ends us; SIGKILL at the hard limit is the backstop.
    set_limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 2)
    set_limit(resource.RLIMIT_FSIZE, MAX_OUTPUT_FILE_BYTES, MAX_OUTPUT_FILE_BYTES)
    # pdfium aborts on allocation failure; a core dump of that would only waste disk.
    set_limit(resource.RLIMIT_CORE, 0, 0)


def _points_to_cm(points: float) -> float:
    # Keep the JSON reply standard (no Infinity/NaN) whatever the MediaBox says.
    points = points if math.isfinite(points) else 1e9
    return round(min(points, 1e9) / 72 * 2.54, 1)


def _check_page_size(number: int, width: float, height: float) -> None:
    too_large = not (math.isfinite(width) and math.isfinite(height))
    too_large = too_large or max(width, height) > MAX_PAGE_SIDE_PT
    if too_large:
        raise Rejected(
            "page_too_large",
            page=number,
            width_cm=_points_to_cm(width),
            height_cm=_points_to_cm(height),
        )
    if min(width, height) < MIN_PAGE_SIDE_PT:
        raise Rejected(
            "page_too_small",
            page=number,
            width_cm=_points_to_cm(width),
            height_cm=_points_to_cm(height),
        )


def render_scale(width_pt: float, height_pt: float) -> float:
    """Pixels per point: RENDER_WIDTH_PX wide unless that would exceed MAX_RENDER_HEIGHT_PX."""
    return min(RENDER_WIDTH_PX / width_pt, MAX_RENDER_HEIGHT_PX / height_pt)


def process(data: bytes, *, max_pages: int, out_dir: Path | None) -> dict[str, Any]:
    """Check (and with `out_dir`, render to files) the PDF `data`; raises Rejected."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    from PIL import Image

    # The raw loader is used instead of PdfDocument(data) because that wrapper reports a
    # zero-page document with a stale FPDF_GetLastError() (e.g. a password error) instead
    # of a page count of 0.
    raw_doc = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw_doc:
        error = pdfium_c.FPDF_GetLastError()
        if error in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise Rejected("encrypted")
        raise Rejected("damaged")
    document = pdfium.PdfDocument(raw_doc)
    try:
        # pdfium opens owner-password ("permissions only") files without asking; any
        # security handler at all means the file is encrypted.
        if pdfium_c.FPDF_GetSecurityHandlerRevision(document) != -1:
            raise Rejected("encrypted")
        page_count = pdfium_c.FPDF_GetPageCount(document)
        if page_count < 1:
            raise Rejected("no_pages")
        if page_count > max_pages:
            raise Rejected("too_many_pages", pages=page_count, limit=max_pages)

        sizes: list[tuple[float, float]] = []
        for index in range(page_count):
            try:
                width, height = document.get_page_size(index)
            except pdfium.PdfiumError:
                raise Rejected("render_failed", page=index + 1) from None
            _check_page_size(index + 1, width, height)
            sizes.append((width, height))

        if out_dir is not None:
            (out_dir / PAGES_DIR).mkdir()
        for index, (width, height) in enumerate(sizes):
            try:
                page = document[index]
                try:
                    bitmap = page.render(scale=render_scale(width, height), rev_byteorder=True)
                    image = bitmap.to_pil()
                    if image.mode != "RGB":
                        image = image.convert("RGB")
                    bitmap.close()
                finally:
                    page.close()
            except (pdfium.PdfiumError, MemoryError):
                raise Rejected("render_failed", page=index + 1) from None
            if out_dir is not None:
                image.save(
                    out_dir / PAGES_DIR / page_file_name(index + 1),
                    format="WEBP",
                    quality=PAGE_QUALITY,
                    method=PAGE_WEBP_METHOD,
                )
                if index == 0:
                    thumbnail = image.copy()
                    thumbnail.thumbnail(
                        (THUMBNAIL_WIDTH_PX, 3 * THUMBNAIL_WIDTH_PX), Image.Resampling.LANCZOS
                    )
                    thumbnail.save(out_dir / THUMBNAIL_NAME, format="PNG", optimize=True)
            del image
    finally:
        document.close()

    return {
        "status": "ok",
        "page_count": page_count,
        "page_width_pt": sizes[0][0],
        "page_height_pt": sizes[0][1],
    }


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--out", type=Path, help="existing directory for the rendered images")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point: PDF bytes on stdin, one JSON object on stdout, images into --out."""
    args = _parse_args(argv)
    _set_limits(args.memory_mb, args.cpu_seconds)

    # Anything native code prints must not corrupt the JSON reply: keep a private handle on
    # the real stdout and point fd 1 (and Python's sys.stdout) at stderr.
    reply: IO[str] = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    try:
        import pypdfium2  # noqa: F401  (imported here, after the limits, on purpose)
        from PIL import Image  # noqa: F401
    except (ImportError, MemoryError) as error:
        print(f"deck worker cannot start: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_SETUP_FAILED

    data = sys.stdin.buffer.read()
    try:
        result = process(data, max_pages=args.max_pages, out_dir=args.out)
    except Rejected as rejection:
        result = {"status": "rejected", "reason": rejection.reason, **rejection.params}
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            print(f"deck worker: no space left to write the images: {error}", file=sys.stderr)
            return EXIT_NO_SPACE
        print(f"deck worker failed: {type(error).__name__}: {str(error)[:200]}", file=sys.stderr)
        return 1
    except Exception as error:
        # One short line for the operator's log: never a traceback full of PDF content.
        print(f"deck worker failed: {type(error).__name__}: {str(error)[:200]}", file=sys.stderr)
        return 1
    json.dump(result, reply)
    reply.write("\n")
    reply.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
