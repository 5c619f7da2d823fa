"""The audience vote's organiser panel (Stage page) and projector view through AppTest."""

from __future__ import annotations

import csv
import io
import re

import pytest
from PIL import Image
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from pitchjudge.db import session_scope
from pitchjudge.links import secret_key
from pitchjudge.models import Contest, Pitch, VoteMode
from pitchjudge.qr import qr_png, qr_svg_data_uri
from pitchjudge.services import auth, board, votes
from tests.apptest_support import html_texts, run_page, texts
from tests.factories import make_judging

HOSTILE = "<img src=x onerror=alert(1)>**bold**"


def status(engine, w):
    with session_scope(engine, read_only=True) as session:
        return votes.status(session=session, round_id=w["round_id"])


def test_the_organiser_opens_and_closes_the_vote_after_confirming(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    at = run_page("pages/stage.py", organiser=True)
    assert status(engine, w).state == votes.NOT_OPEN
    at.button(key=f"vote_open_{w['round_id']}").click().run()
    assert "The vote is open." in texts(at)
    assert status(engine, w).state == votes.OPEN
    with session_scope(engine) as session:
        votes.cast_vote(
            session=session, token=status(engine, w).token, pitch_id=w["pitches"][0], device_id="a"
        )
    at.run()
    at.button(key="vote_close").click().run()
    assert "**1** person has voted." in texts(at)  # the dialog says what it will do
    assert status(engine, w).state == votes.OPEN
    at.button(key="vote_close__confirm").click().run()
    assert "The vote is closed." in texts(at)
    assert status(engine, w).state == votes.CLOSED
    assert not at.exception


def test_ticket_codes_are_generated_then_replaced_after_confirming(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    at = run_page("pages/stage.py", organiser=True)
    at.radio(key=f"vote_mode_{w['round_id']}").set_value(VoteMode.TICKETS).run()
    assert status(engine, w).mode == VoteMode.TICKETS
    at.number_input(key=f"vote_ticket_count_{w['round_id']}").set_value(30).run()
    at.button(key="vote_generate").click().run()
    assert "30 codes generated." in texts(at)
    assert status(engine, w).tickets == 30
    assert [b.label for b in at.get("download_button")] == [
        "Badges to print (QR codes)",
        "Codes as CSV (ticketing tool)",
    ]
    at.button(key="vote_tickets").click().run()
    assert "The **30** codes printed so far stop working" in texts(at)
    at.button(key="vote_tickets__confirm").click().run()
    assert status(engine, w).tickets == 30 and not at.exception


def test_the_projector_shows_the_vote_and_its_tally_escaped(app_env):
    engine, settings = app_env
    w = make_judging(engine, settings, pitches=2)
    with session_scope(engine) as session:
        session.get(Pitch, w["pitches"][0]).startup_name = HOSTILE
        organiser = auth.open_organiser_session(session=session)
        display = board.display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
    with session_scope(engine) as session:
        votes.configure(
            session=session, organiser_token=organiser, round_id=w["round_id"], on_projector=True
        )
        votes.open_window(session=session, organiser_token=organiser, round_id=w["round_id"])
        token = votes.window_for_round(session=session, round_id=w["round_id"]).token
        votes.cast_vote(session=session, token=token, pitch_id=w["pitches"][0], device_id="a")
    at = run_page(params={"display": display})
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert 'data-voters="1"' in html and 'class="pj-bar" style="width:100.0%"' in html
    assert "&lt;img src=x onerror=alert(1)&gt;**bold**" in html and "<img src=x" not in html
    # Hidden until the reveal.
    with session_scope(engine) as session:
        votes.configure(
            session=session, organiser_token=organiser, round_id=w["round_id"], live_tally=False
        )
    at.run()
    html = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "hidden until the reveal" in html and 'class="pj-bar"' not in html
    assert not at.exception


def qr_modules(png: bytes, size: int) -> list[list[bool]]:
    """The dark and light modules of a square QR image of `size` modules a side, read at
    each module's centre (whatever the image's scale or resizing)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    step = image.width / size
    return [
        [image.getpixel((int((x + 0.5) * step), int((y + 0.5) * step))) < 128 for x in range(size)]
        for y in range(size)
    ]


def served_files(monkeypatch) -> dict[str, bytes]:
    """The bytes of every image and download the next runs hand to Streamlit, by file id."""
    served: dict[str, bytes] = {}
    real_load = MemoryMediaFileStorage.load_and_get_id

    def load(self, data, *args, **kwargs):
        file_id = real_load(self, data, *args, **kwargs)
        served[file_id] = data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load)
    return served


def served(files: dict[str, bytes], url: str) -> bytes:
    return files[url.rsplit("/", 1)[-1].split(".")[0]]


@pytest.mark.parametrize(("language", "separator"), [("en", ","), ("fr", ";")])
def test_the_badges_and_the_csv_hold_every_ticket_code_and_its_link(
    app_env, monkeypatch, language, separator
):
    """… and the CSV separates its cells as the contest's spreadsheet expects (`;` in French)."""
    engine, settings = app_env
    base = "https://pitch.example/final"
    monkeypatch.setenv("PITCHJUDGE_BASE_URL", base)
    files = served_files(monkeypatch)
    w = make_judging(engine, settings, pitches=2)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = language
    at = run_page("pages/stage.py", organiser=True)
    at.radio(key=f"vote_mode_{w['round_id']}").set_value(VoteMode.TICKETS).run()
    at.number_input(key=f"vote_ticket_count_{w['round_id']}").set_value(7).run()
    at.button(key="vote_generate").click().run()
    token = status(engine, w).token
    with session_scope(engine, read_only=True) as session:
        codes = votes.ticket_codes(
            session=session, key=secret_key(settings), round_id=w["round_id"]
        )
    assert len(codes) == 7
    printed = {number: f"{code[:4]}-{code[4:8]}-{code[8:]}" for number, code in codes}
    links = {number: f"{base}/vote/{token}?code={shown}" for number, shown in printed.items()}
    downloads = {b.proto.id.rsplit("-", 1)[-1]: b.proto.url for b in at.get("download_button")}
    sheet = served(files, downloads["vote_badges"]).decode()
    badges = {
        int(re.search(r'class="num">#(\d+)<', badge).group(1)): badge
        for badge in sheet.split('<section class="badge">')[1:]
    }
    assert sorted(badges) == sorted(printed)
    for number, badge in badges.items():  # its code in print, its own vote link in the QR code
        assert f'<p class="code">{printed[number]}</p>' in badge
        assert f'<img src="{qr_svg_data_uri(links[number])}"' in badge
    table = served(files, downloads["vote_codes_csv"])
    text = table.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    assert len(rows[0]) == 3  # the header: number, code, vote link (in the page's language)
    assert rows[1:] == [[str(number), printed[number], links[number]] for number in sorted(printed)]
    assert text.splitlines()[1] == separator.join(rows[1])
    assert not at.exception


def test_the_projector_shows_the_qr_code_of_the_vote_page(app_env, monkeypatch):
    engine, settings = app_env
    base = "https://pitch.example/final"
    monkeypatch.setenv("PITCHJUDGE_BASE_URL", base)
    files = served_files(monkeypatch)
    w = make_judging(engine, settings, pitches=2)
    with session_scope(engine) as session:
        organiser = auth.open_organiser_session(session=session)
        display = board.display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
        votes.configure(
            session=session, organiser_token=organiser, round_id=w["round_id"], on_projector=True
        )
        token = votes.window_for_round(session=session, round_id=w["round_id"]).token
    at = run_page(params={"display": display})
    link = f"{base}/vote/{token}"
    assert link in html_texts(at)  # the address, for those without a camera
    [url] = [url for image in at.get("image") for url in image.value]
    rendered = served(files, url)
    # Streamlit scales the image to its width on the screen: the modules are compared, at
    # the centre of each, with the QR code of the vote page's link.
    size = Image.open(io.BytesIO(qr_png(link, scale=1))).width
    assert qr_modules(rendered, size) == qr_modules(qr_png(link, scale=1), size)
    assert qr_modules(rendered, size) != qr_modules(
        qr_png(f"{base}/vote/{'x' * 43}", scale=1), size
    )
    assert not at.exception
