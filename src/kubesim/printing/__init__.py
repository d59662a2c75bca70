"""Server-side printing: the `meta.k8s.io/v1` Table representation `kubectl get` asks for.

Columns and cells reproduce `pkg/printers/internalversion/printers.go` of the real API server
(always generated wide), so kubectl prints kubesim's tables exactly like a real cluster's.
"""

from __future__ import annotations

from kubesim.printing.columns import columns
from kubesim.printing.table import cells, check_include_object, table, watch_table_event
from kubesim.printing.timefmt import human_duration

__all__ = [
    "cells",
    "check_include_object",
    "columns",
    "human_duration",
    "table",
    "watch_table_event",
]
