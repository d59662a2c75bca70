"""The catalogue of risky RBAC grants: one small declarative entry per kind of risk.

Each entry says what it matches (a `Matcher`), how severe it is, why it is risky and what to
do instead. Rule matchers look at one rule of a bound role (`Grants`, `Wildcard`); binding
matchers look at who is bound (`BindsSubject`, `DefaultServiceAccount`, `BindsRole`). The
engine in `kubeconnector.rbac.findings` evaluates them; this module holds data only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from kubeconnector.rbac.resources import RBAC_GROUP

Scope = Literal["any", "cluster", "namespace"]
READ = ("get", "list", "watch")
WRITE = ("create", "update", "patch", "delete")
CHANGE = ("update", "patch")


class Severity(StrEnum):
    """How bad a finding is; `rank` orders them (critical first)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for critical up to 3 for low."""
        return list(Severity).index(self)


@dataclass(frozen=True)
class Grants:
    """A rule grants one of ``verbs`` on one of ``resources`` (``(group, resource[/sub])``).

    ``scope`` limits it to ClusterRoleBindings (``cluster``) or RoleBindings (``namespace``);
    ``namespace`` limits it to grants effective in that namespace.
    """

    verbs: tuple[str, ...]
    resources: tuple[tuple[str, str], ...]
    scope: Scope = "any"
    namespace: str = ""


@dataclass(frozen=True)
class Wildcard:
    """A resource rule lists ``*`` in ``field`` (``all``: verbs, resources and groups at once)."""

    field: Literal["verbs", "resources", "apiGroups", "all"]
    scope: Scope = "any"


@dataclass(frozen=True)
class BindsSubject:
    """A binding names one of these users or groups (and grants at least one rule)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class DefaultServiceAccount:
    """A binding grants rules to a namespace's ``default`` ServiceAccount."""


@dataclass(frozen=True)
class BindsRole:
    """A binding of that ClusterRole (``scope`` as for `Grants`)."""

    role: str
    scope: Scope = "any"


Matcher = Grants | Wildcard | BindsSubject | DefaultServiceAccount | BindsRole
RULE_MATCHERS = (Grants, Wildcard)


@dataclass(frozen=True)
class RiskKind:
    """One kind of risky grant.

    Attributes:
        id: Stable identifier, e.g. ``secrets-read-cluster``.
        title: One line for listings.
        severity: critical, high, medium or low.
        match: What it matches.
        why: Why it is risky.
        recommendation: What to do instead.
        supersedes_rules: When found on a binding, the rule-level findings of the same
            binding and subject are dropped (they add nothing to it).
    """

    id: str
    title: str
    severity: Severity
    match: Matcher
    why: str
    recommendation: str
    supersedes_rules: bool = False

    @property
    def rule_level(self) -> bool:
        """It matches individual rules (as opposed to bindings)."""
        return isinstance(self.match, RULE_MATCHERS)


def _on(group: str, *resources: str) -> tuple[tuple[str, str], ...]:
    return tuple((group, r) for r in resources)


C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
WORKLOADS = (
    *_on("apps", "deployments", "daemonsets", "statefulsets", "replicasets"),
    *_on("batch", "jobs", "cronjobs"),
    *_on("", "replicationcontrollers"),
)
STEAL_SA = "can run code as any ServiceAccount of the namespace and read every Secret it mounts"

CATALOGUE: tuple[RiskKind, ...] = (
    RiskKind("cluster-admin-binding", "cluster-admin bound to a non-system subject", C,
             BindsRole("cluster-admin", "cluster"),
             "full control of the cluster, every Secret and every node",
             "bind a narrower role; keep cluster-admin for break-glass accounts", True),
    RiskKind("wildcard-all-cluster", "all verbs on all resources cluster-wide", C,
             Wildcard("all", "cluster"), "equivalent to cluster-admin for resources",
             "list the verbs, groups and resources actually needed", True),
    RiskKind("wildcard-all-namespace", "all verbs on all resources in a namespace", H,
             Wildcard("all", "namespace"),
             f"full control of the namespace: it {STEAL_SA}",
             "list the verbs, groups and resources actually needed", True),
    RiskKind("wildcard-verbs", "wildcard verbs", H, Wildcard("verbs"),
             "grants every verb, including escalate, bind, impersonate and future ones",
             "list the verbs needed"),
    RiskKind("wildcard-resources", "wildcard resources", H, Wildcard("resources"),
             "grants every resource of the groups, including Secrets and subresources "
             "such as pods/exec, and resources added later",
             "list the resources needed"),
    RiskKind("wildcard-api-groups", "wildcard API groups", M, Wildcard("apiGroups"),
             "grants the resources in every API group, including CRDs installed later",
             "list the API groups needed"),
    RiskKind("secrets-read-cluster", "read Secrets in every namespace", C,
             Grants(READ, _on("", "secrets"), "cluster"),
             "every Secret of the cluster, ServiceAccount tokens included, can be read",
             "bind per namespace, restrict with resourceNames, or mount the Secrets needed"),
    RiskKind("secrets-read-namespace", "read Secrets in a namespace", H,
             Grants(READ, _on("", "secrets"), "namespace"),
             "the namespace's Secrets, ServiceAccount tokens included, can be read",
             "restrict with resourceNames to the Secrets actually needed"),
    RiskKind("rbac-escalate", "escalate on roles", C,
             Grants(("escalate",), _on(RBAC_GROUP, "roles", "clusterroles")),
             "can write roles with permissions it does not hold",
             "remove escalate; let an administrator change roles"),
    RiskKind("rbac-bind", "bind roles", C,
             Grants(("bind",), _on(RBAC_GROUP, "roles", "clusterroles")),
             "can bind any role it may bind (often cluster-admin) to anyone, itself included",
             "remove bind, or restrict it with resourceNames to harmless roles"),
    RiskKind("impersonate", "impersonate users, groups or ServiceAccounts", C,
             Grants(("impersonate",), (*_on("", "users", "groups", "serviceaccounts"),
                                       *_on("authentication.k8s.io", "userextras", "uids"))),
             "can act as any user or group, system:masters included",
             "remove impersonate, or restrict it with resourceNames"),
    RiskKind("create-pods", "create or modify pods", H,
             Grants(("create", *CHANGE), _on("", "pods")),
             f"a pod may mount any Secret and run as any ServiceAccount: it {STEAL_SA}",
             "let a controller create pods; enforce Pod Security admission"),
    RiskKind("workload-writes", "create or modify workloads", H,
             Grants(("create", *CHANGE), WORKLOADS),
             f"a workload's pod template runs code: it {STEAL_SA}",
             "deploy through a pipeline identity; enforce Pod Security admission"),
    RiskKind("pods-exec", "exec into pods", H,
             Grants(("create", "get"), _on("", "pods/exec")),
             "runs commands in running containers and reads their tokens and Secrets",
             "use it only for break-glass debugging identities"),
    RiskKind("pods-attach", "attach to pods", H,
             Grants(("create", "get"), _on("", "pods/attach")),
             "interacts with a running container's process",
             "use it only for break-glass debugging identities"),
    RiskKind("pods-ephemeral-containers", "add ephemeral containers", H,
             Grants(CHANGE, _on("", "pods/ephemeralcontainers")),
             "adds a container with chosen image and command to any running pod",
             "use it only for break-glass debugging identities"),
    RiskKind("pods-portforward", "port-forward to pods", M,
             Grants(("create", "get"), _on("", "pods/portforward")),
             "reaches pod ports around network policies",
             "use it only for debugging identities"),
    RiskKind("nodes-proxy", "proxy to the kubelet API", C,
             Grants(("get", "create", *CHANGE, "delete"), _on("", "nodes/proxy")),
             "the kubelet API runs commands in any pod of the node and bypasses audit",
             "grant nodes/metrics or nodes/stats instead"),
    RiskKind("status-writes", "write node or pod status", M,
             Grants(CHANGE, _on("", "nodes/status", "pods/status")),
             "forged status can attract pods to a node, or hide and redirect pods",
             "leave status to the kubelet and controllers"),
    RiskKind("services-status-writes", "write Service status (CVE-2020-8554)", M,
             Grants(CHANGE, _on("", "services/status")),
             "setting a LoadBalancer ingress IP intercepts traffic meant for that IP",
             "leave Service status to the cloud controller"),
    RiskKind("sa-token-create", "create ServiceAccount tokens", H,
             Grants(("create",), _on("", "serviceaccounts/token")),
             "mints tokens of any ServiceAccount of the scope (TokenRequest)",
             "restrict with resourceNames to the ServiceAccounts needed"),
    RiskKind("secrets-create", "create Secrets", M, Grants(("create",), _on("", "secrets")),
             "a kubernetes.io/service-account-token Secret yields a token of any "
             "ServiceAccount of the namespace",
             "restrict Secret creation to the identities that need it"),
    RiskKind("rbac-writes", "modify roles or bindings", H,
             Grants(WRITE, _on(RBAC_GROUP, "roles", "clusterroles", "rolebindings",
                                "clusterrolebindings")),
             "editing bindings of roles it holds, or roles it is bound to, widens access",
             "manage RBAC through a reviewed pipeline"),
    RiskKind("webhook-writes", "modify admission webhooks and policies", C,
             Grants(WRITE, _on("admissionregistration.k8s.io",
                               "mutatingwebhookconfigurations",
                               "validatingwebhookconfigurations",
                               "validatingadmissionpolicies",
                               "validatingadmissionpolicybindings")),
             "a mutating webhook sees and rewrites every object, Secrets included",
             "keep admission configuration with cluster administrators"),
    RiskKind("csr-approval", "approve certificate signing requests", H,
             Grants(("update", "patch", "approve"),
                    (("certificates.k8s.io", "certificatesigningrequests/approval"),
                     ("certificates.k8s.io", "signers"))),
             "approved client certificates can claim any user or group, system:masters "
             "included",
             "leave approval to the cluster's approver controllers"),
    RiskKind("crd-writes", "modify CustomResourceDefinitions", H,
             Grants(WRITE, _on("apiextensions.k8s.io", "customresourcedefinitions")),
             "can replace or delete the APIs other controllers and policies depend on",
             "install CRDs through a reviewed pipeline"),
    RiskKind("pv-writes", "modify PersistentVolumes", M,
             Grants(WRITE, _on("", "persistentvolumes")),
             "a hostPath PersistentVolume exposes a node's filesystem to pods",
             "let a provisioner create volumes"),
    RiskKind("aws-auth-writes", "modify ConfigMaps in kube-system (EKS aws-auth)", H,
             Grants(CHANGE, _on("", "configmaps"), "any", "kube-system"),
             "on EKS the aws-auth ConfigMap maps cloud identities to system:masters",
             "restrict with resourceNames, or use EKS access entries"),
    RiskKind("networkpolicy-writes", "modify NetworkPolicies", L,
             Grants(WRITE, _on("networking.k8s.io", "networkpolicies")),
             "removing a policy opens traffic that isolation relied on",
             "manage network policy through a reviewed pipeline"),
    RiskKind("anonymous-binding", "rights granted to unauthenticated requests", C,
             BindsSubject(("system:anonymous", "system:unauthenticated")),
             "anyone who reaches the API server has these rights, without credentials",
             "remove the binding; bind named identities"),
    RiskKind("all-authenticated-binding", "rights granted to every authenticated identity", H,
             BindsSubject(("system:authenticated", "system:serviceaccounts")),
             "every user and every ServiceAccount of every namespace has these rights",
             "bind the groups or ServiceAccounts that need them"),
    RiskKind("default-serviceaccount-rights", "rights granted to a default ServiceAccount", M,
             DefaultServiceAccount(),
             "every pod that names no ServiceAccount runs as default and gets these rights",
             "create a dedicated ServiceAccount and bind it instead"),
)  # fmt: skip

BY_ID: dict[str, RiskKind] = {kind.id: kind for kind in CATALOGUE}
