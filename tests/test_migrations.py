"""The schema comes from Alembic migrations, and an existing database upgrades in place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from handlers.plans.organisations import add
from handlers.plans.people import chat_ids, identify
from models.db import MIGRATIONS, current_revision, make_engine, transaction, upgrade
from models.scoping import ALL
from models.tables import Action, ChatIdentity, Outbox, Person, Plan, ProgressNote, id_of
from tests.conftest import BLACKPOOL, NOW

# The newest migration, whatever it is called: an upgrade must reach it.
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()


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
    assert current_revision(engine) == HEAD
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


def move_into_organisations(url: str) -> None:
    """0005: a single council's data joins the default organisation, ids and all, and a second
    organisation can then hold a plan, role and officer of the same names."""
    engine = make_engine(url)
    upgrade(engine, "0004")
    with engine.begin() as connection:
        for sql in (
            "INSERT INTO plan (name, title, source_file, chat_channel, private, columns, "
            "created_at) VALUES ('audit', 'Audit', 'a.csv', '', false, '{}', '2025-01-01')",
            "INSERT INTO role (name, key) VALUES ('Head of Comms', 'head of comms')",
            "INSERT INTO person (name, email) VALUES ('Sam Patel', 'sam@example.org')",
            "INSERT INTO chatidentity (person_id, platform, user_id) "
            "SELECT id, 'slack', 'U0SAM' FROM person",
            "INSERT INTO roleholder (role_id, person_id, deputy) "
            "SELECT role.id, person.id, false FROM role, person",
        ):  # fmt: skip
            connection.exec_driver_sql(sql)
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with transaction(engine) as session:  # the default organisation
        sam = session.exec(select(Person)).one()
        assert identify(session, "slack", "U0SAM") == sam
        assert session.exec(select(Plan.name)).all() == ["audit"]
        add(session, "ribble", "South Ribble", NOW)
    with transaction(engine, "ribble") as session:
        assert session.exec(select(Plan)).all() == []  # nothing of the default's
        session.add(Plan(name="audit", created_at=NOW))
        session.add(Person(name="Sam Patel", email="sam@example.org"))
        session.flush()
        session.add(ChatIdentity(person_id=id_of(session.exec(select(Person)).one()),
                                 platform="slack", user_id="U0SAM"))  # fmt: skip
    with transaction(engine, ALL) as session:
        assert len(session.exec(select(Plan)).all()) == 2
        assert len(session.exec(select(ChatIdentity)).all()) == 2
    engine.dispose()


def test_existing_data_moves_into_the_default_organisation(tmp_path: Path) -> None:
    move_into_organisations(f"sqlite:///{tmp_path / 'old.db'}")


def plans_gain_a_start(url: str) -> None:
    """0006: existing plans have no start until one is given; it is kept with the plan, and
    the schema goes back to 0005 without it."""
    engine = make_engine(url)
    upgrade(engine, "0005")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO plan (org_id, name, title, source_file, chat_channel, private, columns, "
            "created_at) SELECT id, 'audit', 'Audit', 'a.csv', '', false, '{}', '2025-01-01' "
            "FROM organisation"
        )
    upgrade(engine)
    assert current_revision(engine) == HEAD
    with transaction(engine) as session:
        plan = session.exec(select(Plan)).one()
        assert (plan.name, plan.starts_on) == ("audit", None)
        plan.starts_on = date(2010, 4, 1)
        session.add(plan)
    with transaction(engine) as session:
        assert session.exec(select(Plan.starts_on)).one() == date(2010, 4, 1)
    _downgrade(engine, "0005")
    assert current_revision(engine) == "0005"
    with engine.connect() as connection:
        assert "starts_on" not in {c["name"] for c in inspect(connection).get_columns("plan")}
    upgrade(engine)
    engine.dispose()


def test_plans_gain_a_start(tmp_path: Path) -> None:
    plans_gain_a_start(f"sqlite:///{tmp_path / 'old.db'}")


def _downgrade(engine: Engine, revision: str) -> None:
    """Back to `revision`, as `alembic downgrade` would (SQLite's foreign keys off meanwhile)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
