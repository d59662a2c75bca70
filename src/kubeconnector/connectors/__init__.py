"""The connector service: the registry of clusters, their credentials, and the connection test.

    service = ConnectorService(ConnectorRepository(database, ring), AuditLog(database), "alice")
    service.add("prod-k8s", kubeconfig_text, environment="prod")
    report = service.test("prod-k8s")            # version, identity, permissions, fix YAML
    with service.open_client("prod-k8s", "discover") as client:   # audited decryption
        ...

- `kubeconnector.connectors.intake`: what a connector is given, validated before storing.
- `kubeconnector.connectors.registry`: `ConnectorService` (register, list, show, update,
  remove, open a client, test).
- `kubeconnector.connectors.connection`: the connection test and its error classification.
- `kubeconnector.connectors.inventory`: queries over a connector's stored inventory.
"""

from kubeconnector.connectors.connection import (
    ConnectionProblem,
    ConnectionReport,
    check_connection,
    classify,
)
from kubeconnector.connectors.intake import (
    Intake,
    check_name,
    check_namespace,
    parse_environment,
    read_kubeconfig,
    take_kubeconfig,
)
from kubeconnector.connectors.inventory import (
    REFRESH_TEXT,
    AssetListing,
    AssetView,
    InventoryService,
    SecretConsumers,
    parse_kind,
    parse_target,
)
from kubeconnector.connectors.registry import (
    CREATED,
    DECRYPTED,
    REMOVED,
    TESTED,
    UPDATED,
    ConnectorService,
    Registration,
)

__all__ = [
    "CREATED",
    "DECRYPTED",
    "REFRESH_TEXT",
    "REMOVED",
    "TESTED",
    "UPDATED",
    "AssetListing",
    "AssetView",
    "ConnectionProblem",
    "ConnectionReport",
    "ConnectorService",
    "Intake",
    "InventoryService",
    "Registration",
    "SecretConsumers",
    "check_connection",
    "check_name",
    "check_namespace",
    "classify",
    "parse_environment",
    "parse_kind",
    "parse_target",
    "read_kubeconfig",
    "take_kubeconfig",
]
