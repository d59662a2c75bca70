"""The four patch types of the API server and the field ownership they record.

JSON patch, JSON merge patch, strategic merge patch and server-side apply are pure functions
on JSON-like dicts; failures raise `kubesim.api.status.StatusError` with the real texts.
"""

from kubesim.patching.apply import server_side_apply
from kubesim.patching.json_patch import apply_json_patch
from kubesim.patching.managedfields import manager_name, track_update
from kubesim.patching.merge_patch import apply_merge_patch
from kubesim.patching.strategic import PatchedObject, apply_strategic_patch, strategic_merge_patch

__all__ = [
    "PatchedObject",
    "apply_json_patch",
    "apply_merge_patch",
    "apply_strategic_patch",
    "manager_name",
    "server_side_apply",
    "strategic_merge_patch",
    "track_update",
]
