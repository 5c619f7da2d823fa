"""The organiser's analytics: services on SQLite and PostgreSQL, charts, and the page."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sqlmodel import select

from pitchjudge.analytics_charts import heatmap_figure, leniency_figure, rank_range_figure
from pitchjudge.db import session_scope
from pitchjudge.formatting import escape_markdown
from pitchjudge.models import Adjustment, Criterion, Judge, Pitch, Round
from pitchjudge.scoring.deviations import mark_outliers, total_deviations
from pitchjudge.scoring.statistics import judge_thresholds
from pitchjudge.services import analytics, judges, scoring
from tests.apptest_support import run_page, texts
from tests.factories import make_judging

HOSTILE_STARTUP = "<img src=x onerror=alert(1)>**bold**"
HOSTILE_JUDGE = "حَكَم <b>x</b> [link](javascript:alert(1))"

# Criteria of the classic rubric, in order, with their weights.
WEIGHTS = [20, 20, 20, 15, 15, 10]
# Pitch quality (the mark every fair judge gives on every criterion).
QUALITY = [2, 4, 3, 3]


def give(engine, w, judge_index, pitch_index, values):
    """One judge's marks of one pitch, one value per criterion (or one value for all)."""
    if not isinstance(values, list | tuple):
        values = [values] * len(w["criteria"])
    with session_scope(engine) as session:
        for criterion, value in zip(w["criteria"], values, strict=True):
            scoring.save_mark(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][judge_index],
                pitch_id=w["pitches"][pitch_index],
                criterion_id=criterion,
                value=value,
            )


def panel_marks():
    """judge index → pitch index → the six marks: judges 1–3 fair, judge 4 one mark more
    generous everywhere; judge 1 gives pitch 1's traction one more; judge 2 gives pitch 2's
    team a 1 where the others give 4 or 5."""
    marks = {j: {p: [q] * 6 for p, q in enumerate(QUALITY)} for j in range(3)}
    marks[3] = {p: [q + 1] * 6 for p, q in enumerate(QUALITY)}
    marks[0][0] = [2, 2, 2, 2, 3, 2]
    marks[1][1] = [1, 4, 4, 4, 4, 4]
    return marks


def scored_round(engine, settings):
    """Four judges, four pitches, every pitch marked by every judge (see `panel_marks`)."""
    w = make_judging(engine, settings, judges=4, pitches=4)
    marks = panel_marks()
    for judge_index, by_pitch in marks.items():
        for pitch_index, values in by_pitch.items():
            give(engine, w, judge_index, pitch_index, values)
    w["marks"] = marks
    return w


def read(engine, function, **kwargs):
    with session_scope(engine, read_only=True) as session:
        return function(session=session, **kwargs)


# --- services against the database --------------------------------------------------------------


def test_heatmap_holds_each_judges_weighted_total(engine, settings):
    w = scored_round(engine, settings)
    give(engine, w, 0, 3, None)  # judge 1 withdraws one mark of pitch 4: no total there
    grid = read(engine, analytics.totals_grid, round_id=w["round_id"])
    assert grid.judge_ids == w["judges"]
    assert grid.judge_names == ["Judge 1", "Judge 2", "Judge 3", "Judge 4"]
    assert sorted(grid.pitch_ids) == sorted(w["pitches"])
    for j, judge_id in enumerate(w["judges"]):
        for p, pitch_id in enumerate(w["pitches"]):
            cell = grid.totals[grid.judge_ids.index(judge_id), grid.pitch_ids.index(pitch_id)]
            if (j, p) == (0, 3):
                assert np.isnan(cell)
            else:
                expected = sum(wt * x for wt, x in zip(WEIGHTS, w["marks"][j][p], strict=True))
                assert cell == pytest.approx(expected)
    # Highest average first: pitch 2 (quality 4) leads, pitch 1 (quality 2) closes.
    assert grid.pitch_ids[0] == w["pitches"][1] and grid.pitch_ids[-1] == w["pitches"][0]
    assert grid.startup_names[0] == "Startup 2"


def test_lenient_judge_has_a_positive_leniency(engine, settings):
    w = scored_round(engine, settings)
    report = read(engine, analytics.leniency, round_id=w["round_id"])
    stats = report.statistics.set_index("judge")
    lenient = w["judges"][3]
    assert stats.loc[lenient, "offset"] > 0
    assert stats.loc[lenient, "name"] == "Judge 4"
    assert all(stats.loc[j, "offset"] < 0 for j in w["judges"][:3])
    mine = report.deviations[report.deviations["judge"] == lenient]
    assert len(mine) == 4 and (mine["deviation"] > 0).all()
    # Pitch 3: judges 1–3 total 300, judge 4 totals 400 → +100 for judge 4, −33.3 for others.
    pitch_3 = report.deviations[report.deviations["pitch"] == w["pitches"][2]]
    assert dict(zip(pitch_3["name"], pitch_3["deviation"], strict=True)) == pytest.approx(
        {"Judge 1": -100 / 3, "Judge 2": -100 / 3, "Judge 3": -100 / 3, "Judge 4": 100}
    )
    assert report.agreement["scope"].iloc[0] == "total"
    assert report.agreement["complete"].iloc[0]
    assert 0 < report.agreement["krippendorff_alpha"].iloc[0] <= 1


def test_outliers_list_the_mark_that_stands_out(engine, settings):
    w = scored_round(engine, settings)
    found = read(engine, analytics.outlying_marks, round_id=w["round_id"])
    # Judge 2 gave pitch 2's team a 1 where the others gave 4, 4 and 5: that mark only.
    assert len(found) == 1
    first = found.iloc[0]
    assert (first["name"], first["startup_name"], first["criterion"]) == (
        "Judge 2",
        "Startup 2",
        "Team",
    )
    assert first["value"] == 1
    assert first["others_mean"] == pytest.approx(13 / 3)
    assert first["others_median"] == 4
    assert first["z"] < -3.5
    # Judge 4's steady one-mark generosity is leniency, not an outlying mark; judge 1's
    # extra point of traction is within the panel's usual spread.


def test_rank_ranges_flag_statistical_ties(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=3)
    for judge_index, values in enumerate([(5, 3, 3), (5, 3, 4), (5, 4, 3)]):
        for pitch_index, value in enumerate(values):
            give(engine, w, judge_index, pitch_index, value)
    ranges = read(engine, analytics.rank_ranges, round_id=w["round_id"])
    assert ranges["startup_name"].iloc[0] == "Startup 1"
    assert (ranges["rank_best"] <= ranges["rank"]).all()
    assert (ranges["rank"] <= ranges["rank_worst"]).all()
    # Startups 2 and 3 share totals within noise: one tie group, Startup 1 in none.
    assert pd.isna(ranges["tie_group"].iloc[0])
    assert list(ranges["tie_group"].iloc[1:]) == [1, 1]
    figure = rank_range_figure(ranges)
    assert list(figure.data[0].x) == ranges["rank"].tolist()
    assert list(figure.data[0].error_x.array) == (ranges["rank_worst"] - ranges["rank"]).tolist()


def set_rule(engine, round_id, rule):
    with session_scope(engine) as session:
        round_ = session.get(Round, round_id)
        round_.rule = rule
        session.add(round_)


def test_rules_side_by_side_flag_the_ranks_that_change(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=3)
    set_rule(engine, w["round_id"], {"min_judges_to_trim": 3})
    # Mean: 5 > 3.67 > 3; trimmed (the middle mark of three): 5 > 4 > 3.
    for judge_index, values in enumerate([(5, 1, 3), (5, 4, 3), (5, 4, 5)]):
        for pitch_index, value in enumerate(values):
            give(engine, w, judge_index, pitch_index, value)
    compared = read(engine, analytics.compare_rules, round_id=w["round_id"])
    assert compared.methods == ["mean", "trimmed", "calibrated"]
    assert compared.problems == {}
    table = compared.table.set_index("startup_name")
    assert table.loc["Startup 1", "rank_mean"] == 1 and not table.loc["Startup 1", "rank_changes"]
    assert table.loc["Startup 3", "rank_mean"] == 2 and table.loc["Startup 3", "rank_trimmed"] == 3
    assert table.loc["Startup 2", "rank_mean"] == 3 and table.loc["Startup 2", "rank_trimmed"] == 2
    assert table.loc["Startup 2", "rank_changes"] and table.loc["Startup 3", "rank_changes"]
    assert table.loc["Startup 2", "total_trimmed"] == pytest.approx(400)
    # On a complete panel, "calibrated" is the mean.
    assert list(table["rank_calibrated"]) == list(table["rank_mean"])


def test_a_rule_that_cannot_be_used_says_why_and_the_others_still_show(engine, settings):
    w = make_judging(engine, settings, judges=4, pitches=4)
    # Judges 1–2 see pitches 1–2 only, judges 3–4 pitches 3–4: two groups, no calibration.
    for judge_index, pitch_index, value in [
        (0, 0, 4),
        (1, 0, 5),
        (0, 1, 3),
        (1, 1, 3),
        (2, 2, 2),
        (3, 2, 3),
        (2, 3, 5),
        (3, 3, 4),
    ]:
        give(engine, w, judge_index, pitch_index, value)
    set_rule(engine, w["round_id"], {"method": "median"})
    compared = read(engine, analytics.compare_rules, round_id=w["round_id"])
    assert set(compared.problems) == {"calibrated"}
    assert "Judge 1" in compared.problems["calibrated"]
    assert "Startup 3" in compared.problems["calibrated"]
    assert compared.methods == ["mean", "trimmed", "median"]
    assert compared.own_method == "median"
    assert len(compared.table) == 4 and "rank_calibrated" not in compared.table


def test_drill_down_holds_that_pitch_only(engine, settings):
    w = scored_round(engine, settings)
    with session_scope(engine) as session:
        for judge_index, pitch_index, field, value in [
            (0, 0, "comment", "Great team.\nWork on pricing."),
            (0, 0, "private_note", "Ask about churn"),
            (1, 1, "comment", "Other pitch's comment"),
        ]:
            scoring.save_text(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][judge_index],
                pitch_id=w["pitches"][pitch_index],
                field=field,
                value=value,
            )
        for pitch_index, name in [(0, "Overtime"), (1, "Audience prize")]:
            session.add(
                Adjustment(
                    round_id=w["round_id"],
                    pitch_id=w["pitches"][pitch_index],
                    name=name,
                    points=-5 if name == "Overtime" else 10,
                    reason="40 s over",
                )
            )
    choices = read(engine, analytics.pitch_choices, round_id=w["round_id"])
    assert [name for _id, name in choices] == [f"Startup {n}" for n in range(1, 5)]
    detail = read(engine, analytics.pitch_detail, round_id=w["round_id"], pitch_id=w["pitches"][0])
    assert detail.startup_name == "Startup 1"
    assert list(detail.marks.index) == ["Judge 1", "Judge 2", "Judge 3", "Judge 4"]
    assert detail.marks.columns[0] == "Team"
    assert detail.marks.to_numpy().tolist() == [w["marks"][j][0] for j in range(4)]
    assert detail.weighted_totals == pytest.approx([215, 200, 200, 300])
    assert detail.not_counted == []
    comments = detail.comments.set_index("name")
    assert comments.loc["Judge 1", "comment"] == "Great team.\nWork on pricing."
    assert comments.loc["Judge 1", "private_note"] == "Ask about churn"
    assert "Other pitch's comment" not in detail.comments["comment"].tolist()
    assert detail.adjustments[["name", "points"]].to_numpy().tolist() == [["Overtime", -5.0]]
    history = detail.history
    # Six marks from each of four judges, then judge 1's two texts; nothing of pitch 2.
    assert len(history) == 4 * 6 + 2
    assert set(history["name"]) == {"Judge 1", "Judge 2", "Judge 3", "Judge 4"}
    assert history["at"].is_monotonic_increasing
    traction = history[(history["name"] == "Judge 1") & (history["what"] == "Traction")]
    assert traction[["before", "after"]].to_numpy().tolist() == [["", "3"]]
    assert "Other pitch's comment" not in history["after"].tolist()


def test_conflicted_judge_is_shown_but_not_counted(engine, settings):
    w = scored_round(engine, settings)
    with session_scope(engine) as session:
        judges.add_conflict(
            session=session,
            judge_id=w["judges"][3],
            pitch_id=w["pitches"][0],
            reason="Shareholder",
        )
    detail = read(engine, analytics.pitch_detail, round_id=w["round_id"], pitch_id=w["pitches"][0])
    assert detail.not_counted == ["Judge 4"]
    grid = read(engine, analytics.totals_grid, round_id=w["round_id"])
    column = grid.pitch_ids.index(w["pitches"][0])
    assert np.isnan(grid.totals[grid.judge_ids.index(w["judges"][3]), column])


def rename(engine, w, *, startup: str, judge: str):
    with session_scope(engine) as session:
        pitch = session.get(Pitch, w["pitches"][0])
        pitch.startup_name = startup
        person = session.get(Judge, w["judges"][0])
        person.name = judge
        session.add_all([pitch, person])


@pytest.mark.parametrize(
    "startup",
    [HOSTILE_STARTUP, "x" * 120, "שלום עולם — متجر"],
    ids=["html-markdown", "very-long", "right-to-left"],
)
def test_hostile_names_come_back_unchanged_and_inert_in_charts(engine, settings, startup):
    w = scored_round(engine, settings)
    rename(engine, w, startup=startup, judge=HOSTILE_JUDGE)
    round_id = w["round_id"]
    grid = read(engine, analytics.totals_grid, round_id=round_id)
    assert startup in grid.startup_names and HOSTILE_JUDGE in grid.judge_names
    report = read(engine, analytics.leniency, round_id=round_id)
    assert HOSTILE_JUDGE in set(report.statistics["name"])
    assert startup in set(report.deviations["startup_name"])
    assert startup in set(
        read(engine, analytics.compare_rules, round_id=round_id).table.startup_name
    )
    assert startup in set(read(engine, analytics.rank_ranges, round_id=round_id)["startup_name"])
    detail = read(engine, analytics.pitch_detail, round_id=round_id, pitch_id=w["pitches"][0])
    assert detail.startup_name == startup and HOSTILE_JUDGE in detail.marks.index
    found = read(engine, analytics.outlying_marks, round_id=round_id)
    assert set(found["name"]) == {"Judge 2"}

    figures = [
        heatmap_figure(grid),
        leniency_figure(report.deviations),
        rank_range_figure(read(engine, analytics.rank_ranges, round_id=round_id)),
    ]
    for figure in figures:
        shown = figure.to_json()
        assert "<img" not in shown and "<b>" not in shown
    heat = figures[0].data[0]
    assert all(len(label) <= 40 for label in heat.x)
    if startup == HOSTILE_STARTUP:
        assert "&lt;img src=x onerror=alert(1)&gt;**b…" in heat.x


def test_empty_round_and_single_judge(engine, settings):
    w = make_judging(engine, settings, judges=1, pitches=2)
    round_id = w["round_id"]
    assert read(engine, analytics.round_overview, round_id=round_id) == analytics.Overview(0, 0, 0)
    assert read(engine, analytics.totals_grid, round_id=round_id).totals.size == 0
    assert read(engine, analytics.outlying_marks, round_id=round_id).empty
    assert read(engine, analytics.pitch_choices, round_id=round_id) == []
    give(engine, w, 0, 0, 4)
    give(engine, w, 0, 1, 2)
    assert read(engine, analytics.round_overview, round_id=round_id) == analytics.Overview(12, 1, 2)
    report = read(engine, analytics.leniency, round_id=round_id)
    assert report.deviations["deviation"].isna().all()
    assert read(engine, analytics.outlying_marks, round_id=round_id).empty
    compared = read(engine, analytics.compare_rules, round_id=round_id)
    assert compared.table["rank_mean"].tolist() == [1, 2]
    assert not compared.table["rank_changes"].any()
    assert len(read(engine, analytics.rank_ranges, round_id=round_id)) == 2


# --- the pure maths -----------------------------------------------------------------------------


def test_total_deviations_by_hand():
    marks = pd.DataFrame(
        [
            ("A", "ana", "c", 4),
            ("A", "bo", "c", 2),
            ("A", "cy", "c", 3),
            ("B", "ana", "c", 5),
            ("C", "bo", "c", 1),
            ("C", "cy", "c", 2),
        ],
        columns=["pitch", "judge", "criterion", "value"],
    )
    criteria = pd.DataFrame({"criterion": ["c"], "weight": [2.0]})
    found = total_deviations(marks, criteria).set_index(["pitch", "judge"])
    assert found.loc[("A", "ana"), "deviation"] == pytest.approx(8 - 5)
    assert found.loc[("C", "bo"), "others_mean"] == pytest.approx(4)
    assert np.isnan(found.loc[("B", "ana"), "deviation"])
    outliers = mark_outliers(marks, criteria)
    # Pitch C has two judges only: nobody to tell which of the two marks stands out.
    assert outliers.loc[outliers["pitch"] == "C", "others_mean"].isna().all()


# --- the page -----------------------------------------------------------------------------------


def page(**kwargs):
    return run_page("pages/analytics.py", organiser=True, **kwargs)


def test_page_renders_every_section_with_data(app_env):
    engine, settings = app_env
    w = scored_round(engine, settings)
    at = page()
    assert not at.exception
    assert len(at.tabs) == 6
    assert len(at.get("plotly_chart")) == 3  # heatmap, leniency, rank ranges
    assert "Krippendorff" in texts(at)
    assert any("Judge 2" in str(frame.value.to_dict()) for frame in at.dataframe)
    # The flag's rule, with this round's thresholds (4 judges) and the promised error.
    leniency, agreement = judge_thresholds(4, 4)
    rule = next(t for t in texts(at).split("\n") if "A judge stands out when" in t)
    assert f"beyond ±{leniency:.2f}" in rule and f"below −{agreement:.2f}" in rule
    assert "at most 4% flag anyone (3.75% for leniency" in rule  # English: no space before %
    assert at.selectbox(key="analytics_pitch").value == w["pitches"][0]  # "Startup 1"
    at.selectbox(key="analytics_pitch").set_value(w["pitches"][1])
    at.run()
    assert not at.exception
    marks = next(f.value for f in at.dataframe if "Weighted total" in f.value.columns)
    assert marks["Team"].tolist() == [4, 1, 4, 5]


def test_results_page_names_every_judge_statistic_in_french(app_env):
    engine, settings = app_env
    scored_round(engine, settings)
    at = run_page("pages/results.py", organiser=True, lang="fr")
    assert not at.exception
    judges_table = next(f.value for f in at.dataframe if "Seuil d'indulgence (|z|)" in f.value)
    assert "Seuil d'accord (−z)" in judges_table.columns
    agreement_table = next(f.value for f in at.dataframe if "Alpha de Krippendorff" in f.value)
    for table in (judges_table, agreement_table):
        raw = [c for c in table.columns if re.fullmatch(r"[a-z_0-9]+", str(c))]
        assert not raw  # no engine column name left untranslated


def test_page_says_no_judge_is_flagged_with_three_judges(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=3, pitches=3)
    for judge_index in range(3):
        for pitch_index, value in enumerate((2, 3, 4)):
            give(engine, w, judge_index, pitch_index, value + (judge_index == 2))
    at = page()
    assert not at.exception
    assert "With fewer than 4 judges, no judge is flagged" in texts(at)
    assert "A judge stands out when" not in texts(at)


def test_page_says_when_there_are_no_marks(app_env):
    engine, settings = app_env
    make_judging(engine, settings, judges=2, pitches=2)
    at = page()
    assert "No marks yet in this round" in texts(at)
    assert not at.get("plotly_chart") and not at.tabs


def test_page_with_a_single_judge_explains_comparisons_need_two(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=3)
    for pitch_index, value in enumerate((3, 4, 5)):
        give(engine, w, 0, pitch_index, value)
    at = page()
    assert not at.exception
    assert "at least two judges" in texts(at)


def test_page_tells_visitors_to_sign_in(app_env):
    engine, settings = app_env
    scored_round(engine, settings)
    at = run_page("pages/analytics.py")
    assert [e.value for e in at.error] == ["This page is for organisers. Sign in first."]
    assert not at.get("plotly_chart") and not at.dataframe


def test_page_keeps_hostile_names_inert(app_env):
    engine, settings = app_env
    w = scored_round(engine, settings)
    rename(engine, w, startup=HOSTILE_STARTUP, judge=HOSTILE_JUDGE)
    with session_scope(engine) as session:
        scoring.save_text(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            field="comment",
            value="<script>alert(1)</script> **loud** [x](javascript:alert(1))",
        )
        name = session.exec(select(Criterion.name)).first()
    assert name == "Team"
    at = page()
    at.selectbox(key="analytics_pitch").set_value(w["pitches"][0])
    at.run()
    assert not at.exception
    shown = texts(at)
    assert escape_markdown(HOSTILE_JUDGE) in shown  # the comment's author, in markdown
    assert r"\<script\>alert\(1\)\</script\> \*\*loud\*\*" in shown
    # Nothing Markdown or HTML would act on is left unescaped.
    for pattern in (r"(?<!\\)<(img|script|b)\b", r"(?<!\\)\*\*(bold|loud)", r"(?<!\\)\[(x|link)\]"):
        assert not re.search(pattern, shown), pattern
    frames = [frame.value for frame in at.dataframe]
    assert any(HOSTILE_STARTUP in str(frame.to_dict()) for frame in frames)


def test_format_share_writes_percentages_as_each_language_does():
    from pitchjudge.formatting import format_share

    assert format_share(0.0375, language="en") == "3.75%"
    assert format_share(0.0375, language="fr") == "3,75\xa0%"
    assert format_share(0.04, language="fr") == "4\xa0%"
