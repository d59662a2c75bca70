"""The request log: one entry per API request, for tests that count API calls."""

from __future__ import annotations

import collections
import itertools
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LogEntry:
    """What a request asked and what it got."""

    seq: int
    time: float
    user: str
    verb: str
    method: str
    path: str
    query: str
    status: int
    bytes_in: int
    bytes_out: int
    duration_ms: float
    resource: str
    subresource: str
    namespace: str
    name: str
    user_agent: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """A bounded, append-only log with monotonically increasing sequence numbers."""

    def __init__(self, size: int = 200_000) -> None:
        self._entries: collections.deque[LogEntry] = collections.deque(maxlen=size)
        self._seq = itertools.count(1)

    def next_seq(self) -> int:
        return next(self._seq)

    def append(self, entry: LogEntry) -> None:
        self._entries.append(entry)

    def since(self, seq: int = 0) -> list[LogEntry]:
        return [e for e in self._entries if e.seq > seq]

    def clear(self) -> None:
        self._entries.clear()
