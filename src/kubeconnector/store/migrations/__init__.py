"""The Alembic migrations of the kubeconnector schema (see `kubeconnector.store.migrate`).

Developers create a new revision with::

    python -m kubeconnector.store.migrations revision -m "add change records"
    python -m kubeconnector.store.migrations revision -m "..." --autogenerate --url sqlite:///x.db
"""
