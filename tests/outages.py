"""Ways for the database to go away in a test: another writer holds SQLite's lock, or the
folder the SQLite file lives in vanishes (an unmounted share) and comes back."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from handlers.chat.context import AppContext


def sqlite_path(ctx: AppContext) -> Path:
    database = ctx.engine.url.database
    assert database
    return Path(database)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process holds SQLite's write lock."""
    other = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
        other.execute("COMMIT")
    finally:
        other.close()


@contextmanager
def vanished(ctx: AppContext) -> Iterator[None]:
    """The database's folder goes away and comes back. The connections already open would not
    notice, so they are closed when it goes, as a restart or a dropped share would close them."""
    folder = sqlite_path(ctx).parent
    away = folder.with_name(folder.name + "-away")
    os.rename(folder, away)
    ctx.engine.dispose()
    try:
        yield
    finally:
        os.rename(away, folder)
