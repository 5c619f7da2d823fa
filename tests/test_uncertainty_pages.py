"""What the Results, Analytics and Assignments pages say about uncertainty, agreement and weak
designs."""

from __future__ import annotations

import pytest

from pitchjudge.db import session_scope
from pitchjudge.services import assignments
from tests.apptest_support import run_page, texts
from tests.factories import make_judging
from tests.test_analytics import give, scored_round

INTERVALS = "90 % range of the total this jury would give on average"
WEAKLY_LINKED = {
    "en": "The judges are only weakly linked: few shared applications hold the panels together "
    "(connectivity 0.59, below 1).",
    "fr": "Les juges sont peu reliés entre eux : peu de candidatures communes tiennent les jurys "
    "ensemble (connectivité 0,59, sous 1).",
}
SPLIT = {
    "en": "Some judges share no pitch, even indirectly",
    "fr": "Certains jurés n'ont aucun pitch en commun, même indirectement",
}


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


def _assign(engine, w, panels) -> None:
    """Assign by hand: judge index → the pitch indexes they score."""
    with session_scope(engine) as session:
        for judge_index, pitch_indexes in panels.items():
            for pitch_index in pitch_indexes:
                assignments.assign(
                    session=session,
                    round_id=w["round_id"],
                    judge_id=w["judges"][judge_index],
                    pitch_id=w["pitches"][pitch_index],
                )


def _warnings(at) -> str:
    return "\n".join(warning.value for warning in at.warning)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_assignments_page_warns_about_a_weakly_linked_plan(app_env, lang):
    """Judges 1–2 score pitches 1–3, judges 3–4 pitches 4–6, and judge 1 also pitch 4: one
    bridge holds the two panels together (connectivity 2 − √2 ≈ 0.59)."""
    engine, settings = app_env
    w = make_judging(engine, settings, judges=4, pitches=6, open_round=False)
    _assign(engine, w, {0: (0, 1, 2, 3), 1: (0, 1, 2), 2: (3, 4, 5), 3: (3, 4, 5)})
    at = run_page("pages/assignments.py", organiser=True, lang=lang)
    assert WEAKLY_LINKED[lang] in _warnings(at)
    assert SPLIT[lang] not in _warnings(at)


def test_the_assignments_page_warns_about_a_split_plan_not_a_weak_one(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=4, pitches=6, open_round=False)
    _assign(engine, w, {0: (0, 1, 2), 1: (0, 1, 2), 2: (3, 4, 5), 3: (3, 4, 5)})
    at = run_page("pages/assignments.py", organiser=True)
    assert SPLIT["en"] in _warnings(at)
    assert "weakly linked" not in _warnings(at)


def test_the_assignments_page_is_quiet_about_a_complete_plan(app_env):
    engine, settings = app_env
    make_judging(engine, settings, judges=4, pitches=6)  # opening plans every judge × pitch
    at = run_page("pages/assignments.py", organiser=True)
    assert {m.label: m.value for m in at.metric}["Assigned pairs"] == "24"
    assert "weakly linked" not in _warnings(at)
    assert SPLIT["en"] not in _warnings(at)
