"""Issue #9, item 3: after an action, every widget of the page shows the new state (not what
the session remembered from before), on the organiser pages besides Rounds."""

from __future__ import annotations

from pitchjudge.db import session_scope
from pitchjudge.models import Category, Judge, Pitch
from pitchjudge.services import contests, rubric
from tests.apptest_support import run_page, texts
from tests.factories import make_contest, make_judging, submit


def _badges(at) -> list[str]:
    """The st.badge texts (Markdown `:colour-badge[text]`)."""
    return [m.value.split("[", 1)[1].rstrip("]") for m in at.markdown if "-badge[" in m.value]


def test_judges_page_after_deactivating_and_renaming(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=2, pitches=2)
    judge = w["judges"][0]
    at = run_page("pages/judges.py", organiser=True)
    at.button(key=f"judge_deactivate_{judge}").click().run()
    at.button(key=f"judge_deactivate_{judge}__confirm").click().run()
    # The badge, the button and the link box all say "inactive" at once.
    labels = [b.label for b in at.button]
    assert "Reactivate" in labels and labels.count("Deactivate") == 1
    assert "Inactive judges have no working link." in texts(at)
    assert len(at.code) == 1  # only the active judge's link is shown
    # The edit form shows the saved name, and the judge list too.
    form_name = next(t for t in at.text_input if t.value == "Judge 2")
    form_name.set_value("Judge Two")
    at.button(key="FormSubmitter:judge_edit_" + str(w["judges"][1]) + "-Save").click().run()
    assert "Judge Two" in texts(at)
    assert any(t.value == "Judge Two" for t in at.text_input)
    assert not any(t.value == "Judge 2" for t in at.text_input)
    with session_scope(engine, read_only=True) as session:
        assert session.get(Judge, w["judges"][1]).name == "Judge Two"


def test_contest_page_after_renaming_and_deleting_categories(app_env):
    engine, _settings = app_env
    contest = make_contest(engine, categories=("Santé", "Climat", "Mobilité"))
    with session_scope(engine, read_only=True) as session:
        ids = [c.id for c in contests.list_categories(session=session, contest_id=contest.id)]
    at = run_page("pages/contest.py", organiser=True)
    at.text_input(key=f"category_name_{ids[0]}").set_value("Santé & bien-être").run()
    at.button(key=f"category_rename_{ids[0]}").click().run()
    assert at.text_input(key=f"category_name_{ids[0]}").value == "Santé & bien-être"
    assert at.button(key=f"category_rename_{ids[0]}").disabled  # nothing left to rename
    at.button(key=f"category_delete_{ids[1]}").click().run()
    at.button(key=f"category_delete_{ids[1]}__confirm").click().run()
    shown = {t.key: t.value for t in at.text_input if (t.key or "").startswith("category_name_")}
    assert shown == {
        f"category_name_{ids[0]}": "Santé & bien-être",
        f"category_name_{ids[2]}": "Mobilité",
    }
    with session_scope(engine, read_only=True) as session:
        assert session.get(Category, ids[1]) is None


def test_applications_page_after_a_decision(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    pitch = submit(engine, settings, contest.id).pitch.id
    at = run_page("pages/applications.py", organiser=True)
    at.session_state["applications_selected"] = pitch
    at.run()
    at.button(key="status_shortlisted").click().run()
    assert at.button(key="status_shortlisted").disabled
    assert not at.button(key="status_submitted").disabled
    assert "Shortlisted" in _badges(at)
    with session_scope(engine, read_only=True) as session:
        assert session.get(Pitch, pitch).status == "shortlisted"
    at.button(key="status_rejected").click().run()
    assert at.button(key="status_rejected").disabled and _badges(at) == ["Not selected"]
    assert "Shortlisted" not in _badges(at)


def test_rubric_page_after_saving_a_weight(app_env):
    engine, _settings = app_env
    contest = make_contest(engine)
    at = run_page("pages/rubric.py", organiser=True)
    with session_scope(engine, read_only=True) as session:
        first = rubric.list_criteria(session=session, contest_id=contest.id)[0]
        count = len(rubric.list_criteria(session=session, contest_id=contest.id))
    assert any(e.label.startswith(f"1. {first.name} — ") for e in at.expander)
    at.number_input(key=f"c{first.id}_weight").set_value(first.weight * (count - 1))
    at.button(key=f"FormSubmitter:criterion_{first.id}-Save the criterion").click().run()
    # The titles show the new shares (from the database), the box holds the saved weight.
    with session_scope(engine, read_only=True) as session:
        criteria = rubric.list_criteria(session=session, contest_id=contest.id)
        shares = rubric.weight_percentages(criteria)
    assert shares[0] > 50
    titles = [e.label for e in at.expander if e.label[:2] in {f"{i + 1}." for i in range(9)}]
    assert titles == [
        f"{i + 1}. {c.name} — {share:.0f} %"
        for i, (c, share) in enumerate(zip(criteria, shares, strict=True))
    ]
    assert at.number_input(key=f"c{first.id}_weight").value == first.weight * (count - 1)
