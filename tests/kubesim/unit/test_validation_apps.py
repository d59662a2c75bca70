"""Deployments, ReplicaSets, DaemonSets and StatefulSets: defaults, spec rules, update rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubesim import validation
from kubesim.api.fielderrors import aggregate

Obj = dict[str, Any]

MISMATCH = "`selector` does not match template `labels`"


def workload(labels: dict[str, str] | None = None, **spec: Any) -> Obj:
    template = {
        "metadata": {"labels": labels if labels is not None else {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]},
    }
    body = {"selector": {"matchLabels": {"app": "web"}}, "template": template, **spec}
    return {"metadata": {"name": "web", "namespace": "default"}, "spec": body}


def errors_of(resource: str, obj: Obj) -> str:
    validation.apply_defaults("apps", resource, obj)
    errors = validation.validate_create("apps", resource, obj)
    return aggregate(errors) if errors else ""


def test_a_deployment_gets_the_apps_v1_defaults() -> None:
    obj = workload()
    validation.apply_defaults("apps", "deployments", obj)
    spec = obj["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    pod_spec = spec["template"]["spec"]
    assert pod_spec["restartPolicy"] == "Always"
    assert pod_spec["dnsPolicy"] == "ClusterFirst"
    assert pod_spec["schedulerName"] == "default-scheduler"
    assert pod_spec["terminationGracePeriodSeconds"] == 30
    assert pod_spec["securityContext"] == {}
    assert "enableServiceLinks" not in pod_spec
    assert pod_spec["containers"][0]["terminationMessagePath"] == "/dev/termination-log"


@pytest.mark.parametrize("resource", ["deployments", "replicasets", "daemonsets", "statefulsets"])
def test_a_valid_workload_has_no_errors(resource: str) -> None:
    assert errors_of(resource, workload()) == ""


@pytest.mark.parametrize("resource", ["deployments", "replicasets", "daemonsets", "statefulsets"])
def test_a_selector_that_misses_the_template_labels_is_refused(resource: str) -> None:
    assert errors_of(resource, workload({"app": "other"})) == (
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: '
        f"{MISMATCH}"
    )


def test_a_deployment_needs_a_selector() -> None:
    obj = workload()
    del obj["spec"]["selector"]
    assert errors_of("deployments", obj) == (
        "[spec.selector: Required value, spec.template.metadata.labels: Invalid value: "
        f'map[string]string{{"app":"web"}}: {MISMATCH}]'
    )


@pytest.mark.parametrize(
    ("resource", "kind"),
    [("deployments", "deployment"), ("replicasets", "deployment"), ("statefulsets", "statefulset")],
)
def test_an_empty_selector_is_invalid(resource: str, kind: str) -> None:
    obj = workload(selector={})
    assert errors_of(resource, obj) == (
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
        f"MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: empty selector is invalid for "
        f"{kind}"
    )


def test_replicas_and_history_limits_must_not_be_negative() -> None:
    obj = workload(replicas=-1, revisionHistoryLimit=-2)
    assert errors_of("deployments", obj) == (
        "[spec.replicas: Invalid value: -1: must be greater than or equal to 0, "
        "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0]"
    )


def test_recreate_may_not_carry_rolling_update_parameters() -> None:
    obj = workload(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})
    assert errors_of("deployments", obj) == (
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
        "'Recreate'"
    )


def test_max_surge_and_max_unavailable_cannot_both_be_zero() -> None:
    obj = workload(strategy={"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}})
    assert errors_of("deployments", obj) == (
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, "
        'IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0'
    )


def test_percentages_must_be_well_formed_and_at_most_100() -> None:
    obj = workload(strategy={"rollingUpdate": {"maxSurge": "x%", "maxUnavailable": "150%"}})
    assert errors_of("deployments", obj) == (
        "[spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, "
        'IntVal:0, StrVal:"x%"}: a valid percent string must be a numeric string followed by an '
        "ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%'), "
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, "
        'IntVal:0, StrVal:"150%"}: must not be greater than 100%]'
    )


def test_an_unknown_strategy_type_is_unsupported() -> None:
    obj = workload(strategy={"type": "BlueGreen"})
    assert errors_of("deployments", obj) == (
        'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", '
        'RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", '
        '"RollingUpdate"'
    )


def test_the_progress_deadline_must_exceed_min_ready_seconds() -> None:
    obj = workload(progressDeadlineSeconds=10, minReadySeconds=10)
    assert errors_of("deployments", obj) == (
        "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"
    )


def test_controller_templates_must_restart_always() -> None:
    obj = workload()
    obj["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert errors_of("replicasets", obj) == (
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    )


def test_template_pod_rules_are_reported_under_the_template_path() -> None:
    obj = workload()
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    obj["spec"]["template"]["metadata"]["labels"]["bad key"] = "x"
    errors = errors_of("deployments", obj)
    assert errors.startswith('[spec.template.labels: Invalid value: "bad key": name part ')
    assert errors.endswith("spec.template.spec.containers[0].image: Required value]")


@pytest.mark.parametrize(
    ("resource", "kind"),
    [("replicasets", "ReplicaSet"), ("daemonsets", "DaemonSet"), ("statefulsets", "StatefulSet")],
)
def test_controller_templates_may_not_set_an_active_deadline(resource: str, kind: str) -> None:
    obj = workload()
    obj["spec"]["template"]["spec"]["activeDeadlineSeconds"] = 60
    assert errors_of(resource, obj) == (
        f"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in {kind} is "
        "not Supported"
    )


def stored(resource: str, **spec: Any) -> Obj:
    obj = workload(**spec)
    validation.apply_defaults("apps", resource, obj)
    obj["metadata"].update(uid="u", creationTimestamp="2024-05-01T12:00:00Z", generation=1)
    return obj


def update_errors(resource: str, new: Obj, old: Obj) -> str:
    validation.apply_defaults("apps", resource, new)
    errors = validation.validate_update("apps", resource, new, old)
    return aggregate(errors) if errors else ""


@pytest.mark.parametrize("resource", ["deployments", "replicasets", "daemonsets"])
def test_the_selector_is_immutable_in_apps_v1(resource: str) -> None:
    old = stored(resource)
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "tier": "x"}}
    new["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    assert update_errors(resource, new, old) == (
        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"
        '"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field '
        "is immutable"
    )


def test_a_daemon_set_rolls_one_pod_at_a_time_by_default() -> None:
    obj = workload()
    validation.apply_defaults("apps", "daemonsets", obj)
    assert obj["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
    }
    assert obj["spec"]["revisionHistoryLimit"] == 10


def test_a_daemon_set_may_not_surge_and_be_unavailable_at_once() -> None:
    obj = workload(updateStrategy={"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}})
    assert errors_of("daemonsets", obj) == (
        "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, "
        'IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero'
    )


def test_a_stateful_set_gets_its_defaults() -> None:
    obj = workload()
    validation.apply_defaults("apps", "statefulsets", obj)
    spec = obj["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    assert (spec["replicas"], spec["revisionHistoryLimit"]) == (1, 10)


def test_a_stateful_set_pod_management_policy_is_checked() -> None:
    assert errors_of("statefulsets", workload(podManagementPolicy="Random")) == (
        "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"
    )


def test_stateful_set_mounts_may_use_claim_templates() -> None:
    obj = workload(volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}])
    ctr = obj["spec"]["template"]["spec"]["containers"][0]
    ctr["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    assert errors_of("statefulsets", obj) == ""


def test_only_some_stateful_set_fields_may_change() -> None:
    old = stored("statefulsets", serviceName="web")
    scaled = copy.deepcopy(old)
    scaled["spec"]["replicas"] = 5
    assert update_errors("statefulsets", scaled, old) == ""
    renamed = copy.deepcopy(old)
    renamed["spec"]["serviceName"] = "other"
    assert update_errors("statefulsets", renamed, old) == (
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
        "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
        "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    )
