"""Display helpers with no Streamlit: dates in the contest's timezone, sizes, inert text."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_date, format_time, format_timedelta
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol

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


def format_start_time(
    value: datetime, *, timezone: str, language: str, now: datetime | None = None
) -> str:
    """An announced start: the time alone on its day ("19:00", "7:00 PM"), else with the
    date ("6 déc. 2026, 19:00"), in `timezone`."""
    zone = ZoneInfo(timezone)
    local = value.astimezone(zone)
    if local.date() == (now or utcnow()).astimezone(zone).date():
        return format_time(local, format="short", locale=language)
    day = format_date(local, format="medium", locale=language)
    return f"{day}, {format_time(local, format='short', locale=language)}"


def time_left(deadline: datetime, *, language: str, now: datetime | None = None) -> str:
    """'in 3 days' / 'dans 3 jours' until `deadline` (empty once it has passed)."""
    delta = deadline - (now or utcnow())
    if delta.total_seconds() <= 0:
        return ""
    return format_timedelta(
        delta, granularity="minute", threshold=1.5, add_direction=True, locale=language
    )


def time_ago(moment: datetime, *, language: str, now: datetime | None = None) -> str:
    """'34 seconds ago' / 'il y a 2 minutes' since `moment` (at least a second: "in 0
    seconds" would read as the future)."""
    ago = max(timedelta(seconds=1), (now or utcnow()) - moment)
    return format_timedelta(-ago, add_direction=True, locale=language)


def format_size(size_bytes: int | None) -> str:
    """A file size in KB or MB."""
    if size_bytes is None:
        return "—"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes / 1024 / 1024:.1f} MB"


def format_number(value: float, *, language: str = "en") -> str:
    """As few decimals as needed, as `language` writes them: 1.0 → '1', 0.5 → '0.5' ('0,5')."""
    return format_decimal(float(value), format="#,##0.######", locale=language)


def format_share(share: float, *, language: str = "en") -> str:
    """A share as a percentage, as `language` writes it: 0.0375 → '3.75%' ('3,75 %')."""
    return format_percent(round(float(share), 6), locale=language, decimal_quantization=False)


def format_fixed(value: float | None, *, digits: int = 2, language: str = "en") -> str:
    """A total or a mean with a fixed number of decimals: 442.5 → '442.50' ('442,50');
    a missing or impossible value ('nan') is an empty cell."""
    if value is None or pd.isna(value):
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(float(value), format=pattern, locale=language)


def format_number_text(text: str | None, *, language: str) -> str:
    """A value kept as text (an audit event's before/after): a number is rewritten the way
    `language` writes it ('2.5' → '2,5'); words are left as they are."""
    if not text:
        return ""
    try:
        number = float(text)
    except ValueError:
        return text
    return format_number(number, language=language) if pd.notna(number) else text


def decimal_separator(language: str) -> str:
    """'.' in English, ',' in French."""
    return get_decimal_symbol(locale=language)


def plotly_separators(language: str) -> str:
    """Plotly's `separators` (decimal, then thousands) for `language`: '.,' or ', '."""
    group = get_group_symbol(locale=language)
    # A narrow no-break space draws as a box in some fonts: a plain space reads the same.
    return decimal_separator(language) + (" " if group.isspace() else group)


def localized_table(
    frame: pd.DataFrame, *, language: str, digits: int = 2, integers: tuple[str, ...] = ()
) -> pd.DataFrame:
    """A table for the screen: every decimal column written as `language` writes numbers
    (fixed `digits`), the `integers` columns without decimals, booleans as ✓, and missing
    values as empty cells (never 'nan', 'None' or 'True')."""
    shown = frame.copy()
    for column in shown.columns:
        series = shown[column]
        if pd.api.types.is_bool_dtype(series):
            shown[column] = series.map(lambda flag: "✓" if flag else "")
        elif column in integers or pd.api.types.is_integer_dtype(series):
            shown[column] = series.map(
                lambda v: "" if pd.isna(v) else format_decimal(int(v), locale=language)
            )
        elif pd.api.types.is_float_dtype(series):
            shown[column] = series.map(lambda v: format_fixed(v, digits=digits, language=language))
        elif series.dtype == object:
            shown[column] = series.map(lambda v: "" if v is None or v is pd.NA else v)
    return shown


#: Characters an XLSX cell cannot hold (XML 1.0 forbids them; openpyxl refuses the workbook).
_ILLEGAL_IN_CELLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def spreadsheet_text(value: object) -> str:
    """Text for a CSV or XLSX cell that a spreadsheet will never run as a formula, without
    the control characters a workbook cannot hold (one pasted \x0b would break the file)."""
    text = "" if value is None else _ILLEGAL_IN_CELLS.sub("", str(value))
    # A cell starting with = + - @ runs as a formula when the file is opened in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def localized_style(frame: pd.DataFrame, *, language: str, digits: int = 2):
    """The table as a pandas Styler for the screen: decimals written as `language` writes
    them (442,50), missing values as empty cells and booleans as ✓, the numbers staying numbers
    (so a column still sorts by value)."""
    group = get_group_symbol(locale=language)
    styler = frame.style.format(
        precision=digits,
        decimal=decimal_separator(language),
        thousands=" " if group.isspace() else group,
        na_rep="",
    )
    flags = [c for c in frame.columns if pd.api.types.is_bool_dtype(frame[c])]
    if flags:
        styler = styler.format(lambda flag: "✓" if flag else "", subset=flags)
    return styler
