"""Issue #9 through AppTest: dialogs that ask first, forms that clear, unjudged applications,
and the judge page's greeting, descriptors and missing marks."""

from __future__ import annotations

from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.models import Category, Conflict, Judge, Pitch, Round
from pitchjudge.security import new_token, token_hash
from pitchjudge.services import assignments, contests, judges, rubric, scoring
from tests.apptest_support import run_page, texts
from tests.factories import make_contest, make_judging, submit


def test_the_new_criterion_form_is_empty_after_adding_one(app_env):
    engine, _settings = app_env
    contest = make_contest(engine, with_rubric=False)
    at = run_page("pages/rubric.py", organiser=True)
    at.text_input(key="new0_name").set_value("Team")
    at.button(key="FormSubmitter:criterion_new_0-Add the criterion").click().run()
    assert "The criterion is added." in texts(at)
    assert at.text_input(key="new1_name").value == ""
    # A second one can be added at once, without a duplicate name left in the box.
    at.text_input(key="new1_name").set_value("Market")
    at.button(key="FormSubmitter:criterion_new_1-Add the criterion").click().run()
    with session_scope(engine, read_only=True) as session:
        names = [c.name for c in rubric.list_criteria(session=session, contest_id=contest.id)]
    assert names == ["Team", "Market"]


def test_the_new_round_form_is_empty_after_creating_one(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page("pages/rounds.py", organiser=True)
    at.text_input(key="round_new_name_0").set_value("Pre-selection")
    at.button(key="FormSubmitter:round_new_0-Create the round").click().run()
    assert "The round is created." in texts(at)
    assert at.text_input(key="round_new_name_1").value == ""


def test_a_refused_form_keeps_what_was_typed(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page("pages/rounds.py", organiser=True)
    at.text_input(key="round_new_name_0").set_value("x" * 500)
    at.button(key="FormSubmitter:round_new_0-Create the round").click().run()
    assert at.text_input(key="round_new_name_0").value == "x" * 500


def test_replacing_the_rubric_asks_first_with_the_count(app_env):
    engine, _settings = app_env
    contest = make_contest(engine)
    at = run_page("pages/rubric.py", organiser=True)
    at.button(key="rubric_template").click().run()
    assert "The 6 current criteria are deleted" in texts(at)
    at.button(key="rubric_template__cancel").click().run()
    assert "The 6 current criteria are deleted" not in texts(at)
    with session_scope(engine, read_only=True) as session:
        first = rubric.list_criteria(session=session, contest_id=contest.id)[0]
    at.button(key=f"delete_{first.id}").click().run()
    assert "The rubric keeps 5 criteria" in texts(at)
    at.button(key=f"delete_{first.id}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert len(rubric.list_criteria(session=session, contest_id=contest.id)) == 5


def test_revoking_a_judge_link_asks_first_and_counts_their_work(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=3)
    judge = w["judges"][0]
    at = run_page("pages/judges.py", organiser=True)
    at.button(key=f"judge_revoke_{judge}").click().run()
    assert "They have 3 scorecards still to submit in an open round" in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert session.get(Judge, judge).token_hash is not None
    at.button(key=f"judge_revoke_{judge}__confirm").click().run()
    assert "The link no longer works." in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert session.get(Judge, judge).token_hash is None


def test_releasing_feedback_of_an_open_round_asks_first(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=3)
    at = run_page("pages/results.py", organiser=True)
    at.toggle(key=f"feedback_released_{w['round_id']}").set_value(True).run()
    assert "6 scorecards are not submitted (0 of 6); 2 judges have not finished." in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert not session.get(Round, w["round_id"]).feedback_released
    at.button(key=f"feedback_release_{w['round_id']}__cancel").click().run()
    assert at.toggle(key=f"feedback_released_{w['round_id']}").value is False
    at.toggle(key=f"feedback_released_{w['round_id']}").set_value(True).run()
    at.button(key=f"feedback_release_{w['round_id']}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Round, w["round_id"]).feedback_released
    assert not at.exception


def test_assignments_and_progress_say_which_applications_have_no_judge(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine) as session:
        for name in ("Late One", "Late Two"):
            session.add(
                Pitch(
                    contest_id=w["contest"].id,
                    startup_name=name,
                    one_liner="late",
                    contact_email=f"{name[-3:]}@x.example",
                    token_hash=token_hash(new_token()),
                )
            )
    progress = run_page("pages/progress.py", organiser=True)
    assert "2 applications have no judge" in texts(progress)
    at = run_page("pages/assignments.py", organiser=True)
    assert "2 applications have no judge**: Late One, Late Two" in texts(at)
    metric = next(m for m in at.metric if m.label == "Judges per pitch")
    assert metric.value == "0–2"
    at.button(key=f"plan_unjudged_{w['round_id']}").click().run()
    assert "4 assignments added; the others are unchanged." in texts(at)
    assert "have no judge" not in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert assignments.unjudged_pitches(session=session, round_id=w["round_id"]) == []


def test_the_judge_page_greets_the_judge_and_names_missing_marks(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=2)
    at = run_page(params={"judge": w["tokens"][0]})
    assert "Hello Judge 1, thank you for judging." in texts(at)
    at.button(key="judge_next").click().run()
    at.button(key="judge_submit").click().run()
    assert "Missing: Team, Problem & market" in texts(at)
    state = at.session_state[f"judge_missing_{w['round_id']}_{w['pitches'][0]}"]
    assert state["ids"] == w["criteria"]
    assert not at.exception


def test_a_new_applicant_link_is_issued_only_after_the_dialog(app_env):
    from tests.factories import submit

    engine, settings = app_env
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id, startup_name="Alpha")
    with session_scope(engine, read_only=True) as session:
        before = session.get(Pitch, result.pitch.id).token_hash
    at = run_page("pages/applications.py", organiser=True)
    at.button(key=f"open_{result.pitch.id}").click().run()
    at.button(key=f"reissue_{result.pitch.id}").click().run()
    assert "current link stops working at once" in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert session.get(Pitch, result.pitch.id).token_hash == before
    at.button(key=f"reissue_{result.pitch.id}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Pitch, result.pitch.id).token_hash != before
    assert any("token=" in c.value for c in at.code)
    assert not at.exception


def test_planning_again_asks_first_and_cancel_keeps_the_pairs(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=3, pitches=4)
    # One pair already holds a mark: the new plan keeps it.
    with session_scope(engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            criterion_id=w["criteria"][0],
            value=3,
        )
        before = assignments.assigned_pairs(session=session, round_id=w["round_id"])
    at = run_page("pages/assignments.py", organiser=True)
    at.radio[0].set_value("k_per_pitch")
    at.number_input[0].set_value(1)
    at.button(key="FormSubmitter:assignment_mode-Plan the assignments").click().run()
    shown = texts(at)
    assert "12 judge–pitch pairs are replaced by a new plan** of 4" in shown
    assert "8 pairs removed" in shown and "1 pair already holds marks" in shown
    at.button(key=f"assignments_replan_{w['round_id']}__cancel").click().run()
    with session_scope(engine, read_only=True) as session:
        assert assignments.assigned_pairs(session=session, round_id=w["round_id"]) == before
    at.button(key="FormSubmitter:assignment_mode-Plan the assignments").click().run()
    at.button(key=f"assignments_replan_{w['round_id']}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        after = assignments.assigned_pairs(session=session, round_id=w["round_id"])
    assert len(after) == 4 and (w["judges"][0], w["pitches"][0]) in after
    assert "The assignments are planned." in texts(at)
    assert not at.exception


def test_deactivating_a_judge_asks_first_and_counts_their_work(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=3)
    judge = w["judges"][1]
    at = run_page("pages/judges.py", organiser=True)
    at.button(key=f"judge_deactivate_{judge}").click().run()
    assert "3 scorecards of theirs in an open round will not be submitted" in texts(at)
    at.button(key=f"judge_deactivate_{judge}__cancel").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Judge, judge).active
    at.button(key=f"judge_deactivate_{judge}").click().run()
    at.button(key=f"judge_deactivate_{judge}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert not session.get(Judge, judge).active
    assert "The judge is saved." in texts(at)


def test_removing_a_conflict_asks_first_and_says_what_the_judge_sees_again(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine) as session:
        judges.add_conflict(
            session=session, judge_id=w["judges"][0], pitch_id=w["pitches"][1], reason="Investor"
        )
        conflict = session.exec(select(Conflict)).one().id
    at = run_page("pages/judges.py", organiser=True)
    at.button(key=f"conflict_remove_{conflict}").click().run()
    assert "Judge 1 will see" in texts(at) and "deck and marks" in texts(at)
    at.button(key=f"conflict_remove_{conflict}__cancel").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Conflict, conflict) is not None
    at.button(key=f"conflict_remove_{conflict}").click().run()
    at.button(key=f"conflict_remove_{conflict}__confirm").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Conflict, conflict) is None
    assert "The conflict is removed." in texts(at)


def test_deleting_a_category_asks_first_and_a_used_one_is_refused_in_the_dialog(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    submit(engine, settings, contest.id)  # chooses the first category
    with session_scope(engine, read_only=True) as session:
        used, free = contests.list_categories(session=session, contest_id=contest.id)[:2]
        count = len(contests.list_categories(session=session, contest_id=contest.id))
    at = run_page("pages/contest.py", organiser=True)
    at.button(key=f"category_delete_{free.id}").click().run()
    assert f"Applicants will no longer be offered {free.name}" in texts(at)
    assert f"{count - 1} other categor" in texts(at)
    at.button(key=f"category_delete_{free.id}__cancel").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Category, free.id) is not None
    at.button(key=f"category_delete_{free.id}").click().run()
    at.button(key=f"category_delete_{free.id}__confirm").click().run()
    assert "The category is deleted." in texts(at)
    at.button(key=f"category_delete_{used.id}").click().run()
    assert f"1 application chose {used.name}: it cannot be deleted" in texts(at)
    at.button(key=f"category_delete_{used.id}__confirm").click().run()  # refused, said why
    with session_scope(engine, read_only=True) as session:
        assert session.get(Category, used.id) is not None
    assert not at.exception


def test_declaring_a_conflict_asks_first_and_counts_the_judges_marks(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=2)
    judge, pitch = w["judges"][0], w["pitches"][0]
    with session_scope(engine) as session:
        for criterion in w["criteria"][:2]:
            scoring.save_mark(
                session=session,
                round_id=w["round_id"],
                judge_id=judge,
                pitch_id=pitch,
                criterion_id=criterion,
                value=4,
            )
    at = run_page(params={"judge": w["tokens"][0], "pitch": str(pitch)})
    at.text_input(key=f"judge_conflict_reason_{pitch}").input("I advise them")
    at.button(key="judge_declare").click().run()
    shown = texts(at)
    assert "You declare a conflict of interest with **Startup 1**." in shown
    assert "The 2 marks you gave it will no longer count." in shown
    at.button(key="judge_declare__cancel").click().run()
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(Conflict)).all() == []  # cancel: nothing declared
    at.button(key="judge_declare").click().run()
    at.button(key="judge_declare__confirm").click().run()
    assert not at.exception
    with session_scope(engine, read_only=True) as session:
        [conflict] = session.exec(select(Conflict)).all()
        mine = scoring.judge_pitches(session=session, round_id=w["round_id"], judge_id=judge)
    assert (conflict.judge_id, conflict.pitch_id) == (judge, pitch)
    assert conflict.reason == "I advise them"
    assert pitch not in [p.pitch_id for p in mine]
