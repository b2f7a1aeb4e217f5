"""The schema comes from Alembic migrations, and an existing database upgrades in place."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from models.db import current_revision, make_engine, transaction, upgrade
from models.tables import Action, Plan, ProgressNote
from tests.conftest import BLACKPOOL


def test_migrations_describe_exactly_the_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], "models changed without a migration: alembic revision --autogenerate"


def test_upgrading_an_existing_database_keeps_its_data(blackpool: AppContext) -> None:
    with transaction(blackpool.engine) as session:
        before = (
            len(session.exec(select(Action)).all()),
            len(session.exec(select(ProgressNote)).all()),
        )
    upgrade(blackpool.engine)  # as `engagebot db upgrade` does on every start
    upgrade(blackpool.engine)
    with transaction(blackpool.engine) as session:
        after = (
            len(session.exec(select(Action)).all()),
            len(session.exec(select(ProgressNote)).all()),
        )
    assert before == after and before[0] == 17
    assert current_revision(blackpool.engine) is not None


def test_an_empty_database_is_created_from_nothing(tmp_path: Path, ctx: AppContext) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) is not None
    import_file(AppContext(engine=engine, clock=ctx.clock, tz=ctx.tz), BLACKPOOL)


def test_a_database_from_the_first_release_upgrades_in_place(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO plan (name, title, source_file, chat_channel, private, created_at) "
            "VALUES ('old-plan', 'Old plan', 'old.csv', '', 0, '2025-01-01 09:00:00')"
        )
    upgrade(engine)
    assert current_revision(engine) == "0002"
    with transaction(engine) as session:
        plan = session.exec(select(Plan)).one()
    assert (plan.name, plan.title, plan.columns) == ("old-plan", "Old plan", {})
