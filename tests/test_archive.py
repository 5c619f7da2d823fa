"""Archive and reset, through the real `pitchjudge` command: numbers first, nothing lost
without a confirmation, a ZIP that holds every table and deck."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate
from pitchjudge.demo import database_is_empty
from tests.factories import make_contest, submit
from tests.test_cli import run


def _contest_with_two_applications(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PITCHJUDGE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
            "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
        },
        env_file=None,
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    contest = make_contest(engine, name="Prix Archive 2027")
    submit(engine, settings, contest.id, startup_name="Alpha")
    submit(engine, settings, contest.id, startup_name="Beta", contact_email="b@beta.example")
    engine.dispose()


def test_archive_holds_every_table_and_deck(tmp_path):
    _contest_with_two_applications(tmp_path)
    out = tmp_path / "keep" / "archive.zip"
    result = run(tmp_path, "archive", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "2 application(s) with 2 deck version(s)" in result.stdout
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        pitches = [json.loads(line) for line in archive.read("tables/pitch.jsonl").splitlines()]
        assert sorted(p["startup_name"] for p in pitches) == ["Alpha", "Beta"]
        assert "tables/appsecret.jsonl" not in names  # the password's hash stays home
        assert any(n.startswith("decks/") and n.endswith("deck.pdf") for n in names)


def test_reset_says_what_it_deletes_and_asks_first(tmp_path):
    _contest_with_two_applications(tmp_path)
    refused = run(tmp_path, "reset", "--confirm-from-stdin", stdin="no\n")
    assert refused.returncode == 1
    assert "1 contest(s)" in refused.stdout
    assert "2 application(s) with 2 deck version(s)" in refused.stdout
    assert "Nothing deleted." in refused.stdout
    engine = make_engine(f"sqlite:///{tmp_path}/cli.db")
    assert not database_is_empty(engine)

    done = run(tmp_path, "reset", "--confirm-from-stdin", stdin="delete\n")
    assert done.returncode == 0, done.stderr
    assert database_is_empty(engine)
    assert not (tmp_path / "data" / "decks").exists()
    # The organiser password survives: init does not generate a new one.
    again = run(tmp_path, "init")
    assert "Organiser password (generated, shown once)" not in again.stderr
    engine.dispose()


def test_reset_without_a_terminal_or_yes_deletes_nothing(tmp_path):
    _contest_with_two_applications(tmp_path)
    result = run(tmp_path, "reset")
    assert result.returncode == 1
    assert "confirm on a terminal, or pass --yes" in result.stderr
    engine = make_engine(f"sqlite:///{tmp_path}/cli.db")
    assert not database_is_empty(engine)
    engine.dispose()
