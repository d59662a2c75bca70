"""Secrets and ConfigMaps: decoding, keys, size, type rules, immutability, Go decoder texts."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from kubesim import validation
from kubesim.api.fielderrors import aggregate
from kubesim.api.status import StatusError
from kubesim.validation import godecode

Obj = dict[str, Any]

KEY_MSG = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret(kind: str = "Opaque", **fields: Any) -> Obj:
    return {"metadata": {"name": "s", "namespace": "default"}, "type": kind, **fields}


def secret_errors(obj: Obj) -> str:
    validation.decode_secret(obj)
    validation.apply_defaults("", "secrets", obj)
    errors = validation.validate_create("", "secrets", obj)
    return aggregate(errors) if errors else ""


def test_string_data_overwrites_data_and_is_dropped() -> None:
    obj = secret(data={"a": b64("old"), "b": b64("keep")}, stringData={"a": "new"})
    validation.decode_secret(obj)
    assert obj == secret(data={"a": b64("new"), "b": b64("keep")})


def test_an_empty_secret_has_no_data_field() -> None:
    obj = secret(data={}, stringData={})
    validation.decode_secret(obj)
    assert "data" not in obj
    assert "stringData" not in obj


@pytest.mark.parametrize(
    ("value", "offset"),
    [("admin", 4), ("My-pass-123", 2), ("s3cr3t-not-for-production", 6), ("YQ=", 3), ("=", 0)],
)
def test_bad_base64_is_a_400_with_go_decoder_offset(value: str, offset: int) -> None:
    with pytest.raises(StatusError) as caught:
        validation.decode_secret(secret(data={"k": value}))
    assert caught.value.code == 400
    assert caught.value.message == (
        'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte '
        f"{offset}"
    )


def test_base64_with_newlines_is_accepted_and_stored_canonically() -> None:
    obj = secret(data={"k": "YWJj\nZGVm", "z": "YR=="})
    validation.decode_secret(obj)
    assert obj["data"] == {"k": "YWJjZGVm", "z": "YQ=="}


def test_a_non_string_data_value_is_a_decode_error() -> None:
    with pytest.raises(StatusError) as caught:
        validation.decode_secret(secret(data={"k": 5}))
    assert caught.value.message == (
        'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into '
        "Go struct field Secret.data of type []uint8"
    )


@pytest.mark.parametrize(
    ("src", "expected"),
    [(b"YWJj", None), (b"YWI=", None), (b"YQ==", None), (b"YQ=x", 2), (b"YQ==x", 4), (b"Y", 0)],
)
def test_go_base64_offsets_follow_the_go_decoder(src: bytes, expected: int | None) -> None:
    assert godecode.corrupt_offset(src) == expected


def test_bad_secret_keys_use_the_config_key_message() -> None:
    assert secret_errors(secret(data={"bad key": b64("v")})) == (
        f'data[bad key]: Invalid value: "bad key": {KEY_MSG}'
    )


def test_dot_dot_keys_are_refused() -> None:
    assert secret_errors(secret(stringData={"..x": "v"})) == (
        "data[..x]: Invalid value: \"..x\": must not start with '..'"
    )


def test_secrets_over_one_mebibyte_are_too_long() -> None:
    obj = secret(stringData={"a": "x" * (1024 * 1024), "b": "y"})
    assert secret_errors(obj) == "data: Too long: must have at most 1048576 bytes"


def test_exactly_one_mebibyte_is_allowed() -> None:
    assert secret_errors(secret(stringData={"a": "x" * (1024 * 1024)})) == ""


def test_a_service_account_token_secret_needs_the_account_annotation() -> None:
    assert secret_errors(secret("kubernetes.io/service-account-token")) == (
        "metadata.annotations[kubernetes.io/service-account.name]: Required value"
    )


def test_a_docker_config_json_secret_needs_its_key() -> None:
    assert secret_errors(secret("kubernetes.io/dockerconfigjson")) == (
        "data[.dockerconfigjson]: Required value"
    )


def test_bad_docker_config_json_is_redacted_with_the_json_error() -> None:
    obj = secret("kubernetes.io/dockerconfigjson", stringData={".dockerconfigjson": "{bad"})
    assert secret_errors(obj) == (
        'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character '
        "'b' looking for beginning of object key string"
    )


def test_docker_cfg_must_be_a_json_object() -> None:
    obj = secret("kubernetes.io/dockercfg", stringData={".dockercfg": "[1]"})
    assert secret_errors(obj) == (
        'data[.dockercfg]: Invalid value: "<secret contents redacted>": json: cannot unmarshal '
        "array into Go value of type map[string]interface {}"
    )


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (b"{}", None),
        (b"null", None),
        (b"", "unexpected end of JSON input"),
        (b'{"a":', "unexpected end of JSON input"),
        (b'{"a" 1}', "invalid character '1' after object key"),
        (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
        (b"{} x", "invalid character 'x' after top-level value"),
        (b"x", "invalid character 'x' looking for beginning of value"),
    ],
)
def test_json_errors_use_go_texts(doc: bytes, expected: str | None) -> None:
    assert godecode.json_object_error(doc) == expected


def test_basic_auth_needs_a_username_or_password_with_upstream_paths() -> None:
    assert secret_errors(secret("kubernetes.io/basic-auth")) == (
        "[data[%s][username]: Required value, data[%s][password]: Required value]"
    )
    assert secret_errors(secret("kubernetes.io/basic-auth", stringData={"password": ""})) == ""


def test_ssh_auth_needs_a_non_empty_private_key() -> None:
    obj = secret("kubernetes.io/ssh-auth", stringData={"ssh-privatekey": ""})
    assert secret_errors(obj) == "data[%s][ssh-privatekey]: Required value"


def test_tls_secrets_need_both_keys() -> None:
    assert secret_errors(secret("kubernetes.io/tls", stringData={"tls.crt": "c"})) == (
        "data[tls.key]: Required value"
    )


def test_secret_type_defaults_to_opaque() -> None:
    obj: Obj = {"metadata": {"name": "s", "namespace": "default"}}
    validation.apply_defaults("", "secrets", obj)
    assert obj["type"] == "Opaque"


def stored_secret(**fields: Any) -> Obj:
    obj = secret(**fields)
    validation.decode_secret(obj)
    obj["metadata"].update(uid="u", creationTimestamp="2024-05-01T12:00:00Z")
    return obj


def update_errors(resource: str, new: Obj, old: Obj) -> str:
    if resource == "secrets":
        validation.decode_secret(new)
    validation.apply_defaults("", resource, new)
    errors = validation.validate_update("", resource, new, old)
    return aggregate(errors) if errors else ""


def test_secret_type_is_immutable() -> None:
    old = stored_secret(stringData={"tls.crt": "c", "tls.key": "k"})
    new = copy.deepcopy(old)
    new["type"] = "kubernetes.io/tls"
    assert update_errors("secrets", new, old) == (
        'type: Invalid value: "kubernetes.io/tls": field is immutable'
    )


def test_immutable_secret_data_cannot_change_even_through_string_data() -> None:
    old = stored_secret(stringData={"a": "1"}, immutable=True)
    new = copy.deepcopy(old)
    new["stringData"] = {"a": "2"}
    assert update_errors("secrets", new, old) == (
        "data: Forbidden: field is immutable when `immutable` is set"
    )


def test_immutable_cannot_be_unset() -> None:
    old = stored_secret(stringData={"a": "1"}, immutable=True)
    new = copy.deepcopy(old)
    new["immutable"] = False
    assert update_errors("secrets", new, old) == (
        "immutable: Forbidden: field is immutable when `immutable` is set"
    )


def test_labels_of_an_immutable_secret_remain_mutable() -> None:
    old = stored_secret(stringData={"a": "1"}, immutable=True)
    new = copy.deepcopy(old)
    new["metadata"]["labels"] = {"x": "y"}
    assert update_errors("secrets", new, old) == ""


def config_map(**fields: Any) -> Obj:
    return {"metadata": {"name": "c", "namespace": "default"}, **fields}


def config_map_errors(obj: Obj) -> str:
    errors = validation.validate_create("", "configmaps", obj)
    return aggregate(errors) if errors else ""


def test_a_key_in_data_and_binary_data_is_a_duplicate() -> None:
    obj = config_map(data={"k": "v"}, binaryData={"k": b64("v")})
    assert config_map_errors(obj) == (
        'data[k]: Invalid value: "k": duplicate of key present in binaryData'
    )


def test_config_maps_over_one_mebibyte_report_the_whole_object() -> None:
    obj = config_map(data={"a": "x" * (1024 * 1024)}, binaryData={"b": b64("y")})
    assert config_map_errors(obj) == "[]: Too long: must have at most 1048576 bytes"


def test_immutable_config_map_binary_data_cannot_change() -> None:
    old = config_map(binaryData={"b": b64("1")}, immutable=True)
    old["metadata"].update(uid="u", creationTimestamp="2024-05-01T12:00:00Z")
    new = copy.deepcopy(old)
    new["binaryData"] = {"b": b64("2")}
    assert update_errors("configmaps", new, old) == (
        "binaryData: Forbidden: field is immutable when `immutable` is set"
    )
