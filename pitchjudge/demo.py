"""The demo contest: 24 startups with real PDF decks, the classic rubric, two rounds, six judges."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import SQLModel, func, select

from pitchjudge import demo_data
from pitchjudge.config import Settings
from pitchjudge.db import session_scope
from pitchjudge.deck_store import open_deck_store
from pitchjudge.demo_content import (
    CONTEST_NAME,
    DEMO_CATEGORIES,
    DEMO_JUDGES,
    DEMO_STARTUPS,
    make_demo_deck,
)
from pitchjudge.models import AppSecret, AssignmentMode, Contest, Pitch, utcnow
from pitchjudge.services import (
    applications,
    assignments,
    auth,
    awards,
    contests,
    judges,
    promotion,
    rubric,
    scoring,
)

DEMO_CONTEST_NAME = CONTEST_NAME
DEMO_CALL = demo_data.contest_text().call


@dataclass(frozen=True)
class DemoResult:
    contest_id: int
    pitches: int
    judges: int
    sample_token: str


def database_is_empty(engine: Engine) -> bool:
    """Whether the database holds no contest yet."""
    with session_scope(engine, read_only=True) as session:
        return session.exec(select(func.count()).select_from(Contest)).one() == 0


def wipe(engine: Engine) -> None:
    """Delete every row of every table but the generated secrets (used by `demo --force`)."""
    with session_scope(engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in (AppSecret.__tablename__,):
                session.exec(table.delete())  # type: ignore[call-overload]


def seed_demo(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Create the demo contest through the same services the pages use."""
    now = now or utcnow()
    say = progress or (lambda _message: None)
    with session_scope(engine) as session:
        contest = contests.create_contest(
            session=session,
            data=contests.ContestInput(
                name=DEMO_CONTEST_NAME,
                description=DEMO_CALL,
                language="fr",
                timezone=settings.timezone,
                applications_open_at=now - timedelta(days=30),
                applications_close_at=(now + timedelta(days=21)).replace(
                    hour=22, minute=59, second=0, microsecond=0
                ),
            ),
        )
        category_ids = {
            name: contests.add_category(session=session, contest_id=contest.id, name=name).id
            for name in DEMO_CATEGORIES
        }
        rubric.apply_template(session=session, contest_id=contest.id, language="fr")
        preselection_id = contests.create_round(
            session=session,
            contest_id=contest.id,
            name="Présélection",
            assignment_mode=AssignmentMode.K_PER_PITCH,
            judges_per_pitch=3,
        ).id
        final = contests.create_round(session=session, contest_id=contest.id, name="Finale")
        final_id = final.id
        # The final's results count the pre-selection for 30 % (shown as a formula).
        promotion.set_blend(
            session=session, round_id=final.id, earlier_round_id=preselection_id, weight=0.3
        )
        for name, email, affiliation in DEMO_JUDGES:
            judges.add_judge(
                session=session,
                settings=settings,
                contest_id=contest.id,
                data=judges.JudgeInput(name, email, affiliation),
            )
        contest_id = contest.id
    say(f"Contest «{DEMO_CONTEST_NAME}» created; generating {len(DEMO_STARTUPS)} decks …")

    limits = settings.deck_limits
    store = open_deck_store(settings)

    def submit(index: int, deck: bytes) -> str:
        startup = DEMO_STARTUPS[index]
        submitted = applications.submit_application(
            engine=engine,
            contest_id=contest_id,
            data=applications.ApplicationInput(
                startup_name=startup.startup_name,
                one_liner=startup.one_liner,
                category_id=category_ids[startup.category],
                website=startup.website,
                founders=startup.founders,
                contact_email=startup.contact_email,
                description=startup.description,
                consent=True,
            ),
            deck=deck,
            filename=f"{startup.startup_name}.pdf",
            store=store,
            settings=settings,
            limits=limits,
            # Spread over the weeks the call has been open, oldest first.
            now=now - timedelta(days=29 - index, hours=index % 7),
        )
        say(f"  {index + 1:>2}/{len(DEMO_STARTUPS)} {startup.startup_name}")
        return submitted.token

    # The decks are drawn two at a time; the applications are submitted in order, so that every
    # seed gives each startup the same id, judges, marks and place.
    with ThreadPoolExecutor(max_workers=2) as pool:
        decks = list(pool.map(make_demo_deck, DEMO_STARTUPS))
    tokens = [submit(index, deck) for index, deck in enumerate(decks)]
    _start_preselection(engine=engine, contest_id=contest_id, preselection_id=preselection_id)
    _seed_audience_vote(engine=engine, final_id=final_id, now=now)
    _add_prizes(engine=engine, contest_id=contest_id, category_ids=category_ids)
    with session_scope(engine, read_only=True) as session:
        pitches = session.exec(
            select(func.count()).select_from(Pitch).where(Pitch.contest_id == contest_id)
        ).one()
    return DemoResult(
        contest_id=contest_id, pitches=pitches, judges=len(DEMO_JUDGES), sample_token=tokens[0]
    )


_DEMO_COMMENTS = demo_data.contest_text().comments


def _add_prizes(*, engine: Engine, contest_id: int, category_ids: dict[str, int]) -> None:
    """The demo's prizes (data/demo/prizes.json), decided by the final, through the service
    the Prizes page uses (with a short-lived organiser session, closed at once)."""
    with session_scope(engine) as session:
        token = auth.open_organiser_session(session=session)
        for prize in demo_data.prizes():
            awards.save_prize(
                session=session,
                organiser_token=token,
                contest_id=contest_id,
                form=awards.PrizeForm(
                    name=prize.name,
                    sponsor=prize.sponsor,
                    amount=prize.amount,
                    source=prize.source,
                    jury_weight=prize.jury_weight,
                    eligibility=prize.eligibility,
                    category_ids=[category_ids[name] for name in prize.categories],
                    exclusive=prize.exclusive,
                ),
            )
        auth.sign_out_organiser(session=session, token=token)


def _start_preselection(*, engine: Engine, contest_id: int, preselection_id: int) -> None:
    """Open the pre-selection (which plans 3 judges per pitch) and let the first judges
    start: some scorecards submitted, some drafts, the rest untouched."""
    rng = random.Random(2027)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=preselection_id, status="open")
    with session_scope(engine, read_only=True) as session:
        criteria = list(rubric.list_criteria(session=session, contest_id=contest_id))
        panel = sorted(assignments.assigned_pairs(session=session, round_id=preselection_id))
        judge_ids = sorted({judge_id for judge_id, _pitch in panel})
    quality = {pitch_id: rng.uniform(2.0, 4.6) for _judge, pitch_id in panel}
    leniency = {judge_id: rng.uniform(-0.5, 0.5) for judge_id in judge_ids}
    for judge_id, pitch_id in panel:
        rank = judge_ids.index(judge_id)
        if rank >= 4 or rng.random() > 0.75 - 0.15 * rank:
            continue  # the last judges have not started; the others are part-way
        with session_scope(engine) as session:
            ids = dict(round_id=preselection_id, judge_id=judge_id, pitch_id=pitch_id)
            for criterion in criteria:
                value = round(quality[pitch_id] + leniency[judge_id] + rng.gauss(0, 0.6))
                scoring.save_mark(
                    session=session, criterion_id=criterion.id, value=min(5, max(1, value)), **ids
                )
            scoring.save_text(
                session=session, field="comment", value=rng.choice(_DEMO_COMMENTS), **ids
            )
            if rng.random() < 0.8:
                scoring.submit_scorecard(session=session, **ids)


#: The demo's 8 finalists (shortlisted by hand, so the final and its audience vote have them).
DEMO_FINALISTS = 8
DEMO_VOTES = 57


def _seed_audience_vote(*, engine: Engine, final_id: int, now: datetime) -> None:
    """Shortlist 8 startups for the final, and give its audience vote some votes: opened,
    57 phones voted (a few changed their minds), closed again, so the organiser can reopen
    it from the Stage page and put it on the projector."""
    from pitchjudge.models import PitchStatus, Round
    from pitchjudge.services import auth, votes

    rng = random.Random(2028)
    with session_scope(engine) as session:
        contest_id = session.get(Round, final_id).contest_id
        ids = session.exec(
            select(Pitch.id).where(Pitch.contest_id == contest_id).order_by(Pitch.id)
        ).all()
        finalists = ids[:: max(1, len(ids) // DEMO_FINALISTS)][:DEMO_FINALISTS]
        for pitch_id in finalists:
            applications.set_pitch_status(
                session=session, pitch_id=pitch_id, status=PitchStatus.SHORTLISTED
            )
        organiser = auth.open_organiser_session(session=session, now=now)
        token = votes.ensure_window(session=session, round_id=final_id).token
        votes.open_window(session=session, organiser_token=organiser, round_id=final_id, now=now)
    weights = [rng.uniform(0.5, 3) for _ in finalists]
    for phone in range(DEMO_VOTES):
        with session_scope(engine) as session:
            for _change in range(2 if phone % 9 == 0 else 1):
                votes.cast_vote(
                    session=session,
                    token=token,
                    pitch_id=rng.choices(finalists, weights)[0],
                    device_id=f"demo-phone-{phone}",
                    now=now,
                )
    with session_scope(engine) as session:
        votes.close_window(session=session, organiser_token=organiser, round_id=final_id, now=now)
        auth.sign_out_organiser(session=session, token=organiser, now=now)
