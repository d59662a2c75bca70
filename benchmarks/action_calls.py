"""API calls per change action, counted with kubesim's request log.

    python benchmarks/action_calls.py [--poll-interval 0.5]

Starts a ``demo`` cluster, gives the seed's ``connector`` identity the one grant the node
actions need beyond the seed (``get`` on nodes), and runs each of the seven actions once, as
the engine would: plan, execute (with the approved plan), then rollback where one exists. The
calls the connector sent in each phase are counted by verb and resource from the request log:

- plan: preflight, dry run, impact;
- execute: up to and including the last write;
- verify: the execution's calls after its last write (read-backs, rollout polls);
- rollback: the rollback with its own read-back and rollout polls.

Prints one Markdown table per action. Rollout polls depend on ``--poll-interval`` and on how
fast the pods become ready (kubesim's default 0.3 s).
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubeconnector.changes.actions import action_for
from kubeconnector.changes.base import ActionContext, ChangeOptions
from kubeconnector.kube import ClusterClient, parse_kubeconfig
from kubeconnector.models import Connector, Environment
from kubeconnector.models.changes import Step, StepPhase
from kubesim import Cluster, running
from kubesim.scenarios.build import namespace, secret, service_account, token_secret
from kubesim.scenarios.workloads import container, deployment, pod_spec

CONNECTOR_USER = "system:serviceaccount:kubeconnector:connector"
NS = "bench"
PHASES = ("plan", "execute", "verify", "rollback")
WRITES = {"create", "update", "patch", "delete"}
SMP = "application/strategic-merge-patch+json"


class MemoryJournal:
    """A `Journal` kept in memory (a rollback's journal sees the change's snapshot)."""

    def __init__(self, reverses: MemoryJournal | None = None) -> None:
        self.reverses = reverses
        self._snapshot: dict[str, Any] | None = None
        self.sealed: dict[str, bytes] = {}
        self.entries: list[Step] = []

    def save_snapshot(self, data: Mapping[str, Any]) -> None:
        self._snapshot = json.loads(json.dumps(dict(data)))

    def snapshot(self) -> dict[str, Any] | None:
        if self._snapshot is None and self.reverses is not None:
            return self.reverses.snapshot()
        return self._snapshot

    def seal(self, name: str, value: bytes) -> None:
        self.sealed[name] = value

    def unseal(self, name: str) -> bytes | None:
        if name not in self.sealed and self.reverses is not None:
            return self.reverses.unseal(name)
        return self.sealed.get(name)

    def intent(self, step: str, detail: Mapping[str, Any]) -> None:
        self._add(step, StepPhase.INTENT, detail)

    def done(self, step: str, detail: Mapping[str, Any]) -> None:
        self._add(step, StepPhase.DONE, detail)

    def skipped(self, step: str, detail: Mapping[str, Any]) -> None:
        self._add(step, StepPhase.SKIPPED, detail)

    def steps(self) -> list[Step]:
        return list(self.entries)

    def event(self, event_type: str, payload: Mapping[str, Any]) -> None:
        del event_type, payload

    def progress(self, message: str) -> None:
        del message

    def _add(self, step: str, phase: StepPhase, detail: Mapping[str, Any]) -> None:
        at = datetime.now(UTC)
        self.entries.append(Step(name=step, phase=phase, at=at, detail=dict(detail)))


@dataclass
class Counts:
    """Calls per phase, by ``verb resource``."""

    phases: dict[str, collections.Counter[str]] = field(
        default_factory=lambda: {p: collections.Counter() for p in PHASES}
    )
    has_rollback: bool = True

    def markdown(self, title: str) -> str:
        """One table: a row per verb and resource, a column per phase, then the totals."""
        rows = sorted({key for counter in self.phases.values() for key in counter})
        lines = [f"**{title}**", "", "| call | " + " | ".join(PHASES) + " |"]
        lines.append("|---|" + "---:|" * len(PHASES))
        for key in rows:
            cells = [str(self.phases[p][key] or "") for p in PHASES]
            lines.append(f"| {key} | " + " | ".join(cells) + " |")
        totals = [f"**{sum(self.phases[p].values())}**" for p in PHASES]
        if not self.has_rollback:
            totals[-1] = "no rollback"
        lines.append("| **total** | " + " | ".join(totals) + " |")
        return "\n".join(lines)


def call_name(entry: Mapping[str, Any]) -> str:
    """``verb resource`` of a request log entry (dry runs marked)."""
    resource = entry["resource"] + (f"/{entry['subresource']}" if entry["subresource"] else "")
    name = f"{entry['verb']} {resource or entry['path']}"
    return name + (" (dry run)" if "dryRun" in entry["query"] else "")


def is_write(entry: Mapping[str, Any]) -> bool:
    """A write that changes something (reviews and dry runs excluded)."""
    return (
        entry["verb"] in WRITES
        and "dryRun" not in entry["query"]
        and not entry["resource"].startswith("selfsubject")
    )


@dataclass(frozen=True)
class Case:
    """One action's run: its parameters and the objects it needs."""

    action: str
    raw: dict[str, str]
    setup: Callable[[ClusterClient], None]


def create(admin: ClusterClient, path: str, body: dict[str, Any]) -> None:
    """Create an object as admin."""
    admin.request("POST", path, body=body)


def app(name: str) -> Callable[[ClusterClient], None]:
    """Setup: a two-replica Deployment, waited for until available."""

    def setup(admin: ClusterClient) -> None:
        body = deployment(name, NS, 2, {"app": name}, pod_spec([container("app", "nginx:1.25")]))
        create(admin, f"/apis/apps/v1/namespaces/{NS}/deployments", body)

    return setup


def node(name: str, cordoned: bool) -> Callable[[ClusterClient], None]:
    """Setup: a Node, cordoned or not."""

    def setup(admin: ClusterClient) -> None:
        spec = {"unschedulable": True} if cordoned else {}
        body = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": spec}
        create(admin, "/api/v1/nodes", body)

    return setup


def opaque(name: str) -> Callable[[ClusterClient], None]:
    """Setup: an Opaque Secret."""
    return lambda admin: create(
        admin, f"/api/v1/namespaces/{NS}/secrets", secret(name, NS, {"password": "old-value"})
    )


def token(admin: ClusterClient) -> None:
    """Setup: a ServiceAccount and its legacy token Secret."""
    create(admin, f"/api/v1/namespaces/{NS}/serviceaccounts", service_account("app", NS))
    create(admin, f"/api/v1/namespaces/{NS}/secrets", token_secret("app-token", NS, "app"))


CASES = (
    Case(
        "patch-deployment", {"name": "web", "container": "app", "image": "nginx:1.27"}, app("web")
    ),
    Case("scale-deployment", {"name": "api", "replicas": "3"}, app("api")),
    Case("cordon-node", {"node": "bench-a"}, node("bench-a", cordoned=False)),
    Case("uncordon-node", {"node": "bench-b"}, node("bench-b", cordoned=True)),
    Case("rotate-secret", {"name": "db", "value.password": "new-value"}, opaque("db")),
    Case("delete-secret", {"name": "old"}, opaque("old")),
    Case("rotate-sa-token", {"serviceaccount": "app"}, token),
)


def client(cluster: Cluster, context: str) -> ClusterClient:
    """A ClusterClient for one kubesim context."""
    return ClusterClient(parse_kubeconfig(cluster.kubeconfig_yaml(context), context))


def grant_node_get(admin: ClusterClient) -> None:
    """``get`` on nodes for the connector's ServiceAccount (the node actions need it)."""
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    meta = {"name": "bench-node-reader"}
    rules = [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]
    create(admin, f"{rbac}/clusterroles", {"kind": "ClusterRole", "metadata": meta, "rules": rules})
    binding = {
        "kind": "ClusterRoleBinding",
        "metadata": meta,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", **meta},
        "subjects": [{"kind": "ServiceAccount", "name": "connector", "namespace": "kubeconnector"}],
    }
    create(admin, f"{rbac}/clusterrolebindings", binding)


@contextmanager
def phase(cluster: Cluster, counts: Counts, name: str) -> Iterator[None]:
    """Count the connector's calls made inside the block (``execute`` split at its last write)."""
    mark = cluster.control.mark()
    yield
    entries = [e for e in cluster.control.requests(mark) if e["user"] == CONNECTOR_USER]
    if name == "execute":
        last = max((i for i, e in enumerate(entries) if is_write(e)), default=len(entries) - 1)
        counts.phases["verify"].update(call_name(e) for e in entries[last + 1 :])
        entries = entries[: last + 1]
    counts.phases[name].update(call_name(e) for e in entries)


def measure(cluster: Cluster, ctx: ActionContext, case: Case) -> Counts:
    """Plan, execute and roll back one action; its calls per phase."""
    action = action_for(case.action)
    counts = Counts(has_rollback=action.has_rollback)
    raw = {"node": case.raw["node"]} if "node" in case.raw else {"namespace": NS, **case.raw}
    params = action.parse(raw)
    with phase(cluster, counts, "plan"):
        plan = action.plan(ctx, params)
    if plan.refused:
        raise SystemExit(f"{case.action}: the plan refuses: {plan.refused}")
    journal = MemoryJournal()
    executing = ActionContext(ctx.client, ctx.connector, ctx.options, plan=plan)
    with phase(cluster, counts, "execute"):
        action.execute(executing, params, journal)
    if action.has_rollback:
        cluster.control.settle()  # let the controllers finish (a node's taint, pods)
        with phase(cluster, counts, "rollback"):
            action.rollback(ctx, params, MemoryJournal(reverses=journal), force=False)
    return counts


def main() -> None:
    """Run every action once and print its calls per phase."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--poll-interval", type=float, default=0.5)
    args = parser.parse_args()
    options = ChangeOptions(poll_interval=args.poll_interval)
    with running("demo") as cluster:
        admin = client(cluster, "admin")
        create(admin, "/api/v1/namespaces", namespace(NS))
        grant_node_get(admin)
        for case in CASES:
            case.setup(admin)
        time.sleep(0.5)
        cluster.control.settle()
        now = datetime.now(UTC)
        connector = Connector(
            id="00000000-0000-4000-8000-00000000be0c",
            key_id="k1",
            created_at=now,
            updated_at=now,
            name="bench",
            environment=Environment.DEV,
            server=cluster.url,
        )
        ctx = ActionContext(client(cluster, "connector"), connector, options)
        print(f"poll interval {args.poll_interval}s; counts are the connector's requests\n")
        for case in CASES:
            print(measure(cluster, ctx, case).markdown(case.action) + "\n")
        ctx.client.close()
        admin.close()


if __name__ == "__main__":
    main()
