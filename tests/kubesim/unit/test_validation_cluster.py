"""Namespaces, Nodes, Events, HPAs, PDBs, pod defaults, RBAC routing and throughput."""

from __future__ import annotations

import copy
import time
from typing import Any

import pytest

from kubesim import validation
from kubesim.api.fielderrors import aggregate

Obj = dict[str, Any]


def errors_of(group: str, resource: str, obj: Obj) -> str:
    validation.apply_defaults(group, resource, obj)
    errors = validation.validate_create(group, resource, obj)
    return aggregate(errors) if errors else ""


def update_errors(group: str, resource: str, new: Obj, old: Obj) -> str:
    validation.apply_defaults(group, resource, new)
    errors = validation.validate_update(group, resource, new, old)
    return aggregate(errors) if errors else ""


def stamped(obj: Obj) -> Obj:
    obj["metadata"].update(uid="u", creationTimestamp="2024-05-01T12:00:00Z")
    return obj


def test_a_namespace_is_labelled_with_its_name_and_finalized_by_kubernetes() -> None:
    obj = {"metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "x"}}}
    validation.apply_defaults("", "namespaces", obj)
    assert obj["metadata"]["labels"] == {"kubernetes.io/metadata.name": "shop"}
    assert obj["spec"] == {"finalizers": ["kubernetes"]}
    assert obj["status"] == {"phase": "Active"}


def test_namespace_spec_finalizers_must_be_qualified_or_standard() -> None:
    obj = {"metadata": {"name": "shop"}, "spec": {"finalizers": ["custom"]}}
    assert errors_of("", "namespaces", obj) == (
        'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor '
        "is it fully qualified"
    )


def node(**spec: Any) -> Obj:
    return {"metadata": {"name": "node-1"}, "spec": spec}


def test_node_taints_are_reported_under_metadata_taints() -> None:
    taints = [
        {"key": "a", "effect": "Sometimes"},
        {"key": "b", "effect": "NoSchedule"},
        {"key": "b", "effect": "NoSchedule"},
    ]
    assert errors_of("", "nodes", node(taints=taints)) == (
        '[metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: '
        '"NoSchedule", "PreferNoSchedule", "NoExecute", '
        'metadata.taints[2]: Duplicate value: core.Taint{Key:"b", Value:"", Effect:"NoSchedule", '
        "TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair]"
    )


def test_cordoning_a_node_is_allowed_but_other_spec_changes_are_not() -> None:
    old = stamped(node(podCIDR="10.244.1.0/24", podCIDRs=["10.244.1.0/24"]))
    cordoned = copy.deepcopy(old)
    cordoned["spec"]["unschedulable"] = True
    assert update_errors("", "nodes", cordoned, old) == ""
    moved = copy.deepcopy(old)
    moved["spec"]["podCIDRs"] = ["10.244.2.0/24"]
    assert update_errors("", "nodes", moved, old) == (
        '[spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to '
        "valid, []: Forbidden: node updates may only change labels, taints, or capacity (or "
        "configSource, if the DynamicKubeletConfig feature gate is enabled)]"
    )


def test_node_allocatable_defaults_to_capacity() -> None:
    obj = node()
    obj["status"] = {"capacity": {"cpu": "4"}}
    validation.apply_defaults("", "nodes", obj)
    assert obj["status"]["allocatable"] == {"cpu": "4"}


def test_an_event_must_live_in_its_involved_objects_namespace() -> None:
    obj = {
        "metadata": {"name": "web.17a", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": "other"},
    }
    assert errors_of("", "events", obj) == (
        'involvedObject.namespace: Invalid value: "other": does not match event.namespace'
    )


def hpa(**spec: Any) -> Obj:
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    body = {"scaleTargetRef": target, "maxReplicas": 5, **spec}
    return {"metadata": {"name": "web", "namespace": "default"}, "spec": body}


def test_an_hpa_defaults_to_one_replica_and_80_percent_cpu() -> None:
    obj = hpa()
    validation.apply_defaults("autoscaling", "horizontalpodautoscalers", obj)
    assert obj["spec"]["minReplicas"] == 1
    assert obj["spec"]["metrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 80},
            },
        }
    ]


def test_hpa_replica_bounds_and_target_are_checked() -> None:
    obj = hpa(minReplicas=0, maxReplicas=0, scaleTargetRef={"kind": "Deployment"})
    assert errors_of("autoscaling", "horizontalpodautoscalers", obj) == (
        "[spec.minReplicas: Invalid value: 0: must be greater than or equal to 1, "
        "spec.maxReplicas: Invalid value: 0: must be greater than 0, "
        "spec.scaleTargetRef.name: Required value]"
    )
    obj = hpa(minReplicas=3, maxReplicas=2)
    assert errors_of("autoscaling", "horizontalpodautoscalers", obj) == (
        "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"
    )


def test_a_pdb_cannot_set_both_min_available_and_max_unavailable() -> None:
    spec = {"minAvailable": 1, "maxUnavailable": "150%", "selector": {"matchLabels": {"a": "b"}}}
    obj = {"metadata": {"name": "pdb", "namespace": "default"}, "spec": spec}
    errors = errors_of("policy", "poddisruptionbudgets", obj)
    assert errors.startswith(
        "[spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)("
    )
    assert "minAvailable and maxUnavailable cannot be both set" in errors
    assert errors.endswith(
        'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: '
        "must not be greater than 100%]"
    )


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("localhost:5000/team/app", "Always"),
        ("nginx:1.25", "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
        ("Bad/Image", "IfNotPresent"),
    ],
)
def test_image_pull_policy_follows_the_tag(image: str, policy: str) -> None:
    obj = {"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": [{"image": image}]}}
    validation.apply_defaults("", "pods", obj)
    assert obj["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_pods_get_the_admission_defaults() -> None:
    limits = {"cpu": "1", "memory": "1Gi"}
    ctr = {"name": "a", "image": "x:1", "resources": {"limits": limits, "requests": {"cpu": "1"}}}
    obj = {"metadata": {"name": "p", "namespace": "d"}, "spec": {"containers": [ctr]}}
    validation.apply_defaults("", "pods", obj)
    spec = obj["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert spec["enableServiceLinks"] is True
    assert spec["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
    assert spec["tolerations"] == [
        {
            "key": key,
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        }
        for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")
    ]


def test_a_pod_tolerating_everything_gets_no_extra_tolerations() -> None:
    spec = {"containers": [{"name": "a", "image": "x:1"}], "tolerations": [{"operator": "Exists"}]}
    obj = {"metadata": {"name": "p", "namespace": "d"}, "spec": spec}
    validation.apply_defaults("", "pods", obj)
    assert obj["spec"]["tolerations"] == [{"operator": "Exists"}]


def test_system_priority_classes_resolve_to_their_values() -> None:
    spec = {
        "containers": [{"name": "a", "image": "x:1"}],
        "priorityClassName": "system-node-critical",
    }
    obj = {"metadata": {"name": "p", "namespace": "d"}, "spec": spec}
    validation.apply_defaults("", "pods", obj)
    assert obj["spec"]["priority"] == 2000001000


def test_rbac_objects_are_defaulted_in_place_by_the_rbac_module() -> None:
    obj = {
        "metadata": {"name": "b", "namespace": "d"},
        "roleRef": {"kind": "Role", "name": "r"},
        "subjects": [{"kind": "User", "name": "alice"}],
    }
    same = obj
    validation.apply_defaults("rbac.authorization.k8s.io", "rolebindings", obj)
    assert same is obj
    assert obj["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"


def test_rbac_metadata_errors_follow_the_name_errors() -> None:
    obj = {
        "metadata": {"name": "a/b", "namespace": "d", "labels": {"k": "bad value!"}},
        "rules": [],
    }
    errors = validation.validate_create("rbac.authorization.k8s.io", "roles", obj)
    assert [e.field for e in errors] == ["metadata.name", "metadata.labels"]
    assert str(errors[0]) == "metadata.name: Invalid value: \"a/b\": may not contain '/'"


def test_a_controller_revision_needs_data() -> None:
    obj = {"metadata": {"name": "web-1", "namespace": "d"}, "revision": 1}
    assert (
        errors_of("apps", "controllerrevisions", obj) == "data: Required value: data is mandatory"
    )


def test_unknown_resources_have_nothing_to_validate() -> None:
    obj = {"metadata": {}, "spec": {}}
    assert validation.validate_create("authorization.k8s.io", "selfsubjectaccessreviews", obj) == []


def test_defaulting_and_validating_a_pod_takes_tens_of_microseconds() -> None:
    ctr = {
        "name": "web",
        "image": "nginx:1.25",
        "ports": [{"containerPort": 80, "name": "http"}],
        "env": [{"name": "A", "value": "1"}],
        "volumeMounts": [{"name": "cfg", "mountPath": "/cfg"}],
    }
    template = {
        "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"containers": [ctr], "volumes": [{"name": "cfg", "configMap": {"name": "c"}}]},
    }
    pods = [copy.deepcopy(template) for _ in range(1000)]
    start = time.perf_counter()
    for obj in pods:
        validation.apply_defaults("", "pods", obj)
        assert not validation.validate_create("", "pods", obj)
    assert time.perf_counter() - start < 0.5
