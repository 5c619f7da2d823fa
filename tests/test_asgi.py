"""The ASGI entry (pitchjudge/ui/asgi.py): its warm-up leaves the first board computed, so the
first projector after a restart does not compute it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pitchjudge.db import session_scope
from pitchjudge.services import board
from pitchjudge.ui import asgi, state
from tests.apptest_support import run_page
from tests.test_board import scored


def test_warm_up_computes_every_board_before_the_first_screen(app_env):
    engine, settings = app_env
    w = scored(engine, settings)
    with session_scope(engine) as session:
        board.set_board(session=session, round_id=w["round_id"], state="live")
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)

    timings = asgi.warm_up()

    assert set(timings) == {"imports", "engine", "boards"}
    cache = state.board_cache()
    assert cache.computed == 1
    fingerprint = state.board_fingerprint(w["contest"].id)
    assert [row.startup_name for row in cache.get((w["contest"].id, fingerprint)).rows] == [
        "Startup 2",
        "Startup 3",
        "Startup 1",
    ]
    # The projector's first run finds it there.
    at = run_page(params={"display": token})
    assert not at.exception
    assert cache.computed == 1


def test_the_entry_serves_the_app_script():
    assert asgi.ENTRY_SCRIPT.name == "streamlit_app.py" and asgi.ENTRY_SCRIPT.is_file()
    assert asgi.app.script_path == asgi.ENTRY_SCRIPT


@pytest.mark.parametrize("page", ["board.py", "stage_screen.py"])
def test_warm_up_imports_what_the_room_screens_import(page):
    """A room screen's first load after a restart finds its modules imported."""
    script = Path(asgi.ENTRY_SCRIPT).parent / "pages" / page
    modules = set()
    for node in ast.walk(ast.parse(script.read_text())):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("pitchjudge"):
            continue
        if node.module in ("pitchjudge.ui", "pitchjudge.services"):  # names are modules
            modules |= {f"{node.module}.{alias.name}" for alias in node.names}
        else:
            modules.add(node.module)
    assert modules and modules <= set(asgi.FIRST_MODULES)
