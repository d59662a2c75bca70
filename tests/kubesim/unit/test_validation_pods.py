"""Pods: container, port, env, volume and policy rules on create; the pod update rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubesim import validation
from kubesim.api.fielderrors import aggregate

Obj = dict[str, Any]

LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
ENV_MSG = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"
)
UPDATE_RULE = (
    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
    "to 1 if it was previously negative)\n"
)


def container(**fields: Any) -> Obj:
    return {"name": "app", "image": "nginx:1.25", **fields}


def pod(*containers: Obj, **spec: Any) -> Obj:
    body = {"containers": list(containers) or [container()], **spec}
    return {"metadata": {"name": "p", "namespace": "default"}, "spec": body}


def errors_of(obj: Obj) -> str:
    validation.apply_defaults("", "pods", obj)
    errors = validation.validate_create("", "pods", obj)
    return aggregate(errors) if errors else ""


def test_a_valid_pod_has_no_errors() -> None:
    assert errors_of(pod()) == ""


def test_a_pod_without_containers_is_refused() -> None:
    obj = pod()
    obj["spec"]["containers"] = []
    assert errors_of(obj) == "spec.containers: Required value"


def test_container_names_are_required_dns_labels_and_unique() -> None:
    obj = pod(container(name=""), container(name="Web"), container(), container())
    assert errors_of(obj) == (
        "[spec.containers[0].name: Required value, "
        f'spec.containers[1].name: Invalid value: "Web": {LABEL_MSG}, '
        'spec.containers[3].name: Duplicate value: "app"]'
    )


def test_a_container_image_is_required() -> None:
    assert errors_of(pod(container(image=""))) == "spec.containers[0].image: Required value"


def test_container_ports_are_checked() -> None:
    ports = [
        {"containerPort": 70000, "name": "http"},
        {"containerPort": 81, "name": "http"},
        {"containerPort": 82, "protocol": "ICMP", "name": "Bad--"},
    ]
    assert errors_of(pod(container(ports=ports))) == (
        "[spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and "
        "65535, inclusive, "
        'spec.containers[0].ports[1].name: Duplicate value: "http", '
        'spec.containers[0].ports[2].name: Invalid value: "Bad--": must contain only '
        "alpha-numeric characters (a-z, 0-9), and hyphens (-), "
        'spec.containers[0].ports[2].name: Invalid value: "Bad--": must not contain consecutive '
        "hyphens, "
        'spec.containers[0].ports[2].name: Invalid value: "Bad--": must not begin or end with a '
        "hyphen, "
        'spec.containers[0].ports[2].protocol: Unsupported value: "ICMP": supported values: '
        '"SCTP", "TCP", "UDP"]'
    )


def test_environment_variable_names_use_the_upstream_message() -> None:
    assert errors_of(pod(container(env=[{"name": "1A", "value": "x"}]))) == (
        f'spec.containers[0].env[0].name: Invalid value: "1A": {ENV_MSG}'
    )


def test_an_empty_env_name_is_required_and_invalid() -> None:
    errors = errors_of(pod(container(env=[{"name": ""}])))
    assert errors == (
        f"[spec.containers[0].env[0].name: Required value, spec.containers[0].env[0].name: "
        f'Invalid value: "": {ENV_MSG}]'
    )


def test_value_from_needs_exactly_one_source_and_no_value() -> None:
    source = {"secretKeyRef": {"name": "s", "key": "k"}}
    env = [{"name": "A", "valueFrom": {}}, {"name": "B", "value": "x", "valueFrom": source}]
    assert errors_of(pod(container(env=env))) == (
        '[spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: '
        "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`, "
        'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when '
        "`value` is not empty]"
    )


def test_field_refs_accept_only_known_paths() -> None:
    env = [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "spec.bogus"}}}]
    errors = errors_of(pod(container(env=env)))
    assert errors.startswith(
        'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.bogus": '
        'supported values: "metadata.name", "metadata.namespace"'
    )


def test_volume_mounts_must_name_a_valid_volume_and_a_unique_path() -> None:
    mounts = [
        {"name": "data", "mountPath": "/d"},
        {"name": "missing", "mountPath": "/d"},
    ]
    obj = pod(container(volumeMounts=mounts), volumes=[{"name": "data", "emptyDir": {}}])
    assert errors_of(obj) == (
        '[spec.containers[0].volumeMounts[1].name: Not found: "missing", '
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/d": must be unique]'
    )


def test_volume_names_are_unique_and_sources_complete() -> None:
    volumes = [
        {"name": "a", "emptyDir": {}},
        {"name": "a", "emptyDir": {}},
        {"name": "s", "secret": {}},
        {"name": "two", "emptyDir": {}, "configMap": {"name": "c"}},
    ]
    assert errors_of(pod(volumes=volumes)) == (
        '[spec.volumes[1].name: Duplicate value: "a", '
        "spec.volumes[2].secret.secretName: Required value, "
        "spec.volumes[3].configMap: Forbidden: may not specify more than 1 volume type]"
    )


def test_restart_and_dns_policies_are_checked() -> None:
    obj = pod(restartPolicy="Sometimes", dnsPolicy="Google")
    assert errors_of(obj) == (
        '[spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", '
        '"OnFailure", "Never", spec.dnsPolicy: Unsupported value: "Google": supported values: '
        '"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]'
    )


def test_toleration_rules_use_upstream_texts() -> None:
    tolerations = [
        {"operator": "Equal", "value": "x"},
        {"key": "k", "operator": "Exists", "value": "v"},
        {"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5},
        {"key": "k", "effect": "Sometimes"},
    ]
    assert errors_of(pod(tolerations=tolerations)) == (
        '[spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when '
        '`key` is empty, which means "match all values and all keys", '
        'spec.tolerations[1].operator: Invalid value: core.Toleration{Key:"k", '
        'Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: value must be '
        "empty when `operator` is 'Exists', "
        "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' "
        "when `tolerationSeconds` is set, "
        'spec.tolerations[3].effect: Unsupported value: "Sometimes": supported values: '
        '"NoSchedule", "PreferNoSchedule", "NoExecute"]'
    )


def test_ephemeral_containers_cannot_be_set_on_create() -> None:
    obj = pod(ephemeralContainers=[container(name="debug")])
    assert errors_of(obj) == "spec.ephemeralContainers: Forbidden: cannot be set on create"


def test_a_projected_token_needs_a_service_account_name() -> None:
    volume = {"name": "t", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}
    obj = pod(volumes=[volume])
    validation.apply_defaults("", "pods", obj)
    obj["spec"]["serviceAccountName"] = ""
    errors = validation.validate_create("", "pods", obj)
    assert aggregate(errors) == (
        "spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be "
        "specified when serviceAccountName is not set"
    )


def test_the_pod_deletion_cost_must_be_a_32_bit_integer() -> None:
    obj = pod()
    obj["metadata"]["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": "a lot"}
    assert errors_of(obj) == (
        "metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "
        '"a lot": must be a 32bit integer'
    )


def stored_pod(**spec: Any) -> Obj:
    obj = pod(**spec)
    validation.apply_defaults("", "pods", obj)
    obj["metadata"].update(uid="u", creationTimestamp="2024-05-01T12:00:00Z")
    return obj


def update_errors(new: Obj, old: Obj) -> str:
    validation.apply_defaults("", "pods", new)
    errors = validation.validate_update("", "pods", new, old)
    return aggregate(errors) if errors else ""


def test_a_pod_image_may_change() -> None:
    old = stored_pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.26"
    new["metadata"]["labels"] = {"changed": "yes"}
    assert update_errors(new, old) == ""


def test_other_pod_spec_changes_are_forbidden_with_the_upstream_rule_and_a_diff() -> None:
    old = stored_pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"}]
    errors = update_errors(new, old)
    assert errors.startswith(UPDATE_RULE + "  core.PodSpec{\n- \tContainers: ")
    assert "+ \tContainers: " in errors


def test_containers_cannot_be_added_to_a_pod() -> None:
    old = stored_pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"].append(copy.deepcopy(new["spec"]["containers"][0]) | {"name": "b"})
    assert update_errors(new, old) == (
        "spec.containers: Forbidden: pod updates may not add or remove containers"
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, 30, ""),
        (30, 10, ""),
        (
            10,
            30,
            "spec.activeDeadlineSeconds: Invalid value: 30: must be less than or equal to "
            "previous value",
        ),
        (
            10,
            None,
            'spec.activeDeadlineSeconds: Invalid value: "null": must not update from a '
            "positive integer to nil value",
        ),
    ],
)
def test_active_deadline_seconds_may_only_be_set_or_lowered(
    before: int | None, after: int | None, expected: str
) -> None:
    old = stored_pod(**({} if before is None else {"activeDeadlineSeconds": before}))
    new = copy.deepcopy(old)
    new["spec"].pop("activeDeadlineSeconds", None)
    if after is not None:
        new["spec"]["activeDeadlineSeconds"] = after
    assert update_errors(new, old) == expected


def test_tolerations_may_only_be_added() -> None:
    old = stored_pod(tolerations=[{"key": "mine", "operator": "Exists"}])
    new = copy.deepcopy(old)
    new["spec"]["tolerations"].append({"key": "extra", "operator": "Exists"})
    assert update_errors(new, old) == ""
    changed = copy.deepcopy(old)
    changed["spec"]["tolerations"][0]["key"] = "other"
    assert update_errors(changed, old) == (
        "spec.tolerations: Forbidden: existing toleration can not be modified except its "
        "tolerationSeconds"
    )
