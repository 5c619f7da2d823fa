"""Every page of every role, in French, through AppTest: no exception, no English.

The pages come from the entry script's own navigation for each role (visitor, applicant with
a private link, judge, organiser, projector and stage screen), so a page added to
`streamlit_app.py` is checked without touching this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pitchjudge.ui import state
from tests.all_pages import Contest, Role, apptest_texts, copy_to, english_found, seed

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
ROLES = (
    "visitor",
    "applicant",
    "judge",
    "judge_scorecard",
    "organiser",
    "projector",
    "stage_screen",
)


@pytest.fixture(scope="module")
def contest(tmp_path_factory: pytest.TempPathFactory) -> Contest:
    return seed(tmp_path_factory.mktemp("all_pages_seed"))


@pytest.fixture
def app_copy(contest: Contest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test's own copy of the contest, as the app's environment."""
    for name, value in copy_to(contest, tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def start(role: Role) -> AppTest:
    """The app's first run for `role` (French unless the role chose otherwise)."""
    at = AppTest.from_file(APP, default_timeout=120)
    if role.organiser:
        at.session_state[state.ORGANISER_KEY] = True
    for key, value in role.params.items():
        at.query_params[key] = value
    at.run()
    return at


def role_pages(at: AppTest) -> list[str]:
    """The page files the navigation registered for this role (hidden ones too)."""
    paths = [info.get("script_path") for info in at._registered_pages.values()]
    return sorted({str(path) for path in paths if path})


def problems(at: AppTest) -> list[str]:
    found = [f"exception: {e.value}" for e in at.exception]
    found += [f"English: {words!r}" for words in english_found(apptest_texts(at))]
    return found


@pytest.mark.parametrize("role_name", ROLES)
def test_every_page_of_every_role_in_french(contest: Contest, app_copy, role_name: str) -> None:
    role = next(r for r in contest.roles if r.name == role_name)
    at = start(role)
    pages = role_pages(at)
    assert pages, "the navigation registered no page"
    report: dict[str, list[str]] = {}
    first = problems(at)
    if first:
        report["(first page)"] = first
    for page in pages:
        at = start(role)
        at.switch_page(page)
        at.run()
        found = problems(at)
        if found:
            report[Path(page).name] = found
    print(f"\n{role_name}: {len(pages)} pages, {sum(map(len, report.values()))} problems")
    assert not report, "\n".join(
        f"{page}: " + "\n    ".join(found) for page, found in report.items()
    )


@pytest.mark.parametrize("role_name", ["visitor", "applicant", "judge_scorecard", "organiser"])
def test_every_button_of_every_page_answers_without_exception(
    contest: Contest, app_copy, role_name: str
) -> None:
    """Each button clicked once, on a fresh run of its page: whatever the button refuses
    (empty forms, wrong states), it says so in French; nothing raises."""
    role = next(r for r in contest.roles if r.name == role_name)
    pages = role_pages(start(role))
    report: dict[str, list[str]] = {}
    clicks = 0
    for page in pages:
        at = start(role)
        at.switch_page(page)
        at.run()
        keys = [b.key for b in at.button if b.key and not b.disabled]
        for key in keys:
            at = start(role)
            at.switch_page(page)
            at.run()
            buttons = [b for b in at.button if b.key == key and not b.disabled]
            if not buttons:
                continue  # the previous click changed the page (a state moved on)
            buttons[0].click().run()
            clicks += 1
            found = problems(at)
            if found:
                report[f"{Path(page).name} [{key}]"] = found
    print(f"\n{role_name}: {clicks} buttons clicked, {len(report)} with problems")
    assert not report, "\n".join(f"{where}: {found}" for where, found in report.items())
