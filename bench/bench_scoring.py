"""Results-engine figures: leaderboards of 40,000 and 400,000 marks next to the time to read
those marks from a SQLite database, and the uncertainty figures of a 20-pitch × 12-judge final.

Run: .venv/bin/python bench/bench_scoring.py   — prints figures (best of 3), asserts nothing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlmodel import select  # noqa: E402

from pitchjudge.db import make_engine, migrate, session_scope  # noqa: E402
from pitchjudge.models import Judge, Mark, Pitch, utcnow  # noqa: E402
from pitchjudge.scoring import AggregationRule, leaderboard, uncertainty  # noqa: E402
from pitchjudge.security import token_hash  # noqa: E402
from pitchjudge.services import contests, results, rubric  # noqa: E402

N_CRITERIA = 8
JUDGES_PER_PITCH = 5
JUDGE_POOL = 60
METHODS = ("mean", "trimmed", "median", "calibrated", "zscore")


def best_of(runs: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def build_round(engine, n_pitches: int, seed: int) -> int:
    """A contest with one round of n_pitches × 5 judges (of 60) × 8 criteria, via the models."""
    rng = np.random.default_rng(seed)
    now = utcnow()
    with session_scope(engine) as session:
        contest = contests.create_contest(
            session=session, data=contests.ContestInput(name=f"Bench {n_pitches}", language="en")
        )
        round_ = contests.create_round(session=session, contest_id=contest.id, name="Pre-selection")
        criteria = [
            rubric.add_criterion(
                session=session,
                contest_id=contest.id,
                data=rubric.CriterionInput(
                    name=f"Criterion {c + 1}", weight=float(c % 3 + 1), scale_min=1, scale_max=10
                ),
            )
            for c in range(N_CRITERIA)
        ]
        session.execute(
            insert(Judge),
            [
                {"contest_id": contest.id, "name": f"Judge {j}", "created_at": now}
                for j in range(JUDGE_POOL)
            ],
        )
        session.execute(
            insert(Pitch),
            [
                {
                    "contest_id": contest.id,
                    "startup_name": f"Startup {p}",
                    "one_liner": "",
                    "contact_email": "bench@invalid.example",
                    "token_hash": token_hash(f"bench-{n_pitches}-{p}"),
                    "status": "submitted",
                    "created_at": now,
                    "updated_at": now,
                }
                for p in range(n_pitches)
            ],
        )
        session.flush()
        judge_ids = session.exec(select(Judge.id).where(Judge.contest_id == contest.id)).all()
        pitch_ids = session.exec(select(Pitch.id).where(Pitch.contest_id == contest.id)).all()
        quality = rng.normal(5.5, 1.5, n_pitches)
        leniency = rng.normal(0, 1, JUDGE_POOL)
        rows = []
        for p, pitch_id in enumerate(pitch_ids):
            for j in rng.choice(JUDGE_POOL, JUDGES_PER_PITCH, replace=False):
                marks = np.clip(
                    np.rint(quality[p] + leniency[j] + rng.normal(0, 1, N_CRITERIA)), 1, 10
                )
                rows.extend(
                    {
                        "round_id": round_.id,
                        "judge_id": judge_ids[j],
                        "pitch_id": pitch_id,
                        "criterion_id": criterion.id,
                        "scale_min": 1.0,
                        "scale_max": 10.0,
                        "value": float(mark),
                        "updated_at": now,
                    }
                    for criterion, mark in zip(criteria, marks, strict=True)
                )
        for start in range(0, len(rows), 50_000):
            session.execute(insert(Mark), rows[start : start + 50_000])
        return round_.id


def leaderboards(engine, n_pitches: int) -> None:
    round_id = build_round(engine, n_pitches, seed=n_pitches)
    frames: dict[str, pd.DataFrame] = {}

    def read() -> None:
        with session_scope(engine, read_only=True) as session:
            frames["marks"], frames["criteria"], frames["adjustments"] = results.round_marks(
                session=session, round_id=round_id
            )

    read_time = best_of(3, read)
    n_marks = len(frames["marks"])
    print(
        f"\n{n_marks:,} marks ({n_pitches:,} pitches × {JUDGES_PER_PITCH} judges of "
        f"{JUDGE_POOL} × {N_CRITERIA} criteria)"
    )
    print(f"  read from SQLite into a DataFrame (round_marks)   {read_time * 1000:8.0f} ms")
    for method in METHODS:
        rule = AggregationRule(method=method)
        seconds = best_of(
            3,
            lambda rule=rule: leaderboard(
                frames["marks"], frames["criteria"], rule, frames["adjustments"]
            ),
        )
        print(f"  leaderboard, {method:<10}                         {seconds * 1000:8.0f} ms")


def final_uncertainty() -> None:
    rng = np.random.default_rng(1)
    n_pitches, n_judges = 20, 12
    quality = rng.normal(6, 1.2, n_pitches)
    leniency = rng.normal(0, 0.7, n_judges)
    marks = pd.DataFrame(
        [
            (
                p,
                j,
                f"C{c}",
                float(np.clip(np.rint(quality[p] + leniency[j] + rng.normal(0, 0.8)), 1, 10)),
            )
            for p in range(n_pitches)
            for j in range(n_judges)
            for c in range(N_CRITERIA)
        ],
        columns=["pitch", "judge", "criterion", "value"],
    )
    criteria = pd.DataFrame({"criterion": [f"C{c}" for c in range(N_CRITERIA)], "weight": 1.0})
    holes = marks[~((marks.pitch < 3) & (marks.judge < 2))]  # conflicts of interest
    print(
        f"\nUncertainty of a final: {n_pitches} pitches × {n_judges} judges × {N_CRITERIA} "
        f"criteria, 400 posterior draws"
    )
    for method in METHODS:
        rule = AggregationRule(method=method)
        complete = best_of(3, lambda rule=rule: uncertainty(marks, criteria, rule))
        partial = best_of(3, lambda rule=rule: uncertainty(holes, criteria, rule))
        print(
            f"  {method:<10} complete panel {complete * 1000:6.0f} ms   "
            f"with 6 conflicts {partial * 1000:6.0f} ms   (live refresh budget 2,000 ms)"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        migrate(engine)
        for n_pitches in (1_000, 10_000):
            leaderboards(engine, n_pitches)
        engine.dispose()
    final_uncertainty()


if __name__ == "__main__":
    main()
