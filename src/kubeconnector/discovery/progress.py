"""Progress of a discovery run: the events discovery emits, and a rich renderer for them.

``discover(..., progress=callback)`` calls ``callback(event)`` after every page and when a
kind or a stage of the run ends. Calls come from the listing threads but never overlap.

    with rich_progress(console) as callback:
        result = discover(client, connector, repository, progress=callback)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

LISTING = "listing"
DONE = "done"
FORBIDDEN = "forbidden"
NOT_FOUND = "not-found"
LINKING = "linking"
STORING = "storing"
FINISHED = "finished"


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a discovery run.

    Attributes:
        kind: The kind listed (e.g. ``Secret``), or None for a stage of the whole run.
        state: For a kind: ``listing``, ``done``, ``forbidden`` or ``not-found``; for the run:
            ``linking`` (building relations), ``storing`` or ``finished``.
        items: Objects of the kind received so far (for the run: assets found).
        pages: Pages received so far for the kind, its per-type Secret lists included.
    """

    kind: str | None
    state: str
    items: int = 0
    pages: int = 0


ProgressCallback = Callable[[ProgressEvent], None]

_STYLES = {DONE: "green", FORBIDDEN: "yellow", NOT_FOUND: "yellow", LISTING: "cyan"}


class RichProgressRenderer:
    """Renders `ProgressEvent`s as one rich progress line per kind plus a run line.

    Args:
        progress: The rich `Progress` to draw on (started and stopped by the caller).
    """

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str | None, TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        """Show one event."""
        task = self._tasks.get(event.kind)
        if task is None:
            label = event.kind or "discovery"
            task = self._progress.add_task(label, total=None, status="")
            self._tasks[event.kind] = task
        finished = event.state in (DONE, FORBIDDEN, NOT_FOUND, FINISHED)
        self._progress.update(
            task,
            status=self._status(event),
            total=1 if finished else None,
            completed=1 if finished else 0,
        )

    @staticmethod
    def _status(event: ProgressEvent) -> str:
        if event.kind is None:
            return f"{event.state} ({event.items} assets)"
        style = _STYLES.get(event.state, "white")
        return f"[{style}]{event.state}[/] {event.items} objects, {event.pages} pages"


@contextmanager
def rich_progress(console: Console | None = None) -> Iterator[ProgressCallback]:
    """A live rich display for the duration of the block; yields the callback to pass.

    Args:
        console: Where to draw (default: a new stderr console).
    """
    progress = Progress(
        SpinnerColumn(finished_text="[green]✓"),
        TextColumn("{task.description:<20}"),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
    with progress:
        yield RichProgressRenderer(progress)
