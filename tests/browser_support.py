"""What every browser test shares: Debian's Chromium, its flags, the laptop screen, a port."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("PITCHJUDGE_REQUIRE_BROWSER") == "1"
# Without the networking flags Chromium keeps trying hosts this sandbox cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP_13 = {"width": 1366, "height": 800}


def _require_chromium() -> None:
    """Skip without Chromium, unless CI requires the browser tests (then fail)."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if REQUIRE_BROWSER:
        pytest.fail(f"PITCHJUDGE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
