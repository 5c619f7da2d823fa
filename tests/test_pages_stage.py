"""The stage pages through AppTest: the organiser's Stage page, the stage screen, and the
judge's page following the startup on stage."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from html import escape

from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.models import Adjustment, Contest, Pitch, Round
from pitchjudge.services import board, stage
from tests.apptest_support import html_texts, run_page, texts
from tests.factories import make_judging

HOSTILE = "<img src=x onerror=alert(1)>**bold**"


def stage_page():
    return run_page("pages/stage.py", organiser=True)


def slots(engine, w):
    with session_scope(engine, read_only=True) as session:
        return stage.running_order(session=session, round_id=w["round_id"])


def test_stage_page_runs_the_final_from_first_pitch_to_the_end(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    at = stage_page()
    assert "Nobody on stage" in texts(at)
    assert [s.startup_name for s in slots(engine, w)] == ["Startup 1", "Startup 2"]

    at.button(key="stage_next").click().run()
    assert "Startup 1 is on stage." in texts(at)
    assert "Pitching · 1 of 2" in texts(at)
    at.button(key="stage_qa").click().run()
    assert "Q&A · 1 of 2" in texts(at)
    at.button(key="stage_next").click().run()
    assert [s.phase for s in slots(engine, w)] == ["done", "pitch"]
    at.button(key="stage_end").click().run()
    assert "Every startup has pitched." in texts(at)
    assert not at.exception


def test_stage_page_reorders_draws_and_saves_timers(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=3)
    at = stage_page()
    # The running order is edited by number (AppTest cannot type in a data editor, so the
    # editor's state is seeded as a person's edits would leave it).
    key = "stage_order_{}_{}".format(w["round_id"], "-".join(str(p) for p in w["pitches"]))
    at.session_state[key] = {
        "edited_rows": {0: {"order": 3}, 2: {"order": 1}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="stage_save_order").click().run()
    assert "The running order is saved." in texts(at)
    assert [s.startup_name for s in slots(engine, w)] == ["Startup 3", "Startup 2", "Startup 1"]
    # The saved order shows as it is, with no edit left over from before.
    # Saving again without touching anything keeps it: no edit is left over from before.
    at.button(key="stage_save_order").click().run()
    assert [s.startup_name for s in slots(engine, w)] == ["Startup 3", "Startup 2", "Startup 1"]

    at.button(key="stage_draw").click().run()
    assert "Lots drawn" in texts(at)

    at.number_input[0].set_value(3.0)
    at.number_input[1].set_value(2.0)
    at.number_input[2].set_value(0.5)
    at.toggle[0].set_value(True)
    at.toggle(key="stage_announce").set_value(True)
    at.date_input(key="stage_start_day").set_value(date(2027, 6, 12))
    at.time_input(key="stage_start_time").set_value(time(19, 30))
    at.button(key="FormSubmitter:stage_timing-Save").click().run()
    assert "Timers and rules saved." in texts(at)
    with session_scope(engine, read_only=True) as session:
        timing = stage.timing(session=session, contest_id=w["contest"].id)
        round_ = session.get(Round, w["round_id"])
        contest = session.get(Contest, w["contest"].id)
    assert timing == stage.Timing(180, 120, 0.5)
    assert round_.scoring_after_qa
    # Announced in the contest's timezone (Paris, summer time: UTC+2).
    assert contest.stage_starts_at == datetime(2027, 6, 12, 17, 30, tzinfo=UTC)
    assert at.time_input(key="stage_start_time").value == time(19, 30)

    at.toggle(key="stage_announce").set_value(False)
    at.button(key="FormSubmitter:stage_timing-Save").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Contest, w["contest"].id).stage_starts_at is None


def test_stage_page_proposes_an_overtime_penalty_to_confirm(app_env):
    from datetime import timedelta

    from pitchjudge.models import utcnow

    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    with session_scope(engine) as session:
        stage.set_timing(
            session=session, contest_id=w["contest"].id, settings=stage.Timing(60, 60, 2.0)
        )
        stage.ensure_running_order(session=session, round_id=w["round_id"])
        stage.start_next(
            session=session, round_id=w["round_id"], now=utcnow() - timedelta(seconds=90)
        )
        stage.start_qa(session=session, round_id=w["round_id"])
    at = stage_page()
    assert "proposed penalty" in texts(at)
    at.button(key=f"penalty_apply_{w['pitches'][0]}").click().run()
    assert "Penalty applied" in texts(at)
    with session_scope(engine, read_only=True) as session:
        penalty = session.exec(select(Adjustment)).one()
    # 90 s for a 60 s pitch: one started minute over, at 2 points a minute.
    assert penalty.pitch_id == w["pitches"][0] and penalty.points == -2.0
    assert "proposed penalty" not in texts(at)


def test_stage_page_explains_a_round_that_is_not_open(app_env):
    engine, settings = app_env
    make_judging(engine, settings, pitches=2, open_round=False)
    at = stage_page()
    assert "Open this round" in texts(at)
    assert at.button(key="stage_next").disabled


def test_stage_screen_shows_who_is_on_stage_as_plain_text(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=3)
    with session_scope(engine) as session:
        session.get(Pitch, w["pitches"][0]).startup_name = HOSTILE
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    at = run_page(params={"display": token, "screen": "stage"})
    shown = html_texts(at)
    assert "The stage opens soon." in shown and "Prix" in shown
    with session_scope(engine) as session:
        stage.ensure_running_order(session=session, round_id=w["round_id"])
        stage.set_start_time(
            session=session, contest_id=w["contest"].id, day=date.today(), at=time(19, 0)
        )
    at.run()
    shown = html_texts(at)
    # Idle: the contest, its announced start, the running order to come.
    assert "The live final starts at 7:00" in shown
    assert "Running order" in shown and "2.</span>Startup 2" in shown
    with session_scope(engine) as session:
        stage.start_next(session=session, round_id=w["round_id"])
    at.run()
    shown = html_texts(at)
    assert escape(HOSTILE) in shown and HOSTILE not in shown  # escaped, never HTML
    assert "Startup 1 of 3" in shown
    assert "Next up: <strong>Startup 2</strong>" in shown
    with session_scope(engine) as session:
        stage.end_on_stage(session=session, round_id=w["round_id"])
    at.run()
    shown = html_texts(at)
    assert "Between pitches · Next up" in shown and ">Startup 2</h1>" in shown
    forged = run_page(params={"display": "x" * 43, "screen": "stage"})
    assert "not valid" in texts(forged)


def test_judge_page_opens_the_pitch_on_stage_and_waits_for_the_qa_to_end(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=2)
    with session_scope(engine) as session:
        stage.ensure_running_order(session=session, round_id=w["round_id"])
        stage.set_scoring_after_qa(session=session, round_id=w["round_id"], enabled=True)
        stage.start_pitch(session=session, round_id=w["round_id"], pitch_id=w["pitches"][1])
    at = run_page(params={"judge": w["tokens"][0]})
    assert at.query_params["pitch"] in (str(w["pitches"][1]), [str(w["pitches"][1])])
    shown = texts(at)
    assert "Now pitching: **Startup 2**" in shown
    assert "Scoring opens when the Q&A ends" in shown
    assert at.button(key="judge_submit").disabled

    # The judge goes back to the list: no jump while the same startup is on stage.
    at.button(key="judge_back").click().run()
    assert "pitch" not in at.query_params
    with session_scope(engine) as session:
        stage.end_on_stage(session=session, round_id=w["round_id"])
    at.button(key="judge_open_" + str(w["pitches"][1])).click().run()
    assert "Scoring opens when the Q&A ends" not in texts(at)
    assert not at.button(key="judge_submit").disabled


def test_stage_page_puts_a_startup_on_stage_out_of_order(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=3)
    at = stage_page()
    at.selectbox(key="stage_pick").set_value(w["pitches"][2]).run()
    at.button(key="stage_pick_go").click().run()
    assert "Startup 3 is on stage." in texts(at)
    assert [s.phase for s in slots(engine, w)] == ["waiting", "waiting", "pitch"]
    # After its Q&A, "next" goes back to the running order's first startup still waiting.
    at.button(key="stage_qa").click().run()
    assert at.button(key="stage_next").label == "Next on stage: Startup 1"


def test_judge_page_shows_no_stage_bar_before_the_stage_starts(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=2)
    with session_scope(engine) as session:  # the organiser only opened the Stage page
        stage.ensure_running_order(session=session, round_id=w["round_id"])
    at = run_page(params={"judge": w["tokens"][0]})
    assert "Between pitches" not in texts(at) and "Now pitching" not in texts(at)
    assert "pitch" not in at.query_params  # and no jump
    with session_scope(engine) as session:
        stage.start_next(session=session, round_id=w["round_id"])
    at.run()
    assert "Now pitching: **Startup 1**" in texts(at)
