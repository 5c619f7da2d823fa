"""Factories for tests: a contest ready for applications, applications with real decks."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from pitchjudge.config import Settings
from pitchjudge.db import session_scope
from pitchjudge.models import Contest, utcnow
from pitchjudge.services import applications, contests, rubric
from tests.pdf_samples import make_deck

SMALL_DECK = make_deck(pages=3)


def make_contest(
    engine: Engine,
    *,
    name: str = "Prix Test 2027",
    categories: tuple[str, ...] = ("Santé", "Climat"),
    opens: datetime | None = None,
    closes: datetime | None = None,
    with_rubric: bool = True,
) -> Contest:
    """A contest whose applications are open now (unless told otherwise)."""
    now = utcnow()
    with session_scope(engine) as session:
        contest = contests.create_contest(
            session=session,
            data=contests.ContestInput(
                name=name,
                description="Appel à candidatures",
                applications_open_at=opens or now - timedelta(days=10),
                applications_close_at=closes or now + timedelta(days=10),
            ),
        )
        for category in categories:
            contests.add_category(session=session, contest_id=contest.id, name=category)
        if with_rubric:
            rubric.apply_template(session=session, contest_id=contest.id, language="en")
        return contest


def category_ids(engine: Engine, contest_id: int) -> list[int]:
    with session_scope(engine, read_only=True) as session:
        return [c.id for c in contests.list_categories(session=session, contest_id=contest_id)]


def application_input(
    engine: Engine, contest_id: int, **overrides
) -> applications.ApplicationInput:
    values = {
        "startup_name": "Kelvio",
        "one_liner": "Heat pumps installed in a week",
        "category_id": category_ids(engine, contest_id)[0],
        "website": "https://kelvio.example",
        "founders": "Camille Martin (CEO)",
        "contact_email": "camille@kelvio.example",
        "description": "We install heat pumps.\nFast.",
    }
    values.update(overrides)
    return applications.ApplicationInput(**values)


def submit(
    engine: Engine,
    settings: Settings,
    contest_id: int,
    *,
    deck: bytes | None = SMALL_DECK,
    now: datetime | None = None,
    **overrides,
) -> applications.Submitted:
    """Apply through the real service (the deck goes through the real worker)."""
    return applications.submit_application(
        engine=engine,
        contest_id=contest_id,
        data=application_input(engine, contest_id, **overrides),
        deck=deck,
        filename="deck.pdf",
        store_dir=Path(settings.deck_store),
        limits=settings.deck_limits,
        now=now,
    )
