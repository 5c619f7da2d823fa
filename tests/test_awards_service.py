"""Prizes in the database: allocation from a scored round, freeze, audit, ceremony, exports."""

from __future__ import annotations

import pytest
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied, ValidationError
from pitchjudge.i18n import get_gettext
from pitchjudge.models import AuditEvent, Pitch, Prize, PrizeEligibility, PrizeSource
from pitchjudge.services import auth, awards, contests, promotion
from pitchjudge.services.awards import AllocationFrozen, PrizeForm, TiesPending
from tests.factories import category_ids, make_judging
from tests.test_promotion import mark_all


@pytest.fixture
def scored(engine, settings):
    """Four startups scored 5 > 4 > 3 > 2; startups 1 and 3 in the first category."""
    w = make_judging(engine, settings, judges=2, pitches=4)
    mark_all(engine, w, w["round_id"], w["judges"], {0: 5, 1: 4, 2: 3, 3: 2})
    first, second = category_ids(engine, w["contest"].id)
    with session_scope(engine) as session:
        for index, pitch_id in enumerate(w["pitches"]):
            pitch = session.get(Pitch, pitch_id)
            pitch.category_id = second if index in (0, 2) else first
            session.add(pitch)
        w["token"] = auth.open_organiser_session(session=session)
    w["categories"] = (first, second)
    return w


def add(engine, w, **fields) -> int:
    with session_scope(engine) as session:
        return awards.save_prize(
            session=session,
            organiser_token=w["token"],
            contest_id=w["contest"].id,
            form=PrizeForm(**fields),
        ).id


def rows(engine, w, language="en"):
    with session_scope(engine, read_only=True) as session:
        return awards.allocation(session=session, contest_id=w["contest"].id, language=language)


def test_prizes_are_allocated_in_prestige_order_and_explained(engine, scored):
    w = scored
    add(engine, w, name="Grand Prize", sponsor="City", amount=10000)
    add(
        engine,
        w,
        name="Climate prize",
        eligibility=PrizeEligibility.CATEGORIES,
        category_ids=[w["categories"][1]],
    )
    add(engine, w, name="Bank prize", exclusive=False)
    result = rows(engine, w)
    names = [r.winner_name for r in result.rows]
    assert names == ["Startup 1", "Startup 3", "Startup 1"]
    assert result.rows[1].explanation == (
        "Startup 1 is No. 1 on the jury ranking but already holds Grand Prize; "
        "Climate prize goes to Startup 3, next eligible."
    )
    assert not result.frozen and result.pending_ties == 0


def test_a_tie_waits_for_the_organiser_and_freezing_is_refused_until_settled(engine, scored):
    w = scored
    prize = add(
        engine, w, name="Pick", eligibility=PrizeEligibility.LIST, pitch_ids=w["pitches"][:2]
    )
    with session_scope(engine) as session:
        # Equal jury ranks are impossible here; make the audience decide with no vote cast.
        awards.save_prize(
            session=session,
            organiser_token=w["token"],
            contest_id=w["contest"].id,
            prize_id=prize,
            form=PrizeForm(
                name="Pick",
                source=PrizeSource.AUDIENCE,
                eligibility=PrizeEligibility.LIST,
                pitch_ids=w["pitches"][:2],
            ),
        )
    result = rows(engine, w)
    assert result.pending_ties == 1 and result.rows[0].winner_id is None
    assert [p for p, _ in result.rows[0].tied] == w["pitches"][:2]
    with session_scope(engine) as session, pytest.raises(TiesPending):
        awards.freeze(session=session, organiser_token=w["token"], contest_id=w["contest"].id)
    with session_scope(engine) as session, pytest.raises(ValidationError):
        awards.pick_tie(
            session=session,
            organiser_token=w["token"],
            contest_id=w["contest"].id,
            prize_id=prize,
            pitch_id=w["pitches"][3],
        )
    with session_scope(engine) as session:
        awards.pick_tie(
            session=session,
            organiser_token=w["token"],
            contest_id=w["contest"].id,
            prize_id=prize,
            pitch_id=w["pitches"][1],
        )
    assert rows(engine, w).rows[0].winner_id == w["pitches"][1]


def test_freeze_is_audited_refuses_edits_and_unfreeze_is_audited(engine, scored):
    w = scored
    contest_id = w["contest"].id
    prize = add(engine, w, name="Grand Prize")
    with session_scope(engine) as session:
        awards.freeze(session=session, organiser_token=w["token"], contest_id=contest_id)
    # The results change after the freeze: the frozen allocation does not.
    mark_all(engine, w, w["round_id"], w["judges"], {0: 1, 3: 5})
    assert rows(engine, w).rows[0].winner_name == "Startup 1"
    assert rows(engine, w).frozen
    for attempt in (
        lambda s: awards.save_prize(
            session=s, organiser_token=w["token"], contest_id=contest_id, form=PrizeForm("X")
        ),
        lambda s: awards.delete_prize(
            session=s, organiser_token=w["token"], contest_id=contest_id, prize_id=prize
        ),
        lambda s: awards.move_prize(
            session=s, organiser_token=w["token"], contest_id=contest_id, prize_id=prize, offset=1
        ),
    ):
        with session_scope(engine) as session, pytest.raises(AllocationFrozen):
            attempt(session)
    with session_scope(engine) as session:
        awards.unfreeze(session=session, organiser_token=w["token"], contest_id=contest_id)
    assert rows(engine, w).rows[0].winner_name == "Startup 4"
    with session_scope(engine, read_only=True) as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity == "palmares")
        ).all()
    assert actions == ["freeze", "unfreeze"]


def test_every_write_rechecks_the_organiser_session(engine, scored):
    w = scored
    contest_id = w["contest"].id
    prize = add(engine, w, name="Grand Prize")
    with session_scope(engine) as session:
        auth.sign_out_organiser(session=session, token=w["token"])
    calls = [
        lambda s, t: awards.save_prize(
            session=s, organiser_token=t, contest_id=contest_id, form=PrizeForm("X")
        ),
        lambda s, t: awards.delete_prize(
            session=s, organiser_token=t, contest_id=contest_id, prize_id=prize
        ),
        lambda s, t: awards.freeze(session=s, organiser_token=t, contest_id=contest_id),
        lambda s, t: awards.set_ceremony(
            session=s, organiser_token=t, contest_id=contest_id, on=True
        ),
    ]
    for call in calls:
        for token in (w["token"], None, "forged" * 8):
            with session_scope(engine) as session, pytest.raises(AccessDenied):
                call(session, token)


def test_the_ceremony_reveals_prize_by_prize_from_the_least_prestigious(engine, scored):
    w = scored
    contest_id = w["contest"].id
    add(engine, w, name="Grand Prize", sponsor="City", amount=10000)
    add(engine, w, name="Runner-up", sponsor="Bank", amount=2500.5)
    with session_scope(engine) as session, pytest.raises(AllocationFrozen):
        awards.set_ceremony(
            session=session, organiser_token=w["token"], contest_id=contest_id, on=True
        )
    with session_scope(engine) as session:
        awards.freeze(session=session, organiser_token=w["token"], contest_id=contest_id)
        awards.set_ceremony(
            session=session, organiser_token=w["token"], contest_id=contest_id, on=True
        )
    seen = []
    for _step in range(8):
        with session_scope(engine, read_only=True) as session:
            slide = awards.ceremony_slide(session=session, contest_id=contest_id)
        seen.append((slide.phase, slide.prize_name, slide.sponsor, slide.winner_name))
        with session_scope(engine) as session:
            awards.move_ceremony(
                session=session, organiser_token=w["token"], contest_id=contest_id, offset=1
            )
    assert seen[:7] == [
        ("title", "", "", None),
        ("prize", "Runner-up", "", None),
        ("sponsor", "Runner-up", "Bank", None),
        ("winner", "Runner-up", "Bank", "Startup 2"),
        ("prize", "Grand Prize", "", None),
        ("sponsor", "Grand Prize", "City", None),
        ("winner", "Grand Prize", "City", "Startup 1"),
    ]
    assert seen[7] == seen[6]  # the last step stays
    with session_scope(engine) as session:
        awards.move_ceremony(
            session=session, organiser_token=w["token"], contest_id=contest_id, offset=-1
        )
        assert awards.ceremony_slide(session=session, contest_id=contest_id).phase == "sponsor"


def test_palmares_csv_is_locale_aware_and_pdf_is_a_pdf(engine, scored):
    w = scored
    contest_id = w["contest"].id
    add(engine, w, name="=Grand Prize", sponsor="City", amount=2500.5)
    with session_scope(engine) as session, pytest.raises(AllocationFrozen):
        awards.palmares_csv(session=session, contest_id=contest_id, language="fr")
    with session_scope(engine) as session:
        awards.freeze(session=session, organiser_token=w["token"], contest_id=contest_id)
    with session_scope(engine, read_only=True) as session:
        french = awards.palmares_csv(session=session, contest_id=contest_id, language="fr")
        english = awards.palmares_csv(session=session, contest_id=contest_id, language="en")
        pdf = awards.palmares_pdf(session=session, contest_id=contest_id, language="fr")
    french_lines = french.decode("utf-8-sig").splitlines()
    assert french_lines[0].startswith("Prix;")
    assert "2500,50" in french_lines[1] and "'=Grand Prize" in french_lines[1]
    assert english.decode("utf-8-sig").splitlines()[0].startswith("Prize,")
    assert "2500.50" in english.decode("utf-8-sig")
    assert pdf.startswith(b"%PDF")


def test_public_page_is_off_by_default_and_only_for_a_frozen_allocation(engine, scored):
    w = scored
    contest_id = w["contest"].id
    add(engine, w, name="Grand Prize")
    with session_scope(engine) as session:
        assert awards.public_palmares(session=session, contest_id=contest_id, language="en") is None
        with pytest.raises(AllocationFrozen):
            awards.set_public(
                session=session, organiser_token=w["token"], contest_id=contest_id, on=True
            )
    with session_scope(engine) as session:
        awards.freeze(session=session, organiser_token=w["token"], contest_id=contest_id)
        awards.set_public(
            session=session, organiser_token=w["token"], contest_id=contest_id, on=True
        )
    with session_scope(engine, read_only=True) as session:
        public = awards.public_palmares(session=session, contest_id=contest_id, language="en")
    assert [r.winner_name for r in public] == ["Startup 1"]


def test_bad_prizes_are_refused_with_a_reason(engine, scored):
    w = scored
    for form, field in (
        (PrizeForm(name="  "), "name"),
        (PrizeForm(name="A", amount=-1), "amount"),
        (PrizeForm(name="A", jury_weight=1.5), "jury_weight"),
        (PrizeForm(name="A", eligibility=PrizeEligibility.CATEGORIES), "category_ids"),
        (PrizeForm(name="A", eligibility=PrizeEligibility.LIST, pitch_ids=[99999]), "pitch_ids"),
    ):
        with session_scope(engine) as session, pytest.raises(ValidationError) as error:
            awards.save_prize(
                session=session, organiser_token=w["token"], contest_id=w["contest"].id, form=form
            )
        assert error.value.field == field


def test_reorder_and_delete(engine, scored):
    w = scored
    contest_id = w["contest"].id
    first = add(engine, w, name="A")
    second = add(engine, w, name="B")
    with session_scope(engine) as session:
        awards.move_prize(
            session=session,
            organiser_token=w["token"],
            contest_id=contest_id,
            prize_id=second,
            offset=-1,
        )
        assert [p.name for p in awards.list_prizes(session=session, contest_id=contest_id)] == [
            "B",
            "A",
        ]
        awards.delete_prize(
            session=session, organiser_token=w["token"], contest_id=contest_id, prize_id=first
        )
        assert [p.name for p in awards.list_prizes(session=session, contest_id=contest_id)] == ["B"]


def test_the_peoples_choice_goes_to_the_audiences_favourite_end_to_end(engine, scored):
    """The real audience vote (services.votes) decides the People's Choice; the jury's order is
    the reverse of the room's."""
    w = scored
    from pitchjudge.services import votes

    with session_scope(engine) as session:
        token = votes.ensure_window(session=session, round_id=w["round_id"]).token
        votes.open_window(session=session, organiser_token=w["token"], round_id=w["round_id"])
    ballots = [3, 3, 2, 3, 0, 2, 3]  # startup 4 has 4 votes, startup 3 two, startup 1 one
    for phone, index in enumerate(ballots):
        with session_scope(engine) as session:
            votes.cast_vote(
                session=session, token=token, pitch_id=w["pitches"][index], device_id=f"p{phone}"
            )
    with session_scope(engine) as session:  # the last vote of a phone counts
        votes.cast_vote(session=session, token=token, pitch_id=w["pitches"][2], device_id="p4")
    add(engine, w, name="Grand Prix", source=PrizeSource.JURY)
    add(engine, w, name="People's Choice", source=PrizeSource.AUDIENCE)
    result = rows(engine, w)
    assert [row.winner_id for row in result.rows] == [w["pitches"][0], w["pitches"][3]]
    with session_scope(engine, read_only=True) as session:
        assert awards.audience_votes(session, w["round_id"]) == {
            w["pitches"][0]: 0,
            w["pitches"][1]: 0,
            w["pitches"][2]: 3,
            w["pitches"][3]: 4,
        }


def test_the_audience_source_goes_through_one_adapter(engine, scored, monkeypatch):
    w = scored
    monkeypatch.setattr(
        awards, "audience_votes", lambda session, round_id: {w["pitches"][3]: 7, w["pitches"][0]: 3}
    )
    add(engine, w, name="People's Choice", source=PrizeSource.AUDIENCE)
    add(engine, w, name="Mix", source=PrizeSource.COMPOSITE, jury_weight=0.5)
    result = rows(engine, w)
    assert result.rows[0].winner_id == w["pitches"][3]
    # Startup 1: jury 1.0 → 0.5 + 0.5 × 0.3 = 0.65, the best of the others.
    assert result.rows[1].winner_id == w["pitches"][0]


def test_a_finalists_only_prize_never_goes_to_a_startup_left_out_of_the_final(engine, scored):
    """Startup 1 has the best jury score but is not promoted to the last round: the
    "finalists only" prizes go to the finalists, best first, and none to Startup 1."""
    w = scored
    marks = {w["pitches"][i]: mark for i, mark in {0: 5, 1: 4, 2: 3, 3: 2}.items()}  # `scored`
    finalists = [w["pitches"][3], w["pitches"][1]]
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
        contests.create_round(session=session, contest_id=w["contest"].id, name="Grand final")
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=finalists)
    for name in ("Finalists' prize", "Second finalists' prize", "Third finalists' prize"):
        add(engine, w, name=name, round_id=w["round_id"], eligibility=PrizeEligibility.FINALISTS)
    add(engine, w, name="Grand Prize", round_id=w["round_id"])  # open to all: Startup 1's
    winners = [row.winner_id for row in rows(engine, w).rows]
    best_finalists = sorted(finalists, key=marks.get, reverse=True)
    assert winners == [*best_finalists, None, max(marks, key=marks.get)]


@pytest.mark.parametrize(
    ("weight", "jury", "audience"), [(0.7, 70, 30), (0.25, 25, 75), (1.0, 100, 0)]
)
def test_the_composite_formula_gives_its_shares_in_english_and_french(weight, jury, audience):
    composite = Prize(name="Mix", source=PrizeSource.COMPOSITE, jury_weight=weight)
    assert awards.formula(composite, get_gettext("en")) == (
        f"{jury} % jury + {audience} % audience (jury total min–max normalised over the "
        "eligible startups, audience share of their votes)"
    )
    assert awards.formula(composite, get_gettext("fr")) == (
        f"{jury} % jury + {audience} % public (total du jury ramené entre 0 et 1 sur les "
        "startups éligibles, part du public dans leurs votes)"
    )


@pytest.mark.parametrize(
    ("source", "english", "french"),
    [
        (PrizeSource.JURY, "the jury ranking", "le classement du jury"),
        (
            PrizeSource.AUDIENCE,
            "the audience vote (share of the votes)",
            "le vote du public (part des votes)",
        ),
    ],
)
def test_the_formula_names_the_jury_or_the_audience_alone(source, english, french):
    prize = Prize(name="P", source=source, jury_weight=0.7)
    assert awards.formula(prize, get_gettext("en")) == english
    assert awards.formula(prize, get_gettext("fr")) == french
