"""Shared fixtures: a real SQLite file and, when configured, a real PostgreSQL database."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import settings as settings_profiles
from playwright.sync_api import expect
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from pitchjudge.config import Settings, load_settings
from pitchjudge.db import make_engine, migrate
from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EXPECT_TIMEOUT_MS,
    LAPTOP_13,
    UNDER_LOAD,
    _require_chromium,
    cpu_load,
)

# CI explores the same examples every run (a red CI must be reproducible, not bad luck);
# local runs keep exploring new ones.
settings_profiles.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings_profiles.load_profile("ci")

POSTGRES_URL = os.environ.get("PITCHJUDGE_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("PITCHJUDGE_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating every time would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """The PostgreSQL test database, migrated once; skipped when none is configured."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("PITCHJUDGE_REQUIRE_POSTGRES=1 but PITCHJUDGE_TEST_POSTGRES_URL is unset")
        pytest.skip("PostgreSQL not configured (set PITCHJUDGE_TEST_POSTGRES_URL)")
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Engine]:
    """A fresh, migrated database: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "pitchjudge.db"
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        _truncate(engine)
        yield engine


@pytest.fixture
def sqlite_engine(tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """A fresh SQLite file only (for tests about SQLite itself or too slow to run twice)."""
    path = tmp_path / "pitchjudge.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at this test's own folder."""
    return load_settings(
        {
            "PITCHJUDGE_DATABASE_URL": f"sqlite:///{tmp_path}/pitchjudge.db",
            "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
            "PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery",
        },
        env_file=None,
    )


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Environment for the app: its own SQLite file and deck store, a known password."""
    monkeypatch.setenv("PITCHJUDGE_DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("PITCHJUDGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PITCHJUDGE_ADMIN_PASSWORD", "organiser-secret")
    monkeypatch.setenv("PITCHJUDGE_LANGUAGE", "en")
    monkeypatch.chdir(tmp_path)
    st.cache_resource.clear()  # cached settings and engine belong to the previous test
    settings = load_settings(env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    yield engine, settings
    engine.dispose()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Every page the size of a 13-inch laptop screen."""
    return {**browser_context_args, "viewport": LAPTOP_13}


@pytest.fixture(scope="session", autouse=True)
def _background_load() -> Iterator[None]:
    """PITCHJUDGE_TEST_LOAD=1: every core busy with another job for the whole session."""
    if not UNDER_LOAD:
        yield
        return
    with cpu_load() as burners:
        print(f"\nPITCHJUDGE_TEST_LOAD=1: {len(burners)} busy processes for the session")
        yield


@pytest.fixture(scope="session", autouse=True)
def _patient_expect() -> None:
    """Playwright's `expect` waits for a state up to 30 s, not its default 5 s: on a busy
    machine a state takes longer to come, and waiting longer costs nothing when it comes."""
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
