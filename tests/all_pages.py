"""The all-pages check's shared pieces: a French demo contest in every role's reach, the roles
and their pages (read from the entry script's own navigation), and the English words that
must never show in French."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from sqlmodel import select

from pitchjudge.config import Settings, load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.demo import seed_demo
from pitchjudge.models import Judge, Pitch, Round
from pitchjudge.services import board, contests, feedback, judges

REPO = Path(__file__).resolve().parents[1]
# The English to look for: this catalog's msgids (another catalog can be named, e.g. to count
# what an older version of the app showed against today's list of strings).
CATALOG = Path(
    os.environ.get(
        "PITCHJUDGE_CHECK_CATALOG",
        REPO / "pitchjudge" / "locale" / "fr" / "LC_MESSAGES" / "messages.po",
    )
)

# Streamlit's own English, drawn by its widgets unless the app passes its own words.
STREAMLIT_ENGLISH = (
    "Choose an option",
    "Choose options",
    "Drag and drop file here",
    "Drag and drop files here",
    "per file",
    "Browse files",
    "No results",
    "Press Enter to apply",
    "Press Enter to submit form",
    "Page not found",
    "Running...",
)


@dataclass(frozen=True)
class Role:
    """Who visits: an id for the test, the query parameters of their link, signed in or not."""

    name: str
    params: dict[str, str] = field(default_factory=dict)
    organiser: bool = False


@dataclass(frozen=True)
class Contest:
    """The seeded database (a template to copy) and every role's link parameters."""

    database: Path
    data_dir: Path
    roles: tuple[Role, ...]


def app_values(root: Path) -> dict[str, str]:
    """The app's environment for a copy of the seeded contest in `root`."""
    return {
        "PITCHJUDGE_DATABASE_URL": f"sqlite:///{root}/app.db",
        "PITCHJUDGE_DATA_DIR": str(root / "data"),
        "PITCHJUDGE_ADMIN_PASSWORD": "organiser-secret",
        "PITCHJUDGE_LANGUAGE": "fr",
        "PITCHJUDGE_SECRET_KEY": "all-pages-check-secret-key-0123456789abcdef",
    }


def seed(root: Path) -> Contest:
    """The French demo contest, with the board live and the pre-selection's feedback released
    (so the projector, the stage screen and the applicant's feedback have something to show)."""
    root.mkdir(parents=True, exist_ok=True)
    values = app_values(root)
    settings: Settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    demo = seed_demo(engine=engine, settings=settings)
    with session_scope(engine) as session:
        rounds = contests.list_rounds(session=session, contest_id=demo.contest_id)
        first: Round = rounds[0]
        board.set_board(session=session, round_id=first.id, state="live")
        feedback.set_feedback_released(session=session, round_id=first.id, released=True)
        display = board.display_token(
            session=session, settings=settings, contest_id=demo.contest_id
        )
        judge = session.exec(select(Judge).order_by(Judge.id)).first()
        judge_token = judges.judge_token(settings=settings, judge=judge)
        pitch = session.exec(select(Pitch).order_by(Pitch.id)).first()
        pitch_id = pitch.id
    engine.dispose()
    roles = (
        Role("visitor"),
        Role("applicant", {"token": demo.sample_token}),
        Role("judge", {"judge": judge_token}),
        Role("judge_scorecard", {"judge": judge_token, "pitch": str(pitch_id)}),
        Role("organiser", organiser=True),
        Role("projector", {"display": display}),
        Role("stage_screen", {"display": display, "screen": "stage"}),
    )
    return Contest(database=root / "app.db", data_dir=root / "data", roles=roles)


def copy_to(contest: Contest, root: Path) -> dict[str, str]:
    """A private copy of the seeded contest in `root`; its environment."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(contest.database, root / "app.db")
    if not (root / "data").exists():
        shutil.copytree(contest.data_dir, root / "data")
    return app_values(root)


# --- English in French ------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^}]*\}|%\([^)]*\)[sd]|%[sd]")
_MARKUP = re.compile(r"[*_`#>]|:material/[a-z_]+:|\[|\]\([^)]*\)")


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub(" ", text).split())


@cache
def english_msgids() -> tuple[frozenset[str], tuple[str, ...]]:
    """The catalog's English that French says differently: short ones (matched as a whole
    element's text) and the literal fragments of long ones (matched anywhere)."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    whole: set[str] = set()
    fragments: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:  # the same in both languages ("Description", "Total")
                continue
            whole.add(_plain(_PLACEHOLDER.sub(" ", msgid)))
            for part in _PLACEHOLDER.split(msgid):
                part = _plain(part)
                # Three words or more: long enough not to be a name or a French word too.
                if len(part.split()) >= 3 and len(part) >= 15:
                    fragments.add(part)
    whole.discard("")
    return frozenset(whole), tuple(sorted(fragments, key=len, reverse=True))


_STYLE = re.compile(r"<style>.*?</style>", re.S)


def english_found(texts: list[str], attributes: list[str] = ()) -> list[str]:
    """The English (catalog msgids, Streamlit's own words) among these texts of a page
    (style sheets aside: they are not read). `attributes` (aria-label, title, placeholder)
    are checked for sentences only: Streamlit names its own controls in English ("Open",
    "Search"), which no parameter changes."""
    texts = [_STYLE.sub(" ", text) for text in texts if text]
    whole, fragments = english_msgids()
    found: list[str] = []
    plain = [_plain(text) for text in texts if text]
    for text in plain:
        if text in whole:
            found.append(text)
    joined = "\n".join(plain + [_plain(a) for a in attributes if a])
    found += [fragment for fragment in fragments if fragment in joined]
    everything = "\n".join([*texts, *attributes])
    found += [words for words in STREAMLIT_ENGLISH if words in everything]
    return sorted(set(found))


# --- what AppTest draws -----------------------------------------------------------------------

_TEXT_FIELDS = frozenset(
    {
        "label",
        "body",
        "help",
        "placeholder",
        "options",
        "text",
        "caption",
        "title",
        "content",
        "value",
        "message",
        "markdown",
        "delta_description",
        "tooltip",
    }
)


def _proto_texts(message, out: list[str]) -> None:
    for descriptor, value in message.ListFields():
        if descriptor.message_type is not None:
            items = [value] if hasattr(value, "ListFields") else list(value)
            for item in items:
                if hasattr(item, "ListFields"):
                    _proto_texts(item, out)
        elif descriptor.name in _TEXT_FIELDS:
            if isinstance(value, str):
                items = [value]
            elif isinstance(value, int | float | bool | bytes):
                continue
            else:
                items = list(value)
            out.extend(item for item in items if isinstance(item, str))


def apptest_texts(at) -> list[str]:
    """Every text a person reads in an AppTest run (labels, help, placeholders, options,
    messages, headings, table headers), one string per field."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            _proto_texts(proto, out)
        if getattr(node, "type", None) in ("arrow_data_frame", "dataframe", "table"):
            # A table AppTest cannot decode has no headers to read.
            with contextlib.suppress(Exception):
                out.extend(str(column) for column in node.value.columns)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out
