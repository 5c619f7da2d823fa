"""The audience vote's organiser panel (Stage page) and projector view through AppTest."""

from __future__ import annotations

from pitchjudge.db import session_scope
from pitchjudge.models import Pitch, VoteMode
from pitchjudge.services import auth, board, votes
from tests.apptest_support import run_page, texts
from tests.factories import make_judging

HOSTILE = "<img src=x onerror=alert(1)>**bold**"


def status(engine, w):
    with session_scope(engine, read_only=True) as session:
        return votes.status(session=session, round_id=w["round_id"])


def test_the_organiser_opens_and_closes_the_vote_after_confirming(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    at = run_page("pages/stage.py", organiser=True)
    assert status(engine, w).state == votes.NOT_OPEN
    at.button(key=f"vote_open_{w['round_id']}").click().run()
    assert "The vote is open." in texts(at)
    assert status(engine, w).state == votes.OPEN
    with session_scope(engine) as session:
        votes.cast_vote(
            session=session, token=status(engine, w).token, pitch_id=w["pitches"][0], device_id="a"
        )
    at.run()
    at.button(key="vote_close").click().run()
    assert "**1** person has voted." in texts(at)  # the dialog says what it will do
    assert status(engine, w).state == votes.OPEN
    at.button(key="vote_close__confirm").click().run()
    assert "The vote is closed." in texts(at)
    assert status(engine, w).state == votes.CLOSED
    assert not at.exception


def test_ticket_codes_are_generated_then_replaced_after_confirming(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    at = run_page("pages/stage.py", organiser=True)
    at.radio(key=f"vote_mode_{w['round_id']}").set_value(VoteMode.TICKETS).run()
    assert status(engine, w).mode == VoteMode.TICKETS
    at.number_input(key=f"vote_ticket_count_{w['round_id']}").set_value(30).run()
    at.button(key="vote_generate").click().run()
    assert "30 codes generated." in texts(at)
    assert status(engine, w).tickets == 30
    assert [b.label for b in at.get("download_button")] == [
        "Badges to print (QR codes)",
        "Codes as CSV (ticketing tool)",
    ]
    at.button(key="vote_tickets").click().run()
    assert "The **30** codes printed so far stop working" in texts(at)
    at.button(key="vote_tickets__confirm").click().run()
    assert status(engine, w).tickets == 30 and not at.exception


def test_the_projector_shows_the_vote_and_its_tally_escaped(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    with session_scope(engine) as session:
        session.get(Pitch, w["pitches"][0]).startup_name = HOSTILE
        organiser = auth.open_organiser_session(session=session)
        display = board.display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
    with session_scope(engine) as session:
        votes.configure(
            session=session, organiser_token=organiser, round_id=w["round_id"], on_projector=True
        )
        votes.open_window(session=session, organiser_token=organiser, round_id=w["round_id"])
        token = votes.window_for_round(session=session, round_id=w["round_id"]).token
        votes.cast_vote(session=session, token=token, pitch_id=w["pitches"][0], device_id="a")
    at = run_page(params={"display": display})
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert 'data-voters="1"' in html and 'class="pj-bar" style="width:100.0%"' in html
    assert "&lt;img src=x onerror=alert(1)&gt;**bold**" in html and "<img src=x" not in html
    # Hidden until the reveal.
    with session_scope(engine) as session:
        votes.configure(
            session=session, organiser_token=organiser, round_id=w["round_id"], live_tally=False
        )
    at.run()
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "hidden until the reveal" in html and 'class="pj-bar"' not in html
    assert not at.exception
