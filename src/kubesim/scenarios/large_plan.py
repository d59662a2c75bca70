"""Sizing of the `large` scenario: how many objects of each kind, and where each one lives.

Objects of a kind are numbered globally; object `i` lives in namespace `i % namespaces` with
local index `i // namespaces`, so every namespace gets an even share and any object's name
and namespace follow from its number alone (nothing is kept in memory but the replica counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAEMON_SETS = 5  # node agents; constant so DaemonSet Pods grow with Nodes, i.e. linearly
STS_REPLICAS = 3
# Relative Deployment sizes, cycled: most apps are small, a few are large.
WEIGHTS = (1, 2, 3, 4, 6, 8, 10, 12, 16, 30)

BASE = {
    "namespaces": 200,
    "nodes": 100,
    "pods": 20_000,
    "secrets": 10_000,
    "token_secrets": 250,
    "tls_secrets": 250,
    "serviceaccounts": 4_000,
    "configmaps": 2_000,
    "deployments": 2_000,
    "statefulsets": 100,
    "services": 4_000,
    "clusterroles": 250,
    "aggregated_clusterroles": 5,
    "clusterrolebindings": 250,
    "roles": 2_250,
    "rolebindings": 2_250,
}


def scaled(base: int, scale: float) -> int:
    """`base * scale` rounded, and at least 1."""
    return max(1, round(base * scale))


def share(total: int, parts: int, index: int) -> int:
    """How many of `total` objects dealt round-robin over `parts` land in part `index`."""
    return total // parts + (1 if index < total % parts else 0)


def spread(total: int, weights: list[int]) -> list[int]:
    """Split `total` into len(weights) positive parts proportional to the weights.

    Args:
        total: the sum to reach; raised to len(weights) if smaller (every part is >= 1).
        weights: positive relative sizes.

    Returns:
        Integers >= 1 summing exactly to max(total, len(weights)).
    """
    count = len(weights)
    extra = max(0, total - count)
    weight_sum = sum(weights)
    parts = [1 + extra * w // weight_sum for w in weights]
    for i in range(max(total, count) - sum(parts)):
        parts[i % count] += 1
    return parts


@dataclass(frozen=True)
class LargePlan:
    """Counts of the objects the `large` scenario yields at one scale."""

    namespaces: int
    nodes: int
    service_accounts: int
    docker_secrets: int
    token_secrets: int
    tls_secrets: int
    opaque_secrets: int
    config_maps: int
    deployments: int
    stateful_sets: int
    services: int
    cluster_roles: int
    aggregated_roles: int
    cluster_role_bindings: int
    roles: int
    role_bindings: int
    replicas: tuple[int, ...]

    @property
    def control_planes(self) -> int:
        """Tainted control-plane Nodes (none when there is a single Node)."""
        return min(3, self.nodes - 1)

    @property
    def secrets(self) -> int:
        """All Secrets yielded."""
        return self.docker_secrets + self.token_secrets + self.tls_secrets + self.opaque_secrets

    @property
    def pods(self) -> int:
        """Pods the workload controllers create (DaemonSets run on every Node)."""
        return sum(self.replicas) + DAEMON_SETS * self.nodes + STS_REPLICAS * self.stateful_sets

    def ns_name(self, index: int) -> str:
        """Name of the namespace with this index."""
        return f"tenant-{index:03d}"

    def place(self, number: int) -> tuple[int, int]:
        """(namespace index, local index) of object `number` of a kind."""
        return number % self.namespaces, number // self.namespaces

    def per_ns(self, total: int, ns_index: int) -> int:
        """How many of `total` objects of a kind live in namespace `ns_index`."""
        return share(total, self.namespaces, ns_index)


def plan(scale: float) -> LargePlan:
    """Size the `large` scenario for `scale` (1.0: ~50,000 objects after controllers)."""
    n = {key: scaled(value, scale) for key, value in BASE.items()}
    namespaces = n["namespaces"]
    # Every namespace gets at least one ServiceAccount, opaque Secret, ConfigMap and Role, so
    # references to local index 0 always resolve; at tiny scales this may exceed the targets.
    opaque = max(namespaces, n["secrets"] - namespaces - n["token_secrets"] - n["tls_secrets"])
    other_pods = DAEMON_SETS * n["nodes"] + STS_REPLICAS * n["statefulsets"]
    weights = [WEIGHTS[(i * 7) % len(WEIGHTS)] for i in range(n["deployments"])]
    return LargePlan(
        namespaces=namespaces,
        nodes=n["nodes"],
        service_accounts=max(n["serviceaccounts"], namespaces),
        docker_secrets=namespaces,
        token_secrets=n["token_secrets"],
        tls_secrets=n["tls_secrets"],
        opaque_secrets=opaque,
        config_maps=max(n["configmaps"], namespaces),
        deployments=n["deployments"],
        stateful_sets=n["statefulsets"],
        services=max(n["services"], n["deployments"] + n["statefulsets"]),
        cluster_roles=max(n["clusterroles"], 2 * n["aggregated_clusterroles"]),
        aggregated_roles=n["aggregated_clusterroles"],
        cluster_role_bindings=n["clusterrolebindings"],
        roles=max(n["roles"], namespaces),
        role_bindings=n["rolebindings"],
        replicas=tuple(spread(n["pods"] - other_pods, weights)),
    )


def validate_scale(scale: float) -> float:
    """Return `scale` if it is a positive finite number, else raise ValueError."""
    if not isinstance(scale, int | float) or not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    return float(scale)
