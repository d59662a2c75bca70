"""Alembic environment: migrate through the connection `kubeconnector.store.migrate` hands in.

Online runs always receive an open connection in ``config.attributes["connection"]`` (there is
no alembic.ini and no URL to read). Offline runs (``--sql``) render for the URL in the
``sqlalchemy.url`` option.
"""

from __future__ import annotations

from alembic import context

from kubeconnector.store.schema import Base


def _run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("kubeconnector migrations run through kubeconnector.store.migrate")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
