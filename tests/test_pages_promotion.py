"""The Rounds page through AppTest: promoting to the next round and blending rounds."""

from __future__ import annotations

from pitchjudge.db import session_scope
from pitchjudge.services import assignments, board, contests, promotion, results, scoring
from tests.apptest_support import run_page, texts
from tests.factories import make_judging


def scored_preselection(engine, settings):
    """A closed pre-selection where Startup k got mark k on every criterion, and a final."""
    w = make_judging(engine, settings, judges=3, pitches=4)
    with session_scope(engine) as session:
        for judge in w["judges"]:
            for index, pitch in enumerate(w["pitches"]):
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=index + 1,
                    )
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
        w["final_id"] = contests.create_round(
            session=session, contest_id=w["contest"].id, name="Grande finale"
        ).id
    return w


def finalists(engine, w) -> list[str]:
    with session_scope(engine, read_only=True) as session:
        final = contests.get_round(session=session, round_id=w["final_id"])
        return [p.startup_name for p in assignments.round_pitches(session=session, round_=final)]


def test_rounds_page_promotes_the_top_two_then_a_hand_picked_set(app_env):
    engine, settings = app_env
    w = scored_preselection(engine, settings)
    at = run_page("pages/rounds.py", organiser=True)
    at.number_input(key=f"promote_count_{w['round_id']}").set_value(2)
    at.button(key=f"promote_top_{w['round_id']}").click().run()
    # A dialog says what will happen; nothing happened yet.
    assert finalists(engine, w) == []
    assert "2 startups will be in Grande finale." in texts(at)
    assert "2 enter: Startup 3, Startup 4" in texts(at)
    at.button(key=f"promote_top_{w['round_id']}__confirm").click().run()
    assert "2 startups promoted to Grande finale." in texts(at)
    assert finalists(engine, w) == ["Startup 3", "Startup 4"]
    assert "In Grande finale now: Startup 4, Startup 3" in texts(at)

    # The pick-by-hand box shows the new finalists at once (not the old selection).
    (box,) = [m for m in at.multiselect if m.key.startswith(f"promote_pick_{w['round_id']}")]
    assert sorted(box.value) == sorted(w["pitches"][2:])
    picked = at.button(key=f"promote_picked_{w['round_id']}")
    assert picked.label == "Promote these 2" and picked.disabled  # nothing to change

    box.set_value([w["pitches"][0]]).run()
    at.button(key=f"promote_picked_{w['round_id']}").click().run()
    assert "This replaces the 2 startups in Grande finale now." in texts(at)
    assert "2 leave: Startup 3, Startup 4" in texts(at)
    assert "1 enters: Startup 1" in texts(at)
    at.button(key=f"promote_picked_{w['round_id']}__confirm").click().run()
    assert finalists(engine, w) == ["Startup 1"]

    # Undo puts the previous finalists back.
    at.button(key="rounds_undo_button").click().run()
    assert finalists(engine, w) == ["Startup 3", "Startup 4"]
    assert not at.exception


def test_rounds_page_asks_before_closing_a_round_with_missing_scorecards(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=3, pitches=4)  # 12 scorecards, none submitted
    at = run_page("pages/rounds.py", organiser=True)
    at.button(key=f"round_closed_{w['round_id']}").click().run()
    assert "12 scorecards are not submitted; 3 judges have not finished." in texts(at)
    at.button(key=f"round_closed_{w['round_id']}__cancel").click().run()
    with session_scope(engine, read_only=True) as session:
        assert contests.get_round(session=session, round_id=w["round_id"]).status == "open"
    assert "scorecards are not submitted" not in texts(at)  # the dialog is gone
    at.button(key=f"round_closed_{w['round_id']}").click().run()
    at.button(key=f"round_closed_{w['round_id']}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert contests.get_round(session=session, round_id=w["round_id"]).status == "closed"
    at.button(key="rounds_undo_button").click().run()
    with session_scope(engine, read_only=True) as session:
        assert contests.get_round(session=session, round_id=w["round_id"]).status == "open"
    assert not at.exception


def test_rounds_page_refuses_a_promotion_from_an_open_round(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=2)
    with session_scope(engine) as session:
        contests.create_round(session=session, contest_id=w["contest"].id, name="Grande finale")
    at = run_page("pages/rounds.py", organiser=True)
    assert "Close this round to promote" in texts(at)


def test_rounds_page_saves_a_blend_shown_as_a_formula(app_env):
    engine, settings = app_env
    w = scored_preselection(engine, settings)
    at = run_page("pages/rounds.py", organiser=True)
    assert "Results of this round count alone." in texts(at)
    at.selectbox[0].set_value(w["round_id"])
    at.slider[0].set_value(40)
    at.button(key=f"FormSubmitter:blend_{w['final_id']}-Save the blend").click().run()
    assert "The blend is saved." in texts(at)
    assert "Results of this round: 40 % Final \\+ 60 % Grande finale" in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert results.blend_formula(session=session, round_id=w["final_id"]).startswith("40 %")


def test_projector_shows_the_blend_formula(app_env):
    engine, settings = app_env
    w = scored_preselection(engine, settings)
    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=w["pitches"][2:])
        contests.set_round_status(session=session, round_id=w["final_id"], status="open")
        promotion.set_blend(
            session=session, round_id=w["final_id"], earlier_round_id=w["round_id"], weight=0.3
        )
        board.set_board(session=session, round_id=w["final_id"], state="live")
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    at = run_page(params={"display": token})
    assert "Total: 30 % Final + 70 % Grande finale" in texts(at)


def test_results_page_shows_the_blend_and_both_totals(app_env):
    engine, settings = app_env
    w = scored_preselection(engine, settings)
    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=w["pitches"][2:])
        contests.set_round_status(session=session, round_id=w["final_id"], status="open")
        promotion.set_blend(
            session=session, round_id=w["final_id"], earlier_round_id=w["round_id"], weight=0.3
        )
        for judge in w["judges"]:
            for pitch in w["pitches"][2:]:
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["final_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=3,
                    )
    at = run_page("pages/results.py", organiser=True)
    at.selectbox(key="results_round").set_value("Grande finale").run()
    assert "Total = 30 % Final \\+ 70 % Grande finale" in texts(at)
    columns = list(at.dataframe[0].value.columns)
    assert {"This round", "Earlier round", "Total"} <= set(columns)
