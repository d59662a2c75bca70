"""A temporary file holding a run's asset rows until its write transaction starts.

Discovery hands over assets page by page while it is still listing, which can take long on a
big or distant cluster. Holding them in memory would grow with the cluster; writing them at
once would hold the database's write lock (all of it, on SQLite) for the whole listing. So
they are appended here as compact JSON frames, and replayed into the transaction when it
starts. The file is anonymous (unlinked at creation, mode 0600) and holds what the database
will hold: asset metadata, never Secret values.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO

import orjson

from kubeconnector.store.inventory_rows import AssetRowValues

_LENGTH = struct.Struct("<Q")


class Spill:
    """Frames of asset rows, written in order and read back once."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self.rows = 0

    def write(self, rows: Sequence[AssetRowValues]) -> None:
        """Append one frame."""
        if self._file is None:
            # Kept open across calls; `read` or `close` closes it.
            self._file = tempfile.TemporaryFile(prefix="kubeconnector-inventory-")  # noqa: SIM115
        data = orjson.dumps(rows)
        self._file.write(_LENGTH.pack(len(data)))
        self._file.write(data)
        self.rows += len(rows)

    def read(self) -> Iterator[list[AssetRowValues]]:
        """The frames, in the order written; the file is closed at the end."""
        if self._file is None:
            return
        spill, self._file = self._file, None
        with spill:
            spill.seek(0)
            while header := spill.read(_LENGTH.size):
                (length,) = _LENGTH.unpack(header)
                yield [tuple(row) for row in orjson.loads(spill.read(length))]

    def close(self) -> None:
        """Discard what is left."""
        if self._file is not None:
            self._file.close()
            self._file = None
