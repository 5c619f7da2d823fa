"""Demo contest content: 24 plausible French startups, 6 judges, and real-looking PDF decks."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pypdfium2 as pdfium
import pytest

from pitchjudge.demo_content import (
    DEMO_CATEGORIES,
    DEMO_JUDGES,
    DEMO_STARTUPS,
    DemoStartup,
    make_demo_deck,
)
from pitchjudge.validation import clean_email, clean_url

EMAIL = re.compile(r"^[a-z0-9][a-z0-9._-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.example$")
URL = re.compile(r"^https://[a-z0-9-]+(\.[a-z0-9-]+)*\.example$")
POINTS_PER_MM = 72 / 25.4


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


@pytest.fixture(scope="module")
def decks() -> dict[str, bytes]:
    return {startup.startup_name: make_demo_deck(startup) for startup in DEMO_STARTUPS}


def test_24_startups_6_in_each_of_4_categories() -> None:
    assert len(DEMO_STARTUPS) == 24
    assert len(DEMO_CATEGORIES) == 4
    assert len(set(DEMO_CATEGORIES)) == 4
    counts = Counter(startup.category for startup in DEMO_STARTUPS)
    assert counts == dict.fromkeys(DEMO_CATEGORIES, 6)


def test_names_emails_and_websites_are_distinct() -> None:
    names = [startup.startup_name.casefold() for startup in DEMO_STARTUPS]
    emails = [startup.contact_email for startup in DEMO_STARTUPS]
    websites = [startup.website for startup in DEMO_STARTUPS]
    judge_emails = [email for _, email, _ in DEMO_JUDGES]
    assert len(set(names)) == len(names)
    assert len(set(emails)) == len(emails)
    assert len(set(websites)) == len(websites)
    assert len(set(emails + judge_emails)) == len(emails) + len(judge_emails)


@pytest.mark.parametrize("startup", DEMO_STARTUPS, ids=lambda s: s.startup_name)
def test_startup_fields_look_real(startup: DemoStartup) -> None:
    assert EMAIL.match(startup.contact_email), startup.contact_email
    assert URL.match(startup.website), startup.website
    # The application form's own validators accept them unchanged.
    assert clean_email(startup.contact_email) == startup.contact_email
    assert clean_url(startup.website) == startup.website
    assert startup.startup_name.strip() and len(startup.startup_name) <= 120
    assert 30 <= len(startup.one_liner) <= 200
    assert _sentences(startup.one_liner) == 1
    assert 3 <= _sentences(startup.description) <= 5
    assert re.search(r"\d", startup.description), "the description should quote traction numbers"
    assert len(startup.description) <= 5000
    assert re.fullmatch(r"[^,()]+ \([A-Z]{3}\)(, [^,()]+ \([A-Z]{3}\))*", startup.founders)
    for text in (startup.startup_name, startup.one_liner, startup.founders, startup.description):
        assert text == unicodedata.normalize("NFC", text)
        assert text == " ".join(text.split()), "no stray or double spaces"
    titles = [title for title, _ in startup.slides]
    assert 6 <= len(titles) <= 9 and len(set(titles)) == len(titles)
    assert all(bullets and all(b.strip() for b in bullets) for _, bullets in startup.slides)


def test_judges() -> None:
    assert len(DEMO_JUDGES) == 6
    assert len({name for name, _, _ in DEMO_JUDGES}) == 6
    for name, email, affiliation in DEMO_JUDGES:
        assert name.strip() and affiliation.strip()
        assert EMAIL.match(email), email
        assert clean_email(email) == email


def test_decks_are_16_9_pdfs_of_7_to_10_slides(decks: dict[str, bytes]) -> None:
    for name, data in decks.items():
        assert data.startswith(b"%PDF-"), name
        assert 15_000 <= len(data) <= 150_000, (name, len(data))
        doc = pdfium.PdfDocument(data)
        try:
            assert 7 <= len(doc) <= 10, name
            for index in range(len(doc)):
                width, height = doc[index].get_size()
                assert width > height
                assert width / height == pytest.approx(16 / 9, rel=0.005), (name, index)
                assert height == pytest.approx(190.5 * POINTS_PER_MM, abs=1)
        finally:
            doc.close()


def test_first_slide_shows_the_startup_name(decks: dict[str, bytes]) -> None:
    for startup in DEMO_STARTUPS:
        doc = pdfium.PdfDocument(decks[startup.startup_name])
        try:
            first_page = doc[0].get_textpage().get_text_range()
            last_page = doc[len(doc) - 1].get_textpage().get_text_range()
        finally:
            doc.close()
        assert startup.startup_name in first_page
        assert startup.one_liner.split()[0] in first_page
        assert "Prix Lyon Startup Web 2027" in first_page
        assert startup.startup_name in last_page  # footer


def test_deck_text_keeps_french_accents(decks: dict[str, bytes]) -> None:
    doc = pdfium.PdfDocument(decks["Kinéo Live"])
    try:
        text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    for word in ("Kinéo", "problème", "Modèle économique", "L’équipe", "k€"):
        assert word in text


def test_decks_are_deterministic(decks: dict[str, bytes]) -> None:
    for startup in DEMO_STARTUPS[:4]:
        assert make_demo_deck(startup) == decks[startup.startup_name]


def test_decks_differ_between_startups(decks: dict[str, bytes]) -> None:
    assert len(set(decks.values())) == len(DEMO_STARTUPS)


def test_a_custom_startup_gets_a_deck_too() -> None:
    """Startups built by hand (other titles, text outside latin-1) still render."""
    startup = DemoStartup(
        startup_name="Cœur d’Œuvre",
        one_liner="Une startup — inventée – pour vérifier les caractères “spéciaux” → 🚀.",
        category="Autre",
        website="https://coeur.example",
        founders="Zoé Œhler (CEO), Li Wei (CTO)",
        contact_email="zoe@coeur.example",
        description="Une description.",
        slides=(
            ("Le problème", ("Un problème très long " * 40,)),
            ("Pourquoi maintenant", tuple(f"Raison {i}" for i in range(15))),
            ("Traction", ("Des clients",)),
            ("Concurrence", ("Un concurrent : trop cher", "Notre avantage : le prix")),
            ("Le marché", ("Grand", "Moyen", "Petit")),
            ("L’équipe", ("Zoé Œhler (CEO) : ex-ingénieure",)),
            ("Notre levée", ("Nous levons 500 k€",)),
        ),
    )
    data = make_demo_deck(startup)
    doc = pdfium.PdfDocument(data)
    try:
        assert len(doc) == 8
        assert "Cœur d’Œuvre" in doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    assert make_demo_deck(startup) == data
