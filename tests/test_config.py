"""Settings: defaults, `.env`, and start-up refusals that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from pitchjudge.config import SETTINGS_DOC, load_settings
from pitchjudge.errors import ConfigError

README = Path(__file__).resolve().parents[1] / "README.md"
ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_defaults():
    settings = load_settings({}, env_file=None)
    assert settings.database_url == "sqlite:///data/pitchjudge.db"
    assert settings.data_dir == Path("data")
    assert settings.deck_store_url == "file://data/decks"
    assert settings.s3 is None
    assert (settings.max_deck_mb, settings.max_deck_pages) == (20, 40)
    assert (settings.language, settings.timezone) == ("fr", "Europe/Paris")
    assert settings.admin_password is None
    assert settings.deck_limits.max_bytes == 20 * 1024 * 1024


def test_dotenv_is_read_and_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("PITCHJUDGE_MAX_DECK_PAGES=12\nPITCHJUDGE_LANGUAGE=en\n")
    settings = load_settings({"PITCHJUDGE_LANGUAGE": "fr"}, env_file=env_file)
    assert settings.max_deck_pages == 12
    assert settings.language == "fr"


def test_postgres_urls_get_the_psycopg_driver():
    settings = load_settings({"PITCHJUDGE_DATABASE_URL": "postgresql://u:p@db/pj"}, env_file=None)
    assert settings.database_url == "postgresql+psycopg://u:p@db/pj"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PITCHJUDGE_MAX_DECK_MB", "twenty"),
        ("PITCHJUDGE_MAX_DECK_MB", "0"),
        ("PITCHJUDGE_MAX_DECK_PAGES", "-3"),
        ("PITCHJUDGE_LANGUAGE", "de"),
        ("PITCHJUDGE_TIMEZONE", "Mars/Olympus"),
        ("PITCHJUDGE_DATABASE_URL", "mysql://x"),
        ("PITCHJUDGE_ADMIN_PASSWORD", "short"),
        ("PITCHJUDGE_BASE_URL", "localhost:8501"),
        ("PITCHJUDGE_DECK_TIMEOUT_S", "1"),
        ("PITCHJUDGE_DECK_MEMORY_MB", "lots"),
    ],
)
def test_bad_values_stop_start_up_naming_the_setting(name, value):
    with pytest.raises(ConfigError) as error:
        load_settings({name: value}, env_file=None)
    assert name in str(error.value)


def test_data_dir_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ConfigError, match="PITCHJUDGE_DATA_DIR"):
        load_settings({"PITCHJUDGE_DATA_DIR": str(path)}, env_file=None)


def test_every_setting_is_documented_in_the_readme_and_env_example():
    readme = README.read_text(encoding="utf-8")
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    for name in SETTINGS_DOC:
        assert f"`{name}`" in readme, f"{name} missing from the README's settings table"
        assert name in example, f"{name} missing from .env.example"


def test_streamlit_does_not_collect_garbage_after_every_refresh():
    # A forced full collection after each fragment run cost ~100 ms of CPU per screen and
    # refresh (bench/bench_stage.py: 20 judges following the stage, 9 % of a core without it).
    import tomllib
    from pathlib import Path

    config = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
    assert tomllib.loads(config.read_text())["runner"]["postScriptGC"] is False
