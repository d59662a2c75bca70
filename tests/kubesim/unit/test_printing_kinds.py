"""Row cells of every printed kind other than pods, against the real printers' output."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kubesim.printing import cells, columns

NOW = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.UTC)
RBAC = "rbac.authorization.k8s.io"
META = {"name": "x", "namespace": "ns", "creationTimestamp": "2024-04-26T09:00:00Z"}
AGE = "5d3h"


def obj(**fields: Any) -> dict[str, Any]:
    return {"metadata": dict(META), **fields}


def row(group: str, resource: str, item: dict[str, Any]) -> list[Any]:
    return cells(group, resource, item, NOW)


def node(labels: dict[str, str], ready: str | None, unschedulable: bool = False) -> Any:
    item = obj(spec={"unschedulable": unschedulable}, status={})
    item["metadata"]["labels"] = labels
    if ready is not None:
        item["status"]["conditions"] = [{"type": "Ready", "status": ready}]
    return item


@pytest.mark.parametrize(
    ("ready", "unschedulable", "status"),
    [
        ("True", False, "Ready"),
        ("True", True, "Ready,SchedulingDisabled"),
        ("False", False, "NotReady"),
        ("Unknown", True, "NotReady,SchedulingDisabled"),
        (None, False, "Unknown"),
    ],
)
def test_node_status_combines_readiness_and_cordoning(
    ready: str | None, unschedulable: bool, status: str
) -> None:
    assert row("", "nodes", node({}, ready, unschedulable))[1] == status


def test_node_roles_come_from_role_labels_sorted() -> None:
    labels = {
        "node-role.kubernetes.io/control-plane": "",
        "node-role.kubernetes.io/": "",
        "kubernetes.io/role": "edge",
        "node-role.kubernetes.io/etcd": "true",
    }
    assert row("", "nodes", node(labels, "True"))[2] == "control-plane,edge,etcd"
    assert row("", "nodes", node({}, "True"))[2] == "<none>"


def test_node_wide_cells_show_addresses_and_unknown_system_info() -> None:
    item = node({}, "True")
    item["status"]["nodeInfo"] = {"kubeletVersion": "v1.30.2", "osImage": "Ubuntu"}
    item["status"]["addresses"] = [{"type": "InternalIP", "address": "10.0.0.4"}]
    assert row("", "nodes", item) == [
        "x", "Ready", "<none>", AGE, "v1.30.2", "10.0.0.4", "<none>", "Ubuntu",
        "<unknown>", "<unknown>",
    ]  # fmt: skip


def test_secret_service_account_config_map_and_namespace_rows() -> None:
    secret = obj(type="Opaque", data={"a": "YQ==", "b": "Yg=="})
    assert row("", "secrets", secret) == ["x", "Opaque", 2, AGE]
    assert row("", "serviceaccounts", obj(secrets=[{"name": "t"}])) == ["x", 1, AGE]
    assert row("", "serviceaccounts", obj()) == ["x", 0, AGE]
    assert row("", "configmaps", obj(data={"a": "1"}, binaryData={"b": "AA=="})) == ["x", 2, AGE]
    assert row("", "namespaces", obj(status={"phase": "Terminating"})) == ["x", "Terminating", AGE]


def service(kind: str, **spec: Any) -> dict[str, Any]:
    return obj(spec={"type": kind, **spec}, status={})


def test_a_cluster_ip_service_row_lists_ports_and_selector() -> None:
    svc = service(
        "ClusterIP",
        clusterIP="10.96.0.10",
        clusterIPs=["10.96.0.10"],
        ports=[{"port": 53, "protocol": "UDP"}, {"port": 9153, "protocol": "TCP"}],
        selector={"k8s-app": "kube-dns"},
    )
    assert row("", "services", svc) == [
        "x", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,9153/TCP", AGE, "k8s-app=kube-dns",
    ]  # fmt: skip


def test_node_ports_are_printed_after_the_port() -> None:
    svc = service("NodePort", clusterIP="10.96.1.1", ports=[{"port": 80, "nodePort": 30080}])
    assert row("", "services", svc)[2:5] == ["10.96.1.1", "<none>", "80:30080/TCP"]


def test_load_balancer_external_ip_is_pending_until_assigned() -> None:
    svc = service("LoadBalancer", clusterIP="10.96.1.2", ports=[])
    assert row("", "services", svc)[3:5] == ["<pending>", "<none>"]
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}, {"hostname": "lb.example"}]}}
    svc["spec"]["externalIPs"] = ["5.6.7.8"]
    assert row("", "services", svc)[3] == "1.2.3.4,lb.example,5.6.7.8"


def test_external_name_and_headless_services() -> None:
    assert row("", "services", service("ExternalName", externalName="db.example"))[2:4] == [
        "<none>",
        "db.example",
    ]
    headless = service("ClusterIP", clusterIP="None", selector={})
    assert row("", "services", headless)[2:] == ["None", "<none>", "<none>", AGE, "<none>"]


def test_event_rows_show_times_target_source_and_count() -> None:
    event = obj(
        type="Warning",
        reason="BackOff",
        message="  Back-off restarting  ",
        involvedObject={"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{app}"},
        source={"component": "kubelet", "host": "node-1"},
        firstTimestamp="2024-05-01T11:00:00Z",
        lastTimestamp="2024-05-01T11:58:00Z",
        count=7,
    )
    assert row("", "events", event) == [
        "2m", "Warning", "BackOff", "pod/web-1", "spec.containers{app}", "kubelet, node-1",
        "Back-off restarting", "60m", 7, "x",
    ]  # fmt: skip


def test_events_of_the_new_api_use_event_time_series_and_reporting_fields() -> None:
    event = obj(
        type="Normal",
        involvedObject={"kind": "Node"},
        eventTime="2024-05-01T11:59:00.000000Z",
        reportingComponent="scheduler",
        series={"count": 4, "lastObservedTime": "2024-05-01T11:59:30.000000Z"},
    )
    cells_ = row("", "events", event)
    assert cells_[0] == "30s"
    assert cells_[3] == "node"
    assert cells_[5] == "scheduler"
    assert cells_[7:9] == ["60s", 4]
    single = obj(involvedObject={}, eventTime="2024-05-01T11:59:00.000000Z")
    assert row("", "events", single)[8] == 1


def workload(**status: Any) -> dict[str, Any]:
    return obj(
        spec={
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "spec": {
                    "containers": [
                        {"name": "app", "image": "nginx:1.25"},
                        {"name": "side", "image": "envoy"},
                    ]
                }
            },
        },
        status=status,
    )


def test_deployment_row_shows_ready_over_desired() -> None:
    item = workload(readyReplicas=2, updatedReplicas=3, availableReplicas=2)
    assert row("apps", "deployments", item) == [
        "x", "2/3", 3, 2, AGE, "app,side", "nginx:1.25,envoy", "app=web",
    ]  # fmt: skip
    fresh = workload()
    assert row("apps", "deployments", fresh)[1:4] == ["0/3", 0, 0]


def test_deployment_selector_prints_invalid_and_replica_set_selector_error() -> None:
    item = workload()
    item["spec"]["selector"] = {"matchExpressions": [{"key": "a", "operator": "Bad"}]}
    assert row("apps", "deployments", item)[7] == "<invalid>"
    assert row("apps", "replicasets", item)[7] == "<error>"


def test_replica_set_daemon_set_and_stateful_set_rows() -> None:
    item = workload(replicas=3, readyReplicas=1)
    assert row("apps", "replicasets", item)[:4] == ["x", 3, 3, 1]
    assert row("apps", "statefulsets", item) == ["x", "1/3", AGE, "app,side", "nginx:1.25,envoy"]
    ds = workload(
        desiredNumberScheduled=4,
        currentNumberScheduled=4,
        numberReady=3,
        updatedNumberScheduled=2,
        numberAvailable=3,
    )
    ds["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.io/os": "linux"}
    assert row("apps", "daemonsets", ds) == [
        "x", 4, 4, 3, 2, 3, "kubernetes.io/os=linux", AGE, "app,side", "nginx:1.25,envoy",
        "app=web",
    ]  # fmt: skip


def test_an_empty_replica_set_selector_prints_none() -> None:
    item = workload()
    item["spec"]["selector"] = {}
    assert row("apps", "replicasets", item)[7] == "<none>"
    assert row("apps", "deployments", item)[7] == ""


def test_controller_revision_names_its_controller_by_group_kind() -> None:
    rev = obj(revision=4)
    rev["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "1"},
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "name": "db",
            "uid": "2",
            "controller": True,
        },
    ]
    assert row("apps", "controllerrevisions", rev) == ["x", "statefulset.apps/db", 4, AGE]
    assert row("apps", "controllerrevisions", obj(revision=1))[1] == "<none>"


def hpa(metrics: list[Any], current: list[Any], **spec: Any) -> dict[str, Any]:
    return obj(
        spec={
            "scaleTargetRef": {"kind": "Deployment", "name": "web"},
            "maxReplicas": 10,
            "metrics": metrics,
            **spec,
        },
        status={"currentReplicas": 2, "currentMetrics": current},
    )


CPU_80 = {"type": "Resource", "resource": {"name": "cpu", "target": {"averageUtilization": 80}}}


def test_hpa_row_formats_utilization_targets() -> None:
    current = [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 5}}}
    ]
    item = hpa([CPU_80], current, minReplicas=1)
    assert row("autoscaling", "horizontalpodautoscalers", item) == [
        "x", "Deployment/web", "cpu: 5%/80%", "1", 10, 2, AGE,
    ]  # fmt: skip


def test_hpa_metrics_show_unknown_current_values_and_more_suffix() -> None:
    memory = {"type": "Resource", "resource": {"name": "memory", "target": {"averageValue": "1Gi"}}}
    pods = {"type": "Pods", "pods": {"target": {"averageValue": "100"}}}
    external = {"type": "External", "external": {"target": {"value": "5"}}}
    item = hpa([CPU_80, memory, pods, external], [])
    cells_ = row("autoscaling", "horizontalpodautoscalers", item)
    assert cells_[2] == "cpu: <unknown>/80%, memory: <unknown>/1Gi + 2 more..."
    assert cells_[3] == "<unset>"
    assert row("autoscaling", "horizontalpodautoscalers", hpa([], []))[2] == "<none>"
    assert row("autoscaling", "horizontalpodautoscalers", hpa([pods, external], []))[2] == (
        "<unknown>/100, <unknown>/5"
    )


def test_pdb_row_prints_int_or_string_and_na() -> None:
    pdb = obj(spec={"minAvailable": "50%"}, status={"disruptionsAllowed": 1})
    assert row("policy", "poddisruptionbudgets", pdb) == ["x", "50%", "N/A", 1, AGE]
    pdb = obj(spec={"maxUnavailable": 1}, status={})
    assert row("policy", "poddisruptionbudgets", pdb)[1:4] == ["N/A", "1", 0]


def test_role_binding_rows_name_the_role_and_subjects() -> None:
    binding = obj(
        roleRef={"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
        subjects=[
            {"kind": "User", "name": "alice"},
            {"kind": "User", "name": "bob"},
            {"kind": "Group", "name": "devs"},
            {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"},
        ],
    )
    expected = ["x", "ClusterRole/view", AGE, "alice, bob", "devs", "tools/ci"]
    assert row(RBAC, "rolebindings", binding) == expected
    assert row(RBAC, "clusterrolebindings", binding) == expected
    assert row(RBAC, "rolebindings", obj(roleRef={"kind": "Role", "name": "r"}))[3:] == ["", "", ""]


@pytest.mark.parametrize(
    ("group", "resource"),
    [(RBAC, "roles"), (RBAC, "clusterroles"), ("authorization.k8s.io", "subjectaccessreviews")],
)
def test_kinds_without_a_printer_get_name_and_created_at(group: str, resource: str) -> None:
    assert row(group, resource, obj()) == ["x", "2024-04-26T09:00:00Z"]
    assert [c["name"] for c in columns(group, resource)] == ["Name", "Created At"]
    assert columns(group, resource)[1]["type"] == "date"
