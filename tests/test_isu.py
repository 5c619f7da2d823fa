"""Real data: the engine reproduces every published ISU figure skating result of 2016-17.

Data: BuzzFeed News, "figure-skating-scores" (Jeremy Singer-Vine and John Templon), extracted
into shared/datasets/isu-figure-skating-2016-17; licensed CC BY 4.0 — this attribution must
stay wherever the data or results derived from them are shown.

Configured with the ISU Judging System's rule (as in force 2016-18, see the data set's
README), `leaderboard` — the function the app's results pages call — must give all 8,630
published panel marks, all 1,726 component scores and all 152 segment rankings exactly.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pitchjudge.scoring import AggregationRule, leaderboard

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "isu-figure-skating-2016-17"
FILES = ("pcs_judge_marks.csv", "pcs_published_panel.csv", "performances.csv")

pytestmark = pytest.mark.skipif(
    not all((DATA / name).exists() for name in FILES),
    reason=f"the ISU data set is not at {DATA} (it ships in the shared/ folder beside the repo)",
)

#: The ISU rule: trimmed mean (drop the single highest and lowest mark, with 8 judges too),
#: panel mark and weighted component rounded half-up to 2 decimals, total to 2 decimals.
ISU_RULE = AggregationRule(
    method="trimmed",
    trim=1,
    min_judges_to_trim=3,
    decimals=2,
    round_criteria=True,
    round_weighted=True,
    round_total=True,
)
TECHNICAL = "Technical elements"
DEDUCTIONS = "Deductions"


def isu_rule(program: str) -> AggregationRule:
    """Ties: element score first in short programs and rhythm dances, else component score."""
    short = "SHORT" in program or "RHYTHM" in program
    return ISU_RULE.replace(tie_break=[f"adjustment:{TECHNICAL}" if short else "judged_total"])


@pytest.fixture(scope="module")
def isu():
    marks = pd.read_csv(DATA / "pcs_judge_marks.csv")
    published = pd.read_csv(DATA / "pcs_published_panel.csv")
    performances = pd.read_csv(DATA / "performances.csv")
    segments = performances.set_index("performance_id")[["competition", "program"]]
    marks = marks.join(segments, on="performance_id")
    return marks, published, performances


def segment_inputs(marks: pd.DataFrame, performances: pd.DataFrame):
    """The engine's three frames for one segment (one ranked competition)."""
    criteria = (
        marks.groupby("component", as_index=False)["factor"]
        .first()
        .rename(columns={"component": "criterion", "factor": "weight"})
    )
    judge_marks = marks.rename(
        columns={"performance_id": "pitch", "component": "criterion", "mark": "value"}
    )[["pitch", "judge", "criterion", "value"]]
    adjustments = pd.concat(
        [
            pd.DataFrame(
                {
                    "pitch": performances["performance_id"],
                    "name": TECHNICAL,
                    "points": performances["total_element_score"],
                }
            ),
            pd.DataFrame(
                {
                    "pitch": performances["performance_id"],
                    "name": DEDUCTIONS,
                    "points": -performances["total_deductions"],
                }
            ),
        ]
    )
    return judge_marks, criteria, adjustments


def boards(isu, method: str = "trimmed"):
    """(program, leaderboard indexed by performance, the published performances) by segment."""
    marks, _, performances = isu
    by_segment = performances.groupby(["competition", "program"])
    for (competition, program), segment_marks in marks.groupby(["competition", "program"]):
        published = by_segment.get_group((competition, program)).set_index("performance_id")
        rule = isu_rule(program).replace(method=method)
        judge_marks, criteria, adjustments = segment_inputs(segment_marks, published.reset_index())
        board = leaderboard(judge_marks, criteria, rule, adjustments).set_index("pitch")
        yield program, board, published.reindex(board.index)


def test_every_published_result_is_reproduced(isu):
    _, published_panel, performances = isu
    panel = published_panel.set_index(["performance_id", "component"])["published_panel_mark"]
    checked = {"panel marks": 0, "component scores": 0, "segment scores": 0, "rankings": 0}
    wrong: dict[str, list] = {name: [] for name in checked}
    for _program, board, published in boards(isu):
        for component in board.columns.intersection(published_panel["component"].unique()):
            expected = panel.xs(component, level="component").reindex(board.index)
            got = board[component]
            checked["panel marks"] += int(got.notna().sum())
            wrong["panel marks"] += list(board.index[got != expected])
        checked["component scores"] += len(board)
        wrong["component scores"] += list(
            board.index[board["judged_total"] != published["total_component_score"]]
        )
        checked["segment scores"] += len(board)
        wrong["segment scores"] += list(
            board.index[board["total"] != published["total_segment_score"]]
        )
        checked["rankings"] += 1
        if list(board["rank"]) != list(published["published_rank"]):
            wrong["rankings"].append(published["competition"].iloc[0])
    assert checked == {
        "panel marks": 8630,
        "component scores": 1726,
        "segment scores": 1726,
        "rankings": 152,
    }
    assert {name: items[:5] for name, items in wrong.items() if items} == {}
    assert len(performances) == 1726


def test_the_data_tell_the_rules_apart(isu):
    """The data set's README: plain means change 94 placements (3 winners), medians 174 (4)."""
    changes = {}
    for method in ("mean", "median"):
        placements = winners = 0
        for _program, board, published in boards(isu, method):
            differs = board["rank"].astype(int) != published["published_rank"]
            placements += int(differs.sum())
            winners += bool(((board["rank"] == 1) != (published["published_rank"] == 1)).any())
        changes[method] = (placements, winners)
    assert changes == {"mean": (94, 3), "median": (174, 4)}
