"""Translations: every UI string is in the French catalog, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pitchjudge.errors import DeadlinePassed, ValidationError
from pitchjudge.i18n import LOCALE_DIR, get_gettext, get_ngettext

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The message ids the code holds today, extracted as `make i18n` does."""
    makefile = (ROOT / "Makefile").read_text()
    keywords = re.search(r"KEYWORDS := (.*?)\n\n", makefile, re.S).group(1)
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            *keywords.replace("\\\n", " ").split(),
            "--no-location",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with out.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.fixture(scope="module")
def french():
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale="fr")


def test_every_ui_string_has_a_french_translation(extracted, french):
    translated = {m.id for m in french if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted - translated)
    assert missing == [], f"run `make i18n` and translate: {missing}"


def test_translations_keep_their_placeholders(french):
    for message in french:
        if not (message.id and message.string):
            continue
        if isinstance(message.id, tuple):  # ngettext: the plural's placeholders, in each form
            plural = set(PLACEHOLDER.findall(message.id[1]))
            forms = [set(PLACEHOLDER.findall(form)) for form in message.string]
            assert all(form <= plural for form in forms), message.id
            assert forms[-1] == plural, message.id
        else:
            assert set(PLACEHOLDER.findall(message.id)) == set(
                PLACEHOLDER.findall(message.string)
            ), message.id


def test_plurals_agree_with_their_count():
    ngettext = get_ngettext("fr")
    one = "The {count} current criterion is deleted"
    many = "The {count} current criteria are deleted"
    assert ngettext(one, many, 1).format(count=1) == "Le critère actuel est supprimé"
    assert ngettext(one, many, 3).format(count=3) == "Les 3 critères actuels sont supprimés"
    one, many = "Promote this {count}", "Promote these {count}"
    assert ngettext(one, many, 1).format(count=1) == "Qualifier cette startup"
    assert ngettext(one, many, 6).format(count=6) == "Qualifier ces 6"


def test_languages_switch_and_unknown_falls_back_to_english():
    assert get_gettext("fr")("Apply") == "Candidater"
    assert get_gettext("en")("Apply") == "Apply"
    assert get_gettext("de")("Apply") == "Apply"


def test_domain_errors_are_translated_with_their_parameters():
    error = ValidationError("{label} is required.", field="name", label="Startup name")
    french_message = error.localized(get_gettext("fr"))
    assert "Nom de la startup" in french_message and "obligatoire" in french_message
    assert str(error) == "Startup name is required."
    late = DeadlinePassed("Applications are not open yet.")
    assert late.localized(get_gettext("fr")) != str(late)
