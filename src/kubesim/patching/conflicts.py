"""The 409 a server-side apply gets when it would change fields other managers own.

Messages follow the field manager's `NewConflictError`: one conflict is spelled out on one
line, several are grouped per manager (managers sorted by identifier), and every conflict is
also a `FieldManagerConflict` cause. Update managers print as `"name" using <apiVersion>`,
apply managers by name only, each with ` with subresource "<sub>"` when they wrote one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubesim.api.status import StatusError
from kubesim.patching import fieldpath as fp

if TYPE_CHECKING:
    from kubesim.patching.managedfields import Entry


@dataclass(frozen=True)
class Conflict:
    """A field `path` owned by `owner` that the apply would change."""

    owner: Entry
    path: fp.Path


def manager_label(entry: Entry) -> str:
    """How a conflict message names a manager (`printManager`)."""
    label = json.dumps(entry.manager, ensure_ascii=False)
    if entry.subresource:
        label += " with subresource " + json.dumps(entry.subresource, ensure_ascii=False)
    if entry.operation == "Update":
        label += f" using {entry.api_version}"
    return label


def _ordered(conflicts: list[Conflict]) -> list[Conflict]:
    return sorted(conflicts, key=lambda c: (c.owner.identifier, fp.path_order(c.path)))


def conflict_message(conflicts: list[Conflict]) -> str:
    """The Status message for a list of conflicts."""
    ordered = _ordered(conflicts)
    if len(ordered) == 1:
        only = ordered[0]
        return (
            f"Apply failed with 1 conflict: conflict with {manager_label(only.owner)}: "
            f"{fp.path_string(only.path)}"
        )
    lines: list[str] = []
    current = None
    for item in ordered:
        if item.owner.identifier != current:
            current = item.owner.identifier
            lines.append(f"conflicts with {manager_label(item.owner)}:")
        lines.append(f"- {fp.path_string(item.path)}")
    return f"Apply failed with {len(ordered)} conflicts: " + "\n".join(lines)


def conflict_error(conflicts: list[Conflict]) -> StatusError:
    """The 409 Conflict Status for `conflicts`."""
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f"conflict with {manager_label(item.owner)}",
            "field": fp.path_string(item.path),
        }
        for item in _ordered(conflicts)
    ]
    return StatusError(409, "Conflict", conflict_message(conflicts), {"causes": causes})
