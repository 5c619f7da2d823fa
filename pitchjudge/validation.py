"""Cleaning and checking of what people type: text, emails, web addresses."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from pitchjudge.errors import ValidationError

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
#: A plausible address (also used for the sender's address in the settings).
EMAIL_PATTERN = _EMAIL
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def clean_text(
    value: object,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Trimmed text without control characters; raises ValidationError naming `label`."""
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    keep = "\n\t" if multiline else ""
    text = "".join(ch for ch in text if ch in keep or unicodedata.category(ch)[0] != "C")
    text = text.strip() if multiline else " ".join(text.split())
    if required and not text:
        raise ValidationError("{label} is required.", field=field, label=label)
    if len(text) > max_length:
        raise ValidationError(
            "{label} is too long ({length} characters; at most {limit}).",
            field=field,
            label=label,
            length=len(text),
            limit=max_length,
        )
    return text


def clean_typed_text(value: object) -> str:
    """Free text as typed or pasted (comments, notes), kept as written except for control
    characters: line breaks and tabs stay, the others (\x0b, \x1b …) go."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def clean_email(value: object, *, field: str = "contact_email", label: str = "Email") -> str:
    """A plausible email address, domain lower-cased."""
    text = clean_text(value, field=field, label=label, max_length=254)
    if not _EMAIL.match(text):
        raise ValidationError(
            "{value} is not a valid email address (expected name@example.org).",
            field=field,
            value=text,
        )
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def clean_url(value: object, *, field: str = "website", label: str = "Website") -> str:
    """An http(s) address, or '' when left empty; `https://` is added when the scheme is missing."""
    text = clean_text(value, field=field, label=label, max_length=300, required=False)
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if (
        parts.scheme not in ("http", "https")
        or not _HOST.match(parts.hostname or "")
        or " " in text
    ):
        raise ValidationError(
            "{value} is not a web address (expected https://example.org).",
            field=field,
            value=text,
        )
    return text


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same once case, accents-composition and spacing are ignored."""

    def key(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())

    return key(a) == key(b)
