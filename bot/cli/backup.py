"""`engagebot backup` and `engagebot restore`: a copy of the database, and an export read back.

`backup` copies the database as it is: SQLite with its online backup API (safe while engagebot
runs), PostgreSQL with pg_dump when it is installed. `restore` reads a whole-database export
(`engagebot export -o FILE`) into a new, empty database of either kind, checking every table.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.output import plural, say
from bot.cli.root import app, fail, load_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@app.command("backup")
def backup(
    file: Annotated[
        Path | None,
        typer.Argument(help="Where to write it (default: engagebot-backup-DATE-TIME.db/.dump)."),
    ] = None,
) -> None:
    """Copy the database while engagebot runs: SQLite's online backup, or pg_dump."""
    from sqlalchemy.engine import make_url

    url = make_url(load_settings().database_url)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(url, file or Path(f"engagebot-backup-{stamp}.db"))
    else:
        _postgres_backup(url, file or Path(f"engagebot-backup-{stamp}.dump"))


def _sqlite_backup(url: URL, target: Path) -> None:
    import sqlite3

    source = Path(url.database or "")
    if not source.is_file():
        fail(f"engagebot: there is no database at {source} to back up. Nothing was written.")
    if target.exists():
        fail(f"engagebot: {target} already exists. Nothing was written: give a new file name.")
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)  # page by page, consistent even while engagebot writes
        problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
    if problem != "ok":
        target.unlink(missing_ok=True)
        fail(f"engagebot: the copy failed its integrity check ({problem}); nothing was kept.")
    size = target.stat().st_size
    say(
        f"Backed up {source} to {target} ({size / 1_000_000:.1f} MB). To restore, stop engagebot "
        f"and copy it back over {source}."
    )


def _postgres_backup(url: URL, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        fail(
            "engagebot: pg_dump is not installed here, so nothing was written. Install it "
            "(apt-get install postgresql-client, the same major version as the server), or on "
            f"the database server run: pg_dump --format=custom --file {target.name} "
            f"{url.database}. `engagebot export -o engagebot.json` also works on any database, "
            "and `engagebot restore` reads it back."
        )
    if target.exists():
        fail(f"engagebot: {target} already exists. Nothing was written: give a new file name.")
    command = [pg_dump, "--format=custom", "--no-owner", "--file", str(target)]
    command += [f"--dbname={url.database}"]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            command.append(f"{flag}={value}")
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # never on the command line, where ps shows it
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        reason = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        fail(f"engagebot: pg_dump failed: {reason}. Nothing was kept.")
    say(
        f"Backed up {url.database} to {target} ({target.stat().st_size / 1_000_000:.1f} MB) with "
        f"pg_dump. To restore into an empty database: pg_restore --no-owner --dbname=… {target}"
    )


@app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A whole-database export: engagebot export -o FILE")],
) -> None:
    """Read an export back into a new, empty database (SQLite or PostgreSQL), every table
    checked against the export's row counts and content hashes."""
    from models.db import make_engine
    from models.dump import RestoreError
    from models.dump import restore as load

    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"engagebot: there is no file {file}. Nothing was changed.")
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        fail(f"engagebot: {file} is not an engagebot export ({err}). Nothing was changed.")
    database = data.get("database") if isinstance(data, dict) else None
    if not isinstance(database, dict):
        fail(
            f"engagebot: {file} holds no whole database: make the export without --person or "
            "--org (`engagebot export -o FILE`). Nothing was changed."
        )
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        counts = load(engine, database)
    except RestoreError as err:
        fail(f"engagebot: {err}")
    finally:
        engine.dispose()
    tables = sum(1 for n in counts.values() if n)
    rows = sum(counts.values())
    say(
        f"Restored {plural(rows, 'row')} in {plural(tables, 'table')} from {file}; every "
        "table's rows and content match the export."
    )
