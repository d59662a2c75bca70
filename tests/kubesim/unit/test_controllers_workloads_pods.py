"""Scheduler, kubelet and ReplicaSet controller: what clients observe of pods."""

from __future__ import annotations

import re

from test_controllers_workloads_fixtures import NODES, Cluster, Obj, condition, run

from kubesim.store.storage import EventType

CONTAINER_ID = re.compile(r"^containerd://[0-9a-f]{64}$")
IMAGE_ID = re.compile(r"^docker\.io/library/nginx@sha256:[0-9a-f]{64}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def pod(name: str, image: str = "nginx:1.25.3", **spec: object) -> Obj:
    """A bare pod with one container."""
    body: Obj = {"containers": [{"name": "app", "image": image}]}
    body.update(spec)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"run": name}},
        "spec": body,
    }


def replica_set(name: str, replicas: int, **spec: object) -> Obj:
    labels = {"app": name}
    body: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25.3"}]},
        },
    }
    body.update(spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": body,
    }


def cordon(obj: Obj) -> None:
    obj["spec"]["unschedulable"] = True


def test_a_bare_pod_is_scheduled_on_a_worker_and_reported_running() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(pod("solo", initContainers=[{"name": "init", "image": "busybox:1.36"}]))
        await cluster.settle()
        obj = cluster.get("pods", "solo")
        node = obj["spec"]["nodeName"]
        assert node in ("worker-1", "worker-2")
        status = obj["status"]
        assert status["phase"] == "Running"
        assert [c["type"] for c in status["conditions"]] == [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled",
        ]
        assert all(
            c["status"] == "True" and c["lastProbeTime"] is None for c in status["conditions"]
        )
        shape = next(s for s in NODES if s.name == node)
        assert status["hostIP"] == shape.ip
        assert status["hostIPs"] == [{"ip": shape.ip}]
        assert status["podIP"].startswith(shape.pod_cidr.rsplit(".", 2)[0] + ".")
        assert status["podIPs"] == [{"ip": status["podIP"]}]
        assert STAMP.match(status["startTime"])
        [app] = status["containerStatuses"]
        assert app["name"] == "app" and app["ready"] is True and app["started"] is True
        assert app["restartCount"] == 0 and app["lastState"] == {}
        assert app["image"] == "docker.io/library/nginx:1.25.3"
        assert IMAGE_ID.match(app["imageID"])
        assert CONTAINER_ID.match(app["containerID"])
        assert STAMP.match(app["state"]["running"]["startedAt"])
        [init] = status["initContainerStatuses"]
        terminated = init["state"]["terminated"]
        assert (terminated["exitCode"], terminated["reason"]) == (0, "Completed")
        assert init["image"] == "docker.io/library/busybox:1.36"

    run(steps)


def test_a_pod_that_fits_no_node_stays_pending_with_the_scheduler_message() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.edit("nodes", "worker-1", cordon, namespace="")
        cluster.edit("nodes", "worker-2", cordon, namespace="")
        cluster.create(pod("stuck"))
        await cluster.settle()
        obj = cluster.get("pods", "stuck")
        assert "nodeName" not in obj["spec"]
        assert obj["status"]["phase"] == "Pending"
        scheduled = condition(obj, "PodScheduled")
        assert (scheduled["status"], scheduled["reason"]) == ("False", "Unschedulable")
        assert scheduled["message"] == (
            "0/3 nodes are available: 1 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }, 2 node(s) were unschedulable. "
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        )

        def uncordon(obj: Obj) -> None:
            obj["spec"].pop("unschedulable", None)

        cluster.edit("nodes", "worker-2", uncordon, namespace="")
        await cluster.settle()
        obj = cluster.get("pods", "stuck")
        assert obj["spec"]["nodeName"] == "worker-2"
        assert condition(obj, "PodScheduled")["status"] == "True"
        assert obj["status"]["phase"] == "Running"

    run(steps)


def test_a_pod_tolerating_the_control_plane_taint_may_land_there() -> None:
    async def steps(cluster: Cluster) -> None:
        toleration = {
            "key": "node-role.kubernetes.io/control-plane",
            "operator": "Exists",
            "effect": "NoSchedule",
        }
        cluster.create(
            pod("cp", tolerations=[toleration], nodeSelector={"kubernetes.io/hostname": "cp-1"})
        )
        await cluster.settle()
        assert cluster.get("pods", "cp")["spec"]["nodeName"] == "cp-1"

    run(steps)


def test_an_image_that_cannot_be_pulled_waits_in_image_pull_back_off() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(pod("bad", image="nginx:broken"))
        await cluster.settle()
        status = cluster.get("pods", "bad")["status"]
        assert status["phase"] == "Pending"
        ready = condition(cluster.get("pods", "bad"), "Ready")
        assert (ready["status"], ready["reason"], ready["message"]) == (
            "False",
            "ContainersNotReady",
            "containers with unready status: [app]",
        )
        [app] = status["containerStatuses"]
        assert app["state"] == {
            "waiting": {
                "reason": "ImagePullBackOff",
                "message": 'Back-off pulling image "nginx:broken"',
            }
        }
        assert (app["ready"], app["started"], app["image"]) == (False, False, "nginx:broken")
        pulls = [
            (ev.obj.obj["status"].get("containerStatuses") or [{}])[0].get("state")
            for ev in cluster.events
            if ev.key == "/pods" and ev.obj.name == "bad"
        ]
        waiting = [s["waiting"]["reason"] for s in pulls if s and "waiting" in s]
        assert waiting == ["ErrImagePull", "ImagePullBackOff"]

    run(steps)


def test_a_deleted_pod_terminates_gracefully_and_then_disappears() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(pod("gone"))
        await cluster.settle()
        cluster.delete("pods", "gone")
        marked = cluster.get("pods", "gone")
        assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
        assert "deletionTimestamp" in marked["metadata"]
        await cluster.settle()
        assert cluster.find("pods", "gone") is None

    run(steps)


def test_a_replicaset_creates_generate_named_pods_owned_by_it() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(replica_set("front", 3))
        await cluster.settle()
        rs = cluster.get("replicasets", "front")
        pods = cluster.owned("pods", rs)
        assert len(pods) == 3
        for obj in pods:
            assert re.match(r"^front-[bcdfghjklmnpqrstvwxz2456789]{5}$", obj["metadata"]["name"])
            assert obj["metadata"]["generateName"] == "front-"
            assert obj["metadata"]["ownerReferences"] == [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "front",
                    "uid": rs["metadata"]["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ]
        assert rs["status"] == {
            "replicas": 3,
            "fullyLabeledReplicas": 3,
            "readyReplicas": 3,
            "availableReplicas": 3,
            "observedGeneration": 1,
        }

    run(steps)


def test_scaling_a_replicaset_down_deletes_unscheduled_pods_first() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(replica_set("front", 2))
        await cluster.settle()
        cluster.edit("nodes", "worker-1", cordon, namespace="")
        cluster.edit("nodes", "worker-2", cordon, namespace="")

        def resize(count: int) -> None:
            def change(obj: Obj) -> None:
                obj["spec"]["replicas"] = count

            cluster.edit("replicasets", "front", change)

        resize(3)
        await cluster.settle()
        pending = [
            p["metadata"]["name"] for p in cluster.list("pods") if not p["spec"].get("nodeName")
        ]
        assert len(pending) == 1
        resize(2)
        await cluster.settle()
        names = {p["metadata"]["name"] for p in cluster.list("pods")}
        assert pending[0] not in names
        assert len(names) == 2
        assert cluster.get("replicasets", "front")["status"]["replicas"] == 2

    run(steps)


def test_available_replicas_wait_for_min_ready_seconds() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(replica_set("slow", 1, minReadySeconds=1))
        await cluster.settle()
        statuses = [
            ev.obj.obj.get("status") or {}
            for ev in cluster.events
            if ev.key == "apps/replicasets" and ev.obj.name == "slow"
        ]
        ready_only = [
            s for s in statuses if s.get("readyReplicas") == 1 and "availableReplicas" not in s
        ]
        assert ready_only, "a ready pod is not available before minReadySeconds"
        assert statuses[-1]["availableReplicas"] == 1

    run(steps)


def test_a_replicaset_adopts_a_matching_orphan_pod_instead_of_creating_one() -> None:
    async def steps(cluster: Cluster) -> None:
        orphan = pod("orphan")
        orphan["metadata"]["labels"] = {"app": "front"}
        cluster.create(orphan)
        cluster.create(replica_set("front", 1))
        await cluster.settle()
        rs = cluster.get("replicasets", "front")
        assert [p["metadata"]["name"] for p in cluster.owned("pods", rs)] == ["orphan"]
        added = [
            ev.obj.name for ev in cluster.events if ev.key == "/pods" and ev.type is EventType.ADDED
        ]
        assert added == ["orphan"]

    run(steps)
