"""Decks on S3 in a real browser: the app (`streamlit run`, its own process) keeps its decks in
a bucket of moto's S3 server; a founder applies, reads the deck back from the bucket, and when
the bucket refuses, the upload is refused with a clear message and nothing is saved.
Screenshots in /tmp/pj_decks_*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, Pitch
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_contest
from tests.pdf_samples import make_deck
from tests.s3_support import CREDENTIALS, LocalS3, local_s3
from tests.test_browser import fill_apply_form, open_apply_page, shot, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def s3_server() -> Iterator[LocalS3]:
    with local_s3() as server:
        yield server


@pytest.fixture(scope="module")
def bucket(s3_server: LocalS3) -> str:
    return s3_server.new_bucket()


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, s3_server: LocalS3, bucket: str
) -> Iterator[tuple[App, str]]:
    _require_chromium()
    for old in Path("/tmp").glob("pj_decks_*.png"):
        old.unlink()
    root = tmp_path_factory.mktemp("browser_decks_s3")
    database_url = f"sqlite:///{root}/app.db"
    engine = make_engine(database_url)
    migrate(engine)
    contest = make_contest(engine, name="Prix S3 2027")
    with session_scope(engine) as session:
        session.get(Contest, contest.id).language = "en"
    engine.dispose()
    values, port = app_settings(root, PITCHJUDGE_DATABASE_URL=database_url)
    values.update(s3_server.env(bucket))
    with serve(root, values, port) as server:
        yield server, database_url


def _pitches(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with session_scope(engine, read_only=True) as session:
            return session.exec(select(func.count()).select_from(Pitch)).one()
    finally:
        engine.dispose()


def _s3(s3_server: LocalS3):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
    )


def test_apply_with_decks_on_s3_then_a_refusing_bucket(
    app: tuple[App, str], page: Page, s3_server: LocalS3, bucket: str, tmp_path: Path
) -> None:
    server, database_url = app
    deck = tmp_path / "first" / "deck.pdf"
    deck.parent.mkdir()
    deck.write_bytes(make_deck(pages=4))
    open_apply_page(page, server)
    fill_apply_form(page, name="Kelvio", email="camille@kelvio.example", deck=deck)
    page.get_by_role("button", name="Submit my application").click()
    expect(page.get_by_text("is registered")).to_be_visible(timeout=LONG_MS)
    link = page.locator("code").first.inner_text()
    keys = [o["Key"] for o in _s3(s3_server).list_objects_v2(Bucket=bucket)["Contents"]]
    assert sum(key.endswith("/deck.pdf") for key in keys) == 1
    assert sum("/pages/" in key for key in keys) == 4

    # The private link shows the deck, read from the bucket through the app.
    page.goto(link.strip())
    wait_for_app(page)
    image = page.get_by_role("img", name="Page 1 of 4 of the deck")
    expect(image).to_be_visible(timeout=LONG_MS)
    assert page.evaluate(
        "() => [...document.images].some(i => i.alt.startsWith('Page 1') && i.naturalWidth > 0)"
    )
    shot(page, "01_deck_read_from_s3")
    Path("/tmp/pj_browser_01_deck_read_from_s3.png").replace("/tmp/pj_decks_01_from_s3.png")

    # The bucket now refuses every write (gone): the next applicant is told, nothing saved.
    client = _s3(s3_server)
    for key in keys:
        client.delete_object(Bucket=bucket, Key=key)
    client.delete_bucket(Bucket=bucket)
    second = tmp_path / "second" / "noxa-deck.pdf"
    second.parent.mkdir()
    second.write_bytes(make_deck(pages=3, seed=5))
    open_apply_page(page, server)
    fill_apply_form(page, name="Noxa Robotics", email="team@noxa.example", deck=second)
    page.get_by_role("button", name="Submit my application").click()
    alert = page.get_by_test_id("stAlert").filter(has_text="could not be stored")
    expect(alert).to_be_visible(timeout=LONG_MS)
    expect(alert).to_contain_text(
        "Your deck could not be stored, so nothing was saved. Try again in a few minutes"
    )
    expect(page.get_by_label("Startup name *", exact=True)).to_have_value(
        "Noxa Robotics", timeout=SHORT_MS
    )
    expect(page.get_by_text("is registered")).to_have_count(0)
    shot(page, "02_bucket_refuses")
    Path("/tmp/pj_browser_02_bucket_refuses.png").replace("/tmp/pj_decks_02_refused.png")
    assert _pitches(database_url) == 1
