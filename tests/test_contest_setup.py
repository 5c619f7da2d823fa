"""Contest set-up through the services: contest, categories, rounds and the rubric."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.errors import FormInvalid, RoundStateError, RubricLocked, ValidationError
from pitchjudge.models import AuditEvent, Criterion, Judge, Mark, Pitch, RoundStatus, utcnow
from pitchjudge.services import contests, rubric
from tests.factories import make_contest, submit


def test_contest_validation(engine):
    now = utcnow()
    with session_scope(engine) as session:
        with pytest.raises(ValidationError, match="Contest name is required"):
            contests.create_contest(session=session, data=contests.ContestInput(name=" "))
        with pytest.raises(ValidationError, match="deadline must come after"):
            contests.create_contest(
                session=session,
                data=contests.ContestInput(
                    name="X", applications_open_at=now, applications_close_at=now - timedelta(1)
                ),
            )
        with pytest.raises(ValidationError, match="not a known timezone"):
            contests.create_contest(
                session=session, data=contests.ContestInput(name="X", timezone="Europe/Lyon")
            )


def test_contest_update_is_audited_and_window_status_follows_dates(engine):
    contest = make_contest(engine)
    assert contests.applications_status(contest) == "open"
    assert contests.applications_status(contest, contest.applications_close_at) == "closed"
    assert (
        contests.applications_status(contest, contest.applications_open_at - timedelta(seconds=1))
        == "not_yet"
    )
    with session_scope(engine) as session:
        contests.update_contest(
            session=session,
            contest_id=contest.id,
            data=contests.ContestInput(
                name="Renamed",
                description="Appel à candidatures",
                language="en",
                timezone="America/Montreal",
                applications_open_at=contest.applications_open_at,
                applications_close_at=contest.applications_close_at,
            ),
        )
    with session_scope(engine, read_only=True) as session:
        assert contests.current_contest(session=session).name == "Renamed"
        fields = {
            e.field
            for e in session.exec(
                select(AuditEvent).where(
                    AuditEvent.entity == "contest", AuditEvent.action == "update"
                )
            ).all()
        }
    assert fields == {"name", "language", "timezone"}


def test_categories_unique_and_in_use_cannot_be_deleted(engine, settings):
    contest = make_contest(engine)
    with session_scope(engine) as session, pytest.raises(ValidationError, match="already"):
        contests.add_category(session=session, contest_id=contest.id, name="  SANTÉ ")
    submit(engine, settings, contest.id)
    with session_scope(engine, read_only=True) as session:
        used, unused = contests.list_categories(session=session, contest_id=contest.id)
    with session_scope(engine) as session, pytest.raises(ValidationError, match="rename it"):
        contests.delete_category(session=session, category_id=used.id)
    with session_scope(engine) as session:
        contests.delete_category(session=session, category_id=unused.id)
        contests.rename_category(session=session, category_id=used.id, name="Santé & bien-être")
    with session_scope(engine, read_only=True) as session:
        names = [c.name for c in contests.list_categories(session=session, contest_id=contest.id)]
    assert names == ["Santé & bien-être"]


def test_rounds_follow_their_lifecycle(engine):
    contest = make_contest(engine)
    with session_scope(engine) as session:
        pre = contests.create_round(
            session=session,
            contest_id=contest.id,
            name="Pre-selection",
            assignment_mode="k_per_pitch",
            judges_per_pitch=3,
        )
        final = contests.create_round(session=session, contest_id=contest.id, name="Final")
        with pytest.raises(ValidationError, match="already a round"):
            contests.create_round(session=session, contest_id=contest.id, name="final")
        with pytest.raises(ValidationError, match="Judges per pitch"):
            contests.create_round(
                session=session,
                contest_id=contest.id,
                name="X",
                assignment_mode="k_per_pitch",
                judges_per_pitch=0,
            )
    with session_scope(engine) as session:
        contests.move_round(session=session, round_id=final.id, offset=-1)
    with session_scope(engine, read_only=True) as session:
        assert [r.name for r in contests.list_rounds(session=session, contest_id=contest.id)] == [
            "Final",
            "Pre-selection",
        ]
    path = [
        RoundStatus.OPEN,
        RoundStatus.CLOSED,
        RoundStatus.OPEN,
        RoundStatus.CLOSED,
        RoundStatus.LOCKED,
    ]
    for status in path:
        with session_scope(engine) as session:
            contests.set_round_status(session=session, round_id=pre.id, status=status)
    for status in RoundStatus:
        with session_scope(engine) as session, pytest.raises(RoundStateError):
            contests.set_round_status(session=session, round_id=pre.id, status=status)
    with session_scope(engine) as session, pytest.raises(RoundStateError, match="draft"):
        contests.delete_round(session=session, round_id=pre.id)
    with session_scope(engine) as session:
        contests.delete_round(session=session, round_id=final.id)


def criterion(**overrides) -> rubric.CriterionInput:
    values = dict(
        name="Team",
        description="",
        weight=2,
        scale_min=0,
        scale_max=10,
        scale_step=0.5,
        descriptors=[],
    )
    values.update(overrides)
    return rubric.CriterionInput(**values)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": ""}, "name", "required"),
        ({"weight": 0}, "weight", "more than 0"),
        ({"weight": float("nan")}, "weight", "Enter a number"),
        ({"weight": "abc"}, "weight", "Enter a number"),
        ({"scale_min": 5, "scale_max": 5}, "scale_max", "above its minimum"),
        ({"scale_step": 0}, "scale_step", "more than 0"),
        ({"scale_step": 3}, "scale_step", "do not reach"),
        ({"scale_min": 0, "scale_max": 1000, "scale_step": 0.1}, "scale_step", "1000 steps"),
        ({"descriptors": [{"value": 11, "label": "x"}]}, "descriptors", "not on the scale"),
        (
            {"descriptors": [{"value": 1, "label": "a"}, {"value": 1, "label": "b"}]},
            "descriptors",
            "described twice",
        ),
    ],
)
def test_criterion_validation(engine, overrides, field, words):
    contest = make_contest(engine, with_rubric=False)
    with session_scope(engine) as session, pytest.raises(FormInvalid) as error:
        rubric.add_criterion(session=session, contest_id=contest.id, data=criterion(**overrides))
    assert field in {e.field for e in error.value.errors}
    assert any(words in str(e) for e in error.value.errors)


def test_descriptor_parsing():
    parsed = rubric.parse_descriptors("1 = no evidence\n\n2,5 : half-way\n5 – outstanding")
    assert parsed == [
        {"value": 1.0, "label": "no evidence"},
        {"value": 2.5, "label": "half-way"},
        {"value": 5.0, "label": "outstanding"},
    ]
    assert rubric.format_descriptors(parsed).splitlines()[0] == "1 = no evidence"
    with pytest.raises(ValidationError, match="Line 2"):
        rubric.parse_descriptors("1 = ok\nexcellent")


def test_template_in_both_languages_and_weights_as_percentages(engine):
    contest = make_contest(engine, with_rubric=False)
    with session_scope(engine) as session:
        created = rubric.apply_template(session=session, contest_id=contest.id, language="fr")
    assert [c.name for c in created][:2] == ["Équipe", "Problème & marché"]
    assert len(created) == 6 and all(c.descriptors and len(c.descriptors) == 5 for c in created)
    assert rubric.weight_percentages(created) == [20.0, 20.0, 20.0, 15.0, 15.0, 10.0]
    english = [c.name for c in rubric.classic_template("en")]
    assert english == [
        "Team",
        "Problem & market",
        "Product & innovation",
        "Business model",
        "Traction",
        "Pitch & answers to questions",
    ]


def test_reorder_criteria(engine):
    contest = make_contest(engine)
    with session_scope(engine, read_only=True) as session:
        first, second, *_ = rubric.list_criteria(session=session, contest_id=contest.id)
    with session_scope(engine) as session:
        rubric.move_criterion(session=session, criterion_id=first.id, offset=1)
        rubric.move_criterion(session=session, criterion_id=second.id, offset=-1)  # already top
    with session_scope(engine, read_only=True) as session:
        order = [c.id for c in rubric.list_criteria(session=session, contest_id=contest.id)]
    assert order[:2] == [second.id, first.id]


def test_rubric_locks_structure_once_marks_exist_but_allows_wording_and_weights(engine):
    contest = make_contest(engine)
    with session_scope(engine) as session:
        round_ = contests.create_round(session=session, contest_id=contest.id, name="Final")
        judge = Judge(contest_id=contest.id, name="Ada")
        pitch = Pitch(
            contest_id=contest.id,
            startup_name="K",
            one_liner="x",
            contact_email="a@b.example",
            token_hash="t" * 64,
        )
        session.add_all([judge, pitch])
        session.flush()
        team = session.exec(select(Criterion).order_by(Criterion.position)).first()
        session.add(
            Mark(
                round_id=round_.id,
                judge_id=judge.id,
                pitch_id=pitch.id,
                criterion_id=team.id,
                scale_min=1,
                scale_max=5,
                value=4,
            )
        )
    with session_scope(engine, read_only=True) as session:
        assert rubric.rubric_is_locked(session=session, contest_id=contest.id)
    same_scale = dict(scale_min=1, scale_max=5, scale_step=1)
    with session_scope(engine) as session:
        with pytest.raises(RubricLocked, match="scale can no longer change"):
            rubric.update_criterion(
                session=session,
                criterion_id=team.id,
                data=criterion(name="Team", scale_min=1, scale_max=10, scale_step=1),
            )
        with pytest.raises(RubricLocked):
            rubric.add_criterion(
                session=session, contest_id=contest.id, data=criterion(name="Impact", **same_scale)
            )
        with pytest.raises(RubricLocked):
            rubric.delete_criterion(session=session, criterion_id=team.id)
        with pytest.raises(RubricLocked):
            rubric.apply_template(session=session, contest_id=contest.id, language="en")
    with session_scope(engine) as session:
        rubric.update_criterion(
            session=session,
            criterion_id=team.id,
            data=criterion(name="Founding team", weight=30, **same_scale),
        )
    with session_scope(engine, read_only=True) as session:
        mark = session.exec(select(Mark)).one()
        updated = session.get(Criterion, team.id)
    assert (mark.value, updated.name, updated.weight) == (4, "Founding team", 30)


def test_organiser_settings_are_audited_once_per_real_change(engine):
    from pitchjudge.services import mail as outbox

    contest = make_contest(engine)
    with session_scope(engine) as session:
        category = contests.list_categories(session=session, contest_id=contest.id)[0]
        for _ in range(2):  # the second time changes nothing: no second event
            outbox.set_reply_to(
                session=session, contest_id=contest.id, reply_to="jury@prix.example"
            )
            outbox.set_intro(session=session, contest_id=contest.id, kind="receipt", text="Merci")
            contests.rename_category(session=session, category_id=category.id, name="Santé+")
        outbox.set_intro(session=session, contest_id=contest.id, kind="receipt", text="")
    with session_scope(engine, read_only=True) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id)
        ).all()
    assert [(e.entity, e.field, e.old_value, e.new_value) for e in events] == [
        ("contest", "reply_to", "", "jury@prix.example"),
        ("contest", "mail_intro:receipt", "", "Merci"),
        ("category", "name", "Santé", "Santé+"),
        ("contest", "mail_intro:receipt", "Merci", ""),
    ]
