"""Checking the input frames and encoding them as integer codes and arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pitchjudge.scoring.errors import ScoringError

#: Columns of the leaderboard that a criterion or an adjustment may not be named after.
RESERVED = (
    "rank",
    "pitch",
    "judged_total",
    "adjustments",
    "total",
    "n_judges",
    "p_beats_next",
    "statistical_tie",
    "too_few_judges",
    "not_trimmed",
    "incomplete",
    "flags",
)
_SHOWN = 10


@dataclass
class Prepared:
    """Marks as arrays sorted by (pitch, criterion, value); labels in canonical order."""

    pitches: pd.Index
    judges: pd.Index
    criteria: pd.Index
    weights: np.ndarray
    pitch: np.ndarray
    judge: np.ndarray
    criterion: np.ndarray
    value: np.ndarray
    adjustment_names: list = field(default_factory=list)
    #: (pitches × adjustment names) sums of points.
    adjustments: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    #: pitch code → [(adjustment index, points), …] for exact recomputation.
    adjustment_rows: dict = field(default_factory=dict)
    _cells: tuple | None = field(default=None, repr=False)
    _table: tuple | None = field(default=None, repr=False)

    @property
    def n_pitches(self) -> int:
        return len(self.pitches)

    @property
    def n_judges(self) -> int:
        return len(self.judges)

    @property
    def n_criteria(self) -> int:
        return len(self.criteria)

    def pitch_slices(self) -> np.ndarray:
        """Start offsets of each pitch's rows (length n_pitches + 1)."""
        return np.searchsorted(self.pitch, np.arange(self.n_pitches + 1))

    def cell_table(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(pitch · n_judges + judge of each mark, marks per cell for every possible cell), or
        None when the pitch × judge table would be much larger than the marks."""
        if self._table is None:
            space = self.n_pitches * max(self.n_judges, 1)
            if space > 4 * len(self.pitch) + (1 << 20):
                self._table = ()
            else:
                key = self.pitch * max(self.n_judges, 1) + self.judge
                self._table = (key, np.bincount(key, minlength=space))
        return self._table or None

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        """(sorted distinct pitch × judge cells as pitch · n_judges + judge, cell of each mark).

        Computed once per round (the leaderboard, the judges' totals and "calibrated" share it).
        """
        if self._cells is None:
            key = self.pitch * max(self.n_judges, 1) + self.judge
            self._cells = distinct(key, self.n_pitches * max(self.n_judges, 1))
        return self._cells


def distinct(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(key, return_inverse=True)` for integer keys in [0, space), without a sort
    when the space is small (a table of which keys occur)."""
    if space <= 4 * len(key) + (1 << 20):
        present = np.zeros(space, dtype=bool)
        present[key] = True
        lookup = np.cumsum(present) - 1
        return np.flatnonzero(present), lookup[key]
    return np.unique(key, return_inverse=True)


def _value_order(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Row order by (group, value): one integer sort when the marks are whole, halves or
    quarters (scaling by 1, 2 or 4 is exact in binary), a two-key sort otherwise."""
    if len(values):
        low, high = float(values.min()), float(values.max())
        for factor in (1.0, 2.0, 4.0):
            scaled = values * factor
            span = (high - low) * factor + 1
            if span * max(n_groups, 1) < 2**62 and np.array_equal(scaled, np.floor(scaled)):
                key = group * int(span) + (scaled - low * factor).astype(np.int64)
                return np.argsort(key, kind="stable")
    return np.lexsort((values, group))


def _rows(frame: pd.DataFrame, mask: np.ndarray | pd.Series) -> str:
    labels = list(frame.index[np.asarray(mask, dtype=bool)])
    shown = ", ".join(str(label) for label in labels[:_SHOWN])
    more = f" and {len(labels) - _SHOWN} more" if len(labels) > _SHOWN else ""
    return f"{shown}{more}"


def _require(frame: object, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ScoringError(f"{name} must be a pandas DataFrame, not {type(frame).__name__}.")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ScoringError(
            f"{name} needs the columns {', '.join(columns)}; missing: {', '.join(missing)}."
        )
    return frame


#: The largest magnitude a mark, weight or point may have: far beyond any rubric, and small
#: enough that sums, squares and z-scores of thousands of them stay exact to the cent.
MAX_MAGNITUDE = 1e12


def _numbers(frame: pd.DataFrame, column: str, name: str) -> np.ndarray:
    series = frame[column]
    if series.dtype == np.float64:  # already numbers: no conversion pass
        values = series.to_numpy()
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        raise ScoringError(
            f"{name}: {column} must be a finite number; rows {_rows(frame, bad)} are not."
        )
    huge = np.abs(values) > MAX_MAGNITUDE
    if huge.any():
        raise ScoringError(
            f"{name}: {column} must lie between −{MAX_MAGNITUDE:.0e} and {MAX_MAGNITUDE:.0e}; "
            f"rows {_rows(frame, huge)} do not."
        )
    return values


def _no_missing_labels(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    for column in columns:
        missing = frame[column].isna().to_numpy()
        if missing.any():
            raise ScoringError(f"{name}: {column} is missing in rows {_rows(frame, missing)}.")


def canonical_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of `values` into their sorted distinct labels (mixed types sort by text)."""
    return _canonical(*pd.factorize(values, sort=False))


def _factorize(values: pd.Series) -> tuple[np.ndarray, object]:
    """`pd.factorize(values)`; integer ids in a compact range are coded through a table of
    which ids occur, already in sorted order (no hashing)."""
    if values.dtype.kind == "i" and len(values):
        array = values.to_numpy()
        low, high = int(array.min()), int(array.max())
        if high - low <= 4 * len(array) + (1 << 20):
            # Small non-negative ids (database keys) index the table as they are.
            base = 0 if low >= 0 and high <= 4 * len(array) + (1 << 20) else low
            key = array.astype(np.int64, copy=False)
            present, codes = distinct(key - base if base else key, high - base + 1)
            return codes, (present + base).astype(array.dtype, copy=False)
    return pd.factorize(values, sort=False)


def _arrow_codes(column: pd.Series, names: list) -> np.ndarray | None:
    """Each mark's criterion as its row in `names`, in one Arrow pass, when the column is Arrow
    text (pandas' default string storage) and every label is present and listed; else None."""
    if getattr(column.dtype, "storage", None) != "pyarrow" or not all(
        isinstance(name, str) for name in names
    ):
        return None
    import pyarrow as pa  # present: the column is stored in it
    import pyarrow.compute as pc

    try:
        arrow = column.array.__arrow_array__()
        found = pc.index_in(arrow, value_set=pa.array(names, type=arrow.type))
    except (pa.ArrowException, TypeError, ValueError, AttributeError):
        return None  # another Arrow type (dictionary, binary …): the long way
    if found.null_count:  # a missing label, or one not in `names`: named by the long way
        return None
    return found.to_numpy().astype(np.int64, copy=False)


def _canonical(codes: np.ndarray, uniques) -> tuple[np.ndarray, pd.Index]:
    """`canonical_codes` from a `pd.factorize` result (codes ≥ 0)."""
    if uniques.dtype.kind in "iuf":  # numbers (ids): numpy sorts them as Python would
        order = np.argsort(np.asarray(uniques), kind="stable")
        if (order == np.arange(len(order))).all():  # already in order (ids coded by table)
            return codes.astype(np.int64, copy=False), pd.Index(uniques, dtype=uniques.dtype)
        remap = np.empty(len(uniques), dtype=np.int64)
        remap[order] = np.arange(len(uniques))
        return remap[codes], pd.Index(np.asarray(uniques)[order], dtype=uniques.dtype)
    labels = uniques.tolist()
    try:
        order = sorted(range(len(labels)), key=lambda k: labels[k])
    except TypeError:
        order = sorted(range(len(labels)), key=lambda k: (type(labels[k]).__name__, str(labels[k])))
    remap = np.empty(len(labels), dtype=np.int64)
    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(labels))
    return remap[codes], pd.Index([labels[k] for k in order], dtype=uniques.dtype)


def prepare(
    marks: pd.DataFrame, criteria: pd.DataFrame, adjustments: pd.DataFrame | None = None
) -> Prepared:
    """Check the frames (ScoringError naming the bad rows) and encode them."""
    marks = _require(marks, "marks", ("pitch", "judge", "criterion", "value"))
    criteria = _require(criteria, "criteria", ("criterion", "weight"))
    # One pass per label column (integer ids: a table, no hashing); a missing label is −1.
    factorized = {c: _factorize(marks[c]) for c in ("pitch", "judge")}
    names = criteria["criterion"].tolist()
    criterion_code = _arrow_codes(marks["criterion"], names)
    if criterion_code is None:  # not Arrow text, or a label missing or unknown: the long way
        factorized["criterion"] = _factorize(marks["criterion"])
    for column, (codes, _) in factorized.items():
        if (codes < 0).any():
            raise ScoringError(f"marks: {column} is missing in rows {_rows(marks, codes < 0)}.")
    if pd.isna(np.asarray(names, dtype=object)).any():
        _no_missing_labels(criteria, ("criterion",), "criteria")
    values = _numbers(marks, "value", "marks")

    if len(set(names)) < len(names):
        duplicated_criteria = criteria["criterion"].duplicated(keep=False).to_numpy()
        raise ScoringError(
            f"criteria: a criterion is listed twice (rows {_rows(criteria, duplicated_criteria)})."
        )
    weights = _numbers(criteria, "weight", "criteria")
    if (weights <= 0).any():
        raise ScoringError(
            f"criteria: weights must be more than 0 (rows {_rows(criteria, weights <= 0)})."
        )
    criterion_index = pd.Index(names)

    if criterion_code is None:
        # Factorise first (one hash pass), then look the few distinct names up in the table.
        named, distinct = factorized["criterion"]
        criterion_code = criterion_index.get_indexer(distinct)[named]
    unknown = criterion_code < 0
    if unknown.any():
        names = sorted({str(v) for v in marks["criterion"][unknown]})
        raise ScoringError(
            f"marks: criteria {', '.join(names)} are not in the criteria table "
            f"(rows {_rows(marks, unknown)})."
        )
    pitch_code, pitches = _canonical(*factorized["pitch"])
    judge_code, judges = _canonical(*factorized["judge"])
    n_c = len(criterion_index)
    group = pitch_code * n_c + criterion_code
    order = _value_order(values, group, len(pitches) * n_c)
    sorted_values = values[order] + 0.0  # + 0.0: no negative zero
    _check_bounds(marks, criteria, values, criterion_code)
    scorecard = pitch_code * max(len(judges), 1) + judge_code
    repeated, table = _repeats(scorecard, criterion_code, len(pitches) * max(len(judges), 1), n_c)
    if repeated:
        cell = scorecard * n_c + criterion_code
        duplicated = pd.Series(cell).duplicated(keep=False).to_numpy()
        raise ScoringError(
            f"marks: a judge marked the same criterion of the same pitch twice "
            f"(rows {_rows(marks, duplicated)})."
        )
    prepared = Prepared(
        pitches=pitches,
        judges=judges,
        criteria=criterion_index,
        weights=weights,
        pitch=pitch_code[order],
        judge=judge_code[order],
        criterion=criterion_code[order].astype(np.int64, copy=False),
        value=sorted_values,
        adjustments=np.zeros((len(pitches), 0)),
        _table=(scorecard[order], table) if table is not None else None,
    )
    if adjustments is not None:
        _add_adjustments(prepared, adjustments)
    _check_names(prepared)
    return prepared


def _repeats(
    scorecard: np.ndarray, criterion: np.ndarray, space: int, n_criteria: int
) -> tuple[bool, np.ndarray | None]:
    """(whether a judge marked a criterion of a pitch twice, marks per scorecard or None).

    `scorecard` numbers each (pitch, judge) pair in [0, space). When that table is small,
    each scorecard sums 2^criterion over its marks: distinct criteria add without a carry, so
    the sum has one bit per mark; a repeat carries and leaves fewer bits than marks (exact in
    floating point: at most `n_criteria` ≤ 40 marks of value < 2^40). Otherwise, a sort.
    """
    if n_criteria <= 40 and space <= 4 * len(scorecard) + (1 << 20):
        count = np.bincount(scorecard, minlength=space)
        if (count > n_criteria).any():
            return True, count
        powers = np.exp2(np.arange(n_criteria))[criterion]
        bits = np.bincount(scorecard, weights=powers, minlength=space)
        return bool((np.bitwise_count(bits.astype(np.int64)) != count).any()), count
    cell = np.sort(scorecard * n_criteria + criterion, kind="stable")
    return bool(len(cell) > 1 and (cell[1:] == cell[:-1]).any()), None


def _check_bounds(
    marks: pd.DataFrame, criteria: pd.DataFrame, values: np.ndarray, criterion_code: np.ndarray
) -> None:
    """Every mark within its criterion's min and max (NaN limits: no limit)."""
    if not len(values):
        return
    lowest, highest = float(values.min()), float(values.max())
    for bound, outside, extreme in (("min", np.less, lowest), ("max", np.greater, highest)):
        if bound not in criteria.columns:
            continue
        column = criteria[bound]
        if column.dtype.kind in "fiu":  # numbers already: no conversion pass
            limit = column.to_numpy(dtype=float)
        else:
            limit = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        if not outside(extreme, limit).any():  # every mark within every criterion's limit
            continue
        off = outside(values, limit[criterion_code])  # NaN limit: False
        if off.any():
            where = "below the minimum" if bound == "min" else "above the maximum"
            raise ScoringError(
                f"marks: values {where} of their criterion in rows {_rows(marks, off)}."
            )


def _add_adjustments(prepared: Prepared, adjustments: pd.DataFrame) -> None:
    adjustments = _require(adjustments, "adjustments", ("pitch", "name", "points"))
    _no_missing_labels(adjustments, ("pitch", "name"), "adjustments")
    points = _numbers(adjustments, "points", "adjustments")
    pitch_code = prepared.pitches.get_indexer(adjustments["pitch"])
    names = list(dict.fromkeys(adjustments["name"].tolist()))
    try:
        names.sort()
    except TypeError:
        names.sort(key=str)
    name_code = pd.Index(names).get_indexer(adjustments["name"])
    known = pitch_code >= 0  # adjustments of pitches without marks are ignored
    table = np.zeros((prepared.n_pitches, len(names)))
    np.add.at(table, (pitch_code[known], name_code[known]), points[known])
    rows: dict[int, list[tuple[int, float]]] = {}
    for p, a, v in zip(pitch_code[known], name_code[known], points[known], strict=True):
        rows.setdefault(int(p), []).append((int(a), float(v)))
    prepared.adjustment_names = names
    prepared.adjustments = table
    prepared.adjustment_rows = rows


def _check_names(prepared: Prepared) -> None:
    criteria = [str(c) for c in prepared.criteria.tolist()]
    adjustments = [str(a) for a in prepared.adjustment_names]
    clashes = sorted(set(criteria + adjustments) & set(RESERVED))
    if clashes:
        raise ScoringError(
            f"Criteria and adjustments cannot be called {', '.join(clashes)}: the leaderboard "
            f"uses these column names."
        )
    both = sorted(set(criteria) & set(adjustments))
    if both:
        raise ScoringError(
            f"{', '.join(both)} is both a criterion and an adjustment: rename one of them."
        )
