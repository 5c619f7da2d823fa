"""Archive a finished contest and start the next one empty: what is stored, in numbers; a ZIP
of every table and deck; a reset that deletes it all (the generated secrets aside)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select
from sqlmodel import SQLModel

from pitchjudge.db import session_scope
from pitchjudge.deck_store import DeckStore
from pitchjudge.models import (
    AppSecret,
    AuditEvent,
    Contest,
    Deck,
    Judge,
    Mark,
    Pitch,
    Round,
    Scorecard,
)

#: Tables never archived nor deleted: the organiser password's hash and the app's own keys.
KEPT_TABLES = (AppSecret.__tablename__,)


@dataclass(frozen=True)
class Contents:
    """What the database and the deck store hold, counted."""

    contests: int
    rounds: int
    applications: int
    decks: int
    judges: int
    marks: int
    scorecards: int
    audit_events: int
    deck_files: int
    deck_bytes: int

    def describe(self) -> str:
        """One line per kind of data, for a person deciding whether to delete it."""
        lines = [
            f"{self.contests} contest(s), {self.rounds} round(s)",
            f"{self.applications} application(s) with {self.decks} deck version(s)",
            f"{self.judges} judge(s), {self.marks} mark(s) in {self.scorecards} scorecard(s)",
            f"{self.audit_events} history event(s)",
            f"{self.deck_files} file(s) in the deck store ({self.deck_bytes / 1_000_000:.1f} MB)",
        ]
        return "\n".join(f"  - {line}" for line in lines)

    @property
    def empty(self) -> bool:
        return self.contests == 0 and self.applications == 0 and self.deck_files == 0


def database_counts(engine: Engine | Connection) -> dict[str, int]:
    """How many contests, rounds, applications, decks, judges, marks, scorecards and history
    events the database holds (the `Contents` fields, without the deck store); given a
    connection, counted inside its open transaction."""
    with session_scope(engine, read_only=True) as session:

        def count(model: type[SQLModel]) -> int:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())

        return {
            "contests": count(Contest),
            "rounds": count(Round),
            "applications": count(Pitch),
            "decks": count(Deck),
            "judges": count(Judge),
            "marks": count(Mark),
            "scorecards": count(Scorecard),
            "audit_events": count(AuditEvent),
        }


def contents(*, engine: Engine, store: DeckStore) -> Contents:
    """Count what a reset would delete (and an archive would keep)."""
    counts = database_counts(engine)
    sizes = dict(store.sizes())
    return Contents(**counts, deck_files=len(sizes), deck_bytes=sum(sizes.values()))


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def write_archive(*, engine: Engine, store: DeckStore, path: Path) -> Contents:
    """A ZIP with every table as JSON lines (`tables/<name>.jsonl`) and the deck store
    (`decks/…`), enough to keep a contest's record or to rebuild it; returns what it holds."""
    what = contents(engine=engine, store=store)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with session_scope(engine, read_only=True) as session:
            for table in SQLModel.metadata.sorted_tables:
                if table.name in KEPT_TABLES:
                    continue
                rows = session.execute(select(table)).mappings().all()
                archive.writestr(
                    f"tables/{table.name}.jsonl",
                    "".join(
                        json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False)
                        + "\n"
                        for row in rows
                    ),
                )
        for key in sorted(store.keys()):
            archive.writestr(f"decks/{key}", store.read(key))
        archive.writestr(
            "README.txt",
            "PitchJudge archive: tables/ holds every table as JSON lines (one row a line), "
            "decks/ the deck store (PDFs and their rendered pages).\n" + what.describe() + "\n",
        )
    partial.replace(path)  # a half-written archive never takes the final name
    return what


def reset(*, engine: Engine, store: DeckStore) -> Contents:
    """Delete every contest, application, judge, mark and deck file (the organiser password
    and the link key stay); returns what was deleted."""
    what = contents(engine=engine, store=store)
    with session_scope(engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                session.execute(table.delete())
    store.clear()
    return what
