"""JSON merge patch (RFC 7386, `application/merge-patch+json`) as the API server applies it.

Objects merge recursively, `null` deletes a key, anything else (arrays included) replaces the
target value. Values taken from the patch lose their `null` members, as the server's merge
library prunes them.
"""

from __future__ import annotations

import copy
from typing import Any

from kubesim.api.status import StatusError
from kubesim.patching.body import decode_body
from kubesim.patching.golang import json_kind
from kubesim.patching.strategic import PatchedObject, discard_nulls

IGNORE = "Ignore"


def merge(target: Any, patch: Any) -> Any:
    """RFC 7386 `MergePatch(target, patch)`; modifies and returns `target` when it is a map."""
    if not isinstance(patch, dict):
        discard_nulls(patch)
        return patch
    result: dict[str, Any] = target if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge(result.get(key), value)
    return result


def apply_merge_patch(
    original: dict[str, Any], patch: Any, *, directive: str = "Warn"
) -> PatchedObject:
    """Apply a merge patch body to `original` (which is not modified).

    Args:
        original: The live object.
        patch: The body (a JSON object), raw bytes or already decoded.
        directive: The request's `fieldValidation`.

    Returns:
        The patched object and the strict-decoding complaints about the body (duplicates).

    Raises:
        StatusError: 400 if the body is not a JSON object.
    """
    prefix = "" if directive == IGNORE else "error decoding patch: "
    patch, duplicates = decode_body(patch, prefix)
    if patch is None:
        patch = {}
    if not isinstance(patch, dict):
        kind = json_kind(patch)
        message = f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
        raise StatusError(400, "BadRequest", prefix + message)
    strict = [] if directive == IGNORE else duplicates
    merged = merge(copy.deepcopy(original), copy.deepcopy(patch))
    return PatchedObject(merged, strict)
