"""Display helpers with no Streamlit: dates in the contest's timezone, sizes, inert text."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, format_timedelta
from babel.dates import format_datetime as _babel_datetime

from pitchjudge.models import utcnow

WORD_JOINER = "\u2060"
_AUTOLINK_TRIGGERS = re.compile(r"\\:|@|(?i:www)(?=\\\.)")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=\"'&^])")


def escape_markdown(text: str | None) -> str:
    """`text` made inert for st.markdown: no formatting, links, HTML, LaTeX or colour directives."""
    if not text:
        return ""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # Escapes do not stop what Streamlit's renderer finds in the text itself: bare URLs,
    # www. addresses and e-mails become links, :material/…: and :emoji: become icons. An
    # invisible word joiner after every colon and @, and inside "www.", breaks each pattern.
    escaped = _AUTOLINK_TRIGGERS.sub(lambda m: m.group(0) + WORD_JOINER, escaped)
    # Single newlines would collapse into spaces: make them hard line breaks.
    return escaped.replace("\n", "  \n")


def format_datetime(value: datetime | None, *, timezone: str, language: str) -> str:
    """A timestamp as people of `language` write it, in `timezone`, with the zone's name."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(timezone))
    day = format_date(local, format="full", locale=language)
    return f"{day}, {format_time(local, format='short', locale=language)} ({timezone})"


def format_datetime_short(value: datetime | None, *, timezone: str, language: str) -> str:
    """A compact timestamp for tables, in `timezone`."""
    if value is None:
        return "—"
    return _babel_datetime(value, format="short", locale=language, tzinfo=ZoneInfo(timezone))


def time_left(deadline: datetime, *, language: str, now: datetime | None = None) -> str:
    """'in 3 days' / 'dans 3 jours' until `deadline` (empty once it has passed)."""
    delta = deadline - (now or utcnow())
    if delta.total_seconds() <= 0:
        return ""
    return format_timedelta(
        delta, granularity="minute", threshold=1.5, add_direction=True, locale=language
    )


def format_size(size_bytes: int | None) -> str:
    """A file size in KB or MB."""
    if size_bytes is None:
        return "—"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes / 1024 / 1024:.1f} MB"


def format_number(value: float) -> str:
    """1.0 → '1', 0.5 → '0.5'."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


#: Characters an XLSX cell cannot hold (XML 1.0 forbids them; openpyxl refuses the workbook).
_ILLEGAL_IN_CELLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def spreadsheet_text(value: object) -> str:
    """Text for a CSV or XLSX cell that a spreadsheet will never run as a formula, without
    the control characters a workbook cannot hold (one pasted \x0b would break the file)."""
    text = "" if value is None else _ILLEGAL_IN_CELLS.sub("", str(value))
    # A cell starting with = + - @ runs as a formula when the file is opened in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
