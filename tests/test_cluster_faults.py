"""PostgreSQL restarted under the cluster: two replicas behind HAProxy, a judge and a projector
in Chromium, both through the proxy.

Issue #14 ("faults survived"), the same fault as tests/test_browser_faults.py but on the
deployment the README recommends for a big final. While the database is away, /healthz fails
on both replicas, so HAProxy marks them down and serves the room from its fallback backend
(the processes still answer). The judge's open page keeps its WebSocket to its replica and
says "Connection lost — retrying…"; the projector keeps its board with "Reconnecting…".
Once the database is back, the marks clicked meanwhile are in the database, the projector
shows them, both replicas are up in HAProxy again, and neither replica was restarted.

The database is a private PostgreSQL server (tests/pg_support.py): the shared one is never
restarted. The times are printed (the README quotes them), not asserted. Screenshots land in
/tmp/pj_cluster_pg_*.png.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from pitchjudge.cluster import free_port
from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest
from pitchjudge.services import board, rubric
from pitchjudge.services.judges import judge_link
from tests.browser_support import LAPTOP_13, LONG_MS, SHORT_MS, _require_chromium
from tests.factories import make_judging
from tests.pg_support import PrivatePostgres, private_postgres
from tests.test_browser import wait_for_app
from tests.test_browser_faults import WATCH_EXCEPTIONS, board_total, mark_button, stored
from tests.test_cluster import (
    Launched,
    _alive,
    _launch,
    _require_haproxy,
    _states,
    _stop,
    _wait_for_states,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SECRET_KEY = "cluster-faults-secret-key-0123456789abcdef"
BEFORE = (4, 3, 5, 2, 4, 1)  # the six criteria of the classic rubric, before the outage
DURING = (1, 5, 1, 5, 1, 5)  # clicked while the database is away
RETRYING = "Connection lost — retrying…"


@dataclass
class Deployed:
    cluster: Launched
    pg: PrivatePostgres
    contest_id: int
    round_id: int
    judge_id: int
    token: str
    pitch_id: int
    names: list[str]
    display: str

    def engine(self) -> Engine:
        return make_engine(self.pg.url)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    _require_haproxy()
    _require_chromium()
    with private_postgres() as pg:
        root = tmp_path_factory.mktemp("cluster_pg")
        port = free_port()
        values = {
            "PITCHJUDGE_DATABASE_URL": pg.url,
            "PITCHJUDGE_DATA_DIR": str(root / "data"),
            "PITCHJUDGE_ADMIN_PASSWORD": "organiser-secret",
            "PITCHJUDGE_LANGUAGE": "en",
            "PITCHJUDGE_SECRET_KEY": SECRET_KEY,
            "PITCHJUDGE_BASE_URL": f"http://127.0.0.1:{port}",
            "PITCHJUDGE_REFRESH_S": "1",
        }
        settings = load_settings(values, env_file=None)
        engine = make_engine(settings.database_url)
        migrate(engine)
        seeded = make_judging(engine, settings, judges=1, pitches=2)
        contest_id = seeded["contest"].id
        with session_scope(engine) as session:
            session.get(Contest, contest_id).language = "en"
            board.set_board(session=session, round_id=seeded["round_id"], state="live")
            token = board.display_token(session=session, settings=settings, contest_id=contest_id)
            names = [c.name for c in rubric.list_criteria(session=session, contest_id=contest_id)]
        engine.dispose()
        assert len(names) == len(BEFORE)
        launched = _launch(values, port, root / "run")
        try:
            yield Deployed(
                cluster=launched,
                pg=pg,
                contest_id=contest_id,
                round_id=seeded["round_id"],
                judge_id=seeded["judges"][0],
                token=seeded["tokens"][0],
                pitch_id=seeded["pitches"][0],
                names=names,
                display=board.display_link(launched.url, token),
            )
        finally:
            _stop(launched)


@pytest.fixture(autouse=True)
def _logs_on_failure(request: pytest.FixtureRequest, deployed: Deployed) -> Iterator[None]:
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        report.sections.append(("cluster logs", deployed.cluster.log_tail()))
        report.sections.append(("postgresql log", deployed.pg.log_tail()))


def test_a_postgres_restart_behind_haproxy_loses_nothing_and_restarts_no_replica(
    deployed: Deployed, browser: Browser
) -> None:
    replica_pids = {name: deployed.cluster.pids[name] for name in ("r1", "r2")}
    judge_context = browser.new_context(viewport=LAPTOP_13)
    judge_context.add_init_script(WATCH_EXCEPTIONS)
    judge = judge_context.new_page()
    room_context = browser.new_context(viewport={"width": 1280, "height": 720})
    room_context.add_init_script(WATCH_EXCEPTIONS)
    room = room_context.new_page()
    try:
        status = judge.locator(".pj-marks > .pj-status")
        row = room.locator(f'.pj-row[data-pitch="{deployed.pitch_id}"]')
        reconnecting = room.locator(".pj-reconnecting")

        # 1. Scoring through the proxy; the projector, also through it, shows the total.
        room.goto(deployed.display)
        wait_for_app(room)
        expect(room.locator(".pj-screen")).to_be_visible(timeout=LONG_MS)
        judge.goto(f"{judge_link(deployed.cluster.url, deployed.token)}&pitch={deployed.pitch_id}")
        wait_for_app(judge)
        for name, value in zip(deployed.names, BEFORE, strict=True):
            mark_button(judge, name, value).click()
        expect(status).to_have_text("Saved", timeout=SHORT_MS)
        assert list(stored(deployed).marks.values()) == list(map(float, BEFORE))
        before_total = board_total(deployed)
        expect(row.locator(".pj-total")).to_have_text(before_total, timeout=LONG_MS)
        assert _states(deployed) == {"r1": "UP", "r2": "UP"}  # type: ignore[arg-type]

        # 2. The database goes away (a fast shutdown, as a restart does).
        deployed.pg.stop()
        down = time.monotonic()
        for name, value in zip(deployed.names, DURING, strict=True):
            mark_button(judge, name, value).click()
        expect(status).to_have_text(RETRYING, timeout=SHORT_MS)
        expect(reconnecting).to_be_visible(timeout=LONG_MS)
        # /healthz fails on both replicas: HAProxy marks them down, and the open pages go on
        # (their WebSockets stay; new requests go to the fallback backend).
        _wait_for_states(deployed, "DOWN")  # type: ignore[arg-type]  (it reads .cluster only)
        all_down = time.monotonic() - down
        expect(status).to_have_text(RETRYING)
        expect(row.locator(".pj-total")).to_have_text(before_total)
        for name, value in zip(deployed.names, DURING, strict=True):
            expect(mark_button(judge, name, value)).to_have_attribute("aria-checked", "true")
        judge.screenshot(path="/tmp/pj_cluster_pg_judge_retrying.png")
        room.screenshot(path="/tmp/pj_cluster_pg_room_reconnecting.png")

        # 3. The database is back: the waiting saves land, the room catches up, HAProxy takes
        # both replicas back.
        deployed.pg.start()
        back = time.monotonic()
        expect(status).to_have_text("Saved", timeout=LONG_MS)
        saved = time.monotonic() - back
        assert list(stored(deployed).marks.values()) == list(map(float, DURING))
        after_total = board_total(deployed)
        assert after_total != before_total
        expect(row.locator(".pj-total")).to_have_text(after_total, timeout=LONG_MS)
        expect(reconnecting).to_have_count(0, timeout=LONG_MS)
        caught_up = time.monotonic() - back
        _wait_for_states(deployed, "UP")  # type: ignore[arg-type]
        all_up = time.monotonic() - back
        print(
            f"\nPostgreSQL restart behind HAProxy: both replicas DOWN {all_down:.1f} s after the "
            f"stop; after the start, marks saved in {saved:.1f} s, projector caught up in "
            f"{caught_up:.1f} s, both replicas UP in {all_up:.1f} s"
        )
        judge.screenshot(path="/tmp/pj_cluster_pg_judge_saved.png")
        room.screenshot(path="/tmp/pj_cluster_pg_room_caught_up.png")

        # No replica was restarted by the outage, and no page ever showed an exception.
        assert {name: deployed.cluster.pids[name] for name in ("r1", "r2")} == replica_pids
        assert all(_alive(pid) for pid in replica_pids.values())
        for page in (judge, room):
            assert page.evaluate("window.__pjExceptions") == 0
            expect(page.get_by_text("Something went wrong")).to_have_count(0)
    finally:
        judge_context.close()
        room_context.close()
