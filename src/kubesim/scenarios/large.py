"""The `large` scenario: a synthetic cluster for load and scale tests.

At scale 1.0, after controllers have run, about 50,000 objects: 200 namespaces
(`tenant-000`...), 100 Nodes (3 tainted control-plane), 4,000 ServiceAccounts, 10,000 Secrets
(one dockerconfigjson `regcred` per namespace, 250 legacy token Secrets, 250 TLS Secrets, the
rest opaque, a tenth of them carrying Helm/Argo CD/Flux/External Secrets markers, every 25th
immutable), 2,000 ConfigMaps, 2,000 Deployments, 5 DaemonSets (tolerating every taint), 100
StatefulSets of 3 replicas, 4,000 Services, 5,000 RBAC objects (250 ClusterRoles of which 5
aggregated, 250 ClusterRoleBindings, 2,250 Roles, 2,250 RoleBindings) and 20,000 Pods.
Deployment replica counts vary (1 to ~30) and are chosen so the Pod total hits the target.

Other scales multiply every count (at least 1 of each; DaemonSets stay at 5 so Pods stay
linear in the scale). Output is a pure function of the scale: the same manifests, in the same
order, on every call, generated lazily.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios import large_core, large_rbac, large_workloads
from kubesim.scenarios.build import Manifest
from kubesim.scenarios.large_plan import DAEMON_SETS, LargePlan, plan, validate_scale

DESCRIPTION = (
    "Synthetic cluster scaled by `scale` (1.0: ~50,000 objects after controllers: 200 "
    "namespaces, 20,000 pods, 10,000 secrets, 5,000 RBAC objects, 100 nodes)."
)


def objects(scale: float = 1.0) -> Iterator[Manifest]:
    """Yield the large scenario's manifests in creation order.

    Args:
        scale: size multiplier; 1.0 is the reference size.

    Raises:
        ValueError: if scale is not a positive finite number (raised on first iteration).
    """
    p = plan(validate_scale(scale))
    yield from large_core.namespaces(p)
    yield from large_core.nodes(p)
    yield from large_core.service_accounts(p)
    yield from large_core.secrets(p)
    yield from large_core.config_maps(p)
    yield from large_core.services(p)
    yield from large_rbac.objects(p)
    yield from large_workloads.deployments(p)
    yield from large_workloads.daemon_sets(p)
    yield from large_workloads.stateful_sets(p)


def manifest_counts(scale: float = 1.0) -> dict[str, int]:
    """Objects the scenario itself yields, per resource plural.

    Args:
        scale: size multiplier; 1.0 is the reference size.
    """
    p = plan(validate_scale(scale))
    return _yielded(p)


def expected_counts(scale: float = 1.0) -> dict[str, int]:
    """Objects the scenario accounts for once controllers have run, per resource plural.

    That is what the scenario yields plus what controllers derive from it: one ReplicaSet
    per Deployment, the Pods of every workload, one ControllerRevision per DaemonSet and
    StatefulSet, and a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap per
    created namespace. Objects the emulator has without any scenario (built-in namespaces
    and their defaults, bootstrap RBAC) and Events are not included, so for every resource
    `served(large) - served(empty) == expected_counts(scale)[resource]`.

    Args:
        scale: size multiplier; 1.0 is the reference size.
    """
    p = plan(validate_scale(scale))
    counts = _yielded(p)
    counts["serviceaccounts"] += p.namespaces
    counts["configmaps"] += p.namespaces
    counts["replicasets"] = p.deployments
    counts["controllerrevisions"] = DAEMON_SETS + p.stateful_sets
    counts["pods"] = p.pods
    return counts


def _yielded(p: LargePlan) -> dict[str, int]:
    return {
        "namespaces": p.namespaces,
        "nodes": p.nodes,
        "serviceaccounts": p.service_accounts,
        "secrets": p.secrets,
        "configmaps": p.config_maps,
        "services": p.services,
        "clusterroles": p.cluster_roles,
        "clusterrolebindings": p.cluster_role_bindings,
        "roles": p.roles,
        "rolebindings": p.role_bindings,
        "deployments": p.deployments,
        "daemonsets": DAEMON_SETS,
        "statefulsets": p.stateful_sets,
    }
