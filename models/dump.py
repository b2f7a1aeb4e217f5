"""Every table as plain JSON, and back into an empty database: backups that any database can
read (SQLite to PostgreSQL and back), checked row for row.

`dump` reads each table through SQLAlchemy Core (every organisation: no scoping applies) and
writes each value as JSON: dates and times as ISO text, enums by name, JSON as it is. `restore`
makes the schema the dump was taken at, inserts the rows with their ids in foreign-key order,
moves PostgreSQL's id sequences past them, checks each table against the dump's fingerprint,
then upgrades the schema to this code's. `fingerprint` is each table's row count and a hash of
its rows in a canonical form, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import Column, Integer, Table, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import current_revision, reason, upgrade

FORMAT = "engagebot-database"
BATCH = 1000  # rows inserted per statement: bounded memory, few round trips


class RestoreError(ValueError):
    """A dump that cannot be restored here, in words an operator can act on."""


def tables() -> list[Table]:
    """The product's tables, parents before children (the order rows can be inserted in)."""
    return list(SQLModel.metadata.sorted_tables)


def dump(engine: Engine) -> dict[str, Any]:
    """Every row of every table, with the schema revision and each table's fingerprint."""
    with engine.connect() as connection:
        found = {t.name: _rows(connection, t) for t in tables()}
        return {
            "format": FORMAT,
            "schema": current_revision(engine),
            "tables": {
                name: {"columns": [c.name for c in table.columns], "rows": found[name]}
                for name, table in ((t.name, t) for t in tables())
            },
            "fingerprints": {name: _fingerprint(rows) for name, rows in found.items()},
        }


def _rows(connection: Connection, table: Table) -> list[list[Any]]:
    keys = list(table.primary_key.columns) or list(table.columns)
    result = connection.execute(select(table).order_by(*keys))
    return [[encode(value) for value in row] for row in result]


def encode(value: Any) -> Any:
    """A column's value as JSON: ISO text for dates and times, enums by name."""
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def fingerprint(engine: Engine) -> dict[str, list[Any]]:
    """Each table's [row count, sha256 of its rows], comparable across databases."""
    with engine.connect() as connection:
        return {t.name: _fingerprint(_rows(connection, t)) for t in tables()}


def _fingerprint(rows: list[list[Any]]) -> list[Any]:
    canonical = sorted(json.dumps(_canonical(r), sort_keys=True, ensure_ascii=False) for r in rows)
    digest = hashlib.sha256("\n".join(canonical).encode()).hexdigest()
    return [len(rows), digest]


def _canonical(value: Any) -> Any:
    """Values as both databases give them back: naive UTC times (SQLite keeps no zone)."""
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.isoformat()
    return value


def restore(engine: Engine, data: dict[str, Any]) -> dict[str, int]:
    """Load a dump into an empty database; returns the rows restored per table."""
    if data.get("format") != FORMAT or not isinstance(data.get("tables"), dict):
        raise RestoreError(
            "This is not a whole-database export: make one with `engagebot export -o FILE` "
            "(without --person or --org)."
        )
    revision = data.get("schema")
    known = {t.name: t for t in tables()}
    unknown = set(data["tables"]) - set(known)
    if unknown:
        raise RestoreError(
            f"The export holds tables this engagebot does not know ({', '.join(sorted(unknown))}):"
            " it was made by a newer version. Restore it with that version."
        )
    _prepare(engine, revision)
    try:
        with engine.begin() as connection:
            _empty_or_refuse(connection)
            counts = {}
            for table in tables():
                given = data["tables"].get(table.name, {"columns": [], "rows": []})
                counts[table.name] = _insert(connection, table, given)
            _move_sequences(connection)
            _check(connection, data)
    except IntegrityError as err:  # a row pointing at one the export does not hold
        raise RestoreError(
            f"the export is incomplete or was altered ({reason(err)}). Nothing was kept."
        ) from None
    upgrade(engine)  # an export from an older version is brought up to this one
    return counts


def _prepare(engine: Engine, revision: str | None) -> None:
    """The schema the dump was taken at: made in a new database, or already there."""
    current = current_revision(engine)
    if current is None:
        upgrade(engine, revision or "head")
    elif current != revision:
        raise RestoreError(
            f"This database is already at schema {current}, the export at {revision}: restore "
            "into a new, empty database (engagebot restore creates its schema)."
        )


def _empty_or_refuse(connection: Connection) -> None:
    """Only an empty database is restored into: nothing there may be overwritten or mixed."""
    for table in tables():
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if table.name == "organisation" and count == 1:
            slug = connection.execute(select(table.c.slug)).scalar_one()
            if slug == "default":  # the one row every new database starts with
                continue
        if count:
            raise RestoreError(
                f"The database is not empty ({table.name} has {count:,} rows). Nothing was "
                "changed. Restore into a new, empty database."
            )
    organisation = SQLModel.metadata.tables["organisation"]
    connection.execute(organisation.delete())


def _insert(connection: Connection, table: Table, given: dict[str, Any]) -> int:
    names = given.get("columns", [])
    columns = [table.c[name] for name in names if name in table.c]
    if len(columns) != len(names):
        missing = sorted(set(names) - set(table.c.keys()))
        raise RestoreError(f"{table.name}: the export has columns this schema lacks: {missing}")
    rows = given.get("rows", [])
    for start in range(0, len(rows), BATCH):
        batch = [
            {c.name: decode(c, v) for c, v in zip(columns, row, strict=True)}
            for row in rows[start : start + BATCH]
        ]
        connection.execute(table.insert(), batch)
    return len(rows)


def decode(column: Column[Any], value: Any) -> Any:
    """A JSON value back into what the column takes."""
    if value is None:
        return None
    enum = getattr(column.type, "enum_class", None)
    if enum is not None:
        return enum[value]
    kind = _python_type(column)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is time:
        return time.fromisoformat(value)
    return value


def _python_type(column: Column[Any]) -> type | None:
    """The Python type a column holds (through a TypeDecorator such as UTCDateTime)."""
    for kind in (getattr(column.type, "impl_instance", None), column.type):
        try:
            found = kind.python_type if kind is not None else object
        except NotImplementedError:
            continue
        if found is not object:
            return found
    return None


def _move_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences: move each past the ids restored."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        if "id" not in table.c or not isinstance(table.c.id.type, Integer):
            continue  # a text key (a card's id) has no sequence
        quoted = f'"{table.name}"'
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {quoted}), 0) + 1, false)"
            ),
            {"table": quoted},
        )


def _check(connection: Connection, data: dict[str, Any]) -> None:
    """Every table as the export says it was, or nothing is kept (the transaction rolls back)."""
    expected = data.get("fingerprints") or {}
    for table in tables():
        if table.name not in expected:
            continue
        found = _fingerprint(_rows(connection, table))
        if found != expected[table.name]:
            raise RestoreError(
                f"{table.name}: {found[0]:,} rows restored do not match the export's "
                f"{expected[table.name][0]:,} (or their content differs). Nothing was kept."
            )
