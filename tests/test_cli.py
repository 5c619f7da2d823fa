"""The `pitchjudge` console command, run as a real process against its own database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import func, select

from pitchjudge.db import make_engine, session_scope
from pitchjudge.demo_content import DEMO_CATEGORIES
from pitchjudge.models import Category, Contest, Criterion, Deck, Judge, Pitch, Round
from pitchjudge.services import applications, results

ROOT = Path(__file__).resolve().parents[1]
PITCHJUDGE = Path(sys.executable).parent / "pitchjudge"


def run(tmp_path: Path, *args: str, password: str | None = None, stdin: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PITCHJUDGE_")}
    env.update(
        PITCHJUDGE_DATABASE_URL=f"sqlite:///{tmp_path}/cli.db",
        PITCHJUDGE_DATA_DIR=str(tmp_path / "data"),
    )
    if password:
        env["PITCHJUDGE_ADMIN_PASSWORD"] = password
    return subprocess.run(
        [str(PITCHJUDGE), *args],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_help_lists_the_commands(tmp_path):
    result = run(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("init", "demo", "reset-admin-password", "hash-password", "check-deck"):
        assert command in result.stdout


def test_bad_setting_stops_with_a_message_naming_it(tmp_path):
    env = dict(os.environ, PITCHJUDGE_MAX_DECK_PAGES="many")
    result = subprocess.run(
        [str(PITCHJUDGE), "init"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "PITCHJUDGE_MAX_DECK_PAGES" in result.stderr


def test_init_generates_an_organiser_password_once(tmp_path):
    first = run(tmp_path, "init")
    assert first.returncode == 0
    assert "Organiser password (generated, shown once)" in first.stderr
    second = run(tmp_path, "init")
    assert "Organiser password" not in second.stderr + second.stdout
    reset = run(tmp_path, "reset-admin-password")
    assert reset.returncode == 0 and "Organiser password" in reset.stderr
    configured = run(tmp_path, "reset-admin-password", password="a-configured-password")
    assert configured.returncode == 1 and "PITCHJUDGE_ADMIN_PASSWORD" in configured.stderr


def test_hash_password_prints_an_argon2_hash(tmp_path):
    result = run(tmp_path, "hash-password", stdin="a long password\n")
    assert result.returncode == 0 and result.stdout.startswith("$argon2id$")
    short = run(tmp_path, "hash-password", stdin="short\n")
    assert short.returncode == 1


def test_links_prints_every_active_judges_link(tmp_path):
    from pitchjudge.config import load_settings
    from pitchjudge.services import judges
    from tests.factories import make_judging

    settings = load_settings({"PITCHJUDGE_DATA_DIR": str(tmp_path / "data")}, env_file=None)
    engine = make_engine(f"sqlite:///{tmp_path}/cli.db")
    from pitchjudge.db import migrate

    migrate(engine)
    w = make_judging(engine, settings, judges=3, pitches=1, open_round=False)
    with session_scope(engine) as session:
        judges.set_judge_active(session=session, judge_id=w["judges"][2], active=False)
    engine.dispose()
    result = run(tmp_path, "links")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "name,email,link"
    assert [line.split(",")[0] for line in lines[1:]] == [
        "Judge 1",
        "Judge 2",
        "Projector (leaderboard display)",
        "Stage screen (clock)",
    ]
    assert "/?display=" in lines[-2]
    projector_link, stage_link = (line.split(",")[-1] for line in lines[-2:])
    assert stage_link == projector_link + "&screen=stage"
    assert lines[1].endswith(f"/?judge={w['tokens'][0]}")


def test_check_deck(tmp_path):
    from tests.pdf_samples import make_deck, png_bytes

    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(make_deck(pages=2))
    bad.write_bytes(png_bytes())
    assert "2 pages" in run(tmp_path, "check-deck", str(good)).stdout
    refused = run(tmp_path, "check-deck", str(bad))
    assert refused.returncode == 1 and "not a PDF" in refused.stderr


@pytest.mark.slow_demo
def test_demo_seeds_a_believable_contest_and_refuses_to_overwrite(tmp_path):
    result = run(tmp_path, "demo", password="demo-password")
    assert result.returncode == 0, result.stderr
    assert "24 applications, 6 judges" in result.stdout
    engine = make_engine(f"sqlite:///{tmp_path}/cli.db")
    with session_scope(engine, read_only=True) as session:
        count = lambda model: session.exec(select(func.count()).select_from(model)).one()  # noqa: E731
        assert count(Contest) == 1
        assert count(Pitch) == 24 and count(Deck) == 24
        assert count(Judge) == 6
        assert count(Criterion) == 6
        preselection, final = session.exec(select(Round).order_by(Round.position)).all()
        assert (preselection.name, final.name) == ("Présélection", "Finale")
        assert results.blend_formula(session=session, round_id=final.id) == (
            "30 % Présélection + 70 % Finale"
        )
        assert sorted(c.name for c in session.exec(select(Category))) == sorted(DEMO_CATEGORIES)
        decks = session.exec(select(Deck)).all()
        assert all(d.page_count >= 7 for d in decks)
        token = result.stdout.rsplit("token=", 1)[1].strip()
        assert applications.application_by_token(session=session, token=token).id
    engine.dispose()

    again = run(tmp_path, "demo", password="demo-password")
    assert again.returncode == 1 and "--force" in again.stderr
    kept = run(tmp_path, "demo", "--if-empty", password="demo-password")
    assert kept.returncode == 0 and "not seeded" in kept.stdout
    forced = run(tmp_path, "demo", "--force", password="demo-password")
    assert forced.returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path}/cli.db")
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(func.count()).select_from(Pitch)).one() == 24
    engine.dispose()


def test_import_marks_loads_a_round_and_refuses_bad_rows(tmp_path):
    from pitchjudge.services import results

    good = tmp_path / "marks.csv"
    good.write_text(
        "pitch,judge,criterion,value\nAlpha,Ann,Team,4\nAlpha,Bob,Team,2\n"
        "Beta,Ann,Team,5\nBeta,Bob,Team,3\n"
    )
    init = run(tmp_path, "init")
    assert init.returncode == 0
    missing = run(tmp_path, "import-marks", str(good), "--round", "Imported")
    assert missing.returncode == 1 and "No contest yet" in missing.stderr
    engine = make_engine(f"sqlite:///{tmp_path}/cli.db")
    from tests.factories import make_contest

    make_contest(engine, with_rubric=False)
    loaded = run(tmp_path, "import-marks", str(good), "--round", "Imported")
    assert loaded.returncode == 0, loaded.stderr
    with session_scope(engine, read_only=True) as session:
        round_ = session.exec(select(Round).where(Round.name == "Imported")).one()
        board = results.round_leaderboard(session=session, round_id=round_.id)
    assert list(board["startup_name"]) == ["Beta", "Alpha"]
    bad = tmp_path / "bad.csv"
    bad.write_text("pitch,judge,criterion,value\nGamma,Ann,Team,lots\n")
    refused = run(tmp_path, "import-marks", str(bad), "--round", "Other")
    assert refused.returncode == 1 and "line" in refused.stderr.lower()
    engine.dispose()
