"""Storing one discovery run's inventory in chunks, finished in one write transaction.

`InventoryWriter` takes a run's assets and relations in batches, as discovery produces them.
Assets handed over before the first relation (while discovery is still listing) wait in a
temporary file (`kubeconnector.store.inventory_spill`), so memory stays flat and the write
transaction, which on SQLite locks the whole database, lasts only from the first relation to
`InventoryWriter.finish`. The transaction starts by loading the drift baseline (see
`kubeconnector.store.inventory_sql.known_assets`); then new assets are inserted, changed ones
rewritten and identical ones only touched (``last_seen``, ``last_run_id``), by chunked Core
statements.

`finish` marks the assets that disappeared, replaces the relations and finishes the run.
Every relation earlier runs stored is deleted, except those that touch a kind this run could
not list, as source or target (an ``owns`` edge is read off its target's ownerReferences, a
``consumes-secret`` edge points at a Secret): the run cannot tell whether they still hold, so
they are kept. A kept relation this run found again is dropped in favour of the new copy.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from kubeconnector.errors import InvalidInput, RecordNotFound
from kubeconnector.models.inventory import DiscoveredAsset, DiscoveredRelation, Drift, RunStatus
from kubeconnector.store import inventory_rows as rows
from kubeconnector.store import inventory_sql as sql
from kubeconnector.store.drift import Action, DriftTracker
from kubeconnector.store.inventory_spill import Spill
from kubeconnector.store.schema import DiscoveryRunRow

CHUNK = 500

_T = TypeVar("_T")


def chunks(items: Iterable[_T], size: int = CHUNK) -> Iterator[list[_T]]:
    """``items`` in lists of at most ``size``."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def get_run(session: Session, run_id: str) -> DiscoveryRunRow:
    """A run's row.

    Raises:
        RecordNotFound: No such run.
    """
    run = session.get(DiscoveryRunRow, run_id)
    if run is None:
        raise RecordNotFound(f"discovery run {run_id!r} not found")
    return run


def running_run(session: Session, run_id: str) -> DiscoveryRunRow:
    """A run's row, which must still be running.

    Raises:
        RecordNotFound: No such run.
        InvalidInput: The run already finished.
    """
    run = get_run(session, run_id)
    if run.status != RunStatus.RUNNING.value:
        raise InvalidInput(f"discovery run {run_id!r} already finished ({run.status})", "run_id")
    return run


class InventoryWriter:
    """Stores one run's assets and relations (see the module docstring).

    Made by `kubeconnector.store.AssetRepository.write_inventory`, which owns the
    transaction; not for use from several threads at once.

    Args:
        run_id: The run (still running).
        begin: Opens the write transaction and returns its session.
        clock: Returns the current UTC time.
    """

    def __init__(
        self, run_id: str, begin: Callable[[], Session], clock: Callable[[], datetime]
    ) -> None:
        self._run_id, self._begin, self._clock = run_id, begin, clock
        self._spill = Spill()
        self._stored: _Transaction | None = None
        self._drift: Drift | None = None
        self.assets = 0
        self.relations = 0

    @property
    def finished(self) -> bool:
        """`finish` was called."""
        return self._drift is not None

    def add_assets(self, assets: Iterable[DiscoveredAsset]) -> None:
        """Take some of the run's assets (kept in a temporary file until the transaction).

        Raises:
            InvalidInput: The run finished, or (once the transaction started) an asset's key
                was already stored by this run.
        """
        self._check_open()
        for chunk in chunks(assets):
            values = [rows.asset_row(asset) for asset in chunk]
            self.assets += len(values)
            if self._stored is None:
                self._spill.write(values)
            else:
                self._stored.store_assets(values)

    def add_relations(self, relations: Iterable[DiscoveredRelation]) -> None:
        """Store some of the run's relations (the transaction starts with the first).

        Raises:
            InvalidInput: The run finished, or an asset's key was stored twice.
        """
        self._check_open()
        stored = self._transaction()
        for chunk in chunks(relations):
            stored.store_relations([rows.relation_params(r) for r in chunk])
            self.relations += len(chunk)

    def finish(self, forbidden_kinds: Collection[str] = ()) -> Drift:
        """Mark the assets the run did not see, replace the relations, finish the run.

        Args:
            forbidden_kinds: Kinds the run could not list: their assets are not counted as
                removed, the relations touching them are kept, and the run ends ``partial``.

        Returns:
            What changed since the previous run.

        Raises:
            InvalidInput: The run already finished, or an asset's key was stored twice.
        """
        self._check_open()
        self._drift = self._transaction().finish(sorted(set(forbidden_kinds)))
        return self._drift

    def close(self) -> None:
        """Discard assets not yet stored (the transaction is its owner's to end)."""
        self._spill.close()

    def _check_open(self) -> None:
        if self._drift is not None:
            raise InvalidInput(f"discovery run {self._run_id!r} already finished", "run_id")

    def _transaction(self) -> _Transaction:
        if self._stored is None:
            session = self._begin()
            stored = _Transaction(session, running_run(session, self._run_id), self._clock)
            for values in self._spill.read():
                stored.store_assets(values)
            self._stored = stored
        return self._stored


class _Transaction:
    """The writes of one run inside its transaction."""

    def __init__(
        self, session: Session, run: DiscoveryRunRow, clock: Callable[[], datetime]
    ) -> None:
        self._session, self._run, self._clock = session, run, clock
        self._conn: Connection = session.connection()
        self._sql = sql.RunStatements(run.connector_id, run.id, clock())
        self._tracker = DriftTracker(sql.known_assets(self._conn, run.connector_id))
        self._touched: list[str] = []
        self._counts: dict[str, int] = {}

    def store_assets(self, values: Sequence[rows.AssetRowValues]) -> None:
        groups: dict[Action, list[dict[str, Any]]] = {action: [] for action in Action}
        for row in values:
            kind, namespace, name, uid, version = row[:5]
            digest = functools.partial(rows.row_digest, row)
            action, prior = self._tracker.see((kind, namespace, name), uid, version, digest)
            self._counts[kind] = self._counts.get(kind, 0) + 1
            if action is Action.TOUCH and prior is not None:
                self._touched.append(prior.id)
                continue
            params = dict(zip(rows.ASSET_ROW_COLUMNS, row, strict=True))
            if prior is None:
                params["id"] = str(uuid.uuid4())
            else:
                params["b_id"] = prior.id
            groups[action].append(params)
        for action, statement in self._sql.writes.items():
            if groups[action]:
                self._conn.execute(statement, groups[action])
        self._flush_touched(CHUNK)

    def store_relations(self, params: list[dict[str, Any]]) -> None:
        if params:
            self._conn.execute(self._sql.relation, params)

    def finish(self, forbidden: list[str]) -> Drift:
        removed = self._tracker.removed(forbidden)
        for ids in chunks(known.id for _, known in removed):
            self._conn.execute(self._sql.remove, {"ids": ids})
        self._flush_touched(1)
        self._conn.execute(self._sql.stale_relations(forbidden))
        if forbidden:
            for found in chunks(self._found_again(forbidden)):
                self._conn.execute(self._sql.relations_by_id, {"ids": found})
        drift = self._tracker.drift(key for key, _ in removed)
        self._finish_run(forbidden, drift)
        return drift

    def _flush_touched(self, at_least: int) -> None:
        if len(self._touched) < at_least:
            return
        for ids in chunks(self._touched):
            self._conn.execute(self._sql.touch, {"ids": ids})
        self._touched = []

    def _found_again(self, forbidden: list[str]) -> list[int]:
        """Kept relations (touching a forbidden kind) equal to one this run stored."""
        new: set[int] = set()
        kept: list[tuple[int, int]] = []
        statement = sql.relations_touching(self._run.connector_id, forbidden)
        for row in self._conn.execute(statement):
            signature = rows.relation_signature(row[2], row[4:], row[3])
            if row[1] == self._run.id:
                new.add(signature)
            else:
                kept.append((row[0], signature))
        return [relation_id for relation_id, signature in kept if signature in new]

    def _finish_run(self, forbidden: list[str], drift: Drift) -> None:
        run = self._run
        run.status = (RunStatus.PARTIAL if forbidden else RunStatus.SUCCEEDED).value
        run.finished_at, run.counts = self._clock(), dict(self._counts)
        run.forbidden_kinds = forbidden
        run.drift = drift.summary.model_dump()
        self._session.flush()
