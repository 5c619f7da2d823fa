"""Feedback to applicants: their marks against the field, the jury's comments (anonymous) and
their rank band — released by the organiser, round by round."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fpdf import FPDF
from sqlmodel import Session, col, select

from pitchjudge.config import Settings
from pitchjudge.formatting import format_fixed
from pitchjudge.i18n import N_
from pitchjudge.models import Round, Scorecard
from pitchjudge.scoring import ScoringError
from pitchjudge.services import results
from pitchjudge.services.contests import get_round, list_rounds, set_round_setting
from pitchjudge.services.judges import round_conflicted_pairs

#: Rank bands, best first: (share of the ranked field, label).
BANDS = (
    (0.10, N_("Top 10 %")),
    (0.25, N_("Top quarter")),
    (0.50, N_("Top half")),
    (1.00, N_("Second half")),
)


@dataclass(frozen=True)
class CriterionFeedback:
    name: str
    own: float | None  # this pitch's average mark
    field: float | None  # the average over every pitch of the round
    scale_max: float


@dataclass(frozen=True)
class RoundFeedback:
    round_name: str
    criteria: list[CriterionFeedback]
    comments: list[str]
    rank_band: str | None  # one of BANDS' labels (English; translate to show)
    ranked: int


def set_feedback_released(
    *, session: Session, round_id: int, released: bool, settings: Settings | None = None
) -> Round:
    """Let applicants read (or stop reading) this round's feedback. With `settings`, a release
    also e-mails every applicant of the round their link, in the same transaction (once per
    round and applicant, however often it is toggled)."""
    round_ = set_round_setting(
        session=session,
        round_id=round_id,
        field="feedback_released",
        value=released,
        action="feedback",
    )
    if released and settings is not None:
        from pitchjudge.services import mail

        mail.queue_feedback_released(session=session, settings=settings, round_id=round_id)
    return round_


def _band(rank: int, ranked: int) -> str:
    share = rank / ranked
    return next(label for limit, label in BANDS if share <= limit)


def round_feedback(*, session: Session, round_id: int, pitch_id: int) -> RoundFeedback | None:
    """One round's feedback for one pitch (None when the pitch has no marks there)."""
    round_ = get_round(session=session, round_id=round_id)
    marks, criteria, _adjustments = results.round_marks(session=session, round_id=round_id)
    own = marks[marks["pitch"] == pitch_id]
    if own.empty:
        return None
    per_pitch = marks.groupby(["pitch", "criterion"])["value"].mean()
    field = per_pitch.groupby(level="criterion").mean()
    own_means = own.groupby("criterion")["value"].mean()
    items = [
        CriterionFeedback(
            name=row.criterion,
            own=float(own_means[row.criterion]) if row.criterion in own_means else None,
            field=float(field[row.criterion]) if row.criterion in field else None,
            scale_max=float(row.max),
        )
        for row in criteria.itertuples()
    ]
    # A judge whose marks do not count (a conflict of interest) is not heard either.
    conflicted = {
        judge
        for judge, pitch in round_conflicted_pairs(session=session, round_=round_)
        if pitch == pitch_id
    }
    comments = [
        text.strip()
        for judge_id, text in session.exec(
            select(Scorecard.judge_id, Scorecard.comment)
            .where(Scorecard.round_id == round_id, Scorecard.pitch_id == pitch_id)
            .order_by(col(Scorecard.id))
        ).all()
        if text and text.strip() and judge_id not in conflicted
    ]
    band, ranked = None, 0
    try:
        board = results.round_leaderboard(session=session, round_id=round_id)
        ranked_rows = board.dropna(subset=["rank"])
        ranked = len(ranked_rows)
        mine = ranked_rows[ranked_rows["pitch"] == pitch_id]
        if ranked and not mine.empty:
            band = _band(int(mine["rank"].iloc[0]), ranked)
    except ScoringError:
        pass
    return RoundFeedback(round_.name, items, sorted(comments), band, ranked)


def released_feedback(*, session: Session, pitch_id: int, contest_id: int) -> list[RoundFeedback]:
    """The feedback of every released round for this pitch, in round order."""
    found = []
    for round_ in list_rounds(session=session, contest_id=contest_id):
        if round_.feedback_released:
            item = round_feedback(session=session, round_id=round_.id, pitch_id=pitch_id)
            if item is not None:
                found.append(item)
    return found


def _latin(text: str) -> str:
    # The PDF's core font covers Western European text; anything else becomes "?".
    return (
        text.replace("’", "'")
        .replace("–", "-")
        .replace("—", "-")
        .encode("cp1252", errors="replace")
        .decode("cp1252")
    )


def feedback_pdf(
    *,
    contest_name: str,
    startup_name: str,
    rounds: list[RoundFeedback],
    gettext: Callable[[str], str],
    language: str = "en",
) -> bytes:
    """A one-to-few-page PDF of the applicant's feedback (their own figures only), numbers
    written as `language` writes them (3,50 in French)."""
    _ = gettext
    pdf = FPDF(unit="mm", format="A4")
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, _latin(startup_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        _latin(f"{contest_name} - {_('Feedback from the jury')}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for item in rounds:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, _latin(item.round_name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        if item.rank_band:
            pdf.multi_cell(
                0,
                6,
                _latin(
                    _("Your place: {band} of {count} startups").format(
                        band=_(item.rank_band), count=item.ranked
                    )
                ),
            )
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 10)
        widths = (90, 40, 40)
        for width, title in zip(
            widths, (_("Criterion"), _("Your average"), _("Average of all")), strict=True
        ):
            pdf.cell(width, 7, _latin(title), border=1)
        pdf.ln()
        pdf.set_font("Helvetica", "", 10)
        for criterion in item.criteria:
            values = (
                criterion.name,
                format_fixed(criterion.own, language=language) or "-",
                format_fixed(criterion.field, language=language) or "-",
            )
            for width, value in zip(widths, values, strict=True):
                pdf.cell(width, 7, _latin(value)[:60], border=1)
            pdf.ln()
        if item.comments:
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 11)
            pdf.multi_cell(0, 7, _latin(_("Comments from the jury")), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10)
            for comment in item.comments:
                pdf.multi_cell(0, 5, _latin("- " + comment), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
    return bytes(pdf.output())
