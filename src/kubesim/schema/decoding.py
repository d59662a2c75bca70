"""Strict decoding: what the API server's JSON decoder reports about a request body.

The real decoder drops unknown fields (reporting them as warnings or, with
`fieldValidation=Strict`, as a 400), and fails on values of the wrong JSON type with Go's
`json: cannot unmarshal ...` message. One walk over the object finds both, so the check is
cheap enough to run on every external write; trusted internal writes simply skip it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from kubesim.api.fielderrors import invalid as invalid_value
from kubesim.api.status import StatusError
from kubesim.schema.scalars import scalar_error
from kubesim.schema.types import Kind, TypeInfo, kind_type

STRICT = "Strict"
WARN = "Warn"
IGNORE = "Ignore"


class DuplicateKeyDict(dict[str, Any]):
    """A decoded JSON object that remembers keys given more than once."""

    duplicates: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> DuplicateKeyDict:
    obj = DuplicateKeyDict()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj and key not in obj.duplicates:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def load_json(raw: bytes | str) -> Any:
    """Parse a request body, keeping track of duplicate keys for strict decoding."""
    return json.loads(raw, object_pairs_hook=_pairs_hook)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    return "array" if isinstance(value, list) else "object"


class _Walker:
    """One decoding pass: collects strict errors and the first type error, in order."""

    def __init__(self) -> None:
        self.strict: list[str] = []
        self.type_error: str | None = None

    def visit(self, node: TypeInfo, value: Any, path: str, gopath: str, struct: str) -> None:
        """Decode-check `value` against `node` (nulls always decode)."""
        if value is None or node.kind is Kind.UNTYPED:
            return
        visitor = _VISITORS[node.kind]
        visitor(self, node, value, path, gopath, struct)

    def fail(self, value: Any, gopath: str, struct: str, go_type: str) -> None:
        """Record a wrong-JSON-type error for `value`."""
        self.unmarshal_error(_json_kind(value), gopath, struct, go_type)

    def unmarshal_error(self, what: str, gopath: str, struct: str, go_type: str) -> None:
        """Record Go's `cannot unmarshal` error (only the first one counts)."""
        if self.type_error is not None:
            return  # the decoder reports only the first one
        self.type_error = (
            f"json: cannot unmarshal {what} into Go struct field {struct}.{gopath} "
            f"of type {go_type}"
        )

    def scalar(self, node: TypeInfo, value: Any, _path: str, gopath: str, struct: str) -> None:
        """Check a scalar value."""
        problem = scalar_error(node, value)
        if problem is None:
            return
        if problem.kind == "number":
            self.unmarshal_error(problem.text, gopath, struct, problem.go_type)
        elif problem.kind == "type":
            self.fail(value, gopath, struct, problem.go_type)
        elif self.type_error is None:
            self.type_error = problem.text

    def struct(self, node: TypeInfo, value: Any, path: str, gopath: str, struct: str) -> None:
        """Check an object against a struct: unknown fields and field values."""
        if not isinstance(value, dict):
            self.fail(value, gopath, struct, node.go_type)
            return
        self._duplicates(value, path)
        name = node.go_type.rsplit(".", 1)[-1]
        for key, child in value.items():
            found = node.fields.get(key)
            child_path = f"{path}.{key}" if path else key
            if found is None:
                if not node.preserve_unknown:
                    self.strict.append(f'unknown field "{child_path}"')
                continue
            child_go = f"{gopath}.{key}" if gopath else key
            self.visit(found.type, child, child_path, child_go, name)

    def mapping(self, node: TypeInfo, value: Any, path: str, gopath: str, struct: str) -> None:
        """Check the values of a map."""
        if not isinstance(value, dict):
            self.fail(value, gopath, struct, node.go_type)
            return
        self._duplicates(value, path)
        elem = node.elem
        for key, child in value.items():
            self.visit(elem, child, f"{path}.{key}", gopath, struct)

    def listing(self, node: TypeInfo, value: Any, path: str, gopath: str, struct: str) -> None:
        """Check the items of a list."""
        if not isinstance(value, list):
            self.fail(value, gopath, struct, node.go_type)
            return
        elem = node.elem
        for index, item in enumerate(value):
            self.visit(elem, item, f"{path}[{index}]", gopath, struct)

    def _duplicates(self, value: dict[str, Any], path: str) -> None:
        for key in getattr(value, "duplicates", ()):
            self.strict.append(
                f'duplicate field "{path}.{key}"' if path else f'duplicate field "{key}"'
            )


_Visitor = Callable[[_Walker, TypeInfo, Any, str, str, str], None]
_VISITORS: dict[Kind, _Visitor] = {
    Kind.SCALAR: _Walker.scalar,
    Kind.STRUCT: _Walker.struct,
    Kind.MAP: _Walker.mapping,
    Kind.LIST: _Walker.listing,
}


def _walk(group: str, version: str, kind: str, obj: Any) -> _Walker:
    walker = _Walker()
    node = kind_type(group, version, kind)
    walker.visit(node, obj, "", "", kind)
    return walker


def unknown_fields(group: str, version: str, kind: str, obj: dict[str, Any]) -> list[str]:
    """The unknown fields of `obj` as the server prints them (`spec.containers[0].imagee`)."""
    prefix, suffix = 'unknown field "', '"'
    found = _walk(group, version, kind, obj).strict
    return [text[len(prefix) : -len(suffix)] for text in found if text.startswith(prefix)]


def type_error(group: str, version: str, kind: str, obj: dict[str, Any]) -> str | None:
    """The decoder error for the first value of the wrong type, or None."""
    return _walk(group, version, kind, obj).type_error


def decode_error(kind: str, version: str, message: str) -> StatusError:
    """The 400 a create/update body that cannot be decoded gets."""
    text = f'{kind} in version "{version}" cannot be handled as a {kind}: {message}'
    return StatusError(400, "BadRequest", text)


def check_decode(
    group: str, version: str, kind: str, obj: dict[str, Any], directive: str = WARN
) -> list[str]:
    """Decode-check a create/update body; returns warning texts, raises the 400 on failure.

    Args:
        group: API group of the kind ("" for core).
        version: API version of the body.
        kind: The kind being decoded.
        obj: The decoded body (use `load_json` to also catch duplicate fields).
        directive: The `fieldValidation` value: Strict, Warn (the default) or Ignore.

    Returns:
        The texts to send as `Warning: 299 - "<text>"` headers (empty unless Warn).

    Raises:
        StatusError: 400 for type errors, and for unknown/duplicate fields under Strict.
    """
    walker = _walk(group, version, kind, obj)
    if walker.type_error is not None:
        raise decode_error(kind, version, walker.type_error)
    if walker.strict and directive == STRICT:
        raise decode_error(kind, version, "strict decoding error: " + ", ".join(walker.strict))
    return walker.strict if directive == WARN else []


def patch_invalid(patch_value: str, message: str) -> StatusError:
    """The 422 the patch handler answers when the patched object does not decode."""
    error = invalid_value("patch", patch_value, message)
    details = {"causes": [error.cause()]}
    return StatusError(422, "Invalid", f' "" is invalid: {error}', details)


def check_patched(
    group: str,
    version: str,
    kind: str,
    obj: dict[str, Any],
    directive: str,
    patch_value: str,
    extra: Sequence[str] = (),
) -> list[str]:
    """Decode-check the result of a patch; returns warnings, raises the patch handler's 422.

    Args:
        group: API group of the kind.
        version: API version of the object.
        kind: The kind being patched.
        obj: The patched object.
        directive: The `fieldValidation` value.
        patch_value: The rendering of the patch the real server embeds in the error
            (see `kubesim.patching.golang.go_sprint` for strategic merge patches, or the
            patched object's JSON for JSON and merge patches).
        extra: Strict-decoding complaints about the patch body itself (the `strict` list
            of a `kubesim.patching` result); they come first, as the server lists them.

    Returns:
        Warning texts (empty unless the directive is Warn).
    """
    walker = _walk(group, version, kind, obj)
    if walker.type_error is not None:
        raise patch_invalid(patch_value, walker.type_error)
    strict = [*extra, *walker.strict]
    if strict and directive == STRICT:
        raise patch_invalid(patch_value, "strict decoding error: " + ", ".join(strict))
    return strict if directive == WARN else []


def warning_header(text: str) -> str:
    """The `Warning` header value for a decoder warning: `299 - "unknown field \\"x\\""`."""
    return "299 - " + json.dumps(text, ensure_ascii=False)
