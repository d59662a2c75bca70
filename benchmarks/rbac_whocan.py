"""Who-can latency on the `large` scenario's RBAC objects (about 5,000 of them).

Loads the scenario's Roles, ClusterRoles and bindings (no cluster is started; aggregated
ClusterRoles are filled from their selectors), builds the engine, then times 1,000 random
who-can queries (cluster-wide, in one namespace, and in any namespace) and prints the median
and 95th percentile, plus load time, the memory the snapshot and its indexes hold
(tracemalloc) and the process's peak RSS.

    python benchmarks/rbac_whocan.py [--scale F] [--queries N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

from kubeconnector.rbac import RbacEngine, RbacSnapshot
from kubesim import scenarios

RBAC_KINDS = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "impersonate", "bind")
RESOURCES = (
    "pods",
    "pods/exec",
    "pods/log",
    "secrets",
    "configmaps",
    "services",
    "nodes",
    "nodes/proxy",
    "serviceaccounts/token",
    "deployments.apps",
    "deployments.apps/scale",
    "statefulsets.apps/status",
    "roles.rbac.authorization.k8s.io",
    "clusterroles.rbac.authorization.k8s.io",
    "users",
)


def rbac_objects(scale: float) -> Iterator[dict[str, Any]]:
    """The scenario's RBAC manifests."""
    for obj in scenarios.get("large", scale).objects():
        if obj.get("kind") in RBAC_KINDS:
            yield obj


def queries(objects: list[dict[str, Any]], count: int, seed: int) -> list[tuple[str, str, str]]:
    """Random (verb, resource, namespace) triples over the snapshot's namespaces."""
    rng = random.Random(seed)
    namespaces = sorted({o["metadata"].get("namespace", "") for o in objects} - {""})
    scopes = ["", "*", *namespaces]
    return [(rng.choice(VERBS), rng.choice(RESOURCES), rng.choice(scopes)) for _ in range(count)]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    objects = list(rbac_objects(args.scale))
    tracemalloc.start()
    started = time.perf_counter()
    engine = RbacEngine(RbacSnapshot.from_objects(objects))
    load_s = time.perf_counter() - started
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    timings: list[float] = []
    answers = 0
    for verb, target, namespace in queries(objects, args.queries, args.seed):
        t0 = time.perf_counter()
        result = engine.who_can(verb, target, namespace=namespace)
        timings.append((time.perf_counter() - t0) * 1000)
        answers += len(result.entries)
    p95 = statistics.quantiles(timings, n=20)[18]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rbac_objects={engine.snapshot.object_count} load_s={load_s:.2f}")
    print(
        f"snapshot_mb={retained / 2**20:.1f} load_peak_mb={peak / 2**20:.1f} "
        f"process_peak_rss_mb={rss_mb:.0f}"
    )
    print(f"queries={len(timings)} subjects_returned={answers}")
    print(f"median_ms={statistics.median(timings):.3f} p95_ms={p95:.3f} max_ms={max(timings):.3f}")


if __name__ == "__main__":
    main()
