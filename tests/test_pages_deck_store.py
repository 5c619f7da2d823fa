"""The pages on each kind of deck store (AppTest): an upload to S3, a full disk refused with a
clear message, and deck pages that say so when the store does not answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import func, select

from pitchjudge.config import load_settings
from pitchjudge.db import session_scope
from pitchjudge.deck_store import open_deck_store
from pitchjudge.decks import deck_pdf_key, has_deck
from pitchjudge.models import Deck, Pitch
from pitchjudge.services import applications
from tests import disk_support, pdf_samples
from tests.apptest_support import run_page, texts
from tests.factories import make_contest, submit
from tests.s3_support import LocalS3, free_port, local_s3
from tests.test_pages import fill_apply_form, submit_form

NOT_STORED = "Your deck could not be stored, so nothing was saved"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[LocalS3]:
    with local_s3() as server:
        yield server


def _use_store(monkeypatch: pytest.MonkeyPatch, **env: str):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()  # the settings were cached with the previous store
    st.cache_data.clear()
    return load_settings(env_file=None)


def _count(engine, model) -> int:
    with session_scope(engine, read_only=True) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_apply_and_read_the_deck_back_on_s3(app_env, s3_server, monkeypatch) -> None:
    engine, _ = app_env
    settings = _use_store(monkeypatch, **s3_server.env(s3_server.new_bucket()))
    make_contest(engine)
    deck = pdf_samples.make_deck(pages=3)
    at = run_page()
    fill_apply_form(at, deck=deck)
    submit_form(at)
    assert "is registered" in texts(at)
    token = at.code[0].value.split("token=")[1].split("&")[0]
    store = open_deck_store(settings)
    with session_scope(engine, read_only=True) as session:
        pitch = applications.application_by_token(session=session, token=token)
        stored = applications.current_deck(session=session, pitch_id=pitch.id)
    assert has_deck(store, stored.sha256) and store.read(deck_pdf_key(stored.sha256)) == deck
    assert not Path("data/decks").exists() and not (Path.cwd() / "data" / "decks").exists()

    # The applicant's page draws the pages from the bucket, the organisers' list its thumbnail.
    at = run_page("pages/my_application.py", params={"token": token})
    assert "not available" not in texts(at) and "cannot be loaded" not in texts(at)
    assert len(at.get("image")) == 1
    assert at.select_slider(key="mine_deck_page").options == ["1 / 3", "2 / 3", "3 / 3"]
    at = run_page("pages/applications.py", organiser=True)
    assert len(at.get("image")) == 1  # the card's thumbnail


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    with disk_support.tiny_disk(tmp_path / "tiny") as disk:
        yield disk


def test_apply_on_a_full_disk_says_nothing_was_saved(app_env, tiny_disk, monkeypatch) -> None:
    engine, _ = app_env
    _use_store(monkeypatch, PITCHJUDGE_DECK_STORE=f"file://{tiny_disk}/decks")
    make_contest(engine)
    disk_support.fill(tiny_disk, 40)
    at = run_page()
    fill_apply_form(at, deck=pdf_samples.make_deck(4, noise_images=1))
    submit_form(at)
    assert NOT_STORED in texts(at)
    assert "is registered" not in texts(at)
    assert at.text_input(key="f_name").value == "Kelvio"  # what was typed stays for a retry
    assert _count(engine, Pitch) == 0 and _count(engine, Deck) == 0
    assert sorted(p.name for p in tiny_disk.rglob("*")) == ["decks", "filler.bin"]

    # In French too (the message is translated).
    at = run_page(lang="fr")
    fill_apply_form(at, deck=pdf_samples.make_deck(4, noise_images=1))
    at.button(key="FormSubmitter:apply_form-Envoyer ma candidature").click()
    at.run()
    assert not at.exception
    assert "Votre deck n’a pas pu être enregistré" in texts(at)


def test_replacing_a_deck_on_a_full_disk_keeps_the_old_one(app_env, tiny_disk, monkeypatch) -> None:
    engine, _ = app_env
    settings = _use_store(monkeypatch, PITCHJUDGE_DECK_STORE=f"file://{tiny_disk}/decks")
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id, deck=pdf_samples.make_deck(pages=2))
    with session_scope(engine, read_only=True) as session:
        before = applications.current_deck(session=session, pitch_id=result.pitch.id)
    disk_support.fill(tiny_disk, 40)
    at = run_page("pages/my_application.py", params={"token": result.token})
    at.file_uploader(key="mine_new_deck").set_value(
        ("v2.pdf", pdf_samples.make_deck(4, noise_images=1), "application/pdf")
    )
    at.run()
    at.button(key="mine_replace").click()
    at.run()
    assert not at.exception
    assert any(NOT_STORED in e.value for e in at.error)
    assert "Your new deck is in place" not in texts(at)
    with session_scope(engine, read_only=True) as session:
        after = applications.current_deck(session=session, pitch_id=result.pitch.id)
    assert (after.id, after.sha256) == (before.id, before.sha256)
    assert _count(engine, Deck) == 1
    assert not list(tiny_disk.glob("decks/.incoming-*"))


def test_deck_pages_say_so_when_the_store_does_not_answer(app_env, monkeypatch) -> None:
    engine, settings = app_env
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id, deck=pdf_samples.make_deck(pages=2))
    # The same app, its decks now on an S3 endpoint that does not answer.
    _use_store(
        monkeypatch,
        PITCHJUDGE_DECK_STORE="s3://gone-bucket/decks",
        PITCHJUDGE_S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        AWS_ACCESS_KEY_ID="k",
        AWS_SECRET_ACCESS_KEY="s",
        AWS_DEFAULT_REGION="eu-west-3",
    )
    at = run_page("pages/my_application.py", params={"token": result.token})
    assert not at.exception
    assert "cannot be loaded right now" in texts(at)
    at = run_page("pages/applications.py", organiser=True)
    assert not at.exception and len(at.get("image")) == 0
    at.session_state["applications_selected"] = result.pitch.id
    at.run()
    assert not at.exception and "cannot be loaded right now" in texts(at)
