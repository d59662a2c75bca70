"""Loading the Kubernetes API definitions shipped with the `kubernetes_validate` package.

The package carries one JSON-schema rendering of the API server's OpenAPI definitions per
Kubernetes minor version. They are read lazily, once per process and version, and indexed by
group/version/kind so every consumer (decoding, patching, OpenAPI serving) shares one copy.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_VERSION = "1.30"
GVK_EXTENSION = "x-kubernetes-group-version-kind"
REF_PREFIX = "#/$defs/"

_DIR_PATTERN = re.compile(r"^v(\d+)\.(\d+)\.\d+-local$")


@dataclass(frozen=True)
class GVK:
    """A group/version/kind triple; the core group is the empty string."""

    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        """`apps/v1`, or `v1` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class Definitions:
    """The named schemas of one Kubernetes version, indexed by group/version/kind."""

    minor: str
    schemas: Mapping[str, Mapping[str, Any]]
    by_gvk: Mapping[GVK, str]

    def get(self, name: str) -> Mapping[str, Any]:
        """The schema called `name` (raises KeyError if there is none)."""
        return self.schemas[name]

    def name_of(self, gvk: GVK) -> str | None:
        """The definition name of a kind, e.g. `io.k8s.api.apps.v1.Deployment`."""
        return self.by_gvk.get(gvk)


def schema_root() -> Path:
    """The directory holding one `v<major>.<minor>.0-local` folder per version."""
    import kubernetes_validate

    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"


def available_versions(root: Path | None = None) -> list[tuple[int, int]]:
    """The (major, minor) versions present on disk, oldest first."""
    found = []
    for entry in (root or schema_root()).iterdir():
        match = _DIR_PATTERN.match(entry.name)
        if match and (entry / "_definitions.json").is_file():
            found.append((int(match.group(1)), int(match.group(2))))
    return sorted(found)


@functools.cache
def resolve_version(version: str, root: Path | None = None) -> str:
    """The `major.minor` actually used for `version`: itself if present, else the newest."""
    versions = available_versions(root)
    if not versions:
        raise FileNotFoundError("no Kubernetes schema definitions are installed")
    wanted = tuple(int(part) for part in version.split(".")[:2])
    chosen = wanted if wanted in versions else versions[-1]
    return f"{chosen[0]}.{chosen[1]}"


def load_definitions(version: str = DEFAULT_VERSION) -> Definitions:
    """The definitions of Kubernetes `version` (`"1.30"`), loaded once per process."""
    return _load(resolve_version(version))


@functools.cache
def _load(minor: str) -> Definitions:
    path = schema_root() / f"v{minor}.0-local" / "_definitions.json"
    with path.open(encoding="utf-8") as handle:
        schemas: dict[str, Mapping[str, Any]] = json.load(handle)["$defs"]
    return Definitions(minor, schemas, _index_gvks(schemas))


def _index_gvks(schemas: Mapping[str, Mapping[str, Any]]) -> dict[GVK, str]:
    index: dict[GVK, str] = {}
    for name, schema in schemas.items():
        for entry in schema.get(GVK_EXTENSION, ()):
            gvk = GVK(entry.get("group", ""), entry["version"], entry["kind"])
            # Kinds shared by many groups (DeleteOptions, WatchEvent) keep their first home.
            index.setdefault(gvk, name)
    return index


def ref_name(ref: str) -> str:
    """The definition name a `$ref` points at."""
    return ref[len(REF_PREFIX) :] if ref.startswith(REF_PREFIX) else ref.rsplit("/", 1)[-1]
