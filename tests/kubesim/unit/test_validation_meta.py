"""Object metadata validation: names per kind, labels, annotations, finalizers, owners, updates."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubesim import validation
from kubesim.api.fielderrors import aggregate
from kubesim.api.status import GroupKind, invalid

Obj = dict[str, Any]

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    r"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
    "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def config_map(**meta: Any) -> Obj:
    return {"metadata": {"name": "cfg", "namespace": "default", **meta}, "data": {"a": "b"}}


def create_errors(group: str, resource: str, obj: Obj) -> str:
    validation.apply_defaults(group, resource, obj)
    errors = validation.validate_create(group, resource, obj)
    return aggregate(errors) if errors else ""


def test_a_bad_secret_name_gives_the_exact_status_message_and_cause() -> None:
    obj = {"metadata": {"name": "Bad_Name", "namespace": "default"}}
    validation.apply_defaults("", "secrets", obj)
    errors = validation.validate_create("", "secrets", obj)
    status = invalid(GroupKind("", "Secret"), "Bad_Name", errors).to_status()
    assert status["message"] == (
        f'Secret "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": {SUBDOMAIN_MSG}'
    )
    assert status["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": f'Invalid value: "Bad_Name": {SUBDOMAIN_MSG}',
            "field": "metadata.name",
        }
    ]


def test_a_namespace_name_with_dots_must_not_contain_dots() -> None:
    assert create_errors("", "namespaces", {"metadata": {"name": "a.b"}}) == (
        'metadata.name: Invalid value: "a.b": must not contain dots'
    )


def test_a_service_name_must_start_with_a_letter() -> None:
    obj = {"metadata": {"name": "1web", "namespace": "default"}, "spec": {"ports": [{"port": 80}]}}
    assert create_errors("", "services", obj) == (
        'metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case '
        "alphanumeric characters or '-', start with an alphabetic character, and end with an "
        "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
        "'[a-z]([-a-z0-9]*[a-z0-9])?')"
    )


def test_an_overlong_name_reports_the_length_before_the_format() -> None:
    name = "a" * 254
    assert create_errors("", "configmaps", config_map(name=name)) == (
        f'metadata.name: Invalid value: "{name}": must be no more than 253 characters'
    )


def test_a_missing_name_and_generate_name_is_required() -> None:
    obj = {"metadata": {"namespace": "default"}}
    assert create_errors("", "configmaps", obj) == (
        "metadata.name: Required value: name or generateName is required"
    )


def test_a_generate_name_may_end_with_a_dash() -> None:
    obj = config_map(name="web-x7k2p", generateName="web-")
    assert create_errors("", "configmaps", obj) == ""


def test_label_keys_and_values_are_checked_with_upstream_texts() -> None:
    obj = config_map(labels={"bad key": "ok", "ok": "bad value!"})
    assert create_errors("", "configmaps", obj) == (
        f'[metadata.labels: Invalid value: "bad key": {LABEL_NAME_MSG}, '
        f'metadata.labels: Invalid value: "bad value!": {LABEL_VALUE_MSG}]'
    )


def test_a_label_prefix_must_be_a_subdomain_and_the_name_part_short() -> None:
    key = "Example.com/" + "n" * 64
    errors = create_errors("", "configmaps", config_map(labels={key: ""}))
    assert errors == (
        f'[metadata.labels: Invalid value: "{key}": prefix part {SUBDOMAIN_MSG}, '
        f'metadata.labels: Invalid value: "{key}": name part must be no more than 63 characters]'
    )


def test_a_key_with_two_slashes_is_not_a_qualified_name() -> None:
    errors = create_errors("", "configmaps", config_map(labels={"a/b/c": "x"}))
    assert errors.startswith('metadata.labels: Invalid value: "a/b/c": a qualified name must ')
    assert errors.endswith(
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    )


def test_annotations_over_256_kib_are_too_long() -> None:
    obj = config_map(annotations={"big": "x" * (256 * 1024)})
    assert create_errors("", "configmaps", obj) == (
        "metadata.annotations: Too long: must have at most 262144 bytes"
    )


def test_annotation_keys_are_checked_case_insensitively() -> None:
    assert create_errors("", "configmaps", config_map(annotations={"Example.COM/Key": "v"})) == ""


def test_an_unqualified_nonstandard_finalizer_is_rejected_per_index() -> None:
    obj = config_map(finalizers=["kubernetes", "custom"])
    assert create_errors("", "configmaps", obj) == (
        'metadata.finalizers[1]: Invalid value: "custom": name is neither a standard finalizer '
        "name nor is it fully qualified"
    )


def test_orphan_and_foreground_finalizers_cannot_both_be_set() -> None:
    obj = config_map(finalizers=["orphan", "foregroundDeletion"])
    assert create_errors("", "configmaps", obj) == (
        'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer '
        "orphan and foregroundDeletion cannot be both set"
    )


def test_owner_references_need_api_version_kind_name_and_uid() -> None:
    obj = config_map(ownerReferences=[{"apiVersion": "", "kind": "", "name": "", "uid": ""}])
    assert create_errors("", "configmaps", obj) == (
        '[metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty, '
        'metadata.ownerReferences.kind: Invalid value: "": must not be empty, '
        'metadata.ownerReferences.name: Invalid value: "": must not be empty, '
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty]'
    )


def test_only_one_owner_reference_may_be_the_controller() -> None:
    refs = [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": n, "uid": n, "controller": True}
        for n in ("a", "b")
    ]
    errors = create_errors("", "configmaps", config_map(ownerReferences=refs))
    assert errors.startswith("metadata.ownerReferences: Invalid value: []v1.OwnerReference{")
    assert errors.endswith(
        'Only one reference can have Controller set to true. Found "true" in references for '
        "ReplicaSet/a and ReplicaSet/b"
    )


def stored(obj: Obj) -> Obj:
    obj["metadata"].update(uid="u-1", creationTimestamp="2024-05-01T12:00:00Z", generation=3)
    return obj


def test_generation_must_not_be_decremented_on_update() -> None:
    old = stored(config_map())
    new = copy.deepcopy(old)
    new["metadata"]["generation"] = 2
    errors = validation.validate_update("", "configmaps", new, old)
    assert aggregate(errors) == "metadata.generation: Invalid value: 2: must not be decremented"


def test_immutable_metadata_reports_field_is_immutable() -> None:
    old = stored(config_map())
    new = copy.deepcopy(old)
    new["metadata"]["uid"] = "u-2"
    new["metadata"]["creationTimestamp"] = "2024-06-01T00:00:00Z"
    assert aggregate(validation.validate_update("", "configmaps", new, old)) == (
        '[metadata.uid: Invalid value: "u-2": field is immutable, '
        "metadata.creationTimestamp: Invalid value: 2024-06-01 00:00:00 +0000 UTC: field is "
        "immutable]"
    )


def test_no_finalizer_can_be_added_once_deletion_started() -> None:
    old = stored(config_map(deletionTimestamp="2024-05-02T00:00:00Z", finalizers=["a.io/x"]))
    new = copy.deepcopy(old)
    new["metadata"]["finalizers"] = ["a.io/x", "b.io/y"]
    assert aggregate(validation.validate_update("", "configmaps", new, old)) == (
        "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being "
        'deleted, found new finalizers []string{"b.io/y"}'
    )


def test_update_reports_label_errors_once_in_the_message_but_per_check_in_causes() -> None:
    old = stored(config_map())
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"k": "bad value!"}
    errors = validation.validate_update("", "configmaps", new, old)
    assert aggregate(errors) == f'metadata.labels: Invalid value: "bad value!": {LABEL_VALUE_MSG}'
    assert len(errors) == 4


@pytest.mark.parametrize(
    ("resource", "name"),
    [("secrets", "a.b"), ("configmaps", "a.b"), ("serviceaccounts", "a.b"), ("namespaces", "ab")],
)
def test_valid_names_pass_for_each_kind(resource: str, name: str) -> None:
    namespace = {} if resource == "namespaces" else {"namespace": "default"}
    assert create_errors("", resource, {"metadata": {"name": name, **namespace}}) == ""
