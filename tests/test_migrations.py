"""The schema comes from Alembic migrations, and an existing database upgrades in place."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.people import chat_ids, identify
from models.db import current_revision, make_engine, transaction, upgrade
from models.tables import Action, Outbox, Person, Plan, ProgressNote
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
    assert current_revision(engine) == "0005"
    with transaction(engine) as session:
        plan = session.exec(select(Plan)).one()
    assert (plan.name, plan.title, plan.columns) == ("old-plan", "Old plan", {})


def test_chat_ids_and_unsent_reminders_survive_the_move_to_chat_identities(
    tmp_path: Path,
) -> None:
    """0003: Slack and Teams ids move to their own table; an unsent reminder keeps its refs."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO person (id, name, email, slack_id, teams_id) "
            "VALUES (1, 'Sam Patel', 'sam@example.org', 'U0SAM', '29:sam')"
        )
        connection.exec_driver_sql(
            "INSERT INTO outbox (via, person_id, chat_channel, kind, reply, refs, created_at, "
            "failures) VALUES ('slack', 1, '', 'reminder', '{}', '[\"R1\", \"R4\"]', "
            "'2026-11-23 09:30:00', 0)"
        )
    upgrade(engine)
    with transaction(engine) as session:
        sam = session.exec(select(Person)).one()
        assert chat_ids(session, sam) == {"slack": "U0SAM", "teams": "29:sam"}
        assert identify(session, "slack", "U0SAM") == sam
        row = session.exec(select(Outbox)).one()
    assert row.follow_up == {"flow": "reminder", "step": "reply", "data": {"refs": ["R1", "R4"]}}
