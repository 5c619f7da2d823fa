"""The phone page (/vote/<token>) through a real server (the ASGI entry's st.App routes):
CSRF, escaping, language, votes refused and counted."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
import requests
from sqlalchemy import delete
from sqlmodel import select

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Pitch, RateLimitHit, Vote, VoteMode, utcnow
from pitchjudge.services import auth, ratelimit, votes
from pitchjudge.ui.vote_http import CSRF_COOKIE, DEVICE_COOKIE
from tests.browser_support import app_settings, serve
from tests.factories import make_judging

HOSTILE_NAME = '<script>alert("x")</script> & Co'
HOSTILE_LINE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("vote_http")
    values, port = app_settings(root, PITCHJUDGE_SECRET_KEY="vote-http-secret-key-0123456789abcdef")
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=1, pitches=3)
    with session_scope(engine) as session:
        pitch = session.get(Pitch, w["pitches"][0])
        pitch.startup_name, pitch.one_liner = HOSTILE_NAME, HOSTILE_LINE
        session.add(pitch)
        w["organiser"] = auth.open_organiser_session(session=session)
        w["token"] = votes.ensure_window(session=session, round_id=w["round_id"]).token
    with serve(root, values, port) as app:
        w.update(engine=engine, url=app.url, app=app)
        yield w
    engine.dispose()


def organise(w, fn, **kwargs):
    with session_scope(w["engine"]) as session:
        return fn(session=session, organiser_token=w["organiser"], round_id=w["round_id"], **kwargs)


@pytest.fixture
def vote_open(server):
    w = server
    with session_scope(w["engine"]) as session:
        window = votes.ensure_window(session=session, round_id=w["round_id"])
        window.opened_at, window.closed_at, window.closes_at = None, None, None
        window.mode = VoteMode.DEVICE
        session.add(window)
        session.execute(delete(Vote))
        session.execute(delete(RateLimitHit))
    organise(w, votes.open_window)
    return w


def page_url(w, **query):
    return f"{w['url']}/vote/{w['token']}"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def tally(w):
    with session_scope(w["engine"], read_only=True) as session:
        return votes.tally(session, w["round_id"])


def test_the_page_escapes_startup_text_and_sets_safe_cookies(vote_open):
    w = vote_open
    response = requests.get(page_url(w), headers={"Accept-Language": "en"}, timeout=30)
    assert response.status_code == 200
    body = response.text
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "Tap the startup you vote for." in body
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    cookies = response.headers.get("set-cookie", "")
    assert "pj_vote_device=" in cookies and "HttpOnly" in cookies
    assert re.search(r"pj_vote_csrf=[^;]+;.*SameSite=strict", cookies, re.I)


def test_a_vote_without_the_pages_csrf_token_is_refused(vote_open):
    w = vote_open
    phone = requests.Session()
    phone.headers["Accept-Language"] = "en"
    phone.get(page_url(w), timeout=30)
    pitch = str(w["pitches"][1])
    missing = phone.post(page_url(w), data={"pitch": pitch}, timeout=30)
    assert missing.status_code == 403 and "reload it" in missing.text
    # A token made for another browser's cookie does not open this one.
    other = requests.Session()
    foreign = csrf_of(other.get(page_url(w), timeout=30).text)
    phone.cookies.set("pj_vote_csrf", "someone-elses-cookie", path="/vote")
    assert (
        phone.post(page_url(w), data={"pitch": pitch, "csrf": foreign}, timeout=30).status_code
        == 403
    )
    # From another site (Origin), even with the right token.
    good = csrf_of(other.get(page_url(w), timeout=30).text)
    cross = other.post(
        page_url(w),
        data={"pitch": pitch, "csrf": good},
        headers={"Origin": "https://evil.example"},
        timeout=30,
    )
    assert cross.status_code == 403
    assert sum(tally(w).values()) == 0


def vote(phone, w, pitch_id, **extra):
    csrf = csrf_of(phone.get(page_url(w), timeout=30).text)
    return phone.post(page_url(w), data={"pitch": str(pitch_id), "csrf": csrf, **extra}, timeout=30)


def test_a_phone_votes_changes_its_vote_and_is_refused_after_close(vote_open):
    w = vote_open
    p1, p2, p3 = w["pitches"]
    phone = requests.Session()
    phone.headers["Accept-Language"] = "en"
    done = vote(phone, w, p2)
    assert done.status_code == 200 and done.history[0].status_code == 303
    assert "Thank you! Your vote for Startup 2 is counted." in done.text
    assert re.search(f'value="{p2}" aria-pressed="true"', done.text)
    changed = vote(phone, w, p3)
    assert "Your vote for Startup 3 is counted." in changed.text
    assert tally(w) == {p1: 0, p2: 0, p3: 1}
    organise(w, votes.close_window)
    refused = vote(phone, w, p1)
    assert refused.status_code == 409
    assert "The vote is closed" in refused.text
    assert tally(w) == {p1: 0, p2: 0, p3: 1}


def test_a_forged_device_cookie_is_not_trusted(vote_open):
    """A copied device id with a made-up signature (or a signature moved onto another id)
    neither shows nor changes that phone's vote: the vote is refused and a new device
    cookie handed out, with which the phone votes as a new voter."""
    w = vote_open
    p1, p2, p3 = w["pitches"]
    english = {"Accept-Language": "en"}
    phone = requests.Session()
    phone.headers.update(english)
    vote(phone, w, p2)
    device_id, _dot, signature = phone.cookies[DEVICE_COOKIE].partition(".")
    for forged in (f"{device_id}.{'0' * 32}", f"{device_id[::-1]}.{signature}", device_id):
        page = requests.get(
            page_url(w), cookies={DEVICE_COOKIE: forged}, headers=english, timeout=30
        )
        assert 'aria-pressed="true"' not in page.text  # not taken for the copied phone
        fresh = page.cookies[DEVICE_COOKIE]
        assert fresh.partition(".")[0] not in (device_id, forged.partition(".")[0])
        refused = requests.post(
            page_url(w),
            data={"pitch": str(p3), "csrf": csrf_of(page.text)},
            cookies={DEVICE_COOKIE: forged, CSRF_COOKIE: page.cookies[CSRF_COOKIE]},
            headers=english,
            timeout=30,
        )
        assert refused.status_code == 403
        assert "Your browser refused the vote's cookie" in unescape(refused.text)
        assert tally(w) == {p1: 0, p2: 1, p3: 0}
    # The cookie handed out instead is genuine: with it, the phone votes as a voter of its own.
    counted = requests.post(
        page_url(w),
        data={"pitch": str(p3), "csrf": csrf_of(page.text)},
        cookies={DEVICE_COOKIE: fresh, CSRF_COOKIE: page.cookies[CSRF_COOKIE]},
        allow_redirects=False,
        timeout=30,
    )
    assert counted.status_code == 303
    assert tally(w) == {p1: 0, p2: 1, p3: 1}  # and the copied phone's vote stays


def test_one_network_is_refused_beyond_its_vote_limit(vote_open):
    """Device mode: every vote from one network counts towards PER_ADDRESS; beyond it, the
    phone is told why and when to come back, and nothing is stored."""
    w = vote_open
    p1, p2, p3 = w["pitches"]
    limit = votes.PER_ADDRESS
    earlier = utcnow() - timedelta(minutes=3)
    network = ratelimit.bucket(limit, "127.0.0.1")  # the address this test's phones vote from
    with session_scope(w["engine"]) as session:  # the room's votes so far, all but the last
        session.add_all(RateLimitHit(bucket=network, at=earlier) for _ in range(limit.count - 1))
    last, over = requests.Session(), requests.Session()
    last.headers["Accept-Language"] = over.headers["Accept-Language"] = "en"
    assert "Your vote for Startup 2 is counted." in vote(last, w, p2).text
    refused = vote(over, w, p3)
    assert refused.status_code == 429
    minutes = math.ceil((limit.window - timedelta(minutes=3)).total_seconds() / 60)
    assert f"Too many votes from this network. Try again in {minutes} minutes." in refused.text
    assert tally(w) == {p1: 0, p2: 1, p3: 0}


def test_the_page_speaks_the_phones_language(vote_open):
    w = vote_open
    french = requests.get(page_url(w), headers={"Accept-Language": "fr-FR,fr;q=0.9"}, timeout=30)
    assert "Touchez la startup pour laquelle vous votez." in french.text
    assert '<html lang="fr">' in french.text
    phone = requests.Session()
    phone.headers["Accept-Language"] = "fr"
    english = phone.get(page_url(w) + "?lang=en", timeout=30)
    assert "Tap the startup you vote for." in english.text
    # The choice stays for this phone.
    assert "Tap the startup you vote for." in phone.get(page_url(w), timeout=30).text


def test_a_ticket_code_used_on_another_phone_is_refused(vote_open):
    w = vote_open
    organise(w, votes.close_window)
    organise(w, votes.configure, mode=VoteMode.TICKETS)
    codes = organise(w, votes.generate_tickets, key=b"unused-in-this-test-" * 2, count=2)
    organise(w, votes.open_window)
    p1, p2, _p3 = w["pitches"]
    first, second = requests.Session(), requests.Session()
    first.headers["Accept-Language"] = second.headers["Accept-Language"] = "en"
    # The badge's QR carries the code.
    page = first.get(page_url(w) + f"?code={votes.format_code(codes[0])}", timeout=30)
    assert f'value="{votes.format_code(codes[0])}"' in page.text
    ok = first.post(
        page_url(w), data={"pitch": str(p1), "csrf": csrf_of(page.text), "code": codes[0]}
    )
    assert "Your vote for" in ok.text
    reused = vote(second, w, p2, code=codes[0])
    assert reused.status_code == 403
    assert "already been used on another phone" in reused.text
    forged = vote(second, w, p2, code="AAAA-BBBB-CC")
    assert forged.status_code == 403 and "not valid" in forged.text
    with session_scope(w["engine"], read_only=True) as session:  # counted against guessing
        buckets = session.exec(select(RateLimitHit.bucket)).all()
    assert [b for b in buckets if b.startswith("vote:bad-code:")] == ["vote:bad-code:127.0.0.1"]
    assert tally(w)[p1] == 1 and tally(w)[p2] == 0


def test_an_unknown_vote_says_so(server):
    response = requests.get(
        f"{server['url']}/vote/{'x' * 43}", headers={"Accept-Language": "en"}, timeout=30
    )
    assert response.status_code == 404
    assert "This vote does not exist" in response.text


@pytest.mark.parametrize(
    ("host", "counted"),
    [
        ("::ffff:10.0.0.7", "10.0.0.7"),
        ("10.0.0.7", "10.0.0.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        (None, None),
    ],
)
def test_limits_count_per_network(host, counted):
    from pitchjudge.ui.vote_http import client_network

    assert client_network(host) == counted
