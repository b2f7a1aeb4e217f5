"""Engine, transactions and schema upgrades. Nothing here runs at import time."""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from models.scoping import ALL, DEFAULT_SLUG, install

MIGRATIONS = Path(__file__).parent / "migrations"
# How long a statement waits for another writer's lock (SQLite) or a new connection
# (PostgreSQL) before the work is given up as "database unavailable": someone waiting for a
# chat reply should hear within seconds, not half a minute.
BUSY_SECONDS = 5
CONNECT_SECONDS = 5


def make_engine(url: str, busy_seconds: float = BUSY_SECONDS) -> Engine:
    """An engine for `url`; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if not url.startswith("sqlite"):
        connect = {"connect_timeout": CONNECT_SECONDS} if "psycopg" in url else {}
        return create_engine(url, pool_pre_ping=True, connect_args=connect)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_seconds})
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


def write_lock(session: Session) -> None:
    """Take the database's write lock for the rest of this transaction, if it is not held yet.

    On SQLite, `BEGIN IMMEDIATE` (waiting up to the busy timeout while another process
    writes): what is read after it sees every commit before it, and nobody else's can come
    between those reads and this commit. Reads before it took no lock, so a long piece of work
    that writes only at its end holds the lock only for that end. PostgreSQL needs nothing:
    its writers lock only the rows they change (`SELECT … FOR UPDATE` where a check must hold
    until commit).
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:  # else a write already holds it
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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


def overwrite_deleted(session: Session) -> None:
    """What this session deletes is overwritten in the database file, not merely unlinked
    (SQLite's secure_delete, on the session's connection). For erasing a person."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete = ON")


def compact(engine: Engine, tables: Sequence[str]) -> str:
    """After an erasure, leave no copy of what was deleted in the database's free space or
    log; says what was done, in a line for the operator.

    SQLite: VACUUM rebuilds the file (no free page keeps old rows) and a TRUNCATE checkpoint
    copies the write-ahead log back and empties it. PostgreSQL: VACUUM FULL rewrites each of
    `tables` into new files (each is locked meanwhile); its write-ahead log segments, any
    replica and any backup still hold the old rows until they are recycled or expire.
    """
    if engine.dialect.name == "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        if busy:
            return (
                "The database file was rebuilt (VACUUM), but its write-ahead log could not be "
                "emptied while another process was reading: run the command again when the "
                "server is quiet, or stop it for a moment."
            )
        return "The database file was rebuilt (VACUUM) and its write-ahead log emptied."
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.exec_driver_sql(f'VACUUM (FULL) "{table}"')
    return (
        f"{len(tables)} table(s) rewritten (VACUUM FULL). PostgreSQL's write-ahead log, "
        "replicas and backups keep the old rows until they are recycled or expire."
    )


class UnknownOrganisation(LookupError):
    """No organisation has this slug."""


_SQLITE_BUGS = ("no such table", "no such column", "syntax error", "has no column")


def unavailable(error: BaseException) -> bool:
    """True when `error` means the database could not be reached or was locked, rather than a
    bug: the work can simply be tried again once the database is back."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, OperationalError):
        # refused or lost connections, a server shutting down, a locked or missing file; but
        # SQLite also reports a schema that does not match the code this way, which is a bug
        return not any(bug in str(error.orig) for bug in _SQLITE_BUGS)
    return type(error).__name__ in {"OperationalError", "InterfaceError"} and type(
        error
    ).__module__.startswith(("sqlite3", "psycopg"))


_FULL = ("database or disk is full", "no space left on device", "disk full", "could not extend")


def disk_full(error: BaseException) -> bool:
    """True when `error` means the database's disk (or its size limit) is full: the database
    answers, but nothing more can be written until someone frees space. SQLite says
    SQLITE_FULL, PostgreSQL SQLSTATE 53100 (disk_full), the system ENOSPC."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    orig = getattr(error, "orig", None) or error
    if getattr(orig, "sqlite_errorname", "") == "SQLITE_FULL":
        return True
    if getattr(orig, "sqlstate", None) == "53100" or getattr(orig, "pgcode", None) == "53100":
        return True
    text = str(orig).lower()
    return isinstance(error, DBAPIError) and any(words in text for words in _FULL)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to the newest migration, keeping existing data."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    before = current_revision(engine)
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
    after = current_revision(engine)
    if after != before:
        logging.getLogger("engagebot.db").info(
            "database %s %s", "upgraded from " + before if before else "created at", after
        )


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def readiness(engine: Engine) -> str | None:
    """None when the database answers and its schema is the one this code needs; otherwise
    what is wrong, in a line an operator can act on."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:
        if not unavailable(error):
            raise
        return f"database unreachable: {reason(error)}"
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    if current != head:
        return f"database schema is at {current or 'nothing'}, this code needs {head}"
    return None


def reason(error: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's wrapping (no statement, no
    parameters: they may hold people's words)."""
    orig = getattr(error, "orig", None) or error
    lines = str(orig).strip().splitlines()
    return (lines[0] if lines else type(orig).__name__)[:300]
