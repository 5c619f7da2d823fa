"""The outbox: e-mails queued in the same transaction as the event that causes them (an
application and its receipt are stored together or not at all), and the organiser's view."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from pitchjudge import mail
from pitchjudge.config import Settings
from pitchjudge.errors import NotFound, ValidationError
from pitchjudge.formatting import format_datetime
from pitchjudge.i18n import LANGUAGES, N_, get_gettext
from pitchjudge.links import derive_token, new_nonce, secret_key
from pitchjudge.mail import Block, Draft
from pitchjudge.models import (
    Category,
    Contest,
    Judge,
    MailStatus,
    OutboxMessage,
    Pitch,
    PitchStatus,
    RoundStatus,
    utcnow,
)
from pitchjudge.qr import qr_png
from pitchjudge.security import token_hash
from pitchjudge.services import audit, ratelimit
from pitchjudge.services.contests import ORGANISER, get_contest, get_round, list_rounds

#: "E-mail me my link again": per typed address, and per client (counted whether or not the
#: address exists, so the limit itself tells nothing about it).
LINK_PER_ADDRESS = ratelimit.Limit("link:address", 3, timedelta(hours=1))
LINK_PER_CLIENT = ratelimit.Limit("link:client", 10, timedelta(hours=1))
SYSTEM = "system"


def _language(value: str | None, fallback: str) -> str:
    return value if value in LANGUAGES else (fallback if fallback in LANGUAGES else "fr")


def queue(
    *,
    session: Session,
    settings: Settings,
    draft: Draft,
    contest_id: int | None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
    new_event: bool = False,
) -> OutboxMessage:
    """Put `draft` in the outbox, inside the caller's transaction (once per `dedupe_key`;
    `new_event`: the event was just created, so no earlier message can exist)."""
    if dedupe_key is not None and not new_event:
        existing = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).first()
        if existing is not None:
            return existing
    now = now or utcnow()
    row = OutboxMessage(
        contest_id=contest_id,
        kind=draft.kind,
        message_id=mail.new_message_id(settings.base_url),
        dedupe_key=dedupe_key,
        to_address=draft.to_address,
        to_name=draft.to_name,
        reply_to=draft.reply_to,
        language=draft.language,
        subject=draft.subject,
        body_text=draft.body_text,
        body_html=draft.body_html,
        inline_png=base64.b64encode(draft.inline_png).decode("ascii") if draft.inline_png else None,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


# --- applicants' links ----------------------------------------------------------------------


def derived_pitch_token(settings: Settings, nonce: str) -> str:
    """An applicant's link token, derived from the server key so it can be e-mailed again."""
    return derive_token(secret_key(settings), "pitch", nonce)


def issue_pitch_token(pitch: Pitch, settings: Settings) -> str:
    """Give `pitch` a new derived link token (the previous link stops working)."""
    pitch.token_nonce = new_nonce()
    token = derived_pitch_token(settings, pitch.token_nonce)
    pitch.token_hash = token_hash(token)
    return token


def pitch_link(*, session: Session, settings: Settings, pitch: Pitch) -> str:
    """The applicant's working private link, to e-mail. A link made before links could be
    e-mailed (or under another server key) cannot be rebuilt: it is re-issued, audited."""
    if pitch.token_nonce:
        token = derived_pitch_token(settings, pitch.token_nonce)
        if token_hash(token) == pitch.token_hash:
            return private_link(settings.base_url, token)
    token = issue_pitch_token(pitch, settings)
    session.add(pitch)
    session.flush()
    audit.record(
        session,
        contest_id=pitch.contest_id,
        actor=SYSTEM,
        entity="pitch",
        entity_id=pitch.id,
        action="reissue_link",
        new="e-mail",
    )
    return private_link(settings.base_url, token)


def private_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/?token={token}"


def _when(value: datetime | None, contest: Contest, language: str) -> str:
    return format_datetime(value, timezone=contest.timezone, language=language)


# --- message types ----------------------------------------------------------------------------


def receipt_draft(
    *, contest: Contest, pitch: Pitch, link: str, category: str, language: str, pages: int | None
) -> Draft:
    _ = get_gettext(language)
    values = {"contest": contest.name, "startup": pitch.startup_name, "name": pitch.founders}
    facts = [
        (_("Startup name"), pitch.startup_name),
        (_("One-liner"), pitch.one_liner),
        (_("Category"), category or "—"),
        (_("Founders"), pitch.founders or "—"),
        (_("Contact email"), pitch.contact_email),
        (_("Submitted on"), _when(pitch.created_at, contest, language)),
    ]
    if pages:
        facts.append((_("Pitch deck (PDF)"), _("{pages} pages").format(pages=pages)))
    if contest.applications_close_at:
        facts.append((_("Deadline"), _when(contest.applications_close_at, contest, language)))
    return mail.compose(
        kind=mail.RECEIPT,
        language=language,
        to_address=pitch.contact_email,
        to_name=pitch.founders,
        subject=_("{contest}: your application {startup} is registered").format(
            contest=contest.name, startup=pitch.startup_name
        ),
        greeting=_("Hello,"),
        intro=mail.intro_for(mail.RECEIPT, language, contest.mail_intros, values),
        blocks=[
            Block("facts", items=facts),
            Block("link", _("Open my application"), url=link),
            Block(
                "p",
                _(
                    "Keep this private link: it is the way back to your application, to edit "
                    "it, replace the deck or withdraw until the deadline. Anyone with the link "
                    "can do so, so do not share it."
                ),
            ),
        ],
        contest_name=contest.name,
        reply_to=contest.reply_to,
    )


def queue_receipt(
    *, session: Session, settings: Settings, contest: Contest, pitch: Pitch, token: str, pages: int
) -> OutboxMessage:
    """The applicant's receipt, in the transaction that stores the application."""
    category = session.get(Category, pitch.category_id) if pitch.category_id else None
    draft = receipt_draft(
        contest=contest,
        pitch=pitch,
        link=private_link(settings.base_url, token),
        category=category.name if category else "",
        language=_language(pitch.language, contest.language),
        pages=pages,
    )
    return queue(
        session=session,
        settings=settings,
        draft=draft,
        contest_id=contest.id,
        dedupe_key=f"receipt:{pitch.id}",
        new_event=True,
    )


def links_again_draft(
    *, contest: Contest, address: str, links: Sequence[tuple[str, str]], language: str
) -> Draft:
    _ = get_gettext(language)
    return mail.compose(
        kind=mail.LINK_AGAIN,
        language=language,
        to_address=address,
        to_name="",
        subject=_("{contest}: your private links").format(contest=contest.name),
        greeting=_("Hello,"),
        intro=mail.intro_for(
            mail.LINK_AGAIN, language, contest.mail_intros, {"contest": contest.name}
        ),
        blocks=[
            Block("list", items=list(links)),
            Block("p", _("Each link opens one application. Keep them private.")),
        ],
        contest_name=contest.name,
        reply_to=contest.reply_to,
    )


def request_links(
    *,
    session: Session,
    settings: Settings,
    contest_id: int,
    email: str,
    client: str | None,
    language: str,
    now: datetime | None = None,
) -> None:
    """ "E-mail me my link again": queue the links of every application made with `email`.

    Says nothing about whether the address exists: the caller shows the same answer either
    way. A client over its limit gets RateLimited; an address over its limit is silently not
    sent to (telling would reveal nothing, but the mailbox owner is spared the flood).
    """
    now = now or utcnow()
    address = mail.clean_address(email)
    ratelimit.hit(
        session=session,
        limit=LINK_PER_CLIENT,
        key=client,
        message=N_("Too many requests from this connection. Try again in {minutes} minutes."),
        now=now,
    )
    try:
        ratelimit.hit(
            session=session, limit=LINK_PER_ADDRESS, key=address, message="limit", now=now
        )
    except ratelimit.RateLimited:
        return
    contest = get_contest(session=session, contest_id=contest_id)
    pitches = session.exec(
        select(Pitch)
        .where(
            Pitch.contest_id == contest_id,
            func.lower(Pitch.contact_email) == address.lower(),
        )
        .order_by(col(Pitch.id))
    ).all()
    if not pitches:
        return
    _ = get_gettext(language)
    links = []
    for pitch in pitches:
        label = pitch.startup_name
        if pitch.status == PitchStatus.WITHDRAWN:
            label += " (" + _("withdrawn") + ")"
        links.append((label, pitch_link(session=session, settings=settings, pitch=pitch)))
    queue(
        session=session,
        settings=settings,
        draft=links_again_draft(contest=contest, address=address, links=links, language=language),
        contest_id=contest_id,
        now=now,
    )


def _round_lines(session: Session, contest: Contest, language: str) -> list[tuple[str, str]]:
    _ = get_gettext(language)
    return [
        (round_.name, _(round_.status))
        for round_ in list_rounds(session=session, contest_id=contest.id)
    ]


def _date_lines(contest: Contest, language: str) -> list[tuple[str, str]]:
    """The contest's dates a judge plans around, in its time zone: (what, when)."""
    _ = get_gettext(language)
    dates = [
        (_("Applications close"), contest.applications_close_at),
        (_("The final on stage"), contest.stage_starts_at),
    ]
    return [
        (label, format_datetime(when, timezone=contest.timezone, language=language))
        for label, when in dates
        if when is not None
    ]


def judge_invitation_draft(
    *,
    contest: Contest,
    judge: Judge,
    link: str,
    rounds: Sequence[tuple[str, str]],
    language: str,
    dates: Sequence[tuple[str, str]] = (),
) -> Draft:
    _ = get_gettext(language)
    values = {"contest": contest.name, "name": judge.name}
    blocks = [
        Block("link", _("Open my judging page"), url=link),
        Block("p", _("Or scan this code with your phone:")),
        Block("qr", _("QR code of your personal link")),
    ]
    if rounds:
        blocks += [Block("p", _("The rounds:")), Block("list", items=list(rounds))]
    if dates:
        blocks += [Block("p", _("The dates:")), Block("list", items=list(dates))]
    blocks.append(
        Block(
            "p",
            _(
                "This link is personal: it signs you in without a password, so do not forward "
                "it. If you lose it, ask the organisers for a new one."
            ),
        )
    )
    return mail.compose(
        kind=mail.JUDGE_INVITE,
        language=language,
        to_address=judge.email,
        to_name=judge.name,
        subject=_("{contest}: your judge's link").format(contest=contest.name),
        greeting=_("Hello {name},").format(name=judge.name),
        intro=mail.intro_for(mail.JUDGE_INVITE, language, contest.mail_intros, values),
        blocks=blocks,
        contest_name=contest.name,
        inline_png=qr_png(link),
        reply_to=contest.reply_to,
    )


def _judge_link(settings: Settings, judge: Judge) -> str:
    from pitchjudge.services.judges import judge_link, judge_token

    token = judge_token(settings=settings, judge=judge)
    if token is None:
        raise ValidationError("{name} has no working link: issue a new one first.", name=judge.name)
    return judge_link(settings.base_url, token)


def queue_judge_invitation(*, session: Session, settings: Settings, judge_id: int) -> OutboxMessage:
    """E-mail a judge their personal link (with its QR code and the rounds)."""
    judge = session.get(Judge, judge_id)
    if judge is None:
        raise NotFound("This judge does not exist.")
    if not judge.email:
        raise ValidationError("{name} has no e-mail address.", name=judge.name)
    contest = get_contest(session=session, contest_id=judge.contest_id)
    language = _language(None, contest.language)
    draft = judge_invitation_draft(
        contest=contest,
        judge=judge,
        link=_judge_link(settings, judge),
        rounds=_round_lines(session, contest, language),
        language=language,
        dates=_date_lines(contest, language),
    )
    return queue(session=session, settings=settings, draft=draft, contest_id=contest.id)


@dataclass(frozen=True)
class Queued:
    """How many messages were queued, and who was left out (names) and why."""

    queued: int
    skipped: list[str]


def queue_invitations(*, session: Session, settings: Settings, contest_id: int) -> Queued:
    """Invite every active judge who has an address and a working link."""
    from pitchjudge.services.assignments import active_judges

    queued, skipped = 0, []
    for judge in active_judges(session=session, contest_id=contest_id):
        try:
            queue_judge_invitation(session=session, settings=settings, judge_id=judge.id)
            queued += 1
        except ValidationError:
            skipped.append(judge.name)
    return Queued(queued, skipped)


def judge_reminder_draft(
    *,
    contest: Contest,
    round_name: str,
    judge: Judge,
    link: str,
    left: Sequence[str],
    language: str,
) -> Draft:
    _ = get_gettext(language)
    values = {"contest": contest.name, "name": judge.name, "round": round_name}
    return mail.compose(
        kind=mail.JUDGE_REMINDER,
        language=language,
        to_address=judge.email,
        to_name=judge.name,
        subject=_("{contest}: {count} pitches still to score").format(
            contest=contest.name, count=len(left)
        ),
        greeting=_("Hello {name},").format(name=judge.name),
        intro=mail.intro_for(mail.JUDGE_REMINDER, language, contest.mail_intros, values),
        blocks=[
            Block("p", _("Still to score and submit:")),
            Block("list", items=[(name, "") for name in left]),
            Block("link", _("Open my judging page"), url=link),
        ],
        contest_name=contest.name,
        reply_to=contest.reply_to,
    )


def queue_reminders(
    *, session: Session, settings: Settings, round_id: int, judge_ids: Sequence[int]
) -> Queued:
    """Remind each of `judge_ids` of what they have left to score in the round."""
    from pitchjudge.models import ScorecardStatus
    from pitchjudge.services.scoring import judge_pitches

    round_ = get_round(session=session, round_id=round_id)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError("Reminders are for an open round.")
    contest = get_contest(session=session, contest_id=round_.contest_id)
    language = _language(None, contest.language)
    queued, skipped = 0, []
    for judge_id in judge_ids:
        judge = session.get(Judge, judge_id)
        if judge is None or judge.contest_id != contest.id:
            continue
        left = [
            p.startup_name
            for p in judge_pitches(session=session, round_id=round_id, judge_id=judge_id)
            if p.status != ScorecardStatus.SUBMITTED
        ]
        if not left:
            continue
        try:
            if not judge.email:
                raise ValidationError("{name} has no e-mail address.", name=judge.name)
            draft = judge_reminder_draft(
                contest=contest,
                round_name=round_.name,
                judge=judge,
                link=_judge_link(settings, judge),
                left=left,
                language=language,
            )
        except ValidationError:
            skipped.append(judge.name)
            continue
        queue(session=session, settings=settings, draft=draft, contest_id=contest.id)
        queued += 1
    return Queued(queued, skipped)


def applicant_draft(
    *, kind: str, contest: Contest, pitch: Pitch, round_name: str, link: str, language: str
) -> Draft:
    """Feedback released, or a decision notice, to an applicant with their private link."""
    _ = get_gettext(language)
    values = {"contest": contest.name, "startup": pitch.startup_name, "round": round_name}
    subjects = {
        mail.FEEDBACK_RELEASED: _("{contest}: the jury's feedback on {startup}"),
        mail.DECISION_SHORTLISTED: _("{contest}: {startup} is shortlisted"),
        mail.DECISION_FINALIST: _("{contest}: {startup} is a finalist"),
        mail.DECISION_NOT_RETAINED: _("{contest}: our decision about {startup}"),
    }
    label = _("Read the feedback") if kind == mail.FEEDBACK_RELEASED else _("Open my application")
    return mail.compose(
        kind=kind,
        language=language,
        to_address=pitch.contact_email,
        to_name=pitch.founders,
        subject=subjects[kind].format(contest=contest.name, startup=pitch.startup_name),
        greeting=_("Hello,"),
        intro=mail.intro_for(kind, language, contest.mail_intros, values),
        blocks=[Block("link", label, url=link)],
        contest_name=contest.name,
        reply_to=contest.reply_to,
    )


def queue_feedback_released(*, session: Session, settings: Settings, round_id: int) -> int:
    """Tell every applicant of the round that its feedback is out (once per round and pitch)."""
    from pitchjudge.services.assignments import round_pitches

    round_ = get_round(session=session, round_id=round_id)
    contest = get_contest(session=session, contest_id=round_.contest_id)
    count = 0
    for pitch in round_pitches(session=session, round_=round_):
        key = f"feedback:{round_.id}:{pitch.id}"
        if session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first():
            continue
        draft = applicant_draft(
            kind=mail.FEEDBACK_RELEASED,
            contest=contest,
            pitch=pitch,
            round_name=round_.name,
            link=pitch_link(session=session, settings=settings, pitch=pitch),
            language=_language(pitch.language, contest.language),
        )
        queue(
            session=session, settings=settings, draft=draft, contest_id=contest.id, dedupe_key=key
        )
        count += 1
    return count


def decision_candidates(*, session: Session, contest_id: int, kind: str) -> list[Pitch]:
    """Who a decision notice goes to by default: shortlisted / rejected applications, or the
    pitches of the contest's last round for finalists."""
    from pitchjudge.services.assignments import round_pitches

    if kind == mail.DECISION_FINALIST:
        rounds = list_rounds(session=session, contest_id=contest_id)
        return list(round_pitches(session=session, round_=rounds[-1])) if len(rounds) > 1 else []
    status = PitchStatus.SHORTLISTED if kind == mail.DECISION_SHORTLISTED else PitchStatus.REJECTED
    return list(
        session.exec(
            select(Pitch)
            .where(Pitch.contest_id == contest_id, Pitch.status == status)
            .order_by(col(Pitch.startup_name))
        ).all()
    )


def decision_drafts(
    *, session: Session, settings: Settings, contest_id: int, kind: str, pitch_ids: Sequence[int]
) -> list[Draft]:
    """Previews of the decision notices (links shown as placeholders: nothing is issued)."""
    if kind not in mail.DECISIONS:
        raise ValidationError("Unknown message type.")
    contest = get_contest(session=session, contest_id=contest_id)
    drafts = []
    for pitch_id in pitch_ids:
        pitch = session.get(Pitch, pitch_id)
        if pitch is None or pitch.contest_id != contest_id:
            continue
        drafts.append(
            applicant_draft(
                kind=kind,
                contest=contest,
                pitch=pitch,
                round_name="",
                link=private_link(settings.base_url, "…"),
                language=_language(pitch.language, contest.language),
            )
        )
    return drafts


def queue_decisions(
    *, session: Session, settings: Settings, contest_id: int, kind: str, pitch_ids: Sequence[int]
) -> int:
    """Send a decision notice to each of `pitch_ids` (once per application and decision)."""
    if kind not in mail.DECISIONS:
        raise ValidationError("Unknown message type.")
    contest = get_contest(session=session, contest_id=contest_id)
    count = 0
    for pitch_id in pitch_ids:
        pitch = session.get(Pitch, pitch_id)
        if pitch is None or pitch.contest_id != contest_id:
            continue
        key = f"{kind}:{pitch.id}"
        if session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first():
            continue
        draft = applicant_draft(
            kind=kind,
            contest=contest,
            pitch=pitch,
            round_name="",
            link=pitch_link(session=session, settings=settings, pitch=pitch),
            language=_language(pitch.language, contest.language),
        )
        queue(
            session=session, settings=settings, draft=draft, contest_id=contest_id, dedupe_key=key
        )
        count += 1
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="contest",
        entity_id=contest_id,
        action="mail",
        field=kind,
        new=count,
    )
    return count


# --- the organiser's settings -------------------------------------------------------------------


def set_reply_to(*, session: Session, contest_id: int, reply_to: str) -> Contest:
    """The organiser's address that replies go to ('' for none)."""
    contest = get_contest(session=session, contest_id=contest_id)
    value = mail.clean_address(reply_to) if reply_to.strip() else ""
    audit.set_field(
        session,
        contest,
        "reply_to",
        value,
        contest_id=contest.id,
        actor=ORGANISER,
        entity="contest",
    )
    return contest


def set_intro(*, session: Session, contest_id: int, kind: str, text: str) -> Contest:
    """The organiser's intro paragraph for one message type ('' restores the default)."""
    if kind not in mail.KINDS:
        raise ValidationError("Unknown message type.")
    from pitchjudge.validation import clean_text

    value = clean_text(
        text,
        field="intro",
        label=N_("Intro paragraph"),
        max_length=2000,
        required=False,
        multiline=True,
    )
    contest = get_contest(session=session, contest_id=contest_id)
    intros = dict(contest.mail_intros or {})
    old = intros.get(kind, "")
    if value:
        intros[kind] = value
    else:
        intros.pop(kind, None)
    audit.set_field(
        session,
        contest,
        "mail_intros",
        intros,
        contest_id=contest.id,
        actor=ORGANISER,
        entity="contest",
        audit_field=f"mail_intro:{kind}",
        old=old,
        new=value,
    )
    return contest


# --- the organiser's view of the outbox --------------------------------------------------------


def list_outbox(
    *, session: Session, status: str | None = None, limit: int = 500
) -> Sequence[OutboxMessage]:
    """The messages that failed first (someone must act on them), then the newest first;
    optionally of one status."""
    failed_first = case((col(OutboxMessage.status) == MailStatus.FAILED, 0), else_=1)
    query = select(OutboxMessage).order_by(failed_first, col(OutboxMessage.id).desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    return session.exec(query).all()


def outbox_counts(*, session: Session) -> dict[str, int]:
    """How many messages have each status (every status present)."""
    counts = dict.fromkeys([s.value for s in MailStatus], 0)
    for status, count in session.exec(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all():
        counts[status] = count
    return counts


def get_message(*, session: Session, message_id: int) -> OutboxMessage:
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("This message does not exist.")
    return row


def resend(
    *, session: Session, settings: Settings, message_id: int, now: datetime | None = None
) -> OutboxMessage:
    """Send a message again: a failed or waiting one is retried now; a sent one is queued as
    a new copy (its own Message-ID)."""
    now = now or utcnow()
    row = get_message(session=session, message_id=message_id)
    if row.status == MailStatus.SENT:
        copy = OutboxMessage(
            **{
                name: getattr(row, name)
                for name in (
                    "contest_id",
                    "kind",
                    "to_address",
                    "to_name",
                    "reply_to",
                    "language",
                    "subject",
                    "body_text",
                    "body_html",
                    "inline_png",
                )
            },
            message_id=mail.new_message_id(settings.base_url),
            next_attempt_at=now,
            created_at=now,
        )
        session.add(copy)
        session.flush()
        return copy
    row.status = MailStatus.QUEUED
    row.attempts = 0
    row.next_attempt_at = now
    session.add(row)
    session.flush()
    return row


def demo_previews(*, contest: Contest, settings: Settings, language: str) -> dict[str, Draft]:
    """Every message type filled with sample data, for the organiser to check."""
    sample = Pitch(
        id=0,
        contest_id=contest.id or 0,
        startup_name="Kelvio",
        one_liner="Heat pumps installed in a week"
        if language == "en"
        else "Pompes à chaleur posées en une semaine",
        founders="Camille Martin (CEO)",
        contact_email="camille@kelvio.example",
        token_hash="",
        created_at=utcnow(),
    )
    judge = Judge(id=0, contest_id=contest.id or 0, name="Alex Durand", email="alex@jury.example")
    link = private_link(settings.base_url, "SAMPLE-TOKEN")
    judge_url = f"{settings.base_url}/?judge=SAMPLE-TOKEN"
    round_name = "Final" if language == "en" else "Finale"
    drafts = {
        mail.RECEIPT: receipt_draft(
            contest=contest, pitch=sample, link=link, category="Climat", language=language, pages=9
        ),
        mail.LINK_AGAIN: links_again_draft(
            contest=contest,
            address=sample.contact_email,
            links=[(sample.startup_name, link)],
            language=language,
        ),
        mail.JUDGE_INVITE: judge_invitation_draft(
            contest=contest,
            judge=judge,
            link=judge_url,
            rounds=[(round_name, get_gettext(language)("open"))],
            language=language,
            dates=_date_lines(contest, language),
        ),
        mail.JUDGE_REMINDER: judge_reminder_draft(
            contest=contest,
            round_name=round_name,
            judge=judge,
            link=judge_url,
            left=["Kelvio", "Solaro"],
            language=language,
        ),
    }
    for kind in (mail.FEEDBACK_RELEASED, *mail.DECISIONS):
        drafts[kind] = applicant_draft(
            kind=kind,
            contest=contest,
            pitch=sample,
            round_name=round_name,
            link=link,
            language=language,
        )
    return drafts


def waiting_count(*, session: Session) -> int:
    """Messages not delivered yet (queued or in an attempt)."""
    return session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.status).in_([MailStatus.QUEUED, MailStatus.SENDING]))
    ).one()
