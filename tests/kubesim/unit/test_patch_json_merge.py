"""JSON patch (RFC 6902) and JSON merge patch (RFC 7386) with the API server's error mapping."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.api.status import StatusError
from kubesim.patching import apply_json_patch, apply_merge_patch


def _secret() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "labels": {"a": "1"}},
        "data": {"k": "dg=="},
    }


def _json_failure(patch: Any, directive: str = "Warn") -> StatusError:
    with pytest.raises(StatusError) as caught:
        apply_json_patch(_secret(), patch, directive=directive)
    return caught.value


def test_json_patch_operations_are_applied_in_order() -> None:
    patch = [
        {"op": "add", "path": "/metadata/labels/b", "value": "2"},
        {"op": "replace", "path": "/data/k", "value": "dw=="},
        {"op": "remove", "path": "/metadata/labels/a"},
        {"op": "test", "path": "/metadata/name", "value": "s"},
        {"op": "copy", "from": "/metadata/name", "path": "/metadata/generateName"},
    ]
    result = apply_json_patch(_secret(), patch)
    assert result["metadata"] == {"name": "s", "labels": {"b": "2"}, "generateName": "s"}
    assert result["data"] == {"k": "dw=="}
    assert result.strict == []


def test_kubectl_rollout_undo_replaces_the_template_and_annotations() -> None:
    deployment = {"metadata": {"annotations": {"x": "y"}}, "spec": {"template": {"a": 1}}}
    annotations = {"deployment.kubernetes.io/revision": "1"}
    patch = [
        {"op": "replace", "path": "/spec/template", "value": {"b": 2}},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]
    result = apply_json_patch(deployment, patch)
    assert result == {
        "metadata": {"annotations": {"deployment.kubernetes.io/revision": "1"}},
        "spec": {"template": {"b": 2}},
    }


@pytest.mark.parametrize(
    "patch",
    [
        [{"op": "remove", "path": "/metadata/missing"}],
        [{"op": "replace", "path": "/spec/x", "value": 1}],
        [{"op": "test", "path": "/metadata/name", "value": "other"}],
        [{"op": "add", "path": "/nope/deeper", "value": 1}],
        [{"op": "frobnicate", "path": "/metadata"}],
    ],
)
def test_failing_operations_get_the_generic_422_without_detail(patch: list[Any]) -> None:
    error = _json_failure(patch)
    assert error.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "the server rejected our request due to an error in our request",
        "reason": "Invalid",
        "details": {},
        "code": 422,
    }


def test_more_than_ten_thousand_operations_are_refused_with_413() -> None:
    patch = [{"op": "test", "path": "/metadata/name", "value": "s"}] * 10001
    error = _json_failure(patch)
    assert (error.code, error.reason) == (413, "RequestEntityTooLarge")
    assert error.message == (
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, "
        "got 10001"
    )


def test_a_json_patch_that_is_not_a_list_fails_to_decode() -> None:
    error = _json_failure({"op": "add"})
    assert (error.code, error.message) == (
        400,
        "error decoding patch: json: cannot unmarshal object into Go value of type "
        "[]handlers.jsonPatchOp",
    )
    ignored = _json_failure({"op": "add"}, "Ignore")
    assert ignored.message == "json: cannot unmarshal object into Go value of type jsonpatch.Patch"


def test_json_patch_field_types_and_syntax_are_checked_while_decoding() -> None:
    assert _json_failure([{"op": 1, "path": "/a"}]).message == (
        "error decoding patch: json: cannot unmarshal number into Go struct field "
        "jsonPatchOp.op of type string"
    )
    assert _json_failure(b"[{").message == "error decoding patch: unexpected end of JSON input"


def test_unknown_members_of_an_operation_are_strict_complaints() -> None:
    result = apply_json_patch(_secret(), [{"op": "remove", "path": "/data", "extra": 1}])
    assert result.strict == ['json patch unknown field "[0].extra"']
    assert "data" not in result


def test_merge_patch_merges_objects_deletes_nulls_and_replaces_lists() -> None:
    obj = {"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"ports": [1, 2], "x": 1}}
    patch = {"metadata": {"labels": {"a": None, "c": "3"}}, "spec": {"ports": [3]}}
    result = apply_merge_patch(obj, patch)
    assert result == {
        "metadata": {"labels": {"b": "2", "c": "3"}},
        "spec": {"ports": [3], "x": 1},
    }
    assert obj["metadata"]["labels"] == {"a": "1", "b": "2"}


def test_kubectl_scale_merge_patch_sets_replicas() -> None:
    scale = {"kind": "Scale", "spec": {"replicas": 1}}
    assert apply_merge_patch(scale, b'{"spec":{"replicas":3}}')["spec"] == {"replicas": 3}


def test_merge_patch_prunes_nulls_inside_new_values() -> None:
    result = apply_merge_patch(
        {"spec": {}}, {"spec": {"template": {"a": None, "b": [{"c": None}]}}}
    )
    assert result == {"spec": {"template": {"b": [{}]}}}


def test_a_merge_patch_that_is_not_an_object_fails_to_decode() -> None:
    with pytest.raises(StatusError) as caught:
        apply_merge_patch(_secret(), [1])
    assert caught.value.message == (
        "error decoding patch: json: cannot unmarshal array into Go value of type "
        "map[string]interface {}"
    )


def test_duplicate_keys_in_a_merge_patch_are_strict_complaints() -> None:
    result = apply_merge_patch(_secret(), b'{"metadata":{"labels":{"a":"x","a":"y"}}}')
    assert result.strict == ['duplicate field "metadata.labels.a"']
    assert result["metadata"]["labels"] == {"a": "y"}
