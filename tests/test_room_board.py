"""The room board: layout (full, pages, top N), movement, P(order) in words, the organiser's
layout setting (SQLite and PostgreSQL), the HTML (escaped, no chrome) and the pages through
AppTest."""

from __future__ import annotations

import itertools
import re

import pytest

from pitchjudge import board_layout
from pitchjudge.board_layout import ROOM_TYPE, carry_movement, layout, movement, page_delays
from pitchjudge.db import session_scope
from pitchjudge.errors import ValidationError
from pitchjudge.models import AuditEvent, BoardMode, Contest
from pitchjudge.services import board, contests, promotion, results, scoring
from pitchjudge.services.board import BoardDisplay, BoardRow, BoardView
from pitchjudge.ui import room_board
from tests.apptest_support import run_page, texts
from tests.factories import make_judging
from tests.test_board import give, scored, set_state


def row(place: int, name: str | None = None, **extra) -> BoardRow:
    return BoardRow(
        rank=place,
        pitch_id=100 + place,
        startup_name=name or f"Startup {place}",
        total=500.0 - place,
        total_low=480.0 - place,
        total_high=520.0 - place,
        statistical_tie=False,
        n_judges=3,
        **extra,
    )


def live_view(count: int, **display) -> BoardView:
    return BoardView(
        state="live",
        contest_name="Prix",
        round_name="Final",
        rows=[row(n) for n in range(1, count + 1)],
        round_id=1,
        display=BoardDisplay(**display),
    )


def screen_html(at) -> str:
    """The HTML the room screen draws (its style sheets left out)."""
    html = "".join(h.value for h in at.get("html"))
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S)


def english(message: str, *args) -> str:
    return message


def plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


# --- layout -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 5, 8, 12])
def test_up_to_twelve_startups_get_room_sized_type_on_one_screen(count):
    plan = layout(count, mode=BoardMode.FULL, calls=2)
    assert plan.pages == ((0, count),)
    assert plan.type_size >= ROOM_TYPE


@pytest.mark.parametrize("count", [18, 40, 60])
def test_full_keeps_every_place_on_one_screen_while_readable(count):
    plan = layout(count, mode=BoardMode.FULL)
    assert plan.pages == ((0, count),) and not plan.paged_by_itself
    assert plan.columns * plan.per_column >= count
    assert plan.per_column * plan.row_height <= board_layout.body_height() + 1e-6
    assert plan.type_size >= board_layout.MIN_TYPE


def test_full_turns_pages_by_itself_when_rows_would_be_unreadable():
    plan = layout(200, mode=BoardMode.FULL)
    assert plan.paged_by_itself and len(plan.pages) > 1
    assert plan.type_size >= board_layout.MIN_TYPE
    assert plan.pages[0][0] == 0 and plan.pages[-1][1] == 200
    assert all(a[1] == b[0] for a, b in zip(plan.pages, plan.pages[1:], strict=False))


@pytest.mark.parametrize("count", [13, 40, 200])
def test_pages_cover_every_place_once_in_large_type(count):
    plan = layout(count, mode=BoardMode.PAGES)
    covered = [i for start, end in plan.pages for i in range(start, end)]
    assert covered == list(range(count))
    sizes = [end - start for start, end in plan.pages]
    assert max(sizes) - min(sizes) <= 1  # balanced: no near-empty last page
    assert max(sizes) <= plan.columns * plan.per_column
    assert plan.type_size >= ROOM_TYPE


def test_top_n_shows_the_best_n_and_counts_the_rest():
    plan = layout(40, mode=BoardMode.TOP, top_n=8)
    assert plan.pages == ((0, 8),) and plan.more == 32
    assert plan.type_size >= ROOM_TYPE
    assert layout(5, mode=BoardMode.TOP, top_n=8).more == 0


def test_every_screen_shows_the_same_page_at_the_same_time():
    delays = page_delays(4, 10, now=1_000_007.0)  # 7 s into page 1 of the cycle
    assert all(-40 <= d <= 0 for d in delays)
    # Page i is shown while (t - delay_i) mod 40 < 10; at t = 0 only page 1 (index 0) is.
    shown = [i for i, d in enumerate(delays) if (-d) % 40 < 10]
    assert shown == [0]
    later = page_delays(4, 10, now=1_000_017.0)
    assert [i for i, d in enumerate(later) if (-d) % 40 < 10] == [1]


def test_movement_counts_places_gained_and_lost():
    before = [row(1, "A"), row(2, "B"), row(3, "C")]
    previous = board_layout.places(before)
    after = [
        BoardRow(**{**before[2].__dict__, "rank": 1}),
        BoardRow(**{**before[0].__dict__, "rank": 2}),
        BoardRow(**{**before[1].__dict__, "rank": 3}),
    ]
    assert movement(previous, after) == {103: 2, 101: -1, 102: -1}
    assert movement(None, after) == {}  # a first look marks nothing
    assert movement(board_layout.places(after), after) == {}


@pytest.mark.parametrize(("p", "n"), [(0.5, 5), (0.62, 6), (0.38, 6), (0.89, 9), (1.0, 10)])
def test_p_order_in_words(p, n):
    assert board_layout.chances_in_ten(p) == n


# --- the HTML -----------------------------------------------------------------------------------


def test_names_are_escaped_and_no_markup_is_drawn():
    view = BoardView(
        state="live",
        contest_name="Prix <b>Hostile</b>",
        round_name="Final <i>",
        rows=[row(1, "<img src=x onerror=alert(1)>"), row(2, "**bold** [x](http://y)")],
    )
    html = room_board.board_html(view, _=english, ngettext=plural, lang="en")
    assert "<img" not in html and "<b>" not in html and "<strong" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "Prix &lt;b&gt;Hostile" in html
    assert "**bold** [x](http://y)" in html


def test_numbers_follow_the_contests_language():
    view = live_view(3)
    assert ">499,00<" in room_board.board_html(view, _=english, ngettext=plural, lang="fr")
    assert ">499.00<" in room_board.board_html(view, _=english, ngettext=plural, lang="en")


def test_top_three_are_marked_and_whiskers_only_when_asked():
    html = room_board.board_html(live_view(5), _=english, ngettext=plural, lang="en")
    assert [c for c in ("pj-p1", "pj-p2", "pj-p3", "pj-p4") if c in html] == [
        "pj-p1",
        "pj-p2",
        "pj-p3",
    ]
    assert "pj-whisker" not in html
    shown = room_board.board_html(
        live_view(5, whiskers=True), _=english, ngettext=plural, lang="en"
    )
    assert shown.count('class="pj-whisker"') == 5
    assert "90 % range" in shown


def test_too_close_to_call_only_at_decision_lines_with_p_in_words():
    rows = [row(1), row(2), row(3, close_call={"line": "podium", "p": 0.62}), row(4), row(5)]
    rows[0] = BoardRow(**{**rows[0].__dict__, "statistical_tie": True})  # per-pitch flag
    view = BoardView(state="live", contest_name="P", round_name="F", rows=rows)
    html = room_board.board_html(view, _=english, ngettext=plural, lang="en")
    marked = re.findall(
        r'data-place="(\d)"[^<]*(?:<span[^>]*>[^<]*</span>)*?<span class="pj-chip pj-call"', html
    )
    assert html.count('class="pj-chip pj-call"') == 2 and marked == ["3", "4"]
    assert (
        "For the podium: too close to call, 6 chances in 10 that Startup 3 stays ahead of "
        "Startup 4" in html
    )


def test_top_n_and_pages_on_the_screen():
    top = room_board.board_html(
        live_view(40, mode="top", top_n=8), _=english, ngettext=plural, lang="en"
    )
    assert top.count('class="pj-row') == 8 and "and 32 more" in top
    paged = room_board.board_html(
        live_view(40, mode="pages", page_seconds=7), _=english, ngettext=plural, lang="en", now=0
    )
    assert paged.count('class="pj-row') == 40
    assert "Page 1 of 4 · places 1–10" in paged and "Page 4 of 4 · places 31–40" in paged
    assert "animation-duration:28s" in paged


def test_the_reveal_spotlights_the_new_place_and_the_winner_differently():
    third = BoardView(state="reveal", contest_name="P", round_name="F", rows=[row(3), row(4)])
    html = room_board.board_html(third, _=english, ngettext=plural, lang="en", spotlight=row(3))
    assert 'class="pj-spot"' in html and "Place 3" in html and "pj-winner" not in html
    done = BoardView(state="reveal", contest_name="P", round_name="F", rows=[row(1), row(2)])
    html = room_board.board_html(done, _=english, ngettext=plural, lang="en", spotlight=row(1))
    assert "pj-spot pj-winner" in html and "Winner" in html


def test_the_room_screen_hides_streamlit_chrome_but_the_thumbnail_does_not():
    for testid in ("stHeader", "stToolbar", "stStatusWidget", "stSidebarCollapsedControl"):
        assert testid in room_board.CHROME_CSS
    assert 'class="pj-thumb"' in room_board.board_html(
        live_view(3), _=english, ngettext=plural, lang="en", thumbnail=True
    )


def css_rules(css: str) -> dict[str, dict[str, str]]:
    """Selector → {property: value} of a flat style sheet (keyframes' steps come out too)."""
    rules: dict[str, dict[str, str]] = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = (d.split(":", 1) for d in body.split(";") if ":" in d)
        rules[" ".join(selector.split())] = {k.strip(): v.strip() for k, v in declarations}
    return rules


def luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour (its grey level in greyscale)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2.2 contrast ratio: (L1 + 0.05) / (L2 + 0.05), the lighter one on top."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


ROW_KINDS = {  # the row kinds the palette tells apart, lightest first
    "winner": [".pj-row.pj-p1"],
    "second": [".pj-row.pj-p2"],
    "third": [".pj-row.pj-p3"],
    "other": [".pj-row", ".pj-row:nth-child(even)"],  # striped: two shades of one kind
}
GREYSCALE_STEP = 1.25  # the least contrast between two row kinds, as the palette claims


def test_the_row_palette_reads_in_greyscale_and_its_text_at_seven_to_one():
    rules = css_rules(room_board.CSS)
    shades = {kind: [rules[s]["background"] for s in ss] for kind, ss in ROW_KINDS.items()}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for cs in shades.values() for c in cs)
    greys = [sorted(luminance(c) for c in cs) for cs in shades.values()]
    assert all(a[0] > b[-1] for a, b in itertools.pairwise(greys))  # lightness order
    for (kind, colours), (other, others) in itertools.combinations(shades.items(), 2):
        for a, b in itertools.product(colours, others):
            assert contrast(a, b) >= GREYSCALE_STEP, (kind, a, other, b, contrast(a, b))
    # Text: the podium rows set their colour, the other rows take the board's; then every
    # rule that sets both (chips, the reveal's screens).
    board_text = rules[".pj-board"]["color"]
    pairs = [
        (rules[s]["background"], rules[s].get("color", board_text))
        for selectors in ROW_KINDS.values()
        for s in selectors
    ]
    pairs += [
        (r["background"], r["color"]) for r in rules.values() if "color" in r and "background" in r
    ]
    assert {".pj-call", ".pj-up .pj-move", ".pj-spot.pj-winner"} <= {
        s for s, r in rules.items() if "color" in r and "background" in r
    }
    for background, colour in pairs:
        assert contrast(background, colour) >= 7, (background, colour)


# --- the organiser's setting --------------------------------------------------------------------


def test_the_layout_is_stored_audited_and_moves_the_fingerprint(engine, settings):
    w = make_judging(engine, settings, open_round=False)
    contest_id = w["contest"].id
    with session_scope(engine, read_only=True) as session:
        before = board.fingerprint(session=session, contest_id=contest_id)
        assert board.board_view(session=session, contest_id=contest_id).display == BoardDisplay()
    with session_scope(engine) as session:
        board.set_board_display(
            session=session, contest_id=contest_id, mode="top", page_seconds=5, top_n=3,
            whiskers=True,
        )  # fmt: skip
    with session_scope(engine, read_only=True) as session:
        assert board.fingerprint(session=session, contest_id=contest_id) != before
        view = board.board_view(session=session, contest_id=contest_id)
        assert view.display == BoardDisplay(mode="top", page_seconds=5, top_n=3, whiskers=True)
        events = session.exec(
            AuditEvent.__table__.select().where(AuditEvent.action == "board_display")
        ).all()
        assert len(events) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mode": "sideways"}, "mode"),
        ({"page_seconds": 1}, "page_seconds"),
        ({"top_n": 0}, "top_n"),
    ],
)
def test_a_bad_layout_is_refused_and_nothing_is_written(engine, settings, change, field):
    w = make_judging(engine, settings, open_round=False)
    with pytest.raises(ValidationError) as error, session_scope(engine) as session:
        board.set_board_display(
            session=session,
            contest_id=w["contest"].id,
            **{**BoardDisplay().__dict__, **change},
        )
    assert error.value.field == field
    with session_scope(engine, read_only=True) as session:
        assert session.get(Contest, w["contest"].id).board_mode == "full"


def test_the_database_refuses_a_layout_out_of_range(engine, settings):
    from sqlalchemy.exc import IntegrityError

    w = make_judging(engine, settings, open_round=False)
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.get(Contest, w["contest"].id).board_top_n = 500
        session.flush()


def test_decision_line_calls_reach_the_board_rows(engine, settings):
    w = scored(engine, settings, values=(3, 3, 3))  # a three-way dead heat
    set_state(engine, w, "live")
    with session_scope(engine, read_only=True) as session:
        rows = board.board_view(session=session, contest_id=w["contest"].id).rows
    calls = [r.close_call for r in rows if r.close_call]
    assert calls and {c["line"] for c in calls} <= {"winner", "podium", "promotion"}
    assert all(0.0 <= c["p"] <= 1.0 for c in calls)


# Judges A, B, C give each pitch one mark on every criterion; "+" adds 1 on one criterion
# for judge A (a few points on a total of 100–500, far less than the judges' disagreement).
# Totals: 1st ≈ 467, then 2nd and 3rd ≈ 337 and 333, then 4th and 5th ≈ 170 and 167.
CUT_MARKS = {0: (5, 5, 4), 1: ("4+", 3, 3), 2: (3, 4, 3), 3: ("2+", 1, 2), 4: (1, 2, 2)}


def mark_panel(engine, w, round_id, pitch_marks):
    with session_scope(engine) as session:
        for pitch_index, panel in pitch_marks.items():
            for judge, mark in zip(w["judges"], panel, strict=True):
                value = int(str(mark).rstrip("+"))
                for number, criterion in enumerate(w["criteria"]):
                    scoring.save_mark(
                        session=session,
                        round_id=round_id,
                        judge_id=judge,
                        pitch_id=w["pitches"][pitch_index],
                        criterion_id=criterion,
                        value=value + (number == 0 and str(mark).endswith("+")),
                    )


def test_the_promotion_cut_is_a_decision_line(engine, settings):
    w = make_judging(engine, settings, judges=3, pitches=5)
    mark_panel(engine, w, w["round_id"], CUT_MARKS)
    p = w["pitches"]
    contest_id, round_id = w["contest"].id, w["round_id"]
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=round_id, status="closed")
        contests.create_round(session=session, contest_id=contest_id, name="Finale")
        board.set_board(session=session, round_id=round_id, state="live")
    cache = board.BoardCache()  # what the projectors read

    def lines() -> dict[str, tuple[int, int, bool, float]]:
        with session_scope(engine, read_only=True) as session:
            table = results.round_decision_lines(session=session, round_id=round_id)
        return {
            r["line"]: (r["above"], r["below"], r["too_close"], r["p"])
            for r in table.to_dict("records")
        }

    def calls() -> dict[int, dict]:
        with session_scope(engine, read_only=True) as session:
            rows = cache.view(session=session, contest_id=contest_id).rows
        assert [r.pitch_id for r in rows] == p  # Startup 1 to 5 in this order
        return {r.pitch_id: r.close_call for r in rows if r.close_call}

    # No promotion yet: 4th and 5th are close, but no decision line runs between them.
    before = lines()
    assert set(before) == {"winner", "podium"}
    assert before["winner"][:3] == (p[0], p[1], False)
    assert before["podium"][:3] == (p[2], p[3], False)
    assert calls() == {}

    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=round_id, pitch_ids=p[:4])
    after = lines()
    assert set(after) == {"winner", "podium", "promotion"}
    above, below, too_close, chance = after["promotion"]
    assert (above, below, too_close) == (p[3], p[4], True)
    assert 0.5 <= chance < 0.9  # a few points apart: about even, below the rule's 0.9
    assert not after["winner"][2] and not after["podium"][2]
    assert calls() == {p[3]: {"line": "promotion", "p": chance}}

    with session_scope(engine, read_only=True) as session:
        sure = results.round_uncertainty(session=session, round_id=round_id).set_index("pitch")
        view = cache.view(session=session, contest_id=contest_id)
    # 2nd and 3rd are just as close (a per-pitch tie) but straddle no line: not called.
    assert sure.loc[p[1], "statistical_tie"] and sure.loc[p[2], "statistical_tie"]
    assert list(sure["too_close_to_call"]) == [False, False, False, True, True]
    # The 4th sits under the podium line and over the promotion cut.
    assert list(sure["decision_line"]) == [
        "winner",
        "winner",
        "podium",
        "podium, promotion",
        "promotion",
    ]
    html = room_board.board_html(view, _=english, ngettext=plural, lang="en")
    marked = re.findall(
        r'data-place="(\d)"[^<]*(?:<span[^>]*>[^<]*</span>)*?<span class="pj-chip pj-call"', html
    )
    assert marked == ["4", "5"]
    assert re.search(
        r"At the promotion cut: too close to call, [5-8] chances in 10 that Startup 4 stays "
        r"ahead of Startup 5",
        html,
    )


def test_a_promotion_from_a_later_round_reaches_the_projectors_at_once(engine, settings):
    """A semi-final's startups are shortlisted already: promoting from it writes no row of
    the semi-final, yet its board gains the promotion cut."""
    w = make_judging(engine, settings, judges=3, pitches=5)
    p, contest_id = w["pitches"], w["contest"].id
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
        semi = contests.create_round(session=session, contest_id=contest_id, name="Semi").id
        promotion.promote(session=session, round_id=w["round_id"], pitch_ids=p)
        contests.set_round_status(session=session, round_id=semi, status="open")
    mark_panel(engine, w, semi, CUT_MARKS)
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=semi, status="closed")
        contests.create_round(session=session, contest_id=contest_id, name="Finale")
        board.set_board(session=session, round_id=semi, state="live")
    cache = board.BoardCache()
    with session_scope(engine, read_only=True) as session:
        shown = cache.view(session=session, contest_id=contest_id)
    assert shown.round_name == "Semi" and not any(r.close_call for r in shown.rows)
    with session_scope(engine) as session:
        promotion.promote(session=session, round_id=semi, pitch_ids=p[:4])
    with session_scope(engine, read_only=True) as session:
        shown = cache.view(session=session, contest_id=contest_id)
        assert shown == board.board_view(session=session, contest_id=contest_id)
    assert [r.pitch_id for r in shown.rows if r.close_call] == [p[3]]
    assert shown.rows[3].close_call["line"] == "promotion"


# --- the pages ----------------------------------------------------------------------------------


def test_projector_follows_the_organisers_mode(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    set_state(engine, w, "live")
    with session_scope(engine) as session:
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
        board.set_board_display(
            session=session, contest_id=w["contest"].id, mode="top", page_seconds=10, top_n=2,
            whiskers=False,
        )  # fmt: skip
    at = run_page(params={"display": token})
    assert not at.exception
    html = screen_html(at)
    assert html.count('class="pj-row') == 2 and "and 1 more" in html
    assert not at.toggle and not at.get("plotly_chart")


def test_projector_marks_moved_rows_on_its_next_look(app_env):
    engine, settings = app_env
    w = scored(engine, settings)  # order: pitch 2, pitch 3, pitch 1
    set_state(engine, w, "live")
    with session_scope(engine) as session:
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    at = run_page(params={"display": token})
    assert "pj-moved" not in screen_html(at)
    for judge in range(2):
        give(engine, w, judge, 0, 5)  # pitch 1 jumps from third to first
    at.run()
    html = screen_html(at)
    moved = re.findall(r'class="pj-row[^"]*pj-moved (pj-up|pj-down)"', html)
    assert sorted(moved) == ["pj-down", "pj-down", "pj-up"]
    assert "↑&#8239;2" in html


def test_a_highlight_outlives_the_redraws_that_follow_until_it_ends():
    first = carry_movement({}, {103: 2, 101: -1}, now=100.0, seconds=8)
    assert first == {103: (2, 108.0), 101: (-1, 108.0)}
    # Another judge's mark redraws the board 3 s later and moves nobody: both stay lit.
    assert carry_movement(first, {}, now=103.0, seconds=8) == first
    # A further move adds up and starts the clock again; moving back cancels the highlight.
    again = carry_movement(first, {103: 1, 101: 1}, now=104.0, seconds=8)
    assert again == {103: (3, 112.0)}
    assert carry_movement(again, {}, now=112.5, seconds=8) == {}  # ended


def test_a_moved_row_stays_marked_when_the_projector_redraws_without_change(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    set_state(engine, w, "live")
    with session_scope(engine) as session:
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    at = run_page(params={"display": token})
    for judge in range(2):
        give(engine, w, judge, 0, 5)  # pitch 1 jumps from third to first
    at.run()
    at.run()  # redrawn again, nothing moved since (a judge's next mark, a safety-net poll)
    html = screen_html(at)
    assert "↑&#8239;2" in html
    assert re.search(r'class="pj-row[^"]*pj-moved pj-up" style="--move:[0-9.]+"', html)


def test_reveal_view_spotlights_each_new_place_once(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    set_state(engine, w, "reveal")
    with session_scope(engine) as session:
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
        board.reveal_next(session=session, round_id=w["round_id"])
    at = run_page(params={"display": token})
    html = screen_html(at)
    assert 'class="pj-spot"' in html and "2 places still to reveal" in html
    at.run()  # the same place, looked at again: no second moment
    assert "pj-spot" not in screen_html(at)


def test_results_page_sets_the_layout_and_previews_the_projector(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    set_state(engine, w, "live")
    at = run_page("pages/results.py", organiser=True)
    assert not at.exception
    preview = screen_html(at)
    assert 'class="pj-thumb"' in preview and preview.count('class="pj-row') == 3
    at.segmented_control(key="board_display_mode").set_value("top")
    at.number_input(key="board_display_top_n").set_value(2)
    at.toggle(key="board_display_whiskers").set_value(True)
    at.button(key="FormSubmitter:board_display-Apply to every projector").click().run()
    assert not at.exception
    assert "Every projector now uses this layout." in texts(at)
    with session_scope(engine, read_only=True) as session:
        contest = session.get(Contest, w["contest"].id)
        assert (contest.board_mode, contest.board_top_n, contest.board_whiskers) == ("top", 2, True)
    preview = screen_html(at)
    assert preview.count('class="pj-row') == 2 and "pj-whisker" in preview
