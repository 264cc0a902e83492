"""Alembic environment.

`assistant.store.db.upgrade` hands over an open connection (inside a locked transaction); a
maintainer may also run `alembic` by hand with `sqlalchemy.url` set.
"""

from alembic import context

import assistant.handoff.models  # noqa: F401  (its tables join Base.metadata)
from assistant.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    from assistant.store.db import make_engine, write_transaction

    with write_transaction(make_engine(config.get_main_option("sqlalchemy.url"))) as conn:
        _run(conn)
else:
    _run(connection)
