"""Strategic merge patch, including the exact patches kubectl sends."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kubesim.api.status import StatusError
from kubesim.patching import apply_strategic_patch

DEPLOYMENT = ("apps", "v1", "Deployment")


def _deployment() -> dict[str, Any]:
    app = {
        "name": "app",
        "image": "nginx:1",
        "env": [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}],
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
        "spec": {
            "replicas": 1,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [app, {"name": "side", "image": "busybox", "args": ["a", "b"]}],
                    "volumes": [{"name": "v", "emptyDir": {}}],
                    "tolerations": [{"key": "a", "operator": "Exists"}],
                },
            },
        },
    }


def _patch(patch: Any, obj: dict[str, Any] | None = None) -> dict[str, Any]:
    return apply_strategic_patch(obj or _deployment(), patch, DEPLOYMENT)


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def _failure(patch: Any) -> StatusError:
    with pytest.raises(StatusError) as caught:
        _patch(patch)
    return caught.value


def test_kubectl_set_image_changes_one_container_and_keeps_the_order() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "app"}, {"name": "side"}],
                    "containers": [{"image": "nginx:2", "name": "app"}],
                }
            }
        }
    }
    containers = _pod_spec(_patch(patch))["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [
        ("app", "nginx:2"),
        ("side", "busybox"),
    ]
    assert containers[0]["env"] == _deployment()["spec"]["template"]["spec"]["containers"][0]["env"]


def test_kubectl_apply_three_way_patch_merges_by_key_and_follows_set_element_order() -> None:
    last_applied = '{"apiVersion":"apps/v1","kind":"Deployment"}\n'
    patch = {
        "metadata": {
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last_applied}
        },
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "side"}, {"name": "app"}],
                    "containers": [
                        {
                            "$setElementOrder/env": [{"name": "B"}, {"name": "A"}],
                            "env": [{"name": "B", "value": "2"}],
                            "image": "nginx:2",
                            "name": "app",
                        }
                    ],
                }
            }
        },
    }
    result = _patch(patch)
    containers = _pod_spec(result)["containers"]
    assert [c["name"] for c in containers] == ["side", "app"]
    assert containers[1]["env"] == [
        {"name": "B", "value": "2"},
        {"name": "A", "value": "1"},
        {"name": "C", "value": "3"},
    ]
    annotations = result["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/last-applied-configuration"] == last_applied


def test_kubectl_apply_adding_one_container_and_removing_another() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "app"}, {"name": "new"}],
                    "containers": [
                        {"image": "redis", "name": "new"},
                        {"$patch": "delete", "name": "side"},
                    ],
                }
            }
        }
    }
    containers = _pod_spec(_patch(patch))["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("app", "nginx:1"), ("new", "redis")]


def test_kubectl_rollout_restart_adds_the_restarted_at_annotation() -> None:
    stamp = "2024-05-01T14:03:05+02:00"
    patch = {
        "spec": {
            "template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": stamp}}}
        }
    }
    template = _patch(patch)["spec"]["template"]
    assert template["metadata"] == {
        "labels": {"app": "web"},
        "annotations": {"kubectl.kubernetes.io/restartedAt": stamp},
    }


def test_kubectl_cordon_and_uncordon_set_and_delete_unschedulable() -> None:
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n1"},
        "spec": {"podCIDR": "x"},
    }
    cordoned = apply_strategic_patch(node, b'{"spec":{"unschedulable":true}}', ("", "v1", "Node"))
    assert cordoned["spec"] == {"podCIDR": "x", "unschedulable": True}
    patch = b'{"spec":{"unschedulable":null}}'
    uncordoned = apply_strategic_patch(cordoned, patch, ("", "v1", "Node"))
    assert uncordoned["spec"] == {"podCIDR": "x"}


def test_retain_keys_clears_the_fields_of_the_old_strategy() -> None:
    patch = {
        "spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": None, "type": "Recreate"}}
    }
    assert _patch(patch)["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_in_a_volume_switches_its_source() -> None:
    volume = {"$retainKeys": ["configMap", "name"], "configMap": {"name": "cm"}, "name": "v"}
    patch = {"spec": {"template": {"spec": {"volumes": [volume]}}}}
    assert _pod_spec(_patch(patch))["volumes"] == [{"name": "v", "configMap": {"name": "cm"}}]


def test_delete_directive_removes_list_items_by_merge_key() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"$patch": "delete", "name": "side"}]}}}}
    assert [c["name"] for c in _pod_spec(_patch(patch))["containers"]] == ["app"]


def test_replace_directive_in_a_list_replaces_the_whole_list() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "new", "image": "x"}, {"$patch": "replace"}]}
            }
        }
    }
    assert _pod_spec(_patch(patch))["containers"] == [{"name": "new", "image": "x"}]


def test_replace_and_delete_directives_on_maps() -> None:
    replaced = _patch({"metadata": {"labels": {"$patch": "replace", "tier": "db"}}})
    assert replaced["metadata"]["labels"] == {"tier": "db"}
    deleted = _patch({"spec": {"strategy": {"$patch": "delete"}}})
    assert deleted["spec"]["strategy"] == {}


def test_primitive_lists_with_merge_strategy_are_merged_as_sets() -> None:
    merged = _patch({"metadata": {"finalizers": ["b", "c"]}})
    assert merged["metadata"]["finalizers"] == ["a", "b", "c"]
    deleted = _patch({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert deleted["metadata"]["finalizers"] == ["b"]
    ordered = _patch(
        {
            "metadata": {
                "$setElementOrder/finalizers": ["c", "b"],
                "$deleteFromPrimitiveList/finalizers": ["a"],
                "finalizers": ["c"],
            }
        }
    )
    assert ordered["metadata"]["finalizers"] == ["c", "b"]


def test_lists_without_a_strategy_are_replaced_wholesale() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "tolerations": [{"key": "b"}],
                    "containers": [{"name": "side", "args": ["c"]}],
                }
            }
        }
    }
    spec = _pod_spec(_patch(patch))
    assert spec["tolerations"] == [{"key": "b"}]
    assert spec["containers"][1]["args"] == ["c"]


def test_null_deletes_and_nulls_inside_new_values_are_dropped() -> None:
    result = _patch({"spec": {"replicas": None, "paused": None, "minReadySeconds": {"x": None}}})
    assert "replicas" not in result["spec"] and "paused" not in result["spec"]
    assert result["spec"]["minReadySeconds"] == {}


def test_directives_inside_values_taken_as_is_are_removed() -> None:
    patch = {"metadata": {"annotations": {"a": "b", "nested": {"$patch": "delete"}}}}
    assert _patch(patch)["metadata"]["annotations"] == {"a": "b"}


def test_the_inputs_are_left_untouched() -> None:
    original = _deployment()
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "x"}]}}}}
    before = (copy.deepcopy(original), copy.deepcopy(patch))
    apply_strategic_patch(original, patch, DEPLOYMENT)
    assert (original, patch) == before


def test_a_list_item_without_its_merge_key_is_a_500_with_the_raw_message() -> None:
    error = _failure({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}})
    assert (error.code, error.reason) == (500, "")
    assert error.message == "map: map[image:x] does not contain declared merge key: name"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"metadata": {"$deleteFromPrimitiveList": ["a"]}},
         "invalid patch format of primitive list"),
        ({"spec": {"strategy": {"$retainKeys": "type"}}}, "invalid patch format of retainKeys"),
        ({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}},
         "invalid patch format of retainKeys"),
        ({"metadata": {"$setElementOrder": ["a"]}}, "invalid patch format of setElementOrder list"),
    ],
)  # fmt: skip
def test_malformed_directives_are_bad_requests(patch: dict[str, Any], message: str) -> None:
    error = _failure(patch)
    assert (error.code, error.reason, error.message) == (400, "BadRequest", message)


def test_unknown_patch_directives_report_the_offending_map() -> None:
    error = _failure(
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "$patch": "bogus"}]}}}}
    )
    assert error.message == "unknown patch type: bogus in map: map[$patch:bogus name:app]"
    merge = _failure(
        {"spec": {"template": {"spec": {"containers": [{"name": "app", "$patch": "merge"}]}}}}
    )
    assert merge.message == "merging lists cannot yet be specified in the patch"


def test_a_patch_list_out_of_set_element_order_is_rejected() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "side"}],
                    "containers": [{"name": "app", "image": "x"}],
                }
            }
        }
    }
    assert _failure(patch).message == (
        "The order in patch list:\n[map[image:x name:app]]\n doesn't match $setElementOrder "
        "list:\n[map[name:side]]\n"
    )


def test_lists_of_lists_are_rejected_with_the_generic_422() -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "finalizers": [["x"]]}}
    with pytest.raises(StatusError) as caught:
        apply_strategic_patch(node, {"metadata": {"finalizers": [["y"]]}}, ("", "v1", "Node"))
    status = caught.value.to_status()
    assert (status["code"], status["reason"], status["details"]) == (422, "Invalid", {})
    assert status["message"] == "the server rejected our request due to an error in our request"


def test_bodies_that_are_not_objects_fail_to_decode() -> None:
    assert _failure([{"op": "add"}]).message == (
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    )
    assert _failure(b'{"spec":').message == "unexpected end of JSON input"
    assert (
        _failure(b"{x}").message
        == "invalid character 'x' looking for beginning of object key string"
    )


def test_duplicate_keys_in_a_raw_body_are_reported_for_strict_decoding() -> None:
    result = apply_strategic_patch(
        _deployment(), b'{"spec":{"replicas":2,"replicas":3}}', DEPLOYMENT
    )
    assert result["spec"]["replicas"] == 3
    assert result.strict == ['duplicate field "spec.replicas"']


def test_the_root_replace_directive_replaces_the_object() -> None:
    body = json.dumps({"$patch": "replace", "apiVersion": "apps/v1", "kind": "Deployment"})
    assert _patch(body) == {"apiVersion": "apps/v1", "kind": "Deployment"}
