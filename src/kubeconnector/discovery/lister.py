"""Runs a discovery's lists with bounded concurrency and reports progress.

Each list runs in a worker thread that feeds its own `ListCollector` page by page, so raw
pages are dropped as soon as they are processed and up to ``concurrency`` lists are in
flight. The asset fields of each page are handed to ``on_assets`` as they come (one call
at a time, under a lock). A list the identity may not make (403) or that the server does
not serve (404) is recorded on its collector; any other error stops the run: lists not yet
started are cancelled, running ones stop at their next page, and the first error is raised.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.discovery.collector import ListCollector
from kubeconnector.discovery.kinds import ListJob
from kubeconnector.discovery.progress import (
    DONE,
    FORBIDDEN,
    LISTING,
    NOT_FOUND,
    ProgressCallback,
    ProgressEvent,
)
from kubeconnector.discovery.source import ListSource
from kubeconnector.errors import Forbidden, KubeConnectorError, NotFound

DEFAULT_CONCURRENCY = 4
DEFAULT_PAGE_SIZE = 500

AssetFieldsCallback = Callable[[list[dict[str, Any]]], None]


class _Stopped(KubeConnectorError):
    """Another list failed; this one stopped early."""


@dataclass
class _Tracker:
    """Aggregates progress per kind across its lists and serializes the callback."""

    callback: ProgressCallback | None
    lists_left: dict[str, int]
    pages: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page(self, collector: ListCollector) -> None:
        kind = collector.job.kind.kind
        with self.lock:
            self.pages[kind] = self.pages.get(kind, 0) + 1
            if not collector.job.secret_type:
                self._emit(kind, LISTING, collector.items)

    def finished(self, collector: ListCollector, main: ListCollector) -> None:
        kind = collector.job.kind.kind
        with self.lock:
            self.lists_left[kind] -= 1
            if self.lists_left[kind] == 0:
                state = {"forbidden": FORBIDDEN, "not-found": NOT_FOUND}.get(main.error or "", DONE)
                self._emit(kind, state, main.items)

    def _emit(self, kind: str, state: str, items: int) -> None:
        if self.callback is not None:
            self.callback(ProgressEvent(kind, state, items, self.pages.get(kind, 0)))


def run_lists(
    source: ListSource,
    jobs: Sequence[ListJob],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = DEFAULT_PAGE_SIZE,
    progress: ProgressCallback | None = None,
    on_assets: AssetFieldsCallback | None = None,
) -> list[ListCollector]:
    """Make every list, at most ``concurrency`` at a time.

    Args:
        source: Where the pages come from.
        jobs: The lists to make.
        concurrency: Lists in flight at once.
        page_size: Items per page.
        progress: Called after every page and when a kind is done.
        on_assets: Takes each page's new asset fields (not Secrets': see
            `ListCollector.held`).

    Returns:
        One collector per job, in job order.

    Raises:
        ClusterError: A list failed for a reason other than 403 or 404.
    """
    run = _Run(source, page_size, [ListCollector(job) for job in jobs], progress, on_assets)
    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="discovery") as pool:
        futures = [pool.submit(run.one, collector) for collector in run.collectors]
        wait(futures, return_when=FIRST_EXCEPTION)
        if run.stop.is_set():
            pool.shutdown(wait=True, cancel_futures=True)
            raise _first_error(futures)
    return run.collectors


class _Run:
    """The shared state of one `run_lists` call."""

    def __init__(
        self,
        source: ListSource,
        page_size: int,
        collectors: list[ListCollector],
        progress: ProgressCallback | None,
        on_assets: AssetFieldsCallback | None,
    ) -> None:
        self.source, self.page_size, self.collectors = source, page_size, collectors
        self.on_assets, self.deliver_lock = on_assets, threading.Lock()
        self.stop = threading.Event()
        self.mains = {c.job.kind.kind: c for c in collectors if not c.job.secret_type}
        left: dict[str, int] = {}
        for collector in collectors:
            left[collector.job.kind.kind] = left.get(collector.job.kind.kind, 0) + 1
        self.tracker = _Tracker(progress, left)

    def one(self, collector: ListCollector) -> None:
        """Make one list (in a worker thread); any error stops the others."""
        try:
            self._pages(collector)
        except BaseException:
            self.stop.set()
            raise
        self.tracker.finished(collector, self.mains[collector.job.kind.kind])

    def _pages(self, collector: ListCollector) -> None:
        job = collector.job
        pages = self.source.list_pages(
            job.kind,
            job.namespace,
            metadata_only=job.metadata_only,
            limit=self.page_size,
            field_selector=job.field_selector,
        )
        try:
            for page in pages:
                if self.stop.is_set():
                    raise _Stopped("stopped because another list failed")
                self._deliver(collector.add_page(page))
                self.tracker.page(collector)
        except Forbidden:
            collector.error = "forbidden"
        except NotFound:
            collector.error = "not-found"
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    def _deliver(self, fields: list[dict[str, Any]]) -> None:
        if fields and self.on_assets is not None:
            with self.deliver_lock:  # the sink is not thread-safe
                self.on_assets(fields)


def _first_error(futures: Sequence[Future[None]]) -> BaseException:
    """The error that stopped the run (not the early stops it caused)."""
    errors = [f.exception() for f in futures if f.done() and not f.cancelled()]
    real = [e for e in errors if e is not None and not isinstance(e, _Stopped)]
    return (real or [e for e in errors if e is not None])[0]
