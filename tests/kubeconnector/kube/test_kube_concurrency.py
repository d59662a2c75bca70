"""Fan-out work runs a bounded number of calls at once and reports each outcome."""

from __future__ import annotations

import threading
import time

import pytest

from kubeconnector.kube import bounded_map


def test_no_more_than_max_in_flight_calls_run_at_once() -> None:
    lock, state = threading.Lock(), {"now": 0, "peak": 0}

    def work(n: int) -> int:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.01)
        with lock:
            state["now"] -= 1
        return n * 2

    outcomes = list(bounded_map(work, range(12), max_in_flight=3))
    assert sorted(o.value for o in outcomes if o.value is not None) == [n * 2 for n in range(12)]
    assert state["peak"] == 3


def test_a_failing_item_is_reported_without_stopping_the_others() -> None:
    def work(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    outcomes = {o.item: o for o in bounded_map(work, range(4))}
    assert str(outcomes[2].error) == "two"
    assert [outcomes[n].value for n in (0, 1, 3)] == [0, 1, 3]


def test_items_are_taken_lazily() -> None:
    taken: list[int] = []

    def items() -> object:
        for n in range(100):
            taken.append(n)
            yield n

    iterator = bounded_map(lambda n: n, items(), max_in_flight=2)  # type: ignore[arg-type]
    next(iterator)
    iterator.close()
    assert len(taken) <= 4


def test_base_exceptions_propagate() -> None:
    def work(n: int) -> int:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        list(bounded_map(work, [1]))
