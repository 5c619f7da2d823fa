"""Marks in and out of the database: CSV import, then the round's leaderboard."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from sqlmodel import func, select

from pitchjudge.db import session_scope
from pitchjudge.errors import NotFound, ValidationError
from pitchjudge.models import AuditEvent, Criterion, Judge, Mark, Pitch, PitchStatus, Round
from pitchjudge.scoring import AggregationRule, leaderboard
from pitchjudge.services import contests, results
from pitchjudge.services.imports import MarksImportError, import_marks_csv

MARKS_CSV = """pitch,judge,criterion,value
Kelvio,Ana Dupont,Team,4
Kelvio,Ana Dupont,Market,3.5
Kelvio,Bo Li,Team,5
Kelvio,Bo Li,Market,4
Kelvio,Chloé Martin,Team,4
Kelvio,Chloé Martin,Market,4.5
Solaro,Ana Dupont,Team,3
Solaro,Ana Dupont,Market,4
Solaro,Bo Li,Team,4
Solaro,Bo Li,Market,5
Hydrix,Bo Li,Team,2.5
Hydrix,Bo Li,Market,3
Hydrix,Chloé Martin,Team,3
Hydrix,Chloé Martin,Market,2
Hydrix,Dan Roy,Team,4
Hydrix,Dan Roy,Market,3.5
Solaro,Dan Roy,Team,4.5
Solaro,Dan Roy,Market,4
Ventix,Ana Dupont,Team,4
Ventix,Ana Dupont,Market,4
Ventix,Dan Roy,Team,5
Ventix,Dan Roy,Market,5
"""
CRITERIA_CSV = """criterion,weight,min,max,step
Team,2,1,5,0.5
Market,1.5,1,5,0.5
"""
ADJUSTMENTS_CSV = """pitch,name,points,reason
Kelvio,Overtime,-0.5,40 s over
Ventix,Audience prize,1,
"""
RULES = [
    AggregationRule(),
    AggregationRule(method="trimmed", min_judges_to_trim=3, round_criteria=True),
    AggregationRule(method="calibrated", tie_break=["criterion:Team"]),
    AggregationRule(method="median", decimals=1, round_weighted=True),
]


def new_contest(engine, name: str = "Prix 2026") -> int:
    with session_scope(engine) as session:
        return contests.create_contest(
            session=session, data=contests.ContestInput(name=name, language="en")
        ).id


def text(csv: str) -> io.StringIO:
    return io.StringIO(csv)


def frames():
    """The raw CSV files as the engine's frames."""
    marks = pd.read_csv(text(MARKS_CSV))
    criteria = pd.read_csv(text(CRITERIA_CSV))
    adjustments = pd.read_csv(text(ADJUSTMENTS_CSV))[["pitch", "name", "points"]]
    return marks, criteria, adjustments


def do_import(engine, contest_id: int, round_name: str = "Final", **kwargs):
    kwargs.setdefault("criteria", text(CRITERIA_CSV))
    kwargs.setdefault("adjustments", text(ADJUSTMENTS_CSV))
    with session_scope(engine) as session:
        return import_marks_csv(
            session=session,
            contest_id=contest_id,
            round_name=round_name,
            path_or_buffer=kwargs.pop("marks", text(MARKS_CSV)),
            **kwargs,
        )


def counts(engine) -> dict[str, int]:
    with session_scope(engine, read_only=True) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Round, Judge, Pitch, Criterion, Mark)
        }


@pytest.mark.parametrize("rule", RULES, ids=[r.method for r in RULES])
def test_imported_round_scores_like_the_csv_itself(engine, rule):
    contest_id = new_contest(engine)
    report = do_import(engine, contest_id)
    assert (report.marks, report.adjustments, report.round_created) == (22, 2, True)
    assert (report.pitches_created, report.judges_created, report.criteria_created) == (4, 4, 2)
    assert report.summary() == (
        f"Imported 22 marks and 2 adjustment(s) into round 'Final' (id {report.round_id}, new); "
        f"created 4 pitch(es), 4 judge(s), 2 criterion(a)."
    )
    with session_scope(engine, read_only=True) as session:
        board = results.round_leaderboard(session=session, round_id=report.round_id, rule=rule)
    expected = leaderboard(*frames()[:2], rule, frames()[2])
    from_db = board.drop(columns="pitch").rename(columns={"startup_name": "pitch"})
    pd.testing.assert_frame_equal(
        from_db[expected.columns].reset_index(drop=True), expected, check_dtype=False
    )


def test_round_marks_reads_ids_names_and_floats(engine):
    contest_id = new_contest(engine)
    report = do_import(engine, contest_id)
    with session_scope(engine, read_only=True) as session:
        marks, criteria, adjustments = results.round_marks(
            session=session, round_id=report.round_id
        )
        pitch_names = dict(session.exec(select(Pitch.id, Pitch.startup_name)).all())
    assert list(marks.columns) == ["pitch", "judge", "criterion", "value"]
    assert len(marks) == 22 and marks["value"].dtype == np.float64
    assert marks["pitch"].dtype == np.int64 and marks["judge"].dtype == np.int64
    assert set(marks["criterion"]) == {"Team", "Market"}
    assert criteria[["criterion", "weight", "min", "max", "step"]].values.tolist() == [
        ["Team", 2.0, 1.0, 5.0, 0.5],
        ["Market", 1.5, 1.0, 5.0, 0.5],
    ]
    assert sorted((pitch_names[p], n, v) for p, n, v in adjustments.itertuples(index=False)) == [
        ("Kelvio", "Overtime", -0.5),
        ("Ventix", "Audience prize", 1.0),
    ]


def test_the_rounds_stored_rule_is_used_and_withdrawn_pitches_are_left_out(engine):
    contest_id = new_contest(engine)
    report = do_import(engine, contest_id)
    rule = AggregationRule(method="median", decimals=1)
    with session_scope(engine) as session:
        round_ = session.get(Round, report.round_id)
        round_.rule = rule.to_dict()
        session.add(round_)
        kelvio = session.exec(select(Pitch).where(Pitch.startup_name == "Kelvio")).one()
        kelvio.status = PitchStatus.WITHDRAWN
        session.add(kelvio)
    with session_scope(engine, read_only=True) as session:
        assert results.round_rule(session=session, round_id=report.round_id) == rule
        board = results.round_leaderboard(session=session, round_id=report.round_id)
    marks, criteria, adjustments = frames()
    expected = leaderboard(
        marks[marks.pitch != "Kelvio"], criteria, rule, adjustments[adjustments.pitch != "Kelvio"]
    )
    assert list(board["startup_name"]) == list(expected["pitch"])
    assert list(board["total"]) == list(expected["total"])
    again = do_import(engine, contest_id, "Final replay")
    assert again.warnings == [
        "Kelvio is withdrawn: its marks are stored but left out of the results."
    ]


def test_a_second_import_reuses_names_and_replace_is_explicit(engine):
    contest_id = new_contest(engine)
    first = do_import(engine, contest_id)
    shouted = MARKS_CSV.replace("Ana Dupont", "ANA  dupont").replace("Kelvio", "kelvio")
    second = do_import(
        engine, contest_id, "Grand final", marks=text(shouted), criteria=None, adjustments=None
    )
    assert (second.pitches_created, second.judges_created, second.criteria_created) == (0, 0, 0)
    assert second.round_id != first.round_id
    before = counts(engine)
    with pytest.raises(MarksImportError, match="already holds 24 marks and adjustments"):
        do_import(engine, contest_id, "final")
    assert counts(engine) == before
    replaced = do_import(engine, contest_id, "Final", replace=True)
    assert replaced.round_id == first.round_id and replaced.marks_replaced == 22
    assert counts(engine) == before
    with session_scope(engine, read_only=True) as session:
        actions = session.exec(
            select(AuditEvent.action).where(
                AuditEvent.entity == "round", AuditEvent.action == "import"
            )
        ).all()
    assert len(actions) == 3


BAD_MARKS = """pitch,judge,criterion,value
Kelvio,Ana,Team,4
Kelvio,Ana,Team,5
Kelvio,Bo,Team,6
Kelvio,Bo,Market,high
Kelvio,Chloé,Market,4.2
,Chloé,Team,3
"""


def test_bad_rows_are_all_listed_and_nothing_is_written(engine):
    contest_id = new_contest(engine)
    before = counts(engine)
    with pytest.raises(MarksImportError) as caught:
        do_import(engine, contest_id, marks=text(BAD_MARKS), adjustments=None)
    error = caught.value
    assert isinstance(error, ValidationError)
    problems = "\n".join(error.problems)
    assert "pitch is empty on lines 7" in problems
    assert "value is not a number on lines 5" in problems
    assert "more than once, on lines 2, 3" in problems
    assert str(error).startswith("Nothing was imported: the file has 3 problem(s).")
    assert counts(engine) == before

    with pytest.raises(MarksImportError) as caught:
        do_import(
            engine,
            contest_id,
            marks=text(
                BAD_MARKS.replace("high", "4")
                .replace("Kelvio,Ana,Team,5\n", "")
                .replace(",Chloé,Team,3", "Solaro,Chloé,Team,3")
            ),
            adjustments=None,
        )
    assert caught.value.problems == [
        "criterion 'Team' is marked from 1 to 5 in steps of 0.5; these values are not on that "
        "scale: line 3: 6.",
        "criterion 'Market' is marked from 1 to 5 in steps of 0.5; these values are not on "
        "that scale: line 5: 4.2.",
    ]
    assert counts(engine) == before

    with pytest.raises(MarksImportError, match=r"missing column\(s\) value"):
        do_import(engine, contest_id, marks=text("pitch,judge,criterion\nA,B,C\n"))
    with pytest.raises(
        MarksImportError, match="pitches without marks in the marks file on lines 4"
    ):
        do_import(engine, contest_id, adjustments=text(ADJUSTMENTS_CSV + "Ghost,Bonus,1,\n"))
    assert counts(engine) == before


def test_new_criteria_take_a_scale_from_their_marks_and_french_csv_is_read(engine):
    contest_id = new_contest(engine)
    french = (
        "\ufeffpitch;judge;criterion;value\n"
        "Kelvio;Ana;Équipe;7,5\nKelvio;Bo;Équipe;9\nSolaro;Ana;Équipe;6\n"
    )
    report = do_import(
        engine,
        contest_id,
        marks=io.BytesIO(french.encode("utf-8")),
        criteria=None,
        adjustments=None,
    )
    assert report.marks == 3
    with session_scope(engine, read_only=True) as session:
        criterion = session.exec(select(Criterion).where(Criterion.contest_id == contest_id)).one()
        board = results.round_leaderboard(
            session=session, round_id=report.round_id, rule=AggregationRule(min_judges=1)
        )
    assert (criterion.name, criterion.weight) == ("Équipe", 1.0)
    assert (criterion.scale_min, criterion.scale_max, criterion.scale_step) == (1.0, 9.0, 0.5)
    assert list(board["startup_name"]) == ["Kelvio", "Solaro"]
    assert list(board["total"]) == [8.25, 6.0]


def test_import_refuses_a_locked_rubric_and_an_unknown_contest(engine):
    contest_id = new_contest(engine)
    do_import(engine, contest_id)
    with pytest.raises(MarksImportError, match="not in the contest's rubric"):
        do_import(
            engine,
            contest_id,
            "Other",
            marks=text(MARKS_CSV.replace("Market", "Impact")),
            criteria=None,
            adjustments=None,
        )
    with pytest.raises(MarksImportError, match="already exists with weight 2; the file says 3"):
        do_import(
            engine, contest_id, "Other", criteria=text(CRITERIA_CSV.replace("Team,2", "Team,3"))
        )
    with pytest.raises(NotFound):
        do_import(engine, contest_id + 999)


def test_round_statistics_name_pitches_and_judges(engine):
    contest_id = new_contest(engine)
    report = do_import(engine, contest_id)
    with session_scope(engine, read_only=True) as session:
        sure = results.round_uncertainty(session=session, round_id=report.round_id)
        judges = results.round_judge_statistics(session=session, round_id=report.round_id)
        panel = results.round_agreement(session=session, round_id=report.round_id)
    assert sorted(sure["startup_name"]) == ["Hydrix", "Kelvio", "Solaro", "Ventix"]
    assert set(sure["approach"]) == {"model"}
    assert sorted(judges["name"]) == ["Ana Dupont", "Bo Li", "Chloé Martin", "Dan Roy"]
    assert list(judges["n_marks"].sort_values()) == [4, 6, 6, 6]
    assert list(panel["scope"]) == ["total", "Team", "Market"]
    assert not panel["complete"].any()


def test_decision_lines_and_design_strength_from_the_services(engine):
    contest_id = new_contest(engine)
    report = do_import(engine, contest_id)
    with session_scope(engine, read_only=True) as session:
        sure = results.round_uncertainty(session=session, round_id=report.round_id)
        lines = results.round_decision_lines(session=session, round_id=report.round_id)
        design = results.round_design(session=session, round_id=report.round_id)
    assert list(lines["line"]) == ["winner", "podium"]  # no promotion made yet
    winner = lines.set_index("line").loc["winner"]
    assert {winner["above_name"], winner["below_name"]} == set(sure["startup_name"][:2])
    # Flags only either side of a line whose P is below the rule's tie probability.
    expected = set()
    for row in lines.itertuples():
        if row.too_close:
            expected |= {row.above, row.below}
    assert set(sure.loc[sure["too_close_to_call"], "pitch"]) == expected
    # Four judges on overlapping panels: connected, and linked well enough.
    assert design.connected and not design.weak and design.connectivity > 0
