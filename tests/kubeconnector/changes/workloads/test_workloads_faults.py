"""The fault matrix: 429, 500 and a dropped connection at each API call of each workload action.

Each scenario runs one action's plan, execution and rollback. The calls of each phase are
listed below in order; `test_the_call_lists_are_what_the_actions_send` keeps the lists true
(a rollout wait may poll more than once: the polls after the listed ones are allowed). Each
matrix case arms one fault (kubesim's fault API: method, exact path, the connector's user,
``skip`` = the earlier calls to the same method and path in that phase, ``count=1``) right
before its phase starts, and checks that the run ends consistent: the client retried once
(reads, reviews, dry runs and the precondition-guarded patches are all safe to resend), every
phase finished, the cluster holds the changed value after the execution and the original one
after the rollback, and each of the two writes took effect exactly once.

Matrix: 40 calls (patch-deployment 10, scale-deployment 11, cordon-node 10, uncordon-node 9)
x 3 faults = 120 cases, all consistent; plus one write per action that keeps failing (4
cases): the change fails with the cluster untouched and its resume writes once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake
from tests.kubeconnector.changes.support import (
    CONNECTOR_USER,
    connector_calls,
    context_for,
    wait_until,
)
from tests.kubeconnector.changes.workloads.workloads_support import Sandbox, container_of

from kubeconnector.changes.actions.cordon_node import CordonNode, UncordonNode
from kubeconnector.changes.actions.patch_deployment import PatchDeployment
from kubeconnector.changes.actions.scale_deployment import ScaleDeployment
from kubeconnector.changes.base import Action, ActionContext
from kubeconnector.errors import ServerError
from kubeconnector.kube import ClusterClient
from kubeconnector.models.changes import StepPhase
from kubesim import Cluster

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("node_reader")]

SSAR = ("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
DEPLOY = "/apis/apps/v1/namespaces/{ns}/deployments/web"
HPAS = "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"
NODE = "/api/v1/nodes/{node}"
PHASES = ("plan", "execute", "rollback")
Calls = dict[str, list[tuple[str, str]]]
DEPLOYMENT_WRITES = {
    "execute": [("GET", DEPLOY), ("PATCH", DEPLOY), ("GET", DEPLOY)],  # + rollout polls
    "rollback": [("GET", DEPLOY), ("PATCH", DEPLOY), ("GET", DEPLOY), ("GET", DEPLOY)],
}
PATCH_CALLS: Calls = {
    "plan": [("GET", DEPLOY), SSAR, ("PATCH", DEPLOY)],  # the dry run
    **DEPLOYMENT_WRITES,
}
SCALE_CALLS: Calls = {
    "plan": [("GET", DEPLOY), SSAR, ("GET", HPAS), ("PATCH", DEPLOY)],
    **DEPLOYMENT_WRITES,
}
NODE_WRITES = {
    "execute": [("GET", NODE), ("PATCH", NODE), ("GET", NODE)],
    "rollback": [("GET", NODE), ("PATCH", NODE), ("GET", NODE)],
}
CORDON_CALLS: Calls = {
    "plan": [("GET", NODE), SSAR, ("GET", "/api/v1/pods"), ("PATCH", NODE)],
    **NODE_WRITES,
}
UNCORDON_CALLS: Calls = {"plan": [("GET", NODE), SSAR, ("PATCH", NODE)], **NODE_WRITES}
FAULTS: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "drop": {"drop": True},
}
SMP = "application/strategic-merge-patch+json"


@dataclass
class World:
    """What a scenario acts on: a namespace and a node of the test's own."""

    cluster: Cluster
    box: Sandbox
    node: str

    def fill(self, path: str) -> str:
        """A listed path with the namespace and the node put in."""
        return path.format(ns=self.box.namespace, node=self.node)

    @property
    def admin(self) -> ClusterClient:
        """The admin client."""
        return self.box.admin

    def node_spec(self) -> dict[str, Any]:
        """The node's spec (as admin)."""
        spec: dict[str, Any] = self.admin.request("GET", self.fill(NODE))["spec"]
        return spec

    def settle_node(self) -> None:
        """Wait until the node lifecycle controller put the taint in step with the field.

        The taint changes the node's resourceVersion: letting it land between two phases
        keeps a phase's read and its write from racing the controller.
        """

        def settled() -> bool:
            spec = self.node_spec()
            taints = [t for t in spec.get("taints") or () if t.get("key") == UNSCHEDULABLE]
            return bool(taints) == bool(spec.get("unschedulable"))

        wait_until(settled)


UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


@dataclass(frozen=True)
class Scenario:
    """One action's plan, execution and rollback, and what each leaves behind."""

    action: Action
    calls: Calls
    setup: Callable[[World], None]
    raw: Callable[[World], dict[str, str]]
    changed: Callable[[World], bool]  # the execution's value is in place
    original: Callable[[World], bool]  # the value before the change is back
    written: str  # the path the two writes go to
    step: str


def _app(world: World) -> None:
    world.box.app("web", replicas=1)


def _image(world: World) -> str:
    return str(container_of(world.box.get("web"))["image"])


def _cordoned(world: World) -> None:
    world.admin.request(
        "PATCH", world.fill(NODE), body={"spec": {"unschedulable": True}}, content_type=SMP
    )
    world.settle_node()


SCENARIOS = {
    "patch-deployment": Scenario(
        PatchDeployment(),
        PATCH_CALLS,
        _app,
        lambda w: {
            "namespace": w.box.namespace,
            "name": "web",
            "container": "app",
            "image": "nginx:1.27.0",
        },
        lambda w: _image(w) == "nginx:1.27.0" and w.box.available("web"),
        lambda w: _image(w) == "nginx:1.25.3" and w.box.available("web"),
        DEPLOY,
        "patch-deployment",
    ),
    "scale-deployment": Scenario(
        ScaleDeployment(),
        SCALE_CALLS,
        _app,
        lambda w: {"namespace": w.box.namespace, "name": "web", "replicas": "2"},
        lambda w: w.box.get("web")["spec"]["replicas"] == 2 and w.box.available("web"),
        lambda w: w.box.get("web")["spec"]["replicas"] == 1 and w.box.available("web"),
        DEPLOY,
        "patch-deployment",
    ),
    "cordon-node": Scenario(
        CordonNode(),
        CORDON_CALLS,
        lambda _: None,
        lambda w: {"node": w.node},
        lambda w: w.node_spec().get("unschedulable") is True,
        lambda w: "unschedulable" not in w.node_spec(),
        NODE,
        "cordon-node",
    ),
    "uncordon-node": Scenario(
        UncordonNode(),
        UNCORDON_CALLS,
        _cordoned,
        lambda w: {"node": w.node},
        lambda w: "unschedulable" not in w.node_spec(),
        lambda w: w.node_spec().get("unschedulable") is True,
        NODE,
        "uncordon-node",
    ),
}


@dataclass
class Recorder:
    """Before each phase: arms the case's fault, or records the calls of the phase before."""

    world: World
    fault: tuple[str, str, str, int, str] | None = None  # phase, method, path, skip, fault
    calls: dict[str, list[str]] = field(default_factory=dict)
    mark: int = 0
    phase: str = ""

    def start(self, phase: str) -> None:
        """Called as `phase` begins (``""`` once the run has ended)."""
        control = self.world.cluster.control
        if self.phase:
            self.calls[self.phase] = connector_calls(self.world.cluster, self.mark)
        self.phase, self.mark = phase, control.mark()
        if self.fault is not None and self.fault[0] == phase:
            _, method, path, skip, kind = self.fault
            pattern = f"^{self.world.fill(path)}$"
            control.fault(
                method=method, path=pattern, user=CONNECTOR_USER, skip=skip, count=1,
                **FAULTS[kind],
            )  # fmt: skip


def run(scenario: Scenario, world: World, ctx: ActionContext, recorder: Recorder) -> None:
    """Plan, execute, roll back; check the cluster after each write."""
    action = scenario.action
    params = action.parse(scenario.raw(world))
    recorder.start("plan")
    plan = action.plan(ctx, params)
    assert plan.refused == () and plan.dry_run is not None and plan.dry_run.ok
    recorder.start("execute")
    journal = JournalFake()
    executing = ActionContext(ctx.client, ctx.connector, ctx.options, plan=plan)
    assert action.execute(executing, params, journal)["verified"] is True
    recorder.start("")
    assert scenario.changed(world)
    if scenario.written == NODE:
        world.settle_node()
    recorder.start("rollback")
    undo = JournalFake(reverses=journal)
    assert action.rollback(ctx, params, undo, force=False)["verified"] is True
    recorder.start("")
    assert scenario.original(world)
    assert [s.phase for s in journal.steps()] == [StepPhase.INTENT, StepPhase.DONE]
    assert [s.phase for s in undo.steps()] == [StepPhase.INTENT, StepPhase.DONE]


def writes(world: World, path: str, since: int) -> int:
    """Writes to `path` by the connector that took effect (dry runs excluded)."""
    return sum(
        1
        for e in world.cluster.control.requests(since)
        if e["user"] == CONNECTOR_USER
        and e["method"] == "PATCH"
        and e["path"] == world.fill(path)
        and e["status"] == 200
        and "dryRun" not in str(e.get("query") or "")
    )


@pytest.fixture
def world(kubesim_cluster: Cluster, sandbox: Sandbox, node: str) -> Iterator[World]:
    """A namespace and a node of the test's own."""
    yield World(kubesim_cluster, sandbox, node)
    kubesim_cluster.control.clear_faults()


def _normalized(world: World, calls: list[str]) -> list[tuple[str, str]]:
    out = []
    for call in calls:
        method, path = call.removesuffix("?dryRun").split(" ", 1)
        path = path.replace(world.box.namespace, "{ns}").replace(world.node, "{node}")
        out.append((method, path))
    return out


def _cases() -> list[Any]:
    cases = []
    for name, scenario in SCENARIOS.items():
        for phase in PHASES:
            listed = scenario.calls[phase]
            for index, (method, path) in enumerate(listed):
                skip = listed[:index].count((method, path))
                short = path.rsplit("/", 1)[-1].replace("{", "").replace("}", "")
                for fault in FAULTS:
                    label = f"{name}-{phase}-{index}-{method}-{short}-{fault}"
                    case = (name, (phase, method, path, skip, fault))
                    cases.append(pytest.param(*case, id=label))
    return cases


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_call_lists_are_what_the_actions_send(name: str, world: World) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    ctx = context_for(world.cluster)
    recorder = Recorder(world)
    mark = world.cluster.control.mark()
    run(scenario, world, ctx, recorder)
    for phase in PHASES:
        listed, sent = scenario.calls[phase], _normalized(world, recorder.calls[phase])
        assert sent[: len(listed)] == listed, phase
        assert set(sent[len(listed) :]) <= {listed[-1]}, phase  # more rollout polls only
    assert writes(world, scenario.written, mark) == 2
    assert ctx.client.stats.retries == 0
    ctx.client.close()


@pytest.mark.parametrize(("name", "fault"), _cases())
def test_one_fault_at_one_call_ends_consistent(
    name: str, fault: tuple[str, str, str, int, str], world: World
) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    ctx = context_for(world.cluster)
    mark = world.cluster.control.mark()
    run(scenario, world, ctx, Recorder(world, fault))
    assert writes(world, scenario.written, mark) == 2  # the change and its rollback, once each
    assert ctx.client.stats.retries == 1  # the fault fired, once, and was retried
    ctx.client.close()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_write_that_keeps_failing_ends_failed_untouched_and_resumes_once(
    name: str, world: World
) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(world)
    ctx = context_for(world.cluster)
    action = scenario.action
    params = action.parse(scenario.raw(world))
    plan = action.plan(ctx, params)
    executing = ActionContext(ctx.client, ctx.connector, ctx.options, plan=plan)
    pattern = f"^{world.fill(scenario.written)}$"
    world.cluster.control.fault(method="PATCH", path=pattern, user=CONNECTOR_USER, status=500)
    journal = JournalFake()
    with pytest.raises(ServerError):
        action.execute(executing, params, journal)
    assert [(s.name, s.phase) for s in journal.steps()] == [(scenario.step, StepPhase.INTENT)]
    assert scenario.original(world)  # untouched
    world.cluster.control.clear_faults()
    mark = world.cluster.control.mark()
    assert action.resume(executing, params, journal)["verified"] is True
    assert writes(world, scenario.written, mark) == 1
    assert scenario.changed(world)
    ctx.client.close()
