"""Kubernetes API schemas: loading, navigation, strict decoding and OpenAPI documents."""

from kubesim.schema.loader import DEFAULT_VERSION, GVK, Definitions, load_definitions
from kubesim.schema.types import Catalog, FieldInfo, Kind, TypeInfo, catalog, kind_type

__all__ = [
    "DEFAULT_VERSION",
    "GVK",
    "Catalog",
    "Definitions",
    "FieldInfo",
    "Kind",
    "TypeInfo",
    "catalog",
    "kind_type",
    "load_definitions",
]
