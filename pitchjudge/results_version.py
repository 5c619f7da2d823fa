"""Each round's results version (`models.RoundVersion`), bumped by database triggers.

Every write that can change a round's results, or what its projected board shows, bumps the
round's counter in the same transaction: a mark, a scorecard submitted or reopened, an
adjustment (an overtime penalty), an assignment, a promotion, a conflict of interest, a
withdrawal or a renamed startup, a criterion (weight, scale, order), and any change to the
round itself (its rule, blend, board state, name, status). Triggers rather than calls in
each service: a bulk import, a cascade, a script or a newer service cannot forget them.

SQLite gets row-level triggers; PostgreSQL gets statement-level ones with transition tables,
so a bulk import of 100,000 marks bumps the counter once, not 100,000 times. The version row
is separate from the round's own row: writers that hold a shared lock on the round (saving a
mark) would otherwise deadlock on PostgreSQL when they bump it.

`install` is idempotent and cheap; `pitchjudge.db.migrate` calls it after every upgrade, so a
later migration that rebuilds a table on SQLite (batch mode drops its triggers) cannot leave
a table without them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text

TABLE = "roundversion"
PREFIX = "pj_rv1_"  # versioned names: a changed trigger gets a new name

# The rounds touched by a change, as a SELECT of round ids. `{row}` is NEW/OLD on SQLite (one
# row); on PostgreSQL `{rows}` is the transition table of the statement.
_ROUND_OF_ROW = "SELECT {row}.round_id"
_ROUNDS_OF_CONTEST = 'SELECT id FROM "round" WHERE contest_id = {row}.contest_id'
_ROUNDS_OF_PITCH = (
    'SELECT r.id FROM "round" r JOIN pitch p ON p.contest_id = r.contest_id '
    "WHERE p.id = {row}.pitch_id"
)


@dataclass(frozen=True)
class _Rule:
    table: str
    event: str  # INSERT | UPDATE | DELETE
    rounds: str  # SELECT of round ids, written for one row `{row}`
    when: str | None = None  # UPDATE only: which changes count (OLD and NEW)


def _rules() -> list[_Rule]:
    rules: list[_Rule] = []
    for table in ("mark", "adjustment", "assignment", "roundentry"):
        rules += [
            _Rule(table, "INSERT", _ROUND_OF_ROW),
            _Rule(table, "UPDATE", _ROUND_OF_ROW),
            _Rule(table, "DELETE", _ROUND_OF_ROW),
        ]
    # A scorecard counts on the board once submitted: its comment and notes do not matter.
    rules += [
        _Rule("scorecard", "INSERT", _ROUND_OF_ROW),
        _Rule("scorecard", "UPDATE", _ROUND_OF_ROW, when="OLD.status IS DISTINCT FROM NEW.status"),
        _Rule("scorecard", "DELETE", _ROUND_OF_ROW),
    ]
    # Contest-wide inputs: every round of the contest may show them.
    rules += [
        _Rule("conflict", "INSERT", _ROUNDS_OF_PITCH),
        _Rule("conflict", "UPDATE", _ROUNDS_OF_PITCH),
        _Rule("conflict", "DELETE", _ROUNDS_OF_PITCH),
        _Rule("criterion", "INSERT", _ROUNDS_OF_CONTEST),
        _Rule("criterion", "UPDATE", _ROUNDS_OF_CONTEST),
        _Rule("criterion", "DELETE", _ROUNDS_OF_CONTEST),
        _Rule(
            "pitch",
            "UPDATE",
            _ROUNDS_OF_CONTEST,
            when="OLD.status IS DISTINCT FROM NEW.status "
            "OR OLD.startup_name IS DISTINCT FROM NEW.startup_name",
        ),
        # The round itself: rule, blend, board state and snapshot, name, order, status.
        _Rule("round", "UPDATE", "SELECT {row}.id"),
    ]
    return rules


def _name(rule: _Rule) -> str:
    return f"{PREFIX}{rule.table}_{rule.event.lower()}"


def _rows(rule: _Rule) -> list[str]:
    """Which of OLD/NEW a change touches rounds through."""
    return {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[rule.event]


# --- SQLite: row-level triggers --------------------------------------------------------------


def _sqlite_statements() -> list[str]:
    statements = [
        f'CREATE TRIGGER IF NOT EXISTS {PREFIX}round_insert AFTER INSERT ON "round" '
        f"BEGIN INSERT OR IGNORE INTO {TABLE} (round_id, version) VALUES (NEW.id, 0); END"
    ]
    for rule in _rules():
        rounds = " UNION ".join(rule.rounds.format(row=row) for row in _rows(rule))
        when = f" WHEN {rule.when.replace('IS DISTINCT FROM', 'IS NOT')}" if rule.when else ""
        statements.append(
            f'CREATE TRIGGER IF NOT EXISTS {_name(rule)} AFTER {rule.event} ON "{rule.table}"'
            f"{when} BEGIN UPDATE {TABLE} SET version = version + 1 "
            f"WHERE round_id IN ({rounds}); END"
        )
    return statements


# --- PostgreSQL: statement-level triggers with transition tables -----------------------------


def _pg_rounds(rule: _Rule) -> str:
    """The rule's SELECT over the statement's transition tables (old_rows, new_rows)."""
    if rule.event != "UPDATE":
        return _over(rule.rounds, "new_rows" if rule.event == "INSERT" else "old_rows")
    if rule.when is None:
        return f"{_over(rule.rounds, 'old_rows')} UNION {_over(rule.rounds, 'new_rows')}"
    # Only the rows whose change counts: pair old and new rows by primary key.
    condition = rule.when.replace("OLD.", "o.").replace("NEW.", "n.")
    changed = f"(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {condition})"
    return _over(rule.rounds, changed)


def _over(rounds: str, rows: str) -> str:
    """`rounds` (written for one row) for every row of `rows` (a table or a subquery)."""
    return f"SELECT x.* FROM {rows} AS c, LATERAL ({rounds.format(row='c')}) AS x"


def _pg_statements(existing: set[str]) -> list[str]:
    statements = []
    wanted = [(f"{PREFIX}round_insert", "round", "INSERT", None)]
    wanted += [(_name(rule), rule.table, rule.event, rule) for rule in _rules()]
    for name, table, event, rule in wanted:
        if name in existing:
            continue
        if rule is None:
            body = (
                f"INSERT INTO {TABLE} (round_id, version) SELECT id, 0 FROM new_rows "
                "ON CONFLICT (round_id) DO NOTHING;"
            )
        else:
            body = (
                f"UPDATE {TABLE} SET version = version + 1 WHERE round_id IN ({_pg_rounds(rule)});"
            )
        referencing = {
            "INSERT": "NEW TABLE AS new_rows",
            "DELETE": "OLD TABLE AS old_rows",
            "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[event]
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {body} RETURN NULL; END $$",
            f'CREATE TRIGGER {name} AFTER {event} ON "{table}" REFERENCING {referencing} '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def trigger_names() -> list[str]:
    """The names of every trigger `install` creates (the same on both databases)."""
    return [f"{PREFIX}round_insert"] + [_name(rule) for rule in _rules()]


def install(connection: Connection) -> None:
    """Create the triggers that are missing (nothing when the version table does not exist,
    e.g. when migrating to an older revision). Runs in the caller's transaction."""
    if not inspect(connection).has_table(TABLE):
        return
    if connection.dialect.name == "sqlite":
        statements = _sqlite_statements()
    else:
        existing = set(
            connection.execute(
                text("SELECT tgname FROM pg_trigger WHERE tgname LIKE :prefix"),
                {"prefix": f"{PREFIX}%"},
            ).scalars()
        )
        statements = _pg_statements(existing)
    for statement in statements:
        connection.exec_driver_sql(statement)
