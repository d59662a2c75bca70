"""What the connector needs from RBAC: the product's minimum permissions, the extras the
actions need, and the exact permissions of discovery and of each of the seven actions.

The product page's "Minimum Permissions Required" lists the rules "For discovery" and "For
full change execution" (`SEED_RULES`). The actions need a few more (`EXTRAS`), each with the
reason. ``deployments/scale`` is deliberately NOT required: scaling patches ``spec.replicas``
of the Deployment, which ``patch`` on ``deployments`` covers.

A need is optional when the action still runs without it but a feature degrades (the HPA
warning before scaling, restarting DaemonSet and StatefulSet consumers of a rotated Secret).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kubeconnector.rbac.resources import RBAC_GROUP, is_cluster_scoped

Section = Literal["discovery", "changes"]
AUTHZ_GROUP = "authorization.k8s.io"
SSAR = "selfsubjectaccessreviews"


@dataclass(frozen=True, slots=True, order=True)
class Permission:
    """One permission cell: a verb on a resource of a group."""

    group: str
    resource: str
    verb: str

    @property
    def cluster_scoped(self) -> bool:
        """The resource is cluster-scoped: only a ClusterRoleBinding can grant it."""
        return is_cluster_scoped(self.group, self.resource)

    def __str__(self) -> str:
        target = f"{self.resource}.{self.group}" if self.group else self.resource
        return f"{self.verb} {target}"


@dataclass(frozen=True)
class RuleSpec:
    """A rule of a permission table: verbs on resources of one group."""

    group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]

    def permissions(self) -> list[Permission]:
        """Its cells, resource by resource."""
        return [Permission(self.group, r, v) for r in self.resources for v in self.verbs]


@dataclass(frozen=True)
class SeedRule(RuleSpec):
    """A rule of the product page, with the section it appears in."""

    section: Section = "discovery"


@dataclass(frozen=True)
class Extra(RuleSpec):
    """A permission the product page leaves out but an action needs, and why."""

    why: str = ""
    optional: bool = False


@dataclass(frozen=True)
class Need(RuleSpec):
    """What one action needs of one resource (``optional``: a feature degrades without it)."""

    optional: bool = False
    why: str = ""


@dataclass(frozen=True)
class ActionRequirement:
    """The permissions of one action (or of discovery)."""

    action: str
    description: str
    needs: tuple[Need, ...]


def _seed(section: Section, group: str, resources: str, verbs: str) -> SeedRule:
    return SeedRule(group, tuple(resources.split()), tuple(verbs.split()), section)


SEED_RULES: tuple[SeedRule, ...] = (
    _seed("discovery", "", "pods services secrets serviceaccounts namespaces", "get list"),
    _seed("discovery", "apps", "deployments daemonsets statefulsets", "get list"),
    _seed(
        "discovery", RBAC_GROUP, "roles rolebindings clusterroles clusterrolebindings", "get list"
    ),
    _seed("changes", "", "secrets serviceaccounts", "create update delete patch"),
    _seed("changes", "apps", "deployments", "update patch"),
    _seed("changes", "", "nodes", "patch"),
)

EXTRAS: tuple[Extra, ...] = (
    Extra(
        "",
        ("nodes",),
        ("get", "list"),
        why="discovery inventories nodes, and cordon/uncordon read the node first to record "
        "its state before the change (rollback never touches a node that was already so)",
    ),
    Extra(
        AUTHZ_GROUP,
        (SSAR,),
        ("create",),
        why="every change's preflight asks the API server whether the connector may make "
        "the exact write (usually granted to everyone by system:basic-user)",
    ),
    Extra(
        "autoscaling",
        ("horizontalpodautoscalers",),
        ("list",),
        why="warn before scaling or changing the replicas of a Deployment an HPA controls",
        optional=True,
    ),
    Extra(
        "apps",
        ("daemonsets", "statefulsets"),
        ("patch",),
        why="restart DaemonSet and StatefulSet consumers of a rotated Secret (Deployments "
        "are covered by the product's rules)",
        optional=True,
    ),
)

NOT_NEEDED: tuple[tuple[str, str], ...] = (
    (
        "update deployments/scale.apps",
        "scaling patches spec.replicas of the Deployment, which patch on deployments covers",
    ),
    (
        "create selfsubjectrulesreviews.authorization.k8s.io",
        "the permission report itself is computed from it, so a caller that has a report "
        "already had it (system:basic-user grants it to every authenticated identity)",
    ),
)


def _need(group: str, resources: str, verbs: str, optional: bool = False, why: str = "") -> Need:
    return Need(group, tuple(resources.split()), tuple(verbs.split()), optional, why)


_PREFLIGHT = _need(AUTHZ_GROUP, SSAR, "create", why="preflight: may the connector do it?")
_HPA = _need("autoscaling", "horizontalpodautoscalers", "list", True, "warn when an HPA scales it")

ACTIONS: tuple[ActionRequirement, ...] = (
    ActionRequirement(
        "discovery",
        "inventory the cluster (Secret values are never read)",
        (
            *(Need(r.group, r.resources, r.verbs) for r in SEED_RULES[:3]),
            _need("", "nodes", "get list"),
        ),
    ),
    ActionRequirement(
        "rotate-secret",
        "update a Secret's data in place",
        (
            _need("", "secrets", "get update", why="read the current data, write the new"),
            _need("apps", "deployments", "patch", True, "restart Deployment consumers"),
            _need("apps", "daemonsets statefulsets", "patch", True, "restart other consumers"),
            _PREFLIGHT,
        ),
    ),
    ActionRequirement(
        "delete-secret",
        "delete a Secret",
        (_need("", "secrets", "get delete"), _PREFLIGHT),
    ),
    ActionRequirement(
        "rotate-sa-token",
        "replace a ServiceAccount's token Secrets",
        (
            _need("", "serviceaccounts", "get"),
            _need("", "secrets", "get list create delete", why="find, create and remove tokens"),
            _PREFLIGHT,
        ),
    ),
    ActionRequirement(
        "patch-deployment",
        "change image, replicas or environment of a Deployment",
        (_need("apps", "deployments", "get patch"), _HPA, _PREFLIGHT),
    ),
    ActionRequirement(
        "scale-deployment",
        "set a Deployment's replicas (a patch of spec.replicas)",
        (_need("apps", "deployments", "get patch"), _HPA, _PREFLIGHT),
    ),
    ActionRequirement(
        "cordon-node",
        "mark a node unschedulable",
        (_need("", "nodes", "get patch", why="record the state before, then patch"), _PREFLIGHT),
    ),
    ActionRequirement(
        "uncordon-node",
        "mark a node schedulable",
        (_need("", "nodes", "get patch", why="record the state before, then patch"), _PREFLIGHT),
    ),
)

ACTION_IDS: tuple[str, ...] = tuple(a.action for a in ACTIONS)


def all_permissions() -> list[Permission]:
    """Every cell of the report: the product's rules, then the extras, without duplicates."""
    cells: dict[Permission, None] = {}
    for spec in (*SEED_RULES, *EXTRAS):
        cells.update(dict.fromkeys(spec.permissions()))
    for action in ACTIONS:
        for need in action.needs:
            cells.update(dict.fromkeys(need.permissions()))
    return list(cells)


def seed_permissions() -> set[Permission]:
    """The cells the product page asks for."""
    return {p for rule in SEED_RULES for p in rule.permissions()}
