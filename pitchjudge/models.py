"""The data model of the whole product: every table of the glossary, with its constraints."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel

from pitchjudge.errors import N_

# Named constraints let Alembic alter them later (SQLite batch mode needs names).
SQLModel.metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (the database stores UTC; pages show the contest's timezone)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable)


# The statuses' names as shown in messages ("This round is closed"), marked for translation.
ROUND_STATUS_WORDS = (N_("draft"), N_("open"), N_("closed"), N_("locked"))


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    LOCKED = "locked"


class BoardState(StrEnum):
    HIDDEN = "hidden"
    LIVE = "live"
    FROZEN = "frozen"
    REVEAL = "reveal"


class BoardMode(StrEnum):
    """How the projector lays out the board (chosen by the organiser on the Results page)."""

    FULL = "full"  # every place on one screen (pages by itself when rows would be unreadable)
    PAGES = "pages"  # large rows, turning pages by itself
    TOP = "top"  # the best N, plus "and M more"


class AssignmentMode(StrEnum):
    ALL = "all"  # every judge scores every pitch (typical final)
    K_PER_PITCH = "k_per_pitch"  # k judges per pitch (typical pre-selection)


class PitchStatus(StrEnum):
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ScorecardStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Contest(SQLModel, table=True):
    """One edition of a pitch contest."""

    __table_args__ = (
        CheckConstraint("language IN ('fr', 'en')", name="language"),
        CheckConstraint(
            "applications_close_at IS NULL OR applications_open_at IS NULL "
            "OR applications_close_at > applications_open_at",
            name="window",
        ),
        CheckConstraint("pitch_seconds > 0", name="pitch_seconds"),
        CheckConstraint("qa_seconds >= 0", name="qa_seconds"),
        CheckConstraint("overtime_penalty >= 0", name="overtime_penalty"),
        CheckConstraint("board_mode IN ('full', 'pages', 'top')", name="board_mode"),
        CheckConstraint("board_page_seconds BETWEEN 3 AND 120", name="board_page_seconds"),
        CheckConstraint("board_top_n BETWEEN 1 AND 50", name="board_top_n"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    language: str = Field(default="fr", max_length=5)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    applications_open_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    applications_close_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: The projector's display link: a token derived from this nonce (see pitchjudge.links).
    display_nonce: str | None = Field(default=None, max_length=64)
    display_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    #: The live final's timers: pitch and Q&A durations, in seconds.
    pitch_seconds: int = 300
    qa_seconds: int = 300
    #: Points proposed as a penalty per started minute of pitch overtime (0: no penalty).
    overtime_penalty: float = 0.0
    #: When the live final begins, announced on the idle stage screen (None: not announced).
    stage_starts_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: Where applicants' and judges' replies to the app's e-mails go (the organiser's address).
    reply_to: str = Field(default="", max_length=254)
    #: The organiser's intro paragraph per e-mail type ({"receipt": "…"}); missing: the default.
    mail_intros: dict | None = Field(default=None, sa_type=JSON)
    #: The organiser's privacy notice, shown on the Apply page above the consent box (Markdown).
    privacy_text: str = Field(default="", sa_type=Text)
    #: The projector's layout (see `BoardMode`), seconds per page, places shown in top-N
    #: mode, and whether each total's interval is drawn (shared by every projector).
    board_mode: str = Field(default="full", max_length=8)
    board_page_seconds: int = 10
    board_top_n: int = 10
    board_whiskers: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Category(SQLModel, table=True):
    """A category applicants choose from (e.g. "Climat & énergie")."""

    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    position: int = 0


class Round(SQLModel, table=True):
    """A judging stage of a contest; status draft → open → closed → locked."""

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed', 'locked')", name="status"),
        CheckConstraint("assignment_mode IN ('all', 'k_per_pitch')", name="assignment_mode"),
        CheckConstraint("judges_per_pitch IS NULL OR judges_per_pitch >= 1", name="k"),
        CheckConstraint("board IN ('hidden', 'live', 'frozen', 'reveal')", name="board"),
        CheckConstraint("board_revealed >= 0", name="board_revealed"),
        # A blend counts when both are set; deleting the earlier round empties the first only.
        CheckConstraint(
            "blend_weight IS NULL OR (blend_weight > 0 AND blend_weight < 1)", name="blend"
        ),
        UniqueConstraint("contest_id", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    position: int = 0
    status: str = Field(default=RoundStatus.DRAFT, max_length=10)
    assignment_mode: str = Field(default=AssignmentMode.ALL, max_length=20)
    judges_per_pitch: int | None = None
    #: The aggregation rule's settings (method, trim, rounding, tie-breaks), as JSON.
    rule: dict | None = Field(default=None, sa_type=JSON)
    #: What the projected leaderboard shows of this round: hidden, live, frozen or reveal.
    board: str = Field(default=BoardState.HIDDEN, max_length=10)
    #: In reveal: how many places are shown, counted from the last one up.
    board_revealed: int = 0
    #: The leaderboard as it was when frozen (or when the reveal started), so it cannot move.
    board_snapshot: list | None = Field(default=None, sa_type=JSON)
    #: Applicants may read this round's feedback through their private link.
    feedback_released: bool = False
    #: On stage: a pitch on the running order can be scored only once its Q&A has ended.
    scoring_after_qa: bool = False
    #: The earlier round blended into this round's results, and its share of the total
    #: (e.g. 0.3 for "30 % pre-selection + 70 % final").
    blend_round_id: int | None = Field(default=None, foreign_key="round.id", ondelete="SET NULL")
    blend_weight: float | None = None
    #: When the round last closed (None while draft or open). A conflict of interest recorded
    #: after it leaves this round's results as they were, until the organiser reopens it.
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class RoundVersion(SQLModel, table=True):
    """A counter bumped, in the same transaction, by every write that changes a round's
    results or what its projected board shows (marks, scorecards' status, adjustments,
    assignments, promotions, conflicts, withdrawals, the rubric, the round's own settings).

    Database triggers do the bumping (see `pitchjudge.results_version`), so no writer can
    forget it; the projector compares it on every refresh instead of recomputing.
    """

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    version: int = 0


class RoundEntry(SQLModel, table=True):
    """A pitch promoted into a later round (see `services.assignments.round_pitches`)."""

    __table_args__ = (UniqueConstraint("round_id", "pitch_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class StageSlot(SQLModel, table=True):
    """A pitch's place in a round's running order, and its times on stage."""

    __table_args__ = (
        UniqueConstraint("round_id", "pitch_id"),
        CheckConstraint("position >= 1", name="position"),
        CheckConstraint("qa_started_at IS NULL OR pitch_started_at IS NOT NULL", name="qa"),
        CheckConstraint("ended_at IS NULL OR pitch_started_at IS NOT NULL", name="ended"),
        CheckConstraint(
            "penalty_decision IS NULL OR penalty_decision IN ('applied', 'waived')",
            name="penalty_decision",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    position: int
    pitch_started_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    qa_started_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    ended_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: The organiser's answer to a proposed overtime penalty: applied or waived.
    penalty_decision: str | None = Field(default=None, max_length=10)


class Criterion(SQLModel, table=True):
    """One line of the rubric: name, description, weight, scale and optional level descriptors."""

    __table_args__ = (
        CheckConstraint("scale_min < scale_max", name="scale_order"),
        CheckConstraint("scale_step > 0", name="scale_step"),
        CheckConstraint("weight > 0", name="weight"),
        # Target of the composite key that keeps every mark on its criterion's scale.
        UniqueConstraint("id", "scale_min", "scale_max", name="uq_criterion_scale"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_type=Text)
    weight: float = 1.0
    scale_min: float = 0.0
    scale_max: float = 10.0
    scale_step: float = 1.0
    #: Level descriptors: [{"value": 1, "label": "no evidence"}, …].
    descriptors: list | None = Field(default=None, sa_type=JSON)


class Pitch(SQLModel, table=True):
    """One startup's application (a.k.a. pitch)."""

    __table_args__ = (
        CheckConstraint(
            "status IN ('submitted', 'shortlisted', 'rejected', 'withdrawn')", name="status"
        ),
        Index("ix_pitch_contest_email", "contest_id", "contact_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True, ondelete="CASCADE")
    category_id: int | None = Field(default=None, foreign_key="category.id", ondelete="SET NULL")
    startup_name: str = Field(max_length=120)
    one_liner: str = Field(max_length=200)
    website: str = Field(default="", max_length=300)
    founders: str = Field(default="", max_length=500)
    contact_email: str = Field(max_length=254)
    description: str = Field(default="", sa_type=Text)
    status: str = Field(default=PitchStatus.SUBMITTED, max_length=12)
    #: sha256 of the applicant's private-link token; the token itself is never stored.
    token_hash: str = Field(max_length=64, unique=True)
    #: Random part the token is derived from with the server's key (see pitchjudge.links), so
    #: the link can be e-mailed again; None for links issued before (re-issued when e-mailed).
    token_nonce: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    withdrawn_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: When the applicant agreed to the processing of the data (GDPR), and the notice they read.
    consent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    consent_text: str | None = Field(default=None, sa_type=Text)
    #: The language the applicant used: their private link, pages and e-mails are in it.
    language: str | None = Field(default=None, max_length=5)


class Deck(SQLModel, table=True):
    """A PDF uploaded for a pitch; the newest not-replaced one is the current deck."""

    id: int | None = Field(default=None, primary_key=True)
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int
    page_count: int
    filename: str = Field(default="deck.pdf", max_length=255)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    replaced_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Judge(SQLModel, table=True):
    """A person invited to score, reached through a personal access link."""

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    email: str = Field(default="", max_length=254)
    affiliation: str = Field(default="", max_length=200)
    active: bool = True
    #: sha256 of the personal link's token, for look-up; None = no working link (revoked).
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    #: Random part the token is derived from with the server's secret key (see pitchjudge.links),
    #: so the organiser can show the link again without the database holding the token.
    token_nonce: str | None = Field(default=None, max_length=64)
    token_issued_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Conflict(SQLModel, table=True):
    """A judge may not see or score a pitch."""

    __table_args__ = (
        UniqueConstraint("judge_id", "pitch_id"),
        CheckConstraint("declared_by IN ('organiser', 'judge')", name="declared_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    judge_id: int = Field(foreign_key="judge.id", index=True, ondelete="CASCADE")
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    reason: str = Field(default="", max_length=500)
    declared_by: str = Field(default="organiser", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Assignment(SQLModel, table=True):
    """Judge × pitch to score in a round."""

    __table_args__ = (UniqueConstraint("round_id", "judge_id", "pitch_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    judge_id: int = Field(foreign_key="judge.id", index=True, ondelete="CASCADE")
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Scorecard(SQLModel, table=True):
    """One judge's comment, private note and status for one pitch in one round."""

    __table_args__ = (
        UniqueConstraint("round_id", "judge_id", "pitch_id"),
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    judge_id: int = Field(foreign_key="judge.id", index=True, ondelete="CASCADE")
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    status: str = Field(default=ScorecardStatus.DRAFT, max_length=10)
    comment: str = Field(default="", sa_type=Text)  # for the applicant
    private_note: str = Field(default="", sa_type=Text)  # for the jury only
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    submitted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Mark(SQLModel, table=True):
    """One judge's value for one criterion of one pitch in one round.

    The criterion's scale is copied in and tied to the criterion by a composite foreign key,
    so the database itself refuses a value off the scale and a rescaling under existing marks.
    """

    __table_args__ = (
        UniqueConstraint("round_id", "judge_id", "pitch_id", "criterion_id"),
        CheckConstraint("value >= scale_min AND value <= scale_max", name="on_scale"),
        ForeignKeyConstraint(
            ["criterion_id", "scale_min", "scale_max"],
            ["criterion.id", "criterion.scale_min", "criterion.scale_max"],
            name="fk_mark_criterion_scale",
            onupdate="RESTRICT",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    judge_id: int = Field(foreign_key="judge.id", index=True, ondelete="CASCADE")
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    # The composite key above is the criterion's foreign key: it also keeps the scale honest,
    # and refuses to delete a criterion that has marks.
    criterion_id: int = Field(index=True)
    scale_min: float
    scale_max: float
    value: float
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Adjustment(SQLModel, table=True):
    """Bonus or penalty points for a pitch in a round (e.g. an overtime penalty)."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=120)
    points: float
    reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class AuditEvent(SQLModel, table=True):
    """Who changed what, from which value to which, and when."""

    __table_args__ = (Index("ix_auditevent_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    contest_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=20)  # organiser | judge | applicant | system
    actor_id: int | None = None
    entity: str = Field(max_length=30)  # pitch | deck | criterion | mark | scorecard | round …
    entity_id: int | None = None
    action: str = Field(max_length=30)  # create | update | delete | status | withdraw …
    field: str | None = Field(default=None, max_length=60)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)


class SignInAttempt(SQLModel, table=True):
    """A failed organiser sign-in; kept in the database so every replica slows the same guesser."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    client: str = Field(default="", max_length=100, index=True)


class OrganiserSession(SQLModel, table=True):
    """A signed-in organiser's browser: its cookie holds the token, the database its hash, so
    a reload (or another replica) keeps the organiser signed in until it expires."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class AppSecret(SQLModel, table=True):
    """Secrets generated by the app itself (e.g. the organiser password's hash)."""

    name: str = Field(primary_key=True, max_length=60)
    value: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENDING = "sending"  # an attempt started; a crash leaves it here and it is tried again
    SENT = "sent"
    FAILED = "failed"  # refused for good (5xx) or out of attempts


class OutboxMessage(SQLModel, table=True):
    """An e-mail, written in the same transaction as the event that causes it, and delivered
    by the sender (`pitchjudge send-mail`) outside any web request."""

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outboxmessage_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int | None = Field(default=None, index=True)
    #: receipt, link_again, judge_invite, judge_reminder, feedback_released, decision_…
    kind: str = Field(max_length=30)
    #: Stable across attempts, so a message sent twice after a crash is recognisably one.
    message_id: str = Field(max_length=200, unique=True)
    #: Set for messages that must be queued once per event (e.g. "receipt:12").
    dedupe_key: str | None = Field(default=None, max_length=120, unique=True)
    to_address: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=200)
    reply_to: str = Field(default="", max_length=254)
    language: str = Field(default="fr", max_length=5)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    #: A PNG shown inline in the HTML part as cid:qr (the judge's QR code), base64.
    inline_png: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default=MailStatus.QUEUED, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_attempt_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: The SMTP server's last answer (or the connection error), shown on the Emails page.
    smtp_answer: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class RateLimitHit(SQLModel, table=True):
    """One counted action of a rate-limited kind ("apply:client:…"); in the database so that
    every replica counts the same hits."""

    __table_args__ = (Index("ix_ratelimithit_bucket_at", "bucket", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=300)
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class WorkerLease(SQLModel, table=True):
    """Which process runs a singleton worker (the mail sender), until when: exactly one per
    database, whatever the number of replicas."""

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=120)
    expires_at: datetime = Field(sa_column=_ts())


class VoteMode(StrEnum):
    TICKETS = "tickets"  # one vote per printed single-use code
    DEVICE = "device"  # one vote per phone (signed cookie), for informal events


class VoteWindow(SQLModel, table=True):
    """A round's audience vote (People's Choice): its phone page address, the anti-fraud
    mode, when it is open, and what the projector shows of it."""

    __table_args__ = (
        CheckConstraint("mode IN ('tickets', 'device')", name="mode"),
        CheckConstraint("closed_at IS NULL OR opened_at IS NOT NULL", name="closed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", unique=True, ondelete="CASCADE")
    #: The random part of the phone page's address (/vote/<token>); public: it is on the
    #: projector. In ticket mode the codes are the secret.
    token: str = Field(max_length=64, unique=True)
    mode: str = Field(default=VoteMode.DEVICE, max_length=10)
    #: When the organiser last opened the vote, and closed it (None: not closed since).
    opened_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: The vote closes by itself at this time (None: only by hand).
    closes_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: The projector shows the tally as votes arrive (else hidden until revealed).
    live_tally: bool = True
    revealed: bool = False
    #: The projector shows the vote (QR code and tally) instead of the leaderboard.
    on_projector: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class VoteTicket(SQLModel, table=True):
    """A single-use ticket code; the code is derived from the server's key and the nonce
    (printable again), the database keeps its hash for look-up."""

    __table_args__ = (UniqueConstraint("window_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="votewindow.id", index=True, ondelete="CASCADE")
    number: int
    nonce: str = Field(max_length=64)
    code_hash: str = Field(max_length=64, unique=True)
    #: The phone (device id's hash) that first voted with it: another phone is refused.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Vote(SQLModel, table=True):
    """One voter's current choice (a ticket or a device): a new vote replaces it."""

    __table_args__ = (UniqueConstraint("window_id", "voter"),)

    id: int | None = Field(default=None, primary_key=True)
    window_id: int = Field(foreign_key="votewindow.id", index=True, ondelete="CASCADE")
    #: "ticket:<id>" or "device:<hash of the device id>".
    voter: str = Field(max_length=80)
    ticket_id: int | None = Field(
        default=None, foreign_key="voteticket.id", index=True, ondelete="CASCADE"
    )
    pitch_id: int = Field(foreign_key="pitch.id", index=True, ondelete="CASCADE")
    changes: int = 0
    cast_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class PrizeSource(StrEnum):
    JURY = "jury"  # a round's jury ranking
    AUDIENCE = "audience"  # the audience vote of a round
    COMPOSITE = "composite"  # jury_weight × jury (min–max) + (1 − jury_weight) × vote share


class PrizeEligibility(StrEnum):
    ALL = "all"  # every startup ranked in the deciding round
    FINALISTS = "finalists"  # the startups of the contest's last round
    CATEGORIES = "categories"  # the startups of the categories in `category_ids`
    LIST = "list"  # the startups picked by hand in `pitch_ids`


class Prize(SQLModel, table=True):
    """A prize of the contest: who gives it, what decides it, who may win it.

    `position` is the prestige order (0 = the most prestigious, allocated first); an
    `exclusive` prize obeys "one prize per startup", the others may combine with any prize.
    """

    __table_args__ = (
        CheckConstraint("source IN ('jury', 'audience', 'composite')", name="source"),
        CheckConstraint(
            "eligibility IN ('all', 'finalists', 'categories', 'list')", name="eligibility"
        ),
        CheckConstraint("jury_weight >= 0 AND jury_weight <= 1", name="jury_weight"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contest_id: int = Field(foreign_key="contest.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str = Field(max_length=120)
    sponsor: str = Field(default="", max_length=120)
    amount: float = 0.0
    source: str = Field(default=PrizeSource.JURY, max_length=10)
    round_id: int | None = Field(default=None, foreign_key="round.id", ondelete="SET NULL")
    jury_weight: float = 0.7
    eligibility: str = Field(default=PrizeEligibility.ALL, max_length=12)
    category_ids: list | None = Field(default=None, sa_type=JSON)
    pitch_ids: list | None = Field(default=None, sa_type=JSON)
    exclusive: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Palmares(SQLModel, table=True):
    """The contest's prize allocation and ceremony: the organiser's tie picks, the frozen
    allocation once confirmed, and the projector's reveal step (every projector follows it)."""

    contest_id: int = Field(foreign_key="contest.id", primary_key=True, ondelete="CASCADE")
    #: prize id (as text) → the startup the organiser picked among the tied ones.
    tie_picks: dict | None = Field(default=None, sa_type=JSON)
    #: The confirmed allocation, one dict per prize in prestige order; None = not frozen.
    frozen: list | None = Field(default=None, sa_type=JSON)
    frozen_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    #: The ceremony on the projector: off, or on at `step` (0 = title; then 3 steps a prize).
    ceremony: bool = False
    step: int = 0
    #: The public results page (`/palmares`), off by default.
    public: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class ReplicaHeartbeat(SQLModel, table=True):
    """One app process (replica) of this database: when it last reported, and whether its own
    health check passed then (`pitchjudge.ops`); the organisers' Health page reads it."""

    __tablename__ = "replica_heartbeats"

    replica_id: str = Field(primary_key=True, max_length=200)
    started_at: datetime = Field(sa_column=_ts())
    seen_at: datetime = Field(sa_column=_ts())
    healthy: bool = True
    #: What failed at the last check ("" when healthy), for people (no secret in it).
    problem: str = Field(default="", max_length=500)


class ReplicaCounter(SQLModel, table=True):
    """A counter of one replica (saves, errors), added to by each flush of its process's
    counts since the last one: a restart adds on, never resets the total."""

    __tablename__ = "replica_counters"

    replica_id: str = Field(primary_key=True, max_length=200)
    name: str = Field(primary_key=True, max_length=60)
    value: int = Field(default=0, sa_type=BigInteger)
