"""Alembic environment: run by `redactor.store.migrate` on the store's own connection."""
from alembic import context

from redactor.store import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
