"""The projected leaderboard: display link, live / frozen / reveal, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from pitchjudge.charts import leaderboard_figure
from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied, RoundStateError
from pitchjudge.models import Pitch
from pitchjudge.services import board, contests, rubric, scoring
from tests.apptest_support import run_page, texts
from tests.factories import make_judging


def give(engine, w, judge_index, pitch_index, value):
    with session_scope(engine) as session:
        for criterion in w["criteria"]:
            scoring.save_mark(
                session=session,
                round_id=w["round_id"],
                judge_id=w["judges"][judge_index],
                pitch_id=w["pitches"][pitch_index],
                criterion_id=criterion,
                value=value,
            )


def scored(engine, settings, values=(2, 4, 3)):
    """Two judges, three pitches marked so the order is pitch 2, pitch 3, pitch 1."""
    w = make_judging(engine, settings, judges=2, pitches=len(values))
    for pitch_index, value in enumerate(values):
        for judge_index in range(2):
            give(engine, w, judge_index, pitch_index, value)
    return w


def view(engine, w) -> board.BoardView:
    with session_scope(engine, read_only=True) as session:
        return board.board_view(session=session, contest_id=w["contest"].id)


def set_state(engine, w, state):
    with session_scope(engine) as session:
        board.set_board(session=session, round_id=w["round_id"], state=state)


def names(rows) -> list[str]:
    return [row.startup_name for row in rows]


def test_display_link_resolves_and_can_be_replaced(engine, settings):
    w = make_judging(engine, settings, open_round=False)
    with session_scope(engine) as session:
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
        assert (
            board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
            == token
        )
    with session_scope(engine, read_only=True) as session:
        assert board.contest_by_display_token(session=session, token=token).id == w["contest"].id
    with session_scope(engine) as session:
        new = board.reissue_display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
    assert new != token
    with session_scope(engine, read_only=True) as session, pytest.raises(AccessDenied):
        board.contest_by_display_token(session=session, token=token)


def test_hidden_by_default_then_live(engine, settings):
    w = scored(engine, settings)
    assert view(engine, w).state == "hidden" and view(engine, w).rows == []
    set_state(engine, w, "live")
    live = view(engine, w)
    assert names(live.rows) == ["Startup 2", "Startup 3", "Startup 1"]
    assert [row.rank for row in live.rows] == [1, 2, 3]
    assert all(
        row.total_low is None or row.total_low <= row.total <= row.total_high for row in live.rows
    )
    give(engine, w, 0, 0, 5)  # Startup 1 climbs as marks change: the live board follows
    give(engine, w, 1, 0, 5)
    assert names(view(engine, w).rows)[0] == "Startup 1"


def test_frozen_board_does_not_move_when_marks_change(engine, settings):
    w = scored(engine, settings)
    set_state(engine, w, "frozen")
    before = view(engine, w).rows
    give(engine, w, 0, 0, 5)
    give(engine, w, 1, 0, 5)
    assert view(engine, w).rows == before


def test_reveal_goes_from_the_last_place_to_the_winner(engine, settings):
    w = scored(engine, settings)
    set_state(engine, w, "reveal")
    assert view(engine, w).rows == [] and view(engine, w).hidden_places == 3
    seen = []
    for _step in range(3):
        with session_scope(engine) as session:
            board.reveal_next(session=session, round_id=w["round_id"])
        current = view(engine, w)
        seen.append(current.rows[0].startup_name)
        assert current.hidden_places == 3 - len(seen)
    assert seen == ["Startup 1", "Startup 3", "Startup 2"]
    # The scale is the whole board's from the first place shown: bars never change length.
    full = max(r.total_high or r.total for r in current.rows)
    assert current.x_max == pytest.approx(full)
    with session_scope(engine) as session:
        board.reveal_next(session=session, round_id=w["round_id"])  # nothing left: no error
    set_state(engine, w, "live")
    with session_scope(engine) as session, pytest.raises(RoundStateError, match="reveal"):
        board.reveal_next(session=session, round_id=w["round_id"])


def test_only_one_round_on_the_projector(engine, settings):
    w = scored(engine, settings)
    with session_scope(engine) as session:
        final = contests.create_round(
            session=session, contest_id=w["contest"].id, name="Grand final"
        )
    set_state(engine, w, "live")
    with session_scope(engine) as session:
        board.set_board(session=session, round_id=final.id, state="live")
    assert view(engine, w).round_name == "Grand final"
    with session_scope(engine, read_only=True) as session:
        assert contests.get_round(session=session, round_id=w["round_id"]).board == "hidden"


def test_chart_escapes_markup_in_names():
    row = board.BoardRow(
        rank=1,
        pitch_id=1,
        startup_name="<b>Bold</b> <a href='x'>Co</a>",
        total=80.0,
        total_low=75.0,
        total_high=85.0,
        statistical_tie=True,
        n_judges=3,
    )
    figure = leaderboard_figure([row])
    label = figure.data[0].y[0]
    assert "<b>" not in label and "&lt;b&gt;Bold&lt;/b&gt;" in label
    assert list(figure.data[0].error_x.array) == [5.0]


def test_board_page_through_its_display_link(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    with session_scope(engine) as session:
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    at = run_page(params={"display": token})
    assert "Results coming soon" in texts(at)
    set_state(engine, w, "live")
    at.run()
    assert not at.exception
    assert "2 of 6 scorecards in" not in texts(at)  # nothing submitted yet: 0 of 6
    assert "0 of 6 scorecards in" in texts(at)
    board_html = "".join(h.value for h in at.get("html"))
    assert board_html.count('class="pj-row') == 3  # one row per startup, no chart
    assert not at.get("plotly_chart") and not at.toggle  # no "Criteria" switch on the room
    bad = run_page(params={"display": "not-a-real-display-token"})
    assert "not valid" in texts(bad)


def test_results_page_switches_the_projector(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    at = run_page("pages/results.py", organiser=True)
    assert "/?display=" in at.code[0].value
    at.segmented_control(key=f"board_state_{w['round_id']}").set_value("reveal")
    at.run()
    assert not at.exception
    assert "The projector now shows" in texts(at)
    at.button(key="board_reveal_next").click()
    at.run()
    assert view(engine, w).hidden_places == 2


def test_results_workbook_matches_the_engine_and_defuses_formulas(engine, settings):
    import io

    import pandas as pd

    from pitchjudge.services import exports, results

    w = scored(engine, settings)
    with session_scope(engine) as session:
        pitch = session.get(Pitch, w["pitches"][1])
        pitch.startup_name = '=HYPERLINK("http://evil.example")'
        session.add(pitch)
        scoring.save_text(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][1],
            field="comment",
            value="@SUM(A1)",
        )
    with session_scope(engine, read_only=True) as session:
        data = exports.results_workbook(session=session, contest_id=w["contest"].id, language="en")
        expected = results.round_leaderboard(session=session, round_id=w["round_id"])
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert set(sheets) == {
        "Final leaderboard",
        "Final marks",
        "Final comments",
        "Final adjustments",
        "Audit log",
    }
    board = sheets["Final leaderboard"]
    assert list(board["Rank"]) == list(expected["rank"])
    assert list(board["Total"]) == list(expected["total"])  # the exact numbers
    assert board["Startup"].iloc[0].startswith("'=HYPERLINK")
    assert "'@SUM(A1)" in list(sheets["Final comments"]["Comment for the applicant"])
    assert len(sheets["Final marks"]) == 3 * 2 * 6
    assert (sheets["Audit log"]["Action"] == "mark").sum() >= 36


def test_long_names_are_cut_with_an_ellipsis_and_the_axis_can_be_fixed():
    row = board.BoardRow(
        rank=2,
        pitch_id=1,
        startup_name="A" * 120,
        total=80.0,
        total_low=75.0,
        total_high=85.0,
        statistical_tie=False,
        n_judges=3,
    )
    figure = leaderboard_figure([row], x_max=200.0)
    label = figure.data[0].y[0]
    assert label.startswith("2. AAA") and label.endswith("…") and len(label) == 3 + 40
    assert list(figure.layout.xaxis.range) == pytest.approx([0, 208.0])


def test_intervals_stay_within_the_rubrics_range(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=2)
    top = {0: 5, 1: 1}  # every mark at the scale's top for one pitch, its bottom for the other
    with session_scope(engine) as session:
        for judge in w["judges"]:
            for index, value in top.items():
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=w["pitches"][index],
                        criterion_id=criterion,
                        value=value
                        if judge != w["judges"][0]
                        else value - (1 if value == 5 else -1),
                    )
        rows = board.compute_rows(session=session, round_id=w["round_id"])
        criteria = rubric.list_criteria(session=session, contest_id=w["contest"].id)
    best = sum(c.weight * c.scale_max for c in criteria)
    worst = sum(c.weight * c.scale_min for c in criteria)
    for row in rows:
        assert worst <= row.total_low <= row.total <= row.total_high <= best


def test_issued_display_token_is_read_without_writing(engine, settings):
    w = make_judging(engine, settings, pitches=1, open_round=False)
    contest_id = w["contest"].id
    with session_scope(engine, read_only=True) as session:
        assert (
            board.issued_display_token(session=session, settings=settings, contest_id=contest_id)
            is None
        )
    with session_scope(engine) as session:
        token = board.display_token(session=session, settings=settings, contest_id=contest_id)
    with session_scope(engine, read_only=True) as session:
        assert (
            board.issued_display_token(session=session, settings=settings, contest_id=contest_id)
            == token
        )
    with session_scope(engine) as session:
        board.reissue_display_token(session=session, settings=settings, contest_id=contest_id)
    with session_scope(engine, read_only=True) as session:
        assert (
            board.issued_display_token(session=session, settings=settings, contest_id=contest_id)
            != token
        )
