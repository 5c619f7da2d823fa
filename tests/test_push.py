"""The push channel (`pitchjudge.push`): what it streams, to whom, and across replicas.

The route is served by real uvicorn servers (two "replicas", each with its own hub and
engine, on one database file) and read as a browser's EventSource would, line by line.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import time as clock
from datetime import timedelta

import pytest
import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette

from pitchjudge import push
from pitchjudge.db import make_engine, session_scope
from pitchjudge.errors import CONNECTION_LOST, DatabaseOutage
from pitchjudge.models import Contest, utcnow
from pitchjudge.services import board, judges, scoring, stage
from tests.factories import make_judging

WAIT_S = 30.0  # generous: a state that comes costs nothing more (busy machines)


def _token(engine: Engine, settings, contest_id: int) -> str:
    with session_scope(engine) as session:
        return board.display_token(session=session, settings=settings, contest_id=contest_id)


def _mark(engine: Engine, w: dict, value: float, judge: int = 0, pitch: int = 0) -> None:
    with session_scope(engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][judge],
            pitch_id=w["pitches"][pitch],
            criterion_id=w["criteria"][0],
            value=value,
        )


def _signature(engine: Engine, contest_id: int) -> dict[str, str]:
    with session_scope(engine, read_only=True) as session:
        return push.signature(session=session, contest_id=contest_id)


# --- what the digests follow --------------------------------------------------------------


def test_the_board_digest_moves_with_a_mark_and_the_stage_digest_with_the_stage(
    engine: Engine, settings
) -> None:
    w = make_judging(engine, settings, judges=1, pitches=3)
    cid, rid = w["contest"].id, w["round_id"]
    with session_scope(engine) as session:
        board.set_board(session=session, round_id=rid, state="live")
    first = _signature(engine, cid)
    assert first == _signature(engine, cid)  # equal in every read, hence in every process

    _mark(engine, w, 4)
    after_mark = _signature(engine, cid)
    assert after_mark["board"] != first["board"]
    assert after_mark["stage"] == first["stage"]

    previous = after_mark["stage"]
    steps = [
        lambda s: stage.ensure_running_order(session=s, round_id=rid),
        lambda s: stage.start_next(session=s, round_id=rid),
        lambda s: stage.start_qa(session=s, round_id=rid),
        lambda s: stage.end_on_stage(session=s, round_id=rid),
        lambda s: stage.reset_slot(session=s, round_id=rid, pitch_id=w["pitches"][0]),
        lambda s: stage.set_running_order(
            session=s, round_id=rid, pitch_ids=list(reversed(w["pitches"]))
        ),
        lambda s: stage.set_timing(session=s, contest_id=cid, settings=stage.Timing(120, 60, 0.0)),
        lambda s: stage.set_start_time(
            session=s, contest_id=cid, day=utcnow().date(), at=clock(19, 0)
        ),
    ]
    for number, step in enumerate(steps):
        with session_scope(engine) as session:
            step(session)
        digest = _signature(engine, cid)["stage"]
        assert digest != previous, f"the stage digest did not move after step {number}"
        previous = digest


def test_the_start_time_is_stored_in_utc_from_the_contests_timezone(engine, settings) -> None:
    w = make_judging(engine, settings, judges=1, pitches=1)
    cid = w["contest"].id
    with session_scope(engine) as session:
        session.get(Contest, cid).timezone = "Europe/Paris"
    with session_scope(engine) as session:
        stored = stage.set_start_time(
            session=session,
            contest_id=cid,
            day=utcnow().date().replace(month=1, day=15),
            at=clock(19, 0),
        )
    assert stored.hour == 18 and stored.utcoffset() == timedelta(0)  # 19:00 in Paris, winter
    with session_scope(engine, read_only=True) as session:
        contest = session.get(Contest, cid)
        assert stage.start_time_local(contest)[1] == clock(19, 0)
    with session_scope(engine) as session:
        assert stage.set_start_time(session=session, contest_id=cid, day=None, at=None) is None


def test_links_open_their_topics_and_a_revoked_link_opens_nothing(engine, settings) -> None:
    w = make_judging(engine, settings, judges=2, pitches=1)
    cid = w["contest"].id
    display = _token(engine, settings, cid)
    with session_scope(engine) as session:
        screen = push.authorise(session=session, display=display, judge=None)
        judge = push.authorise(session=session, display=None, judge=w["tokens"][0])
        assert screen == push.Listener(cid, ("board", "stage"), display=display)
        assert judge == push.Listener(cid, ("stage",), judge=w["tokens"][0])
        assert push.authorise(session=session, display="x" * 43, judge=None) is None
        assert push.authorise(session=session, display=None, judge=None) is None
        board.reissue_display_token(session=session, settings=settings, contest_id=cid)
        judges.revoke_link(session=session, judge_id=w["judges"][0])
    with session_scope(engine) as session:
        assert not push.still_allowed(session=session, listener=screen)
        assert not push.still_allowed(session=session, listener=judge)
        assert push.authorise(session=session, display=display, judge=None) is None
        other = push.authorise(session=session, display=None, judge=w["tokens"][1])
        assert other is not None and push.still_allowed(session=session, listener=other)


# --- the route, served ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def replica(database_url: str, **hub_options) -> Iterator[tuple[int, push.Hub]]:
    """One app process's push route (its own engine and hub) on a free port."""
    engine = make_engine(database_url)
    hub = push.Hub(lambda: engine, **hub_options)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=[push.route(hub)]), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        assert time.monotonic() < deadline, "the push server did not start"
        time.sleep(0.02)
    try:
        yield port, hub
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_S)
        engine.dispose()


class Events:
    """A stream read as an EventSource reads it: (event name, data) one at a time."""

    def __init__(self, port: int, query: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT_S)
        self.connection.request("GET", f"{push.PATH}?{query}")
        self.response = self.connection.getresponse()

    def next(self) -> tuple[str, dict]:
        name, data = "message", None
        while True:
            line = self.response.fp.readline().decode()
            if not line:
                raise EOFError("the stream ended")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data = json.loads(line[len("data: ") :])
            elif line == "" and data is not None:
                return name, data

    def next_change(self) -> dict:
        while True:
            name, data = self.next()
            if name != "ping":
                assert name == "change", name
                return data

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def served(sqlite_engine: Engine, settings) -> dict:
    w = make_judging(sqlite_engine, settings, judges=2, pitches=2)
    with session_scope(sqlite_engine) as session:
        board.set_board(session=session, round_id=w["round_id"], state="live")
        stage.ensure_running_order(session=session, round_id=w["round_id"])
    w["engine"] = sqlite_engine
    w["url"] = sqlite_engine.url.render_as_string(hide_password=False)
    w["display"] = _token(sqlite_engine, settings, w["contest"].id)
    return w


def test_a_mark_saved_through_one_replica_reaches_screens_on_both(served: dict) -> None:
    w = served
    with replica(w["url"]) as (port_a, hub_a), replica(w["url"]) as (port_b, hub_b):
        on_a = Events(port_a, f"display={w['display']}")
        on_b = Events(port_b, f"display={w['display']}")
        second_a = Events(port_a, f"display={w['display']}")
        assert on_a.response.status == 200
        assert on_a.response.getheader("content-type").startswith("text/event-stream")
        first = on_a.next_change()
        assert first == on_b.next_change() == second_a.next_change()
        assert set(first) == {"board", "stage"}
        # One shared loop per contest per process, however many screens listen.
        assert hub_a.watching() == {w["contest"].id: 2}
        assert hub_b.watching() == {w["contest"].id: 1}

        _mark(w["engine"], w, 5)  # a judge's click, committed by any process
        changed_a, changed_b = on_a.next_change(), on_b.next_change()
        assert changed_a == changed_b
        assert changed_a["board"] != first["board"]
        assert changed_a["stage"] == first["stage"]
        assert changed_a == _signature(w["engine"], w["contest"].id)
        for stream in (on_a, on_b, second_a):
            stream.close()
        deadline = time.monotonic() + WAIT_S
        while hub_a.watching() or hub_b.watching():  # the last listener gone, the loop stops
            assert time.monotonic() < deadline, (hub_a.watching(), hub_b.watching())
            time.sleep(0.05)


def test_a_judge_link_follows_the_stage_only(served: dict) -> None:
    w = served
    with replica(w["url"]) as (port, _hub):
        judge = Events(port, f"judge={w['tokens'][0]}")
        first = judge.next_change()
        assert set(first) == {"stage"}
        _mark(w["engine"], w, 2)  # the board moves: nothing for the judge's stage bar
        with session_scope(w["engine"]) as session:
            stage.start_next(session=session, round_id=w["round_id"])
        changed = judge.next_change()
        assert changed["stage"] != first["stage"]
        judge.close()


def test_forged_or_revoked_links_get_no_events(served: dict, settings) -> None:
    w = served
    with replica(w["url"], recheck_s=0.2, heartbeat_s=0.2) as (port, _hub):
        forged = Events(port, "display=" + "x" * 43)
        assert forged.response.status == 403
        assert Events(port, "").response.status == 403
        screen = Events(port, f"display={w['display']}")
        judge = Events(port, f"judge={w['tokens'][0]}")
        screen.next_change(), judge.next_change()

        with session_scope(w["engine"]) as session:
            board.reissue_display_token(
                session=session, settings=settings, contest_id=w["contest"].id
            )
            judges.revoke_link(session=session, judge_id=w["judges"][0])
        # The next event is the last: "revoked", then the stream ends.
        for stream in (screen, judge):
            name, _data = stream.next()
            while name == "ping":
                name, _data = stream.next()
            assert name == "revoked"
            with pytest.raises(EOFError):
                stream.next()
        again = Events(port, f"display={w['display']}")
        assert again.response.status == 403


def test_screens_hear_away_while_the_database_cannot_be_read_then_pings_again(
    served: dict,
) -> None:
    w = served
    with replica(w["url"], poll_s=0.1, heartbeat_s=0.3) as (port, hub):
        screen = Events(port, f"display={w['display']}")
        screen.next_change()
        read = hub.read

        def away(**_kwargs):
            raise DatabaseOutage(CONNECTION_LOST)

        hub.read = away  # the database restarts: the shared loop cannot read it
        name, _data = screen.next()
        while name == "ping":  # one already on its way
            name, _data = screen.next()
        assert name == "away"  # not a heartbeat: the screen must poll, and say it reconnects
        assert screen.next()[0] == "away"  # and again instead of every heartbeat
        hub.read = read  # back
        name, _data = screen.next()
        while name == "away":
            name, _data = screen.next()
        assert name == "ping"  # nothing changed meanwhile: heartbeats again, no redraw
        _mark(w["engine"], w, 4)
        assert screen.next_change()["board"] == _signature(w["engine"], w["contest"].id)["board"]
        screen.close()
