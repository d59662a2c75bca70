"""Field ownership recorded on ordinary (non-apply) writes."""

from __future__ import annotations

import copy
from typing import Any

from kubesim.patching import manager_name, track_update
from kubesim.patching.managedfields import Entry, cap_update_managers, decode

T0, T1, T2 = "2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z"


def _deployment() -> dict[str, Any]:
    container = {
        "name": "app",
        "image": "nginx:1",
        "ports": [{"containerPort": 80, "protocol": "TCP"}],
        "resources": {},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "uid": "u1",
            "resourceVersion": "7",
            "generation": 1,
            "creationTimestamp": T0,
            "labels": {"app": "web"},
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [container], "dnsPolicy": "ClusterFirst"},
            },
        },
        "status": {"replicas": 1},
    }


def _created(manager: str = "kubectl-create") -> dict[str, Any]:
    obj = _deployment()
    track_update(None, obj, manager=manager, api_version="apps/v1", now=T0)
    return obj


def _updated(
    old: dict[str, Any], change: Any, manager: str, now: str = T1, **kw: str
) -> dict[str, Any]:
    new = copy.deepcopy(old)
    change(new)
    track_update(old, new, manager=manager, api_version="apps/v1", now=now, **kw)
    return new


def _entries(obj: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (e["manager"], e["operation"], e.get("subresource", ""))
        for e in obj["metadata"]["managedFields"]
    ]


def test_a_create_gives_every_set_field_to_the_creator() -> None:
    entry = _created()["metadata"]["managedFields"][0]
    assert {k: v for k, v in entry.items() if k != "fieldsV1"} == {
        "manager": "kubectl-create",
        "operation": "Update",
        "apiVersion": "apps/v1",
        "time": T0,
        "fieldsType": "FieldsV1",
    }
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}, "f:type": {}},
            "f:template": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"app"}': {
                            ".": {},
                            "f:image": {},
                            "f:name": {},
                            "f:ports": {
                                ".": {},
                                'k:{"containerPort":80,"protocol":"TCP"}': {
                                    ".": {},
                                    "f:containerPort": {},
                                    "f:protocol": {},
                                },
                            },
                            "f:resources": {},
                        }
                    },
                    "f:dnsPolicy": {},
                },
            },
        },
    }


def test_another_writer_takes_the_fields_it_changes() -> None:
    def set_image(obj: dict[str, Any]) -> None:
        obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"

    updated = _updated(_created(), set_image, "kubectl-set")
    create, setter = decode(updated["metadata"]["managedFields"]).values()  # type: ignore[union-attr]
    image = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"app"}', "f:image")
    assert image not in create.fields and setter.fields == {image}
    assert (create.time, setter.time) == (T0, T1)


def test_a_write_that_changes_nothing_leaves_managed_fields_untouched() -> None:
    created = _created()
    unchanged = _updated(created, lambda _: None, "kubectl-edit", now=T2)
    assert unchanged["metadata"]["managedFields"] == created["metadata"]["managedFields"]


def test_removed_fields_leave_every_owner_and_empty_owners_are_dropped() -> None:
    def relabel(obj: dict[str, Any]) -> None:
        obj["metadata"]["labels"]["tier"] = "web"

    def unlabel(obj: dict[str, Any]) -> None:
        del obj["metadata"]["labels"]["tier"]

    labelled = _updated(_created(), relabel, "kubectl-label")
    assert _entries(labelled) == [("kubectl-create", "Update", ""), ("kubectl-label", "Update", "")]
    unlabelled = _updated(labelled, unlabel, "kubectl-edit", now=T2)
    assert _entries(unlabelled) == [("kubectl-create", "Update", "")]


def test_status_is_never_owned_through_the_main_resource() -> None:
    bumped = _updated(_created(), lambda obj: obj["status"].update(replicas=5), "kubectl-edit")
    assert _entries(bumped) == [("kubectl-create", "Update", "")]


def test_subresource_writes_get_their_own_entries() -> None:
    def scale(obj: dict[str, Any]) -> None:
        obj["spec"]["replicas"] = 3

    def report(obj: dict[str, Any]) -> None:
        obj["status"]["readyReplicas"] = 1

    scaled = _updated(_created(), scale, "kubectl", subresource="scale")
    reported = _updated(scaled, report, "kube-controller-manager", now=T2, subresource="status")
    entries = reported["metadata"]["managedFields"]
    assert entries[1] == {
        "manager": "kubectl",
        "operation": "Update",
        "apiVersion": "apps/v1",
        "time": T1,
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {"f:replicas": {}}},
        "subresource": "scale",
    }
    assert entries[2]["fieldsV1"] == {"f:status": {"f:readyReplicas": {}}}
    assert entries[2]["subresource"] == "status"


def test_objects_without_managed_fields_stay_without_them_on_update() -> None:
    plain = _deployment()
    new = copy.deepcopy(plain)
    new["spec"]["replicas"] = 4
    track_update(plain, new, manager="m", api_version="apps/v1", now=T1)
    assert "managedFields" not in new["metadata"]


def test_sending_a_single_empty_entry_resets_managed_fields() -> None:
    created = _created()
    new = copy.deepcopy(created)
    new["metadata"]["managedFields"] = [{}]
    new["spec"]["replicas"] = 2
    track_update(created, new, manager="m", api_version="apps/v1", now=T1)
    assert "managedFields" not in new["metadata"]


def test_managed_fields_sent_by_the_client_are_taken_as_the_starting_point() -> None:
    created = _created()
    new = copy.deepcopy(created)
    new["metadata"]["managedFields"][0]["manager"] = "renamed"
    track_update(created, new, manager="m", api_version="apps/v1", now=T1)
    assert _entries(new) == [("renamed", "Update", "")]


def test_entries_are_sorted_apply_first_then_by_time() -> None:
    created = _created()
    created["metadata"]["managedFields"].insert(
        0,
        {"manager": "zeta", "operation": "Apply", "apiVersion": "apps/v1", "time": T2,
         "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:paused": {}}}},
    )  # fmt: skip
    created["spec"]["paused"] = True
    later = _updated(created, lambda obj: obj["spec"].update(minReadySeconds=5), "alpha", now=T1)
    assert _entries(later) == [
        ("zeta", "Apply", ""),
        ("kubectl-create", "Update", ""),
        ("alpha", "Update", ""),
    ]


def test_more_than_ten_update_managers_fold_into_ancient_changes() -> None:
    created = _created()
    managed = decode(created["metadata"]["managedFields"]) or {}
    for index in range(11):
        stamp = f"2024-01-02T00:00:{index:02}Z"
        fields = frozenset({("f:spec", f"f:x{index}")})
        entry = Entry(f"m{index:02}", "Update", "apps/v1", "", stamp, fields)
        managed[entry.identity] = entry
    capped = cap_update_managers(managed)
    names = sorted(entry.manager for entry in capped.values())
    assert len(names) == 10 and "ancient-changes" in names
    bucket = next(e for e in capped.values() if e.manager == "ancient-changes")
    assert len(bucket.fields) > 1 and bucket.operation == "Update"


def test_the_manager_defaults_to_the_user_agent_prefix() -> None:
    assert manager_name("", "kubectl/v1.30.0 (linux/amd64) kubernetes/7c48c2b") == "kubectl"
    assert manager_name("", "OpenAPI-Generator/30.1.0/python") == "OpenAPI-Generator"
    assert manager_name("helm", "kubectl/v1.30.0") == "helm"


def test_objects_stored_without_type_fields_are_tracked_given_their_kind() -> None:
    obj = _deployment()
    del obj["apiVersion"], obj["kind"]
    track_update(None, obj, manager="m", api_version="apps/v1", now=T0, kind="Deployment")
    fields = obj["metadata"]["managedFields"][0]["fieldsV1"]
    assert "f:status" not in fields and "f:replicas" in fields["f:spec"]
