"""Compiled, navigable views of the API definitions: the one schema API of kubesim.

A `TypeInfo` describes a node of an object (struct, map, list, scalar or untyped) with the
`x-kubernetes-*` semantics already interpreted; a `FieldInfo` adds the per-field patch
metadata. Strict decoding, strategic merge patch, server-side apply and the OpenAPI documents
all navigate objects through these types, compiled lazily and shared per Kubernetes version.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubesim.schema.loader import (
    DEFAULT_VERSION,
    GVK,
    Definitions,
    load_definitions,
    ref_name,
)

# Key fields that the server defaults before list items are matched (`+default` markers).
_KEY_DEFAULTS: Mapping[str, Any] = {"protocol": "TCP"}


class Kind(enum.Enum):
    """The shape of a schema node."""

    SCALAR = "scalar"
    STRUCT = "struct"
    MAP = "map"
    LIST = "list"
    UNTYPED = "untyped"


def _json_type(schema: Mapping[str, Any]) -> str:
    declared = schema.get("type", "")
    if isinstance(declared, list):
        return next((t for t in declared if t != "null"), "")
    return str(declared)


def _list_semantics(schema: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The SSA list type and keys, derived like kube-openapi's schema converter does."""
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "map":
        return "map", tuple(schema.get("x-kubernetes-list-map-keys", ()))
    if list_type in ("set", "atomic"):
        return str(list_type), ()
    strategy = str(schema.get("x-kubernetes-patch-strategy", ""))
    if "merge" in strategy.split(","):
        key = schema.get("x-kubernetes-patch-merge-key")
        return ("map", (str(key),)) if key else ("set", ())
    return "atomic", ()


def _go_name(definition: str) -> str:
    """`io.k8s.api.apps.v1.DeploymentSpec` -> `v1.DeploymentSpec` (Go's type rendering)."""
    parts = definition.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else definition


class TypeInfo:
    """One schema node with its `$ref` resolved and its extensions interpreted."""

    __slots__ = (
        "_catalog",
        "_elem",
        "_fields",
        "atomic",
        "format",
        "keys",
        "kind",
        "list_type",
        "name",
        "preserve_unknown",
        "raw",
        "scalar",
    )

    def __init__(self, catalog: Catalog, raw: Mapping[str, Any], name: str = "") -> None:
        self._catalog = catalog
        self.raw = raw
        self.name = name
        self.format = str(raw.get("format", ""))
        self.preserve_unknown = bool(raw.get("x-kubernetes-preserve-unknown-fields"))
        self.atomic = raw.get("x-kubernetes-map-type") == "atomic"
        self.list_type = ""
        self.keys: tuple[str, ...] = ()
        self.scalar = ""
        self._fields: dict[str, FieldInfo] | None = None
        self._elem: TypeInfo | None = None
        self.kind = self._classify(raw)

    def _classify(self, raw: Mapping[str, Any]) -> Kind:
        if "oneOf" in raw:
            types = {_json_type(option) for option in raw["oneOf"]}
            self.scalar = "int-or-string" if "integer" in types else "quantity"
            return Kind.SCALAR
        json_type = _json_type(raw)
        if json_type == "object":
            if "properties" in raw:
                return Kind.STRUCT
            return Kind.MAP if "additionalProperties" in raw else Kind.UNTYPED
        if json_type == "array":
            self.list_type, self.keys = _list_semantics(raw)
            self.atomic = self.list_type == "atomic"
            return Kind.LIST
        if json_type:
            self.scalar = json_type
            return Kind.SCALAR
        return Kind.UNTYPED

    def __repr__(self) -> str:
        return f"TypeInfo({self.kind.value}, {self.name or self.scalar or 'inline'})"

    @property
    def fields(self) -> Mapping[str, FieldInfo]:
        """The declared fields of a struct (empty for other kinds)."""
        if self._fields is None:
            props = self.raw.get("properties", {}) if self.kind is Kind.STRUCT else {}
            self._fields = {key: self._catalog.field(key, value) for key, value in props.items()}
        return self._fields

    def field(self, name: str) -> FieldInfo | None:
        """The declared field `name` of a struct, or None."""
        return self.fields.get(name)

    @property
    def elem(self) -> TypeInfo:
        """The item type of a list or the value type of a map (untyped for other kinds)."""
        if self._elem is None:
            if self.kind is Kind.LIST:
                self._elem = self._catalog.compile(self.raw.get("items", {}))
            elif self.kind is Kind.MAP:
                self._elem = self._catalog.compile(self.raw.get("additionalProperties", {}))
            else:
                self._elem = self._catalog.untyped
        return self._elem

    def child(self, key: str) -> TypeInfo:
        """The type of the value under `key` of a struct or map (untyped if undeclared)."""
        if self.kind is Kind.STRUCT:
            found = self.fields.get(key)
            return found.type if found else self._catalog.untyped
        return self.elem

    @property
    def open(self) -> bool:
        """True if keys beyond the declared fields are legal (maps, free-form objects)."""
        return self.kind is not Kind.STRUCT or self.preserve_unknown

    @property
    def go_type(self) -> str:
        """The Go type name the real decoder reports for this node."""
        if self.kind is Kind.STRUCT or (self.name and self.kind is not Kind.SCALAR):
            return _go_name(self.name) if self.name else "struct {}"
        if self.kind is Kind.MAP:
            return "map[string]" + self.elem.go_type
        if self.kind is Kind.LIST:
            return "[]" + self.elem.go_type
        if self.kind is Kind.SCALAR:
            return _scalar_go_type(self)
        return "interface {}"

    def key_default(self, key: str) -> Any:
        """The server-side default of a list-map key field (None if it has none)."""
        return _KEY_DEFAULTS.get(key) if key in self.elem.fields else None


def _scalar_go_type(node: TypeInfo) -> str:
    if node.name:
        return _go_name(node.name)
    formats = {"int32": "int32", "int64": "int64", "double": "float64", "byte": "[]uint8"}
    if node.format in formats:
        return formats[node.format]
    return {"integer": "int64", "number": "float64", "boolean": "bool"}.get(node.scalar, "string")


@dataclass(frozen=True)
class FieldInfo:
    """A struct field: its type plus the patch metadata declared on the field."""

    name: str
    type: TypeInfo
    patch_strategies: tuple[str, ...] = ()
    merge_key: str = ""

    @property
    def retain_keys(self) -> bool:
        """True if the field's strategy includes `retainKeys`."""
        return "retainKeys" in self.patch_strategies


class Catalog:
    """Compiled types of one Kubernetes version; named definitions are compiled once."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions = definitions
        self._named: dict[str, TypeInfo] = {}
        self.untyped = TypeInfo(self, {})

    def named(self, name: str) -> TypeInfo:
        """The compiled definition `name` (raises KeyError if unknown)."""
        found = self._named.get(name)
        if found is None:
            found = TypeInfo(self, self.definitions.get(name), name)
            self._named[name] = found
        return found

    def compile(self, schema: Mapping[str, Any]) -> TypeInfo:
        """The type of an inline schema, following `$ref` to the shared named type."""
        if "$ref" in schema:
            return self.named(ref_name(str(schema["$ref"])))
        return TypeInfo(self, schema)

    def field(self, name: str, schema: Mapping[str, Any]) -> FieldInfo:
        """A struct field compiled from its property schema."""
        strategy = str(schema.get("x-kubernetes-patch-strategy", ""))
        field_type = self.compile(schema)
        if schema.get("x-kubernetes-map-type") == "atomic" and not field_type.atomic:
            # The field narrows a shared definition to atomic: give it its own node.
            raw = {**field_type.raw, "x-kubernetes-map-type": "atomic"}
            field_type = TypeInfo(self, raw, field_type.name)
        return FieldInfo(
            name=name,
            type=field_type,
            patch_strategies=tuple(s for s in strategy.split(",") if s),
            merge_key=str(schema.get("x-kubernetes-patch-merge-key", "")),
        )

    def kind_type(self, group: str, version: str, kind: str) -> TypeInfo | None:
        """The type of a top-level kind, or None if the version does not define it."""
        name = self.definitions.name_of(GVK(group, version, kind))
        return self.named(name) if name else None


def catalog(version: str = DEFAULT_VERSION) -> Catalog:
    """The shared catalog of Kubernetes `version`, built on first use."""
    return _catalog(load_definitions(version).minor)


@functools.cache
def _catalog(minor: str) -> Catalog:
    return Catalog(load_definitions(minor))


def kind_type(group: str, version: str, kind: str, *, k8s: str = DEFAULT_VERSION) -> TypeInfo:
    """The type of a kind; raises KeyError if the schema does not define it."""
    found = catalog(k8s).kind_type(group, version, kind)
    if found is None:
        api_version = f"{group}/{version}" if group else version
        raise KeyError(f"no schema for {api_version}, Kind={kind}")
    return found
