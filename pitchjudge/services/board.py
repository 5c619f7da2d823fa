"""The projected leaderboard: what the room sees, decided by the organiser and kept in the
database so every projector and replica shows the same thing."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd
from sqlmodel import Session, col, func, select

from pitchjudge.config import Settings
from pitchjudge.errors import AccessDenied, RoundStateError, ValidationError
from pitchjudge.links import derive_token, new_nonce, secret_key
from pitchjudge.models import (
    Assignment,
    BoardMode,
    BoardState,
    Contest,
    Round,
    RoundVersion,
    Scorecard,
)
from pitchjudge.scoring import ScoringError
from pitchjudge.security import looks_like_token, token_hash
from pitchjudge.services import audit, results
from pitchjudge.services.contests import ORGANISER, get_contest, get_round, list_rounds


@dataclass(frozen=True)
class BoardRow:
    """One line of the projected leaderboard (no judge ever named)."""

    rank: int | None
    pitch_id: int
    startup_name: str
    total: float | None
    total_low: float | None
    total_high: float | None
    statistical_tie: bool
    n_judges: int
    criteria: dict[str, float] = field(default_factory=dict)
    #: This row and the next cannot be called at a decision line: {"line": "winner" |
    #: "podium" | "promotion", "p": P(this row beats the next)}; None elsewhere.
    close_call: dict | None = None


@dataclass(frozen=True)
class BoardDisplay:
    """How the projector lays the board out, chosen by the organiser (`Contest.board_*`)."""

    mode: str = BoardMode.FULL
    page_seconds: int = 10
    top_n: int = 10
    whiskers: bool = False


PAGE_SECONDS = (3, 120)
TOP_N = (1, 50)


@dataclass(frozen=True)
class BoardView:
    """What the projector shows now."""

    state: str
    contest_name: str
    round_name: str | None = None
    rows: list[BoardRow] = field(default_factory=list)
    hidden_places: int = 0  # in reveal: places still to reveal, at the top
    scorecards_submitted: int = 0
    scorecards_expected: int = 0
    problem: str | None = None  # why results cannot be computed yet (in English)
    formula: str | None = None  # a blended round's formula ("30 % Pre-selection + 70 % Final")
    x_max: float | None = None  # the chart's scale: the whole board's, even mid-reveal
    round_id: int | None = None
    display: BoardDisplay = field(default_factory=BoardDisplay)


# --- the display link ---------------------------------------------------------------------


def issued_display_token(*, session: Session, settings: Settings, contest_id: int) -> str | None:
    """The projector's link token if it has been issued (a read: no write lock needed)."""
    contest = get_contest(session=session, contest_id=contest_id)
    if not contest.display_nonce:
        return None
    token = derive_token(secret_key(settings), f"display:{contest.id}", contest.display_nonce)
    return token if contest.display_token_hash == token_hash(token) else None


def display_token(*, session: Session, settings: Settings, contest_id: int) -> str:
    """The projector's link token, created on first use."""
    contest = get_contest(session=session, contest_id=contest_id)
    if not contest.display_nonce:
        contest.display_nonce = new_nonce()
    token = derive_token(secret_key(settings), f"display:{contest.id}", contest.display_nonce)
    if contest.display_token_hash != token_hash(token):
        contest.display_token_hash = token_hash(token)
        session.add(contest)
        session.flush()
    return token


def reissue_display_token(*, session: Session, settings: Settings, contest_id: int) -> str:
    """A new display link; projectors on the old one stop showing results."""
    contest = get_contest(session=session, contest_id=contest_id)
    contest.display_nonce = None
    session.add(contest)
    session.flush()
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="contest",
        entity_id=contest_id,
        action="reissue_display_link",
    )
    return display_token(session=session, settings=settings, contest_id=contest_id)


def display_link(base_url: str, token: str) -> str:
    """The projector's link (at the app's root, like the judges' links)."""
    return f"{base_url.rstrip('/')}/?display={token}"


def stage_screen_link(base_url: str, token: str) -> str:
    """The same display token, opening the stage screen (who is on stage, and the clock)."""
    return f"{display_link(base_url, token)}&screen=stage"


def contest_by_display_token(*, session: Session, token: str | None) -> Contest:
    if not looks_like_token(token):
        raise AccessDenied("This display link is not valid. Ask the organisers for it.")
    contest = session.exec(
        select(Contest).where(Contest.display_token_hash == token_hash(token or ""))
    ).first()
    if contest is None:
        raise AccessDenied("This display link is not valid or has been replaced.")
    return contest


# --- how the projector lays it out --------------------------------------------------------


def display_of(contest: Contest) -> BoardDisplay:
    return BoardDisplay(
        mode=BoardMode(contest.board_mode),
        page_seconds=contest.board_page_seconds,
        top_n=contest.board_top_n,
        whiskers=contest.board_whiskers,
    )


def set_board_display(
    *,
    session: Session,
    contest_id: int,
    mode: str,
    page_seconds: int,
    top_n: int,
    whiskers: bool,
) -> BoardDisplay:
    """Choose how every projector of the contest lays out the board."""
    if mode not in tuple(BoardMode):
        raise ValidationError("Choose full, pages or top N.", field="mode")
    if not PAGE_SECONDS[0] <= int(page_seconds) <= PAGE_SECONDS[1]:
        raise ValidationError(
            "Between {low} and {high} seconds a page.",
            field="page_seconds",
            low=PAGE_SECONDS[0],
            high=PAGE_SECONDS[1],
        )
    if not TOP_N[0] <= int(top_n) <= TOP_N[1]:
        raise ValidationError(
            "Between {low} and {high} places.", field="top_n", low=TOP_N[0], high=TOP_N[1]
        )
    contest = get_contest(session=session, contest_id=contest_id)
    old = display_of(contest)
    contest.board_mode = str(mode)
    contest.board_page_seconds = int(page_seconds)
    contest.board_top_n = int(top_n)
    contest.board_whiskers = bool(whiskers)
    session.add(contest)
    session.flush()
    new = display_of(contest)
    if new != old:
        audit.record(
            session,
            contest_id=contest_id,
            actor=ORGANISER,
            entity="contest",
            entity_id=contest_id,
            action="board_display",
            old=str(old.__dict__),
            new=str(new.__dict__),
        )
    return new


# --- what the board shows -----------------------------------------------------------------


def shown_round(*, session: Session, contest_id: int) -> Round | None:
    """The round on the projector: the last round (in order) whose board is not hidden."""
    shown = [
        r
        for r in list_rounds(session=session, contest_id=contest_id)
        if r.board != BoardState.HIDDEN
    ]
    return shown[-1] if shown else None


def fingerprint(*, session: Session, contest_id: int) -> tuple:
    """Everything the contest's board depends on, in one small query (read on every refresh).

    The shown round's results version (`models.RoundVersion`, bumped by triggers on every
    write that changes its results), with the versions of the rounds it blends in (an
    earlier round's change moves a blended board) and of the next round (a promotion into it
    moves the promotion cut), and the contest's name and display link.
    Equal fingerprints mean an equal `board_view`.
    """
    rows = session.exec(
        select(
            Contest.name,
            Contest.display_token_hash,
            Round.id,
            Round.position,
            Round.board,
            Round.blend_round_id,
            RoundVersion.version,
            Contest.board_mode,
            Contest.board_page_seconds,
            Contest.board_top_n,
            Contest.board_whiskers,
        )
        .select_from(Contest)
        .outerjoin(Round, col(Round.contest_id) == col(Contest.id))
        .outerjoin(RoundVersion, col(RoundVersion.round_id) == col(Round.id))
        .where(Contest.id == contest_id)
    ).all()
    if not rows:
        return ()
    name, link = rows[0][0], rows[0][1]
    name = (name, *rows[0][7:11])  # the layout the organiser chose moves the board too
    rounds = {r[2]: r for r in rows if r[2] is not None}
    # As `shown_round`: the last round in order whose board is not hidden.
    ordered = sorted(rounds.values(), key=lambda r: (r[3], r[2]))
    shown = [r for r in ordered if r[4] != BoardState.HIDDEN]
    if not shown:
        return (name, link, None, tuple((r[2], r[6]) for r in rounds.values()))
    chain, current = [], shown[-1]
    while current is not None and current[2] not in dict(chain):
        chain.append((current[2], current[6]))
        current = rounds.get(current[5])
    # The next round's promoted set draws the shown round's promotion cut (a decision line),
    # and promoting from a later round changes no row of the shown round itself.
    after = ordered.index(shown[-1]) + 1
    following = (ordered[after][2], ordered[after][6]) if after < len(ordered) else None
    return (name, link, tuple(chain), following)


def _number(value) -> float | None:
    return (
        None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    )


def _clamp(value, low: float, high: float) -> float | None:
    number = _number(value)
    return None if number is None else min(max(number, low), high)


def compute_rows(*, session: Session, round_id: int) -> list[BoardRow]:
    """The live leaderboard of a round with each total's interval, best first."""
    data = results.round_marks(session=session, round_id=round_id)  # read once, used thrice
    board = results.round_leaderboard(session=session, round_id=round_id, data=data)
    if board.empty:
        return []
    try:
        sure = results.round_uncertainty(session=session, round_id=round_id, data=data)
        bands = sure.set_index("pitch")[["total_low", "total_high"]]
        # Orange only where a decision line cannot be called (not every close neighbour).
        close = sure.set_index("pitch")["too_close_to_call"]
        lines = results.round_decision_lines(session=session, round_id=round_id, sure=sure)
        calls = {
            int(call["above"]): {"line": str(call["line"]), "p": float(call["p"])}
            for call in lines[lines["too_close"]].to_dict("records")
        }
    except (ScoringError, ValueError, KeyError):
        bands = pd.DataFrame(columns=["total_low", "total_high"])
        close = pd.Series(dtype=bool)
        calls = {}
    if "earlier_total" in board.columns and not bands.empty:
        # A blend moves only with this round's marks: its band is this round's, scaled, plus
        # the earlier round's fixed share.
        share = get_round(session=session, round_id=round_id).blend_weight or 0.0
        earlier = board.set_index("pitch")["earlier_total"].reindex(bands.index)
        bands = bands.mul(1 - share).add(earlier.mul(share), axis=0)
    criteria = data[1]
    names = list(criteria["criterion"])
    # An interval never reaches past the best (or below the worst) total the rubric allows.
    best = float((criteria["weight"] * criteria["max"]).sum())
    worst = float((criteria["weight"] * criteria["min"]).sum())
    rows = []
    for record in board.to_dict("records"):
        pitch = int(record["pitch"])
        band = bands.loc[pitch] if pitch in bands.index else None
        extra = _number(record.get("adjustments")) or 0.0
        rows.append(
            BoardRow(
                rank=None if pd.isna(record["rank"]) else int(record["rank"]),
                pitch_id=pitch,
                startup_name=str(record["startup_name"]),
                total=_number(record["total"]),
                total_low=_clamp(band["total_low"], worst + extra, best + extra)
                if band is not None
                else None,
                total_high=_clamp(band["total_high"], worst + extra, best + extra)
                if band is not None
                else None,
                statistical_tie=bool(close.get(pitch, False)),
                n_judges=int(record["n_judges"]),
                criteria={n: v for n in names if (v := _number(record.get(n))) is not None},
                close_call=calls.get(pitch),
            )
        )
    return rows


def _snapshot(rows: list[BoardRow]) -> list[dict]:
    return [row.__dict__ | {"criteria": dict(row.criteria)} for row in rows]


def _from_snapshot(snapshot: list | None) -> list[BoardRow]:
    return [BoardRow(**item) for item in snapshot or []]


def board_view(*, session: Session, contest_id: int) -> BoardView:
    """What the projector must show for the contest now."""
    contest = get_contest(session=session, contest_id=contest_id)
    round_ = shown_round(session=session, contest_id=contest_id)
    if round_ is None:
        return BoardView(
            state=BoardState.HIDDEN, contest_name=contest.name, display=display_of(contest)
        )
    expected = session.exec(
        select(func.count()).select_from(Assignment).where(Assignment.round_id == round_.id)
    ).one()
    submitted = session.exec(
        select(func.count())
        .select_from(Scorecard)
        .where(Scorecard.round_id == round_.id, Scorecard.status == "submitted")
    ).one()
    view = dict(
        state=round_.board,
        contest_name=contest.name,
        round_name=round_.name,
        scorecards_submitted=submitted,
        scorecards_expected=expected,
        formula=results.blend_formula(session=session, round_id=round_.id),
        round_id=round_.id,
        display=display_of(contest),
    )
    if round_.board == BoardState.LIVE:
        try:
            rows = compute_rows(session=session, round_id=round_.id)
        except ScoringError as error:
            return BoardView(**view, problem=str(error))
        return BoardView(**view, rows=rows)
    rows = _from_snapshot(round_.board_snapshot)
    if round_.board == BoardState.REVEAL:
        shown = min(round_.board_revealed, len(rows))
        return BoardView(
            **view,
            rows=rows[len(rows) - shown :] if shown else [],
            hidden_places=len(rows) - shown,
            x_max=max((r.total_high or r.total or 0.0 for r in rows), default=None) or None,
        )
    return BoardView(**view, rows=rows)


class BoardCache:
    """Board views by contest and fingerprint, shared by every screen of the process.

    A view is computed once per change, however many projectors ask at the same time (the
    others wait for it); an unchanged fingerprint returns the stored view without reading
    anything else.
    """

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._views: OrderedDict[tuple, BoardView] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}
        self.computed = 0  # how many views were computed (for tests and benches)

    def get(self, key: tuple) -> BoardView | None:
        """The stored view for (contest_id, fingerprint), if any."""
        with self._lock:
            view = self._views.get(key)
            if view is not None:
                self._views.move_to_end(key)
            return view

    def view(
        self, *, session: Session, contest_id: int, fingerprint_: tuple | None = None
    ) -> BoardView:
        """The contest's board now (`fingerprint_`: when the caller has just read it)."""
        if fingerprint_ is None:
            fingerprint_ = fingerprint(session=session, contest_id=contest_id)
        key = (contest_id, fingerprint_)
        view = self.get(key)
        if view is not None:
            return view
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            view = self.get(key)
            if view is None:
                view = board_view(session=session, contest_id=contest_id)
                with self._lock:
                    self.computed += 1
                    self._views[key] = view
                    while len(self._views) > self._size:
                        self._views.popitem(last=False)
            with self._lock:
                self._computing.pop(key, None)
        return view


def set_board(*, session: Session, round_id: int, state: str) -> Round:
    """Show the round's board hidden, live, frozen (it stops moving) or in reveal mode."""
    if state not in tuple(BoardState):
        raise ValueError(f"unknown board state {state!r}")
    round_ = get_round(session=session, round_id=round_id)
    if state in (BoardState.FROZEN, BoardState.REVEAL):
        # Freezing keeps what the room saw; a reveal starts from the frozen board if there is one.
        if not (state == BoardState.REVEAL and round_.board == BoardState.FROZEN):
            try:
                rows = compute_rows(session=session, round_id=round_id)
            except ScoringError as error:
                raise RoundStateError(
                    "The results cannot be computed yet: {reason}", reason=str(error)
                ) from None
            round_.board_snapshot = _snapshot(rows)
    else:
        round_.board_snapshot = None
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_id,
        action="board",
        field="board",
        old=round_.board,
        new=state,
    )
    # Only one round on the projector at a time.
    for other in list_rounds(session=session, contest_id=round_.contest_id):
        if other.id != round_id and other.board != BoardState.HIDDEN:
            other.board = BoardState.HIDDEN
            other.board_snapshot = None
            other.board_revealed = 0
            session.add(other)
    round_.board = state
    round_.board_revealed = 0
    session.add(round_)
    session.flush()
    return round_


def reveal_next(*, session: Session, round_id: int) -> Round:
    """Reveal one more place, from the last place up to the winner."""
    round_ = get_round(session=session, round_id=round_id)
    if round_.board != BoardState.REVEAL:
        raise RoundStateError("Start the reveal first.")
    total = len(round_.board_snapshot or [])
    if round_.board_revealed < total:
        round_.board_revealed += 1
        session.add(round_)
        session.flush()
        audit.record(
            session,
            contest_id=round_.contest_id,
            actor=ORGANISER,
            entity="round",
            entity_id=round_id,
            action="reveal",
            new=round_.board_revealed,
        )
    return round_
