"""Applications: apply with a deck, come back through a private link; organisers review."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, func, select

from pitchjudge import decks, ops
from pitchjudge.config import Settings
from pitchjudge.db import session_scope
from pitchjudge.deck_store import DeckStore
from pitchjudge.errors import (
    AccessDenied,
    DeadlinePassed,
    DuplicateApplication,
    FormInvalid,
    InvalidDeck,
    NotFound,
    ValidationError,
)
from pitchjudge.formatting import spreadsheet_text
from pitchjudge.i18n import LANGUAGES, N_
from pitchjudge.models import Category, Contest, Deck, Pitch, PitchStatus, utcnow
from pitchjudge.security import looks_like_token, new_token, token_hash
from pitchjudge.services import audit, ratelimit
from pitchjudge.services.contests import ORGANISER, applications_status, get_contest
from pitchjudge.validation import clean_email, clean_text, clean_url, same_name

APPLICANT = "applicant"
#: The fields an applicant fills in, in form order.
FIELDS = (
    "startup_name",
    "one_liner",
    "category_id",
    "website",
    "founders",
    "contact_email",
    "description",
)
#: Statuses the organiser may set (withdrawal is the applicant's own decision).
ORGANISER_STATUSES = (PitchStatus.SUBMITTED, PitchStatus.SHORTLISTED, PitchStatus.REJECTED)


@dataclass(frozen=True)
class ApplicationInput:
    """What the Apply form sends (before any check)."""

    startup_name: str = ""
    one_liner: str = ""
    category_id: int | None = None
    website: str = ""
    founders: str = ""
    contact_email: str = ""
    description: str = ""
    #: The applicant agreed to the processing of their data (the Apply page's consent box).
    consent: bool = False
    #: The language the applicant uses (fr or en): their private link opens in it.
    language: str | None = None


@dataclass(frozen=True)
class Submitted:
    """A new application and the private-link token, shown once and never stored."""

    pitch: Pitch
    deck: Deck
    token: str


def clean_application(data: ApplicationInput) -> dict:
    """The cleaned fields, or FormInvalid listing every problem at once."""
    errors: list[ValidationError] = []
    values: dict = {}
    checks = {
        "startup_name": lambda v: clean_text(
            v, field="startup_name", label=N_("Startup name"), max_length=120
        ),
        "one_liner": lambda v: clean_text(
            v, field="one_liner", label=N_("One-liner"), max_length=200
        ),
        "website": lambda v: clean_url(v, field="website", label=N_("Website")),
        "founders": lambda v: clean_text(v, field="founders", label=N_("Founders"), max_length=500),
        "contact_email": lambda v: clean_email(v, field="contact_email", label=N_("Contact email")),
        "description": lambda v: clean_text(
            v, field="description", label=N_("Description"), max_length=5000, multiline=True
        ),
    }
    for name, check in checks.items():
        try:
            values[name] = check(getattr(data, name))
        except ValidationError as error:
            errors.append(error)
    values["category_id"] = data.category_id
    if errors:
        raise FormInvalid(errors)
    return values


def _category_problems(
    session: Session, contest_id: int, category_id: int | None
) -> list[ValidationError]:
    categories = session.exec(select(Category).where(Category.contest_id == contest_id)).all()
    if not categories:
        return []
    if category_id is None:
        return [ValidationError("Choose a category.", field="category_id")]
    if category_id not in {c.id for c in categories}:
        return [
            ValidationError("This category does not belong to the contest.", field="category_id")
        ]
    return []


def _check_category(session: Session, contest_id: int, category_id: int | None) -> None:
    problems = _category_problems(session, contest_id, category_id)
    if problems:
        raise FormInvalid(problems)


def _check_window(contest: Contest, now: datetime) -> None:
    status = applications_status(contest, now)
    if status == "not_yet":
        raise DeadlinePassed("Applications are not open yet.")
    if status == "closed":
        raise DeadlinePassed(
            "The deadline has passed: applications can no longer be submitted or changed."
        )


def _check_duplicate(session: Session, contest_id: int, values: dict, exclude: int | None) -> None:
    same_email = session.exec(
        select(Pitch).where(
            Pitch.contest_id == contest_id,
            func.lower(Pitch.contact_email) == values["contact_email"].lower(),
            Pitch.status != PitchStatus.WITHDRAWN,
        )
    ).all()
    for other in same_email:
        if other.id != exclude and same_name(other.startup_name, values["startup_name"]):
            raise DuplicateApplication(
                "{name} has already applied from this email address. Open that application "
                "with its private link to change it; if you lost the link, ask the organisers "
                "for a new one.",
                name=values["startup_name"],
            )


def _deck_problems(deck: bytes | None, limits: decks.DeckLimits) -> list[ValidationError]:
    """What is wrong with the deck, checked without storing it (the worker reads it)."""
    if deck is None:
        return [ValidationError("Attach your pitch deck as a PDF file.", field="deck")]
    if not deck:
        return [InvalidDeck("The file is empty. Choose your PDF deck again.")]
    try:
        decks.inspect_deck(deck, limits)
    except InvalidDeck as error:
        return [error]
    return []


def application_problems(
    *,
    engine: Engine,
    contest_id: int,
    data: ApplicationInput,
    deck: bytes | None,
    limits: decks.DeckLimits,
    now: datetime,
) -> tuple[dict | None, list[ValidationError]]:
    """Every problem of an application at once (fields, category, consent, duplicate, deck),
    with the cleaned fields when they are valid; DeadlinePassed outside the window."""
    problems: list[ValidationError] = []
    try:
        values: dict | None = clean_application(data)
    except FormInvalid as invalid:
        problems.extend(invalid.errors)
        values = None
    with session_scope(engine, read_only=True) as session:
        contest = get_contest(session=session, contest_id=contest_id)
        _check_window(contest, now)
        problems.extend(_category_problems(session, contest_id, data.category_id))
        if values is not None:
            try:
                _check_duplicate(session, contest_id, values, None)
            except DuplicateApplication as error:
                problems.append(error)
    if not data.consent:
        problems.append(
            ValidationError(
                "Agree to the processing of your data to apply: the jury cannot read an "
                "application otherwise.",
                field="consent",
            )
        )
    if not problems:
        # The worker's check takes a second or two: only for an otherwise valid form the deck
        # is stored at once; otherwise it is inspected, and a refused form stores nothing.
        return values, []
    problems.extend(_deck_problems(deck, limits))
    return values, problems


def submit_application(
    *,
    engine: Engine,
    contest_id: int,
    data: ApplicationInput,
    deck: bytes | None,
    filename: str,
    store: DeckStore,
    limits: decks.DeckLimits,
    settings: Settings,
    client: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Submitted:
    """Check and store a new application with its deck and its e-mailed receipt; returns the
    private-link token.

    Every problem is reported at once in one FormInvalid (each with its field), so the form
    can show them all next to their fields. Takes the engine rather than a session: the deck
    is checked in a worker process, which can take seconds, and no database transaction (nor
    SQLite's write lock) is held meanwhile. Every check runs before anything is stored, and
    again inside the final transaction, which also counts the application against the limits
    per `client` (its address) and per contact e-mail, and queues the receipt: both are stored
    with the application or not at all.
    """
    from pitchjudge.services import mail as mail_service

    now = now or utcnow()
    values, problems = application_problems(
        engine=engine, contest_id=contest_id, data=data, deck=deck, limits=limits, now=now
    )
    if not problems and not deck:
        problems = _deck_problems(deck, limits)
    if problems:
        raise FormInvalid(problems)
    assert values is not None and deck is not None
    with session_scope(engine, read_only=True) as session:
        _check_rate(session, values, client, now, count=False)
    try:
        facts = decks.store_deck(deck, store=store, limits=limits)
    except InvalidDeck as error:
        raise FormInvalid([error]) from None
    if language not in LANGUAGES:  # the page's language first, else the form's
        language = data.language if data.language in LANGUAGES else None
    with session_scope(engine) as session:
        contest = get_contest(session=session, contest_id=contest_id)
        _check_window(contest, now)
        _check_category(session, contest_id, values["category_id"])
        _check_duplicate(session, contest_id, values, None)
        _check_rate(session, values, client, now, count=True)
        pitch = Pitch(
            contest_id=contest_id,
            token_hash="",
            created_at=now,
            updated_at=now,
            consent_at=now,
            consent_text=contest.privacy_text,
            language=language,
            **values,
        )
        token = mail_service.issue_pitch_token(pitch, settings)
        session.add(pitch)
        session.flush()
        deck_row = _deck_row(pitch.id, facts, filename, now)
        session.add(deck_row)
        session.flush()
        audit.record(
            session,
            contest_id=contest_id,
            actor=APPLICANT,
            actor_id=pitch.id,
            entity="pitch",
            entity_id=pitch.id,
            action="create",
            new=values["startup_name"],
        )
        audit.record(
            session,
            contest_id=contest_id,
            actor=APPLICANT,
            actor_id=pitch.id,
            entity="deck",
            entity_id=deck_row.id,
            action="create",
            new=facts.sha256,
        )
        mail_service.queue_receipt(
            session=session,
            settings=settings,
            contest=contest,
            pitch=pitch,
            token=token,
            pages=facts.page_count,
        )
        ops.count_on_commit(
            session,
            ops.APPLICATION,
            "application submitted",
            contest_id=contest_id,
            pitch_id=pitch.id,
            deck_pages=facts.page_count,
        )
    return Submitted(pitch=pitch, deck=deck_row, token=token)


#: No cap made one browser send 6 applications in 111 s: at most this many per client
#: address, and per contact e-mail, counted in the database (every replica shares them).
APPLY_PER_CLIENT = ratelimit.Limit("apply:client", 5, timedelta(hours=1))
APPLY_PER_EMAIL = ratelimit.Limit("apply:email", 3, timedelta(hours=1))


def _check_rate(
    session: Session, values: dict, client: str | None, now: datetime, *, count: bool
) -> None:
    checks = [
        (
            APPLY_PER_CLIENT,
            client,
            N_("Too many applications from this connection. Try again in {minutes} minutes."),
        ),
        (
            APPLY_PER_EMAIL,
            values["contact_email"],
            N_("Too many applications with this contact e-mail. Try again in {minutes} minutes."),
        ),
    ]
    act = ratelimit.hit_all if count else ratelimit.check_all
    act(session=session, checks=checks, now=now)


def _deck_row(pitch_id: int, facts: decks.DeckFacts, filename: str, now: datetime) -> Deck:
    return Deck(
        pitch_id=pitch_id,
        sha256=facts.sha256,
        size_bytes=facts.size_bytes,
        page_count=facts.page_count,
        filename=_safe_filename(filename),
        uploaded_at=now,
    )


def _safe_filename(filename: str) -> str:
    name = Path(filename or "deck.pdf").name
    name = "".join(ch for ch in name if ch.isprintable())[:200]
    return name or "deck.pdf"


def application_by_token(*, session: Session, token: str | None) -> Pitch:
    """The application a private link opens; AccessDenied for a forged, wrong or revoked one."""
    if not looks_like_token(token):
        raise AccessDenied(
            "This private link is not valid. Check that you copied it whole, or ask the "
            "organisers for a new one."
        )
    pitch = session.exec(select(Pitch).where(Pitch.token_hash == token_hash(token or ""))).first()
    if pitch is None:
        raise AccessDenied(
            "This private link is not valid or has been replaced by a newer one. Ask the "
            "organisers for a new link if you lost it."
        )
    return pitch


def _editable(session: Session, pitch: Pitch, now: datetime) -> Contest:
    contest = get_contest(session=session, contest_id=pitch.contest_id)
    _check_window(contest, now)
    if pitch.status == PitchStatus.WITHDRAWN:
        raise DeadlinePassed("This application was withdrawn and can no longer be changed.")
    return contest


def update_application(
    *, session: Session, token: str, data: ApplicationInput, now: datetime | None = None
) -> Pitch:
    """Change an application's fields through its private link, until the deadline."""
    now = now or utcnow()
    pitch = application_by_token(session=session, token=token)
    values = clean_application(data)
    _editable(session, pitch, now)
    _check_category(session, pitch.contest_id, values["category_id"])
    _check_duplicate(session, pitch.contest_id, values, pitch.id)
    before = {name: getattr(pitch, name) for name in values}
    changed = audit.record_changes(
        session,
        contest_id=pitch.contest_id,
        actor=APPLICANT,
        actor_id=pitch.id,
        entity="pitch",
        entity_id=pitch.id,
        before=before,
        after=values,
    )
    if changed:
        for name in changed:
            setattr(pitch, name, values[name])
        pitch.updated_at = now
        session.add(pitch)
        session.flush()
    return pitch


def replace_deck(
    *,
    engine: Engine,
    token: str,
    deck: bytes | None,
    filename: str,
    store: DeckStore,
    limits: decks.DeckLimits,
    now: datetime | None = None,
) -> Deck:
    """Attach a new deck through the private link; the previous one is kept as history."""
    now = now or utcnow()
    with session_scope(engine, read_only=True) as session:
        pitch = application_by_token(session=session, token=token)
        _editable(session, pitch, now)
    if not deck:
        raise InvalidDeck("The file is empty. Choose your PDF deck again.")
    facts = decks.store_deck(deck, store=store, limits=limits)
    with session_scope(engine) as session:
        pitch = application_by_token(session=session, token=token)
        _editable(session, pitch, now)
        previous = current_deck(session=session, pitch_id=pitch.id)
        if previous is not None:
            previous.replaced_at = now
            session.add(previous)
        deck_row = _deck_row(pitch.id, facts, filename, now)
        session.add(deck_row)
        pitch.updated_at = now
        session.add(pitch)
        session.flush()
        audit.record(
            session,
            contest_id=pitch.contest_id,
            actor=APPLICANT,
            actor_id=pitch.id,
            entity="deck",
            entity_id=deck_row.id,
            action="replace",
            old=previous.sha256 if previous else None,
            new=facts.sha256,
        )
    return deck_row


def withdraw_application(*, session: Session, token: str, now: datetime | None = None) -> Pitch:
    """The applicant withdraws; the application stays visible to organisers as withdrawn."""
    now = now or utcnow()
    pitch = application_by_token(session=session, token=token)
    _editable(session, pitch, now)
    audit.record(
        session,
        contest_id=pitch.contest_id,
        actor=APPLICANT,
        actor_id=pitch.id,
        entity="pitch",
        entity_id=pitch.id,
        action="withdraw",
        field="status",
        old=pitch.status,
        new=PitchStatus.WITHDRAWN,
    )
    pitch.status = PitchStatus.WITHDRAWN
    pitch.withdrawn_at = now
    pitch.updated_at = now
    session.add(pitch)
    session.flush()
    return pitch


def current_deck(*, session: Session, pitch_id: int) -> Deck | None:
    """The pitch's deck in force (the newest one not replaced)."""
    return session.exec(
        select(Deck)
        .where(Deck.pitch_id == pitch_id, col(Deck.replaced_at).is_(None))
        .order_by(col(Deck.id).desc())
    ).first()


# --- organiser side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationRow:
    """One line of the organiser's applications list."""

    id: int
    startup_name: str
    one_liner: str
    category: str
    website: str
    founders: str
    contact_email: str
    description: str
    status: str
    created_at: datetime
    updated_at: datetime
    deck_sha256: str | None
    deck_pages: int | None
    deck_size_bytes: int | None


def list_applications(
    *,
    session: Session,
    contest_id: int,
    category_id: int | None = None,
    status: str | None = None,
    search: str | None = None,
) -> list[ApplicationRow]:
    """Applications with their current deck, newest first, filtered."""
    query = (
        select(Pitch, Category.name, Deck)
        .outerjoin(Category, col(Category.id) == Pitch.category_id)
        .outerjoin(Deck, (col(Deck.pitch_id) == Pitch.id) & col(Deck.replaced_at).is_(None))
        .where(Pitch.contest_id == contest_id)
        .order_by(col(Pitch.created_at).desc(), col(Pitch.id).desc())
    )
    if category_id is not None:
        query = query.where(Pitch.category_id == category_id)
    if status:
        query = query.where(Pitch.status == status)
    if search and search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Pitch.startup_name).like(pattern),
                func.lower(Pitch.one_liner).like(pattern),
                func.lower(Pitch.founders).like(pattern),
                func.lower(Pitch.contact_email).like(pattern),
                func.lower(Pitch.description).like(pattern),
            )
        )
    rows: dict[int, ApplicationRow] = {}
    for pitch, category, deck in session.exec(query).all():
        if pitch.id in rows:
            continue
        rows[pitch.id] = ApplicationRow(
            id=pitch.id,
            startup_name=pitch.startup_name,
            one_liner=pitch.one_liner,
            category=category or "",
            website=pitch.website,
            founders=pitch.founders,
            contact_email=pitch.contact_email,
            description=pitch.description,
            status=pitch.status,
            created_at=pitch.created_at,
            updated_at=pitch.updated_at,
            deck_sha256=deck.sha256 if deck else None,
            deck_pages=deck.page_count if deck else None,
            deck_size_bytes=deck.size_bytes if deck else None,
        )
    return list(rows.values())


def status_counts(*, session: Session, contest_id: int) -> dict[str, int]:
    """How many applications have each status (every status present, zero included)."""
    counts = dict.fromkeys(PitchStatus, 0)
    for status, count in session.exec(
        select(Pitch.status, func.count())
        .where(Pitch.contest_id == contest_id)
        .group_by(Pitch.status)
    ).all():
        counts[PitchStatus(status)] = count
    return {str(k): v for k, v in counts.items()}


def get_pitch(*, session: Session, pitch_id: int) -> Pitch:
    pitch = session.get(Pitch, pitch_id)
    if pitch is None:
        raise NotFound("This application does not exist.")
    return pitch


def set_pitch_status(*, session: Session, pitch_id: int, status: str) -> Pitch:
    """The organiser shortlists, rejects or resets an application (not a withdrawn one)."""
    pitch = get_pitch(session=session, pitch_id=pitch_id)
    if status not in ORGANISER_STATUSES:
        raise ValidationError("Unknown application status.", field="status")
    if pitch.status == PitchStatus.WITHDRAWN:
        raise ValidationError(
            "{name} was withdrawn by the applicant and cannot be changed.",
            field="status",
            name=pitch.startup_name,
        )
    if pitch.status != status:
        audit.record(
            session,
            contest_id=pitch.contest_id,
            actor=ORGANISER,
            entity="pitch",
            entity_id=pitch.id,
            action="status",
            field="status",
            old=pitch.status,
            new=status,
        )
        pitch.status = status
        session.add(pitch)
        session.flush()
    return pitch


def reissue_link(*, session: Session, pitch_id: int, settings: Settings | None = None) -> str:
    """A new private link for an applicant who lost theirs; the old link stops working.

    With `settings`, the link is derived from the server key (see `services.mail`), so it can
    be e-mailed again later without changing.
    """
    from pitchjudge.services import mail as mail_service

    pitch = get_pitch(session=session, pitch_id=pitch_id)
    if settings is not None:
        token = mail_service.issue_pitch_token(pitch, settings)
    else:
        token = new_token()
        pitch.token_hash = token_hash(token)
        pitch.token_nonce = None
    session.add(pitch)
    session.flush()
    audit.record(
        session,
        contest_id=pitch.contest_id,
        actor=ORGANISER,
        entity="pitch",
        entity_id=pitch.id,
        action="reissue_link",
    )
    return token


def private_link(base_url: str, token: str, *, language: str | None = None) -> str:
    """The applicant's private link (at the app's root, as `judges.judge_link` explains),
    opening in the applicant's language when it is known."""
    lang = f"&lang={language}" if language in LANGUAGES else ""
    return f"{base_url.rstrip('/')}/?token={token}{lang}"


def applications_csv(rows: Sequence[ApplicationRow]) -> bytes:
    """The applications as CSV (UTF-8 with BOM so spreadsheets read accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = [
        "id",
        "startup_name",
        "one_liner",
        "category",
        "website",
        "founders",
        "contact_email",
        "description",
        "status",
        "created_at",
        "updated_at",
        "deck_pages",
        "deck_size_bytes",
        "deck_sha256",
    ]
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_text(getattr(row, name)) for name in header])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
