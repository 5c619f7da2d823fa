"""Security fixes of issue 15: access that ends at once, locked rounds, inert text, lockout."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from pitchjudge.config import load_settings
from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied, ConfigError, EditConflict, LinkReplaced, RoundStateError
from pitchjudge.models import AuditEvent, Mark, Scorecard, SignInAttempt
from pitchjudge.services import (
    auth,
    contests,
    exports,
    feedback,
    judges,
    promotion,
    results,
    scoring,
)
from tests.apptest_support import APP, run_page, spy_on_downloads
from tests.factories import make_judging, run_in_own_loop


def _ids(w, judge=0, pitch=0):
    return {
        "round_id": w["round_id"],
        "judge_id": w["judges"][judge],
        "pitch_id": w["pitches"][pitch],
    }


@pytest.mark.parametrize("how", ["revoke", "reissue"])
def test_every_judge_write_rechecks_the_link(engine, settings, how):
    w = make_judging(engine, settings)
    token = w["tokens"][0]
    ids = _ids(w)
    with session_scope(engine) as session:
        scoring.save_mark(
            session=session, criterion_id=w["criteria"][0], value=3, token=token, **ids
        )
    with session_scope(engine) as session:
        if how == "revoke":
            judges.revoke_link(session=session, judge_id=w["judges"][0])
        else:
            judges.reissue_link(session=session, settings=settings, judge_id=w["judges"][0])
    writes = [
        lambda s: scoring.save_mark(
            session=s, criterion_id=w["criteria"][1], value=4, token=token, **ids
        ),
        lambda s: scoring.save_mark(
            session=s, criterion_id=w["criteria"][0], value=None, token=token, **ids
        ),
        lambda s: scoring.save_text(session=s, field="comment", value="late", token=token, **ids),
        lambda s: scoring.save_text(
            session=s, field="private_note", value="late", token=token, **ids
        ),
        lambda s: scoring.submit_scorecard(session=s, token=token, **ids),
        lambda s: scoring.reopen_scorecard(session=s, token=token, **ids),
        lambda s: scoring.declare_conflict(session=s, reason="friend", token=token, **ids),
    ]
    for write in writes:
        with session_scope(engine) as session, pytest.raises(LinkReplaced, match="replaced"):
            write(session)
    with session_scope(engine, read_only=True) as session:
        marks = session.exec(select(Mark.criterion_id, Mark.value)).all()
        card = session.exec(select(Scorecard)).one()
        assert judges.list_conflicts(session=session, contest_id=w["contest"].id) == []
    assert marks == [(w["criteria"][0], 3)]
    assert card.comment == "" and card.private_note == ""


# --- organiser sessions and sign-in ------------------------------------------------------------


def _organiser_sign_in(engine, settings, password="correct horse battery", client="1.2.3.4"):
    with session_scope(engine) as session:
        return auth.sign_in_organiser(
            session=session, settings=settings, password=password, client=client
        )


def _live(engine, token) -> bool:
    with session_scope(engine, read_only=True) as session:
        return auth.organiser_session_is_live(session=session, token=token)


def test_a_password_reset_ends_every_organiser_session(engine):
    settings = load_settings({}, env_file=None)
    with session_scope(engine) as session:
        password = auth.ensure_admin_password(session=session, settings=settings)
    tokens = [_organiser_sign_in(engine, settings, password) for _ in range(3)]
    assert all(_live(engine, t) for t in tokens)
    with session_scope(engine) as session:
        new_password = auth.reset_admin_password(session=session)
    assert not any(_live(engine, t) for t in tokens)
    with pytest.raises(AccessDenied):
        _organiser_sign_in(engine, settings, password)
    assert _live(engine, _organiser_sign_in(engine, settings, new_password))


def test_a_changed_configured_password_ends_every_session_at_start_up(engine):
    old = load_settings({"PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery"}, env_file=None)
    with session_scope(engine) as session:
        auth.ensure_admin_password(session=session, settings=old)
    token = _organiser_sign_in(engine, old)
    with session_scope(engine) as session:  # a restart with the same password: nothing ends
        auth.ensure_admin_password(session=session, settings=old)
    assert _live(engine, token)
    new = load_settings({"PITCHJUDGE_ADMIN_PASSWORD": "a brand new passphrase"}, env_file=None)
    with session_scope(engine) as session:
        auth.ensure_admin_password(session=session, settings=new)
    assert not _live(engine, token)


def test_sign_out_everywhere_ends_every_session(engine, settings):
    tokens = [_organiser_sign_in(engine, settings) for _ in range(2)]
    with session_scope(engine) as session:
        assert auth.end_all_organiser_sessions(session=session) == 2
    assert not any(_live(engine, t) for t in tokens)
    assert _live(engine, _organiser_sign_in(engine, settings))  # signing in again works


def test_a_guesser_never_locks_out_the_right_password(engine, settings):
    """Failures on one address delay that address only, and the right password, tried after
    the delay, always gets in: the delay is waited, then the password is checked."""
    slept: list[float] = []

    def wait(seconds: float) -> None:
        """Time passes: every recorded failure moves `seconds` into the past."""
        slept.append(seconds)
        with session_scope(engine) as session:
            for attempt in session.exec(select(SignInAttempt)).all():
                attempt.at = attempt.at - timedelta(seconds=seconds)
                session.add(attempt)

    for _ in range(12):
        with pytest.raises(AccessDenied, match="Wrong password"):
            auth.sign_in_after_delay(
                engine=engine, settings=settings, password="guess", client="9.9.9.9", sleep=wait
            )
    # 1, 2, 4, 8, 16, 30, 30 s (less whatever this busy machine already spent between tries)
    assert len(slept) >= 5 and slept == sorted(slept) and 16 <= slept[-1] <= auth.MAX_WAIT_S
    assert slept and max(slept) <= auth.MAX_WAIT_S
    token = auth.sign_in_after_delay(
        engine=engine,
        settings=settings,
        password="correct horse battery",
        client="9.9.9.9",
        sleep=wait,
    )
    assert slept[-1] >= 16  # the right password waited its delay too, then got in
    assert _live(engine, token)
    # Another client is never slowed by that guesser.
    other: list[float] = []
    auth.sign_in_after_delay(
        engine=engine,
        settings=settings,
        password="correct horse battery",
        client="5.5.5.5",
        sleep=other.append,
    )
    assert other == []


def test_the_console_reset_clears_the_failures(engine):
    settings = load_settings({}, env_file=None)
    with session_scope(engine) as session:
        auth.ensure_admin_password(session=session, settings=settings)
    for _ in range(auth.FREE_ATTEMPTS + 3):
        with session_scope(engine) as session, pytest.raises(AccessDenied):
            auth.sign_in_organiser(session=session, settings=settings, password="x", client="")
    with session_scope(engine) as session:
        password = auth.reset_admin_password(session=session)
    with session_scope(engine) as session:
        assert auth.retry_after(session=session, client="") == 0
        auth.sign_in_organiser(session=session, settings=settings, password=password, client="")


# --- control characters in comments and exports ------------------------------------------------

CONTROL = "Good\x0bteam\x0c, weak\x1b[31m market\x00.\r\nSecond line\twith a tab"


def test_control_characters_are_stripped_on_input_and_never_break_the_workbook(engine, settings):
    w = make_judging(engine, settings, judges=1, pitches=1)
    ids = _ids(w)
    with session_scope(engine) as session:
        card = scoring.save_text(session=session, field="comment", value=CONTROL, **ids)
    assert card.comment == "Goodteam, weak[31m market.\nSecond line\twith a tab"
    with session_scope(engine) as session:
        # What a database written before this fix may hold: raw text in a scorecard and in
        # the audit log's old values.
        session.exec(update(Scorecard).values(private_note="note\x0bwith\x1bcontrols"))
        session.add(
            AuditEvent(
                contest_id=w["contest"].id,
                actor="judge",
                entity="scorecard",
                action="text",
                field="comment",
                old_value="old\x0c\x0btext",
                new_value="=cmd\x1b",
            )
        )
    with session_scope(engine, read_only=True) as session:
        data = exports.results_workbook(session=session, contest_id=w["contest"].id)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert "oldtext" in cells and "'=cmd" in cells
    assert "notewithcontrols" in cells
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", c) for c in cells)


def test_a_failing_workbook_says_so_on_the_results_page(app_env, monkeypatch):
    engine, settings = app_env
    make_judging(engine, settings, judges=1, pitches=1)

    def broken(**_kwargs):
        raise ValueError("cannot be used in worksheets")

    working = exports.results_workbook
    monkeypatch.setattr(exports, "results_workbook", broken)
    builds = spy_on_downloads(monkeypatch)
    at = run_page("pages/results.py", organiser=True)
    # What the browser does on a click: it asks for the file, and the click reruns the page.
    with pytest.raises(ValueError):
        builds["results_xlsx"]()
    at.download_button(key="results_xlsx").click().run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert "could not be built" in message and re.search(r"E-[0-9A-F]{6}", message)
    # The CSVs still download, and say nothing.
    assert builds["results_leaderboard_csv"]().startswith(b"\xef\xbb\xbf")
    at.download_button(key="results_leaderboard_csv").click().run()
    assert not at.error
    # The next workbook that builds clears the message.
    monkeypatch.setattr(exports, "results_workbook", working)
    at.run()
    assert builds["results_xlsx"]().startswith(b"PK")
    at.download_button(key="results_xlsx").click().run()
    assert not at.error and not at.exception


# --- locked rounds and conflicts declared later -------------------------------------------------


def _mark_everything(engine, w, values):
    with session_scope(engine) as session:
        for j, judge in enumerate(w["judges"]):
            for p, pitch in enumerate(w["pitches"]):
                ids = {"round_id": w["round_id"], "judge_id": judge, "pitch_id": pitch}
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session, criterion_id=criterion, value=values[j][p], **ids
                    )
                scoring.save_text(
                    session=session, field="comment", value=f"Judge {j} on {p}", **ids
                )


def _totals(engine, round_id) -> dict[int, float]:
    with session_scope(engine, read_only=True) as session:
        board = results.round_leaderboard(session=session, round_id=round_id)
    return dict(zip(board["pitch"], board["total"], strict=True))


def test_a_conflict_declared_later_leaves_a_locked_round_alone(engine, settings):
    """A judge declares a conflict from the open Final: the locked Pre-selection keeps its
    totals; the Final's results drop the judge's marks at once."""
    w = make_judging(engine, settings, judges=3, pitches=2)
    _mark_everything(engine, w, values=[(5, 1), (3, 3), (1, 5)])
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
        contests.set_round_status(session=session, round_id=w["round_id"], status="locked")
    before = _totals(engine, w["round_id"])
    with session_scope(engine) as session:
        final = contests.create_round(session=session, contest_id=w["contest"].id, name="Finale")
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=w["pitches"])
        contests.set_round_status(session=session, round_id=final.id, status="open")
    final_w = {**w, "round_id": final.id}
    _mark_everything(engine, final_w, values=[(5, 1), (3, 3), (1, 5)])
    final_before = _totals(engine, final.id)
    with session_scope(engine) as session:
        scoring.declare_conflict(
            session=session,
            round_id=final.id,
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            reason="My cousin's startup",
            token=w["tokens"][0],
        )
    assert _totals(engine, w["round_id"]) == before  # locked: unchanged
    assert _totals(engine, final.id) != final_before  # open: the judge's marks are out
    # Declaring from a round that is not open is refused.
    with session_scope(engine) as session, pytest.raises(RoundStateError):
        scoring.declare_conflict(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][1],
            pitch_id=w["pitches"][1],
            reason="late",
        )


def test_reopening_a_closed_round_applies_later_conflicts_and_is_audited(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=2)
    _mark_everything(engine, w, values=[(5, 1), (3, 3), (1, 5)])
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    before = _totals(engine, w["round_id"])
    with session_scope(engine) as session:  # recorded by the organiser after the close
        judges.add_conflict(
            session=session, judge_id=w["judges"][0], pitch_id=w["pitches"][0], reason="found"
        )
    assert _totals(engine, w["round_id"]) == before
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="open")
    assert _totals(engine, w["round_id"]) != before
    with session_scope(engine, read_only=True) as session:
        reopened = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "round", AuditEvent.action == "reopen")
        ).all()
    assert len(reopened) == 1


def test_a_conflicted_judges_comment_never_reaches_the_applicant(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=2)
    _mark_everything(engine, w, values=[(5, 1), (3, 3)])
    with session_scope(engine) as session:
        judges.add_conflict(
            session=session, judge_id=w["judges"][0], pitch_id=w["pitches"][0], reason="x"
        )
        feedback.set_feedback_released(session=session, round_id=w["round_id"], released=True)
    with session_scope(engine, read_only=True) as session:
        (item,) = feedback.released_feedback(
            session=session, pitch_id=w["pitches"][0], contest_id=w["contest"].id
        )
        (other,) = feedback.released_feedback(
            session=session, pitch_id=w["pitches"][1], contest_id=w["contest"].id
        )
    assert item.comments == ["Judge 1 on 0"]
    assert other.comments == ["Judge 0 on 1", "Judge 1 on 1"]


# --- console and start-up ----------------------------------------------------------------------

BAD_URL = "postgresql+psycopg://pitch:s3cret-pw@127.0.0.1:1/nowhere"


def _cli(tmp_path, *args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("PITCHJUDGE_")}
    base.update(
        {
            "PITCHJUDGE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
            "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
            **env,
        }
    )
    return subprocess.run(
        [str(Path(sys.executable).parent / "pitchjudge"), *args],
        cwd=tmp_path,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_database_that_does_not_answer_is_one_clear_line(tmp_path):
    for command in ("init", "links", "demo"):
        done = _cli(tmp_path, command, PITCHJUDGE_DATABASE_URL=BAD_URL)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("Database error: cannot use the database")
        assert "s3cret-pw" not in done.stderr and "***" in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.skipif(not os.environ.get("PITCHJUDGE_TEST_POSTGRES_URL"), reason="no PostgreSQL")
def test_init_masks_the_database_password(tmp_path, postgres_engine):
    url = os.environ["PITCHJUDGE_TEST_POSTGRES_URL"]
    password = make_url(url).password
    done = _cli(tmp_path, "init", PITCHJUDGE_DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    assert "Database ready: " in done.stdout and "***" in done.stdout
    assert f":{password}@" not in done.stdout + done.stderr


def test_check_deck_on_a_missing_path_or_a_folder(tmp_path):
    missing = _cli(tmp_path, "check-deck", str(tmp_path / "nope.pdf"))
    folder = _cli(tmp_path, "check-deck", str(tmp_path))
    assert (missing.returncode, folder.returncode) == (2, 2)
    assert missing.stderr.strip() == f"{tmp_path / 'nope.pdf'}: no such file."
    assert folder.stderr.strip().endswith("is a folder; give the path of one PDF file.")
    assert "Traceback" not in missing.stderr + folder.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PITCHJUDGE_ADMIN_PASSWORD", "choose-a-long-password"),
        ("PITCHJUDGE_SECRET_KEY", "a-random-string-of-at-least-32-characters"),
        ("PITCHJUDGE_SMTP_URL", "smtp://user:password@smtp.example.org:587"),
    ],
)
def test_the_placeholders_of_env_example_are_refused(tmp_path, name, value):
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text()
    assert f"{name}={value}" in example  # the example still shows this placeholder
    with pytest.raises(ConfigError, match="example value"):
        load_settings({name: value}, env_file=None)
    done = _cli(tmp_path, "init", **{name: value})
    assert done.returncode == 2 and name in done.stderr


def test_web_visitors_get_a_friendly_page_when_the_database_is_down(app_env, monkeypatch):
    monkeypatch.setenv("PITCHJUDGE_DATABASE_URL", BAD_URL)
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    shown = "\n".join(e.value for e in at.error)
    assert "unavailable for a moment" in shown
    assert "s3cret-pw" not in shown and "psycopg" not in shown


# --- closing a round while judges save non-stop -----------------------------------------------


def test_close_round_lands_while_eight_judges_keep_saving(engine, settings):
    """8 writers save marks back to back until the round refuses them (or 20 s pass). The
    close must land while they are still writing, not once they give up: every writer is
    then refused by the closed round (before the fix, on PostgreSQL, the close waited 17 to
    190 s behind the writers' share locks)."""
    w = make_judging(engine, settings, judges=8, pitches=4)
    stop_at = time.monotonic() + 20
    refused = [False] * 8
    started = threading.Barrier(9)

    def judge(index: int) -> None:
        started.wait()
        value = 1
        while time.monotonic() < stop_at:
            value = value % 5 + 1
            try:
                with session_scope(engine) as session:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=w["judges"][index],
                        pitch_id=w["pitches"][index % 4],
                        criterion_id=w["criteria"][0],
                        value=value,
                    )
            except RoundStateError:
                refused[index] = True
                return

    threads = [threading.Thread(target=judge, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(1)  # the writers are in full swing
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    for thread in threads:
        thread.join(timeout=60)
    assert all(refused), refused


# --- two tabs of one judge ---------------------------------------------------------------------


def test_two_tabs_of_one_judge_the_losing_tab_is_told(engine, settings):
    w = make_judging(engine, settings, judges=1, pitches=1)
    ids = _ids(w)
    criterion = w["criteria"][0]
    # Both tabs loaded an empty scorecard.
    with session_scope(engine) as session:  # tab A types a comment and gives a 4
        scoring.save_text(session=session, field="comment", value="A's view", base="", **ids)
        scoring.save_mark(session=session, criterion_id=criterion, value=4, base=None, **ids)
    with session_scope(engine) as session, pytest.raises(EditConflict, match="another tab"):
        scoring.save_text(session=session, field="comment", value="B's view", base="", **ids)
    with session_scope(engine) as session, pytest.raises(EditConflict, match="another tab"):
        scoring.save_mark(session=session, criterion_id=criterion, value=2, base=None, **ids)
    # Fields are versioned separately: B's note still saves, and A goes on from what it saved.
    with session_scope(engine) as session:
        scoring.save_text(session=session, field="private_note", value="B", base="", **ids)
        scoring.save_text(
            session=session, field="comment", value="A's view, longer", base="A's view", **ids
        )
        scoring.save_mark(session=session, criterion_id=criterion, value=5, base=4, **ids)
    with session_scope(engine, read_only=True) as session:
        card = session.exec(select(Scorecard)).one()
        value = scoring.stored_mark(session=session, criterion_id=criterion, **ids)
    assert (card.comment, card.private_note, value) == ("A's view, longer", "B", 5)


# --- forwarded headers -------------------------------------------------------------------------


def _client_seen(trusted: str, peer: str, forwarded: str) -> str:
    """The client address uvicorn hands the app for a request from `peer` carrying
    `X-Forwarded-For: forwarded`, given FORWARDED_ALLOW_IPS = `trusted`."""

    from uvicorn.config import Config
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    seen = {}

    async def app(scope, receive, send):
        seen["client"] = scope["client"][0]

    config = Config(app=app)  # reads FORWARDED_ALLOW_IPS as the server does
    assert config.forwarded_allow_ips == trusted
    middleware = ProxyHeadersMiddleware(app, trusted_hosts=config.forwarded_allow_ips)
    scope = {
        "type": "http",
        "client": (peer, 1234),
        "headers": [(b"x-forwarded-for", forwarded.encode())],
    }
    run_in_own_loop(middleware(scope, None, None))
    return seen["client"]


def test_forwarded_headers_count_only_from_trusted_proxies(monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1")  # uvicorn's default trust
    from pitchjudge.ui.proxies import trust_configured_proxies

    # Not configured: a header sent from loopback (or anywhere) changes nothing.
    assert trust_configured_proxies(load_settings({}, env_file=None)) == ""
    assert _client_seen("", "127.0.0.1", "6.6.6.6") == "127.0.0.1"
    # A configured proxy: its header names the client; anyone else's is ignored.
    proxies = load_settings({"PITCHJUDGE_TRUSTED_PROXIES": "10.0.0.0/8"}, env_file=None)
    assert trust_configured_proxies(proxies) == "10.0.0.0/8"
    assert _client_seen("10.0.0.0/8", "10.1.2.3", "203.0.113.7") == "203.0.113.7"
    assert _client_seen("10.0.0.0/8", "127.0.0.1", "6.6.6.6") == "127.0.0.1"
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_settings({"PITCHJUDGE_TRUSTED_PROXIES": "my-proxy"}, env_file=None)
