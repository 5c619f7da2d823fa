"""Every page through Streamlit's AppTest, against a real SQLite file and the real deck worker."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from pitchjudge.db import session_scope
from pitchjudge.formatting import escape_markdown
from pitchjudge.models import AuditEvent, Contest, Pitch, PitchStatus, utcnow
from pitchjudge.services import applications, rubric
from pitchjudge.ui import state
from tests import pdf_samples
from tests.apptest_support import APP, run_page, texts
from tests.factories import make_contest, submit

HOSTILE_NAME = "**Bold** <b>Co</b> [x](http://evil.example)"


def test_apply_page_without_contest_says_so(app_env):
    at = run_page()
    assert "No contest is open yet" in texts(at)


def test_apply_page_shows_call_deadline_categories_and_rubric(app_env):
    engine, _settings = app_env
    make_contest(engine, name="Prix Lyon 2027")
    at = run_page()
    body = texts(at)
    assert "Prix Lyon 2027" in body
    assert "Deadline" in body and "(Europe/Paris)" in body
    assert "Santé" in body and "Climat" in body
    assert at.metric[0].label == "Time left"
    assert "days" in at.metric[0].value
    rubric_table = at.dataframe[0].value
    assert list(rubric_table.iloc[:, 0]) == [c.name for c in rubric.classic_template("en")]
    assert list(rubric_table["Weight"]) == ["20 %", "20 %", "20 %", "15 %", "15 %", "10 %"]


def fill_apply_form(
    at: AppTest,
    *,
    deck: bytes | None,
    email: str = "camille@kelvio.example",
    name: str = "Kelvio",
    consent: bool = True,
) -> None:
    at.text_input(key="f_name").set_value(name)
    at.text_input(key="f_one_liner").set_value("Heat pumps installed in a week")
    at.selectbox(key="f_category").select_index(0)
    at.text_input(key="f_website").set_value("kelvio.example")
    at.text_input(key="f_founders").set_value("Camille Martin (CEO)")
    at.text_input(key="f_email").set_value(email)
    at.text_area(key="f_description").set_value("We install heat pumps.")
    if deck is not None:
        at.file_uploader(key="f_deck").set_value(("deck.pdf", deck, "application/pdf"))
    at.checkbox(key="f_consent").set_value(consent)


def submit_form(at: AppTest) -> None:
    at.button(key="FormSubmitter:apply_form-Submit my application").click()
    at.run()
    assert not at.exception, at.exception


def test_apply_succeeds_and_shows_the_private_link_once(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page()
    fill_apply_form(at, deck=pdf_samples.make_deck(pages=4))
    submit_form(at)
    assert "is registered" in texts(at)
    link = at.code[0].value
    assert "/?token=" in link
    query = parse_qs(urlsplit(link).query)
    token = query["token"][0]
    assert query["lang"] == ["en"]  # the link opens in the language the applicant used
    with session_scope(engine, read_only=True) as session:
        pitch = applications.application_by_token(session=session, token=token)
    assert pitch.website == "https://kelvio.example"


@pytest.mark.parametrize(
    ("deck", "words"),
    [
        (pdf_samples.png_bytes(), "not a PDF"),
        (pdf_samples.make_encrypted_deck(user_password="pw"), "password"),
        (None, "Attach your pitch deck"),
    ],
    ids=["renamed-png", "encrypted", "missing"],
)
def test_apply_refuses_bad_decks_with_a_clear_message(app_env, deck, words):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page()
    fill_apply_form(at, deck=deck)
    submit_form(at)
    assert words in texts(at)
    assert at.text_input(key="f_name").value == "Kelvio"  # nothing typed is lost
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(Pitch)).all() == []


def test_apply_lists_every_field_problem(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page()
    fill_apply_form(at, deck=pdf_samples.make_deck(), email="not-an-email", name="")
    submit_form(at)
    body = texts(at)
    assert "Startup name is required" in body
    assert "not a valid email address" in body


def test_apply_shows_each_problem_at_its_field_and_a_summary_at_the_button(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page()
    fill_apply_form(at, deck=pdf_samples.png_bytes(), email="camille@", name="", consent=False)
    submit_form(at)
    errors = [e.value for e in at.error]
    # One message per field, in form order, then the summary naming the four fields.
    assert "Startup name is required" in errors[0]
    assert "not a valid email address" in errors[1]
    assert "not a PDF" in errors[2]
    assert "Agree to the processing of your data" in errors[3]
    assert "4 fields to correct" in errors[4]
    assert re.search(r"Startup name.*Contact email.*Pitch deck.*Consent", errors[4])
    assert at.text_input(key="f_email").value == "camille@"  # nothing typed is lost


def test_apply_shows_the_organisers_privacy_notice_and_stores_the_consent(app_env):
    engine, _settings = app_env
    contest = make_contest(engine)
    with session_scope(engine) as session:
        session.get(Contest, contest.id).privacy_text = "Your data stays with *Lyon Startups*."
    at = run_page()
    assert "Your data stays with *Lyon Startups*." in texts(at)
    fill_apply_form(at, deck=pdf_samples.make_deck(pages=2))
    submit_form(at)
    assert "is registered" in texts(at)
    with session_scope(engine, read_only=True) as session:
        (pitch,) = session.exec(select(Pitch)).all()
    assert pitch.consent_at is not None
    assert pitch.consent_text == "Your data stays with *Lyon Startups*."
    assert pitch.language == "en"


def test_a_private_link_opens_in_the_language_the_applicant_used(app_env):
    # A French contest; the applicant applied in English. Their link without `?lang=` (one
    # handed out before, or typed by hand) still opens in English; `?lang=fr` wins.
    engine, settings = app_env
    contest = make_contest(engine)
    with session_scope(engine) as session:
        session.get(Contest, contest.id).language = "fr"
    result = submit(engine, settings, contest.id, language="en")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["token"] = result.token
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "My application"
    assert at.query_params["lang"] in ("en", ["en"])  # kept in the address for a reload
    french = AppTest.from_file(APP, default_timeout=60)
    french.query_params["token"] = result.token
    french.query_params["lang"] = "fr"
    french.run()
    assert french.title[0].value == "Ma candidature"


def test_apply_page_after_deadline_has_no_form(app_env):
    engine, _settings = app_env
    now = utcnow()
    make_contest(engine, opens=now - timedelta(days=9), closes=now - timedelta(days=1))
    at = run_page()
    assert "applications are closed" in texts(at)
    assert not [b for b in at.button if "Submit" in b.label]


def test_apply_page_in_french(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page(lang="fr")
    assert "Date limite" in texts(at)
    assert at.metric[0].label == "Temps restant"


def test_my_application_without_or_with_a_bad_token(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page("pages/my_application.py")
    assert "private link" in texts(at)
    at = run_page("pages/my_application.py", params={"token": "forged" * 8})
    assert "not valid" in texts(at)


def test_my_application_shows_inert_text_and_edits(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id, startup_name=HOSTILE_NAME)
    at = run_page("pages/my_application.py", params={"token": result.token})
    assert (
        at.subheader[0].value == r"\*\*Bold\*\* \<b\>Co\</b\> \[x\]\(http\:\/\/evil\.example\)"
        or "\\*\\*Bold" in at.subheader[0].value
    )
    assert all("<b>" not in m.value.replace("\\<b\\>", "") for m in at.markdown)
    at.text_input(key="mine_edit_one_liner").set_value("A new one-liner")
    at.button(key="FormSubmitter:mine_edit-Save my changes").click()
    at.run()
    assert "Your changes are saved" in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert session.get(Pitch, result.pitch.id).one_liner == "A new one-liner"


def test_my_application_withdraw_needs_confirmation(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    at = run_page("pages/my_application.py", params={"token": result.token})
    assert at.button(key="mine_withdraw").disabled
    at.checkbox(key="mine_confirm_withdraw").check()
    at.run()
    at.button(key="mine_withdraw").click()
    at.run()
    assert "withdrawn" in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert session.get(Pitch, result.pitch.id).status == PitchStatus.WITHDRAWN


def test_my_application_after_deadline_is_read_only(app_env):
    engine, settings = app_env
    now = utcnow()
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    with session_scope(engine) as session:
        from pitchjudge.models import Contest

        stored = session.get(Contest, contest.id)
        stored.applications_close_at = now - timedelta(minutes=1)
        stored.applications_open_at = now - timedelta(days=20)
        session.add(stored)
    at = run_page("pages/my_application.py", params={"token": result.token})
    assert "can no longer be changed" in texts(at)
    assert not at.tabs


@pytest.mark.parametrize(
    "page", ["pages/applications.py", "pages/contest.py", "pages/rubric.py", "pages/rounds.py"]
)
def test_organiser_pages_refuse_visitors_even_when_reached_directly(app_env, page):
    engine, _settings = app_env
    make_contest(engine)
    # Started alone (as Streamlit does for a bookmarked address), the page hands over to the
    # entry script, whose navigation gives a visitor the public pages only.
    at = AppTest.from_file(str(Path(APP).parent / page), default_timeout=30)
    at.session_state[state.LANGUAGE_KEY] = "en"
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Prix Test 2027"]  # the Apply page's title
    assert at.text_input(key="f_name").label == "Startup name *"
    assert "Sign out" not in [b.label for b in at.button]


def test_sign_in_refuses_wrong_password_then_accepts_the_right_one(app_env):
    at = run_page("pages/sign_in.py")
    at.text_input(key="sign_in_password").set_value("wrong password")
    at.button(key="FormSubmitter:sign_in_form-Sign in").click()
    at.run()
    assert "Wrong password" in texts(at)
    at.text_input(key="sign_in_password").set_value("organiser-secret")
    at.button(key="FormSubmitter:sign_in_form-Sign in").click()
    at.run()
    assert not at.exception
    assert at.session_state[state.ORGANISER_KEY] is True


def test_contest_page_creates_and_validates(app_env):
    at = run_page("pages/contest.py", organiser=True)
    at.text_input[0].set_value("Prix 2027")
    at.button(key="FormSubmitter:contest_form-Create the contest").click()
    at.run()
    assert "The contest is saved" in texts(at)
    at.text_input[0].set_value("   ")
    at.button(key="FormSubmitter:contest_form-Save").click()
    at.run()
    assert "Contest name is required" in texts(at)


def test_rubric_page_template_weights_and_lock(app_env):
    engine, _settings = app_env
    contest = make_contest(engine, with_rubric=False)
    at = run_page("pages/rubric.py", organiser=True)
    assert "The rubric is empty" in texts(at)
    at.button(key="rubric_template").click()
    at.run()
    assert "classic template is in place" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Share"].round()) == [20, 20, 20, 15, 15, 10]
    with session_scope(engine, read_only=True) as session:
        first = rubric.list_criteria(session=session, contest_id=contest.id)[0]
    at.number_input(key=f"c{first.id}_max").set_value(4.0)
    at.number_input(key=f"c{first.id}_step").set_value(2.0)
    at.button(key=f"FormSubmitter:criterion_{first.id}-Save the criterion").click()
    at.run()
    assert "do not reach" in texts(at)


def test_rounds_page_creates_and_moves_status(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page("pages/rounds.py", organiser=True)
    assert "No round yet" in texts(at)
    at.text_input[0].set_value("Pre-selection")
    at.button(key="FormSubmitter:round_new_0-Create the round").click()
    at.run()
    assert "The round is created" in texts(at)
    open_button = next(b for b in at.button if b.label == "Open for judging")
    open_button.click()
    at.run()
    assert "now open" in texts(at)


def test_applications_page_lists_opens_and_decides(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id, startup_name=HOSTILE_NAME)
    submit(engine, settings, contest.id, startup_name="Beta", contact_email="b@beta.example")
    at = run_page("pages/applications.py", organiser=True)
    assert [m.value for m in at.metric][:2] == ["2", "2"]
    at.button(key=f"open_{result.pitch.id}").click()
    at.run()
    assert "\\*\\*Bold" in at.header[0].value
    at.button(key="status_shortlisted").click()
    at.run()
    with session_scope(engine, read_only=True) as session:
        assert session.get(Pitch, result.pitch.id).status == PitchStatus.SHORTLISTED
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "status")).all()
    assert len(events) == 1
    at.text_input(key="applications_search").set_value("beta")
    at.run()
    assert "1 of 2 applications shown" in texts(at) or any("1 of 2" in c.value for c in at.caption)


def test_applications_page_empty_state(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page("pages/applications.py", organiser=True)
    assert "No application yet" in texts(at)


HOSTILE = {
    "startup_name": "<img src=x onerror=alert(1)> **Bold**",
    "one_liner": "[click](javascript:alert(1)) _it_",
    "founders": "<script>alert('f')</script> :red[Red]",
    "description": "# Title\n$E=mc^2$ <b>bold</b>\n- item",
}


@pytest.mark.parametrize("page", ["pages/my_application.py", "pages/applications.py"])
def test_html_and_markdown_in_every_field_stay_inert(app_env, page):
    engine, settings = app_env
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id, website="https://ok.example", **HOSTILE)
    if page == "pages/my_application.py":
        at = run_page(page, params={"token": result.token})
    else:
        at = run_page(page, organiser=True)
        at.session_state["applications_selected"] = result.pitch.id
        at.run()
    joined = "\n".join(
        [m.value for m in at.markdown] + [h.value for h in [*at.header, *at.subheader]]
    )
    for value in HOSTILE.values():
        for line in value.splitlines():
            assert escape_markdown(line) in joined, line
    # Nothing Markdown or HTML would act on is left unescaped.
    for pattern in (
        r"(?<!\\)<(img|script|b)\b",
        r"(?<!\\)\[click",
        r"(?<!\\)\$E",
        r"(?<!\\):red",
        r"^(?<!\\)# Title",
    ):
        assert not re.search(pattern, joined, re.M), pattern


def test_rounds_page_locks_only_after_confirmation(app_env):
    engine, _settings = app_env
    contest = make_contest(engine)
    from pitchjudge.services import contests

    with session_scope(engine) as session:
        round_ = contests.create_round(session=session, contest_id=contest.id, name="Final")
        contests.set_round_status(session=session, round_id=round_.id, status="open")
        contests.set_round_status(session=session, round_id=round_.id, status="closed")
    at = run_page("pages/rounds.py", organiser=True)
    at.button(key=f"round_locked_{round_.id}").click()  # opens the dialog, changes nothing
    at.run()
    with session_scope(engine, read_only=True) as session:
        assert contests.get_round(session=session, round_id=round_.id).status == "closed"
    assert "Locking is final" in texts(at)
    at.button(key=f"round_locked_{round_.id}__confirm").click()
    at.run()
    with session_scope(engine, read_only=True) as session:
        assert contests.get_round(session=session, round_id=round_.id).status == "locked"
