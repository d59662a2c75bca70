"""The discovery service: list a connector's cluster, build its inventory, store it.

`collect` lists and links into memory; `discover` streams the same assets and relations into
a discovery run of the connector's `AssetRepository` as pages arrive (see
`AssetRepository.write_inventory`), so a large cluster is never held whole in memory: the run
is started first, finished by the writer (which returns the drift since the previous run),
or marked failed with the error's one-line description when listing fails.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from kubeconnector.discovery.building import InventoryLists, InventorySink, ModelBuilder
from kubeconnector.discovery.kinds import list_jobs
from kubeconnector.discovery.linker import Inventory, Linked, link
from kubeconnector.discovery.lister import DEFAULT_CONCURRENCY, DEFAULT_PAGE_SIZE, run_lists
from kubeconnector.discovery.progress import (
    FINISHED,
    LINKING,
    STORING,
    ProgressCallback,
    ProgressEvent,
)
from kubeconnector.discovery.source import CountingSource, ListSource
from kubeconnector.errors import KubeConnectorError
from kubeconnector.models.inventory import DiscoveryRun, Drift
from kubeconnector.store.inventory import AssetRepository


class ConnectorScope(Protocol):
    """What discovery needs of a connector (a `kubeconnector.models.Connector` has it)."""

    @property
    def id(self) -> str:
        """The connector's id."""
        ...  # pragma: no cover

    @property
    def namespace(self) -> str | None:
        """The namespace discovery is limited to, or None."""
        ...  # pragma: no cover


@dataclass(frozen=True)
class DiscoveryResult:
    """The outcome of one discovery run.

    Attributes:
        run: The stored run (status ``succeeded``, or ``partial`` when kinds were forbidden).
        counts: Assets found per listed kind.
        forbidden_kinds: Kinds that could not be listed (403, or 404 for unserved kinds).
        unlisted: The same kinds with the reason: ``forbidden`` or ``not-found``.
        drift: What changed since the previous run.
        relations: How many relations were stored.
        pages: Pages received.
        duration_s: Wall time of the run, storing included.
        requests: HTTP requests made, when the source counts them.
        bytes_received: Response bytes received, when the source counts them.
    """

    run: DiscoveryRun
    counts: dict[str, int]
    forbidden_kinds: tuple[str, ...]
    unlisted: dict[str, str]
    drift: Drift
    relations: int
    pages: int
    duration_s: float
    requests: int | None
    bytes_received: int | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``kubeconnector discover --json`` and the API's discovery jobs)."""
        drift = self.drift
        changed = [c.model_dump(mode="json") | {"key": str(c.key)} for c in drift.changed]
        return {
            "run": self.run.model_dump(mode="json"),
            "counts": self.counts,
            "forbiddenKinds": list(self.forbidden_kinds),
            "unlisted": self.unlisted,
            "drift": {
                "summary": drift.summary.model_dump(),
                "added": [str(k) for k in drift.added],
                "removed": [str(k) for k in drift.removed],
                "changed": changed,
            },
            "relations": self.relations,
            "pages": self.pages,
            "durationS": round(self.duration_s, 3),
            "requests": self.requests,
            "bytesReceived": self.bytes_received,
        }


@dataclass(frozen=True)
class Collected:
    """An inventory and what it took to list it.

    Attributes:
        inventory: The assets and relations.
        pages: Pages received.
    """

    inventory: Inventory
    pages: int


def collect(
    source: ListSource,
    scope: str | None,
    *,
    progress: ProgressCallback | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Collected:
    """List every discovered kind and link the results in memory, without storing anything.

    Args:
        source: Where pages come from.
        scope: The namespace to limit namespaced kinds to, or None.
        progress: Called after every page and stage.
        concurrency: Lists in flight at once.
        page_size: Items per page.

    Raises:
        ClusterError: A list failed (other than 403 or 404).
    """
    lists = InventoryLists()
    linked, pages = _stream(source, scope, lists, progress, concurrency, page_size)
    inventory = Inventory(lists.assets, lists.relations, linked.counts, linked.unlisted)
    return Collected(inventory, pages)


def _stream(
    source: ListSource,
    scope: str | None,
    sink: InventorySink,
    progress: ProgressCallback | None,
    concurrency: int,
    page_size: int,
) -> tuple[Linked, int]:
    """List into ``sink`` page by page, then link; returns the link summary and page count."""
    build = ModelBuilder()
    with gc_paused():
        collectors = run_lists(
            source,
            list_jobs(scope),
            concurrency=concurrency,
            page_size=page_size,
            progress=progress,
            on_assets=lambda fields: sink.add_assets(build.asset(f) for f in fields),
        )
        pages = sum(c.pages for c in collectors)
        _emit(progress, LINKING, 0)
        return link(collectors, scope, sink, build), pages


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (if it was running).

    Listing allocates hundreds of thousands of small acyclic containers (parsed JSON);
    without the pause, collections triggered by those allocations keep re-traversing
    everything kept so far and take about two thirds of the CPU time. Reference counting
    still frees everything as usual; the collector resumes when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def discover(
    source: ListSource,
    connector: ConnectorScope,
    repository: AssetRepository,
    *,
    progress: ProgressCallback | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = DEFAULT_PAGE_SIZE,
    timer: Callable[[], float] = time.perf_counter,
) -> DiscoveryResult:
    """Discover a connector's cluster and store the inventory as a new discovery run.

    Args:
        source: The connector's cluster client (anything with ``list_pages``).
        connector: The connector (its id and namespace scope).
        repository: Where runs, assets and relations are stored.
        progress: Called after every page and stage (see `kubeconnector.discovery.progress`).
        concurrency: Lists in flight at once.
        page_size: Items per page.
        timer: A monotonic clock, in seconds.

    Raises:
        RecordNotFound: The connector is not stored.
        ClusterError: Listing failed (the run is stored as failed, with the reason).
    """
    started, before = timer(), _counters(source)
    run = repository.start_run(connector.id)
    try:
        with repository.write_inventory(run.id) as writer:
            linked, pages = _stream(
                source, connector.namespace, writer, progress, concurrency, page_size
            )
            _emit(progress, STORING, writer.assets)
            with gc_paused():  # storing allocates many small rows, like listing
                drift = writer.finish(sorted(linked.unlisted))
            assets = writer.assets
    except BaseException as exc:
        repository.fail_run(run.id, _describe(exc))
        raise
    _emit(progress, FINISHED, assets)
    return DiscoveryResult(
        run=repository.get_run(run.id),
        counts=linked.counts,
        forbidden_kinds=tuple(sorted(linked.unlisted)),
        unlisted=linked.unlisted,
        drift=drift,
        relations=linked.relations,
        pages=pages,
        duration_s=timer() - started,
        requests=_delta(before[0], _counters(source)[0]),
        bytes_received=_delta(before[1], _counters(source)[1]),
    )


def _emit(progress: ProgressCallback | None, state: str, items: int) -> None:
    if progress is not None:
        progress(ProgressEvent(None, state, items))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KubeConnectorError):
        return f"{exc.reason}: {exc}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"internal error: {type(exc).__name__}"


def _counters(source: object) -> tuple[int | None, int | None]:
    if isinstance(source, CountingSource):
        return source.request_count, source.bytes_received
    return None, None


def _delta(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before
