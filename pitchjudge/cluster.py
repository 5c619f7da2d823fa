"""`pitchjudge cluster`: several app replicas behind HAProxy on this machine, one mail sender.

What it starts, in order (and stops in reverse, on Ctrl+C, SIGTERM or when one dies):

1. PostgreSQL, when asked (`--start-postgres`: Debian's `pg_ctlcluster 15 main start`), and
   the migrations (`pitchjudge init`, once, before any replica);
2. N replicas, each `streamlit run pitchjudge/ui/asgi.py` on its own port, sharing the
   database, the deck store (`PITCHJUDGE_DATA_DIR`), the link key and Streamlit's cookie secret
   (XSRF tokens of uploads must be valid on every replica);
3. HAProxy in front (`pitchjudge/deploy/haproxy.cfg`, filled in here): sticky sessions by
   cookie, health checks, WebSocket and event-stream timeouts, X-Forwarded-For, X-Request-ID;
4. one `pitchjudge send-mail --loop` (it takes a database lease anyway).

Children never outlive the launcher: each is started with the kernel's parent-death signal
(SIGTERM when the launcher dies, even by kill -9), in its own process group so that a Ctrl+C
in the terminal reaches the launcher only, which then stops them in order.
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

REPO = Path(__file__).resolve().parents[1]
ASGI_ENTRY = Path(__file__).resolve().parent / "ui" / "asgi.py"
HAPROXY_TEMPLATE = Path(__file__).resolve().parent / "deploy" / "haproxy.cfg"
#: What HAProxy's health checks ask every replica (one place to change it: `--health-path`).
HEALTH_PATH = "/_stcore/health"
COOKIE_NAME = "PJREPLICA"
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port nobody listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_haproxy_config(
    *,
    listen: str,
    replicas: Sequence[tuple[str, str]],
    health_path: str = HEALTH_PATH,
    stats_socket: Path | None = None,
    template: Path = HAPROXY_TEMPLATE,
) -> str:
    """The HAProxy configuration for `replicas` ((name, "host:port") pairs, the name being
    the sticky cookie's value)."""
    if not replicas:
        raise ValueError("at least one replica")
    if not health_path.startswith("/"):
        raise ValueError(f"the health path must start with '/': {health_path!r}")
    servers = "\n".join(f"    server {name} {address} cookie {name}" for name, address in replicas)
    stats = f"stats socket {stats_socket} mode 600 level admin" if stats_socket else ""
    return Template(template.read_text(encoding="utf-8")).substitute(
        listen=listen, servers=servers, health_path=health_path, stats=stats
    )


def streamlit_cookie_secret(link_key: bytes) -> str:
    """Streamlit's cookie secret, the same on every replica: derived from the link key, so
    nothing new must be shared (an upload's XSRF token is then valid on any replica)."""
    return hmac.new(link_key, b"pitchjudge streamlit cookie secret", hashlib.sha256).hexdigest()


try:  # loaded here, in the parent: between fork and exec the child only calls it
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: children are still stopped by stop()
    _prctl = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """In the child: receive SIGTERM when the launcher dies, even by kill -9."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class Child:
    """One process of the cluster, with its console in a file."""

    name: str
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join([f"--- {self.name} ({self.log_path}) ---", *text.splitlines()[-lines:]])

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it is still there after `timeout_s`."""
        if not self.alive():
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout_s)


@dataclass
class Replica:
    name: str
    port: int
    child: Child | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class ClusterConfig:
    """What to start. `env` holds the PITCHJUDGE_* settings every process shares."""

    env: Mapping[str, str]
    run_dir: Path
    replicas: int = 2
    port: int = 8500
    host: str = "0.0.0.0"
    replica_ports: Sequence[int] = ()
    health_path: str = HEALTH_PATH
    mail_sender: bool = True
    haproxy: str = "haproxy"
    python: str = sys.executable
    #: Extra `streamlit run` options (e.g. ["--server.fileWatcherType", "none"]).
    streamlit_args: Sequence[str] = ()


class ClusterError(RuntimeError):
    """The cluster could not start (the message says which process and shows its console)."""


@dataclass
class Cluster:
    """The running processes; `start()` then `stop()`, or `with Cluster(config) as c:`."""

    config: ClusterConfig
    replicas: list[Replica] = field(default_factory=list)
    proxy: Child | None = None
    sender: Child | None = None
    _children: list[Child] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.config.port}"

    @property
    def stats_socket(self) -> Path:
        return self.config.run_dir / "haproxy.sock"

    # -- start ---------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """The environment of every child: this one, the shared settings, Streamlit's secret."""
        from pitchjudge.config import load_settings
        from pitchjudge.links import secret_key

        env = {k: v for k, v in os.environ.items() if not k.startswith("PITCHJUDGE_")}
        env.update(self.config.env)
        settings = load_settings(env, env_file=None)
        env.setdefault(
            "STREAMLIT_SERVER_COOKIE_SECRET", streamlit_cookie_secret(secret_key(settings))
        )
        # The replicas see HAProxy's connections from loopback: believe its X-Forwarded-For.
        env.setdefault("PITCHJUDGE_TRUSTED_PROXIES", "127.0.0.1,::1")
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _spawn(self, name: str, command: Sequence[str], env: Mapping[str, str]) -> Child:
        log_path = self.config.run_dir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                list(command),
                cwd=REPO,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: a terminal's Ctrl+C reaches the launcher only,
                # which then stops the children in order.
                process_group=0,
                preexec_fn=_die_with_parent,
            )
        child = Child(name=name, process=process, log_path=log_path)
        self._children.append(child)
        return child

    def start(self, *, progress: Callable[[str], None] = lambda _: None) -> Cluster:
        config = self.config
        if config.replicas < 1:
            raise ClusterError("A cluster needs at least one replica.")
        haproxy = shutil.which(config.haproxy)
        if haproxy is None:
            raise ClusterError(
                f"HAProxy ({config.haproxy}) is not installed: apt-get install -y haproxy"
            )
        config.run_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        try:
            progress("Migrating the database…")
            init = subprocess.run(
                [config.python, "-m", "pitchjudge.cli", "init"],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if init.returncode != 0:
                raise ClusterError(f"pitchjudge init failed:\n{init.stdout}{init.stderr}")
            if init.stderr.strip():  # the generated organiser password, shown once
                progress(init.stderr.strip())
            ports = list(config.replica_ports) or [free_port() for _ in range(config.replicas)]
            if len(ports) != config.replicas:
                raise ClusterError("One port per replica.")
            for number, port in enumerate(ports, start=1):
                replica = Replica(name=f"r{number}", port=port)
                replica.child = self._spawn(
                    f"replica-{replica.name}", self.streamlit_command(port), env
                )
                self.replicas.append(replica)
                progress(f"Replica {replica.name}: {replica.url} (pid {replica.child.pid})")
            for replica in self.replicas:
                self.wait_healthy(replica)
            cfg = self.config.run_dir / "haproxy.cfg"
            cfg.write_text(
                render_haproxy_config(
                    listen=f"{config.host}:{config.port}",
                    replicas=[(r.name, f"127.0.0.1:{r.port}") for r in self.replicas],
                    health_path=config.health_path,
                    stats_socket=self.stats_socket,
                ),
                encoding="utf-8",
            )
            check = subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)], capture_output=True)
            if check.returncode != 0:
                raise ClusterError(f"HAProxy refused {cfg}:\n{check.stderr.decode()}")
            self.proxy = self._spawn("haproxy", [haproxy, "-W", "-db", "-f", str(cfg)], env)
            self.wait_proxy()
            progress(f"HAProxy: {self.url} → {len(self.replicas)} replicas (pid {self.proxy.pid})")
            if config.mail_sender:
                self.sender = self._spawn(
                    "send-mail", [config.python, "-m", "pitchjudge.cli", "send-mail", "--loop"], env
                )
                progress(f"Mail sender: pid {self.sender.pid}")
        except BaseException:
            self.stop()
            raise
        return self

    def streamlit_command(self, port: int) -> list[str]:
        return [
            self.config.python,
            "-m",
            "streamlit",
            "run",
            str(ASGI_ENTRY),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            *self.config.streamlit_args,
        ]

    def wait_healthy(self, replica: Replica, timeout_s: float = 180.0) -> None:
        """Until the replica answers its health path (it answers once warmed up)."""
        deadline = time.monotonic() + timeout_s
        assert replica.child is not None
        while time.monotonic() < deadline:
            if not replica.child.alive():
                raise ClusterError(f"Replica {replica.name} stopped.\n{replica.child.log_tail()}")
            if http_ok(replica.url + self.config.health_path):
                return
            time.sleep(0.2)
        raise ClusterError(
            f"Replica {replica.name} did not answer {self.config.health_path} in "
            f"{timeout_s:.0f} s.\n{replica.child.log_tail()}"
        )

    def wait_proxy(self, timeout_s: float = 30.0) -> None:
        """Until HAProxy answers and sees every replica up."""
        deadline = time.monotonic() + timeout_s
        assert self.proxy is not None
        while time.monotonic() < deadline:
            if not self.proxy.alive():
                raise ClusterError(f"HAProxy stopped.\n{self.proxy.log_tail()}")
            states = self.server_states()
            if states and all(s == "UP" for s in states.values()):
                return
            time.sleep(0.2)
        raise ClusterError(f"HAProxy did not see every replica up.\n{self.proxy.log_tail()}")

    # -- while running -------------------------------------------------------------------

    def server_states(self) -> dict[str, str]:
        """HAProxy's view of each replica of the main backend: {"r1": "UP", "r2": "DOWN"}."""
        try:
            answer = haproxy_command(self.stats_socket, "show stat")
        except OSError:
            return {}
        states: dict[str, str] = {}
        for line in answer.splitlines():
            cells = line.split(",")
            if len(cells) > 17 and cells[0] == "replicas" and cells[1].startswith("r"):
                states[cells[1]] = cells[17].split(" ")[0]
        return states

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def first_death(self) -> Child | None:
        """A process of the cluster that stopped by itself, if any."""
        return next((c for c in self._children if not c.alive()), None)

    def wait(self, stop: threading.Event, poll_s: float = 0.5) -> Child | None:
        """Until `stop` is set or a process dies (returned)."""
        while not stop.wait(poll_s):
            dead = self.first_death()
            if dead is not None:
                return dead
        return None

    # -- stop ----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the mail sender, the proxy, then the replicas (never leaves one behind)."""
        for child in reversed(self._children):
            try:
                child.stop()
            except Exception:  # stop the others anyway
                child.process.kill()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def http_ok(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def haproxy_command(stats_socket: Path, command: str, timeout_s: float = 2.0) -> str:
    """Send one command to HAProxy's admin socket; returns its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(str(stats_socket))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def start_postgres(version: str = "15", name: str = "main") -> str:
    """Start Debian's PostgreSQL cluster (nothing if it already runs); returns what it said."""
    result = subprocess.run(
        ["pg_ctlcluster", version, name, "start"], capture_output=True, text=True
    )
    said = (result.stdout + result.stderr).strip()
    if result.returncode != 0 and "already running" not in said:
        raise ClusterError(f"pg_ctlcluster {version} {name} start failed: {said}")
    return said or f"PostgreSQL {version}/{name} running"


def run_foreground(config: ClusterConfig, *, start_pg: bool = False) -> int:
    """The CLI: start everything, wait for Ctrl+C (or a death), stop everything."""
    stop = threading.Event()
    started = False

    def on_signal(*_: object) -> None:
        stop.set()
        if not started:  # still starting: interrupt it (start() stops what it started)
            raise KeyboardInterrupt

    previous = {
        signum: signal.signal(signum, on_signal)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    }
    cluster = Cluster(config)
    try:
        if start_pg:
            print(start_postgres(), flush=True)
        cluster.start(progress=lambda line: print(line, flush=True))
        started = True
        print(
            f"PitchJudge cluster ready: {cluster.url} (logs in {config.run_dir}). "
            "Ctrl+C stops everything.",
            flush=True,
        )
        dead = cluster.wait(stop)
        if dead is not None:
            print(
                f"{dead.name} stopped (exit code {dead.process.returncode}): stopping the "
                f"cluster.\n{dead.log_tail()}",
                file=sys.stderr,
                flush=True,
            )
            return 1
        print("Stopping…", flush=True)
        return 0
    except ClusterError as error:
        print(f"Cluster error: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("Stopped while starting.", file=sys.stderr, flush=True)
        return 130
    finally:
        cluster.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
