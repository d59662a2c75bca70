"""Strict decoding: unknown fields, wrong JSON types and the exact texts of the real decoder."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.api.status import StatusError
from kubesim.schema.decoding import (
    check_decode,
    check_patched,
    load_json,
    type_error,
    unknown_fields,
    warning_header,
)
from kubesim.schema.scalars import base64_error, quantity_error


def _deployment(**spec: Any) -> dict[str, Any]:
    container = {"name": "app", "image": "nginx"}
    base: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [container]},
            },
        },
    }
    base["spec"].update(spec)
    return base


def test_unknown_fields_are_reported_with_the_paths_the_server_prints() -> None:
    obj = _deployment(foo=1)
    obj["metadata"]["bar"] = "x"
    obj["spec"]["template"]["spec"]["containers"][0]["imagee"] = "nginx"
    assert unknown_fields("apps", "v1", "Deployment", obj) == [
        "metadata.bar",
        "spec.template.spec.containers[0].imagee",
        "spec.foo",
    ]


def test_map_entries_and_free_form_content_are_never_unknown() -> None:
    obj = _deployment()
    obj["metadata"]["annotations"] = {"anything/goes": "yes"}
    obj["metadata"]["managedFields"] = [
        {"manager": "m", "operation": "Update", "fieldsV1": {"f:spec": {"f:whatever": {}}}}
    ]
    assert unknown_fields("apps", "v1", "Deployment", obj) == []


def test_strict_validation_rejects_unknown_fields_with_the_decoder_message() -> None:
    obj = _deployment(foo=1, bar=2)
    with pytest.raises(StatusError) as caught:
        check_decode("apps", "v1", "Deployment", obj, "Strict")
    assert caught.value.code == 400
    assert caught.value.reason == "BadRequest"
    assert caught.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.foo", unknown field "spec.bar"'
    )


def test_warn_validation_returns_one_warning_per_unknown_field() -> None:
    obj = _deployment(foo=1)
    warnings = check_decode("apps", "v1", "Deployment", obj, "Warn")
    assert warnings == ['unknown field "spec.foo"']
    assert warning_header(warnings[0]) == '299 - "unknown field \\"spec.foo\\""'


def test_ignore_validation_neither_fails_nor_warns() -> None:
    assert check_decode("apps", "v1", "Deployment", _deployment(foo=1), "Ignore") == []


def test_a_value_of_the_wrong_type_fails_with_the_go_unmarshal_message() -> None:
    obj = _deployment(replicas="3")
    with pytest.raises(StatusError) as caught:
        check_decode("apps", "v1", "Deployment", obj, "Ignore")
    assert caught.value.message == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
        "string into Go struct field DeploymentSpec.spec.replicas of type int32"
    )


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            {"template": "x"},
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.template "
            "of type v1.PodTemplateSpec",
        ),
        (
            {"replicas": 1.5},
            "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas "
            "of type int32",
        ),
        (
            {"paused": "yes"},
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of "
            "type bool",
        ),
        (
            {"strategy": {"rollingUpdate": {"maxSurge": True}}},
            "json: cannot unmarshal bool into Go struct field "
            "RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32",
        ),
    ],
)
def test_type_errors_name_the_innermost_struct_and_the_full_field_path(
    patch: dict[str, Any], message: str
) -> None:
    assert type_error("apps", "v1", "Deployment", _deployment(**patch)) == message


def test_list_items_are_reported_without_indexes_in_type_errors() -> None:
    obj = _deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": "80"}]
    assert type_error("apps", "v1", "Deployment", obj) == (
        "json: cannot unmarshal string into Go struct field "
        "ContainerPort.spec.template.spec.containers.ports.containerPort of type int32"
    )


def test_map_values_of_the_wrong_type_are_reported_on_the_map_field() -> None:
    obj = _deployment()
    obj["metadata"]["labels"] = {"app": 1}
    assert type_error("apps", "v1", "Deployment", obj) == (
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels "
        "of type string"
    )


def test_bad_base64_in_secret_data_is_a_decode_error() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"k": "abc$"},
    }
    with pytest.raises(StatusError) as caught:
        check_decode("", "v1", "Secret", secret)
    assert caught.value.message == (
        'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3'
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("aGVsbG8=", None),
        ("aGVsbG8", "illegal base64 data at input byte 4"),
        ("aGV\nsbG8=", None),
        ("a===", "illegal base64 data at input byte 1"),
        ("aGVsbG8=x", "illegal base64 data at input byte 8"),
    ],
)
def test_base64_errors_point_at_the_byte_go_reports(text: str, error: str | None) -> None:
    assert base64_error(text) == error


def test_quantities_are_checked_like_resource_parse_quantity() -> None:
    assert quantity_error("100m") is None
    assert quantity_error(1.5) is None
    assert quantity_error("1x") == (
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
    assert quantity_error("1mm") == "unable to parse quantity's suffix"


def test_duplicate_keys_are_strict_errors_when_the_body_is_loaded_with_load_json() -> None:
    body = load_json(
        b'{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1,"replicas":2}}'
    )
    assert check_decode("apps", "v1", "Deployment", body, "Warn") == [
        'duplicate field "spec.replicas"'
    ]


def test_patched_objects_fail_strict_decoding_with_the_patch_handlers_422() -> None:
    with pytest.raises(StatusError) as caught:
        check_patched(
            "apps", "v1", "Deployment", _deployment(foo=1), "Strict", "map[spec:map[foo:1]]"
        )
    error = caught.value
    assert error.code == 422
    assert error.message == (
        ' "" is invalid: patch: Invalid value: "map[spec:map[foo:1]]": strict decoding error: '
        'unknown field "spec.foo"'
    )
    assert error.to_status()["details"] == {
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": 'Invalid value: "map[spec:map[foo:1]]": strict decoding error: '
                'unknown field "spec.foo"',
                "field": "patch",
            }
        ]
    }


def test_complaints_about_the_patch_body_come_before_those_about_the_result() -> None:
    warnings = check_patched(
        "apps", "v1", "Deployment", _deployment(foo=1), "Warn", "", ['duplicate field "spec"']
    )
    assert warnings == ['duplicate field "spec"', 'unknown field "spec.foo"']
