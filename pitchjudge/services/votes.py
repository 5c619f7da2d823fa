"""The audience vote (People's Choice): a round's vote window, ticket codes, votes, the tally.

A voter is a ticket code (claimed by the first phone that votes with it) or a phone (a
device id kept in a signed cookie by the vote page). Each voter has one row: a new vote
replaces it, so the last vote counts, until the window closes. Every vote is one
transaction that re-checks the window, the startup and the code, and counts its rate-limit
hits in the database (`pitchjudge.services.ratelimit`), so every replica sees them.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from pitchjudge import ops
from pitchjudge.errors import (
    N_,
    AccessDenied,
    NotFound,
    RoundStateError,
    ValidationError,
)
from pitchjudge.links import new_nonce
from pitchjudge.models import (
    Contest,
    Pitch,
    PitchStatus,
    Round,
    Vote,
    VoteMode,
    VoteTicket,
    VoteWindow,
    utcnow,
)
from pitchjudge.security import new_token, token_hash
from pitchjudge.services import audit, auth, ratelimit
from pitchjudge.services.assignments import round_pitches
from pitchjudge.services.contests import ORGANISER, get_round

#: Characters of a ticket code: no 0/O, 1/I/L, so a code read aloud or typed is unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31^10 ≈ 8·10^14 codes: guessing one is hopeless under the limits below
MAX_TICKETS = 5000

#: One phone may vote (or change its vote) this often.
PER_DEVICE = ratelimit.Limit("vote:device", 20, timedelta(minutes=10))
#: Device mode: votes from one client address. A venue's Wi-Fi puts a whole room behind one
#: address, so this lets 1,000 phones vote and change their minds once, and stops a script
#: beyond that; ticket codes are the mode for a vote that matters.
PER_ADDRESS = ratelimit.Limit("vote:address", 2000, timedelta(minutes=10))
#: Wrong ticket codes from one client address.
BAD_CODES = ratelimit.Limit("vote:bad-code", 20, timedelta(minutes=10))

TOO_MANY_FROM_PHONE = N_(
    "Too many votes from this phone. Try again in {minutes} minutes (your last vote counts)."
)
TOO_MANY_FROM_ADDRESS = N_("Too many votes from this network. Try again in {minutes} minutes.")
TOO_MANY_BAD_CODES = N_("Too many wrong codes from this network. Try again in {minutes} minutes.")
BAD_CODE = N_("This code is not valid for this vote. Check it and try again.")
SESSION_ENDED = N_("Your organiser session has ended: sign in again. Nothing was changed.")

NOT_OPEN, OPEN, CLOSED = "not_open", "open", "closed"


@dataclass(frozen=True)
class Finalist:
    """A startup the audience can vote for."""

    pitch_id: int
    startup_name: str
    one_liner: str


@dataclass(frozen=True)
class VotePage:
    """What the phone page shows (no ORM object: it outlives the session)."""

    window_id: int
    round_id: int
    contest_name: str
    round_name: str
    language: str
    timezone: str
    mode: str
    state: str  # not_open, open or closed
    closes_at: datetime | None
    finalists: list[Finalist]


@dataclass(frozen=True)
class Cast:
    """A vote just stored."""

    pitch_id: int
    startup_name: str
    changed: bool  # this voter had voted for another startup before


@dataclass(frozen=True)
class TallyRow:
    pitch_id: int
    startup_name: str
    votes: int


@dataclass(frozen=True)
class VoteStatus:
    """The organiser's and the projector's view of a round's vote."""

    window_id: int
    round_id: int
    token: str
    mode: str
    state: str
    opened_at: datetime | None
    closes_at: datetime | None
    live_tally: bool
    revealed: bool
    on_projector: bool
    voters: int
    tickets: int
    tickets_used: int
    rows: list[TallyRow]  # most votes first, then the running order of the round's list

    @property
    def tally_shown(self) -> bool:
        """Whether the projector shows the bars now (live, or revealed)."""
        return self.live_tally or self.revealed


# --- codes and voters ------------------------------------------------------------------------


def ticket_code(key: bytes, window_id: int, nonce: str) -> str:
    """The ticket's code: derived from the server key, so a database alone yields none."""
    digest = hmac.new(key, f"vote-ticket:{window_id}:{nonce}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[byte % len(CODE_ALPHABET)] for byte in digest[:CODE_LENGTH])


def normalise_code(code: str | None) -> str:
    """A typed code as stored: capitals, no spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    """A code as printed: ABCD-EFGH-JK."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(window_id: int, code: str) -> str:
    return token_hash(f"{window_id}:{normalise_code(code)}")


def device_voter(device_id: str) -> str:
    """A phone's voter key: the hash of its device id (the cookie's value stays secret)."""
    return "device:" + hashlib.sha256(device_id.encode()).hexdigest()[:40]


# --- the window ------------------------------------------------------------------------------


def window_state(window: VoteWindow, now: datetime | None = None) -> str:
    """not_open (never opened), open, or closed (by hand or by its closing time)."""
    now = now or utcnow()
    if window.opened_at is None:
        return NOT_OPEN
    if window.closed_at is not None:
        return CLOSED
    if window.closes_at is not None and now >= window.closes_at:
        return CLOSED
    return OPEN


def window_for_round(*, session: Session, round_id: int) -> VoteWindow | None:
    return session.exec(select(VoteWindow).where(VoteWindow.round_id == round_id)).first()


def _require_organiser(session: Session, organiser_token: str | None) -> None:
    if not auth.organiser_session_is_live(session=session, token=organiser_token):
        raise AccessDenied(SESSION_ENDED)


def ensure_window(*, session: Session, round_id: int) -> VoteWindow:
    """The round's vote window, created (not open, device mode) the first time."""
    window = window_for_round(session=session, round_id=round_id)
    if window is None:
        get_round(session=session, round_id=round_id)
        window = VoteWindow(round_id=round_id, token=new_token())
        session.add(window)
        session.flush()
    return window


def _audit(session: Session, window: VoteWindow, field: str, old, new) -> None:
    round_ = get_round(session=session, round_id=window.round_id)
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="vote",
        entity_id=window.id,
        action="update",
        field=field,
        old=old,
        new=new,
    )


def _locked_window(session: Session, round_id: int) -> VoteWindow:
    window = ensure_window(session=session, round_id=round_id)
    if session.get_bind().dialect.name == "postgresql":
        session.exec(select(VoteWindow).where(VoteWindow.id == window.id).with_for_update())
        session.refresh(window)
    return window


def configure(
    *,
    session: Session,
    organiser_token: str | None,
    round_id: int,
    mode: str | None = None,
    live_tally: bool | None = None,
    on_projector: bool | None = None,
    now: datetime | None = None,
) -> VoteWindow:
    """Change the vote's settings. The anti-fraud mode cannot change once votes are in."""
    _require_organiser(session, organiser_token)
    window = _locked_window(session, round_id)
    if mode is not None and mode != window.mode:
        if mode not in (VoteMode.TICKETS, VoteMode.DEVICE):
            raise ValidationError("Unknown vote mode.", field="mode")
        if window_state(window, now) == OPEN or _voters(session, window.id):
            raise RoundStateError(
                "The anti-fraud mode cannot change once the vote has opened with votes in."
            )
        _audit(session, window, "mode", window.mode, mode)
        window.mode = mode
    for field, value in (("live_tally", live_tally), ("on_projector", on_projector)):
        if value is not None and value != getattr(window, field):
            _audit(session, window, field, getattr(window, field), value)
            setattr(window, field, value)
    session.add(window)
    session.flush()
    return window


def open_window(
    *,
    session: Session,
    organiser_token: str | None,
    round_id: int,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> VoteWindow:
    """Open (or reopen) the vote; `closes_at`: it closes by itself then. Votes already
    cast stay."""
    _require_organiser(session, organiser_token)
    now = now or utcnow()
    window = _locked_window(session, round_id)
    if closes_at is not None and closes_at <= now:
        raise ValidationError("The closing time must be in the future.", field="closes_at")
    if window.mode == VoteMode.TICKETS and not _tickets(session, window.id):
        raise RoundStateError("Generate the ticket codes before opening a vote by ticket.")
    if not round_pitches(session=session, round_=get_round(session=session, round_id=round_id)):
        raise RoundStateError("No startup in this round to vote for.")
    before = window_state(window, now)
    window.opened_at = now
    window.closed_at = None
    window.closes_at = closes_at
    window.revealed = False
    session.add(window)
    _audit(session, window, "state", before, {"state": OPEN, "closes_at": closes_at})
    session.flush()
    return window


def close_window(
    *, session: Session, organiser_token: str | None, round_id: int, now: datetime | None = None
) -> VoteWindow:
    """Close the vote now: every later vote is refused; the votes in stay."""
    _require_organiser(session, organiser_token)
    now = now or utcnow()
    window = _locked_window(session, round_id)
    state = window_state(window, now)
    if state == NOT_OPEN:
        raise RoundStateError("The vote has not been opened.")
    if window.closed_at is None:
        window.closed_at = min(now, window.closes_at) if window.closes_at else now
        session.add(window)
        _audit(session, window, "state", state, CLOSED)
        session.flush()
    return window


def reveal(
    *, session: Session, organiser_token: str | None, round_id: int, now: datetime | None = None
) -> VoteWindow:
    """Show the tally on the projector (a vote with a hidden tally), once it is closed."""
    _require_organiser(session, organiser_token)
    window = _locked_window(session, round_id)
    if window_state(window, now) != CLOSED:
        raise RoundStateError("Close the vote before revealing its result.")
    if not window.revealed:
        window.revealed = True
        session.add(window)
        _audit(session, window, "revealed", False, True)
        session.flush()
    return window


# --- tickets ---------------------------------------------------------------------------------


def _tickets(session: Session, window_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(VoteTicket).where(VoteTicket.window_id == window_id)
    ).one()


def _voters(session: Session, window_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Vote).where(Vote.window_id == window_id)
    ).one()


def generate_tickets(
    *,
    session: Session,
    organiser_token: str | None,
    key: bytes,
    round_id: int,
    count: int,
    now: datetime | None = None,
) -> list[str]:
    """Replace the round's ticket codes by `count` new ones (the votes cast with the old
    codes go with them); refused while the vote is open. Returns the codes, in order."""
    _require_organiser(session, organiser_token)
    if not isinstance(count, int) or not 1 <= count <= MAX_TICKETS:
        raise ValidationError(
            "Give a number of codes between 1 and {most}.", field="count", most=MAX_TICKETS
        )
    window = _locked_window(session, round_id)
    if window_state(window, now) == OPEN:
        raise RoundStateError("Close the vote before generating new codes.")
    old = _tickets(session, window.id)
    dropped = session.exec(
        select(func.count())
        .select_from(Vote)
        .where(Vote.window_id == window.id, col(Vote.ticket_id).is_not(None))
    ).one()
    session.execute(
        delete(Vote).where(col(Vote.window_id) == window.id, col(Vote.ticket_id).is_not(None))
    )
    session.execute(delete(VoteTicket).where(col(VoteTicket.window_id) == window.id))
    codes = []
    rows = []
    for number in range(1, count + 1):
        nonce = new_nonce()
        code = ticket_code(key, window.id, nonce)
        codes.append(code)
        rows.append(
            {
                "window_id": window.id,
                "number": number,
                "nonce": nonce,
                "code_hash": code_hash(window.id, code),
            }
        )
    session.execute(VoteTicket.__table__.insert(), rows)
    _audit(
        session,
        window,
        "tickets",
        {"codes": old, "votes_dropped": dropped},
        {"codes": count},
    )
    session.flush()
    return codes


def ticket_codes(*, session: Session, key: bytes, round_id: int) -> list[tuple[int, str]]:
    """(number, code) of every ticket of the round, for printing."""
    window = window_for_round(session=session, round_id=round_id)
    if window is None:
        return []
    tickets = session.exec(
        select(VoteTicket.number, VoteTicket.nonce)
        .where(VoteTicket.window_id == window.id)
        .order_by(col(VoteTicket.number))
    ).all()
    return [(number, ticket_code(key, window.id, nonce)) for number, nonce in tickets]


def vote_link(base_url: str, token: str, code: str | None = None) -> str:
    """The phone page's address (a ticket's badge carries its code)."""
    link = f"{base_url.rstrip('/')}/vote/{token}"
    return f"{link}?code={format_code(code)}" if code else link


# --- the phone page --------------------------------------------------------------------------


def _window_by_token(session: Session, token: str) -> VoteWindow:
    window = None
    if 20 <= len(token or "") <= 100:
        window = session.exec(select(VoteWindow).where(VoteWindow.token == token)).first()
    if window is None:
        raise NotFound("This vote does not exist. Scan the code on the screen again.")
    return window


def _finalists(session: Session, round_: Round) -> list[Finalist]:
    return [
        Finalist(p.id, p.startup_name, p.one_liner)
        for p in round_pitches(session=session, round_=round_)
        if p.status != PitchStatus.WITHDRAWN
    ]


def vote_page(*, session: Session, token: str, now: datetime | None = None) -> VotePage:
    """What the phone page of `token` shows."""
    window = _window_by_token(session, token)
    round_ = get_round(session=session, round_id=window.round_id)
    contest = session.get(Contest, round_.contest_id)
    return VotePage(
        window_id=window.id,
        round_id=round_.id,
        contest_name=contest.name,
        round_name=round_.name,
        language=contest.language,
        timezone=contest.timezone,
        mode=window.mode,
        state=window_state(window, now),
        closes_at=window.closes_at,
        finalists=_finalists(session, round_),
    )


def _ticket(session: Session, window: VoteWindow, code: str | None) -> VoteTicket:
    if not normalise_code(code):
        raise ValidationError("Enter the code printed on your ticket.", field="code")
    ticket = session.exec(
        select(VoteTicket).where(
            VoteTicket.window_id == window.id, VoteTicket.code_hash == code_hash(window.id, code)
        )
    ).first()
    if ticket is None:
        raise AccessDenied(BAD_CODE)
    return ticket


def current_vote(
    *, session: Session, token: str, device_id: str | None, code: str | None = None
) -> int | None:
    """The pitch this phone (or this ticket, when the phone holds it) voted for, if any."""
    window = _window_by_token(session, token)
    if window.mode == VoteMode.TICKETS:
        if not normalise_code(code) or not device_id:
            return None
        ticket = session.exec(
            select(VoteTicket).where(
                VoteTicket.window_id == window.id,
                VoteTicket.code_hash == code_hash(window.id, code),
            )
        ).first()
        if ticket is None or ticket.claimed_by != device_voter(device_id):
            return None
        voter = f"ticket:{ticket.id}"
    elif device_id:
        voter = device_voter(device_id)
    else:
        return None
    return session.exec(
        select(Vote.pitch_id).where(Vote.window_id == window.id, Vote.voter == voter)
    ).first()


def note_bad_code(*, session: Session, client: str | None, now: datetime | None = None) -> None:
    """Count a wrong ticket code from `client` (in its own transaction: the vote's rolled back)."""
    # Already over the limit: the next try is refused before its code is even looked at.
    with contextlib.suppress(ratelimit.RateLimited):
        ratelimit.hit(
            session=session, limit=BAD_CODES, key=client, message=TOO_MANY_BAD_CODES, now=now
        )


def cast_vote(
    *,
    session: Session,
    token: str,
    pitch_id: int,
    device_id: str,
    code: str | None = None,
    client: str | None = None,
    now: datetime | None = None,
) -> Cast:
    """Store this voter's vote for `pitch_id`, replacing their earlier one; one transaction.

    Refused (nothing stored): a vote that is not open, a startup not in the vote (or
    withdrawn), a missing or wrong code, a code another phone already voted with, a phone or
    network over its rate limit.
    """
    now = now or utcnow()
    window = _window_by_token(session, token)
    if session.get_bind().dialect.name == "postgresql":
        # Shared: votes run side by side; a close (FOR UPDATE) waits for them, then the next
        # vote sees it closed.
        session.execute(
            text("SELECT id FROM votewindow WHERE id = :id FOR SHARE"), {"id": window.id}
        )
        session.refresh(window)
    state = window_state(window, now)
    if state == NOT_OPEN:
        raise RoundStateError("The vote has not opened yet. Wait for the signal on stage.")
    if state == CLOSED:
        raise RoundStateError("The vote is closed: no more votes are taken.")
    if not device_id:
        raise AccessDenied("Your browser refused the vote's cookie: allow cookies and reload.")
    if window.mode == VoteMode.TICKETS:
        ratelimit.check(
            session=session, limit=BAD_CODES, key=client, message=TOO_MANY_BAD_CODES, now=now
        )
    pitch = session.get(Pitch, pitch_id) if isinstance(pitch_id, int) else None
    round_ = get_round(session=session, round_id=window.round_id)
    if pitch is None or pitch.contest_id != round_.contest_id:
        raise ValidationError("This startup is not in the vote.", field="pitch")
    if pitch.status == PitchStatus.WITHDRAWN:
        raise ValidationError(
            "{name} has withdrawn from the contest: choose another startup.",
            field="pitch",
            name=pitch.startup_name,
        )
    if pitch.id not in {f.pitch_id for f in _finalists(session, round_)}:
        raise ValidationError("This startup is not in the vote.", field="pitch")
    phone = device_voter(device_id)
    checks = [(PER_DEVICE, phone, TOO_MANY_FROM_PHONE)]
    ticket_id = None
    if window.mode == VoteMode.TICKETS:
        ticket = _ticket(session, window, code)
        claimed = session.execute(
            update(VoteTicket)
            .where(
                col(VoteTicket.id) == ticket.id,
                (col(VoteTicket.claimed_by).is_(None)) | (col(VoteTicket.claimed_by) == phone),
            )
            .values(claimed_by=phone, claimed_at=func.coalesce(VoteTicket.claimed_at, now))
        )
        if claimed.rowcount != 1:
            raise AccessDenied(
                "This code has already been used on another phone. One code, one voter."
            )
        ticket_id = ticket.id
        voter = f"ticket:{ticket.id}"
    else:
        checks.append((PER_ADDRESS, client, TOO_MANY_FROM_ADDRESS))
        voter = phone
    ratelimit.hit_all(session=session, checks=checks, now=now)
    before = session.exec(
        select(Vote.pitch_id).where(Vote.window_id == window.id, Vote.voter == voter)
    ).first()
    _upsert_vote(session, window.id, voter, ticket_id, pitch.id, now)
    ops.count_on_commit(session, ops.VOTE, "vote cast", round_id=window.round_id, pitch_id=pitch.id)
    return Cast(pitch.id, pitch.startup_name, changed=before is not None and before != pitch.id)


def _upsert_vote(
    session: Session, window_id: int, voter: str, ticket_id: int | None, pitch_id: int, now
) -> None:
    # One statement: two requests of one voter at once leave one row, the later vote in it.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Vote.__table__
    statement = insert(table).values(
        window_id=window_id,
        voter=voter,
        ticket_id=ticket_id,
        pitch_id=pitch_id,
        changes=0,
        cast_at=now,
        updated_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["window_id", "voter"],
        set_={
            "pitch_id": statement.excluded.pitch_id,
            "updated_at": statement.excluded.updated_at,
            "changes": table.c.changes + 1,
        },
    )
    session.execute(statement)


# --- counting --------------------------------------------------------------------------------


def tally(session: Session, round_id: int) -> dict[int, int]:
    """Votes counted per pitch of the round's vote (each voter's last vote; 0 for a
    startup in the vote without any). Empty when the round has no vote."""
    window = window_for_round(session=session, round_id=round_id)
    if window is None:
        return {}
    round_ = get_round(session=session, round_id=round_id)
    counts = dict(
        session.exec(
            select(Vote.pitch_id, func.count())
            .where(Vote.window_id == window.id)
            .group_by(col(Vote.pitch_id))
        ).all()
    )
    result = {f.pitch_id: int(counts.pop(f.pitch_id, 0)) for f in _finalists(session, round_)}
    # A startup withdrawn after votes: its votes are kept in the database, not counted.
    return result


def voter_count(*, session: Session, round_id: int) -> int:
    """How many people have voted (tickets or phones), whatever they chose."""
    window = window_for_round(session=session, round_id=round_id)
    return 0 if window is None else _voters(session, window.id)


def status(*, session: Session, round_id: int, now: datetime | None = None) -> VoteStatus | None:
    """The round's vote, counted (None: no vote set up for this round)."""
    window = window_for_round(session=session, round_id=round_id)
    if window is None:
        return None
    round_ = get_round(session=session, round_id=round_id)
    names = {f.pitch_id: f.startup_name for f in _finalists(session, round_)}
    counts = tally(session, round_id)
    order = list(names)
    rows = sorted(
        (TallyRow(pid, names[pid], counts.get(pid, 0)) for pid in order),
        key=lambda row: (-row.votes, order.index(row.pitch_id)),
    )
    used = session.exec(
        select(func.count())
        .select_from(VoteTicket)
        .where(VoteTicket.window_id == window.id, col(VoteTicket.claimed_by).is_not(None))
    ).one()
    return VoteStatus(
        window_id=window.id,
        round_id=round_id,
        token=window.token,
        mode=window.mode,
        state=window_state(window, now),
        opened_at=window.opened_at,
        closes_at=window.closes_at,
        live_tally=window.live_tally,
        revealed=window.revealed,
        on_projector=window.on_projector,
        voters=_voters(session, window.id),
        tickets=_tickets(session, window.id),
        tickets_used=int(used),
        rows=rows,
    )


def projected_round(*, session: Session, contest_id: int) -> int | None:
    """The round whose vote the organiser put on the projector, if any."""
    return session.exec(
        select(VoteWindow.round_id)
        .join(Round, col(Round.id) == VoteWindow.round_id)
        .where(Round.contest_id == contest_id, col(VoteWindow.on_projector).is_(True))
        .order_by(col(VoteWindow.id).desc())
    ).first()


def fingerprint(*, session: Session, round_id: int, now: datetime | None = None) -> tuple:
    """What the projector compares on each refresh: the window's settings and the votes."""
    window = window_for_round(session=session, round_id=round_id)
    if window is None:
        return ()
    votes = session.exec(
        select(func.count(), func.max(Vote.updated_at)).where(Vote.window_id == window.id)
    ).one()
    return (
        window_state(window, now),
        window.mode,
        window.live_tally,
        window.revealed,
        window.on_projector,
        window.closes_at,
        tuple(votes),
    )
