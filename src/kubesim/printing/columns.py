"""Table column definitions, exactly as `pkg/printers/internalversion.AddHandlers` registers them.

The server always prints "wide" (every column, priority 1 included); kubectl hides priority-1
columns unless `-o wide` is asked for. Kinds without a printer get the default table of
`rest.NewDefaultTableConvertor`: `Name` and `Created At`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kubesim.printing import descriptions as doc

RBAC = "rbac.authorization.k8s.io"
_TEMPLATE_NAMES = "Names of each container in the template."
_TEMPLATE_IMAGES = "Images referenced by each container in the template."


@dataclass(frozen=True, slots=True)
class Column:
    """One `TableColumnDefinition`."""

    name: str
    type: str
    description: str
    priority: int = 0
    format: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The wire form, fields in the order the server writes them."""
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        }


NAME = Column("Name", "string", doc.NAME, format="name")
AGE = Column("Age", "string", doc.CREATION_TIMESTAMP)
CONTAINERS = Column("Containers", "string", _TEMPLATE_NAMES, 1)
IMAGES = Column("Images", "string", _TEMPLATE_IMAGES, 1)

DEFAULT = (NAME, Column("Created At", "date", doc.CREATION_TIMESTAMP))

PODS = (
    NAME,
    Column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    Column("Status", "string", "The aggregate status of the containers in this pod."),
    Column(
        "Restarts",
        "string",
        "The number of times the containers in this pod have been restarted and when the "
        "last container in this pod has restarted.",
    ),
    AGE,
    Column("IP", "string", doc.POD_IP, 1),
    Column("Node", "string", doc.POD_NODE_NAME, 1),
    Column("Nominated Node", "string", doc.POD_NOMINATED_NODE, 1),
    Column("Readiness Gates", "string", doc.POD_READINESS_GATES, 1),
)

NODES = (
    NAME,
    Column("Status", "string", "The status of the node"),
    Column("Roles", "string", "The roles of the node"),
    AGE,
    Column("Version", "string", doc.NODE_KUBELET_VERSION),
    Column("Internal-IP", "string", doc.NODE_ADDRESSES, 1),
    Column("External-IP", "string", doc.NODE_ADDRESSES, 1),
    Column("OS-Image", "string", doc.NODE_OS_IMAGE, 1),
    Column("Kernel-Version", "string", doc.NODE_KERNEL_VERSION, 1),
    Column("Container-Runtime", "string", doc.NODE_CONTAINER_RUNTIME, 1),
)

EVENTS = (
    Column("Last Seen", "string", doc.EVENT_LAST_TIMESTAMP),
    Column("Type", "string", doc.EVENT_TYPE),
    Column("Reason", "string", doc.EVENT_REASON),
    Column("Object", "string", doc.EVENT_INVOLVED_OBJECT),
    Column("Subobject", "string", doc.EVENT_FIELD_PATH, 1),
    Column("Source", "string", doc.EVENT_SOURCE, 1),
    Column("Message", "string", doc.EVENT_MESSAGE),
    Column("First Seen", "string", doc.EVENT_FIRST_TIMESTAMP, 1),
    Column("Count", "string", doc.EVENT_COUNT, 1),
    Column("Name", "string", doc.NAME, 1, format="name"),
)

NAMESPACES = (NAME, Column("Status", "string", "The status of the namespace"), AGE)
SECRETS = (
    NAME,
    Column("Type", "string", doc.SECRET_TYPE),
    Column("Data", "string", doc.SECRET_DATA),
    AGE,
)
SERVICE_ACCOUNTS = (NAME, Column("Secrets", "string", doc.SERVICE_ACCOUNT_SECRETS), AGE)
CONFIG_MAPS = (NAME, Column("Data", "string", doc.CONFIG_MAP_DATA), AGE)

SERVICES = (
    NAME,
    Column("Type", "string", doc.SERVICE_TYPE),
    Column("Cluster-IP", "string", doc.SERVICE_CLUSTER_IP),
    Column("External-IP", "string", doc.SERVICE_EXTERNAL_IPS),
    Column("Port(s)", "string", doc.SERVICE_PORTS),
    AGE,
    Column("Selector", "string", doc.SERVICE_SELECTOR, 1),
)

DEPLOYMENTS = (
    NAME,
    Column("Ready", "string", "Number of the pod with ready state"),
    Column("Up-to-date", "string", doc.DEPLOYMENT_UPDATED),
    Column("Available", "string", doc.DEPLOYMENT_AVAILABLE),
    AGE,
    CONTAINERS,
    IMAGES,
    Column("Selector", "string", doc.DEPLOYMENT_SELECTOR, 1),
)

REPLICA_SETS = (
    NAME,
    Column("Desired", "integer", doc.REPLICA_SET_DESIRED),
    Column("Current", "integer", doc.REPLICA_SET_CURRENT),
    Column("Ready", "integer", doc.REPLICA_SET_READY),
    AGE,
    CONTAINERS,
    IMAGES,
    Column("Selector", "string", doc.REPLICA_SET_SELECTOR, 1),
)

DAEMON_SETS = (
    NAME,
    Column("Desired", "integer", doc.DAEMON_SET_DESIRED),
    Column("Current", "integer", doc.DAEMON_SET_CURRENT),
    Column("Ready", "integer", doc.DAEMON_SET_READY),
    Column("Up-to-date", "integer", doc.DAEMON_SET_UPDATED),
    Column("Available", "integer", doc.DAEMON_SET_AVAILABLE),
    Column("Node Selector", "string", doc.POD_NODE_SELECTOR),
    AGE,
    CONTAINERS,
    IMAGES,
    Column("Selector", "string", doc.DAEMON_SET_SELECTOR, 1),
)

STATEFUL_SETS = (
    NAME,
    Column("Ready", "string", "Number of the pod with ready state"),
    AGE,
    CONTAINERS,
    IMAGES,
)

CONTROLLER_REVISIONS = (
    NAME,
    Column("Controller", "string", "Controller of the object"),
    Column("Revision", "string", doc.CONTROLLER_REVISION_REVISION),
    AGE,
)

HORIZONTAL_POD_AUTOSCALERS = (
    NAME,
    Column("Reference", "string", doc.HPA_REFERENCE),
    Column("Targets", "string", doc.HPA_TARGETS),
    Column("MinPods", "string", doc.HPA_MIN_PODS),
    Column("MaxPods", "string", doc.HPA_MAX_PODS),
    Column("Replicas", "string", doc.HPA_REPLICAS),
    AGE,
)

POD_DISRUPTION_BUDGETS = (
    NAME,
    Column("Min Available", "string", "The minimum number of pods that must be available."),
    Column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    Column(
        "Allowed Disruptions",
        "integer",
        "Calculated number of pods that may be disrupted at this time.",
    ),
    AGE,
)


def _binding_columns(role_description: str, kind: str) -> tuple[Column, ...]:
    return (
        NAME,
        Column("Role", "string", role_description),
        AGE,
        Column("Users", "string", f"Users in the {kind}", 1),
        Column("Groups", "string", f"Groups in the {kind}", 1),
        Column("ServiceAccounts", "string", f"ServiceAccounts in the {kind}", 1),
    )


ROLE_BINDINGS = _binding_columns(doc.ROLE_BINDING_ROLE, "roleBinding")
CLUSTER_ROLE_BINDINGS = _binding_columns(doc.CLUSTER_ROLE_BINDING_ROLE, "clusterRoleBinding")

PRINTED: MappingProxyType[tuple[str, str], tuple[Column, ...]] = MappingProxyType({
    ("", "pods"): PODS,
    ("", "nodes"): NODES,
    ("", "events"): EVENTS,
    ("", "namespaces"): NAMESPACES,
    ("", "secrets"): SECRETS,
    ("", "serviceaccounts"): SERVICE_ACCOUNTS,
    ("", "configmaps"): CONFIG_MAPS,
    ("", "services"): SERVICES,
    ("apps", "deployments"): DEPLOYMENTS,
    ("apps", "replicasets"): REPLICA_SETS,
    ("apps", "daemonsets"): DAEMON_SETS,
    ("apps", "statefulsets"): STATEFUL_SETS,
    ("apps", "controllerrevisions"): CONTROLLER_REVISIONS,
    ("autoscaling", "horizontalpodautoscalers"): HORIZONTAL_POD_AUTOSCALERS,
    ("policy", "poddisruptionbudgets"): POD_DISRUPTION_BUDGETS,
    (RBAC, "rolebindings"): ROLE_BINDINGS,
    (RBAC, "clusterrolebindings"): CLUSTER_ROLE_BINDINGS,
})  # fmt: skip


def column_set(group: str, resource: str) -> tuple[Column, ...]:
    """The columns of a resource's table (the default table for kinds without a printer)."""
    return PRINTED.get((group, resource), DEFAULT)


def columns(group: str, resource: str) -> list[dict[str, Any]]:
    """The `columnDefinitions` of a resource's table, as fresh wire dicts."""
    return [column.to_dict() for column in column_set(group, resource)]
