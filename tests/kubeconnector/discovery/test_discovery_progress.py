"""The rich progress display and the lister's handling of failures."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from tests.kubeconnector.discovery.discovery_fakes import FakeSource, secret

from kubeconnector.discovery import ProgressEvent, collect, rich_progress
from kubeconnector.discovery.kinds import KINDS
from kubeconnector.errors import ClusterUnreachable


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=100, force_terminal=False, color_system=None), out


def test_rich_progress_shows_one_line_per_kind_and_the_run() -> None:
    console, out = _console()
    with rich_progress(console) as show:
        show(ProgressEvent("Pod", "listing", 500, 1))
        show(ProgressEvent("Pod", "done", 734, 2))
        show(ProgressEvent("Node", "forbidden", 0, 0))
        show(ProgressEvent(None, "finished", 734))
    lines = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    final = lines[-3:]
    assert "Pod" in final[0] and "done 734 objects, 2 pages" in final[0]
    assert "Node" in final[1] and "forbidden 0 objects, 0 pages" in final[1]
    assert "discovery" in final[2] and "finished (734 assets)" in final[2]


def test_rich_progress_draws_a_whole_discovery() -> None:
    console, out = _console()
    source = FakeSource()
    source.add("secrets", secret("a", "ns"), secret("b", "ns"))
    with rich_progress(console) as show:
        collect(source, None, progress=show)
    text = out.getvalue()
    assert "done 2 objects, 8 pages" in text
    assert text.count(" done ") >= len(KINDS)


class _Unreachable(FakeSource):
    """Pods fail while the full Secret list is running; that list then has 100 pages left."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = threading.Event()
        self.secrets_started = False
        self.pages_after_failure = 0

    def list_pages(self, kind: Any, namespace: str | None, **options: Any) -> Iterator[list[Any]]:
        if kind.plural == "pods":
            self.failed.wait(0.5)  # until the Secret list is running
            raise ClusterUnreachable("cannot reach 127.0.0.1:1")
        if kind.plural == "secrets" and not options.get("field_selector"):
            return self._slow()
        return super().list_pages(kind, namespace, **options)

    def _slow(self) -> Iterator[list[Any]]:
        self.secrets_started = True
        self.failed.set()
        for _ in range(100):
            threading.Event().wait(0.01)
            yield [{"metadata": {"name": "s", "namespace": "ns"}}]
            self.pages_after_failure += 1


def test_a_fatal_error_stops_the_other_lists_and_is_the_one_raised() -> None:
    source = _Unreachable()
    with pytest.raises(ClusterUnreachable, match=r"127\.0\.0\.1:1"):
        collect(source, None)
    assert source.secrets_started
    assert source.pages_after_failure < 5


def test_lists_run_one_at_a_time_with_a_concurrency_of_one() -> None:
    source = FakeSource()
    source.add("secrets", secret("a", "ns"))
    inventory = collect(source, None, concurrency=1).inventory
    assert inventory.counts["Secret"] == 1
    assert len(source.calls) == len(KINDS) + 7
