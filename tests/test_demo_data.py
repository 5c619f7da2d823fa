"""The demo's texts come from data/demo/ and make exactly the contest they made as Python."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from pitchjudge import demo_content, demo_data
from pitchjudge.db import session_scope
from pitchjudge.demo import seed_demo
from pitchjudge.models import Mark, Scorecard
from pitchjudge.services import awards, contests, results

#: Measured with the demo written as Python (commit a110193), before the move to data/demo/.
BEFORE_CONTENT_SHA256 = "41c5dd43a6a4d5e60e5a0ca198dc62d546e90fa7e3704a2bba6aceb89bc3027a"
BEFORE_FIRST_DECK_SHA256 = "9854f8ecdd34b1f7727f84126be2ca89af755ef018efb27ced01fbf7df494c9f"
#: applications, judges, marks, scorecards, the pre-selection's leader and its total.
BEFORE_FIGURES = (24, 6, 138, 23, "Assopaie", 442.5)


def test_the_content_and_decks_are_byte_for_byte_what_the_python_made() -> None:
    content = repr(
        (
            demo_content.DEMO_STARTUPS,
            demo_content.DEMO_JUDGES,
            demo_content.DEMO_CATEGORIES,
            sorted(demo_content._FIGURES.items()),
        )
    )
    assert hashlib.sha256(content.encode()).hexdigest() == BEFORE_CONTENT_SHA256
    deck = demo_content.make_demo_deck(demo_content.DEMO_STARTUPS[0])
    assert hashlib.sha256(deck).hexdigest() == BEFORE_FIRST_DECK_SHA256


def test_the_seeded_demo_has_the_same_key_figures_and_its_prizes(sqlite_engine, settings):
    result = seed_demo(
        engine=sqlite_engine, settings=settings, now=datetime(2027, 1, 15, 9, tzinfo=UTC)
    )
    with session_scope(sqlite_engine, read_only=True) as session:
        marks = session.exec(select(func.count()).select_from(Mark)).one()
        cards = session.exec(select(func.count()).select_from(Scorecard)).one()
        first = contests.list_rounds(session=session, contest_id=result.contest_id)[0]
        board = results.round_leaderboard(session=session, round_id=first.id)
        top = board.sort_values("rank").iloc[0]
        prizes = awards.list_prizes(session=session, contest_id=result.contest_id)
    figures = (
        result.pitches,
        result.judges,
        marks,
        cards,
        top["startup_name"],
        float(top["total"]),
    )
    assert figures == BEFORE_FIGURES
    assert [p.name for p in prizes] == [p.name for p in demo_data.prizes()]
    assert {p.source for p in prizes} == {"jury", "composite", "audience"}
    assert any(p.eligibility == "categories" and p.category_ids for p in prizes)


def test_the_demo_files_are_committed_not_ignored() -> None:
    files = sorted(demo_data.DEFAULT_DIR.glob("*.json"))
    assert {f.name for f in files} == {
        "contest.json",
        "judges.json",
        "prizes.json",
        "startups.json",
    }
    ignored = subprocess.run(
        ["git", "check-ignore", *map(str, files)], capture_output=True, text=True, check=False
    )
    assert ignored.stdout == ""


def test_a_broken_data_file_is_named(tmp_path, monkeypatch) -> None:
    (tmp_path / "judges.json").write_text(json.dumps([{"name": "A", "email": "a@x.example"}]))
    monkeypatch.setenv("PITCHJUDGE_DEMO_DIR", str(tmp_path))
    demo_data.judges.cache_clear()
    try:
        with pytest.raises(demo_data.DemoDataError, match=r"judges.json\[0\]: 'affiliation'"):
            demo_data.judges()
        with pytest.raises(demo_data.DemoDataError, match=r"contest\.json: missing"):
            demo_data.contest_text.__wrapped__()
    finally:
        demo_data.judges.cache_clear()
