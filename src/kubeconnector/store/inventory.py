"""A connector's inventory: discovery runs, assets, and the relations between assets.

A discovery run is started, then finished by storing what it saw, in one transaction:
`AssetRepository.write_inventory` takes the assets and relations in batches as discovery
produces them (see `kubeconnector.store.inventory_writer`), `AssetRepository.replace_inventory`
all at once; both return the drift. Assets that disappear are kept, flagged deleted and tagged
with the run that found them gone; assets of kinds the run was forbidden to list are left as
they were, and so are the relations touching those kinds, since their absence proves nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import QueryableAttribute

from kubeconnector.errors import InvalidInput, RecordNotFound
from kubeconnector.models.inventory import (
    Asset,
    AssetKey,
    DiscoveredAsset,
    DiscoveredRelation,
    DiscoveryRun,
    Drift,
    Relation,
    RunStatus,
)
from kubeconnector.store import inventory_rows as rows
from kubeconnector.store.database import Database
from kubeconnector.store.inventory_writer import InventoryWriter, running_run
from kubeconnector.store.inventory_writer import get_run as run_row
from kubeconnector.store.schema import AssetRow, ConnectorRow, DiscoveryRunRow, RelationRow
from kubeconnector.store.types import utc_now

CONSUMES_SECRET = "consumes-secret"


class AssetRepository:
    """Discovery runs, assets and relations of every connector.

    Args:
        database: The database.
        clock: Returns the current UTC time.
    """

    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._clock = clock

    def start_run(self, connector_id: str) -> DiscoveryRun:
        """Record that a discovery run of ``connector_id`` started.

        Raises:
            RecordNotFound: No such connector.
        """
        with self._database.write() as session:
            if session.get(ConnectorRow, connector_id) is None:
                raise RecordNotFound(f"connector {connector_id!r} not found")
            row = DiscoveryRunRow(
                id=str(uuid.uuid4()),
                connector_id=connector_id,
                started_at=self._clock(),
                status=RunStatus.RUNNING.value,
                counts={},
                forbidden_kinds=[],
            )
            session.add(row)
            session.flush()
            return rows.run_model(row)

    @contextmanager
    def write_inventory(self, run_id: str) -> Iterator[InventoryWriter]:
        """Store a run's inventory batch by batch; the whole of it commits in one transaction.

        The block hands the writer the run's assets and relations, then calls its
        ``finish(forbidden_kinds)``, which returns the drift; the transaction commits when the
        block ends. An error in the block rolls everything back (the run stays ``running``).
        See `kubeconnector.store.inventory_writer` for when the transaction starts.

            with repository.write_inventory(run.id) as writer:
                writer.add_assets(page_of_assets)
                writer.add_relations(relations)
                drift = writer.finish(forbidden_kinds)

        Raises:
            RecordNotFound: No such run (checked before the block runs).
            InvalidInput: The run already finished, an asset key was stored twice, or the
                block ended without ``finish``.
        """
        with self._database.read() as session:
            running_run(session, run_id)
        with ExitStack() as stack:
            writer = InventoryWriter(
                run_id, lambda: stack.enter_context(self._database.write()), self._clock
            )
            stack.callback(writer.close)
            yield writer
            if not writer.finished:
                raise InvalidInput(f"discovery run {run_id!r} was not finished", "run_id")

    def replace_inventory(
        self,
        run_id: str,
        assets: Iterable[DiscoveredAsset],
        relations: Iterable[DiscoveredRelation],
        forbidden_kinds: Collection[str] = (),
    ) -> Drift:
        """Store what a run saw, finish the run, and return the drift, in one transaction.

        The run ends ``partial`` when some kinds were forbidden, else ``succeeded``. Relations
        are replaced too, except those touching a forbidden kind, which are kept.

        Raises:
            RecordNotFound: No such run.
            InvalidInput: The run already finished, or two assets share a key.
        """
        with self.write_inventory(run_id) as writer:
            writer.add_assets(assets)
            writer.add_relations(relations)
            return writer.finish(forbidden_kinds)

    def fail_run(self, run_id: str, error: str) -> DiscoveryRun:
        """Record that a run failed (the inventory is left as it was).

        Raises:
            RecordNotFound: No such run.
            InvalidInput: The run already finished.
        """
        with self._database.write() as session:
            run = running_run(session, run_id)
            run.status, run.finished_at, run.error = RunStatus.FAILED.value, self._clock(), error
            session.flush()
            return rows.run_model(run)

    def get_run(self, run_id: str) -> DiscoveryRun:
        """One discovery run.

        Raises:
            RecordNotFound: No such run.
        """
        with self._database.read() as session:
            return rows.run_model(run_row(session, run_id))

    def list_runs(self, connector_id: str, limit: int = 20) -> list[DiscoveryRun]:
        """A connector's most recent runs, newest first."""
        statement = (
            select(DiscoveryRunRow)
            .where(DiscoveryRunRow.connector_id == connector_id)
            .order_by(DiscoveryRunRow.started_at.desc(), DiscoveryRunRow.id)
            .limit(limit)
        )
        with self._database.read() as session:
            return [rows.run_model(row) for row in session.scalars(statement)]

    def list_assets(
        self,
        connector_id: str,
        *,
        kind: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        include_deleted: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Asset]:
        """A connector's assets, optionally filtered, ordered by kind, namespace and name."""
        wanted = ((AssetRow.kind, kind), (AssetRow.namespace, namespace), (AssetRow.name, name))
        statement = select(AssetRow).where(AssetRow.connector_id == connector_id, *_equal(wanted))
        if not include_deleted:
            statement = statement.where(AssetRow.deleted.is_(False))
        statement = statement.order_by(AssetRow.kind, AssetRow.namespace, AssetRow.name)
        with self._database.read() as session:
            found = session.scalars(statement.limit(limit).offset(offset))
            return [rows.asset_model(row) for row in found]

    def get_asset(self, connector_id: str, key: AssetKey) -> Asset:
        """One asset by key (deleted ones included).

        Raises:
            RecordNotFound: The connector has no such asset.
        """
        found = self.list_assets(
            connector_id,
            kind=key.kind,
            namespace=key.namespace,
            name=key.name,
            include_deleted=True,
        )
        if not found:
            raise RecordNotFound(f"asset {key} not found")
        return found[0]

    def get_asset_by_id(self, asset_id: str) -> Asset:
        """One asset by its id (deleted ones included).

        Raises:
            RecordNotFound: No asset has that id.
        """
        with self._database.read() as session:
            row = session.get(AssetRow, asset_id)
            if row is None:
                raise RecordNotFound(f"asset {asset_id[:64]!r} not found")
            return rows.asset_model(row)

    def relations(
        self,
        connector_id: str,
        *,
        source: AssetKey | None = None,
        target: AssetKey | None = None,
        relation_type: str | None = None,
    ) -> list[Relation]:
        """A connector's relations, filtered by source, target and type."""
        statement = (
            select(RelationRow)
            .where(
                RelationRow.connector_id == connector_id,
                *_equal(((RelationRow.relation_type, relation_type),)),
                *_key_filter(
                    source, RelationRow.from_kind, RelationRow.from_namespace, RelationRow.from_name
                ),
                *_key_filter(
                    target, RelationRow.to_kind, RelationRow.to_namespace, RelationRow.to_name
                ),
            )
            .order_by(RelationRow.id)
        )
        with self._database.read() as session:
            return [rows.relation_model(row) for row in session.scalars(statement)]

    def consumers_of_secret(self, connector_id: str, namespace: str, name: str) -> list[Relation]:
        """The relations of everything that consumes a Secret (env, volume, pull secret, ...)."""
        target = AssetKey(kind="Secret", namespace=namespace, name=name)
        return self.relations(connector_id, target=target, relation_type=CONSUMES_SECRET)


def _equal(
    wanted: Sequence[tuple[QueryableAttribute[str], str | None]],
) -> list[ColumnElement[bool]]:
    return [column == value for column, value in wanted if value is not None]


def _key_filter(
    key: AssetKey | None,
    kind: QueryableAttribute[str],
    namespace: QueryableAttribute[str],
    name: QueryableAttribute[str],
) -> list[ColumnElement[bool]]:
    if key is None:
        return []
    return [kind == key.kind, namespace == key.namespace, name == key.name]
