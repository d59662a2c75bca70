"""The kinds discovery inventories and the list requests it makes for them.

Every kind is one paginated list, in the connector's namespace when it has one (cluster-scoped
kinds are listed whole; the Namespace kind is narrowed to the scoped namespace with a field
selector so that a namespace-scoped identity may be allowed it by ``resourceNames``). Secrets
are listed metadata-only, once in full and once per well-known type: a Secret's ``type`` is
not part of its metadata, but the API server filters on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubeconnector.kube.pager import KINDS as SPECS
from kubeconnector.kube.pager import KindSpec

OPAQUE_OR_OTHER = "Opaque-or-other"
SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"

# Types told apart with a `type=` field selector; every other Secret is `Opaque-or-other`.
SECRET_TYPES: tuple[str, ...] = (
    SERVICE_ACCOUNT_TOKEN,
    "kubernetes.io/dockerconfigjson",
    "kubernetes.io/dockercfg",
    "kubernetes.io/tls",
    "kubernetes.io/basic-auth",
    "kubernetes.io/ssh-auth",
    "helm.sh/release.v1",
)


Kind = KindSpec

NAMESPACE = SPECS["Namespace"]
POD = SPECS["Pod"]
SERVICE = SPECS["Service"]
SECRET = SPECS["Secret"]
SERVICE_ACCOUNT = SPECS["ServiceAccount"]
DEPLOYMENT = SPECS["Deployment"]
DAEMON_SET = SPECS["DaemonSet"]
STATEFUL_SET = SPECS["StatefulSet"]
NODE = SPECS["Node"]
ROLE = SPECS["Role"]
ROLE_BINDING = SPECS["RoleBinding"]
CLUSTER_ROLE = SPECS["ClusterRole"]
CLUSTER_ROLE_BINDING = SPECS["ClusterRoleBinding"]

# Largest lists first: with bounded concurrency the long lists start at once.
KINDS: tuple[Kind, ...] = (
    POD,
    SECRET,
    SERVICE,
    SERVICE_ACCOUNT,
    DEPLOYMENT,
    ROLE_BINDING,
    ROLE,
    NAMESPACE,
    CLUSTER_ROLE,
    CLUSTER_ROLE_BINDING,
    NODE,
    STATEFUL_SET,
    DAEMON_SET,
)
KIND_NAMES: tuple[str, ...] = tuple(k.kind for k in KINDS)
WORKLOAD_KINDS = frozenset({"Deployment", "DaemonSet", "StatefulSet"})
CLUSTER_SCOPED_KINDS = frozenset(k.kind for k in KINDS if not k.namespaced) | {
    "PersistentVolume",
    "StorageClass",
    "CustomResourceDefinition",
    "APIService",
}


@dataclass(frozen=True)
class ListJob:
    """One list request sequence discovery makes.

    Attributes:
        kind: The resource listed.
        namespace: The namespace listed, or None for all / cluster-scoped.
        metadata_only: Ask for metadata only (Secrets).
        field_selector: A field selector, or None.
        secret_type: For the per-type Secret lists, the type they select.
    """

    kind: Kind
    namespace: str | None
    metadata_only: bool = False
    field_selector: str | None = None
    secret_type: str | None = None


def list_jobs(scope: str | None) -> list[ListJob]:
    """The lists one discovery run makes, largest first.

    Args:
        scope: The connector's namespace, or None for the whole cluster.
    """
    jobs = [_job(kind, scope) for kind in KINDS]
    secrets = 1 + next(i for i, job in enumerate(jobs) if job.kind is SECRET)
    typed = [
        ListJob(SECRET, scope, True, f"type={secret_type}", secret_type)
        for secret_type in SECRET_TYPES
    ]
    return jobs[:secrets] + typed + jobs[secrets:]


def _job(kind: Kind, scope: str | None) -> ListJob:
    if kind is NAMESPACE and scope is not None:
        return ListJob(kind, None, field_selector=f"metadata.name={scope}")
    return ListJob(kind, scope if kind.namespaced else None, metadata_only=kind is SECRET)
