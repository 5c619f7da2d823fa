"""Importing a round's marks (with criteria and adjustments) from CSV files, all or nothing."""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert
from sqlmodel import Session, col, func, select

from pitchjudge.errors import ValidationError
from pitchjudge.models import (
    Adjustment,
    Criterion,
    Judge,
    Mark,
    Pitch,
    PitchStatus,
    RoundStatus,
    utcnow,
)
from pitchjudge.security import new_token, token_hash
from pitchjudge.services import audit, rubric
from pitchjudge.services.contests import ORGANISER, create_round, get_contest, list_rounds

Source = str | Path | IO[str] | IO[bytes]
#: Where an imported pitch's contact email would be (imported pitches have no applicant).
IMPORTED_EMAIL = "imported@invalid.example"
#: Candidate scale steps, coarsest first, when the file does not give a new criterion's step.
STEPS = (1.0, 0.5, 0.25, 0.1, 0.05, 0.01)
#: Problems listed in the error message (all are kept in `MarksImportError.problems`).
SHOWN_PROBLEMS = 30
NAME_LIMIT = 120


class MarksImportError(ValidationError):
    """A marks file that cannot be imported; `problems` lists every bad row, by line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:SHOWN_PROBLEMS]
        if len(problems) > SHOWN_PROBLEMS:
            shown.append(f"… and {len(problems) - SHOWN_PROBLEMS} more.")
        super().__init__(
            "Nothing was imported: the file has {count} problem(s).\n{problems}",
            field="file",
            count=len(problems),
            problems="\n".join(shown),
        )


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    contest_id: int
    round_id: int
    round_name: str
    round_created: bool
    marks: int
    adjustments: int
    pitches_created: int
    judges_created: int
    criteria_created: int
    marks_replaced: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a person (the CLI prints it)."""
        created = ", ".join(
            f"{count} {what}"
            for count, what in (
                (self.pitches_created, "pitch(es)"),
                (self.judges_created, "judge(s)"),
                (self.criteria_created, "criterion(a)"),
            )
            if count
        )
        return (
            f"Imported {self.marks} marks and {self.adjustments} adjustment(s) into round "
            f"{self.round_name!r} (id {self.round_id}{', new' if self.round_created else ''})"
            + (f"; created {created}" if created else "")
            + (f"; replaced {self.marks_replaced} marks" if self.marks_replaced else "")
            + "."
        )


def _key(name: str) -> str:
    """The identity of a name: case, accents composition and spacing ignored."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _clean_name(value: Any) -> str:
    """A name as stored: NFC, no control characters, single spaces."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " \t")
    return " ".join(text.split())


def _read(source: Source, what: str) -> pd.DataFrame:
    """A CSV file as text columns (comma or semicolon separated, UTF-8 with or without BOM)."""
    try:
        raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    except (OSError, UnicodeDecodeError) as error:
        raise MarksImportError([f"{what}: cannot be read ({error})."]) from None
    header = text.split("\n", 1)[0]
    separator = ";" if header.count(";") > header.count(",") else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise MarksImportError([f"{what}: not a readable CSV file ({error})."]) from None
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    return frame


def _numbers(texts: pd.Series) -> np.ndarray:
    """Numbers written with a decimal point or a decimal comma; NaN when not a number."""
    cleaned = texts.str.strip().str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
    values = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _lines(rows: Iterable[int]) -> str:
    """Row positions as the file's line numbers (the header is line 1)."""
    numbers = [str(int(row) + 2) for row in rows]
    return ", ".join(numbers[:10]) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


@dataclass
class _CriterionPlan:
    name: str
    weight: float | None = None
    scale_min: float | None = None
    scale_max: float | None = None
    scale_step: float | None = None
    existing: Criterion | None = None


def _criteria_settings(
    marks: pd.DataFrame, criteria: pd.DataFrame | None, problems: list[str]
) -> dict[str, _CriterionPlan]:
    """weight / min / max / step per criterion, from the criteria file or the marks' columns."""
    plans: dict[str, _CriterionPlan] = {}
    for name in marks["criterion"]:
        plans.setdefault(_key(name), _CriterionPlan(name))
    settings = (
        ("weight", "weight"),
        ("min", "scale_min"),
        ("max", "scale_max"),
        ("step", "scale_step"),
    )
    sources = [("the marks file", marks)]
    if criteria is not None:
        if "criterion" not in criteria.columns:
            problems.append("criteria file: it needs a criterion column.")
            return plans
        sources.append(("the criteria file", criteria))
    for label, frame in sources:
        for column, attribute in settings:
            if column not in frame.columns:
                continue
            values = _numbers(frame[column])
            blank = frame[column].str.strip() == ""
            bad = np.isnan(values) & ~blank.to_numpy()
            if bad.any():
                problems.append(
                    f"{label}: {column} is not a number on lines {_lines(np.flatnonzero(bad))}."
                )
            for name, group in (
                pd.DataFrame(
                    {"key": frame["criterion"].map(_clean_name).map(_key), "value": values}
                )
                .dropna()
                .groupby("key")
            ):
                distinct = group["value"].unique()
                if len(distinct) > 1:
                    problems.append(
                        f"{label}: criterion {name!r} has different {column} values "
                        f"({', '.join(f'{v:g}' for v in distinct)}) on lines {_lines(group.index)}."
                    )
                    continue
                plan = plans.get(name)
                if plan is None:
                    continue  # a criterion without marks in this file
                current = getattr(plan, attribute)
                if current is not None and not math.isclose(current, distinct[0]):
                    problems.append(
                        f"criterion {plan.name!r}: {column} is {current:g} in one file and "
                        f"{distinct[0]:g} in the other."
                    )
                setattr(plan, attribute, float(distinct[0]))
    return plans


def _infer_scale(plan: _CriterionPlan, values: np.ndarray) -> None:
    """Fill a new criterion's missing scale from its marks: whole-number bounds, coarsest step."""
    if plan.scale_min is None:
        plan.scale_min = float(min(0.0, math.floor(values.min())) if values.min() < 1 else 1.0)
    if plan.scale_max is None:
        plan.scale_max = float(max(math.ceil(values.max()), plan.scale_min + 1))
    if plan.scale_step is None:
        for step in STEPS:
            grid = np.append(values, plan.scale_max)
            if (
                _on_grid(grid, plan.scale_min, step).all()
                and (plan.scale_max - plan.scale_min) / step <= 1000
            ):
                plan.scale_step = step
                break
        else:
            plan.scale_step = STEPS[-1]


def _new_criterion_problems(plan: _CriterionPlan) -> list[str]:
    """What the rubric would refuse in a new criterion (checked before anything is written)."""
    found = []
    if plan.weight is None or not 0 < plan.weight <= 1000:
        found.append(f"criterion {plan.name!r}: the weight must be more than 0 and at most 1000.")
    low, high, step = plan.scale_min, plan.scale_max, plan.scale_step
    if low is None or high is None or step is None:
        return found
    if not -1000 <= low < high <= 1000:
        found.append(
            f"criterion {plan.name!r}: the scale must go up from min to max, both between "
            f"-1000 and 1000 (the file says {low:g} to {high:g})."
        )
    elif not 0 < step <= high - low or not _on_grid(np.array([high]), low, step).all():
        found.append(
            f"criterion {plan.name!r}: steps of {step:g} from {low:g} do not reach {high:g}."
        )
    elif (high - low) / step > 1000:
        found.append(f"criterion {plan.name!r}: a scale may have at most 1000 steps.")
    return found


def _on_grid(values: np.ndarray, start: float, step: float) -> np.ndarray:
    steps = (values - start) / step
    return np.abs(steps - np.round(steps)) <= 1e-6


def import_marks_csv(
    *,
    session: Session,
    contest_id: int,
    round_name: str,
    path_or_buffer: Source,
    criteria: Source | None = None,
    adjustments: Source | None = None,
    replace: bool = False,
) -> ImportReport:
    """Load a round's marks from CSV, creating the round, judges, pitches and criteria needed.

    - marks file: columns pitch, judge, criterion, value (one row per mark; names as people
      read them), and optionally weight, min, max, step (the same on every row of a criterion);
    - `criteria` file (optional): criterion, weight, min, max, step;
    - `adjustments` file (optional): pitch, name, points (+ reason).
    Names are matched to the contest's existing round, judges (by name), pitches (by startup
    name) and criteria ignoring case and spacing. A new criterion takes the file's weight
    (default 1) and scale, or whole-number bounds around its marks. Every row is checked
    first; any problem raises `MarksImportError` listing all of them by line, and nothing is
    written. Run it inside one `session_scope`: the marks land in one transaction or not at
    all. A round that already holds marks is refused unless `replace` is true (then its marks
    and adjustments are replaced); a locked round never changes.
    """
    contest = get_contest(session=session, contest_id=contest_id)
    problems: list[str] = []
    marks = _read(path_or_buffer, "marks file")
    missing = [c for c in ("pitch", "judge", "criterion", "value") if c not in marks.columns]
    if missing:
        raise MarksImportError(
            [
                f"marks file: missing column(s) {', '.join(missing)} (it has: "
                f"{', '.join(marks.columns) or 'none'})."
            ]
        )
    if marks.empty:
        raise MarksImportError(["marks file: it holds no marks."])
    for column in ("pitch", "judge", "criterion"):
        marks[column] = marks[column].map(_clean_name)
        empty = marks[column] == ""
        if empty.any():
            problems.append(
                f"marks file: {column} is empty on lines {_lines(np.flatnonzero(empty))}."
            )
        long = marks[column].str.len() > NAME_LIMIT
        if long.any():
            problems.append(
                f"marks file: {column} is longer than {NAME_LIMIT} characters on lines "
                f"{_lines(np.flatnonzero(long))}."
            )
    values = _numbers(marks["value"])
    not_number = np.isnan(values)
    if not_number.any():
        problems.append(
            f"marks file: value is not a number on lines {_lines(np.flatnonzero(not_number))}."
        )
    keys = marks[["pitch", "judge", "criterion"]].apply(lambda column: column.map(_key))
    twice = keys.duplicated(keep=False).to_numpy()
    if twice.any():
        problems.append(
            "marks file: the same judge marks the same criterion of the same pitch more than "
            f"once, on lines {_lines(np.flatnonzero(twice))}."
        )

    criteria_frame = _read(criteria, "criteria file") if criteria is not None else None
    plans = _criteria_settings(marks, criteria_frame, problems)
    existing = {
        _key(c.name): c for c in rubric.list_criteria(session=session, contest_id=contest_id)
    }
    locked = rubric.rubric_is_locked(session=session, contest_id=contest_id)
    criterion_key = keys["criterion"].to_numpy()
    for key, plan in plans.items():
        known = existing.get(key)
        if known is not None:
            plan.existing = known
            for attribute, label in (
                ("weight", "weight"),
                ("scale_min", "min"),
                ("scale_max", "max"),
                ("scale_step", "step"),
            ):
                given = getattr(plan, attribute)
                if given is not None and not math.isclose(given, getattr(known, attribute)):
                    problems.append(
                        f"criterion {plan.name!r} already exists with {label} "
                        f"{getattr(known, attribute):g}; the file says {given:g}."
                    )
                setattr(plan, attribute, getattr(known, attribute))
        elif locked:
            problems.append(
                f"criterion {plan.name!r} is not in the contest's rubric, and the rubric can no "
                f"longer change (judges have given marks)."
            )
        else:
            own = values[(criterion_key == key) & ~not_number]
            if len(own):
                _infer_scale(plan, own)
            if plan.weight is None:
                plan.weight = 1.0
            problems.extend(_new_criterion_problems(plan))
    if not problems:
        _check_scales(marks, values, criterion_key, plans, problems)

    adjustment_frame = _read_adjustments(adjustments, keys, problems) if adjustments else None

    round_ = next(
        (
            r
            for r in list_rounds(session=session, contest_id=contest_id)
            if _key(r.name) == _key(round_name)
        ),
        None,
    )
    held = 0
    if round_ is not None:
        held = _count(session, Mark, round_.id) + _count(session, Adjustment, round_.id)
        if round_.status == RoundStatus.LOCKED:
            problems.append(f"round {round_.name!r} is locked: its marks can no longer change.")
        elif held and not replace:
            problems.append(
                f"round {round_.name!r} already holds {held} marks and adjustments: import with "
                f"replace to replace them, or into a new round."
            )
    pitch_ids, pitch_problems, withdrawn = _match(
        session, Pitch, contest_id, marks["pitch"], lambda p: p.startup_name, "pitch"
    )
    judge_ids, judge_problems, _ = _match(
        session, Judge, contest_id, marks["judge"], lambda j: j.name, "judge"
    )
    problems += pitch_problems + judge_problems
    if problems:
        raise MarksImportError(problems)

    # --- everything checked: write ------------------------------------------------------------
    now = utcnow()
    round_created = round_ is None
    if round_ is None:
        round_ = create_round(session=session, contest_id=contest_id, name=round_name)
    replaced = 0
    if held:
        replaced = _count(session, Mark, round_.id)
        session.execute(delete(Mark).where(col(Mark.round_id) == round_.id))
        session.execute(delete(Adjustment).where(col(Adjustment.round_id) == round_.id))
    criteria_created = 0
    for plan in plans.values():
        if plan.existing is None:
            plan.existing = rubric.add_criterion(
                session=session,
                contest_id=contest_id,
                data=rubric.CriterionInput(
                    name=plan.name,
                    weight=float(plan.weight or 1.0),
                    scale_min=float(plan.scale_min or 0.0),
                    scale_max=float(plan.scale_max or 0.0),
                    scale_step=float(plan.scale_step or 1.0),
                ),
            )
            criteria_created += 1
    pitches_created = _create_missing(
        session,
        pitch_ids,
        lambda name: Pitch(
            contest_id=contest_id,
            startup_name=name,
            one_liner="",
            description=f"Imported with the marks of {round_.name}.",
            contact_email=IMPORTED_EMAIL,
            token_hash=token_hash(new_token()),
        ),
    )
    judges_created = _create_missing(
        session, judge_ids, lambda name: Judge(contest_id=contest_id, name=name)
    )
    criterion_rows = [_saved(plans[key]) for key in criterion_key]
    mark_rows = [
        {
            "round_id": round_.id,
            "judge_id": judge_ids[_key(judge)],
            "pitch_id": pitch_ids[_key(pitch)],
            "criterion_id": criterion.id,
            "scale_min": criterion.scale_min,
            "scale_max": criterion.scale_max,
            "value": float(value),
            "updated_at": now,
        }
        for pitch, judge, criterion, value in zip(
            marks["pitch"], marks["judge"], criterion_rows, values, strict=True
        )
    ]
    session.execute(insert(Mark), mark_rows)
    n_adjustments = 0
    if adjustment_frame is not None and len(adjustment_frame):
        session.execute(
            insert(Adjustment),
            [
                {
                    "round_id": round_.id,
                    "pitch_id": pitch_ids[_key(pitch)],
                    "name": name,
                    "points": float(points),
                    "reason": reason,
                    "created_at": now,
                }
                for pitch, name, points, reason in adjustment_frame.itertuples(index=False)
            ],
        )
        n_adjustments = len(adjustment_frame)
    audit.record(
        session,
        contest_id=contest.id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_.id,
        action="import",
        old={"marks": replaced} if replaced else None,
        new={
            "marks": len(mark_rows),
            "adjustments": n_adjustments,
            "source": _source_name(path_or_buffer),
        },
    )
    session.flush()
    warnings = [
        f"{name} is withdrawn: its marks are stored but left out of the results."
        for name in sorted(withdrawn)
    ]
    return ImportReport(
        contest_id=contest_id,
        round_id=int(round_.id or 0),
        round_name=round_.name,
        round_created=round_created,
        marks=len(mark_rows),
        adjustments=n_adjustments,
        pitches_created=pitches_created,
        judges_created=judges_created,
        criteria_created=criteria_created,
        marks_replaced=replaced,
        warnings=warnings,
    )


def _saved(plan: _CriterionPlan) -> Criterion:
    if plan.existing is None:  # pragma: no cover - every plan is saved before marks are written
        raise RuntimeError(f"criterion {plan.name!r} was not saved")
    return plan.existing


def _check_scales(marks, values, criterion_key, plans, problems) -> None:
    for key, plan in plans.items():
        rows = np.flatnonzero(criterion_key == key)
        own = values[rows]
        off = (own < plan.scale_min - 1e-9) | (own > plan.scale_max + 1e-9)
        off |= ~_on_grid(own, plan.scale_min, plan.scale_step)
        if off.any():
            problems.append(
                f"criterion {plan.name!r} is marked from {plan.scale_min:g} to "
                f"{plan.scale_max:g} in steps of {plan.scale_step:g}; these values are not on "
                f"that scale: "
                + ", ".join(f"line {row + 2}: {marks['value'].iloc[row]}" for row in rows[off][:10])
                + (f" and {int(off.sum()) - 10} more" if off.sum() > 10 else "")
                + "."
            )


def _read_adjustments(source: Source, keys: pd.DataFrame, problems: list[str]) -> pd.DataFrame:
    frame = _read(source, "adjustments file")
    missing = [c for c in ("pitch", "name", "points") if c not in frame.columns]
    if missing:
        problems.append(f"adjustments file: missing column(s) {', '.join(missing)}.")
        return frame.iloc[:0]
    reason = frame["reason"] if "reason" in frame.columns else pd.Series("", index=frame.index)
    result = pd.DataFrame(
        {
            "pitch": frame["pitch"].map(_clean_name),
            "name": frame["name"].map(_clean_name),
            "points": _numbers(frame["points"]),
            "reason": reason.map(_clean_name),
        }
    )
    pitches = set(keys["pitch"])
    unknown = ~result["pitch"].map(_key).isin(pitches)
    if unknown.any():
        problems.append(
            f"adjustments file: pitches without marks in the marks file on lines "
            f"{_lines(np.flatnonzero(unknown))}."
        )
    for label, bad in (
        ("points is not a number", result["points"].isna()),
        ("name is empty", result["name"] == ""),
        (f"name is longer than {NAME_LIMIT} characters", result["name"].str.len() > NAME_LIMIT),
        ("reason is longer than 500 characters", result["reason"].str.len() > 500),
    ):
        if bad.any():
            problems.append(f"adjustments file: {label} on lines {_lines(np.flatnonzero(bad))}.")
    return result


def _count(session: Session, model, round_id: int | None) -> int:
    return session.exec(
        select(func.count()).select_from(model).where(model.round_id == round_id)
    ).one()


def _match(session: Session, model, contest_id: int, names: pd.Series, name_of, what: str):
    """{name key: id or None (to create)}, problems (ambiguous names), withdrawn pitch names."""
    rows = session.exec(select(model).where(model.contest_id == contest_id)).all()
    by_key: dict[str, list] = {}
    for row in rows:
        by_key.setdefault(_key(name_of(row)), []).append(row)
    ids: dict[str, int | None] = {}
    problems, withdrawn = [], set()
    for name in dict.fromkeys(names):
        key = _key(name)
        if key in ids:
            continue
        found = by_key.get(key, [])
        if len(found) > 1:
            problems.append(
                f"{what} {name!r} matches {len(found)} {what} records of the contest: make "
                f"the names unique first."
            )
            continue
        ids[key] = found[0].id if found else None
        if found and getattr(found[0], "status", None) == PitchStatus.WITHDRAWN:
            withdrawn.add(name_of(found[0]))
    # Keep the file's spelling of new names.
    spelled = {_key(name): name for name in names}
    ids = {key: (value if value is not None else spelled[key]) for key, value in ids.items()}
    return ids, problems, withdrawn


def _create_missing(session: Session, ids: dict, make) -> int:
    """Create a row for each name still waiting for an id; `ids` is updated in place."""
    waiting = {key: make(value) for key, value in ids.items() if isinstance(value, str)}
    session.add_all(waiting.values())
    session.flush()
    for key, row in waiting.items():
        ids[key] = row.id
    return len(waiting)


def _source_name(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", "upload"))
