"""Judging through the services: links, conflicts, assignments, marks, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter

import pytest
from sqlmodel import func, select

from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied, RoundStateError, ValidationError
from pitchjudge.models import AuditEvent, Mark, Scorecard
from pitchjudge.services import assignments, contests, judges, scoring
from tests.factories import make_judging


def save(engine, w, judge_index, pitch_index, criterion_index, value, **kw):
    with session_scope(engine) as session:
        return scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][judge_index],
            pitch_id=w["pitches"][pitch_index],
            criterion_id=w["criteria"][criterion_index],
            value=value,
            **kw,
        )


def stored_marks(engine, w) -> dict:
    with session_scope(engine, read_only=True) as session:
        return {
            (m.judge_id, m.pitch_id, m.criterion_id): m.value
            for m in session.exec(select(Mark).where(Mark.round_id == w["round_id"]))
        }


def test_judge_link_signs_in_and_can_be_revoked_or_reissued(engine, settings):
    w = make_judging(engine, settings, open_round=False)
    with session_scope(engine, read_only=True) as session:
        assert judges.judge_by_token(session=session, token=w["tokens"][0]).id == w["judges"][0]
    with session_scope(engine) as session:
        judges.revoke_link(session=session, judge_id=w["judges"][0])
    with session_scope(engine, read_only=True) as session, pytest.raises(AccessDenied):
        judges.judge_by_token(session=session, token=w["tokens"][0])
    with session_scope(engine) as session:
        new = judges.reissue_link(session=session, settings=settings, judge_id=w["judges"][0])
        assert (
            judges.judge_token(
                settings=settings, judge=judges.get_judge(session=session, judge_id=w["judges"][0])
            )
            == new
        )
    with session_scope(engine) as session:
        judges.set_judge_active(session=session, judge_id=w["judges"][0], active=False)
    with (
        session_scope(engine, read_only=True) as session,
        pytest.raises(AccessDenied, match="deactivated"),
    ):
        judges.judge_by_token(session=session, token=new)


@pytest.mark.parametrize("token", [None, "", "x" * 43, "judge-1", "'; DROP TABLE judge; --"])
def test_forged_judge_tokens_are_refused(engine, settings, token):
    make_judging(engine, settings, open_round=False)
    with session_scope(engine, read_only=True) as session, pytest.raises(AccessDenied):
        judges.judge_by_token(session=session, token=token)


def test_marks_are_saved_on_the_scale_only(engine, settings):
    w = make_judging(engine, settings)
    assert save(engine, w, 0, 0, 0, 4).value == 4
    assert save(engine, w, 0, 0, 1, "3").value == 3
    for bad in (0, 6, 3.5, "abc", "", float("nan"), float("inf"), True, [], "1e309"):
        if bad == "":
            continue
        with pytest.raises(ValidationError):
            save(engine, w, 0, 0, 2, bad)
    assert stored_marks(engine, w) == {
        (w["judges"][0], w["pitches"][0], w["criteria"][0]): 4,
        (w["judges"][0], w["pitches"][0], w["criteria"][1]): 3,
    }
    assert save(engine, w, 0, 0, 1, None) is None  # clearing a mark
    assert len(stored_marks(engine, w)) == 1


def test_no_write_once_the_round_is_closed(engine, settings):
    w = make_judging(engine, settings)
    save(engine, w, 0, 0, 0, 4)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    with pytest.raises(RoundStateError, match="not open"):
        save(engine, w, 0, 0, 0, 5)
    with session_scope(engine) as session, pytest.raises(RoundStateError):
        scoring.save_text(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            field="comment",
            value="late",
        )
    assert list(stored_marks(engine, w).values()) == [4]


def test_conflicts_block_seeing_and_scoring_and_flag_earlier_marks(engine, settings):
    w = make_judging(engine, settings)
    save(engine, w, 1, 2, 0, 5)
    with session_scope(engine) as session:
        judges.add_conflict(
            session=session,
            judge_id=w["judges"][1],
            pitch_id=w["pitches"][2],
            reason="Former co-founder",
        )
    with pytest.raises(scoring.ConflictOfInterest):
        save(engine, w, 1, 2, 1, 3)
    with session_scope(engine, read_only=True) as session:
        with pytest.raises(scoring.ConflictOfInterest):
            scoring.scorecard_view(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][1],
                pitch_id=w["pitches"][2],
            )
        mine = scoring.judge_pitches(
            session=session, round_id=w["round_id"], judge_id=w["judges"][1]
        )
        assert w["pitches"][2] not in [p.pitch_id for p in mine]
        flagged = judges.marks_made_before_conflicts(session=session, contest_id=w["contest"].id)
    assert flagged == [("Judge 2", "Startup 3", 1)]


def test_judge_declares_a_conflict_from_the_scoring_page(engine, settings):
    w = make_judging(engine, settings)
    with session_scope(engine) as session:
        with pytest.raises(ValidationError, match="why"):
            scoring.declare_conflict(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][0],
                pitch_id=w["pitches"][0],
                reason=" ",
            )
        scoring.declare_conflict(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            reason="I advise them",
        )
    with pytest.raises(scoring.ConflictOfInterest):
        save(engine, w, 0, 0, 0, 3)


def test_unassigned_pitch_and_another_judges_token_are_refused(engine, settings):
    w = make_judging(engine, settings, judges=4, pitches=6, mode="k_per_pitch", k=2)
    with session_scope(engine, read_only=True) as session:
        pairs = assignments.assigned_pairs(session=session, round_id=w["round_id"])
        intruder = judges.judge_by_token(session=session, token=w["tokens"][3])
    not_theirs = next(p for p in w["pitches"] if (intruder.id, p) not in pairs)
    with session_scope(engine) as session, pytest.raises(scoring.NotAssigned):
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=intruder.id,
            pitch_id=not_theirs,
            criterion_id=w["criteria"][0],
            value=3,
        )


def test_submit_needs_every_criterion_and_can_be_reopened(engine, settings):
    w = make_judging(engine, settings)
    for c in range(5):
        save(engine, w, 0, 0, c, 3)
    ids = dict(round_id=w["round_id"], judge_id=w["judges"][0], pitch_id=w["pitches"][0])
    with (
        session_scope(engine) as session,
        pytest.raises(scoring.IncompleteScorecard, match="Pitch & answers"),
    ):
        scoring.submit_scorecard(session=session, **ids)
    save(engine, w, 0, 0, 5, 4)
    with session_scope(engine) as session:
        assert scoring.submit_scorecard(session=session, **ids).status == "submitted"
    with pytest.raises(RoundStateError, match="reopen"):
        save(engine, w, 0, 0, 5, 5)
    with session_scope(engine) as session, pytest.raises(RoundStateError, match="reopen"):
        scoring.save_text(session=session, field="comment", value="changed after submit", **ids)
    with session_scope(engine) as session:
        scoring.reopen_scorecard(session=session, **ids)
    assert save(engine, w, 0, 0, 5, 5).value == 5


def test_two_tabs_of_one_judge_last_write_wins_visibly(engine, settings):
    w = make_judging(engine, settings)
    ids = dict(round_id=w["round_id"], judge_id=w["judges"][0], pitch_id=w["pitches"][0])
    save(engine, w, 0, 0, 0, 2)  # tab A
    save(engine, w, 0, 0, 0, 4)  # tab B, later
    with session_scope(engine) as session:
        scoring.save_text(session=session, field="comment", value="Tab A text", **ids)
        scoring.save_text(session=session, field="comment", value="Tab B text", **ids)
    with session_scope(engine, read_only=True) as session:
        view = scoring.scorecard_view(session=session, **ids)
        history = scoring.scorecard_history(session=session, **ids)
    assert view.marks[w["criteria"][0]] == 4 and view.comment == "Tab B text"
    trail = [(e.field, e.old_value, e.new_value) for e in history]
    assert trail == [
        (f"criterion:{w['criteria'][0]}", None, "2.0"),
        (f"criterion:{w['criteria'][0]}", "2.0", "4.0"),
        ("comment", "", "Tab A text"),
        ("comment", "Tab A text", "Tab B text"),
    ]


def test_progress_matrix_and_late_judges(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=2)
    for c in range(6):
        save(engine, w, 0, 0, c, 3)
    with session_scope(engine) as session:
        scoring.submit_scorecard(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
        )
        judges.add_conflict(
            session=session, judge_id=w["judges"][1], pitch_id=w["pitches"][1], reason="cousin"
        )
    save(engine, w, 0, 1, 0, 3)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    with session_scope(engine, read_only=True) as session:
        progress = scoring.round_progress(session=session, round_id=w["round_id"])
    j1, j2 = w["judges"]
    p1, p2 = w["pitches"]
    assert progress.cells == {
        (j1, p1): "submitted",
        (j1, p2): "draft",
        (j2, p1): "not_started",
        (j2, p2): "conflict",
    }
    assert progress.completion == {j1: (1, 2), j2: (0, 1)}
    assert sorted(progress.late) == sorted([j1, j2])


def test_replanning_never_drops_pairs_with_marks(engine, settings):
    w = make_judging(engine, settings, judges=6, pitches=12, mode="k_per_pitch", k=3)
    with session_scope(engine, read_only=True) as session:
        pairs = sorted(assignments.assigned_pairs(session=session, round_id=w["round_id"]))
    judge_id, pitch_id = pairs[0]
    with session_scope(engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=judge_id,
            pitch_id=pitch_id,
            criterion_id=w["criteria"][0],
            value=4,
        )
    for seed in range(5):
        with session_scope(engine) as session:
            plan = assignments.plan_round(session=session, round_id=w["round_id"], seed=seed)
            assignments.apply_plan(session=session, round_id=w["round_id"], plan=plan)
        with session_scope(engine, read_only=True) as session:
            assert (judge_id, pitch_id) in assignments.assigned_pairs(
                session=session, round_id=w["round_id"]
            )
    with session_scope(engine) as session, pytest.raises(ValidationError, match="started"):
        assignments.unassign(
            session=session, round_id=w["round_id"], judge_id=judge_id, pitch_id=pitch_id
        )
    with session_scope(engine, read_only=True) as session:
        counts = Counter(
            p for _j, p in assignments.assigned_pairs(session=session, round_id=w["round_id"])
        )
    assert set(counts.values()) == {3}


def test_concurrent_judges_lose_and_duplicate_nothing(engine, settings):
    """30 judges × 20 pitches × 6 criteria from 30 threads, with repeated edits."""
    w = make_judging(engine, settings, judges=30, pitches=20)
    expected: dict = {}
    errors: list[BaseException] = []

    def judge_session(judge_index: int) -> None:
        rng = random.Random(judge_index)
        cells = [(p, c) for p in range(20) for c in range(6)]
        edits = cells + rng.sample(cells, 20)  # every mark, then 20 changed again
        try:
            for pitch_index, criterion_index in edits:
                value = rng.randint(1, 5)
                save(engine, w, judge_index, pitch_index, criterion_index, value)
                key = (
                    w["judges"][judge_index],
                    w["pitches"][pitch_index],
                    w["criteria"][criterion_index],
                )
                expected[key] = value
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=judge_session, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored_marks(engine, w) == expected
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(func.count()).select_from(Mark)).one() == 30 * 20 * 6
        assert session.exec(select(func.count()).select_from(Scorecard)).one() == 30 * 20
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "mark")).all()
    # Complete trail: replaying each cell's events ends on the stored value, and every event's
    # old value is the previous event's new value.
    by_card: dict = {}
    for event in sorted(events, key=lambda e: e.id):
        by_card.setdefault((event.entity_id, event.field), []).append(event)
    assert len(by_card) == 30 * 20 * 6
    for trail in by_card.values():
        assert trail[0].old_value is None
        for before, after in itertools.pairwise(trail):
            assert after.old_value == before.new_value


def test_marks_given_before_a_conflict_stop_counting_in_the_results(engine, settings):
    from pitchjudge.services import results

    w = make_judging(engine, settings, judges=2, pitches=2)
    for judge_index in range(2):
        for criterion_index in range(6):
            save(engine, w, judge_index, 0, criterion_index, 5 if judge_index == 0 else 1)
    with session_scope(engine, read_only=True) as session:
        before, _criteria, _adjustments = results.round_marks(
            session=session, round_id=w["round_id"]
        )
    with session_scope(engine) as session:
        judges.add_conflict(
            session=session, judge_id=w["judges"][0], pitch_id=w["pitches"][0], reason="Shareholder"
        )
    with session_scope(engine, read_only=True) as session:
        after, _criteria, _adjustments = results.round_marks(
            session=session, round_id=w["round_id"]
        )
        board = results.round_leaderboard(session=session, round_id=w["round_id"])
    assert len(before) == 12 and len(after) == 6
    assert set(after["judge"]) == {w["judges"][1]}
    first = board[board["pitch"] == w["pitches"][0]].iloc[0]
    # Weights sum to 100: only judge 2's marks of 1 remain, not judge 1's 5s.
    assert first["judged_total"] == pytest.approx(100.0) and first["n_judges"] == 1
