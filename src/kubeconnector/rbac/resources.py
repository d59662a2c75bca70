"""Resource arguments as users type them: ``secrets``, ``deployments.apps``, ``pods/exec``.

The API group of well-known resources is inferred (``deployments`` -> ``apps``); other
resources are written ``<plural>.<group>`` or given an explicit group. kubectl short names
(``deploy``, ``po``, ``sa``, ...) are accepted. An argument starting with ``/`` is a
non-resource URL such as ``/healthz``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubeconnector.errors import InvalidInput

RBAC_GROUP = "rbac.authorization.k8s.io"

_GROUPS: dict[str, tuple[str, ...]] = {
    "": (
        "bindings",
        "componentstatuses",
        "configmaps",
        "endpoints",
        "events",
        "groups",
        "limitranges",
        "namespaces",
        "nodes",
        "persistentvolumeclaims",
        "persistentvolumes",
        "pods",
        "podtemplates",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "serviceaccounts",
        "services",
        "users",
    ),
    "apps": ("controllerrevisions", "daemonsets", "deployments", "replicasets", "statefulsets"),
    "batch": ("cronjobs", "jobs"),
    "autoscaling": ("horizontalpodautoscalers",),
    RBAC_GROUP: ("clusterrolebindings", "clusterroles", "rolebindings", "roles"),
    "networking.k8s.io": ("ingressclasses", "ingresses", "networkpolicies"),
    "policy": ("poddisruptionbudgets",),
    "storage.k8s.io": ("csidrivers", "csinodes", "storageclasses", "volumeattachments"),
    "apiextensions.k8s.io": ("customresourcedefinitions",),
    "admissionregistration.k8s.io": (
        "mutatingwebhookconfigurations",
        "validatingadmissionpolicies",
        "validatingadmissionpolicybindings",
        "validatingwebhookconfigurations",
    ),
    "certificates.k8s.io": ("certificatesigningrequests", "signers"),
    "coordination.k8s.io": ("leases",),
    "discovery.k8s.io": ("endpointslices",),
    "authorization.k8s.io": (
        "localsubjectaccessreviews",
        "selfsubjectaccessreviews",
        "selfsubjectrulesreviews",
        "subjectaccessreviews",
    ),
    "authentication.k8s.io": ("selfsubjectreviews", "tokenreviews", "uids", "userextras"),
    "scheduling.k8s.io": ("priorityclasses",),
    "node.k8s.io": ("runtimeclasses",),
    "flowcontrol.apiserver.k8s.io": ("flowschemas", "prioritylevelconfigurations"),
}
WELL_KNOWN: dict[str, str] = {r: g for g, names in _GROUPS.items() for r in names}

SHORT_NAMES: dict[str, str] = {
    "cm": "configmaps",
    "crd": "customresourcedefinitions",
    "crds": "customresourcedefinitions",
    "cj": "cronjobs",
    "csr": "certificatesigningrequests",
    "deploy": "deployments",
    "ds": "daemonsets",
    "ep": "endpoints",
    "ev": "events",
    "hpa": "horizontalpodautoscalers",
    "ing": "ingresses",
    "limits": "limitranges",
    "netpol": "networkpolicies",
    "no": "nodes",
    "ns": "namespaces",
    "pdb": "poddisruptionbudgets",
    "po": "pods",
    "pv": "persistentvolumes",
    "pvc": "persistentvolumeclaims",
    "quota": "resourcequotas",
    "rc": "replicationcontrollers",
    "rs": "replicasets",
    "sa": "serviceaccounts",
    "sc": "storageclasses",
    "sts": "statefulsets",
    "svc": "services",
}

CLUSTER_SCOPED = frozenset(
    {
        ("", "namespaces"),
        ("", "nodes"),
        ("", "persistentvolumes"),
        ("", "componentstatuses"),
        (RBAC_GROUP, "clusterroles"),
        (RBAC_GROUP, "clusterrolebindings"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("certificates.k8s.io", "certificatesigningrequests"),
        ("storage.k8s.io", "storageclasses"),
        ("storage.k8s.io", "csidrivers"),
        ("storage.k8s.io", "csinodes"),
        ("storage.k8s.io", "volumeattachments"),
        ("networking.k8s.io", "ingressclasses"),
        ("scheduling.k8s.io", "priorityclasses"),
        ("node.k8s.io", "runtimeclasses"),
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"),
        ("authentication.k8s.io", "selfsubjectreviews"),
        ("authentication.k8s.io", "tokenreviews"),
    }
    | {("admissionregistration.k8s.io", r) for r in _GROUPS["admissionregistration.k8s.io"]}
    | {("flowcontrol.apiserver.k8s.io", r) for r in _GROUPS["flowcontrol.apiserver.k8s.io"]}
)


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    """A parsed resource argument (``path`` set instead for a non-resource URL)."""

    group: str = ""
    resource: str = ""
    subresource: str = ""
    path: str = ""

    @property
    def combined(self) -> str:
        """``resource/subresource`` or ``resource``."""
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource

    def __str__(self) -> str:
        if self.path:
            return self.path
        dotted = f"{self.resource}.{self.group}" if self.group else self.resource
        return f"{dotted}/{self.subresource}" if self.subresource else dotted


def is_cluster_scoped(group: str, resource: str) -> bool:
    """Whether a well-known resource is cluster-scoped (unknown ones count as namespaced)."""
    return (group, resource.partition("/")[0]) in CLUSTER_SCOPED


def parse_resource(text: str, group: str | None = None) -> ResourceSpec:
    """Parse ``resource[.group][/subresource]`` or a non-resource URL.

    Args:
        text: e.g. ``secrets``, ``deploy``, ``deployments.apps/scale``, ``pods/exec``,
            ``widgets.example.com``, ``/healthz``.
        group: The API group, overriding any inference (``""`` is the core group).

    Raises:
        InvalidInput: empty, or the group of an unknown resource cannot be inferred.
    """
    text = text.strip()
    if text.startswith("/"):
        return ResourceSpec(path=text)
    head, _, subresource = text.partition("/")
    resource, _, dotted_group = head.partition(".")
    resource = SHORT_NAMES.get(resource.lower(), resource.lower()) if not dotted_group else resource
    if not resource:
        raise InvalidInput("a resource is required, e.g. secrets or pods/exec", field="resource")
    if group is None:
        group = dotted_group if dotted_group else WELL_KNOWN.get(resource)
    if group is None:
        raise InvalidInput(
            f"cannot infer the API group of {resource!r}; write it as {resource}.<group> "
            "or give the group",
            field="resource",
        )
    return ResourceSpec(group=group, resource=resource, subresource=subresource)
