"""Applications through the services, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import func, select

from pitchjudge import decks as decks_module
from pitchjudge.db import session_scope
from pitchjudge.deck_store import open_deck_store
from pitchjudge.errors import (
    AccessDenied,
    DeadlinePassed,
    DuplicateApplication,
    FormInvalid,
    InvalidDeck,
    ValidationError,
)
from pitchjudge.models import AuditEvent, Contest, Deck, Pitch, PitchStatus, utcnow
from pitchjudge.security import token_hash
from pitchjudge.services import applications
from tests import pdf_samples
from tests.factories import application_input, make_contest, submit

HOSTILE = "**bold** <script>alert(1)</script> [link](javascript:alert(1)) :red[x] $x$ # title"


def count(engine, model) -> int:
    with session_scope(engine, read_only=True) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def stored_files(settings) -> list[str]:
    return sorted(open_deck_store(settings).keys())


def test_submit_stores_pitch_deck_and_only_the_token_hash(engine, settings):
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    assert len(result.token) >= 40
    with session_scope(engine, read_only=True) as session:
        pitch = session.get(Pitch, result.pitch.id)
        assert pitch.token_hash == token_hash(result.token)
        assert result.token not in pitch.token_hash
        assert pitch.status == PitchStatus.SUBMITTED
        deck = applications.current_deck(session=session, pitch_id=pitch.id)
    assert deck.page_count == 3
    assert decks_module.has_deck(open_deck_store(settings), deck.sha256)


def test_private_link_opens_the_application(engine, settings):
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    with session_scope(engine, read_only=True) as session:
        pitch = applications.application_by_token(session=session, token=result.token)
    assert pitch.startup_name == "Kelvio"
    link = applications.private_link("https://pj.example/", result.token)
    assert link == f"https://pj.example/?token={result.token}"


@pytest.mark.parametrize(
    "token",
    [None, "", "short", "x" * 43, "../../etc/passwd", "' OR 1=1 --", "a" * 500],
    ids=["none", "empty", "short", "wrong", "path", "sql", "huge"],
)
def test_forged_or_wrong_tokens_are_refused(engine, settings, token):
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    with session_scope(engine, read_only=True) as session, pytest.raises(AccessDenied) as error:
        applications.application_by_token(session=session, token=token)
    assert "link" in str(error.value)


def test_reissued_link_revokes_the_old_one(engine, settings):
    contest = make_contest(engine)
    old = submit(engine, settings, contest.id)
    with session_scope(engine) as session:
        new = applications.reissue_link(session=session, pitch_id=old.pitch.id)
    with session_scope(engine, read_only=True) as session:
        assert applications.application_by_token(session=session, token=new).id == old.pitch.id
        with pytest.raises(AccessDenied):
            applications.application_by_token(session=session, token=old.token)
    with session_scope(engine) as session, pytest.raises(AccessDenied):
        applications.withdraw_application(session=session, token=old.token)


def test_missing_fields_are_all_reported_and_nothing_is_stored(engine, settings):
    contest = make_contest(engine)
    with pytest.raises(FormInvalid) as error:
        submit(
            engine,
            settings,
            contest.id,
            startup_name=" ",
            one_liner="",
            founders="",
            contact_email="",
            description="\n\n",
        )
    fields = {e.field for e in error.value.errors}
    assert fields == {"startup_name", "one_liner", "founders", "contact_email", "description"}
    assert all("required" in str(e) for e in error.value.errors)
    assert count(engine, Pitch) == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    "email",
    [
        "camille",
        "camille@",
        "@kelvio.example",
        "camille@kelvio",
        "a b@kelvio.example",
        "camille@kelvio..example",
        "<script>@x.example",
    ],
)
def test_bad_email_is_refused(engine, settings, email):
    contest = make_contest(engine)
    with pytest.raises(FormInvalid) as error:
        submit(engine, settings, contest.id, contact_email=email)
    (problem,) = error.value.errors
    assert problem.field == "contact_email"
    assert "not a valid email address" in str(problem)
    assert count(engine, Pitch) == 0


def test_website_gets_a_scheme_and_bad_ones_are_refused(engine, settings):
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id, website="kelvio.example")
    assert result.pitch.website == "https://kelvio.example"
    with pytest.raises(FormInvalid) as error:
        submit(engine, settings, contest.id, startup_name="Other", website="javascript:alert(1)")
    assert error.value.errors[0].field == "website"


def test_category_must_belong_to_the_contest(engine, settings):
    contest = make_contest(engine)
    with pytest.raises(FormInvalid) as error:
        submit(engine, settings, contest.id, category_id=None)
    assert error.value.errors[0].field == "category_id"
    with pytest.raises(FormInvalid):
        submit(engine, settings, contest.id, category_id=999_999)
    assert count(engine, Pitch) == 0


def test_html_and_markdown_are_kept_verbatim(engine, settings):
    contest = make_contest(engine)
    result = submit(
        engine,
        settings,
        contest.id,
        startup_name=HOSTILE[:120],
        one_liner=HOSTILE,
        founders=HOSTILE,
        description=HOSTILE + "\nline 2",
    )
    with session_scope(engine, read_only=True) as session:
        pitch = session.get(Pitch, result.pitch.id)
    assert pitch.one_liner == HOSTILE
    assert pitch.description == HOSTILE + "\nline 2"


@pytest.mark.parametrize(
    ("deck", "words"),
    [
        (b"", "empty"),
        (pdf_samples.png_bytes(), "not a PDF"),
        (pdf_samples.make_deck(pages=3)[:900], "incomplete"),
        (pdf_samples.make_encrypted_deck(user_password="secret"), "protect"),
    ],
    ids=["empty", "png-renamed", "truncated", "encrypted"],
)
def test_bad_decks_are_refused_and_nothing_is_stored(engine, settings, deck, words):
    contest = make_contest(engine)
    with pytest.raises((InvalidDeck, FormInvalid)) as error:
        submit(engine, settings, contest.id, deck=deck)
    assert words.lower() in str(error.value).lower() or any(
        words.lower() in str(e).lower() for e in getattr(error.value, "errors", [])
    )
    assert count(engine, Pitch) == 0
    assert count(engine, Deck) == 0
    assert stored_files(settings) == []


def test_every_problem_is_reported_at_once_each_with_its_field(engine, settings):
    # Fields, category, consent and the deck's content: one refusal lists them all (the Apply
    # page used to find them in four round trips), and nothing is stored.
    contest = make_contest(engine)
    with pytest.raises(FormInvalid) as error:
        submit(
            engine,
            settings,
            contest.id,
            startup_name="",
            contact_email="camille@",
            category_id=None,
            consent=False,
            deck=pdf_samples.png_bytes(),
        )
    fields = [e.field for e in error.value.errors]
    assert sorted(fields) == sorted(
        ["startup_name", "contact_email", "category_id", "consent", "deck"]
    )
    deck_error = error.value.by_field()["deck"]
    assert "not a PDF" in str(deck_error)
    assert count(engine, Pitch) == 0
    assert stored_files(settings) == []


def test_a_duplicate_is_reported_with_the_other_problems(engine, settings):
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    with pytest.raises(FormInvalid) as error:
        submit(engine, settings, contest.id, consent=False, deck=None)
    assert {e.field for e in error.value.errors} == {"startup_name", "consent", "deck"}
    assert isinstance(error.value.by_field()["startup_name"], DuplicateApplication)


def test_consent_is_required_and_stored_with_the_notice_read(engine, settings):
    contest = make_contest(engine)
    with session_scope(engine) as session:
        applications_contest = session.get(Contest, contest.id)
        applications_contest.privacy_text = "Data kept by Lyon Startups until 31/12/2027."
    with pytest.raises(FormInvalid) as error:
        submit(engine, settings, contest.id, consent=False)
    (problem,) = error.value.errors
    assert problem.field == "consent"
    result = submit(engine, settings, contest.id, language="en")
    with session_scope(engine, read_only=True) as session:
        pitch = session.get(Pitch, result.pitch.id)
    assert pitch.consent_at is not None
    assert pitch.consent_text == "Data kept by Lyon Startups until 31/12/2027."
    assert pitch.language == "en"


def test_the_private_link_carries_the_applicants_language(engine, settings):
    assert applications.private_link("https://pj.example", "t0k", language="en") == (
        "https://pj.example/?token=t0k&lang=en"
    )
    assert applications.private_link("https://pj.example", "t0k", language="xx") == (
        "https://pj.example/?token=t0k"
    )


def test_missing_deck_is_refused(engine, settings):
    contest = make_contest(engine)
    with pytest.raises(FormInvalid) as error:
        submit(engine, settings, contest.id, deck=None)
    assert error.value.errors[0].field == "deck"


def test_applications_before_opening_and_after_deadline_are_refused(engine, settings):
    now = utcnow()
    contest = make_contest(engine, opens=now + timedelta(days=1), closes=now + timedelta(days=5))
    with pytest.raises(DeadlinePassed, match="not open yet"):
        submit(engine, settings, contest.id)
    with pytest.raises(DeadlinePassed, match="deadline has passed"):
        submit(engine, settings, contest.id, now=now + timedelta(days=6))
    assert count(engine, Pitch) == 0
    assert stored_files(settings) == []


def test_no_write_after_the_deadline(engine, settings):
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    late = contest.applications_close_at + timedelta(seconds=1)
    data = application_input(engine, contest.id, startup_name="Changed")
    with session_scope(engine) as session, pytest.raises(DeadlinePassed):
        applications.update_application(session=session, token=result.token, data=data, now=late)
    with pytest.raises(DeadlinePassed):
        applications.replace_deck(
            engine=engine,
            token=result.token,
            deck=pdf_samples.make_deck(pages=5),
            filename="v2.pdf",
            store=open_deck_store(settings),
            limits=settings.deck_limits,
            now=late,
        )
    with session_scope(engine) as session, pytest.raises(DeadlinePassed):
        applications.withdraw_application(session=session, token=result.token, now=late)
    with session_scope(engine, read_only=True) as session:
        pitch = session.get(Pitch, result.pitch.id)
        assert pitch.startup_name == "Kelvio"
        assert pitch.status == PitchStatus.SUBMITTED
    assert count(engine, Deck) == 1


def test_edit_replace_and_withdraw_leave_an_audit_trail(engine, settings):
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    with session_scope(engine) as session:
        applications.update_application(
            session=session,
            token=result.token,
            data=application_input(engine, contest.id, one_liner="Heat pumps in three days"),
        )
    new_deck = applications.replace_deck(
        engine=engine,
        token=result.token,
        deck=pdf_samples.make_deck(pages=5, seed=2),
        filename="v2.pdf",
        store=open_deck_store(settings),
        limits=settings.deck_limits,
    )
    assert new_deck.page_count == 5
    with session_scope(engine) as session:
        applications.withdraw_application(session=session, token=result.token)
    with session_scope(engine, read_only=True) as session:
        pitch = session.get(Pitch, result.pitch.id)
        assert pitch.one_liner == "Heat pumps in three days"
        assert pitch.status == PitchStatus.WITHDRAWN
        assert applications.current_deck(session=session, pitch_id=pitch.id).id == new_deck.id
        decks = session.exec(select(Deck).where(Deck.pitch_id == pitch.id)).all()
        assert len(decks) == 2 and sum(d.replaced_at is None for d in decks) == 1
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    trail = [(e.entity, e.action, e.field) for e in events if e.actor == "applicant"]
    assert ("pitch", "update", "one_liner") in trail
    assert ("deck", "replace", None) in trail
    assert ("pitch", "withdraw", "status") in trail
    update = next(e for e in events if e.field == "one_liner")
    assert (update.old_value, update.new_value) == (
        "Heat pumps installed in a week",
        "Heat pumps in three days",
    )
    with session_scope(engine) as session, pytest.raises(DeadlinePassed, match="withdrawn"):
        applications.update_application(
            session=session, token=result.token, data=application_input(engine, contest.id)
        )


def test_duplicate_application_is_refused_but_withdrawn_ones_can_reapply(engine, settings):
    contest = make_contest(engine)
    first = submit(engine, settings, contest.id)
    with pytest.raises(FormInvalid) as error:
        submit(
            engine,
            settings,
            contest.id,
            startup_name="  KELVIO ",
            contact_email="camille@KELVIO.example",
        )
    (duplicate,) = error.value.errors
    assert isinstance(duplicate, DuplicateApplication)
    assert duplicate.field == "startup_name"
    assert "private link" in str(duplicate)
    other = submit(engine, settings, contest.id, startup_name="Kelvio Labs")
    assert other.pitch.id != first.pitch.id
    with session_scope(engine) as session:
        applications.withdraw_application(session=session, token=first.token)
    again = submit(engine, settings, contest.id)
    assert again.pitch.id not in (first.pitch.id, other.pitch.id)


def test_organiser_lists_filters_counts_and_decides(engine, settings):
    contest = make_contest(engine)
    a = submit(engine, settings, contest.id, startup_name="Alpha", description="solar panels")
    b = submit(engine, settings, contest.id, startup_name="Beta", contact_email="b@beta.example")
    with session_scope(engine) as session:
        applications.set_pitch_status(
            session=session, pitch_id=a.pitch.id, status=PitchStatus.SHORTLISTED
        )
        applications.withdraw_application(session=session, token=b.token)
    with session_scope(engine, read_only=True) as session:
        everything = applications.list_applications(session=session, contest_id=contest.id)
        shortlisted = applications.list_applications(
            session=session, contest_id=contest.id, status=PitchStatus.SHORTLISTED
        )
        found = applications.list_applications(
            session=session, contest_id=contest.id, search="SOLAR"
        )
        counts = applications.status_counts(session=session, contest_id=contest.id)
    assert [r.startup_name for r in everything] == ["Beta", "Alpha"]
    assert [r.startup_name for r in shortlisted] == ["Alpha"]
    assert [r.startup_name for r in found] == ["Alpha"]
    assert everything[0].deck_pages == 3
    assert counts == {"submitted": 0, "shortlisted": 1, "rejected": 0, "withdrawn": 1}
    with session_scope(engine) as session, pytest.raises(ValidationError, match="withdrawn"):
        applications.set_pitch_status(
            session=session, pitch_id=b.pitch.id, status=PitchStatus.SHORTLISTED
        )


def test_csv_export_is_excel_friendly_and_defuses_formulas(engine, settings):
    contest = make_contest(engine)
    submit(
        engine,
        settings,
        contest.id,
        startup_name='=HYPERLINK("http://evil")',
        one_liner="Économie circulaire",
    )
    with session_scope(engine, read_only=True) as session:
        rows = applications.list_applications(session=session, contest_id=contest.id)
    data = applications.applications_csv(rows)
    assert data.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0]["startup_name"].startswith("'=")
    assert table[0]["one_liner"] == "Économie circulaire"
    assert table[0]["deck_pages"] == "3"
