"""DaemonSet and StatefulSet controllers: placement, ordering, revisions and status."""

from __future__ import annotations

from test_controllers_workloads_fixtures import Cluster, Obj, run, set_image

from kubesim.store.storage import EventType

CP_TOLERATION = {
    "key": "node-role.kubernetes.io/control-plane",
    "operator": "Exists",
    "effect": "NoSchedule",
}


def daemon_set(name: str, **pod_spec: object) -> Obj:
    labels = {"app": name}
    spec: Obj = {"containers": [{"name": "agent", "image": "agent:1.0"}]}
    spec.update(pod_spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": spec},
        },
    }


def stateful_set(name: str, replicas: int = 3, **spec: object) -> Obj:
    labels = {"app": name}
    body: Obj = {
        "replicas": replicas,
        "serviceName": name,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "db", "image": "postgres:16.3"}]},
        },
    }
    body.update(spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": body,
    }


def pod_events(cluster: Cluster, kind: EventType) -> list[str]:
    return [ev.obj.name for ev in cluster.events if ev.key == "/pods" and ev.type is kind]


def test_a_daemonset_runs_one_pinned_pod_per_untainted_node() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(daemon_set("agent"))
        await cluster.settle()
        ds = cluster.get("daemonsets", "agent")
        pods = cluster.owned("pods", ds)
        assert sorted(p["spec"]["nodeName"] for p in pods) == ["worker-1", "worker-2"]
        [revision] = cluster.owned("controllerrevisions", ds)
        rev_hash = revision["metadata"]["labels"]["controller-revision-hash"]
        assert revision["metadata"]["name"] == f"agent-{rev_hash}"
        assert revision["revision"] == 1
        assert revision["data"]["spec"]["template"]["$patch"] == "replace"
        sample = pods[0]
        assert sample["metadata"]["labels"]["controller-revision-hash"] == rev_hash
        node = sample["spec"]["nodeName"]
        assert sample["spec"]["affinity"] == {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchFields": [
                                {"key": "metadata.name", "operator": "In", "values": [node]}
                            ]
                        }
                    ]
                }
            }
        }
        assert [(t["key"], t["effect"]) for t in sample["spec"]["tolerations"]] == [
            ("node.kubernetes.io/not-ready", "NoExecute"),
            ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"),
            ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"),
            ("node.kubernetes.io/unschedulable", "NoSchedule"),
        ]
        assert ds["status"] == {
            "currentNumberScheduled": 2,
            "numberMisscheduled": 0,
            "desiredNumberScheduled": 2,
            "numberReady": 2,
            "observedGeneration": 1,
            "updatedNumberScheduled": 2,
            "numberAvailable": 2,
        }

    run(steps)


def test_a_daemonset_tolerating_the_control_plane_runs_there_too() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(daemon_set("proxy", tolerations=[CP_TOLERATION]))
        await cluster.settle()
        ds = cluster.get("daemonsets", "proxy")
        nodes = sorted(p["spec"]["nodeName"] for p in cluster.owned("pods", ds))
        assert nodes == ["cp-1", "worker-1", "worker-2"]
        assert ds["status"]["desiredNumberScheduled"] == 3

    run(steps)


def test_a_daemonset_rolling_update_replaces_every_pod_with_the_new_revision() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(daemon_set("agent"))
        await cluster.settle()
        cluster.edit("daemonsets", "agent", set_image("agent:2.0"))
        await cluster.settle()
        ds = cluster.get("daemonsets", "agent")
        revisions = {r["revision"]: r for r in cluster.owned("controllerrevisions", ds)}
        assert sorted(revisions) == [1, 2]
        new_hash = revisions[2]["metadata"]["labels"]["controller-revision-hash"]
        pods = cluster.owned("pods", ds)
        assert len(pods) == 2
        assert {p["metadata"]["labels"]["controller-revision-hash"] for p in pods} == {new_hash}
        assert {p["spec"]["containers"][0]["image"] for p in pods} == {"agent:2.0"}
        assert ds["status"]["updatedNumberScheduled"] == 2
        assert ds["status"]["observedGeneration"] == 2

    run(steps)


def test_an_ordered_statefulset_creates_each_pod_after_the_previous_is_ready() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(stateful_set("db"))
        await cluster.settle()
        assert pod_events(cluster, EventType.ADDED) == ["db-0", "db-1", "db-2"]
        order = [
            (ev.obj.name, ev.type, ev.obj.obj["status"].get("phase"))
            for ev in cluster.events
            if ev.key == "/pods"
        ]
        for index in (1, 2):
            created = order.index((f"db-{index}", EventType.ADDED, "Pending"))
            before_running = (f"db-{index - 1}", EventType.MODIFIED, "Running")
            assert before_running in order[:created]
        sts = cluster.get("statefulsets", "db")
        pod0 = cluster.get("pods", "db-0")
        revision = sts["status"]["updateRevision"]
        assert pod0["metadata"]["labels"] == {
            "app": "db",
            "apps.kubernetes.io/pod-index": "0",
            "controller-revision-hash": revision,
            "statefulset.kubernetes.io/pod-name": "db-0",
        }
        assert (pod0["spec"]["hostname"], pod0["spec"]["subdomain"]) == ("db-0", "db")
        assert sts["status"] == {
            "observedGeneration": 1,
            "replicas": 3,
            "readyReplicas": 3,
            "currentReplicas": 3,
            "updatedReplicas": 3,
            "currentRevision": revision,
            "updateRevision": revision,
            "collisionCount": 0,
            "availableReplicas": 3,
        }

    run(steps)


def test_a_parallel_statefulset_creates_all_pods_at_once() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(stateful_set("cache", podManagementPolicy="Parallel"))
        await cluster.settle()
        first_running = next(
            i
            for i, ev in enumerate(cluster.events)
            if ev.key == "/pods" and ev.obj.obj["status"].get("phase") == "Running"
        )
        added = [
            ev.obj.name
            for ev in cluster.events[:first_running]
            if ev.key == "/pods" and ev.type is EventType.ADDED
        ]
        assert added == ["cache-0", "cache-1", "cache-2"]

    run(steps)


def test_a_statefulset_update_goes_from_the_highest_ordinal_down_to_the_partition() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(
            stateful_set(
                "db", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}
            )
        )
        await cluster.settle()
        cluster.events.clear()
        cluster.edit("statefulsets", "db", set_image("postgres:16.4"))
        await cluster.settle()
        assert pod_events(cluster, EventType.DELETED) == ["db-2", "db-1"]
        sts = cluster.get("statefulsets", "db")
        status = sts["status"]
        assert status["currentRevision"] != status["updateRevision"]
        assert (status["updatedReplicas"], status["currentReplicas"]) == (2, 1)
        images = [
            cluster.get("pods", f"db-{i}")["spec"]["containers"][0]["image"] for i in range(3)
        ]
        assert images == ["postgres:16.3", "postgres:16.4", "postgres:16.4"]
        assert sorted(r["revision"] for r in cluster.owned("controllerrevisions", sts)) == [1, 2]

    run(steps)


def test_a_statefulset_scales_down_from_the_highest_ordinal() -> None:
    async def steps(cluster: Cluster) -> None:
        cluster.create(stateful_set("db"))
        await cluster.settle()
        cluster.events.clear()

        def shrink(obj: Obj) -> None:
            obj["spec"]["replicas"] = 1

        cluster.edit("statefulsets", "db", shrink)
        await cluster.settle()
        assert pod_events(cluster, EventType.DELETED) == ["db-2", "db-1"]
        assert cluster.get("statefulsets", "db")["status"]["replicas"] == 1

    run(steps)
