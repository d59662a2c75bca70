"""Deployment controller: ReplicaSets, revisions, rollouts, rollbacks and status."""

from __future__ import annotations

import copy
import re

from test_controllers_workloads_fixtures import (
    Cluster,
    Obj,
    condition,
    deployment,
    rollout_status,
    run,
    set_image,
)

from kubesim.controllers.hashing import SAFE_ALPHABET
from kubesim.store.storage import EventType

HASH = re.compile(f"^[{SAFE_ALPHABET}]{{6,10}}$")


def revisions(cluster: Cluster, d: Obj) -> dict[str, Obj]:
    """The Deployment's ReplicaSets by revision number."""
    return {
        rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]: rs
        for rs in cluster.owned("replicasets", d)
    }


def undo_to(cluster: Cluster, name: str, revision: str) -> None:
    """`kubectl rollout undo --to-revision`: copy that ReplicaSet's template back."""
    rs = revisions(cluster, cluster.get("deployments", name))[revision]
    template = copy.deepcopy(rs["spec"]["template"])
    del template["metadata"]["labels"]["pod-template-hash"]

    def change(obj: Obj) -> None:
        obj["spec"]["template"] = template

    cluster.edit("deployments", name, change)


def test_a_new_deployment_gets_a_hash_named_replicaset_with_owner_and_revision() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(
            deployment(
                "web",
                annotations={
                    "team": "blue",
                    "kubectl.kubernetes.io/last-applied-configuration": "{}",
                },
            )
        )
        await cluster.settle()
        d = cluster.get("deployments", "web")
        [rs] = cluster.owned("replicasets", d)
        rs_hash = rs["metadata"]["labels"]["pod-template-hash"]
        assert HASH.match(rs_hash)
        assert rs["metadata"]["name"] == f"web-{rs_hash}"
        assert rs["metadata"]["labels"] == {"app": "web", "pod-template-hash": rs_hash}
        assert rs["spec"]["selector"] == {
            "matchLabels": {"app": "web", "pod-template-hash": rs_hash}
        }
        assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == rs_hash
        assert rs["metadata"]["ownerReferences"] == [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "web",
                "uid": d["metadata"]["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
        assert rs["metadata"]["annotations"] == {
            "team": "blue",
            "deployment.kubernetes.io/revision": "1",
            "deployment.kubernetes.io/desired-replicas": "3",
            "deployment.kubernetes.io/max-replicas": "4",
        }
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
        pods = cluster.owned("pods", rs)
        assert len(pods) == 3
        assert all(p["metadata"]["labels"]["pod-template-hash"] == rs_hash for p in pods)

    run(steps)


def test_a_rolled_out_deployment_reports_the_upstream_status_and_conditions() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web"))
        await cluster.settle()
        d = cluster.get("deployments", "web")
        rs_name = cluster.owned("replicasets", d)[0]["metadata"]["name"]
        status = {k: v for k, v in d["status"].items() if k != "conditions"}
        assert status == {
            "observedGeneration": 1,
            "replicas": 3,
            "updatedReplicas": 3,
            "readyReplicas": 3,
            "availableReplicas": 3,
        }
        available, progressing = d["status"]["conditions"]
        assert {k: available[k] for k in ("type", "status", "reason", "message")} == {
            "type": "Available",
            "status": "True",
            "reason": "MinimumReplicasAvailable",
            "message": "Deployment has minimum availability.",
        }
        assert {k: progressing[k] for k in ("type", "status", "reason", "message")} == {
            "type": "Progressing",
            "status": "True",
            "reason": "NewReplicaSetAvailable",
            "message": f'ReplicaSet "{rs_name}" has successfully progressed.',
        }
        assert rollout_status(d) == 'deployment "web" successfully rolled out'

    run(steps)


def test_a_rolling_update_respects_max_surge_and_max_unavailable() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(
            deployment(
                "web",
                replicas=4,
                strategy={
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
                },
            )
        )
        await cluster.settle()
        cluster.events.clear()
        cluster.edit("deployments", "web", set_image("nginx:1.26.0"))
        await cluster.settle()
        totals, available = [], []
        for event in cluster.events:
            if event.key == "apps/deployments" and event.type is EventType.MODIFIED:
                status = event.obj.obj.get("status") or {}
                totals.append(status.get("replicas", 0))
                available.append(status.get("availableReplicas", 0))
        assert max(totals) == 5
        assert min(available) == 4
        d = cluster.get("deployments", "web")
        by_revision = revisions(cluster, d)
        assert by_revision["1"]["spec"]["replicas"] == 0
        assert by_revision["2"]["spec"]["replicas"] == 4
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
        assert rollout_status(d) == 'deployment "web" successfully rolled out'

    run(steps)


def test_progress_moves_last_update_time_and_keeps_last_transition_time() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=2))
        await cluster.settle()
        cluster.events.clear()
        cluster.edit("deployments", "web", set_image("nginx:1.26.0"))
        await cluster.settle()
        reasons = [
            condition(ev.obj.obj, "Progressing")["reason"]
            for ev in cluster.events
            if ev.key == "apps/deployments" and ev.obj.obj.get("status", {}).get("conditions")
        ]
        assert reasons[0] == "NewReplicaSetAvailable"
        assert "NewReplicaSetCreated" in reasons
        assert "ReplicaSetUpdated" in reasons
        assert reasons[-1] == "NewReplicaSetAvailable"
        new_rs = revisions(cluster, cluster.get("deployments", "web"))["2"]
        created = next(
            condition(ev.obj.obj, "Progressing")
            for ev in cluster.events
            if ev.key == "apps/deployments"
            and ev.obj.obj.get("status", {}).get("conditions")
            and condition(ev.obj.obj, "Progressing")["reason"] == "NewReplicaSetCreated"
        )
        assert created["message"] == f'Created new replica set "{new_rs["metadata"]["name"]}"'

    run(steps)


def test_rollout_undo_reuses_the_old_replicaset_and_bumps_its_revision() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=2))
        await cluster.settle()
        cluster.edit("deployments", "web", set_image("nginx:1.26.0"))
        await cluster.settle()
        first = revisions(cluster, cluster.get("deployments", "web"))["1"]["metadata"]["name"]
        undo_to(cluster, "web", "1")
        await cluster.settle()
        d = cluster.get("deployments", "web")
        by_revision = revisions(cluster, d)
        assert sorted(by_revision) == ["2", "3"]
        reused = by_revision["3"]
        assert reused["metadata"]["name"] == first
        assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
        assert reused["spec"]["replicas"] == 2
        assert by_revision["2"]["spec"]["replicas"] == 0
        assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"

    run(steps)


def test_old_replicasets_beyond_the_revision_history_limit_are_deleted() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=1, revisionHistoryLimit=1))
        await cluster.settle()
        for tag in ("1.26.0", "1.27.0", "1.28.0"):
            cluster.edit("deployments", "web", set_image(f"nginx:{tag}"))
            await cluster.settle()
        assert sorted(revisions(cluster, cluster.get("deployments", "web"))) == ["3", "4"]

    run(steps)


def test_a_rollout_that_never_becomes_available_exceeds_its_progress_deadline() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=2))
        await cluster.settle()
        cluster.edit("deployments", "web", set_image("nginx:broken"))
        await cluster.settle()
        d = cluster.get("deployments", "web")
        new_rs = revisions(cluster, d)["2"]
        progressing = condition(d, "Progressing")
        assert (progressing["status"], progressing["reason"], progressing["message"]) == (
            "False",
            "ProgressDeadlineExceeded",
            f'ReplicaSet "{new_rs["metadata"]["name"]}" has timed out progressing.',
        )
        assert rollout_status(d) == 'error: deployment "web" exceeded its progress deadline'
        assert d["status"]["unavailableReplicas"] == 1
        assert condition(d, "Available")["status"] == "True"
        assert revisions(cluster, d)["1"]["status"]["availableReplicas"] == 2
        assert new_rs["spec"]["replicas"] == 1

    run(steps, progress_deadline_cap=1.0)


def test_a_paused_deployment_does_not_roll_out_until_resumed() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=1))
        await cluster.settle()

        def pause(obj: Obj) -> None:
            obj["spec"]["paused"] = True

        cluster.edit("deployments", "web", pause)
        cluster.edit("deployments", "web", set_image("nginx:1.26.0"))
        await cluster.settle()
        d = cluster.get("deployments", "web")
        paused = condition(d, "Progressing")
        assert (paused["status"], paused["reason"], paused["message"]) == (
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused",
        )
        assert sorted(revisions(cluster, d)) == ["1"]
        assert d["status"]["observedGeneration"] == d["metadata"]["generation"]

        def resume(obj: Obj) -> None:
            obj["spec"]["paused"] = False

        cluster.edit("deployments", "web", resume)
        await cluster.settle()
        d = cluster.get("deployments", "web")
        assert sorted(revisions(cluster, d)) == ["1", "2"]
        assert rollout_status(d) == 'deployment "web" successfully rolled out'

    run(steps)


def test_recreate_removes_every_old_pod_before_creating_new_ones() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=2, strategy={"type": "Recreate"}))
        await cluster.settle()
        cluster.events.clear()
        cluster.edit("deployments", "web", set_image("nginx:1.26.0"))
        await cluster.settle()
        live: set[str] = set()
        for event in cluster.events:
            if event.key != "/pods":
                continue
            name = event.obj.name
            if event.type is EventType.DELETED:
                live.discard(name)
            elif event.type is EventType.ADDED:
                assert not live, f"{name} created while old pods remain: {sorted(live)}"
            else:
                live.add(name)
        assert sorted(revisions(cluster, cluster.get("deployments", "web"))) == ["1", "2"]

    run(steps)


def test_scaling_resizes_the_replicaset_and_its_replica_annotations() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=2))
        await cluster.settle()

        def scale(obj: Obj) -> None:
            obj["spec"]["replicas"] = 5

        cluster.edit("deployments", "web", scale)
        await cluster.settle()
        d = cluster.get("deployments", "web")
        [rs] = cluster.owned("replicasets", d)
        assert rs["spec"]["replicas"] == 5
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "5"
        assert rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] == "7"
        assert d["status"]["availableReplicas"] == 5
        assert len(cluster.owned("pods", rs)) == 5

    run(steps)


def test_a_name_collision_bumps_collision_count_and_picks_another_hash() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(deployment("web", replicas=1))
        await cluster.settle()
        d = cluster.get("deployments", "web")
        [rs] = cluster.owned("replicasets", d)
        cluster.delete("deployments", "web")
        taken = rs["metadata"]["name"]

        def orphan(obj: Obj) -> None:
            obj["metadata"].pop("ownerReferences", None)
            obj["spec"]["template"]["metadata"]["labels"]["other"] = "x"

        cluster.edit("replicasets", taken, orphan)
        cluster.create(deployment("web", replicas=1))
        await cluster.settle()
        d = cluster.get("deployments", "web")
        names = {rs["metadata"]["name"] for rs in cluster.owned("replicasets", d)}
        assert taken in names, "the orphan matching the selector is adopted"
        [mine] = names - {taken}
        assert d["status"]["collisionCount"] == 1
        assert revisions(cluster, d)["2"]["metadata"]["name"] == mine
        assert rollout_status(d) == 'deployment "web" successfully rolled out'

    run(steps)
