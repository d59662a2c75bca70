"""Bounded concurrency for fan-out work such as discovery's lists.

`bounded_map` runs a function over items on a small thread pool, never more than
``max_in_flight`` at once, and yields each outcome as it completes. The client underneath also
caps requests in flight (`kubeconnector.kube.client.ClientOptions.max_in_flight`), so the two
bounds compose: the pool bounds work, the client bounds the wire.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

DEFAULT_MAX_IN_FLIGHT = 4

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    """The result of one item: a value, or the exception it raised.

    Attributes:
        item: The input.
        value: The result when it succeeded.
        error: The exception when it failed (`Exception` subclasses only; others propagate).
    """

    item: T
    value: R | None = None
    error: Exception | None = None


def bounded_map(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> Iterator[Outcome[T, R]]:
    """Apply `func` to every item, at most `max_in_flight` at a time, yielding completions.

    Items are submitted lazily, in order, as slots free up. Closing the iterator early stops
    submitting and waits for the calls already running.
    """
    pending = iter(items)
    limit = max(1, max_in_flight)
    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="kube") as pool:
        running: dict[Future[R], T] = {}
        _fill(pool, func, pending, running, limit)
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                yield _outcome(running.pop(future), future)
            _fill(pool, func, pending, running, limit)


def _fill(
    pool: ThreadPoolExecutor,
    func: Callable[[T], R],
    pending: Iterator[T],
    running: dict[Future[R], T],
    limit: int,
) -> None:
    for item in itertools.islice(pending, max(0, limit - len(running))):
        running[pool.submit(func, item)] = item


def _outcome(item: T, future: Future[R]) -> Outcome[T, R]:
    error = future.exception()
    if error is None:
        return Outcome(item, future.result())
    if not isinstance(error, Exception):
        raise error
    return Outcome(item, error=error)
