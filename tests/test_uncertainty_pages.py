"""What the Results and Analytics pages say about uncertainty, agreement and weak designs."""

from __future__ import annotations

from tests.apptest_support import run_page, texts
from tests.factories import make_judging
from tests.test_analytics import give, scored_round

INTERVALS = "90 % range of the total this jury would give on average"


def test_results_page_says_what_the_bars_mean(app_env):
    engine, settings = app_env
    scored_round(engine, settings)
    at = run_page("pages/results.py", organiser=True)
    assert not at.exception
    assert any(INTERVALS in caption.value for caption in at.caption)


def test_analytics_page_names_each_agreement_statistic_and_the_intervals(app_env):
    engine, settings = app_env
    scored_round(engine, settings)
    at = run_page("pages/analytics.py", organiser=True)
    assert not at.exception
    labels = [metric.label for metric in at.metric]
    assert "ICC(2,1), one judge" in labels and "ICC(2,k), the panel" in labels
    assert "ICC(3,k), the ranking" in labels  # the figure matching a complete panel's ranking
    assert "the figure that matches the ranking" in texts(at)
    assert any(INTERVALS in caption.value for caption in at.caption)


def test_a_weakly_linked_jury_is_warned_about(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=4, pitches=6)
    # Judges 1–2 score pitches 1–3, judges 3–4 pitches 4–6; judge 1 also scores pitch 4.
    for judge_index, pitches in ((0, (0, 1, 2, 3)), (1, (0, 1, 2)), (2, (3, 4, 5)), (3, (3, 4, 5))):
        for pitch_index in pitches:
            give(engine, w, judge_index, pitch_index, 3 + (pitch_index + judge_index) % 3)
    for page in ("pages/results.py", "pages/analytics.py"):
        at = run_page(page, organiser=True)
        assert not at.exception
        assert any("only weakly linked" in warning.value for warning in at.warning), page
