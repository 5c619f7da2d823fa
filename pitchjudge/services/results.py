"""Results of a round: its marks read from the database and scored by the round's rule."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Select
from sqlmodel import Session, col, select

from pitchjudge.assignment import connectivity
from pitchjudge.models import Adjustment, Conflict, Criterion, Judge, Mark, Pitch, PitchStatus
from pitchjudge.scoring import (
    AggregationRule,
    agreement,
    judge_statistics,
    leaderboard,
    uncertainty,
)
from pitchjudge.scoring.blend import blend, formula
from pitchjudge.scoring.precision import WEAK_CONNECTIVITY
from pitchjudge.scoring.uncertainty import decision_lines as scoring_decision_lines
from pitchjudge.services.contests import get_round, list_rounds
from pitchjudge.services.judges import conflict_applies
from pitchjudge.services.rubric import list_criteria

MARK_COLUMNS = ["pitch", "judge", "criterion", "value"]
CRITERIA_COLUMNS = ["criterion", "weight", "min", "max", "step", "criterion_id"]
ADJUSTMENT_COLUMNS = ["pitch", "name", "points"]


#: What `round_marks` returns: (marks, criteria, adjustments).
RoundData = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def round_marks(*, session: Session, round_id: int) -> RoundData:
    """(marks, criteria, adjustments) of a round, as `pitchjudge.scoring` takes them.

    marks: pitch (pitch id), judge (judge id), criterion (criterion name), value;
    criteria: the contest's rubric — criterion, weight, min, max, step, criterion_id;
    adjustments: pitch, name, points. Withdrawn pitches, and marks made by a judge who has a
    conflict with the pitch, are left out. Numbers are floats
    (PostgreSQL may hand back Decimals for numeric columns).
    """
    round_ = get_round(session=session, round_id=round_id)
    criteria_rows = list_criteria(session=session, contest_id=round_.contest_id)
    criteria = pd.DataFrame(
        [(c.name, c.weight, c.scale_min, c.scale_max, c.scale_step, c.id) for c in criteria_rows],
        columns=CRITERIA_COLUMNS,
    )
    in_play = col(Pitch.status) != PitchStatus.WITHDRAWN
    mark_rows = _fetch(
        session,
        select(Mark.pitch_id, Mark.judge_id, Criterion.name, Mark.value)
        .join(Criterion, col(Criterion.id) == col(Mark.criterion_id))
        .join(Pitch, col(Pitch.id) == col(Mark.pitch_id))
        # A mark given before its judge's conflict with the pitch was recorded stops counting
        # (in a closed or locked round, only for conflicts recorded before it closed).
        .outerjoin(
            Conflict,
            (col(Conflict.judge_id) == col(Mark.judge_id))
            & (col(Conflict.pitch_id) == col(Mark.pitch_id))
            & conflict_applies(round_),
        )
        .where(Mark.round_id == round_id, in_play, col(Conflict.id).is_(None)),
    )
    adjustment_rows = session.exec(
        select(Adjustment.pitch_id, Adjustment.name, Adjustment.points)
        .join(Pitch, col(Pitch.id) == col(Adjustment.pitch_id))
        .where(Adjustment.round_id == round_id, in_play)
        .order_by(col(Adjustment.id))
    ).all()
    marks = pd.DataFrame(mark_rows, columns=MARK_COLUMNS)
    adjustments = pd.DataFrame(adjustment_rows, columns=ADJUSTMENT_COLUMNS)
    for frame, columns in (
        (marks, ["value"]),
        (adjustments, ["points"]),
        (criteria, ["weight", "min", "max", "step"]),
    ):
        for column in columns:
            frame[column] = frame[column].astype(float)
    for frame, columns in ((marks, ["pitch", "judge"]), (adjustments, ["pitch"])):
        for column in columns:
            frame[column] = frame[column].astype("int64")
    return marks, criteria, adjustments


def _fetch(session: Session, statement: Select) -> list[tuple]:
    """The rows of a SELECT, read with the session's own DB-API cursor.

    Within the session's transaction, like `session.exec`; SQLAlchemy's row objects cost about
    five times the database's own read time, which shows on a round of 400,000 marks.
    """
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect)
    parameters = compiled.params
    if connection.dialect.positional:
        parameters = tuple(parameters[name] for name in compiled.positiontup or ())
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), parameters)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def round_rule(*, session: Session, round_id: int) -> AggregationRule:
    """The round's stored aggregation rule (`Round.rule`), or the default rule."""
    return AggregationRule.from_dict(get_round(session=session, round_id=round_id).rule)


def round_leaderboard(
    *,
    session: Session,
    round_id: int,
    rule: AggregationRule | None = None,
    blended: bool = True,
    data: RoundData | None = None,
) -> pd.DataFrame:
    """The round's leaderboard (see `pitchjudge.scoring.leaderboard`) by `rule` or its own.

    `pitch` holds pitch ids; a `startup_name` column follows it for display. When the round
    blends in an earlier round (`Round.blend_round_id`) and `blended`, `total` is the blend
    (`pitchjudge.scoring.blend`), with `round_total` and `earlier_total` beside it.
    `data`: the round's `round_marks`, when the caller has already read them.
    """
    round_ = get_round(session=session, round_id=round_id)
    rule = rule or round_rule(session=session, round_id=round_id)
    marks, criteria, adjustments = data or round_marks(session=session, round_id=round_id)
    board = leaderboard(marks, criteria[["criterion", "weight", "min", "max"]], rule, adjustments)
    if blended and round_.blend_round_id is not None and round_.blend_weight is not None:
        earlier = round_leaderboard(session=session, round_id=round_.blend_round_id)
        board = blend(board, earlier, round_.blend_weight, rule)
    board.insert(2, "startup_name", _names(session, Pitch, board["pitch"], "startup_name"))
    return board


def blend_formula(*, session: Session, round_id: int) -> str | None:
    """The round's blend as people read it ("30 % Pre-selection + 70 % Final"), or None."""
    round_ = get_round(session=session, round_id=round_id)
    if round_.blend_round_id is None or round_.blend_weight is None:
        return None
    earlier = get_round(session=session, round_id=round_.blend_round_id)
    return formula(round_.blend_weight, earlier.name, round_.name)


def decision_lines(*, session: Session, round_id: int) -> dict[str, int]:
    """The round's decision lines: name → places above it.

    "winner" (1) and "podium" (3) always; "promotion" (how many pitches of this round were
    promoted into the next one) once a promotion has been made.
    """
    from pitchjudge.services.promotion import promoted_ids  # promotion imports this module

    lines = {"winner": 1, "podium": 3}
    round_ = get_round(session=session, round_id=round_id)
    rounds = [r.id for r in list_rounds(session=session, contest_id=round_.contest_id)]
    position = rounds.index(round_id)
    if position + 1 < len(rounds):
        promoted = promoted_ids(session=session, round_id=rounds[position + 1])
        if promoted:
            lines["promotion"] = len(promoted)
    return lines


def round_uncertainty(
    *,
    session: Session,
    round_id: int,
    rule: AggregationRule | None = None,
    seed: int = 0,
    data: RoundData | None = None,
) -> pd.DataFrame:
    """`pitchjudge.scoring.uncertainty` of the round (pitch ids, plus `startup_name`).

    Intervals mean one thing whatever the panel (`INTERVAL_MEANING`); `too_close_to_call`
    flags the pitches either side of a decision line (`decision_lines`) that the marks cannot
    separate, and `decision_line` names the lines a pitch touches.
    """
    rule = rule or round_rule(session=session, round_id=round_id)
    marks, criteria, adjustments = data or round_marks(session=session, round_id=round_id)
    lines = decision_lines(session=session, round_id=round_id)
    sure = uncertainty(
        marks, criteria[["criterion", "weight"]], rule, adjustments, seed=seed, lines=lines
    )
    sure.insert(2, "startup_name", _names(session, Pitch, sure["pitch"], "startup_name"))
    return sure


def round_decision_lines(
    *, session: Session, round_id: int, sure: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per decision line: line, places, above, below (pitch ids and `above_name`,
    `below_name`), p (P(above beats below)), too_close (the marks cannot call it)."""
    rule = round_rule(session=session, round_id=round_id)
    if sure is None:
        sure = round_uncertainty(session=session, round_id=round_id, rule=rule)
    lines = decision_lines(session=session, round_id=round_id)
    table = scoring_decision_lines(sure, lines, rule.tie_probability)
    names = dict(zip(sure["pitch"], sure["startup_name"], strict=True))
    table["above_name"] = [names.get(p, "") for p in table["above"]]
    table["below_name"] = [names.get(p, "") for p in table["below"]]
    return table


@dataclass(frozen=True)
class DesignStrength:
    """How well a round's judges are linked by the pitches they share."""

    connectivity: float  # algebraic connectivity of the judge graph (NaN: < 2 judges)
    weak: bool  # connected but below `WEAK_CONNECTIVITY`
    connected: bool
    limit: float = WEAK_CONNECTIVITY


def round_design(*, session: Session, round_id: int, data: RoundData | None = None):
    """`DesignStrength` of the judges who marked this round (complete or not)."""
    marks, _criteria, _adjustments = data or round_marks(session=session, round_id=round_id)
    pairs = set(zip(marks["judge"].astype(int), marks["pitch"].astype(int), strict=True))
    value = connectivity(pairs)
    known = value == value
    return DesignStrength(
        connectivity=value,
        weak=bool(known and 0 < value < WEAK_CONNECTIVITY),
        connected=bool(not known or value > 1e-9),
    )


def round_judge_statistics(*, session: Session, round_id: int) -> pd.DataFrame:
    """`pitchjudge.scoring.judge_statistics` of the round (judge ids, plus `name`)."""
    marks, criteria, _ = round_marks(session=session, round_id=round_id)
    statistics = judge_statistics(marks, criteria[["criterion", "weight"]])
    statistics.insert(1, "name", _names(session, Judge, statistics["judge"], "name"))
    return statistics


def round_agreement(*, session: Session, round_id: int) -> pd.DataFrame:
    """`pitchjudge.scoring.agreement` of the round."""
    marks, criteria, _ = round_marks(session=session, round_id=round_id)
    return agreement(marks, criteria[["criterion", "weight"]])


def _names(session: Session, model, ids: pd.Series, attribute: str) -> list[str]:
    wanted = [int(i) for i in ids]
    found = dict(
        session.exec(
            select(model.id, getattr(model, attribute)).where(col(model.id).in_(wanted))
        ).all()
    )
    return [found.get(i, "") for i in wanted]
