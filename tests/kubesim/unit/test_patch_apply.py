"""Server-side apply: merging, pruning, conflicts and the ownership it records."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kubesim.api.status import StatusError
from kubesim.patching import server_side_apply, track_update
from kubesim.patching.merge import merge
from kubesim.schema import kind_type

T0, T1, T2 = "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _config(replicas: int = 2, image: str = "nginx:1", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", **labels}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": image}]},
            },
        },
    }


def _stored(obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["metadata"].update(uid="u1", resourceVersion="5", creationTimestamp=T0)
    return out


def _apply(
    live: dict[str, Any] | None, config: Any, manager: str = "kubectl", **kw: Any
) -> dict[str, Any]:
    options = {"force": False, "api_version": "apps/v1", "now": T1, **kw}
    return server_side_apply(live, config, manager=manager, **options)


def _created_by_kubectl_create(config: dict[str, Any]) -> dict[str, Any]:
    obj = _stored(config)
    track_update(None, obj, manager="kubectl-create", api_version="apps/v1", now=T0)
    return obj


def _conflict(
    live: dict[str, Any], config: dict[str, Any], manager: str = "kubectl"
) -> StatusError:
    with pytest.raises(StatusError) as caught:
        _apply(live, config, manager)
    assert caught.value.code == 409
    return caught.value


def _managers(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["manager"], e["operation"]) for e in obj["metadata"]["managedFields"]]


def test_an_apply_that_creates_records_one_apply_entry_for_the_config() -> None:
    result = _apply(None, _config())
    assert result["spec"]["replicas"] == 2
    assert result["metadata"]["managedFields"] == [
        {
            "manager": "kubectl",
            "operation": "Apply",
            "apiVersion": "apps/v1",
            "time": T1,
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {
                    "f:replicas": {},
                    "f:selector": {},
                    "f:template": {
                        "f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {
                            "f:containers": {
                                'k:{"name":"app"}': {".": {}, "f:image": {}, "f:name": {}}
                            }
                        },
                    },
                },
            },
        }
    ]


def test_changing_a_field_kubectl_create_set_conflicts_with_its_update_manager() -> None:
    live = _created_by_kubectl_create(_config(replicas=1))
    error = _conflict(live, _config(replicas=3))
    assert error.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: '
        ".spec.replicas",
        "reason": "Conflict",
        "details": {
            "causes": [
                {
                    "reason": "FieldManagerConflict",
                    "message": 'conflict with "kubectl-create" using apps/v1',
                    "field": ".spec.replicas",
                }
            ]
        },
        "code": 409,
    }


def test_applying_the_same_values_does_not_conflict_and_shares_ownership() -> None:
    live = _created_by_kubectl_create(_config())
    result = _apply(live, _config())
    assert _managers(result) == [("kubectl", "Apply"), ("kubectl-create", "Update")]
    assert "time" not in result["metadata"]["managedFields"][0]
    assert result["metadata"]["managedFields"][1] == live["metadata"]["managedFields"][0]


def test_several_conflicts_are_grouped_per_manager_in_sorted_order() -> None:
    live = _created_by_kubectl_create(_config(replicas=1))
    scaled = copy.deepcopy(live)
    scaled["spec"]["replicas"] = 4
    track_update(
        live, scaled, manager="kubectl", api_version="apps/v1", subresource="scale", now=T1
    )
    error = _conflict(scaled, _config(replicas=2, image="nginx:2"), manager="ci")
    assert error.message == (
        "Apply failed with 2 conflicts: conflicts with "
        '"kubectl" with subresource "scale" using apps/v1:\n- .spec.replicas\n'
        'conflicts with "kubectl-create" using apps/v1:\n'
        '- .spec.template.spec.containers[name="app"].image'
    )
    assert [cause["field"] for cause in (error.details or {})["causes"]] == [
        ".spec.replicas",
        '.spec.template.spec.containers[name="app"].image',
    ]


def test_apply_managers_are_named_without_an_api_version() -> None:
    live = _apply(None, _config(replicas=1), manager="argo")
    error = _conflict(live, _config(replicas=5), manager="flux")
    assert error.message == 'Apply failed with 1 conflict: conflict with "argo": .spec.replicas'


def test_force_takes_ownership_and_drops_managers_left_with_nothing() -> None:
    live = _apply(None, _config(replicas=1), manager="argo")
    result = _apply(live, _config(replicas=5), manager="flux", force=True)
    assert result["spec"]["replicas"] == 5
    argo = next(e for e in result["metadata"]["managedFields"] if e["manager"] == "argo")
    assert "f:replicas" not in argo["fieldsV1"]["f:spec"]
    bare = {**_config(), "metadata": {"name": "web", "namespace": "default"}}
    lone = _apply(None, {**bare, "spec": {"paused": True}}, manager="solo")
    taken = _apply(lone, {**bare, "spec": {"paused": False}}, manager="other", force=True)
    assert [e["manager"] for e in taken["metadata"]["managedFields"]] == ["other"]


def test_fields_dropped_from_the_config_are_removed_unless_someone_else_owns_them() -> None:
    live = _apply(None, _config(tier="web", team="a"))
    relabel = copy.deepcopy(live)
    relabel["metadata"]["labels"]["team"] = "b"
    track_update(live, relabel, manager="kubectl-label", api_version="apps/v1", now=T1)
    result = _apply(relabel, _config(), now=T2)
    assert result["metadata"]["labels"] == {"app": "web", "team": "b"}


def test_list_items_merge_by_key_in_applied_order() -> None:
    live = _stored(_config())
    live["spec"]["template"]["spec"]["containers"].insert(0, {"name": "side", "image": "busybox"})
    track_update(None, live, manager="kubectl-create", api_version="apps/v1", now=T0)
    config = _config(image="nginx:2")
    config["spec"]["template"]["spec"]["containers"].insert(0, {"name": "init", "image": "x"})
    result = _apply(live, config, force=True)
    containers = result["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [
        ("side", "busybox"),
        ("init", "x"),
        ("app", "nginx:2"),
    ]


def test_shared_list_items_follow_the_applied_order_around_live_only_items() -> None:
    node = kind_type("apps", "v1", "Deployment").child("spec").child("template").child("spec")
    live = {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    applied = {"containers": [{"name": "c"}, {"name": "a"}]}
    merged = merge(live, applied, node)
    assert [c["name"] for c in merged["containers"]] == ["b", "c", "a"]


def test_objects_without_managed_fields_first_give_their_fields_to_before_first_apply() -> None:
    error = _conflict(_stored(_config(replicas=1)), _config(replicas=2))
    assert error.message == (
        'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: '
        ".spec.replicas"
    )


def test_kubectl_may_take_over_fields_it_applied_client_side() -> None:
    previous = _config(replicas=1)
    live = _stored(previous)
    live["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(previous)}
    track_update(None, live, manager="kubectl-client-side-apply", api_version="apps/v1", now=T0)
    result = _apply(live, _config(replicas=3))
    assert result["spec"]["replicas"] == 3
    annotation = json.loads(result["metadata"]["annotations"][LAST_APPLIED])
    assert annotation["spec"]["replicas"] == 3
    assert result["metadata"]["annotations"][LAST_APPLIED].endswith("}\n")
    with pytest.raises(StatusError):
        _apply(live, _config(replicas=3), manager="not-kubectl")


def test_reapplying_an_unchanged_config_changes_nothing() -> None:
    first = _apply(None, _config())
    stored = _stored(first)
    again = _apply(stored, _config(), now=T2)
    assert again == stored


def test_apply_bodies_must_not_carry_managed_fields() -> None:
    config = _config()
    config["metadata"]["managedFields"] = []
    with pytest.raises(StatusError) as caught:
        _apply(None, config)
    assert (caught.value.code, caught.value.message) == (400, "metadata.managedFields must be nil")


def test_apply_bodies_must_match_the_api_version_of_the_request() -> None:
    config = {**_config(), "apiVersion": "apps/v1beta1"}
    with pytest.raises(StatusError) as caught:
        _apply(None, config)
    assert caught.value.message == (
        "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, "
        "expected: apps/v1"
    )


def test_undeclared_fields_fail_the_typed_conversion() -> None:
    config = _config()
    config["spec"]["foo"] = 1
    config["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"name": "http"}]
    with pytest.raises(StatusError) as caught:
        _apply(None, config)
    assert (caught.value.code, caught.value.reason) == (500, "")
    assert caught.value.message == (
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n"
        '  .spec.template.spec.containers[name="app"].ports: element 0: associative list with '
        'keys has an element that omits key field "containerPort" (and doesn\'t have default '
        "value)\n"
        "  .spec.foo: field not declared in schema"
    )


def test_scalars_of_the_wrong_type_fail_the_typed_conversion() -> None:
    config = _config()
    config["spec"]["replicas"] = "3"
    with pytest.raises(StatusError) as caught:
        _apply(None, config)
    assert caught.value.message == (
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
        ".spec.replicas: expected numeric (int or float), got string"
    )


def test_ports_without_a_protocol_are_keyed_by_its_default() -> None:
    config = _config()
    config["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    entry = _apply(None, config)["metadata"]["managedFields"][0]["fieldsV1"]
    container = entry["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"app"}']
    assert list(container["f:ports"]) == ['k:{"containerPort":80,"protocol":"TCP"}']
