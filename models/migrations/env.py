"""Alembic environment: runs migrations on the connection handed over by models.db.upgrade."""

from alembic import context
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` run by hand (alembic.ini): the database in DATABASE_URL
    import os

    from sqlalchemy import create_engine

    url = os.environ.get("DATABASE_URL", "sqlite:///engagebot.db")
    connection = create_engine(url).connect()

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
