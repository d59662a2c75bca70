"""Inventory records: discovered assets, the relations between them, discovery runs, drift.

Assets carry metadata only (names, labels, owners, resourceVersion); never Secret data. An
asset's stable key is (connector, kind, namespace, name); its uid says which incarnation it is.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

# kubectl apply copies a Secret's full manifest, data included, into this annotation.
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

JsonObject = dict[str, JsonValue]


class AssetKey(BaseModel):
    """The stable key of an asset within a connector (namespace ``""`` when cluster-scoped)."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(min_length=1, max_length=64)
    namespace: str = Field(default="", max_length=63)
    name: str = Field(min_length=1, max_length=253)

    def __str__(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)


class DiscoveredAsset(BaseModel):
    """An object as a discovery run saw it.

    Attributes:
        kind: The object's kind, e.g. ``Secret``.
        namespace: Its namespace (``""`` when cluster-scoped).
        name: Its name.
        uid: ``metadata.uid``.
        api_version: e.g. ``apps/v1``.
        resource_version: ``metadata.resourceVersion``.
        labels: ``metadata.labels``.
        annotations: ``metadata.annotations`` (a Secret's last-applied manifest is dropped).
        owners: ``metadata.ownerReferences``.
        managers: Who manages it (e.g. field managers, Helm release, GitOps tool).
        details: Kind-specific metadata (e.g. a Secret's type and key names, never values).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(min_length=1, max_length=64)
    namespace: str = Field(default="", max_length=63)
    name: str = Field(min_length=1, max_length=253)
    uid: str = Field(default="", max_length=64)
    api_version: str = Field(default="", max_length=128)
    resource_version: str = Field(default="", max_length=64)
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    owners: list[JsonObject] = Field(default_factory=list)
    managers: list[JsonObject] = Field(default_factory=list)
    details: JsonObject = Field(default_factory=dict)

    @field_validator("annotations")
    @classmethod
    def _drop_last_applied(cls, annotations: dict[str, str]) -> dict[str, str]:
        # Dropped for every kind: on a Secret it holds the data, elsewhere it is only bulk.
        return {k: v for k, v in annotations.items() if k != LAST_APPLIED}

    @property
    def key(self) -> AssetKey:
        """The asset's stable key."""
        return AssetKey(kind=self.kind, namespace=self.namespace, name=self.name)


class Asset(DiscoveredAsset):
    """A stored asset.

    Attributes:
        id: A UUID.
        connector_id: The connector it was discovered through.
        first_seen: When this incarnation (uid) was first seen.
        last_seen: When a run last saw it.
        last_run_id: The last run that saw it.
        deleted: It has disappeared from the cluster.
        removed_by_run_id: The run that found it gone.
    """

    id: str
    connector_id: str
    first_seen: datetime
    last_seen: datetime
    last_run_id: str | None
    deleted: bool = False
    removed_by_run_id: str | None = None


class DiscoveredRelation(BaseModel):
    """A typed edge between two assets, e.g. a Deployment that ``consumes-secret`` a Secret.

    Attributes:
        relation_type: ``consumes-secret``, ``runs-as``, ``binds``, ``owns``, ``manages``, ...
        source: The asset the edge starts from.
        target: The asset it points at (it may not exist, e.g. a missing Secret).
        attributes: How, e.g. ``{"via": "env", "container": "app", "key": "password",
            "refresh": "restart"}``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    relation_type: str = Field(min_length=1, max_length=64)
    source: AssetKey
    target: AssetKey
    attributes: JsonObject = Field(default_factory=dict)


class Relation(DiscoveredRelation):
    """A stored relation."""

    id: int
    connector_id: str
    run_id: str | None


class RunStatus(StrEnum):
    """A discovery run's outcome."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"


class AssetChange(BaseModel):
    """An asset present before and after a run whose object changed."""

    model_config = ConfigDict(frozen=True)

    key: AssetKey
    old_resource_version: str
    new_resource_version: str
    recreated: bool = False


class DriftSummary(BaseModel):
    """How many assets a run found added, removed and changed."""

    model_config = ConfigDict(frozen=True)

    added: int = 0
    removed: int = 0
    changed: int = 0


class Drift(BaseModel):
    """What a discovery run found different from the previous inventory.

    Attributes:
        added: Assets not present before (or present again after removal).
        removed: Assets gone (kinds the run could not list are never counted as gone).
        changed: Assets whose resourceVersion or uid differs.
    """

    model_config = ConfigDict(frozen=True)

    added: tuple[AssetKey, ...] = ()
    removed: tuple[AssetKey, ...] = ()
    changed: tuple[AssetChange, ...] = ()

    @property
    def summary(self) -> DriftSummary:
        """The counts."""
        return DriftSummary(
            added=len(self.added), removed=len(self.removed), changed=len(self.changed)
        )


class DiscoveryRun(BaseModel):
    """One discovery run of one connector.

    Attributes:
        id: A UUID.
        connector_id: The connector discovered.
        started_at: When it started (UTC).
        finished_at: When it finished, or None while running.
        status: running, succeeded, partial (some kinds forbidden) or failed.
        counts: Assets seen per kind.
        forbidden_kinds: Kinds the connector's credentials may not list.
        drift: The drift found, once finished.
        error: Why it failed.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    connector_id: str
    started_at: datetime
    finished_at: datetime | None = None
    status: RunStatus
    counts: dict[str, int] = Field(default_factory=dict)
    forbidden_kinds: tuple[str, ...] = ()
    drift: DriftSummary | None = None
    error: str | None = None
