"""The records kubeconnector's repositories return (pydantic models, no behaviour)."""

from kubeconnector.models.audit import (
    AuditEvent,
    AuditQuery,
    ChainProblem,
    ChainReport,
    ProblemKind,
)
from kubeconnector.models.connector import (
    Connector,
    ConnectorUpdate,
    Environment,
    NewConnector,
)
from kubeconnector.models.inventory import (
    Asset,
    AssetChange,
    AssetKey,
    DiscoveredAsset,
    DiscoveredRelation,
    DiscoveryRun,
    Drift,
    DriftSummary,
    Relation,
    RunStatus,
)

__all__ = [
    "Asset",
    "AssetChange",
    "AssetKey",
    "AuditEvent",
    "AuditQuery",
    "ChainProblem",
    "ChainReport",
    "Connector",
    "ConnectorUpdate",
    "DiscoveredAsset",
    "DiscoveredRelation",
    "DiscoveryRun",
    "Drift",
    "DriftSummary",
    "Environment",
    "NewConnector",
    "ProblemKind",
    "Relation",
    "RunStatus",
]
