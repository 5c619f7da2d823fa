"""Judges, their personal links, and conflicts of interest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from pitchjudge.config import Settings
from pitchjudge.errors import LINK_REPLACED, AccessDenied, LinkReplaced, NotFound
from pitchjudge.i18n import N_
from pitchjudge.links import derive_token, new_nonce, secret_key
from pitchjudge.models import Conflict, Judge, Mark, Pitch, Round, utcnow
from pitchjudge.security import looks_like_token, token_hash
from pitchjudge.services import audit
from pitchjudge.services.contests import ORGANISER
from pitchjudge.validation import clean_email, clean_text

JUDGE = "judge"


@dataclass(frozen=True)
class JudgeInput:
    name: str
    email: str = ""
    affiliation: str = ""


def _clean(data: JudgeInput) -> dict:
    return {
        "name": clean_text(data.name, field="name", label=N_("Name"), max_length=120),
        "email": clean_email(data.email, field="email", label=N_("Email"))
        if (data.email or "").strip()
        else "",
        "affiliation": clean_text(
            data.affiliation,
            field="affiliation",
            label=N_("Affiliation"),
            max_length=200,
            required=False,
        ),
    }


def _issue(judge: Judge, settings: Settings) -> str:
    judge.token_nonce = new_nonce()
    token = derive_token(secret_key(settings), f"judge:{judge.id}", judge.token_nonce)
    judge.token_hash = token_hash(token)
    judge.token_issued_at = utcnow()
    return token


def add_judge(*, session: Session, settings: Settings, contest_id: int, data: JudgeInput) -> Judge:
    """A new judge with a working personal link."""
    values = _clean(data)
    judge = Judge(contest_id=contest_id, **values)
    session.add(judge)
    session.flush()
    _issue(judge, settings)
    session.add(judge)
    session.flush()
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="judge",
        entity_id=judge.id,
        action="create",
        new=values["name"],
    )
    return judge


def get_judge(*, session: Session, judge_id: int) -> Judge:
    judge = session.get(Judge, judge_id)
    if judge is None:
        raise NotFound("This judge does not exist.")
    return judge


def update_judge(*, session: Session, judge_id: int, data: JudgeInput) -> Judge:
    judge = get_judge(session=session, judge_id=judge_id)
    values = _clean(data)
    changed = audit.record_changes(
        session,
        contest_id=judge.contest_id,
        actor=ORGANISER,
        entity="judge",
        entity_id=judge.id,
        before={k: getattr(judge, k) for k in values},
        after=values,
    )
    for name in changed:
        setattr(judge, name, values[name])
    session.add(judge)
    session.flush()
    return judge


def set_judge_active(*, session: Session, judge_id: int, active: bool) -> Judge:
    """Deactivate (their link stops working, their marks stay) or reactivate a judge."""
    judge = get_judge(session=session, judge_id=judge_id)
    if judge.active != active:
        audit.record(
            session,
            contest_id=judge.contest_id,
            actor=ORGANISER,
            entity="judge",
            entity_id=judge.id,
            action="status",
            field="active",
            old=judge.active,
            new=active,
        )
        judge.active = active
        session.add(judge)
        session.flush()
    return judge


def reissue_link(*, session: Session, settings: Settings, judge_id: int) -> str:
    """A new personal link; the previous one stops working at once. A judge with an e-mail
    address is sent the new link (queued in the same transaction)."""
    from pitchjudge.services import mail

    judge = get_judge(session=session, judge_id=judge_id)
    token = _issue(judge, settings)
    session.add(judge)
    session.flush()
    audit.record(
        session,
        contest_id=judge.contest_id,
        actor=ORGANISER,
        entity="judge",
        entity_id=judge.id,
        action="reissue_link",
    )
    if judge.email and judge.active:
        mail.queue_judge_invitation(session=session, settings=settings, judge_id=judge.id)
    return token


def revoke_link(*, session: Session, judge_id: int) -> None:
    """The judge's link stops working until a new one is issued."""
    judge = get_judge(session=session, judge_id=judge_id)
    judge.token_hash = None
    judge.token_nonce = None
    session.add(judge)
    session.flush()
    audit.record(
        session,
        contest_id=judge.contest_id,
        actor=ORGANISER,
        entity="judge",
        entity_id=judge.id,
        action="revoke_link",
    )


def judge_token(*, settings: Settings, judge: Judge) -> str | None:
    """The token of the judge's working link (None when revoked)."""
    if not judge.token_nonce or not judge.token_hash:
        return None
    token = derive_token(secret_key(settings), f"judge:{judge.id}", judge.token_nonce)
    # A changed secret key silently breaks old links: say so rather than show a dead link.
    return token if token_hash(token) == judge.token_hash else None


def judge_link(base_url: str, token: str) -> str:
    """The judge's personal link. It points at the app's root: Streamlit resolves a deep link
    to a page before the entry script runs, which bypasses the role-based navigation."""
    return f"{base_url.rstrip('/')}/?judge={token}"


def judge_by_token(*, session: Session, token: str | None) -> Judge:
    """The judge a personal link signs in; AccessDenied for a forged, revoked or inactive one."""
    if not looks_like_token(token):
        raise AccessDenied("This judge link is not valid. Ask the organisers for your link.")
    judge = session.exec(select(Judge).where(Judge.token_hash == token_hash(token or ""))).first()
    if judge is None:
        raise AccessDenied(
            "This judge link is not valid or has been replaced. Ask the organisers for your "
            "current link."
        )
    if not judge.active:
        raise AccessDenied("Your judge access has been deactivated by the organisers.")
    return judge


def check_judge_link(judge: Judge, token: str | None) -> None:
    """Refuse a write from a link that no longer opens `judge` (revoked or re-issued since the
    page was opened). `token` None is a server-side caller (the demo, an import)."""
    if token is None:
        return
    if (
        not looks_like_token(token)
        or judge.token_hash is None
        or judge.token_hash != token_hash(token)
    ):
        raise LinkReplaced(LINK_REPLACED)


def list_judges(*, session: Session, contest_id: int) -> Sequence[Judge]:
    return session.exec(
        select(Judge).where(Judge.contest_id == contest_id).order_by(col(Judge.name))
    ).all()


# --- conflicts of interest --------------------------------------------------------------------


def add_conflict(
    *, session: Session, judge_id: int, pitch_id: int, reason: str, declared_by: str = ORGANISER
) -> Conflict:
    """Record that a judge may not see or score a pitch (idempotent)."""
    judge = get_judge(session=session, judge_id=judge_id)
    pitch = session.get(Pitch, pitch_id)
    if pitch is None or pitch.contest_id != judge.contest_id:
        raise NotFound("This application does not exist.")
    reason = clean_text(reason, field="reason", label=N_("Reason"), max_length=500, required=False)
    existing = session.exec(
        select(Conflict).where(Conflict.judge_id == judge_id, Conflict.pitch_id == pitch_id)
    ).first()
    if existing is not None:
        return existing
    conflict = Conflict(
        judge_id=judge_id, pitch_id=pitch_id, reason=reason, declared_by=declared_by
    )
    session.add(conflict)
    session.flush()
    audit.record(
        session,
        contest_id=judge.contest_id,
        actor=JUDGE if declared_by == JUDGE else ORGANISER,
        actor_id=judge_id if declared_by == JUDGE else None,
        entity="conflict",
        entity_id=conflict.id,
        action="create",
        new={"judge": judge.name, "pitch": pitch.startup_name, "reason": reason},
    )
    return conflict


def remove_conflict(*, session: Session, conflict_id: int) -> None:
    conflict = session.get(Conflict, conflict_id)
    if conflict is None:
        raise NotFound("This conflict does not exist.")
    judge = get_judge(session=session, judge_id=conflict.judge_id)
    audit.record(
        session,
        contest_id=judge.contest_id,
        actor=ORGANISER,
        entity="conflict",
        entity_id=conflict.id,
        action="delete",
        old={"judge_id": conflict.judge_id, "pitch_id": conflict.pitch_id},
    )
    session.delete(conflict)
    session.flush()


def list_conflicts(*, session: Session, contest_id: int) -> Sequence[tuple[Conflict, Judge, Pitch]]:
    return session.exec(
        select(Conflict, Judge, Pitch)
        .join(Judge, col(Judge.id) == Conflict.judge_id)
        .join(Pitch, col(Pitch.id) == Conflict.pitch_id)
        .where(Judge.contest_id == contest_id)
        .order_by(col(Judge.name), col(Pitch.startup_name))
    ).all()


def conflicted_pairs(*, session: Session, contest_id: int) -> set[tuple[int, int]]:
    return {
        (c.judge_id, c.pitch_id)
        for c, _j, _p in list_conflicts(session=session, contest_id=contest_id)
    }


def conflict_applies(round_: Round):
    """SQL condition: a conflict counts for `round_`'s results (for a closed or locked round,
    only conflicts recorded before it closed: its results stay as they were)."""
    if round_.closed_at is None:
        return col(Conflict.id).isnot(None)
    return col(Conflict.created_at) <= round_.closed_at


def round_conflicted_pairs(*, session: Session, round_: Round) -> set[tuple[int, int]]:
    """(judge, pitch) pairs whose marks do not count in `round_` (see `conflict_applies`)."""
    return set(
        session.exec(
            select(Conflict.judge_id, Conflict.pitch_id)
            .join(Judge, col(Judge.id) == Conflict.judge_id)
            .where(Judge.contest_id == round_.contest_id, conflict_applies(round_))
        ).all()
    )


def is_conflicted(*, session: Session, judge_id: int, pitch_id: int) -> bool:
    return (
        session.exec(
            select(Conflict.id).where(Conflict.judge_id == judge_id, Conflict.pitch_id == pitch_id)
        ).first()
        is not None
    )


def marks_made_before_conflicts(*, session: Session, contest_id: int) -> list[tuple[str, str, int]]:
    """(judge, startup, number of marks) for marks that stopped counting because of a conflict."""
    rows = session.exec(
        select(Judge.name, Pitch.startup_name, Mark.id)
        .join(
            Conflict,
            (col(Conflict.judge_id) == Mark.judge_id) & (col(Conflict.pitch_id) == Mark.pitch_id),
        )
        .join(Judge, col(Judge.id) == Mark.judge_id)
        .join(Pitch, col(Pitch.id) == Mark.pitch_id)
        .where(Judge.contest_id == contest_id)
    ).all()
    counts: dict[tuple[str, str], int] = {}
    for judge_name, startup, _mark in rows:
        counts[(judge_name, startup)] = counts.get((judge_name, startup), 0) + 1
    return [(j, p, n) for (j, p), n in sorted(counts.items())]
