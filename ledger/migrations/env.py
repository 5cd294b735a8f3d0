"""Alembic environment: runs on the connection the ledger hands over."""

from alembic import context
from sqlmodel import SQLModel

import ledger.models  # registers the tables

ledger.models.declare_partial_indexes()

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` run by hand: needs sqlalchemy.url in its config
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
