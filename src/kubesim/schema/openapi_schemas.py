"""Rendering API definitions as OpenAPI v3 (`components.schemas`) and Swagger 2.0 schemas.

The stored definitions are JSON-schema flavoured (`#/$defs/` refs, `["string","null"]` types,
`oneOf` for int-or-string). This module turns them back into the shapes the real server
publishes: v3 wraps a `$ref` that has sibling keys in `allOf`, both versions use single types
and `format: int-or-string`, and keys are emitted in kube-openapi's field order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kubesim.schema.loader import Definitions, ref_name

V3_REF = "#/components/schemas/"
V2_REF = "#/definitions/"

# kube-openapi's SchemaProps/SwaggerSchemaProps field order; extensions follow, sorted.
_KEY_ORDER = (
    "$ref",
    "description",
    "type",
    "format",
    "title",
    "default",
    "maximum",
    "minimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "required",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "properties",
    "additionalProperties",
)
_RANK = {key: index for index, key in enumerate(_KEY_ORDER)}
# Added to the stored definitions by the packager; the server does not publish them.
_INJECTED_ENUMS = ("apiVersion", "kind")


def ordered(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of `schema` in the order the real server serializes them."""
    return dict(sorted(schema.items(), key=lambda item: (_RANK.get(item[0], 99), item[0])))


def _single_type(declared: Any) -> Any:
    if isinstance(declared, list):
        return next((t for t in declared if t != "null"), "object")
    return declared


def _one_of(schema: Mapping[str, Any]) -> dict[str, Any]:
    types = {_single_type(option.get("type")) for option in schema["oneOf"]}
    out: dict[str, Any] = {k: v for k, v in schema.items() if k != "oneOf"}
    out["type"] = "string"
    if "integer" in types:
        out["format"] = "int-or-string"
    return out


class SchemaConverter:
    """Converts stored definitions to the v3 or v2 form, given the target `$ref` prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.wrap_refs = prefix == V3_REF

    def convert(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """One schema (definition or property), recursively converted."""
        if "oneOf" in schema:
            return ordered(_one_of(schema))
        if "$ref" in schema:
            return self._reference(schema)
        out: dict[str, Any] = {}
        for key, value in schema.items():
            out[key] = self._convert_key(key, value)
        return ordered(out)

    def _convert_key(self, key: str, value: Any) -> Any:
        if key == "type":
            return _single_type(value)
        if key == "properties":
            return {name: self._property(name, prop) for name, prop in sorted(value.items())}
        if key in ("items", "additionalProperties") and isinstance(value, Mapping):
            return self.convert(value)
        return value

    def _property(self, name: str, prop: Mapping[str, Any]) -> dict[str, Any]:
        if name in _INJECTED_ENUMS and "enum" in prop:
            prop = {k: v for k, v in prop.items() if k != "enum"}
        return self.convert(prop)

    def _reference(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        target = self.prefix + ref_name(str(schema["$ref"]))
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        if not siblings:
            return {"$ref": target}
        if self.wrap_refs:
            return ordered({**siblings, "allOf": [{"$ref": target}]})
        return ordered({**siblings, "$ref": target})


def references(schema: Any) -> Iterable[str]:
    """The definition names a stored schema refers to, directly."""
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield ref_name(value)
            else:
                yield from references(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from references(item)


def reachable(definitions: Definitions, roots: Iterable[str]) -> list[str]:
    """Every definition reachable from `roots`, sorted by name."""
    seen: set[str] = set()
    pending = [name for name in roots if name in definitions.schemas]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(ref for ref in references(definitions.get(name)) if ref not in seen)
    return sorted(seen)


def render_schemas(definitions: Definitions, names: Iterable[str], prefix: str) -> dict[str, Any]:
    """`components.schemas` (or `definitions`) for the given names, converted."""
    converter = SchemaConverter(prefix)
    return {name: converter.convert(definitions.get(name)) for name in sorted(names)}
