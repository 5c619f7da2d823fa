"""Contest set-up: the contest itself, its categories and its rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, func, select

from pitchjudge.db import round_gate
from pitchjudge.errors import NotFound, RoundStateError, ValidationError
from pitchjudge.i18n import LANGUAGES, N_
from pitchjudge.models import (
    AssignmentMode,
    Category,
    Contest,
    Mark,
    Pitch,
    Round,
    RoundStatus,
    utcnow,
)
from pitchjudge.services import audit
from pitchjudge.validation import clean_text, same_name

ORGANISER = "organiser"

#: Which status a round may move to from each status.
ROUND_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RoundStatus.DRAFT: (RoundStatus.OPEN,),
    RoundStatus.OPEN: (RoundStatus.CLOSED,),
    RoundStatus.CLOSED: (RoundStatus.OPEN, RoundStatus.LOCKED),
    RoundStatus.LOCKED: (),
}


@dataclass(frozen=True)
class ContestInput:
    """What the organiser's contest form sends."""

    name: str
    description: str = ""
    language: str = "fr"
    timezone: str = "Europe/Paris"
    applications_open_at: datetime | None = None
    applications_close_at: datetime | None = None
    #: The privacy notice shown above the Apply page's consent box; None keeps the current one.
    privacy_text: str | None = None


def _clean_contest(data: ContestInput) -> dict:
    name = clean_text(data.name, field="name", label=N_("Contest name"), max_length=200)
    description = clean_text(
        data.description,
        field="description",
        label=N_("Call for applications"),
        max_length=20_000,
        required=False,
        multiline=True,
    )
    if data.language not in LANGUAGES:
        raise ValidationError(
            "The language must be one of {choices}.", field="language", choices=", ".join(LANGUAGES)
        )
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "{value} is not a known timezone.", field="timezone", value=data.timezone
        ) from None
    for value in (data.applications_open_at, data.applications_close_at):
        if value is not None and value.tzinfo is None:
            raise ValueError("application dates must be timezone-aware")
    if (
        data.applications_open_at
        and data.applications_close_at
        and data.applications_close_at <= data.applications_open_at
    ):
        raise ValidationError(
            "The deadline must come after the opening of applications.",
            field="applications_close_at",
        )
    values = {
        "name": name,
        "description": description,
        "language": data.language,
        "timezone": data.timezone,
        "applications_open_at": data.applications_open_at,
        "applications_close_at": data.applications_close_at,
    }
    if data.privacy_text is not None:
        values["privacy_text"] = clean_text(
            data.privacy_text,
            field="privacy_text",
            label=N_("Privacy notice"),
            max_length=20_000,
            required=False,
            multiline=True,
        )
    return values


def create_contest(*, session: Session, data: ContestInput) -> Contest:
    """A new contest (the newest contest is the one the app shows)."""
    contest = Contest(**_clean_contest(data))
    session.add(contest)
    session.flush()
    audit.record(
        session,
        contest_id=contest.id,
        actor=ORGANISER,
        entity="contest",
        entity_id=contest.id,
        action="create",
        new=contest.name,
    )
    return contest


def update_contest(*, session: Session, contest_id: int, data: ContestInput) -> Contest:
    """Change the contest's settings; every changed field is audited."""
    contest = get_contest(session=session, contest_id=contest_id)
    values = _clean_contest(data)
    before = {name: getattr(contest, name) for name in values}
    audit.record_changes(
        session,
        contest_id=contest.id,
        actor=ORGANISER,
        entity="contest",
        entity_id=contest.id,
        before=before,
        after=values,
    )
    for name, value in values.items():
        setattr(contest, name, value)
    session.add(contest)
    session.flush()
    return contest


def get_contest(*, session: Session, contest_id: int) -> Contest:
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise NotFound("This contest does not exist.")
    return contest


def current_contest(*, session: Session) -> Contest | None:
    """The contest the app shows: the newest one."""
    return session.exec(select(Contest).order_by(col(Contest.id).desc()).limit(1)).first()


def applications_status(contest: Contest, now: datetime | None = None) -> str:
    """'not_yet', 'open' or 'closed' for the application window at `now`."""
    now = now or utcnow()
    if contest.applications_open_at and now < contest.applications_open_at:
        return "not_yet"
    if contest.applications_close_at and now >= contest.applications_close_at:
        return "closed"
    return "open"


# --- categories -------------------------------------------------------------------------------


def list_categories(*, session: Session, contest_id: int) -> Sequence[Category]:
    return session.exec(
        select(Category)
        .where(Category.contest_id == contest_id)
        .order_by(col(Category.position), col(Category.id))
    ).all()


def add_category(*, session: Session, contest_id: int, name: str) -> Category:
    """A new category at the end of the list; names are unique within the contest."""
    name = clean_text(name, field="category", label=N_("Category name"), max_length=100)
    existing = list_categories(session=session, contest_id=contest_id)
    if any(same_name(c.name, name) for c in existing):
        raise ValidationError(
            "There is already a category called {name}.", field="category", name=name
        )
    category = Category(contest_id=contest_id, name=name, position=len(existing))
    session.add(category)
    session.flush()
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="category",
        entity_id=category.id,
        action="create",
        new=name,
    )
    return category


def rename_category(*, session: Session, category_id: int, name: str) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound("This category does not exist.")
    name = clean_text(name, field="category", label=N_("Category name"), max_length=100)
    others = list_categories(session=session, contest_id=category.contest_id)
    if any(same_name(c.name, name) and c.id != category.id for c in others):
        raise ValidationError(
            "There is already a category called {name}.", field="category", name=name
        )
    audit.set_field(
        session,
        category,
        "name",
        name,
        contest_id=category.contest_id,
        actor=ORGANISER,
        entity="category",
    )
    return category


def delete_category(*, session: Session, category_id: int) -> None:
    """Remove a category that no application uses."""
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound("This category does not exist.")
    used = session.exec(
        select(func.count()).select_from(Pitch).where(Pitch.category_id == category_id)
    ).one()
    if used:
        raise ValidationError(
            "{count} application(s) chose {name}: rename it instead of deleting it.",
            field="category",
            count=used,
            name=category.name,
        )
    audit.record(
        session,
        contest_id=category.contest_id,
        actor=ORGANISER,
        entity="category",
        entity_id=category.id,
        action="delete",
        old=category.name,
    )
    session.delete(category)
    session.flush()


# --- rounds -----------------------------------------------------------------------------------


def list_rounds(*, session: Session, contest_id: int) -> Sequence[Round]:
    return session.exec(
        select(Round)
        .where(Round.contest_id == contest_id)
        .order_by(col(Round.position), col(Round.id))
    ).all()


def _judges_per_pitch(assignment_mode: str, judges_per_pitch: int | None) -> int | None:
    """The k a round's mode needs (None for "every judge scores every pitch")."""
    if assignment_mode not in (AssignmentMode.ALL, AssignmentMode.K_PER_PITCH):
        raise ValidationError("Unknown assignment mode.", field="assignment_mode")
    if assignment_mode == AssignmentMode.ALL:
        return None
    if judges_per_pitch is None or not 1 <= judges_per_pitch <= 50:
        raise ValidationError(
            "Judges per pitch must be between 1 and 50.", field="judges_per_pitch"
        )
    return judges_per_pitch


def create_round(
    *,
    session: Session,
    contest_id: int,
    name: str,
    assignment_mode: str = AssignmentMode.ALL,
    judges_per_pitch: int | None = None,
) -> Round:
    """A new draft round after the existing ones."""
    name = clean_text(name, field="name", label=N_("Round name"), max_length=100)
    rounds = list_rounds(session=session, contest_id=contest_id)
    if any(same_name(r.name, name) for r in rounds):
        raise ValidationError("There is already a round called {name}.", field="name", name=name)
    judges_per_pitch = _judges_per_pitch(assignment_mode, judges_per_pitch)
    round_ = Round(
        contest_id=contest_id,
        name=name,
        position=(max((r.position for r in rounds), default=-1) + 1),
        assignment_mode=assignment_mode,
        judges_per_pitch=judges_per_pitch,
    )
    session.add(round_)
    session.flush()
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_.id,
        action="create",
        new=name,
    )
    return round_


def get_round(*, session: Session, round_id: int) -> Round:
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("This round does not exist.")
    return round_


def set_round_setting(
    *, session: Session, round_id: int, field: str, value: object, action: str = "update"
) -> Round:
    """Change one of a round's settings (e.g. `feedback_released`), audited when it changes."""
    round_ = get_round(session=session, round_id=round_id)
    old = getattr(round_, field)
    if old != value:
        audit.record(
            session,
            contest_id=round_.contest_id,
            actor=ORGANISER,
            entity="round",
            entity_id=round_id,
            action=action,
            field=field,
            old=old,
            new=value,
        )
        setattr(round_, field, value)
        session.add(round_)
        session.flush()
    return round_


def move_round(*, session: Session, round_id: int, offset: int) -> None:
    """Move a round up (-1) or down (+1) in the contest's order."""
    round_ = get_round(session=session, round_id=round_id)
    rounds = list(list_rounds(session=session, contest_id=round_.contest_id))
    index = next(i for i, r in enumerate(rounds) if r.id == round_id)
    target = index + offset
    if not 0 <= target < len(rounds):
        return
    rounds[index], rounds[target] = rounds[target], rounds[index]
    for position, item in enumerate(rounds):
        item.position = position
        session.add(item)
    session.flush()


def set_round_status(*, session: Session, round_id: int, status: str) -> Round:
    """Move a round along draft → open → closed → locked (closed may reopen; locked is final).

    Opening a round that has no assignments yet plans them (see services.assignments).
    """
    # FOR UPDATE on PostgreSQL: a mark being saved holds the round FOR SHARE, so a close waits
    # for it, and no mark can slip in after the close commits.
    round_gate(session, round_id, exclusive=True)  # fair: a close never starves
    round_ = session.exec(select(Round).where(Round.id == round_id).with_for_update()).first()
    if round_ is None:
        raise NotFound("This round does not exist.")
    if status not in ROUND_TRANSITIONS.get(round_.status, ()):
        raise RoundStateError(
            "A round that is {current} cannot become {new}.", current=round_.status, new=status
        )
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_.id,
        action="status",
        field="status",
        old=round_.status,
        new=status,
    )
    if status == RoundStatus.CLOSED:
        round_.closed_at = utcnow()
    elif status == RoundStatus.OPEN:
        if round_.closed_at is not None:
            # Reopening is what lets conflicts recorded since the close change its results.
            audit.record(
                session,
                contest_id=round_.contest_id,
                actor=ORGANISER,
                entity="round",
                entity_id=round_.id,
                action="reopen",
                field="closed_at",
                old=round_.closed_at.isoformat(),
                new=None,
            )
        round_.closed_at = None
    round_.status = status
    session.add(round_)
    session.flush()
    if status == RoundStatus.OPEN:
        # Imported here: assignments builds on this module (rounds, their order).
        from pitchjudge.services.assignments import ensure_assignments

        ensure_assignments(session=session, round_id=round_.id)
    return round_


def delete_round(*, session: Session, round_id: int) -> None:
    """Delete a draft round that holds no marks."""
    round_ = get_round(session=session, round_id=round_id)
    marks = session.exec(
        select(func.count()).select_from(Mark).where(Mark.round_id == round_id)
    ).one()
    if round_.status != RoundStatus.DRAFT or marks:
        raise RoundStateError("Only a draft round without marks can be deleted.")
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_.id,
        action="delete",
        old=round_.name,
    )
    session.delete(round_)
    session.flush()


def set_assignment_mode(
    *, session: Session, round_id: int, assignment_mode: str, judges_per_pitch: int | None
) -> Round:
    """Change how a round assigns judges (before it closes)."""
    round_ = get_round(session=session, round_id=round_id)
    if round_.status in (RoundStatus.CLOSED, RoundStatus.LOCKED):
        raise RoundStateError(
            "This round is {status}: its assignments can no longer change.", status=round_.status
        )
    judges_per_pitch = _judges_per_pitch(assignment_mode, judges_per_pitch)
    audit.record_changes(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_.id,
        before={
            "assignment_mode": round_.assignment_mode,
            "judges_per_pitch": round_.judges_per_pitch,
        },
        after={"assignment_mode": assignment_mode, "judges_per_pitch": judges_per_pitch},
    )
    round_.assignment_mode = assignment_mode
    round_.judges_per_pitch = judges_per_pitch
    session.add(round_)
    session.flush()
    return round_
