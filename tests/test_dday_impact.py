"""Issue #9: the numbers the "are you sure?" dialogs show, and applications with no judge."""

from __future__ import annotations

import pytest

from pitchjudge.db import session_scope
from pitchjudge.errors import RoundStateError
from pitchjudge.models import Pitch
from pitchjudge.security import new_token, token_hash
from pitchjudge.services import assignments, contests, impact, judges, promotion, scoring
from tests.factories import make_judging


def _mark_all(engine, w, judge, pitch) -> None:
    with session_scope(engine) as session:
        for criterion in w["criteria"]:
            scoring.save_mark(
                session=session,
                round_id=w["round_id"],
                judge_id=judge,
                pitch_id=pitch,
                criterion_id=criterion,
                value=3,
            )


def _late_pitch(engine, w, name="Late") -> int:
    with session_scope(engine) as session:
        pitch = Pitch(
            contest_id=w["contest"].id,
            startup_name=name,
            one_liner="late",
            contact_email=f"{name.lower()}@x.example",
            token_hash=token_hash(new_token()),
        )
        session.add(pitch)
        session.flush()
        return pitch.id


def test_scoring_gap_counts_unsubmitted_scorecards_and_unfinished_judges(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=4)  # 12 scorecards
    judge = w["judges"][0]
    for pitch in w["pitches"]:
        _mark_all(engine, w, judge, pitch)
        with session_scope(engine) as session:
            scoring.submit_scorecard(
                session=session, round_id=w["round_id"], judge_id=judge, pitch_id=pitch
            )
    _mark_all(engine, w, w["judges"][1], w["pitches"][0])  # a draft: not submitted
    with session_scope(engine, read_only=True) as session:
        gap = impact.scoring_gap(session=session, round_id=w["round_id"])
    assert (gap.scorecards, gap.submitted, gap.missing) == (12, 4, 8)
    assert (gap.judges, gap.judges_unfinished) == (3, 2)
    assert gap.status == "open"


def test_link_impact_counts_a_judges_work_left_in_open_rounds(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=3)
    _mark_all(engine, w, w["judges"][0], w["pitches"][0])
    with session_scope(engine, read_only=True) as session:
        facts = impact.link_impact(session=session, judge_id=w["judges"][0])
    assert (facts.open_rounds, facts.to_score, facts.drafts) == (1, 3, 1)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    with session_scope(engine, read_only=True) as session:
        facts = impact.link_impact(session=session, judge_id=w["judges"][0])
    assert (facts.open_rounds, facts.to_score) == (0, 0)


def test_promotion_change_names_who_enters_and_who_leaves(engine, settings):
    w = make_judging(engine, settings, judges=1, pitches=4)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
        contests.create_round(session=session, contest_id=w["contest"].id, name="Grande finale")
    first, second, third, _fourth = w["pitches"]
    with session_scope(engine, read_only=True) as session:
        change = impact.promotion_change(
            session=session, round_id=w["round_id"], pitch_ids=[first, second]
        )
    assert change.before == [] and change.leaving == []
    assert change.entering == ["Startup 1", "Startup 2"]
    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=[first, second])
        change = impact.promotion_change(
            session=session, round_id=w["round_id"], pitch_ids=[second, third]
        )
    assert change.target_name == "Grande finale"
    assert change.before == ["Startup 1", "Startup 2"]
    assert (change.entering, change.leaving) == (["Startup 3"], ["Startup 1"])


def test_a_late_application_has_no_judge_until_planned_and_existing_pairs_stay(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=4, mode="k_per_pitch", k=2)
    with session_scope(engine, read_only=True) as session:
        before = assignments.assigned_pairs(session=session, round_id=w["round_id"])
    assert len(before) == 8
    late = _late_pitch(engine, w)
    with session_scope(engine, read_only=True) as session:
        missing = assignments.unjudged_pitches(session=session, round_id=w["round_id"])
    assert [p.id for p in missing] == [late]
    with session_scope(engine) as session:
        added = assignments.plan_unjudged(session=session, round_id=w["round_id"])
    with session_scope(engine, read_only=True) as session:
        after = assignments.assigned_pairs(session=session, round_id=w["round_id"])
        assert assignments.unjudged_pitches(session=session, round_id=w["round_id"]) == []
    assert added == 2
    assert before <= after  # nothing dropped, not even pairs without marks
    assert {p for _j, p in after - before} == {late}


def test_a_pitch_whose_only_judges_are_conflicted_or_inactive_counts_as_unjudged(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=2)
    pitch = w["pitches"][0]
    with session_scope(engine) as session:
        judges.add_conflict(session=session, judge_id=w["judges"][0], pitch_id=pitch, reason="x")
        judges.set_judge_active(session=session, judge_id=w["judges"][1], active=False)
        missing = assignments.unjudged_pitches(session=session, round_id=w["round_id"])
    assert pitch in [p.id for p in missing]


def test_planning_unjudged_pitches_is_refused_once_the_round_is_closed(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=2)
    _late_pitch(engine, w)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    with pytest.raises(RoundStateError), session_scope(engine) as session:
        assignments.plan_unjudged(session=session, round_id=w["round_id"])


def test_an_incomplete_submit_names_the_missing_criteria_in_rubric_order(engine, settings):
    w = make_judging(engine, settings, judges=1, pitches=1)
    with session_scope(engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            criterion_id=w["criteria"][2],
            value=4,
        )
    with pytest.raises(scoring.IncompleteScorecard) as refused, session_scope(engine) as session:
        scoring.submit_scorecard(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
        )
    expected = tuple(c for i, c in enumerate(w["criteria"]) if i != 2)
    assert refused.value.criterion_ids == expected
    assert "Missing:" in str(refused.value)


def test_replan_change_counts_what_the_planner_would_do_and_writes_nothing(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=4)
    _mark_all(engine, w, w["judges"][0], w["pitches"][0])
    with session_scope(engine, read_only=True) as session:
        before = assignments.assigned_pairs(session=session, round_id=w["round_id"])
        change = impact.replan_change(
            session=session,
            round_id=w["round_id"],
            assignment_mode="k_per_pitch",
            judges_per_pitch=2,
        )
        same = impact.replan_change(
            session=session, round_id=w["round_id"], assignment_mode="all", judges_per_pitch=None
        )
    assert (change.current, change.planned, change.added) == (12, 8, 0)
    assert change.removed == 4 and change.kept_with_work == 1
    assert (same.added, same.removed, same.planned) == (0, 0, 12)  # everyone already has all
    with session_scope(engine) as session:
        round_ = contests.get_round(session=session, round_id=w["round_id"])
        assert round_.assignment_mode == "all"  # the what-if changed nothing
        assert assignments.assigned_pairs(session=session, round_id=w["round_id"]) == before
        contests.set_assignment_mode(
            session=session,
            round_id=w["round_id"],
            assignment_mode="k_per_pitch",
            judges_per_pitch=2,
        )
        plan = assignments.plan_round(session=session, round_id=w["round_id"])
        assignments.apply_plan(session=session, round_id=w["round_id"], plan=plan)
        after = assignments.assigned_pairs(session=session, round_id=w["round_id"])
    assert len(after) == change.planned and len(before - after) == change.removed


def test_removing_a_conflict_and_deleting_a_category_are_counted(engine, settings):
    from sqlmodel import select

    from pitchjudge.models import Category, Conflict

    w = make_judging(engine, settings, judges=2, pitches=2)
    _mark_all(engine, w, w["judges"][0], w["pitches"][1])
    with session_scope(engine) as session:
        judges.add_conflict(
            session=session, judge_id=w["judges"][0], pitch_id=w["pitches"][1], reason="Investor"
        )
        conflict = session.exec(select(Conflict)).one().id
        category = Category(contest_id=w["contest"].id, name="Spare")
        session.add(category)
        session.flush()
        spare = category.id
    with session_scope(engine, read_only=True) as session:
        removal = impact.conflict_removal(session=session, conflict_id=conflict)
        gone = impact.category_removal(session=session, category_id=spare)
    assert (removal.judge_name, removal.scorecards) == ("Judge 1", 1)
    assert gone.name == "Spare" and gone.used == 0 and gone.remaining >= 0
