"""The resource table: every group/version/resource kubesim serves, as discovery describes it.

Discovery documents, URL routing, authorization attributes and error messages are all derived
from this one table, so a resource is added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubesim.api.status import GroupKind, GroupResource

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NS_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
GET_PATCH_UPDATE = ("get", "patch", "update")
CREATE = ("create",)


@dataclass(frozen=True)
class Subresource:
    """A subresource such as `deployments/scale`; its kind may live in another group."""

    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class ResourceType:
    """One served resource (group, version, plural) and its discovery metadata."""

    group: str
    version: str
    resource: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = ALL_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    has_status: bool = False
    virtual: bool = False  # create-only review objects that are never stored
    storage_version_hash: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self) -> str:
        return self.api_version

    @property
    def gr(self) -> GroupResource:
        return GroupResource(self.group, self.resource)

    @property
    def gk(self) -> GroupKind:
        return GroupKind(self.group, self.kind)

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def key(self) -> str:
        """Storage key prefix, unique per group/resource (versions share storage)."""
        return f"{self.group}/{self.resource}"

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)


def _status(kind: str) -> Subresource:
    return Subresource("status", kind, GET_PATCH_UPDATE)


def _scale() -> Subresource:
    return Subresource("scale", "Scale", GET_PATCH_UPDATE, "autoscaling", "v1")


RBAC = "rbac.authorization.k8s.io"

RESOURCES: tuple[ResourceType, ...] = (
    # core/v1
    ResourceType(
        "",
        "v1",
        "namespaces",
        "Namespace",
        False,
        NS_VERBS,
        ("ns",),
        subresources=(
            Subresource("finalize", "Namespace", ("update",)),
            _status("Namespace"),
        ),
        has_status=True,
    ),
    ResourceType(
        "",
        "v1",
        "nodes",
        "Node",
        False,
        ALL_VERBS,
        ("no",),
        subresources=(
            Subresource(
                "proxy", "NodeProxyOptions", ("create", "delete", "get", "patch", "update")
            ),
            _status("Node"),
        ),
        has_status=True,
    ),
    ResourceType(
        "",
        "v1",
        "pods",
        "Pod",
        True,
        ALL_VERBS,
        ("po",),
        ("all",),
        subresources=(
            Subresource("ephemeralcontainers", "Pod", GET_PATCH_UPDATE),
            Subresource("eviction", "Eviction", CREATE, "policy", "v1"),
            Subresource("log", "Pod", ("get",)),
            _status("Pod"),
        ),
        has_status=True,
    ),
    ResourceType("", "v1", "secrets", "Secret", True),
    ResourceType(
        "",
        "v1",
        "serviceaccounts",
        "ServiceAccount",
        True,
        ALL_VERBS,
        ("sa",),
        subresources=(Subresource("token", "TokenRequest", CREATE, "authentication.k8s.io", "v1"),),
    ),
    ResourceType(
        "",
        "v1",
        "services",
        "Service",
        True,
        ALL_VERBS,
        ("svc",),
        ("all",),
        subresources=(
            Subresource(
                "proxy", "ServiceProxyOptions", ("create", "delete", "get", "patch", "update")
            ),
            _status("Service"),
        ),
        has_status=True,
    ),
    ResourceType("", "v1", "configmaps", "ConfigMap", True, ALL_VERBS, ("cm",)),
    ResourceType("", "v1", "events", "Event", True, ALL_VERBS, ("ev",)),
    # apps/v1
    ResourceType(
        "apps",
        "v1",
        "deployments",
        "Deployment",
        True,
        ALL_VERBS,
        ("deploy",),
        ("all",),
        subresources=(_scale(), _status("Deployment")),
        has_status=True,
    ),
    ResourceType(
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        True,
        ALL_VERBS,
        ("rs",),
        ("all",),
        subresources=(_scale(), _status("ReplicaSet")),
        has_status=True,
    ),
    ResourceType(
        "apps",
        "v1",
        "daemonsets",
        "DaemonSet",
        True,
        ALL_VERBS,
        ("ds",),
        ("all",),
        subresources=(_status("DaemonSet"),),
        has_status=True,
    ),
    ResourceType(
        "apps",
        "v1",
        "statefulsets",
        "StatefulSet",
        True,
        ALL_VERBS,
        ("sts",),
        ("all",),
        subresources=(_scale(), _status("StatefulSet")),
        has_status=True,
    ),
    ResourceType("apps", "v1", "controllerrevisions", "ControllerRevision", True),
    # autoscaling
    ResourceType(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        True,
        ALL_VERBS,
        ("hpa",),
        ("all",),
        subresources=(_status("HorizontalPodAutoscaler"),),
        has_status=True,
    ),
    # policy/v1
    ResourceType(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        True,
        ALL_VERBS,
        ("pdb",),
        subresources=(_status("PodDisruptionBudget"),),
        has_status=True,
    ),
    # rbac.authorization.k8s.io/v1
    ResourceType(RBAC, "v1", "clusterrolebindings", "ClusterRoleBinding", False),
    ResourceType(RBAC, "v1", "clusterroles", "ClusterRole", False),
    ResourceType(RBAC, "v1", "rolebindings", "RoleBinding", True),
    ResourceType(RBAC, "v1", "roles", "Role", True),
    # authorization.k8s.io/v1
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "localsubjectaccessreviews",
        "LocalSubjectAccessReview",
        True,
        CREATE,
        virtual=True,
    ),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        False,
        CREATE,
        virtual=True,
    ),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        False,
        CREATE,
        virtual=True,
    ),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "subjectaccessreviews",
        "SubjectAccessReview",
        False,
        CREATE,
        virtual=True,
    ),
    # authentication.k8s.io
    ResourceType(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        False,
        CREATE,
        virtual=True,
    ),
    ResourceType(
        "authentication.k8s.io", "v1", "tokenreviews", "TokenReview", False, CREATE, virtual=True
    ),
    ResourceType(
        "authentication.k8s.io",
        "v1beta1",
        "selfsubjectreviews",
        "SelfSubjectReview",
        False,
        CREATE,
        virtual=True,
    ),
)

# Preferred version per group, in the order `/apis` lists groups (core is served at `/api`).
GROUP_ORDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("apps", ("v1",)),
    ("authentication.k8s.io", ("v1", "v1beta1")),
    ("authorization.k8s.io", ("v1",)),
    ("autoscaling", ("v2",)),
    ("policy", ("v1",)),
    (RBAC, ("v1",)),
)


class ResourceTable:
    """Look-ups over RESOURCES by URL coordinates, kind, or short name."""

    def __init__(self, resources: tuple[ResourceType, ...] = RESOURCES) -> None:
        self.resources = resources
        self._by_url = {(r.group, r.version, r.resource): r for r in resources}
        self._by_kind = {(r.group, r.version, r.kind): r for r in resources}

    def lookup(self, group: str, version: str, resource: str) -> ResourceType | None:
        return self._by_url.get((group, version, resource))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        group, _, version = api_version.rpartition("/")
        return self._by_kind.get((group, version, kind))

    def groups(self) -> list[tuple[str, tuple[str, ...]]]:
        """Served API groups with their versions, preferred first (core excluded)."""
        return [(g, versions) for g, versions in GROUP_ORDER if versions]

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [r for r in self.resources if r.group == group and r.version == version]

    def stored(self) -> list[ResourceType]:
        """One entry per storage key (the preferred version), for store and controllers."""
        seen: dict[str, ResourceType] = {}
        for res in self.resources:
            if not res.virtual and res.key not in seen:
                seen[res.key] = res
        return list(seen.values())


TABLE = ResourceTable()


def rt(group: str, resource: str) -> ResourceType:
    """The preferred (first-listed) version of a stored resource; raises KeyError if unknown."""
    for res in RESOURCES:
        if res.group == group and res.resource == resource:
            return res
    raise KeyError(f"{resource}.{group}" if group else resource)
