"""The organisers' Health page through AppTest: its empty state, replicas up, down and
failing, and counters that move when a judge saves a mark (summed over replicas)."""

from __future__ import annotations

from datetime import timedelta

from pitchjudge import ops
from pitchjudge.db import session_scope
from pitchjudge.models import utcnow
from tests.apptest_support import run_page, send_pending_marks, texts
from tests.factories import make_judging

PAGE = "pages/health.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def report(engine, replica: str, counts: dict[str, int], *, age_s: int = 0, health=None):
    now = utcnow()
    with session_scope(engine) as session:
        ops.report(
            session=session,
            replica_id=replica,
            started_at=now - timedelta(hours=1),
            counts=counts,
            health=health,
            now=now - timedelta(seconds=age_s),
        )


def test_the_page_is_for_organisers_only(app_env):
    at = run_page(PAGE)
    assert "This page is for organisers" in texts(at)
    assert not at.metric


def test_before_any_report_the_page_says_so(app_env):
    at = run_page(PAGE, organiser=True)
    assert "No replica has reported yet" in texts(at)
    assert not at.metric and not at.dataframe


def test_a_judges_mark_moves_the_counter_the_organiser_reads(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, judges=1, pitches=1)
    counts = ops.Counts()
    report(engine, "other-replica:8501", {ops.MARK: 2, ops.REFUSED_WRITE: 1})
    before = ops.COUNTS.totals().get(ops.MARK, 0)
    # The judge's page saves a mark, as the rubric component sends it.
    judge = run_page(params={"judge": w["tokens"][0], "pitch": str(w["pitches"][0])})
    send_pending_marks(judge, w, {w["criteria"][0]: 4.0})
    assert not judge.exception
    assert ops.COUNTS.totals().get(ops.MARK, 0) == before + 1
    # This process reports as a replica does every few seconds.
    counts.add(ops.MARK, ops.COUNTS.totals()[ops.MARK] - before)
    reporter = ops.Reporter(
        engine=lambda: engine, replica_id="this-replica:8502", checker=None, counts=counts
    )
    assert reporter.report_once()
    at = run_page(PAGE, organiser=True)
    shown = metrics(at)
    assert shown["Marks saved"] == "3"  # 2 elsewhere + this judge's 1
    assert shown["Refused writes"] == "1"
    assert shown["Audience votes"] == "0"
    assert "All 2 replicas up and healthy." in [s.value for s in at.success]
    table = at.dataframe[0].value
    assert set(table["Replica"]) == {"other-replica:8501", "this-replica:8502"}
    assert set(table["State"]) == {"Healthy"}


def test_a_silent_replica_is_down_and_a_failing_one_says_why(app_env):
    engine, _settings = app_env
    report(engine, "a:8501", {ops.MARK: 1})
    report(engine, "b:8501", {ops.MARK: 1}, age_s=45)
    report(
        engine,
        "c:8501",
        {},
        health=ops.Health({"deck_store": "cannot write to the deck store: No space left"}),
    )
    at = run_page(PAGE, organiser=True)
    assert "1 of 3 replicas are down (not heard from lately)." in [w.value for w in at.warning]
    assert "1 replica fails its health check: c:8501." in [e.value for e in at.error]
    table = at.dataframe[0].value
    states = dict(zip(table["Replica"], table["State"], strict=True))
    assert states["b:8501"] == "Down"
    assert states["c:8501"] == "Failing: deck_store: cannot write to the deck store: No space left"
    assert not at.success


def test_the_page_in_french_writes_numbers_the_french_way(app_env):
    engine, _settings = app_env
    report(engine, "a:8501", {ops.MARK: 1234, ops.VOTE: 5})
    at = run_page(PAGE, organiser=True, lang="fr")
    shown = metrics(at)
    assert shown["Notes enregistrées"].replace("\u202f", " ").replace("\xa0", " ") == "1 234"
    assert shown["Votes du public"] == "5"
    assert [s.value for s in at.success] == ["1 réplique en service et en bonne santé."]


def test_a_replica_gone_for_a_day_is_not_listed_but_still_counted(app_env):
    engine, _settings = app_env
    report(engine, "old-deployment:8501", {ops.MARK: 40}, age_s=25 * 3600)
    report(engine, "a:8501", {ops.MARK: 2})
    at = run_page(PAGE, organiser=True)
    assert metrics(at)["Marks saved"] == "42"
    table = at.dataframe[0].value
    assert list(table["Replica"]) == ["a:8501"]
    assert table["Last seen"].iloc[0].endswith("ago")
    assert (
        "1 replica not heard from for more than 24 hours is not listed; its counts are in the "
        "totals." in texts(at)
    )
    assert [s.value for s in at.success] == ["1 replica up and healthy."]


def test_when_every_replica_is_a_day_old_the_page_says_none_reported(app_env):
    engine, _settings = app_env
    report(engine, "old-deployment:8501", {ops.VOTE: 7}, age_s=25 * 3600)
    at = run_page(PAGE, organiser=True)
    assert "No replica has reported for more than 24 hours." in [w.value for w in at.warning]
    assert not at.success and not at.dataframe
    assert metrics(at)["Audience votes"] == "7"
