"""A real, tiny filesystem for the full-disk tests: a 1 MB tmpfs (needs root; CI runs as root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER = "filler.bin"


@contextmanager
def tiny_disk(mount_point: Path, size: str = "1m", *, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `mount_point` (created) for the block; skips unless root."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount_point.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "mount",
            "-t",
            "tmpfs",
            "-o",
            f"size={size},mode=0755" + (",ro" if read_only else ""),
            "tmpfs",
            str(mount_point),
        ],
        check=True,
    )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave_kb: int) -> Path:
    """Fill `disk` with one file until about `leave_kb` KB remain free; returns that file."""
    filler = disk / FILLER
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with open(filler, "wb") as out:
        out.write(b"\0" * max(free - leave_kb * 1024, 0))
    return filler


def stored_files(disk: Path) -> list[str]:
    """Everything on `disk` but the filler, as sorted relative paths."""
    return sorted(str(p.relative_to(disk)) for p in disk.rglob("*") if p.name != FILLER)
