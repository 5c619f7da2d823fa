"""Multi-round: promoting the top N (or a hand-picked set) and blending rounds' results."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.errors import RoundStateError, ValidationError
from pitchjudge.models import Assignment, Pitch
from pitchjudge.scoring import AggregationRule
from pitchjudge.scoring.blend import blend, formula
from pitchjudge.services import assignments, board, contests, promotion, results, scoring
from tests.factories import make_judging


def mark_all(engine, w, round_id, judges, pitch_marks: dict[int, int]):
    """Every judge gives pitch i the mark pitch_marks[i] on every criterion, and submits."""
    for judge in judges:
        for index, value in pitch_marks.items():
            with session_scope(engine) as session:
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=round_id,
                        judge_id=judge,
                        pitch_id=w["pitches"][index],
                        criterion_id=criterion,
                        value=value,
                    )


@pytest.fixture
def two_rounds(engine, settings):
    """A pre-selection of 5 pitches, scored and closed, and a draft final."""
    w = make_judging(engine, settings, judges=3, pitches=5)
    mark_all(engine, w, w["round_id"], w["judges"], {0: 3, 1: 5, 2: 4, 3: 2, 4: 1})
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
        final = contests.create_round(session=session, contest_id=w["contest"].id, name="Finale")
    w["final_id"] = final.id
    return w


def final_names(engine, w) -> list[str]:
    with session_scope(engine, read_only=True) as session:
        final = contests.get_round(session=session, round_id=w["final_id"])
        return [p.startup_name for p in assignments.round_pitches(session=session, round_=final)]


def test_promote_the_top_three_to_the_final(engine, two_rounds):
    w = two_rounds
    with session_scope(engine) as session:
        table = results.round_leaderboard(session=session, round_id=w["round_id"])
        top = promotion.top_pitches(table, 3)
        done = promotion.promote(session=session, round_id=w["round_id"], pitch_ids=top)
    assert (done.promoted, done.target_round_name) == (3, "Finale")
    assert final_names(engine, w) == ["Startup 1", "Startup 2", "Startup 3"]
    with session_scope(engine, read_only=True) as session:
        statuses = {p.startup_name: p.status for p in session.exec(select(Pitch)).all()}
    assert statuses["Startup 2"] == "shortlisted" and statuses["Startup 4"] == "submitted"

    # Opening the final gives every judge the three finalists, decks and all.
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["final_id"], status="open")
        assigned = session.exec(
            select(Assignment.pitch_id).where(Assignment.round_id == w["final_id"])
        ).all()
    assert sorted(set(assigned)) == sorted(top) and len(assigned) == 9


def test_hand_picked_promotion_replaces_the_set_but_keeps_scored_finalists(engine, two_rounds):
    w = two_rounds
    p = w["pitches"]
    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=[p[0], p[3]])
        contests.set_round_status(session=session, round_id=w["final_id"], status="open")
    assert final_names(engine, w) == ["Startup 1", "Startup 4"]
    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=[p[0], p[3], p[4]])
    assert final_names(engine, w) == ["Startup 1", "Startup 4", "Startup 5"]
    with session_scope(engine, read_only=True) as session:
        pairs = assignments.assigned_pairs(session=session, round_id=w["final_id"])
    assert {pitch for _judge, pitch in pairs} == {p[0], p[3], p[4]}

    mark_all(engine, w, w["final_id"], w["judges"][:1], {3: 4})
    with (
        pytest.raises(RoundStateError, match="Startup 4 already have marks"),
        session_scope(engine) as session,
    ):
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=[p[0]])
    assert final_names(engine, w) == ["Startup 1", "Startup 4", "Startup 5"]


def test_promotion_rules(engine, two_rounds):
    w = two_rounds
    with session_scope(engine) as session:
        table = results.round_leaderboard(session=session, round_id=w["round_id"])
    with pytest.raises(ValidationError, match="at most 5"):
        promotion.top_pitches(table, 6)
    with pytest.raises(ValidationError, match="at least 1"):
        promotion.top_pitches(table, 0)
    with (
        pytest.raises(ValidationError, match="Only startups of this round"),
        session_scope(engine) as session,
    ):
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=[123456])
    with pytest.raises(RoundStateError, match="last round"), session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["final_id"], status="open")
        contests.set_round_status(session=session, round_id=w["final_id"], status="closed")
        promotion.promote(session=session, round_id=w["final_id"], pitch_ids=[w["pitches"][0]])
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="open")
    with pytest.raises(RoundStateError, match="Close this round"), session_scope(engine) as session:
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=[w["pitches"][0]])


def test_a_cut_inside_a_tie_is_refused():
    table = pd.DataFrame({"rank": pd.array([1, 2, 2, 4], dtype="Int64"), "pitch": [9, 8, 7, 6]})
    assert promotion.top_pitches(table, 1) == [9]
    assert promotion.top_pitches(table, 3) == [9, 8, 7]
    with pytest.raises(ValidationError, match="Places 2 and 3 are tied"):
        promotion.top_pitches(table, 2)


def test_final_blends_thirty_percent_of_the_preselection(engine, two_rounds):
    w = two_rounds
    p = w["pitches"]
    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=p[:3])
        contests.set_round_status(session=session, round_id=w["final_id"], status="open")
    # Pre-selection: Startup 2 (5) > Startup 3 (4) > Startup 1 (3). The final reverses 1 and 3.
    mark_all(engine, w, w["final_id"], w["judges"], {0: 5, 1: 4, 2: 3})
    with session_scope(engine) as session:
        promotion.set_blend(
            session=session, round_id=w["final_id"], earlier_round_id=w["round_id"], weight=0.3
        )
        table = results.round_leaderboard(session=session, round_id=w["final_id"])
        own = results.round_leaderboard(session=session, round_id=w["final_id"], blended=False)
        earlier = results.round_leaderboard(session=session, round_id=w["round_id"])
        shown = results.blend_formula(session=session, round_id=w["final_id"])
        rows = board.compute_rows(session=session, round_id=w["final_id"])
    assert shown == "30 % Final + 70 % Finale"
    totals = dict(zip(table["startup_name"], table["total"], strict=True))
    own_totals = dict(zip(own["startup_name"], own["total"], strict=True))
    earlier_totals = dict(zip(earlier["startup_name"], earlier["total"], strict=True))
    for name in ("Startup 1", "Startup 2", "Startup 3"):
        expected = round(0.3 * earlier_totals[name] + 0.7 * own_totals[name], 2)
        assert totals[name] == pytest.approx(expected)
    assert list(table["startup_name"]) == ["Startup 1", "Startup 2", "Startup 3"]
    assert list(table["rank"]) == [1, 2, 3]
    assert {"round_total", "earlier_total"} <= set(table.columns)
    # The projector shows the blended totals, in the same order.
    assert [r.startup_name for r in rows] == list(table["startup_name"])
    assert [r.total for r in rows] == pytest.approx(list(table["total"]))


def test_blend_settings_are_checked(engine, two_rounds):
    w = two_rounds
    for earlier, weight, message in (
        (w["final_id"], 0.3, "earlier round"),
        (w["round_id"], 1.0, "between 1 % and 99 %"),
        (w["round_id"], float("nan"), "between 1 % and 99 %"),
    ):
        with pytest.raises(ValidationError, match=message), session_scope(engine) as session:
            promotion.set_blend(
                session=session, round_id=w["final_id"], earlier_round_id=earlier, weight=weight
            )
    with session_scope(engine) as session:
        promotion.set_blend(
            session=session, round_id=w["final_id"], earlier_round_id=None, weight=None
        )
        assert results.blend_formula(session=session, round_id=w["final_id"]) is None


def test_blend_is_exact_ranks_by_the_final_on_equal_blends_and_flags_missing():
    current = pd.DataFrame(
        {
            "rank": pd.array([1, 2, 3], dtype="Int64"),
            "pitch": [1, 2, 3],
            "total": [8.0, 7.0, 6.0],
            "p_beats_next": [0.6, 0.7, None],
            "statistical_tie": [True, True, False],
            "flags": ["statistical_tie", "statistical_tie", ""],
        }
    )
    earlier = pd.DataFrame({"pitch": [1, 2], "total": [5.0, 7.0]})
    rule = AggregationRule(decimals=2)
    # Pitch 1: 0.5 × 5 + 0.5 × 8 = 6.5; pitch 2: 0.5 × 7 + 0.5 × 7 = 7; pitch 3: no earlier total.
    result = blend(current, earlier, 0.5, rule)
    assert list(result["pitch"]) == [2, 1, 3]
    assert list(result["total"][:2]) == [7.0, 6.5]
    assert pd.isna(result["rank"].iloc[2]) and "no_earlier_result" in result["flags"].iloc[2]
    assert not result["statistical_tie"].any()
    # Half-up on the exact decimal: 0.35 × 1.01 + 0.65 × 2.03 = 1.673 → 1.67.
    one = blend(
        current.iloc[:1].assign(total=[2.03]),
        pd.DataFrame({"pitch": [1], "total": [1.01]}),
        0.35,
        rule,
    )
    assert one["total"].iloc[0] == 1.67
    # Equal blends: the final's own total decides.
    tie = blend(
        current.iloc[:2].assign(total=[6.0, 8.0]),
        pd.DataFrame({"pitch": [1, 2], "total": [8.0, 6.0]}),
        0.5,
        rule,
    )
    assert list(tie["pitch"]) == [2, 1] and list(tie["rank"]) == [1, 2]
    assert formula(0.3, "Pré-sélection", "Finale") == "30 % Pré-sélection + 70 % Finale"


def test_deleting_the_earlier_round_ends_the_blend(engine, settings):
    w = make_judging(engine, settings, pitches=2, open_round=False)
    with session_scope(engine) as session:
        final = contests.create_round(session=session, contest_id=w["contest"].id, name="Finale")
        promotion.set_blend(
            session=session, round_id=final.id, earlier_round_id=w["round_id"], weight=0.3
        )
        contests.delete_round(session=session, round_id=w["round_id"])
    with session_scope(engine, read_only=True) as session:
        assert results.blend_formula(session=session, round_id=final.id) is None
        assert results.round_leaderboard(session=session, round_id=final.id).empty
