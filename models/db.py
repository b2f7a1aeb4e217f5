"""Engine, transactions and schema upgrades. Nothing here runs at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from models.scoping import ALL, DEFAULT_SLUG, install

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Which organisation a unit of work belongs to: its id, its slug, or `ALL` (the reminder
# sweep, delivery, migrations). The default organisation serves single-council deployments.
Org = int | str


@contextmanager
def transaction(engine: Engine, org: Org = DEFAULT_SLUG) -> Iterator[Session]:
    """One unit of work: committed as a whole on success, rolled back whole on any error.

    Every query in it sees only organisation `org`'s rows (see models/scoping.py).
    """
    install()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.info["org_id"] = _org_id(session, org)
        yield session


def _org_id(session: Session, org: Org) -> int | None:
    if isinstance(org, int) or org == ALL:
        return org if isinstance(org, int) else None
    found = session.connection().execute(
        text("SELECT id FROM organisation WHERE slug = :slug"), {"slug": org}
    )
    org_id = found.scalar()
    if org_id is None:
        raise UnknownOrganisation(org)
    return int(org_id)


class UnknownOrganisation(LookupError):
    """No organisation has this slug."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to the newest migration, keeping existing data."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        # SQLite copies a table to change it; its foreign keys must be off meanwhile (they
        # cannot be switched inside a transaction), and are checked again before commit.
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                raise RuntimeError("the upgrade would break foreign keys; nothing was changed")
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
