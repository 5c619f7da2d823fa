"""The judging pages through AppTest: judges, assignments, progress, and the judge's own page."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from pitchjudge.db import session_scope
from pitchjudge.models import Conflict, Judge, Mark
from pitchjudge.services import contests, judges, scoring
from tests.apptest_support import run_page, send_pending_marks, texts
from tests.factories import make_judging


def app(*, organiser=False, params=None, page=None) -> AppTest:
    return run_page(page, organiser=organiser, params=params)


def test_judges_page_adds_a_judge_with_a_working_link(app_env):
    engine, settings = app_env
    make_judging(engine, settings, judges=1, pitches=2, open_round=False)
    at = app(organiser=True, page="pages/judges.py")
    at.text_input(key="judge_new_name").set_value("Ada Lovelace")
    at.text_input(key="judge_new_email").set_value("ada@example.org")
    at.button(key="FormSubmitter:judge_new-Add the judge").click()
    at.run()
    assert "The judge is added" in texts(at)
    links = [c.value for c in at.code]
    assert len(links) == 2 and all("/?judge=" in link for link in links)
    with session_scope(engine, read_only=True) as session:
        ada = session.exec(select(Judge).where(Judge.name == "Ada Lovelace")).one()
        assert judges.judge_by_token(
            session=session, token=links[0].rsplit("=", 1)[1]
        ) or judges.judge_by_token(session=session, token=links[1].rsplit("=", 1)[1])
    at.button(key=f"judge_deactivate_{ada.id}").click().run()  # asks first
    at.button(key=f"judge_deactivate_{ada.id}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert not session.get(Judge, ada.id).active
    at.button(key=f"judge_active_{ada.id}").click().run()  # reactivating does not ask
    with session_scope(engine, read_only=True) as session:
        assert session.get(Judge, ada.id).active


def test_judges_page_records_a_conflict(app_env):
    engine, settings = app_env
    make_judging(engine, settings, judges=2, pitches=2, open_round=False)
    at = app(organiser=True, page="pages/judges.py")
    at.selectbox(key="conflict_judge").select_index(0)
    at.selectbox(key="conflict_pitch").select_index(1)
    at.text_input(key="conflict_reason").set_value("Shareholder")
    at.button(key="FormSubmitter:conflict_new-Record the conflict").click()
    at.run()
    assert "The conflict is recorded" in texts(at)
    with session_scope(engine, read_only=True) as session:
        conflict = session.exec(select(Conflict)).one()
    assert conflict.reason == "Shareholder" and conflict.declared_by == "organiser"


def test_assignments_page_plans_k_per_pitch(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=4, pitches=6, open_round=False)
    at = app(organiser=True, page="pages/assignments.py")
    at.radio[0].set_value("k_per_pitch")
    at.number_input[0].set_value(2)
    at.button(key="FormSubmitter:assignment_mode-Plan the assignments").click()
    at.run()
    # A first plan replaces nothing: it does not ask.
    assert "The assignments are planned" in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Assigned pairs"] == "12"
    assert metrics["Judges per pitch"] == "2–2"
    assert metrics["Load per judge"] == "3–3"
    with session_scope(engine, read_only=True) as session:
        assert contests.get_round(session=session, round_id=w["round_id"]).judges_per_pitch == 2


def test_progress_page_shows_completion(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine) as session:
        for criterion in w["criteria"]:
            scoring.save_mark(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][0],
                pitch_id=w["pitches"][0],
                criterion_id=criterion,
                value=3,
            )
        scoring.submit_scorecard(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
        )
    at = app(organiser=True, page="pages/progress.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Scorecards submitted"] == "1 / 4"
    table = at.dataframe[0].value
    assert list(table["Submitted"]) == [1, 0]
    history = at.dataframe[-1].value
    assert list(history["What"])[:2] == ["Team", "Problem & market"]
    assert history["After"].iloc[0] == "3"
    # The status in words, never the code "submitted".
    assert list(history["What"])[-1] == "Status" and list(history["After"])[-1] == "Submitted"


def test_judge_page_refuses_a_bad_link(app_env):
    engine, settings = app_env
    make_judging(engine, settings)
    at = app(params={"judge": "forged-token-" * 4})
    assert "not valid" in texts(at)


def test_judge_page_lists_pitches_and_saves_a_mark(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=3)
    at = app(params={"judge": w["tokens"][0]})
    assert "My pitches" in texts(at)
    assert "0 of 3 scorecards submitted" in "\n".join(
        p.text for p in at.get("progress")
    ) or "0 of 3" in texts(at)
    at.button(key="judge_next").click()
    at.run()
    assert not at.exception
    assert at.query_params["pitch"] == [str(w["pitches"][0])] or at.query_params["pitch"] == str(
        w["pitches"][0]
    )
    send_pending_marks(at, w, {w["criteria"][0]: 4.0})
    assert not at.exception
    with session_scope(engine, read_only=True) as session:
        marks = session.exec(select(Mark)).all()
    assert [(m.judge_id, m.value) for m in marks] == [(w["judges"][0], 4.0)]
    at.button(key="judge_submit").click()
    at.run()
    assert "Give a mark for every criterion" in texts(at)


def test_judge_page_hides_a_conflicted_pitch_even_by_url(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings)
    with session_scope(engine) as session:
        judges.add_conflict(
            session=session, judge_id=w["judges"][0], pitch_id=w["pitches"][1], reason="Advisor"
        )
    at = app(params={"judge": w["tokens"][0], "pitch": str(w["pitches"][1])})
    assert "conflict of interest" in texts(at)
    assert not at.get("image") and not at.get("bidi_component")


def test_judge_page_after_close_says_no_round_is_open(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    at = app(params={"judge": w["tokens"][0]})
    assert "No round is open for scoring" in texts(at)


def test_judge_page_long_scale_uses_a_number_box_that_saves(app_env):
    from pitchjudge.models import Criterion
    from pitchjudge.services import rubric

    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=1, open_round=False)
    with session_scope(engine) as session:
        team = session.get(Criterion, w["criteria"][0])
        rubric.update_criterion(
            session=session,
            criterion_id=team.id,
            data=rubric.CriterionInput(
                name=team.name,
                description=team.description,
                weight=team.weight,
                scale_min=0,
                scale_max=20,
                scale_step=0.5,
            ),
        )
        assert len(rubric.scale_values(team)) == 41
        contests.set_round_status(session=session, round_id=w["round_id"], status="open")
    at = app(params={"judge": w["tokens"][0], "pitch": str(w["pitches"][0])})
    box = at.number_input(key=f"mark_{w['round_id']}_{w['pitches'][0]}_{w['criteria'][0]}")
    box.set_value(13.5)
    at.run()
    assert not at.exception
    with session_scope(engine, read_only=True) as session:
        assert [m.value for m in session.exec(select(Mark))] == [13.5]
    assert len(at.get("bidi_component")) >= 1  # the other five criteria: the rubric buttons


def test_a_number_typed_while_the_database_is_away_stays_and_is_saved_when_it_is_back(
    app_env, monkeypatch
):
    from pitchjudge.errors import CONNECTION_LOST, DatabaseOutage
    from pitchjudge.models import Criterion
    from pitchjudge.services import rubric

    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=1, open_round=False)
    with session_scope(engine) as session:
        team = session.get(Criterion, w["criteria"][0])
        rubric.update_criterion(
            session=session,
            criterion_id=team.id,
            data=rubric.CriterionInput(
                name=team.name,
                description=team.description,
                weight=team.weight,
                scale_min=0,
                scale_max=20,
                scale_step=0.5,
            ),
        )
        contests.set_round_status(session=session, round_id=w["round_id"], status="open")
    at = app(params={"judge": w["tokens"][0], "pitch": str(w["pitches"][0])})
    key = f"mark_{w['round_id']}_{w['pitches'][0]}_{w['criteria'][0]}"
    save = scoring.save_mark

    def away(**_kwargs):
        raise DatabaseOutage(CONNECTION_LOST)

    monkeypatch.setattr(scoring, "save_mark", away)
    at.number_input(key=key).set_value(13.5)
    at.run()
    assert not at.exception and not at.error
    assert "Connection lost — retrying…" in [w.value for w in at.warning]
    assert at.number_input(key=key).value == 13.5  # kept in the box, not reset
    with session_scope(engine, read_only=True) as session:
        assert list(session.exec(select(Mark))) == []

    monkeypatch.setattr(scoring, "save_mark", save)  # the database is back
    at.run()  # the fragment's own retry (a few seconds later in a browser)
    assert not at.exception
    with session_scope(engine, read_only=True) as session:
        assert [m.value for m in session.exec(select(Mark))] == [13.5]
    at.run()
    assert "Connection lost — retrying…" not in [w.value for w in at.warning]
