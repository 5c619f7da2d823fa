"""The schema: migrations match the models, and the database itself enforces the rules."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from pitchjudge.db import make_engine, migrate, schema_is_current, session_scope
from pitchjudge.models import Criterion, Judge, Mark, Pitch, Round
from pitchjudge.services import contests
from tests.factories import make_contest


def test_migrations_produce_exactly_the_models(engine):
    assert schema_is_current(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrate_twice_is_harmless(engine):
    migrate(engine)
    assert schema_is_current(engine)


def test_upgrading_a_sqlite_database_keeps_every_mark(tmp_path):
    # Altering `round` copies and drops it: with foreign keys on, that would cascade.
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0001")
    now = "CURRENT_TIMESTAMP"
    with engine.begin() as connection:
        for statement in (
            f"INSERT INTO contest (id, name, description, language, timezone, created_at) "
            f"VALUES (1, 'Prix', '', 'fr', 'Europe/Paris', {now})",
            f"INSERT INTO round (id, contest_id, name, position, status, assignment_mode, board, "
            f"board_revealed, feedback_released, created_at) "
            f"VALUES (1, 1, 'Finale', 0, 'open', 'all', 'hidden', 0, 0, {now})",
            "INSERT INTO criterion (id, contest_id, position, name, description, weight, "
            "scale_min, scale_max, scale_step) VALUES (1, 1, 0, 'Team', '', 1, 0, 10, 1)",
            f"INSERT INTO judge (id, contest_id, name, email, affiliation, active, created_at) "
            f"VALUES (1, 1, 'Ada', '', '', 1, {now})",
            f"INSERT INTO pitch (id, contest_id, startup_name, one_liner, website, founders, "
            f"contact_email, description, status, token_hash, created_at, updated_at) "
            f"VALUES (1, 1, 'Kelvio', 'x', '', '', 'a@b.fr', '', 'submitted', 'h', {now}, {now})",
            f"INSERT INTO assignment (round_id, judge_id, pitch_id, created_at) "
            f"VALUES (1, 1, 1, {now})",
            f"INSERT INTO mark (round_id, judge_id, pitch_id, criterion_id, scale_min, scale_max, "
            f"value, updated_at) VALUES (1, 1, 1, 1, 0, 10, 7, {now})",
        ):
            connection.exec_driver_sql(statement)
    migrate(engine)
    with session_scope(engine, read_only=True) as session:
        assert [m.value for m in session.exec(select(Mark)).all()] == [7]
        round_ = session.get(Round, 1)
        assert round_.status == "open" and round_.blend_round_id is None
        assert session.exec(text("SELECT pitch_seconds FROM contest")).one() == (300,)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_connections_are_safe(sqlite_engine):
    with sqlite_engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 30000
        assert pragma("synchronous") == 2  # FULL


def _marking_setup(engine):
    contest = make_contest(engine)
    with session_scope(engine) as session:
        round_ = contests.create_round(session=session, contest_id=contest.id, name="Final")
        judge = Judge(contest_id=contest.id, name="Ada")
        pitch = Pitch(
            contest_id=contest.id,
            startup_name="Kelvio",
            one_liner="x",
            contact_email="a@b.example",
            token_hash="h" * 64,
        )
        session.add_all([judge, pitch])
        session.flush()
        criterion = session.exec(select(Criterion)).first()
        return round_.id, judge.id, pitch.id, criterion


def _mark(ids, criterion, value, **override):
    round_id, judge_id, pitch_id = ids
    values = dict(
        round_id=round_id,
        judge_id=judge_id,
        pitch_id=pitch_id,
        criterion_id=criterion.id,
        scale_min=criterion.scale_min,
        scale_max=criterion.scale_max,
        value=value,
    )
    values.update(override)
    return Mark(**values)


def test_database_refuses_a_mark_off_the_scale(engine):
    *ids, criterion = _marking_setup(engine)
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_mark(ids, criterion, 6.0))
    # Lying about the scale does not help: the copy must match the criterion's own.
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_mark(ids, criterion, 9.0, scale_max=10.0))


def test_database_refuses_a_second_mark_for_the_same_cell(engine):
    *ids, criterion = _marking_setup(engine)
    with session_scope(engine) as session:
        session.add(_mark(ids, criterion, 3.0))
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_mark(ids, criterion, 4.0))


def test_database_refuses_rescaling_or_deleting_a_criterion_with_marks(engine):
    *ids, criterion = _marking_setup(engine)
    with session_scope(engine) as session:
        session.add(_mark(ids, criterion, 3.0))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("UPDATE criterion SET scale_max = 10 WHERE id = :id"), {"id": criterion.id}
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("DELETE FROM criterion WHERE id = :id"), {"id": criterion.id})


def test_database_refuses_a_mark_for_a_missing_round(engine):
    *ids, criterion = _marking_setup(engine)
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(_mark(ids, criterion, 3.0, round_id=987_654))


def test_round_status_is_checked_by_the_database(engine):
    round_id, *_rest = _marking_setup(engine)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("UPDATE round SET status = 'finished' WHERE id = :id"), {"id": round_id}
        )
    with session_scope(engine, read_only=True) as session:
        assert session.get(Round, round_id).status == "draft"


def test_concurrent_writers_on_sqlite_lose_nothing(sqlite_engine):
    contest = make_contest(sqlite_engine)
    errors: list[Exception] = []

    def add_categories(worker: int) -> None:
        try:
            for index in range(25):
                with session_scope(sqlite_engine) as session:
                    contests.add_category(
                        session=session, contest_id=contest.id, name=f"w{worker}-{index}"
                    )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=add_categories, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope(sqlite_engine, read_only=True) as session:
        names = [c.name for c in contests.list_categories(session=session, contest_id=contest.id)]
    assert len(names) == 2 + 6 * 25


def test_in_memory_sqlite_works_for_notebooks():
    engine = make_engine("sqlite:///:memory:")
    migrate(engine)
    assert schema_is_current(engine)
