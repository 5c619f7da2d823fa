"""The stage: running order, "now pitching", timers, overtime penalty, scoring after the Q&A."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.errors import RoundStateError, ValidationError
from pitchjudge.models import Adjustment, utcnow
from pitchjudge.services import contests, results, scoring, stage
from tests.factories import make_judging

T0 = utcnow().replace(microsecond=0)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def order_names(engine, w) -> list[str]:
    with session_scope(engine, read_only=True) as session:
        return [
            s.startup_name for s in stage.running_order(session=session, round_id=w["round_id"])
        ]


def call(engine, function, w, **kwargs):
    with session_scope(engine) as session:
        return function(session=session, round_id=w["round_id"], **kwargs)


def test_running_order_set_by_number_and_drawn_by_lot(engine, settings):
    w = make_judging(engine, settings, pitches=4)
    p = w["pitches"]
    call(engine, stage.ensure_running_order, w)
    assert order_names(engine, w) == ["Startup 1", "Startup 2", "Startup 3", "Startup 4"]
    call(engine, stage.set_running_order, w, pitch_ids=[p[2], p[0], p[3], p[1]])
    assert order_names(engine, w) == ["Startup 3", "Startup 1", "Startup 4", "Startup 2"]
    with pytest.raises(ValidationError, match="twice"):
        call(engine, stage.set_running_order, w, pitch_ids=[p[0], p[0]])
    with pytest.raises(ValidationError, match="round's startups"):
        call(engine, stage.set_running_order, w, pitch_ids=[p[0], 999_999])
    call(engine, stage.draw_running_order, w, seed=3)
    assert sorted(order_names(engine, w)) == ["Startup 1", "Startup 2", "Startup 3", "Startup 4"]


def test_pitch_then_qa_then_next_with_times_from_the_database(engine, settings):
    w = make_judging(engine, settings, pitches=3)
    call(engine, stage.ensure_running_order, w)
    contest_id = w["contest"].id
    with session_scope(engine, read_only=True) as session:
        waiting = stage.stage_now(session=session, contest_id=contest_id, now=at(0))
    assert waiting.phase == stage.WAITING and waiting.next_startup == "Startup 1"

    call(engine, stage.start_next, w, now=at(0))
    with session_scope(engine, read_only=True) as session:
        now = stage.stage_now(session=session, contest_id=contest_id, now=at(42))
    assert (now.startup_name, now.phase, now.limit_seconds) == ("Startup 1", "pitch", 300)
    assert now.started_at == at(0) and now.next_startup == "Startup 2"

    call(engine, stage.start_qa, w, now=at(290))
    with session_scope(engine, read_only=True) as session:
        now = stage.stage_now(session=session, contest_id=contest_id, now=at(300))
    assert (now.phase, now.started_at) == ("qa", at(290))

    # "Next" ends the Q&A of whoever is on stage.
    call(engine, stage.start_next, w, now=at(600))
    with session_scope(engine, read_only=True) as session:
        slots = stage.running_order(session=session, round_id=w["round_id"], now=at(700))
    assert [s.phase for s in slots] == ["done", "pitch", "waiting"]
    assert slots[0].ended_at == at(600) and slots[0].overtime_seconds == 0
    with pytest.raises(RoundStateError, match="already pitched"):
        call(engine, stage.start_pitch, w, pitch_id=w["pitches"][0], now=at(800))


def test_overtime_proposes_a_penalty_the_organiser_confirms(engine, settings):
    w = make_judging(engine, settings, pitches=2)
    with session_scope(engine) as session:
        stage.set_timing(
            session=session,
            contest_id=w["contest"].id,
            settings=stage.Timing(pitch_seconds=180, qa_seconds=120, overtime_penalty=0.5),
        )
    call(engine, stage.ensure_running_order, w)
    call(engine, stage.start_next, w, now=at(0))
    with session_scope(engine, read_only=True) as session:
        running = stage.running_order(session=session, round_id=w["round_id"], now=at(200))[0]
    assert running.overtime_seconds == 20  # visible while the pitch runs
    with pytest.raises(RoundStateError, match="still running"):
        call(engine, stage.decide_penalty, w, pitch_id=w["pitches"][0], apply=True, now=at(200))
    call(engine, stage.start_qa, w, now=at(245))  # 65 s over: two started minutes
    with session_scope(engine, read_only=True) as session:
        slot = stage.running_order(session=session, round_id=w["round_id"], now=at(400))[0]
    assert slot.overtime_seconds == 65 and slot.penalty_points == 1.0

    for j in range(3):
        for c in w["criteria"]:
            with session_scope(engine) as session:
                scoring.save_mark(
                    session=session,
                    round_id=w["round_id"],
                    judge_id=w["judges"][j],
                    pitch_id=w["pitches"][0],
                    criterion_id=c,
                    value=4,
                )
    with session_scope(engine, read_only=True) as session:
        before = results.round_leaderboard(session=session, round_id=w["round_id"])
    call(engine, stage.decide_penalty, w, pitch_id=w["pitches"][0], apply=True, now=at(400))
    with session_scope(engine, read_only=True) as session:
        after = results.round_leaderboard(session=session, round_id=w["round_id"])
        penalty = session.exec(select(Adjustment)).one()
    assert penalty.points == -1.0 and penalty.name == stage.PENALTY_NAME
    assert float(after["total"].iloc[0]) == pytest.approx(float(before["total"].iloc[0]) - 1.0)
    with pytest.raises(RoundStateError, match="already been decided"):
        call(engine, stage.decide_penalty, w, pitch_id=w["pitches"][0], apply=False)


def test_no_penalty_without_overtime_or_when_the_contest_has_none(engine, settings):
    assert stage.proposed_penalty(0.4, 1.0) == 0
    assert stage.proposed_penalty(61, 1.0) == 2
    assert stage.proposed_penalty(600, 0.0) == 0
    w = make_judging(engine, settings, pitches=1)
    call(engine, stage.ensure_running_order, w)
    call(engine, stage.start_next, w, now=at(0))
    call(engine, stage.end_on_stage, w, now=at(100))
    with pytest.raises(ValidationError, match="not over time"):
        call(engine, stage.decide_penalty, w, pitch_id=w["pitches"][0], apply=True)


@pytest.mark.parametrize(
    "values",
    [(0, 300, 0), (300, -1, 0), (300, 300, -1), (300, 300, float("nan")), (7200, 300, 0)],
)
def test_timing_settings_are_checked(engine, settings, values):
    w = make_judging(engine, settings, pitches=1)
    with pytest.raises(ValidationError), session_scope(engine) as session:
        stage.set_timing(
            session=session, contest_id=w["contest"].id, settings=stage.Timing(*values)
        )


def test_scoring_opens_when_the_qa_ends_if_the_round_says_so(engine, settings):
    w = make_judging(engine, settings, pitches=2)
    call(engine, stage.ensure_running_order, w)
    call(engine, stage.set_scoring_after_qa, w, enabled=True)
    first = w["pitches"][0]

    def mark(value):
        with session_scope(engine) as session:
            return scoring.save_mark(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][0],
                pitch_id=first,
                criterion_id=w["criteria"][0],
                value=value,
            )

    with pytest.raises(RoundStateError, match="Q&A ends"):
        mark(4)
    call(engine, stage.start_next, w)
    call(engine, stage.start_qa, w)
    with pytest.raises(RoundStateError, match="Q&A ends"):
        mark(4)
    # Notes for the jury can be taken while the startup is on stage.
    with session_scope(engine) as session:
        scoring.save_text(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=first,
            field="private_note",
            value="Strong team",
        )
    call(engine, stage.end_on_stage, w)
    assert mark(4).value == 4
    call(engine, stage.set_scoring_after_qa, w, enabled=False)
    with session_scope(engine) as session:
        assert scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][1],
            criterion_id=w["criteria"][0],
            value=5,
        )


def test_stage_needs_an_open_round_and_keeps_pitched_startups(engine, settings):
    w = make_judging(engine, settings, pitches=2)
    call(engine, stage.ensure_running_order, w)
    call(engine, stage.start_next, w)
    with pytest.raises(ValidationError, match="already been on stage"):
        call(engine, stage.set_running_order, w, pitch_ids=[w["pitches"][1]])
    call(engine, stage.reset_slot, w, pitch_id=w["pitches"][0])
    call(engine, stage.set_running_order, w, pitch_ids=[w["pitches"][1]])
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    with pytest.raises(RoundStateError, match="Open the round"):
        call(engine, stage.start_next, w)
    with session_scope(engine, read_only=True) as session:
        assert stage.stage_now(session=session, contest_id=w["contest"].id) is None
