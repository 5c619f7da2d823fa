"""The Prizes page and the public palmarès through AppTest."""

from __future__ import annotations

from pitchjudge.db import session_scope
from pitchjudge.services import awards
from tests.apptest_support import run_page, texts
from tests.factories import make_judging
from tests.test_promotion import mark_all


def scored(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=3)
    mark_all(engine, w, w["round_id"], w["judges"], {0: 5, 1: 4, 2: 3})
    return w


def add_prize(at, name: str, sponsor: str = "", amount: float = 0.0, exclusive: bool = True):
    at.text_input(key="pf_name_new").set_value(name)
    at.text_input(key="pf_sponsor_new").set_value(sponsor)
    at.number_input(key="pf_amount_new").set_value(amount)
    at.checkbox(key="pf_exclusive_new").set_value(exclusive)
    at.button(key="FormSubmitter:prize_form-Add the prize").click().run()
    assert not at.exception, at.exception
    return at


def test_prizes_page_defines_prizes_explains_and_freezes_after_asking(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    at = run_page("pages/prizes.py", organiser=True)
    assert "No prize yet" in texts(at)
    add_prize(at, "Grand Prize", "City", 10000)
    add_prize(at, "Runner-up <b>x</b>", "Bank", 2500)
    assert "The prize is saved." in texts(at)
    page = texts(at)
    assert "Grand Prize** → **Startup 1" in page
    # Typed text is shown literally, never as HTML.
    assert "Runner\\-up \\<b\\>x\\</b\\>" in page
    plain = page.replace("\\", "")
    assert "Startup 1 is No. 1 on the jury ranking but already holds Grand Prize" in plain

    at.button(key="prizes_freeze").click().run()
    page = texts(at).replace("\\", "")
    assert "2 of 2 prizes will be awarded, 12,500.00 in all." in page
    with session_scope(engine, read_only=True) as session:
        assert not awards.palmares_state(session=session, contest_id=w["contest"].id).frozen
    at.button(key="prizes_freeze__confirm").click().run()
    assert "The allocation is confirmed." in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert awards.palmares_state(session=session, contest_id=w["contest"].id).frozen
    # Frozen: no edit buttons, the ceremony can start.
    assert not [b for b in at.button if b.key and b.key.startswith("prize_delete_")]
    at.button(key="prizes_ceremony_on").click().run()
    assert "Step 0 of 6" in texts(at)
    at.button(key="prizes_ceremony_next").click().run()
    assert "Step 1 of 6" in texts(at)


def test_deleting_a_prize_asks_first(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    at = run_page("pages/prizes.py", organiser=True)
    add_prize(at, "Grand Prize")
    with session_scope(engine, read_only=True) as session:
        (prize,) = awards.list_prizes(session=session, contest_id=w["contest"].id)
    at.button(key=f"prize_delete_{prize.id}").click().run()
    assert "0 prizes remain" in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert len(awards.list_prizes(session=session, contest_id=w["contest"].id)) == 1
    at.button(key=f"prize_delete_{prize.id}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert awards.list_prizes(session=session, contest_id=w["contest"].id) == []


def test_an_empty_name_is_refused_in_french(app_env):
    engine, settings = app_env
    scored(engine, settings)
    at = run_page("pages/prizes.py", organiser=True, lang="fr")
    at.button(key="FormSubmitter:prize_form-Ajouter le prix").click().run()
    assert "Donnez un nom au prix." in texts(at).replace("\\", "")


def test_prizes_page_is_for_organisers_only(app_env):
    at = run_page("pages/prizes.py")
    assert "This page is for organisers" in texts(at)


def test_public_palmares_is_closed_until_opened(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    at = run_page("pages/palmares.py")
    assert "The results are not published yet." in texts(at)
    from pitchjudge.services import auth

    with session_scope(engine) as session:
        token = auth.open_organiser_session(session=session)
        awards.save_prize(
            session=session,
            organiser_token=token,
            contest_id=w["contest"].id,
            form=awards.PrizeForm(name="Grand Prize"),
        )
    with session_scope(engine) as session:
        awards.freeze(session=session, organiser_token=token, contest_id=w["contest"].id)
        awards.set_public(
            session=session, organiser_token=token, contest_id=w["contest"].id, on=True
        )
    at = run_page("pages/palmares.py")
    assert "Startup 1" in texts(at)


def test_the_projector_shows_the_ceremony_slide_with_names_escaped(app_env):
    from pitchjudge.models import Pitch
    from pitchjudge.services import auth, board

    engine, settings = app_env
    w = scored(engine, settings)
    hostile = "<img src=x onerror=alert(1)>"
    with session_scope(engine) as session:
        session.get(Pitch, w["pitches"][0]).startup_name = hostile
        token = auth.open_organiser_session(session=session)
        display = board.display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
        awards.save_prize(
            session=session,
            organiser_token=token,
            contest_id=w["contest"].id,
            form=awards.PrizeForm(name="Grand <b>Prize</b>", sponsor="City"),
        )
    with session_scope(engine) as session:
        awards.freeze(session=session, organiser_token=token, contest_id=w["contest"].id)
        awards.set_ceremony(
            session=session, organiser_token=token, contest_id=w["contest"].id, on=True
        )
        for _step in range(3):
            awards.move_ceremony(
                session=session, organiser_token=token, contest_id=w["contest"].id, offset=1
            )
    at = run_page(params={"display": display})
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "Grand &lt;b&gt;Prize&lt;/b&gt;" in html
    assert "Offered by City" in html
    assert not at.get("plotly_chart")  # the leaderboard is not drawn under the ceremony


def test_a_tie_is_shown_and_the_organiser_picks_the_winner(app_env):
    from pitchjudge.models import PrizeEligibility, PrizeSource
    from pitchjudge.services import auth

    engine, settings = app_env
    w = scored(engine, settings)
    with session_scope(engine) as session:
        token = auth.open_organiser_session(session=session)
        prize = awards.save_prize(
            session=session,
            organiser_token=token,
            contest_id=w["contest"].id,
            # Nobody has voted yet: the two listed startups are tied.
            form=awards.PrizeForm(
                name="People's Choice",
                source=PrizeSource.AUDIENCE,
                eligibility=PrizeEligibility.LIST,
                pitch_ids=w["pitches"][1:],
            ),
        ).id
    at = run_page("pages/prizes.py", organiser=True)
    plain = texts(at).replace("\\", "")
    assert "Startup 2, Startup 3 are tied on the audience vote" in plain
    assert at.button(key="prizes_freeze").disabled
    at.radio(key=f"prize_tie_{prize}").set_value(w["pitches"][2]).run()
    at.button(key=f"prize_pick_{prize}").click().run()
    plain = texts(at).replace("\\", "")
    assert "Your pick is saved." in plain
    assert "the organiser gave People's Choice to Startup 3" in plain
    assert not at.button(key="prizes_freeze").disabled


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_ceremony_screen_meets_aa_contrast():
    import re

    from pitchjudge.ui import palmares_screen

    style = palmares_screen.STYLE
    assert f"background: {palmares_screen.BACKGROUND}" in style
    used = set(re.findall(r"[^-]color: (#[0-9a-fA-F]{6})", style))
    assert used and used <= set(palmares_screen.TEXT_COLOURS.values())
    back = _luminance(palmares_screen.BACKGROUND)
    for colour in used:
        ratio = (max(_luminance(colour), back) + 0.05) / (min(_luminance(colour), back) + 0.05)
        assert ratio >= 4.5, (colour, ratio)
