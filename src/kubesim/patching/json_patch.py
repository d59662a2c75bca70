"""JSON patch (RFC 6902, `application/json-patch+json`) with the API server's error mapping.

The body is first decoded the way the handler does (400 `error decoding patch: ...` for
bodies that are not a list of operation objects), more than 10000 operations are refused
with 413, and any operation that cannot be applied fails the whole patch with the generic
422 the server sends (it carries no detail).
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import jsonpointer

from kubesim.api.status import StatusError
from kubesim.patching.body import decode_body
from kubesim.patching.errors import MAX_JSON_PATCH_OPERATIONS, rejected, too_many_operations
from kubesim.patching.golang import json_kind
from kubesim.patching.strategic import PatchedObject

IGNORE = "Ignore"
_OP_FIELDS = ("op", "path", "from", "value")
_APPLY_ERRORS = (
    jsonpatch.JsonPatchException,
    jsonpointer.JsonPointerException,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
)


def _bad_body(directive: str, message: str) -> StatusError:
    prefix = "" if directive == IGNORE else "error decoding patch: "
    return StatusError(400, "BadRequest", prefix + message)


def _check_operation(index: int, op: Any, directive: str, strict: list[str]) -> None:
    go_type = "jsonpatch.Operation" if directive == IGNORE else "handlers.jsonPatchOp"
    if not isinstance(op, dict):
        raise _bad_body(
            directive, f"json: cannot unmarshal {json_kind(op)} into Go value of type {go_type}"
        )
    if directive == IGNORE:
        return
    for name in ("op", "path", "from"):
        value = op.get(name)
        if value is not None and not isinstance(value, str):
            raise _bad_body(
                directive,
                f"json: cannot unmarshal {json_kind(value)} into Go struct "
                f"field jsonPatchOp.{name} of type string",
            )
    strict.extend(
        f'json patch unknown field "[{index}].{key}"' for key in op if key not in _OP_FIELDS
    )


def _operations(patch: Any, directive: str) -> tuple[list[dict[str, Any]], list[str]]:
    if patch is None:
        return [], []
    if not isinstance(patch, list):
        go_type = "jsonpatch.Patch" if directive == IGNORE else "[]handlers.jsonPatchOp"
        raise _bad_body(
            directive, f"json: cannot unmarshal {json_kind(patch)} into Go value of type {go_type}"
        )
    strict: list[str] = []
    for index, op in enumerate(patch):
        if op is not None:
            _check_operation(index, op, directive, strict)
    return [op for op in patch if op is not None], strict


def _with_value(op: dict[str, Any]) -> dict[str, Any]:
    # A missing value is applied as null by the server's JSON patch library.
    if op.get("op") in ("add", "replace", "test") and "value" not in op:
        return {**op, "value": None}
    return op


def apply_json_patch(
    original: dict[str, Any], patch: Any, *, directive: str = "Warn"
) -> PatchedObject:
    """Apply a JSON patch body to `original` (which is not modified).

    Args:
        original: The live object.
        patch: The body (a list of operations), raw bytes or already decoded.
        directive: The request's `fieldValidation` (Strict, Warn or Ignore).

    Returns:
        The patched object and the strict-decoding complaints about the operations.

    Raises:
        StatusError: 400 for malformed bodies, 413 beyond 10000 operations, 422 when an
            operation fails (missing path, failed `test`, ...).
    """
    prefix = "" if directive == IGNORE else "error decoding patch: "
    decoded, _ = decode_body(patch, prefix)
    ops, strict = _operations(decoded, directive)
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise too_many_operations(len(ops))
    try:
        result = jsonpatch.JsonPatch([_with_value(op) for op in ops]).apply(copy.deepcopy(original))
    except _APPLY_ERRORS as err:
        raise rejected() from err
    if not isinstance(result, dict):
        raise rejected()
    return PatchedObject(result, strict)
