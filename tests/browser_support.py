"""What every browser test shares: Debian's Chromium, its flags, the laptop screen, a port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


# --- the app under test ---------------------------------------------------------------------


@dataclass
class App:
    """A `streamlit run` process serving the app (or a demo script) for browser tests."""

    url: str
    process: subprocess.Popen
    stdout_path: Path
    stderr_path: Path

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's console, where Streamlit prints tracebacks."""
        parts = []
        for name, path in (("stdout", self.stdout_path), ("stderr", self.stderr_path)):
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"--- streamlit {name} (last {lines} lines) ---")
            parts.extend(text.splitlines()[-lines:])
        return "\n".join(parts)


def wait_healthy(app: App, timeout_s: float | None = None) -> None:
    """Until the server answers /_stcore/health (or it died: its console is in the error).

    The app's ASGI entry answers only once warmed up (imports, database, first boards):
    on a busy machine that takes a while, hence the long timeout (longer still when every
    core is kept busy by another job, PITCHJUDGE_TEST_LOAD=1)."""
    if timeout_s is None:
        timeout_s = 300.0 if UNDER_LOAD else 120.0
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {app.process.returncode}\n{app.log_tail()}"
            )
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"streamlit did not answer /_stcore/health in {timeout_s:.0f} s\n{app.log_tail()}"
    )


def app_settings(root: Path, **overrides: str) -> tuple[dict[str, str], int]:
    """The environment of an app under test (its own SQLite file and deck store in `root`,
    English, a free port), and that port."""
    port = _free_port()
    values = {
        "PITCHJUDGE_DATABASE_URL": f"sqlite:///{root}/app.db",
        "PITCHJUDGE_DATA_DIR": str(root / "data"),
        "PITCHJUDGE_ADMIN_PASSWORD": "organiser-secret",
        "PITCHJUDGE_LANGUAGE": "en",
        "PITCHJUDGE_BASE_URL": f"http://localhost:{port}",
        **overrides,
    }
    return values, port


#: The app as `make run` serves it: the ASGI entry (st.App, warm-up at start-up) that runs
#: streamlit_app.py.
APP_ENTRY = "pitchjudge/ui/asgi.py"


@contextmanager
def serve(
    root: Path, values: dict[str, str], port: int, *, script: str | Path = APP_ENTRY
) -> Iterator[App]:
    """`streamlit run <script>` (the app's ASGI entry by default) on `port`, with `values`
    added to the environment in place of any PITCHJUDGE_* setting of this process.

    The file watcher is off: other work in the tree must not reload modules under a running
    test (a fragment defined before a reload returns objects of the old classes).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PITCHJUDGE_")}
    env.update(values)
    command = [
        str(REPO / ".venv" / "bin" / "streamlit"),
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    stdout_path, stderr_path = root / "streamlit.out", root / "streamlit.err"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=stdout, stderr=stderr)
    server = App(
        url=f"http://localhost:{port}",
        process=process,
        stdout_path=stdout_path,
        stderr_path=stderr_path,
    )
    try:
        wait_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --- the suite under load ---------------------------------------------------------------------

# PITCHJUDGE_TEST_LOAD=1: the tests run with every core kept busy by another job, as on a
# shared CI machine; they must still pass (waits wait for states, bounds are generous).
UNDER_LOAD = os.environ.get("PITCHJUDGE_TEST_LOAD") == "1"
# Playwright's `expect` waits this long for a state (its own default, 5 s, is a fixed wait).
EXPECT_TIMEOUT_MS = 30_000
# Waits for states, not times: generous, since a state that comes costs nothing more. Under
# load, a first page load (plotly, pandas, scipy imported) took over 20 s on 2 cores.
SHORT_MS = 30_000  # one rerun of a page
LONG_MS = 120_000  # a first page load, a deck checked and rendered


@contextmanager
def cpu_load(processes: int | None = None) -> Iterator[list[subprocess.Popen]]:
    """Busy processes, one per core unless told, each burning a core until the end."""
    count = processes or os.cpu_count() or 1
    burners = [
        subprocess.Popen(
            [sys.executable, "-c", "while True: pass"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        yield burners
    finally:
        for burner in burners:
            burner.kill()
        for burner in burners:
            burner.wait(timeout=10)
