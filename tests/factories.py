"""Factories for tests: a contest ready for applications, applications with real decks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from pitchjudge.config import Settings
from pitchjudge.db import session_scope
from pitchjudge.deck_store import open_deck_store
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
        "consent": True,
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
    client: str | None = None,
    language: str | None = None,
    **overrides,
) -> applications.Submitted:
    """Apply through the real service (the deck goes through the real worker)."""
    return applications.submit_application(
        engine=engine,
        contest_id=contest_id,
        data=application_input(engine, contest_id, **overrides),
        deck=deck,
        filename="deck.pdf",
        store=open_deck_store(settings),
        limits=settings.deck_limits,
        settings=settings,
        client=client,
        language=language,
        now=now,
    )


def make_judging(
    engine: Engine,
    settings: Settings,
    *,
    judges: int = 3,
    pitches: int = 4,
    mode: str = "all",
    k: int | None = None,
    open_round: bool = True,
):
    """A contest with the classic rubric, `pitches` applications (no deck, for speed),
    `judges` judges with links, and one round (opened, which plans its assignments)."""
    from pitchjudge.models import Pitch
    from pitchjudge.security import new_token, token_hash
    from pitchjudge.services import judges as judges_service

    contest = make_contest(engine)
    with session_scope(engine) as session:
        round_ = contests.create_round(
            session=session,
            contest_id=contest.id,
            name="Final",
            assignment_mode=mode,
            judges_per_pitch=k,
        )
        pitch_ids = []
        for index in range(pitches):
            pitch = Pitch(
                contest_id=contest.id,
                startup_name=f"Startup {index + 1}",
                one_liner="One line",
                contact_email=f"s{index}@x.example",
                token_hash=token_hash(new_token()),
            )
            session.add(pitch)
            session.flush()
            pitch_ids.append(pitch.id)
        judge_rows = [
            judges_service.add_judge(
                session=session,
                settings=settings,
                contest_id=contest.id,
                data=judges_service.JudgeInput(name=f"Judge {n + 1}"),
            )
            for n in range(judges)
        ]
        judge_ids = [j.id for j in judge_rows]
        tokens = [judges_service.judge_token(settings=settings, judge=j) for j in judge_rows]
        criteria = [c.id for c in rubric.list_criteria(session=session, contest_id=contest.id)]
    if open_round:
        with session_scope(engine) as session:
            contests.set_round_status(session=session, round_id=round_.id, status="open")
    return {
        "contest": contest,
        "round_id": round_.id,
        "judges": judge_ids,
        "tokens": tokens,
        "pitches": pitch_ids,
        "criteria": criteria,
    }


def run_in_own_loop(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread, where asyncio.run refuses to start another."""
    import asyncio
    import threading

    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
