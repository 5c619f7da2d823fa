"""Translations: one gettext function per language, backed by the Babel .po catalogs in locale/."""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from pitchjudge.errors import N_

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "Gettext",
    "get_gettext",
    "get_ngettext",
    "get_pgettext",
]

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: dict[str, str] = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"
DOMAIN = "messages"

Gettext = Callable[[str], str]


@lru_cache(maxsize=8)
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalog of `language` (English is the source language: identity)."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    # Compiling in memory keeps the .po the single source of truth: no stale .mo to commit.
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def get_gettext(language: str) -> Gettext:
    """The translate function for `language`; unknown languages fall back to English."""
    return translations(language if language in LANGUAGES else "en").gettext


def get_pgettext(language: str) -> Callable[[str, str], str]:
    """The context-aware translate function (same English, different French by context)."""
    return translations(language if language in LANGUAGES else "en").pgettext


def get_ngettext(language: str) -> Callable[[str, str, int], str]:
    """The plural-aware translate function for `language`."""
    return translations(language if language in LANGUAGES else "en").ngettext
