"""The audience vote's services, on SQLite and PostgreSQL: window, tickets, votes, tally."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import func, select

from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied, NotFound, RoundStateError, ValidationError
from pitchjudge.models import AuditEvent, Pitch, PitchStatus, Vote, VoteMode, utcnow
from pitchjudge.services import auth, ratelimit, votes
from tests.factories import make_judging

KEY = b"k" * 40


@pytest.fixture
def setup(engine, settings):
    data = make_judging(engine, settings, judges=1, pitches=3)
    with session_scope(engine) as session:
        data["organiser"] = auth.open_organiser_session(session=session)
        window = votes.ensure_window(session=session, round_id=data["round_id"])
        data["token"] = window.token
    return data


def do(engine, fn, **kwargs):
    with session_scope(engine) as session:
        return fn(session=session, **kwargs)


def open_vote(engine, data, **kwargs):
    return do(
        engine,
        votes.open_window,
        organiser_token=data["organiser"],
        round_id=data["round_id"],
        **kwargs,
    )


def vote(engine, data, pitch_index, device="phone-1", **kwargs):
    return do(
        engine,
        votes.cast_vote,
        token=data["token"],
        pitch_id=data["pitches"][pitch_index],
        device_id=device,
        **kwargs,
    )


def tally(engine, data):
    with session_scope(engine, read_only=True) as session:
        return votes.tally(session, data["round_id"])


def test_votes_only_while_the_window_is_open(engine, setup):
    with pytest.raises(RoundStateError, match="not opened yet"):
        vote(engine, setup, 0)
    open_vote(engine, setup)
    vote(engine, setup, 0)
    do(engine, votes.close_window, organiser_token=setup["organiser"], round_id=setup["round_id"])
    with pytest.raises(RoundStateError, match="closed"):
        vote(engine, setup, 1)
    p1, p2, p3 = setup["pitches"]
    assert tally(engine, setup) == {p1: 1, p2: 0, p3: 0}
    with session_scope(engine, read_only=True) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "vote")).all()
    assert [e.field for e in events] == ["state", "state"]


def test_the_window_closes_by_itself_at_its_time(engine, setup):
    now = utcnow()
    open_vote(engine, setup, closes_at=now + timedelta(minutes=5), now=now)
    vote(engine, setup, 0, now=now + timedelta(minutes=4))
    with pytest.raises(RoundStateError, match="closed"):
        vote(engine, setup, 0, device="phone-2", now=now + timedelta(minutes=5, seconds=1))
    with pytest.raises(ValidationError, match="future"):
        open_vote(engine, setup, closes_at=now - timedelta(minutes=1))


def test_the_organiser_session_is_rechecked(engine, setup):
    with session_scope(engine) as session:
        auth.end_all_organiser_sessions(session=session)
    with pytest.raises(AccessDenied, match="session has ended"):
        open_vote(engine, setup)
    with pytest.raises(AccessDenied):
        do(engine, votes.close_window, organiser_token="forged" * 5, round_id=setup["round_id"])


def test_the_last_vote_counts_once_per_voter(engine, setup):
    open_vote(engine, setup)
    p1, p2, p3 = setup["pitches"]
    first = vote(engine, setup, 0)
    assert not first.changed
    changed = vote(engine, setup, 1)
    assert changed.changed and changed.startup_name == "Startup 2"
    vote(engine, setup, 1, device="phone-2")
    assert tally(engine, setup) == {p1: 0, p2: 2, p3: 0}
    with session_scope(engine, read_only=True) as session:
        assert votes.voter_count(session=session, round_id=setup["round_id"]) == 2
        assert votes.current_vote(session=session, token=setup["token"], device_id="phone-1") == p2


def test_unknown_withdrawn_and_foreign_pitches_are_refused(engine, setup, settings):
    open_vote(engine, setup)
    with pytest.raises(ValidationError, match="not in the vote"):
        do(engine, votes.cast_vote, token=setup["token"], pitch_id=999_999, device_id="p")
    with session_scope(engine) as session:
        pitch = session.get(Pitch, setup["pitches"][2])
        pitch.status = PitchStatus.WITHDRAWN
        session.add(pitch)
    with pytest.raises(ValidationError, match="withdrawn"):
        vote(engine, setup, 2)
    other = make_judging(engine, settings, judges=1, pitches=1)
    with pytest.raises(ValidationError, match="not in the vote"):
        do(
            engine,
            votes.cast_vote,
            token=setup["token"],
            pitch_id=other["pitches"][0],
            device_id="p",
        )
    with pytest.raises(NotFound):
        do(engine, votes.cast_vote, token="x" * 43, pitch_id=setup["pitches"][0], device_id="p")
    assert sum(tally(engine, setup).values()) == 0


def tickets(engine, data, count=3):
    return do(
        engine,
        votes.generate_tickets,
        organiser_token=data["organiser"],
        key=KEY,
        round_id=data["round_id"],
        count=count,
    )


def test_ticket_codes_are_single_use_and_forged_ones_refused(engine, setup):
    do(
        engine,
        votes.configure,
        organiser_token=setup["organiser"],
        round_id=setup["round_id"],
        mode=VoteMode.TICKETS,
    )
    with pytest.raises(RoundStateError, match="Generate the ticket codes"):
        open_vote(engine, setup)
    codes = tickets(engine, setup)
    assert len(set(codes)) == 3 and all(len(c) == votes.CODE_LENGTH for c in codes)
    open_vote(engine, setup)
    with pytest.raises(ValidationError, match="Enter the code"):
        vote(engine, setup, 0)
    # Typed in lower case with the printed dash: still the code.
    vote(engine, setup, 0, code=votes.format_code(codes[0]).lower())
    vote(engine, setup, 1, code=codes[0])  # the same phone changes its vote
    with pytest.raises(AccessDenied, match="already been used on another phone"):
        vote(engine, setup, 2, device="phone-2", code=codes[0])
    with pytest.raises(AccessDenied, match="not valid"):
        vote(engine, setup, 2, device="phone-2", code="ABCD-EFGH-JK")
    vote(engine, setup, 2, device="phone-2", code=codes[1])
    p1, p2, p3 = setup["pitches"]
    assert tally(engine, setup) == {p1: 0, p2: 1, p3: 1}
    # Printable again from the key; the database keeps only hashes.
    with session_scope(engine, read_only=True) as session:
        printed = votes.ticket_codes(session=session, key=KEY, round_id=setup["round_id"])
        status = votes.status(session=session, round_id=setup["round_id"])
    assert printed == [(1, codes[0]), (2, codes[1]), (3, codes[2])]
    assert (status.tickets, status.tickets_used, status.voters) == (3, 2, 2)
    with pytest.raises(RoundStateError, match="Close the vote"):
        tickets(engine, setup)


def test_new_codes_replace_the_old_ones_and_their_votes(engine, setup):
    do(
        engine,
        votes.configure,
        organiser_token=setup["organiser"],
        round_id=setup["round_id"],
        mode=VoteMode.TICKETS,
    )
    old = tickets(engine, setup, 2)
    open_vote(engine, setup)
    vote(engine, setup, 0, code=old[0])
    do(engine, votes.close_window, organiser_token=setup["organiser"], round_id=setup["round_id"])
    new = tickets(engine, setup, 4)
    assert not set(old) & set(new)
    assert sum(tally(engine, setup).values()) == 0
    open_vote(engine, setup)
    with pytest.raises(AccessDenied, match="not valid"):
        vote(engine, setup, 0, code=old[0])


def test_wrong_codes_are_rate_limited_per_address(engine, setup):
    do(
        engine,
        votes.configure,
        organiser_token=setup["organiser"],
        round_id=setup["round_id"],
        mode=VoteMode.TICKETS,
    )
    codes = tickets(engine, setup, 1)
    open_vote(engine, setup)
    for _ in range(votes.BAD_CODES.count):
        do(engine, votes.note_bad_code, client="10.0.0.9")
    with pytest.raises(ratelimit.RateLimited, match="wrong codes"):
        vote(engine, setup, 0, code=codes[0], client="10.0.0.9")
    vote(engine, setup, 0, code=codes[0], client="10.0.0.10")


def test_a_phone_is_rate_limited(engine, setup):
    open_vote(engine, setup)
    now = utcnow()
    for n in range(votes.PER_DEVICE.count):
        vote(engine, setup, n % 3, now=now + timedelta(seconds=n))
    with pytest.raises(ratelimit.RateLimited, match="this phone"):
        vote(engine, setup, 0, now=now + timedelta(seconds=30))
    # The refused vote changed nothing: the last stored one counts.
    assert sum(tally(engine, setup).values()) == 1


def test_many_votes_at_once_lose_none(engine, setup):
    open_vote(engine, setup)
    errors = []

    def voter(n):
        try:
            vote(engine, setup, n % 3, device=f"phone-{n}", client="10.1.1.1")
            vote(engine, setup, (n + 1) % 3, device=f"phone-{n}", client="10.1.1.1")
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=voter, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counted = tally(engine, setup)
    assert sum(counted.values()) == 60
    p1, p2, p3 = setup["pitches"]
    assert counted == {p1: 20, p2: 20, p3: 20}  # every voter's second vote
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(func.count()).select_from(Vote)).one() == 60


def test_mode_cannot_change_under_votes(engine, setup):
    open_vote(engine, setup)
    vote(engine, setup, 0)
    with pytest.raises(RoundStateError, match="anti-fraud mode"):
        do(
            engine,
            votes.configure,
            organiser_token=setup["organiser"],
            round_id=setup["round_id"],
            mode=VoteMode.TICKETS,
        )


def test_hidden_tally_is_revealed_after_close(engine, setup):
    do(
        engine,
        votes.configure,
        organiser_token=setup["organiser"],
        round_id=setup["round_id"],
        live_tally=False,
        on_projector=True,
    )
    open_vote(engine, setup)
    with session_scope(engine, read_only=True) as session:
        shown = votes.status(session=session, round_id=setup["round_id"])
        assert (
            votes.projected_round(session=session, contest_id=setup["contest"].id)
            == (setup["round_id"])
        )
    assert not shown.tally_shown
    with pytest.raises(RoundStateError, match="Close the vote"):
        do(engine, votes.reveal, organiser_token=setup["organiser"], round_id=setup["round_id"])
    do(engine, votes.close_window, organiser_token=setup["organiser"], round_id=setup["round_id"])
    do(engine, votes.reveal, organiser_token=setup["organiser"], round_id=setup["round_id"])
    with session_scope(engine, read_only=True) as session:
        assert votes.status(session=session, round_id=setup["round_id"]).tally_shown


def test_tally_of_a_round_without_vote_is_empty(engine, settings):
    data = make_judging(engine, settings, judges=1, pitches=2)
    with session_scope(engine, read_only=True) as session:
        assert votes.tally(session, data["round_id"]) == {}
