"""E-mail journeys in Chromium, against a real SMTP server (aiosmtpd) and the real sender:
apply, the receipt arrives, its link opens the application; "e-mail me my link" with a known
address arrives, with an unknown one the page answers the same and nothing is sent; the judge
invitation, the judge reminder, the feedback notice and a decision notice each open the page
their reader expects."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, Judge, OutboxMessage, Pitch, PitchStatus
from pitchjudge.services import feedback, mail_sender, rubric, scoring
from pitchjudge.services import mail as outbox
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_contest, make_judging
from tests.pdf_samples import make_deck
from tests.smtp_support import SmtpServer, parts

pytestmark = pytest.mark.browser

SHORT = SHORT_MS  # one rerun of a page, on a busy machine
LONG = LONG_MS  # a first page load, a deck checked, on a busy machine
SCREENSHOTS = Path("/tmp")
SAME_ANSWER = "If an application was made with this address, a message with its private link"


class Mailroom:
    """The app, its SMTP server, and a sender delivering the app's outbox to it."""

    def __init__(self, app: App, smtp: SmtpServer, engine, settings) -> None:
        self.app, self.smtp, self.engine, self.settings = app, smtp, engine, settings

    def wait_for_message(self, to: str, after: int, timeout_s: float = 60, subject: str = ""):
        """The first message to `to` (whose subject holds `subject`) among those the server
        received after the `after`th."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for message in self.smtp.handler.messages()[after:]:
                if subject in message["Subject"] and any(
                    a.addr_spec == to for a in message["To"].addresses
                ):
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no message to {to} within {timeout_s} s")

    def count(self) -> int:
        return len(self.smtp.handler.received)


@pytest.fixture(scope="module")
def mailroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailroom]:
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_mail")
    database_url = f"sqlite:///{root}/app.db"
    engine = make_engine(database_url)
    migrate(engine)
    contest = make_contest(engine, name="Prix Mail 2027")
    with session_scope(engine) as session:
        session.get(Contest, contest.id).language = "en"
    smtp = SmtpServer()
    smtp.start()
    values, port = app_settings(
        root,
        PITCHJUDGE_DATABASE_URL=database_url,
        PITCHJUDGE_SMTP_URL=smtp.url,
        PITCHJUDGE_MAIL_FROM="Prix Mail <jury@prix.example>",
    )
    settings = load_settings(values, env_file=None)
    thread, stop = mail_sender.start_thread(engine, settings, poll_s=0.3)
    try:
        with serve(root, values, port) as app:
            yield Mailroom(app, smtp, engine, settings)
    finally:
        stop.set()
        thread.join(10)
        smtp.stop()
        engine.dispose()


def wait_for_app(page: Page) -> None:
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_have_count(1, timeout=LONG)


def link_in(message) -> str:
    text, html = parts(message)
    link = re.search(r"http://localhost:\d+/\?(?:token|judge)=[\w-]+", text).group(0)
    assert link in html
    return link


def test_the_receipt_arrives_and_its_link_opens_the_application(
    mailroom: Mailroom, page: Page, tmp_path: Path
) -> None:
    deck = tmp_path / "deck.pdf"
    deck.write_bytes(make_deck(pages=3))
    before = mailroom.count()
    page.goto(f"{mailroom.app.url}/")
    wait_for_app(page)
    page.get_by_label("Startup name *", exact=True).fill("Kelvio")
    page.get_by_label("One-liner *", exact=True).fill("Heat pumps installed in a week")
    page.get_by_label("Category *", exact=True).click()
    page.get_by_role("option", name="Climat", exact=True).click()
    page.get_by_label("Founders *", exact=True).fill("Camille Martin (CEO)")
    page.get_by_label("Contact email *", exact=True).fill("camille@kelvio.example")
    page.get_by_label("Description *", exact=True).fill("We install heat pumps.")
    page.get_by_text("I agree that the organisers process the data").click()
    page.locator("input[type=file]").first.set_input_files(deck)
    chip = page.get_by_test_id("stFileChip").filter(has_text="deck.pdf")
    expect(chip.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=LONG)
    page.get_by_role("button", name="Submit my application").click()
    # The address exactly as typed (no invisible character a copy would carry), and no link.
    mailed = page.get_by_text("We also e-mailed it to camille@kelvio.example.", exact=True)
    expect(mailed).to_be_visible(timeout=LONG)
    expect(mailed.locator("a")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "pj_browser_mail_01_registered.png"))

    receipt = mailroom.wait_for_message("camille@kelvio.example", before)
    assert "Prix Mail 2027" in receipt["Subject"] and "Kelvio" in receipt["Subject"]
    link = link_in(receipt)
    mine = page.context.new_page()
    mine.goto(link)
    wait_for_app(mine)
    expect(mine.get_by_role("heading", name="Kelvio", exact=True)).to_be_visible(timeout=SHORT)
    expect(mine.get_by_text("Heat pumps installed in a week", exact=True)).to_be_visible()
    mine.screenshot(path=str(SCREENSHOTS / "pj_browser_mail_02_opened_from_receipt.png"))


def _ask_for_my_link(page: Page, app: App, email: str) -> None:
    page.goto(f"{app.url}/my_application")
    wait_for_app(page)
    field = page.get_by_label("The contact e-mail of your application", exact=True)
    expect(field).to_be_visible(timeout=SHORT)
    field.fill(email)
    page.get_by_role("button", name="E-mail me my link again").click()
    expect(page.get_by_text(SAME_ANSWER)).to_be_visible(timeout=SHORT)


def test_email_me_my_link_sends_to_a_known_address_and_nothing_to_an_unknown_one(
    mailroom: Mailroom, page: Page
) -> None:
    # The applicant of the previous test lost the link.
    with session_scope(mailroom.engine, read_only=True) as session:
        assert session.exec(select(OutboxMessage)).first() is not None, "an application exists"
    before = mailroom.count()
    _ask_for_my_link(page, mailroom.app, "camille@kelvio.example")
    page.screenshot(path=str(SCREENSHOTS / "pj_browser_mail_03_link_requested.png"))
    again = mailroom.wait_for_message("camille@kelvio.example", before)
    assert "private links" in again["Subject"]
    link = link_in(again)
    mine = page.context.new_page()
    mine.goto(link)
    wait_for_app(mine)
    expect(mine.get_by_role("heading", name="Kelvio", exact=True)).to_be_visible(timeout=SHORT)

    # The same form with an unknown address: the same answer, and nothing goes out.
    with session_scope(mailroom.engine, read_only=True) as session:
        queued_before = len(session.exec(select(OutboxMessage)).all())
    unknown = page.context.new_page()
    _ask_for_my_link(unknown, mailroom.app, "nobody@nowhere.example")
    expect(unknown.get_by_text(SAME_ANSWER)).to_be_visible()
    # Nothing was queued for it, so the sender has nothing to send.
    with session_scope(mailroom.engine, read_only=True) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == queued_before
    assert all(
        a.addr_spec != "nobody@nowhere.example"
        for m in mailroom.smtp.handler.messages()
        for a in m["To"].addresses
    )


def test_a_refused_message_is_visible_on_the_emails_page(mailroom: Mailroom, page: Page) -> None:
    mailroom.smtp.handler.rcpt_answers = ["550 5.1.1 <zoe@gone.example>: no such user"]
    with session_scope(mailroom.engine) as session:
        contest = session.exec(select(Contest)).first()
        pitch = Pitch(
            contest_id=contest.id,
            startup_name="Zoé Santé",
            one_liner="x",
            founders="Zoé",
            contact_email="zoe@gone.example",
            token_hash="",
        )
        settings = load_settings(
            {
                "PITCHJUDGE_DATA_DIR": str(Path(mailroom.app.stdout_path).parent / "data"),
                "PITCHJUDGE_BASE_URL": mailroom.app.url,
            },
            env_file=None,
        )
        from pitchjudge.services import mail as outbox

        outbox.queue(
            session=session,
            settings=settings,
            draft=outbox.applicant_draft(
                kind="decision_not_retained",
                contest=contest,
                pitch=pitch,
                round_name="",
                link=f"{mailroom.app.url}/?token=x",
                language="en",
            ),
            contest_id=contest.id,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with session_scope(mailroom.engine, read_only=True) as session:
            row = session.exec(
                select(OutboxMessage).where(OutboxMessage.to_address == "zoe@gone.example")
            ).one()
        if row.status == "failed":
            break
        time.sleep(0.2)
    assert row.status == "failed"

    page.goto(f"{mailroom.app.url}/sign_in")
    wait_for_app(page)
    page.get_by_label("Organiser password").fill("organiser-secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible(
        timeout=SHORT
    )
    page.get_by_test_id("stSidebarNav").get_by_text("Emails", exact=True).click()
    expect(page.get_by_role("heading", name="Emails", exact=True)).to_be_visible(timeout=SHORT)
    # Newer messages were sent since; the refused one is announced and comes first, open.
    expect(page.get_by_text("1 message could not be sent")).to_be_visible(timeout=SHORT)
    reading = page.get_by_role("combobox", name="Read a message")
    expect(reading).to_have_value(re.compile(r"^#\d+ · Failed · zoe@gone\.example · "))
    answer = page.get_by_text("550 5.1.1 <zoe@gone.example>: no such user", exact=False)
    expect(answer.filter(visible=True).first).to_be_visible(timeout=SHORT)
    page.screenshot(path=str(SCREENSHOTS / "pj_browser_mail_04_emails_page.png"), full_page=True)


def _open_as_judge(page: Page, link: str, name: str, shot: str) -> None:
    """The judge's link opens their own pitches, and the next scorecard with the rubric."""
    judge = page.context.new_page()
    judge.goto(link)
    wait_for_app(judge)
    expect(judge.get_by_role("heading", name="My pitches — Final", exact=True)).to_be_visible(
        timeout=SHORT
    )
    expect(judge.get_by_text(f"Hello {name}, thank you for judging.")).to_be_visible()
    expect(judge.get_by_text("not valid")).to_have_count(0)
    judge.get_by_role("button", name="Score the next pitch").click()
    expect(judge.get_by_role("button", name="Submit the scorecard")).to_be_visible(timeout=SHORT)
    expect(judge.get_by_text("Team · ").first).to_be_visible()
    judge.screenshot(path=str(SCREENSHOTS / shot))
    judge.close()


def _open_as_applicant(page: Page, link: str, startup: str) -> Page:
    """The applicant's link opens "My application" for that startup."""
    mine = page.context.new_page()
    mine.goto(link)
    wait_for_app(mine)
    expect(mine.get_by_role("heading", name="My application", exact=True)).to_be_visible(
        timeout=SHORT
    )
    expect(mine.get_by_role("heading", name=startup, exact=True)).to_be_visible(timeout=SHORT)
    expect(mine.get_by_text("not valid")).to_have_count(0)
    return mine


def test_judge_feedback_and_decision_messages_open_their_readers_page(
    mailroom: Mailroom, page: Page
) -> None:
    engine, settings = mailroom.engine, mailroom.settings
    w = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
        for number, judge_id in enumerate(w["judges"], start=1):
            session.get(Judge, judge_id).email = f"judge{number}@jury.example"
        for pitch_id, (name, address) in zip(
            w["pitches"],
            (("Luméa", "hello@lumea.example"), ("Brisa Énergie", "team@brisa.example")),
            strict=True,
        ):
            pitch = session.get(Pitch, pitch_id)
            pitch.startup_name, pitch.contact_email = name, address
        session.get(Pitch, w["pitches"][1]).status = PitchStatus.SHORTLISTED
        # Judge 1 scores Luméa, so that its feedback has figures and a comment to show.
        ids = dict(round_id=w["round_id"], judge_id=w["judges"][0], pitch_id=w["pitches"][0])
        for criterion in w["criteria"]:
            scoring.save_mark(session=session, criterion_id=criterion, value=4, **ids)
        scoring.save_text(session=session, field="comment", value="A clear, costed plan.", **ids)
        names = [c.name for c in rubric.list_criteria(session=session, contest_id=w["contest"].id)]
    assert "Team" in names, "the scorecard check below looks for the classic rubric's Team"

    before = mailroom.count()
    with session_scope(engine) as session:
        outbox.queue_judge_invitation(session=session, settings=settings, judge_id=w["judges"][0])
        outbox.queue_reminders(
            session=session, settings=settings, round_id=w["round_id"], judge_ids=[w["judges"][1]]
        )
        feedback.set_feedback_released(
            session=session, round_id=w["round_id"], released=True, settings=settings
        )
        outbox.queue_decisions(
            session=session,
            settings=settings,
            contest_id=w["contest"].id,
            kind="decision_shortlisted",
            pitch_ids=[w["pitches"][1]],
        )

    # The judges: an invitation to Judge 1, a reminder to Judge 2, each opening their own page.
    invitation = mailroom.wait_for_message("judge1@jury.example", before, subject="judge's link")
    reminder = mailroom.wait_for_message("judge2@jury.example", before, subject="still to score")
    for message, name, shot in (
        (invitation, "Judge 1", "pj_browser_mail_05_judge_invitation.png"),
        (reminder, "Judge 2", "pj_browser_mail_06_judge_reminder.png"),
    ):
        link = link_in(message)
        assert link.startswith(f"{mailroom.app.url}/?judge="), link
        _open_as_judge(page, link, name, shot)

    # The applicants: Luméa's feedback notice opens its feedback; Brisa's decision its page.
    notice = mailroom.wait_for_message("hello@lumea.example", before, subject="feedback on Luméa")
    link = link_in(notice)
    assert link.startswith(f"{mailroom.app.url}/?token="), link
    mine = _open_as_applicant(page, link, "Luméa")
    expect(mine.get_by_role("heading", name="Feedback from the jury", exact=True)).to_be_visible(
        timeout=SHORT
    )
    expect(mine.get_by_text("A clear, costed plan.", exact=True)).to_be_visible()
    expect(mine.get_by_role("button", name="Download my feedback (PDF)")).to_be_visible()
    mine.screenshot(path=str(SCREENSHOTS / "pj_browser_mail_07_feedback.png"), full_page=True)

    decision = mailroom.wait_for_message(
        "team@brisa.example", before, subject="Brisa Énergie is shortlisted"
    )
    link = link_in(decision)
    assert link.startswith(f"{mailroom.app.url}/?token="), link
    mine = _open_as_applicant(page, link, "Brisa Énergie")
    expect(mine.get_by_text("Shortlisted", exact=True)).to_be_visible()
    mine.screenshot(path=str(SCREENSHOTS / "pj_browser_mail_08_decision.png"))
