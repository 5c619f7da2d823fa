"""A round's analytics for the organiser: judges × pitches totals, leniency, outlying marks,
rank ranges, one pitch in detail, and the leaderboard under other rules side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlmodel import Session, col, select

from pitchjudge.formatting import format_number
from pitchjudge.models import Adjustment, Judge, Mark, Pitch, Scorecard
from pitchjudge.scoring import (
    AggregationRule,
    DisconnectedDesign,
    ScoringError,
    agreement,
    judge_statistics,
    leaderboard,
)
from pitchjudge.scoring.deviations import mark_outliers, total_deviations
from pitchjudge.scoring.inputs import prepare
from pitchjudge.scoring.leaderboard import judge_weighted_totals
from pitchjudge.scoring.statistics import OUTLIER_Z
from pitchjudge.services import audit, results
from pitchjudge.services.contests import get_round
from pitchjudge.services.judges import round_conflicted_pairs
from pitchjudge.services.rubric import list_criteria
from pitchjudge.services.scoring import scorecard_history_rows

#: The rules compared side by side (the round's own method is added when it is another one).
COMPARED_METHODS = ("mean", "trimmed", "calibrated")


@dataclass(frozen=True)
class _RoundInput:
    """What every analysis starts from: the engine's frames, the rule, names by id."""

    marks: pd.DataFrame
    criteria: pd.DataFrame
    adjustments: pd.DataFrame
    rule: AggregationRule
    pitch_names: Mapping[int | None, str]
    judge_names: Mapping[int | None, str]


def _load(session: Session, round_id: int) -> _RoundInput:
    round_ = get_round(session=session, round_id=round_id)
    marks, criteria, adjustments = results.round_marks(session=session, round_id=round_id)
    return _RoundInput(
        marks=marks,
        criteria=criteria,
        adjustments=adjustments,
        rule=AggregationRule.from_dict(round_.rule),
        pitch_names=dict(
            session.exec(
                select(Pitch.id, Pitch.startup_name).where(Pitch.contest_id == round_.contest_id)
            ).all()
        ),
        judge_names=dict(
            session.exec(
                select(Judge.id, Judge.name).where(Judge.contest_id == round_.contest_id)
            ).all()
        ),
    )


# --- overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """How much there is to analyse in a round (marks that count: no conflicts, no withdrawn)."""

    n_marks: int
    n_judges: int
    n_pitches: int


def round_overview(*, session: Session, round_id: int) -> Overview:
    """The counts the page needs to choose between its analyses and an empty-state message."""
    marks, _criteria, _adjustments = results.round_marks(session=session, round_id=round_id)
    return Overview(
        n_marks=len(marks),
        n_judges=int(marks["judge"].nunique()),
        n_pitches=int(marks["pitch"].nunique()),
    )


# --- judges × pitches ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TotalsGrid:
    """Each judge's weighted total Σ_c w_c x_pjc of each pitch: judges × pitches.

    `totals[j, p]` is NaN when judge j did not mark pitch p on every criterion. Pitches are in
    order of their mean total (highest first), judges in the order they were added.
    """

    judge_ids: list[int]
    judge_names: list[str]
    pitch_ids: list[int]
    startup_names: list[str]
    totals: np.ndarray


def totals_grid(*, session: Session, round_id: int) -> TotalsGrid:
    """The judges × pitches table of weighted totals (for the heatmap)."""
    data = _load(session, round_id)
    judge_ids = sorted(int(j) for j in data.marks["judge"].unique())
    if data.marks.empty:
        return TotalsGrid([], [], [], [], np.zeros((0, 0)))
    prepared = prepare(data.marks, data.criteria[["criterion", "weight"]])
    totals = judge_weighted_totals(prepared, prepared.value)
    pitch_ids = [int(p) for p in prepared.pitches]
    table = np.full((len(judge_ids), len(pitch_ids)), np.nan)
    row_of = {judge: k for k, judge in enumerate(judge_ids)}
    for pitch_code, judge_code, total in totals.itertuples(index=False):
        table[row_of[int(prepared.judges[judge_code])], pitch_code] = total
    with np.errstate(invalid="ignore"):
        means = np.array(
            [np.nanmean(column) if np.isfinite(column).any() else -np.inf for column in table.T]
        )
    order = sorted(range(len(pitch_ids)), key=lambda k: (-means[k], pitch_ids[k]))
    return TotalsGrid(
        judge_ids=judge_ids,
        judge_names=[data.judge_names.get(j, "") for j in judge_ids],
        pitch_ids=[pitch_ids[k] for k in order],
        startup_names=[data.pitch_names.get(pitch_ids[k], "") for k in order],
        totals=table[:, order],
    )


# --- leniency and agreement ---------------------------------------------------------------------


@dataclass(frozen=True)
class Leniency:
    """How each judge marks against the panel, and how much the panel agrees.

    - `deviations`: per judge and pitch (`pitchjudge.scoring.deviations.total_deviations`):
      judge, name, pitch, startup_name, total, n_others, others_mean, deviation;
    - `statistics`: `pitchjudge.scoring.judge_statistics` (offset = leniency in points,
      agreement, modified z-scores, outlier flag), with `name`;
    - `agreement`: `pitchjudge.scoring.agreement` (Krippendorff's alpha, ICC, Kendall's W),
      "total" first, then each criterion.
    """

    deviations: pd.DataFrame
    statistics: pd.DataFrame
    agreement: pd.DataFrame


def leniency(*, session: Session, round_id: int) -> Leniency:
    """Each judge's deviations from the panel, their statistics, and the panel's agreement."""
    data = _load(session, round_id)
    criteria = data.criteria[["criterion", "weight"]]
    deviations = total_deviations(data.marks, criteria)
    deviations.insert(2, "name", _judge_names(data, deviations["judge"]))
    deviations.insert(1, "startup_name", _pitch_names(data, deviations["pitch"]))
    if data.marks.empty:
        return Leniency(deviations, pd.DataFrame(), pd.DataFrame())
    statistics = judge_statistics(data.marks, criteria)
    statistics.insert(1, "name", _judge_names(data, statistics["judge"]))
    return Leniency(deviations, statistics, agreement(data.marks, criteria))


# --- outlying marks -----------------------------------------------------------------------------


def outlying_marks(
    *, session: Session, round_id: int, outlier_z: float = OUTLIER_Z
) -> pd.DataFrame:
    """The marks that stand out from the other judges' marks of the same pitch and criterion.

    One row per outlying mark (`pitchjudge.scoring.deviations.mark_outliers`), the farthest
    first: judge, name, pitch, startup_name, criterion, value, others_mean, others_median,
    deviation (from the others' median), z.
    """
    data = _load(session, round_id)
    found = mark_outliers(data.marks, data.criteria[["criterion", "weight"]], outlier_z=outlier_z)
    found = found[found["outlier"].astype(bool)].copy()
    found = found.iloc[np.argsort(-np.abs(found["z"].to_numpy(dtype=float)), kind="stable")]
    return pd.DataFrame(
        {
            "judge": found["judge"].astype("int64").to_numpy(),
            "name": _judge_names(data, found["judge"]),
            "pitch": found["pitch"].astype("int64").to_numpy(),
            "startup_name": _pitch_names(data, found["pitch"]),
            "criterion": found["criterion"].to_numpy(),
            "value": found["value"].to_numpy(dtype=float),
            "others_mean": found["others_mean"].to_numpy(dtype=float),
            "others_median": found["others_median"].to_numpy(dtype=float),
            "deviation": found["deviation"].to_numpy(dtype=float),
            "z": found["z"].to_numpy(dtype=float),
        }
    )


# --- ties and rank ranges -----------------------------------------------------------------------


def rank_ranges(*, session: Session, round_id: int, seed: int = 0) -> pd.DataFrame:
    """`results.round_uncertainty` with `tie_group`: pitches that are statistically tied.

    Neighbours in the leaderboard are linked when P(the higher one beats the lower one) is
    below the rule's `tie_probability`; each run of two or more linked pitches gets a number
    (1 for the highest run), others have none.
    """
    rule = results.round_rule(session=session, round_id=round_id)
    sure = results.round_uncertainty(session=session, round_id=round_id, rule=rule, seed=seed)
    groups: list[int | None] = [None] * len(sure)
    p_next = sure["p_beats_next"].to_numpy(dtype=float)
    number, start = 0, 0
    for row in range(1, len(sure) + 1):
        linked = row < len(sure) and np.isfinite(p_next[row - 1])
        if linked and p_next[row - 1] < rule.tie_probability:
            continue
        if row - start >= 2:
            number += 1
            groups[start:row] = [number] * (row - start)
        start = row
    sure["tie_group"] = pd.array(groups, dtype="Int64")
    return sure


# --- one pitch ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PitchDetail:
    """Everything the round holds about one pitch, judge by judge.

    - `marks`: one row per judge who marked it (index: the judge's name), one column per
      criterion in rubric order; NaN = not marked; `judge_ids` in the same order;
    - `weighted_totals`: each judge's Σ_c w_c x_pjc (NaN when a criterion is missing);
    - `not_counted`: judges with a conflict with this pitch, whose marks the results ignore;
    - `comments`: judge, name, status, comment (for the applicant), private_note;
    - `adjustments`: name, points, reason, created_at;
    - `history`: at, name (the judge, empty for the organiser), what (a criterion's name, or
      "comment" / "private_note" / "status" / "adjustment", or a stage event: "stage_pitch",
      "stage_qa", "stage_end", "stage_reset", "overtime_penalty"), before, after — oldest
      first.
    """

    pitch_id: int
    startup_name: str
    marks: pd.DataFrame
    judge_ids: list[int]
    weighted_totals: list[float]
    not_counted: list[str] = field(default_factory=list)
    comments: pd.DataFrame = field(default_factory=pd.DataFrame)
    adjustments: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)


def pitch_choices(*, session: Session, round_id: int) -> list[tuple[int, str]]:
    """(pitch id, startup name) of every pitch with a mark or a scorecard in the round."""
    ids = set(session.exec(select(Mark.pitch_id).where(Mark.round_id == round_id)).all())
    ids |= set(session.exec(select(Scorecard.pitch_id).where(Scorecard.round_id == round_id)).all())
    if not ids:
        return []
    rows = session.exec(
        select(Pitch.id, Pitch.startup_name)
        .where(col(Pitch.id).in_(sorted(ids)))
        .order_by(col(Pitch.startup_name), col(Pitch.id))
    ).all()
    return [(int(pitch_id), name) for pitch_id, name in rows if pitch_id is not None]


def pitch_detail(*, session: Session, round_id: int, pitch_id: int) -> PitchDetail:
    """One pitch in one round: every mark by judge × criterion, comments, adjustments, history."""
    round_ = get_round(session=session, round_id=round_id)
    pitch = session.get(Pitch, pitch_id)
    if pitch is None or pitch.contest_id != round_.contest_id:
        raise ValueError("This application is not part of the contest.")
    criteria = list_criteria(session=session, contest_id=round_.contest_id)
    judge_names = dict(
        session.exec(
            select(Judge.id, Judge.name).where(Judge.contest_id == round_.contest_id)
        ).all()
    )
    rows = session.exec(
        select(Mark.judge_id, Mark.criterion_id, Mark.value).where(
            Mark.round_id == round_id, Mark.pitch_id == pitch_id
        )
    ).all()
    cards = session.exec(
        select(Scorecard)
        .where(Scorecard.round_id == round_id, Scorecard.pitch_id == pitch_id)
        .order_by(col(Scorecard.judge_id))
    ).all()
    judge_ids = sorted({int(j) for j, _c, _v in rows} | {int(c.judge_id) for c in cards})
    criterion_ids = [c.id for c in criteria]
    table = np.full((len(judge_ids), len(criteria)), np.nan)
    row_of = {judge: k for k, judge in enumerate(judge_ids)}
    column_of = {criterion: k for k, criterion in enumerate(criterion_ids)}
    for judge_id, criterion_id, value in rows:
        if criterion_id in column_of:
            table[row_of[int(judge_id)], column_of[criterion_id]] = float(value)
    weights = np.array([float(c.weight) for c in criteria])
    names = [judge_names.get(j, "") for j in judge_ids]
    marks = pd.DataFrame(table, columns=[c.name for c in criteria], index=pd.Index(names))
    weighted = (table * weights).sum(axis=1) if len(criteria) else np.full(len(judge_ids), np.nan)
    conflicts = round_conflicted_pairs(session=session, round_=round_)
    adjustments = session.exec(
        select(Adjustment)
        .where(Adjustment.round_id == round_id, Adjustment.pitch_id == pitch_id)
        .order_by(col(Adjustment.id))
    ).all()
    return PitchDetail(
        pitch_id=pitch_id,
        startup_name=pitch.startup_name,
        marks=marks,
        judge_ids=judge_ids,
        weighted_totals=[float(v) for v in weighted],
        not_counted=[judge_names.get(j, "") for j in judge_ids if (j, pitch_id) in conflicts],
        comments=pd.DataFrame(
            {
                "judge": [c.judge_id for c in cards],
                "name": [judge_names.get(c.judge_id, "") for c in cards],
                "status": [c.status for c in cards],
                "comment": [c.comment for c in cards],
                "private_note": [c.private_note for c in cards],
            }
        ),
        adjustments=pd.DataFrame(
            {
                "name": [a.name for a in adjustments],
                "points": [float(a.points) for a in adjustments],
                "reason": [a.reason for a in adjustments],
                "created_at": [a.created_at for a in adjustments],
            }
        ),
        history=_pitch_history(session, round_id, pitch_id, cards, adjustments, judge_names),
    )


def _pitch_history(
    session: Session,
    round_id: int,
    pitch_id: int,
    cards: Sequence[Scorecard],
    adjustments: Sequence[Adjustment],
    judge_names: Mapping[int | None, str],
) -> pd.DataFrame:
    """The audit events of the pitch's scorecards, its stage events in this round (timers,
    overtime penalty) and its adjustments' (when audited), oldest first."""
    events: list[tuple[datetime, str, str, str, str]] = []
    for card in cards:
        for row in scorecard_history_rows(
            session=session, round_id=round_id, judge_id=card.judge_id, pitch_id=pitch_id
        ):
            name = judge_names.get(card.judge_id, "")
            events.append((row.at, name, row.what, row.before, row.after))
    for adjustment in adjustments:
        if adjustment.id is None:
            continue
        for event in audit.history(session, entity="adjustment", entity_id=adjustment.id):
            events.append(
                (
                    event.at,
                    "",
                    "adjustment",
                    _plain(event.old_value),
                    _plain(event.new_value) or adjustment.name,
                )
            )
    for event in audit.history(session, entity="pitch", entity_id=pitch_id):
        # The stage's events of this pitch in this round: timers and overtime penalty.
        if event.field == f"round:{round_id}":
            after = _plain(event.new_value) if event.action == "overtime_penalty" else ""
            events.append((event.at, "", event.action, "", after))
    events.sort(key=lambda e: e[0])
    return pd.DataFrame(events, columns=["at", "name", "what", "before", "after"])


def _plain(value: str | None) -> str:
    if value is None:
        return ""
    try:
        return format_number(float(value))
    except ValueError:
        return value


# --- rules side by side -------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleComparison:
    """The leaderboard under several aggregation methods, the round's other settings kept.

    `table`: pitch, startup_name, then `rank_<method>` and `total_<method>` for each method
    in `methods` that could be computed, and `rank_changes` (the pitch's rank is not the same
    under every computed method). Ordered by the first computed method's ranking.
    `problems` maps a method that could not be used to the reason. `own_method` is the
    round's own.
    """

    table: pd.DataFrame
    methods: list[str]
    problems: dict[str, str]
    own_method: str


def compare_rules(
    *, session: Session, round_id: int, methods: tuple[str, ...] = COMPARED_METHODS
) -> RuleComparison:
    """The round's leaderboard by each of `methods` (and its own), side by side."""
    data = _load(session, round_id)
    own = data.rule.method
    wanted = list(dict.fromkeys([*methods, own]))
    criteria = data.criteria[["criterion", "weight", "min", "max"]]
    computed: list[str] = []
    problems: dict[str, str] = {}
    boards: dict[str, pd.DataFrame] = {}
    for method in wanted:
        try:
            rule = data.rule.replace(method=method)
            boards[method] = leaderboard(data.marks, criteria, rule, data.adjustments)
        except DisconnectedDesign as error:
            problems[method] = _disconnected_reason(error, data)
        except ScoringError as error:
            problems[method] = str(error)
        else:
            computed.append(method)
    pitch_ids: list[int] = []
    for method in computed:
        for pitch_id in boards[method]["pitch"]:
            if int(pitch_id) not in pitch_ids:
                pitch_ids.append(int(pitch_id))
    table = pd.DataFrame(
        {
            "pitch": pd.array(pitch_ids, dtype="int64"),
            "startup_name": [data.pitch_names.get(p, "") for p in pitch_ids],
        }
    )
    for method in computed:
        board = boards[method].set_index(boards[method]["pitch"].astype("int64"))
        table[f"rank_{method}"] = pd.array(board["rank"].reindex(pitch_ids), dtype="Int64")
        table[f"total_{method}"] = board["total"].reindex(pitch_ids).to_numpy(dtype=float)
    changes = []
    for row in range(len(table)):
        ranks = [table[f"rank_{m}"].iloc[row] for m in computed]
        known = [int(r) for r in ranks if not pd.isna(r)]
        # A different rank, or ranked by one rule and unranked by another.
        changes.append(len(set(known)) > 1 or 0 < len(known) < len(ranks))
    table["rank_changes"] = np.array(changes, dtype=bool)
    return RuleComparison(table=table, methods=computed, problems=problems, own_method=own)


def _disconnected_reason(error: DisconnectedDesign, data: _RoundInput) -> str:
    """The engine's explanation with names instead of ids."""
    groups = []
    for number, (judges, pitches) in enumerate(error.groups[:5], start=1):
        judge_list = ", ".join(data.judge_names.get(int(j), str(j)) for j in judges[:6])
        pitch_list = ", ".join(data.pitch_names.get(int(p), str(p)) for p in pitches[:6])
        groups.append(f"group {number}: judges {judge_list}; pitches {pitch_list}")
    return (
        f"The judges and pitches split into {len(error.groups)} groups that share no judge, so "
        "a judge's leniency cannot be told apart from the quality of the pitches they saw. "
        + "; ".join(groups)
        + "."
    )


# --- names --------------------------------------------------------------------------------------


def _judge_names(data: _RoundInput, ids: pd.Series) -> list[str]:
    return [data.judge_names.get(int(i), "") for i in ids]


def _pitch_names(data: _RoundInput, ids: pd.Series) -> list[str]:
    return [data.pitch_names.get(int(i), "") for i in ids]
