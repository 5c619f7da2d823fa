"""/healthz, /metrics and the request log through a real server (the ASGI entry), healthy
and not: database unreachable, deck store unwritable."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.logs import short_hash
from pitchjudge.models import ReplicaCounter, ReplicaHeartbeat, VoteMode
from pitchjudge.services import votes
from tests.browser_support import app_settings, serve
from tests.factories import make_judging
from tests.test_ops import closed_port

REPLICA = "replica-under-test"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("ops_http")
    values, port = app_settings(
        root,
        PITCHJUDGE_SECRET_KEY="ops-http-secret-key-0123456789abcdef",
        PITCHJUDGE_REPLICA_ID=REPLICA,
    )
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=1, pitches=2)
    with session_scope(engine) as session:
        window = votes.ensure_window(session=session, round_id=w["round_id"])
        window.mode = VoteMode.DEVICE
        session.add(window)
        w["vote_token"] = window.token
    with session_scope(engine) as session:
        votes.open_window(
            session=session, organiser_token=_organiser(session), round_id=w["round_id"]
        )
    with serve(root, values, port) as app:
        w.update(engine=engine, url=app.url, app=app)
        yield w
    engine.dispose()


def _organiser(session) -> str:
    from pitchjudge.services import auth

    return auth.open_organiser_session(session=session)


def metric_values(text: str) -> dict[tuple[str, str], float]:
    """(sample name, kind label) → value, read by Prometheus's own parser."""
    return {
        (sample.name, sample.labels.get("kind", "")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def log_lines(app) -> list[dict]:
    lines = []
    for line in app.stderr_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def wait_for(predicate, timeout_s: float = 60.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_healthz_says_ok_with_each_part_and_echoes_the_request_id(server):
    response = requests.get(
        f"{server['url']}/healthz", headers={"X-Request-ID": "proxy-id-1"}, timeout=10
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "replica": REPLICA,
        "database": "ok",
        "migrations": "ok",
        "deck_store": "ok",
    }
    assert response.headers["X-Request-ID"] == "proxy-id-1"
    assert response.headers["Cache-Control"] == "no-store"
    # Without one from the proxy, the replica makes one.
    made = requests.get(f"{server['url']}/healthz", timeout=10).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", made)


def vote(server, pitch_id: int) -> requests.Response:
    phone = requests.Session()
    page = phone.get(f"{server['url']}/vote/{server['vote_token']}", timeout=30)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    return phone.post(
        f"{server['url']}/vote/{server['vote_token']}",
        data={"pitch": str(pitch_id), "csrf": csrf},
        headers={"X-Request-ID": "vote-request-7"},
        timeout=30,
    )


def stored_counter(server, name: str) -> int:
    with session_scope(server["engine"], read_only=True) as session:
        row = session.get(ReplicaCounter, (REPLICA, name))
        return row.value if row else 0


def test_metrics_count_a_vote_and_the_replica_reports_it_to_the_database(server):
    url = f"{server['url']}/metrics"
    before = metric_values(requests.get(url, timeout=10).text)
    assert before[("pitchjudge_saves_total", "vote")] >= 0
    assert ("pitchjudge_errors_total", "refused_write") in before
    assert before[("process_resident_memory_bytes", "")] > 0
    stored_before = stored_counter(server, "vote")
    assert vote(server, server["pitches"][0]).status_code == 200
    response = requests.get(url, timeout=10)
    assert response.headers["Content-Type"].startswith("text/plain")
    after = metric_values(response.text)
    assert (
        after[("pitchjudge_saves_total", "vote")] == before[("pitchjudge_saves_total", "vote")] + 1
    )
    # The database has it within a report or two (every 5 s), under this replica's id.
    wait_for(lambda: stored_counter(server, "vote") == stored_before + 1, what="the report")
    with session_scope(server["engine"], read_only=True) as session:
        beat = session.get(ReplicaHeartbeat, REPLICA)
    assert beat.healthy and beat.problem == ""


def test_log_lines_carry_the_request_id_and_no_secret(server):
    judge_token = server["tokens"][0]
    requests.get(f"{server['url']}/?judge={judge_token}", timeout=30)
    requests.get(
        f"{server['url']}/vote/{server['vote_token']}?code=ABCD-EFGH-JK",
        headers={"X-Request-ID": "log-check-42"},
        timeout=30,
    )

    def the_line():
        return [
            line
            for line in log_lines(server["app"])
            if line.get("request_id") == "log-check-42" and line.get("event") == "http_request"
        ]

    (line,) = wait_for(the_line, what="the request's log line")
    assert line["replica"] == REPLICA and line["status"] == 200 and line["method"] == "GET"
    hashed = short_hash(server["vote_token"])
    assert line["path"] == f"/vote/{hashed}?code={short_hash('ABCD-EFGH-JK')}"
    console = server["app"].stderr_path.read_text(errors="replace")
    assert judge_token not in console
    assert server["vote_token"] not in console
    assert "ABCD-EFGH-JK" not in console


def test_a_vote_logs_its_event_under_the_posts_request_id(server):
    assert vote(server, server["pitches"][1]).status_code == 200
    events = wait_for(
        lambda: [
            line
            for line in log_lines(server["app"])
            if line.get("event") == "vote" and line.get("request_id") == "vote-request-7"
        ],
        what="the vote's event line",
    )
    assert events[-1]["pitch_id"] == server["pitches"][1]


def test_healthz_says_503_when_the_database_is_unreachable(tmp_path):
    values, port = app_settings(
        tmp_path,
        PITCHJUDGE_DATABASE_URL=(
            f"postgresql+psycopg://pitch:db-password-x@127.0.0.1:{closed_port()}/pitchjudge"
        ),
    )
    with serve(tmp_path, values, port) as app:
        started = time.monotonic()
        response = requests.get(f"{app.url}/healthz", timeout=15)
        assert time.monotonic() - started < 10
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "fail"
        assert body["database"].startswith("unreachable:")
        assert body["deck_store"] == "ok"
        assert "db-password-x" not in response.text
        # /metrics still answers: it needs no database.
        assert requests.get(f"{app.url}/metrics", timeout=10).status_code == 200
        console = app.stderr_path.read_text(errors="replace")
    assert "db-password-x" not in console


def test_healthz_says_503_when_the_deck_store_cannot_be_written(tmp_path):
    values, port = app_settings(tmp_path)
    data = Path(values["PITCHJUDGE_DATA_DIR"])
    data.mkdir(parents=True)
    (data / "decks").write_text("a file where the deck folder should be")
    with serve(tmp_path, values, port) as app:
        response = requests.get(f"{app.url}/healthz", timeout=15)
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["migrations"] == "ok"
    assert body["deck_store"].startswith("cannot write to the deck store")
