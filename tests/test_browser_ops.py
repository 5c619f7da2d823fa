"""A judge scoring in Chromium moves the replica's counters (/metrics, then the database),
and the save's log line carries the request id of the judge's websocket session, with no
token anywhere in the server's console."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect
from prometheus_client.parser import text_string_to_metric_families

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, ReplicaCounter
from pitchjudge.services import rubric
from pitchjudge.services.judges import judge_link
from tests.browser_support import LONG_MS, SHORT_MS, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.test_browser import wait_for_app
from tests.test_ops_http import log_lines, wait_for

pytestmark = pytest.mark.browser

REPLICA = "browser-replica-1"
SECRET_KEY = "browser-ops-secret-key-0123456789abcdef"


@pytest.fixture(scope="module")
def judging(tmp_path_factory) -> Iterator[dict]:
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_ops")
    values, port = app_settings(
        root, PITCHJUDGE_SECRET_KEY=SECRET_KEY, PITCHJUDGE_REPLICA_ID=REPLICA
    )
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=1, pitches=1)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
    with session_scope(engine, read_only=True) as session:
        w["names"] = [
            c.name for c in rubric.list_criteria(session=session, contest_id=w["contest"].id)
        ]
    with serve(root, values, port) as app:
        w.update(app=app, engine=engine)
        yield w
    engine.dispose()


def saves(url: str) -> dict[str, float]:
    text = requests.get(f"{url}/metrics", timeout=10).text
    return {
        sample.labels["kind"]: sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "pitchjudge_saves"
        for sample in family.samples
        if sample.name == "pitchjudge_saves_total"
    }


def test_a_judges_mark_is_counted_reported_and_logged_under_the_sessions_id(
    judging: dict, page: Page
) -> None:
    app = judging["app"]
    token = judging["tokens"][0]
    before = saves(app.url).get("mark", 0)
    page.goto(judge_link(app.url, token) + f"&pitch={judging['pitches'][0]}")
    wait_for_app(page)
    name = judging["names"][0]
    group = page.get_by_role("radiogroup", name=re.compile(rf"^{re.escape(name)} ·"))
    button = group.get_by_role("radio", name="4", exact=True)
    expect(button).to_be_visible(timeout=LONG_MS)
    button.click()
    expect(button).to_be_checked(timeout=SHORT_MS)

    # This replica's /metrics counts it once stored.
    wait_for(lambda: saves(app.url).get("mark", 0) == before + 1, what="the mark on /metrics")

    # The database has it, under this replica's id, after its next report (every 5 s).
    def reported() -> bool:
        with session_scope(judging["engine"], read_only=True) as session:
            row = session.get(ReplicaCounter, (REPLICA, "mark"))
            return bool(row and row.value == before + 1)

    wait_for(reported, what="the replica's report")

    # The save's line carries the request id of the websocket that opened the session.
    (saved,) = wait_for(
        lambda: [line for line in log_lines(app) if line.get("event") == "mark"],
        what="the mark's log line",
    )
    assert saved["replica"] == REPLICA
    assert saved["criterion_id"] == judging["criteria"][0]
    assert re.fullmatch(r"[0-9a-f]{16}", saved["request_id"] or "")
    page.close()  # ends the websocket session: its own line, with the same id
    (session_line,) = wait_for(
        lambda: [
            line
            for line in log_lines(app)
            if line.get("event") == "websocket" and line["request_id"] == saved["request_id"]
        ],
        what="the websocket's log line",
    )
    assert session_line["path"] == "/_stcore/stream"
    assert token not in app.stderr_path.read_text(errors="replace")
