"""The projector's change check: every input of a board bumps its round's results version, so
the shared cached view follows each change at once (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.models import Adjustment, Conflict, Pitch, PitchStatus, utcnow
from pitchjudge.scoring import AggregationRule
from pitchjudge.services import (
    assignments,
    board,
    contests,
    judges,
    promotion,
    rubric,
    scoring,
    stage,
)
from tests.factories import make_judging
from tests.test_board import give


def cached(engine, cache: board.BoardCache, contest_id: int) -> board.BoardView:
    """What a projector shows: the shared cache, keyed by the fingerprint it reads."""
    with session_scope(engine, read_only=True) as session:
        return cache.view(session=session, contest_id=contest_id)


def fresh(engine, contest_id: int) -> board.BoardView:
    with session_scope(engine, read_only=True) as session:
        return board.board_view(session=session, contest_id=contest_id)


def fingerprint(engine, contest_id: int) -> tuple:
    with session_scope(engine, read_only=True) as session:
        return board.fingerprint(session=session, contest_id=contest_id)


def totals(view: board.BoardView) -> dict[str, float | None]:
    return {row.startup_name: row.total for row in view.rows}


def judges_of(view: board.BoardView) -> dict[str, int]:
    return {row.startup_name: row.n_judges for row in view.rows}


@pytest.fixture
def room(engine, settings):
    """Two judges, three startups scored 2, 4, 3 on every criterion, the board live."""
    w = make_judging(engine, settings, judges=2, pitches=3)
    for pitch_index, value in enumerate((2, 4, 3)):
        for judge_index in range(2):
            give(engine, w, judge_index, pitch_index, value)
    with session_scope(engine) as session:
        board.set_board(session=session, round_id=w["round_id"], state="live")
    return w


def write(engine, action) -> None:
    with session_scope(engine) as session:
        action(session)


def test_every_input_reaches_the_cached_board(engine, settings, room):
    w = room
    contest_id, round_id = w["contest"].id, w["round_id"]
    p1, p2, p3 = w["pitches"]
    j1, j2 = w["judges"]
    cache = board.BoardCache()
    before = cached(engine, cache, contest_id)
    assert totals(before) == {"Startup 2": 400.0, "Startup 3": 300.0, "Startup 1": 200.0}

    def mark(session):
        scoring.save_mark(
            session=session,
            round_id=round_id,
            judge_id=j1,
            pitch_id=p1,
            criterion_id=w["criteria"][0],
            value=5,
        )

    def submit(session):
        scoring.submit_scorecard(session=session, round_id=round_id, judge_id=j1, pitch_id=p2)

    def overtime_penalty(session):
        # Startup 3 pitches 2 minutes over its 5 minutes, at 1 point per started minute.
        stage.set_timing(
            session=session,
            contest_id=contest_id,
            settings=stage.Timing(pitch_seconds=300, qa_seconds=300, overtime_penalty=1.0),
        )
        stage.set_running_order(session=session, round_id=round_id, pitch_ids=[p3, p1, p2])
        start = utcnow() - timedelta(minutes=10)
        stage.start_pitch(session=session, round_id=round_id, pitch_id=p3, now=start)
        stage.start_qa(session=session, round_id=round_id, now=start + timedelta(seconds=420))
        stage.decide_penalty(session=session, round_id=round_id, pitch_id=p3, apply=True)

    def edit_adjustment(session):
        adjustment = session.exec(select(Adjustment).where(Adjustment.pitch_id == p3)).one()
        adjustment.points = -5.0
        session.add(adjustment)

    def declare_conflict(session):
        scoring.declare_conflict(
            session=session, round_id=round_id, judge_id=j2, pitch_id=p2, reason="my cousin"
        )

    def remove_conflict(session):
        conflict = session.exec(select(Conflict)).one()
        judges.remove_conflict(session=session, conflict_id=conflict.id)

    def withdraw(session):
        # As withdraw_application stores it (the applicant's link is not at hand here).
        pitch = session.get(Pitch, p1)
        pitch.status = PitchStatus.WITHDRAWN
        session.add(pitch)

    def rename(session):
        pitch = session.get(Pitch, p2)
        pitch.startup_name = "Startup Two"
        session.add(pitch)

    def reweigh(session):
        criterion = rubric.get_criterion(session=session, criterion_id=w["criteria"][0])
        rubric.update_criterion(
            session=session,
            criterion_id=criterion.id,
            data=rubric.CriterionInput(
                name=criterion.name,
                description=criterion.description,
                weight=criterion.weight * 3,
                scale_min=criterion.scale_min,
                scale_max=criterion.scale_max,
                scale_step=criterion.scale_step,
                descriptors=criterion.descriptors or [],
            ),
        )

    def rule(session):
        contests.set_round_setting(
            session=session,
            round_id=round_id,
            field="rule",
            value=AggregationRule(method="zscore").to_dict(),
        )

    def assign(session):
        judge = judges.add_judge(
            session=session,
            settings=settings,
            contest_id=contest_id,
            data=judges.JudgeInput(name="Late judge"),
        )
        assignments.assign(session=session, round_id=round_id, judge_id=judge.id, pitch_id=p2)

    def freeze(session):
        board.set_board(session=session, round_id=round_id, state="frozen")

    def reveal(session):
        board.set_board(session=session, round_id=round_id, state="reveal")
        board.reveal_next(session=session, round_id=round_id)

    # Each input, and what the room must see change.
    steps = [
        ("mark", mark, lambda old, new: totals(new)["Startup 1"] > totals(old)["Startup 1"]),
        (
            "scorecard submitted",
            submit,
            lambda old, new: new.scorecards_submitted == old.scorecards_submitted + 1,
        ),
        (
            "overtime penalty",
            overtime_penalty,
            lambda old, new: totals(new)["Startup 3"] == totals(old)["Startup 3"] - 2,
        ),
        (
            "adjustment edited",
            edit_adjustment,
            lambda old, new: totals(new)["Startup 3"] == totals(old)["Startup 3"] - 3,
        ),
        (
            "conflict declared",
            declare_conflict,
            lambda old, new: judges_of(new)["Startup 2"] == judges_of(old)["Startup 2"] - 1,
        ),
        (
            "conflict removed",
            remove_conflict,
            lambda old, new: judges_of(new)["Startup 2"] == judges_of(old)["Startup 2"] + 1,
        ),
        ("withdrawal", withdraw, lambda old, new: "Startup 1" not in totals(new)),
        ("startup renamed", rename, lambda old, new: "Startup Two" in totals(new)),
        (
            "criterion weight",
            reweigh,
            lambda old, new: totals(new)["Startup Two"] != totals(old)["Startup Two"],
        ),
        ("rule", rule, lambda old, new: totals(new) != totals(old)),
        (
            "assignment",
            assign,
            lambda old, new: new.scorecards_expected == old.scorecards_expected + 1,
        ),
        ("board frozen", freeze, lambda old, new: new.state == "frozen"),
        ("reveal", reveal, lambda old, new: (new.state, new.hidden_places) == ("reveal", 1)),
    ]
    old = before
    for name, action, visible in steps:
        computed = cache.computed
        old_fingerprint = fingerprint(engine, contest_id)
        write(engine, action)
        assert fingerprint(engine, contest_id) != old_fingerprint, name
        new = cached(engine, cache, contest_id)
        assert new == fresh(engine, contest_id), name
        assert visible(old, new), (name, old, new)
        assert cache.computed == computed + 1, name
        # Asked again by another screen, nothing changed: the stored view, not a recompute.
        assert cached(engine, cache, contest_id) is new
        assert cache.computed == computed + 1, name
        old = new


def test_a_blended_board_follows_its_earlier_round(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=3)
    for pitch_index, value in enumerate((2, 4, 3)):
        for judge_index in range(2):
            give(engine, w, judge_index, pitch_index, value)
    contest_id, earlier = w["contest"].id, w["round_id"]
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=earlier, status="closed")
        final = contests.create_round(session=session, contest_id=contest_id, name="Finale").id
    cache = board.BoardCache()
    steps = []

    def promote(session):
        promotion.promote(session=session, round_id=earlier, pitch_ids=w["pitches"])

    def open_and_score(session):
        contests.set_round_status(session=session, round_id=final, status="open")

    steps.append(("promotion", promote))
    steps.append(("final opened", open_and_score))
    for name, action in steps:
        before = fingerprint(engine, contest_id)
        write(engine, action)
        if name == "promotion":
            # Nothing of the final is shown yet: still, the final's version moved.
            with session_scope(engine, read_only=True) as session:
                assert board.fingerprint(session=session, contest_id=contest_id) != before
    for judge in w["judges"]:
        for pitch, value in zip(w["pitches"], (3, 3, 3), strict=True):
            with session_scope(engine) as session:
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=final,
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=value,
                    )
    with session_scope(engine) as session:
        board.set_board(session=session, round_id=final, state="live")
    own = cached(engine, cache, contest_id)
    assert set(totals(own).values()) == {300.0}  # every finalist equal in the final itself

    write(
        engine,
        lambda session: promotion.set_blend(
            session=session, round_id=final, earlier_round_id=earlier, weight=0.3
        ),
    )
    blended = cached(engine, cache, contest_id)
    assert blended == fresh(engine, contest_id)
    assert blended.formula and totals(blended)["Startup 2"] > totals(blended)["Startup 1"]

    # A change in the earlier (closed) round only: a bonus for Startup 1 there.
    write(
        engine,
        lambda session: session.add(
            Adjustment(round_id=earlier, pitch_id=w["pitches"][0], name="Bonus", points=10)
        ),
    )
    moved = cached(engine, cache, contest_id)
    assert moved == fresh(engine, contest_id)
    assert totals(moved)["Startup 1"] == pytest.approx(totals(blended)["Startup 1"] + 3)

    write(
        engine,
        lambda session: promotion.set_blend(
            session=session, round_id=final, earlier_round_id=earlier, weight=0.5
        ),
    )
    reweighed = cached(engine, cache, contest_id)
    assert reweighed == fresh(engine, contest_id) and reweighed.formula != moved.formula


def test_a_comment_typed_by_a_judge_does_not_recompute_the_board(engine, room):
    w = room
    before = fingerprint(engine, w["contest"].id)
    write(
        engine,
        lambda session: scoring.save_text(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            field="comment",
            value="Clear pitch, weak market sizing.",
        ),
    )
    assert fingerprint(engine, w["contest"].id) == before


def test_screens_asking_at_once_share_one_computation(engine, room):
    cache = board.BoardCache()
    contest_id = room["contest"].id
    views: list[board.BoardView] = []
    barrier = threading.Barrier(6)

    def screen() -> None:
        barrier.wait()
        views.append(cached(engine, cache, contest_id))

    threads = [threading.Thread(target=screen) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(views) == 6 and all(view is views[0] for view in views)
    assert cache.computed == 1


def test_a_reissued_display_link_changes_the_fingerprint(engine, settings, room):
    contest_id = room["contest"].id
    with session_scope(engine) as session:
        board.display_token(session=session, settings=settings, contest_id=contest_id)
    before = fingerprint(engine, contest_id)
    write(
        engine,
        lambda session: board.reissue_display_token(
            session=session, settings=settings, contest_id=contest_id
        ),
    )
    assert fingerprint(engine, contest_id) != before
