"""Where the CLI writes: JSON, or rich tables and panels on stdout.

Markup is off on every console: names, messages and labels come from clusters and users and
are printed as they are (a ``[`` in a label is text, not a style). Styles are applied with
`rich.text.Text` only. When stdout is not a terminal, tables get a wide fixed width instead of
80 columns, so captured output is not wrapped mid-word.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

PIPE_WIDTH = 200
WARNING_STYLE = "yellow"
Cell = str | Text | None


def jsonable(value: Any) -> Any:
    """Plain JSON values for a result: ``to_dict()`` first, then pydantic, dataclasses, enums."""
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return jsonable(to_dict())
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value) if f.repr}
    return value


def _console(stream: Any) -> Console:
    terminal = stream.isatty()
    return Console(
        file=stream,
        markup=False,
        highlight=False,
        emoji=False,
        width=None if terminal else PIPE_WIDTH,
        soft_wrap=False,
    )


class Output:
    """The CLI's output for one command.

    Args:
        json_mode: Print JSON documents instead of tables.
    """

    def __init__(self, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.console = _console(sys.stdout)

    @property
    def stderr_is_terminal(self) -> bool:
        """Whether progress displays may be drawn on stderr."""
        return sys.stderr.isatty()

    def emit(self, data: Any, draw: Callable[[Output], None]) -> None:
        """Print ``data`` as JSON in JSON mode, else call ``draw`` to render it."""
        if self.json_mode:
            self.json(data)
        else:
            draw(self)

    def json(self, data: Any) -> None:
        """Print one JSON document."""
        sys.stdout.write(json.dumps(jsonable(data), indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def print(self, *items: RenderableType) -> None:
        """Print rich renderables (or plain strings, without markup)."""
        self.console.print(*items)

    def line(self, text: str, style: str = "") -> None:
        """Print one line of text."""
        self.console.print(Text(text, style=style))

    def warnings(self, warnings: Iterable[str], prefix: str = "") -> None:
        """Print each warning on its own line, marked as a warning."""
        for warning in warnings:
            self.line(f"warning: {prefix}{warning}", WARNING_STYLE)

    def blank(self) -> None:
        """Print an empty line."""
        self.console.print()


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Table:
    """A simple table; ``None`` cells print as ``-``."""
    grid = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(_cell(value) for value in row))
    return grid


def details(rows: Iterable[tuple[str, Cell]]) -> Table:
    """A two-column ``field  value`` table."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for name, value in rows:
        grid.add_row(name, _cell(value))
    return grid


def styled(text: str, style: str) -> Text:
    """Text in a style."""
    return Text(text, style=style)


def yes_no(value: bool, yes: str = "yes", no: str = "no") -> Text:
    """``yes`` in green or ``no`` in red."""
    return Text(yes, style="green") if value else Text(no, style="red")


def _cell(value: Cell) -> Text:
    if value is None or value == "":
        return Text("-", style="dim")
    return value if isinstance(value, Text) else Text(str(value))
