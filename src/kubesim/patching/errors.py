"""Patch failures and the HTTP responses the API server's patch handler turns them into.

The strategic merge algorithm raises a handful of sentinel errors the handler maps to 400 or
to a generic 422; everything else surfaces as a 500 whose message is the raw error text.
JSON and merge patches have their own fixed mappings.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.status import StatusError, entity_too_large
from kubesim.patching.golang import go_sprint, go_type_name

BAD_JSON_DOC = "invalid JSON document"
NO_LIST_OF_LISTS = "lists of lists are not supported"
BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"
CONTENT_NOT_MATCH_RETAIN_KEYS = "patch content doesn't match retainKeys list"
UNSUPPORTED_FORMAT = "strategic merge patch format is not supported"
REJECTED = "the server rejected our request due to an error in our request"
MAX_JSON_PATCH_OPERATIONS = 10000

_BAD_REQUEST = {
    BAD_JSON_DOC,
    BAD_PRIMITIVE_LIST,
    BAD_RETAIN_KEYS,
    BAD_SET_ELEMENT_ORDER,
    UNSUPPORTED_FORMAT,
}
_UNPROCESSABLE = {NO_LIST_OF_LISTS, CONTENT_NOT_MATCH_RETAIN_KEYS}


class PatchError(Exception):
    """A strategic merge failure carrying Go's error text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_status(self) -> StatusError:
        """The response `interpretStrategicMergePatchError` gives this error."""
        if self.message in _BAD_REQUEST:
            return StatusError(400, "BadRequest", self.message)
        if self.message in _UNPROCESSABLE:
            return rejected()
        return StatusError(500, "", self.message)


def rejected() -> StatusError:
    """The generic 422 (`NewGenericServerResponse`) for patches that cannot be applied."""
    return StatusError(422, "Invalid", REJECTED, {})


def too_many_operations(count: int) -> StatusError:
    """The 413 for a JSON patch with more than 10000 operations."""
    text = (
        f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, "
        f"got {count}"
    )
    return entity_too_large(text)


def no_merge_key(item: dict[str, Any], key: str) -> PatchError:
    """`mergepatch.ErrNoMergeKey`."""
    return PatchError(f"map: {go_sprint(item)} does not contain declared merge key: {key}")


def bad_arg_type(expected: str, actual: Any) -> PatchError:
    """`mergepatch.ErrBadArgType` (the expected type named as Go prints it)."""
    return PatchError(f"expected a {expected}, but received a {go_type_name(actual)}")


def bad_patch_type(directive: Any, patch: dict[str, Any]) -> PatchError:
    """`mergepatch.ErrBadPatchType`."""
    shown = directive if isinstance(directive, str) else _bad_verb(directive)
    return PatchError(f"unknown patch type: {shown} in map: {go_sprint(patch)}")


def _bad_verb(value: Any) -> str:
    return f"%!s({go_type_name(value)}={go_sprint(value)})"
