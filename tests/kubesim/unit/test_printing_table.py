"""Whole Tables: column definitions, includeObject, watch events and scale."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

from kubesim.api.status import StatusError
from kubesim.printing import cells, columns, table, watch_table_event
from kubesim.printing.columns import PRINTED
from kubesim.printing.table import printer

NOW = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.UTC)
RBAC = "rbac.authorization.k8s.io"
NAME_DOC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)


def secret(name: str, rv: str = "7") -> dict[str, Any]:
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "namespace": "default",
            "resourceVersion": rv,
            "creationTimestamp": "2024-05-01T11:00:00Z",
        },
        "type": "Opaque",
        "data": {"k": "dg=="},
    }


def names(group: str, resource: str) -> list[tuple[str, int]]:
    return [(c["name"], c["priority"]) for c in columns(group, resource)]


@pytest.mark.parametrize(
    ("group", "resource", "expected"),
    [
        ("", "pods", [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0),
                      ("IP", 1), ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1)]),
        ("", "nodes", [("Name", 0), ("Status", 0), ("Roles", 0), ("Age", 0), ("Version", 0),
                       ("Internal-IP", 1), ("External-IP", 1), ("OS-Image", 1),
                       ("Kernel-Version", 1), ("Container-Runtime", 1)]),
        ("", "secrets", [("Name", 0), ("Type", 0), ("Data", 0), ("Age", 0)]),
        ("", "serviceaccounts", [("Name", 0), ("Secrets", 0), ("Age", 0)]),
        ("", "namespaces", [("Name", 0), ("Status", 0), ("Age", 0)]),
        ("", "configmaps", [("Name", 0), ("Data", 0), ("Age", 0)]),
        ("", "services", [("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0),
                          ("Port(s)", 0), ("Age", 0), ("Selector", 1)]),
        ("", "events", [("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0),
                        ("Subobject", 1), ("Source", 1), ("Message", 0), ("First Seen", 1),
                        ("Count", 1), ("Name", 1)]),
        ("apps", "deployments", [("Name", 0), ("Ready", 0), ("Up-to-date", 0), ("Available", 0),
                                 ("Age", 0), ("Containers", 1), ("Images", 1), ("Selector", 1)]),
        ("apps", "statefulsets", [("Name", 0), ("Ready", 0), ("Age", 0), ("Containers", 1),
                                  ("Images", 1)]),
        ("apps", "controllerrevisions", [("Name", 0), ("Controller", 0), ("Revision", 0),
                                         ("Age", 0)]),
        ("autoscaling", "horizontalpodautoscalers", [
            ("Name", 0), ("Reference", 0), ("Targets", 0), ("MinPods", 0), ("MaxPods", 0),
            ("Replicas", 0), ("Age", 0)]),
        ("policy", "poddisruptionbudgets", [("Name", 0), ("Min Available", 0),
                                            ("Max Unavailable", 0), ("Allowed Disruptions", 0),
                                            ("Age", 0)]),
        (RBAC, "rolebindings", [("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1), ("Groups", 1),
                                ("ServiceAccounts", 1)]),
        (RBAC, "roles", [("Name", 0), ("Created At", 0)]),
    ],
)  # fmt: skip
def test_column_names_and_priorities_match_the_real_printers(
    group: str, resource: str, expected: list[tuple[str, int]]
) -> None:
    assert names(group, resource) == expected


def test_a_column_definition_has_every_field_in_wire_order() -> None:
    assert columns("", "secrets")[0] == {
        "name": "Name",
        "type": "string",
        "format": "name",
        "description": NAME_DOC,
        "priority": 0,
    }
    assert list(columns("", "pods")[3]) == ["name", "type", "format", "description", "priority"]
    assert columns("", "pods")[3]["type"] == "string"
    assert columns("apps", "replicasets")[1]["type"] == "integer"


def test_every_printed_kind_has_one_cell_per_column() -> None:
    sample = {"metadata": {"name": "x"}}
    for group, resource in PRINTED:
        assert printer(group, resource) is not printer("", "no-such-kind")
        assert len(cells(group, resource, sample, NOW)) == len(columns(group, resource))


def test_a_list_table_embeds_partial_object_metadata_by_default() -> None:
    body = table("", "secrets", [secret("a"), secret("b")], NOW)
    assert list(body) == ["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]
    assert (body["kind"], body["apiVersion"], body["metadata"]) == ("Table", "meta.k8s.io/v1", {})
    assert body["rows"][0] == {
        "cells": ["a", "Opaque", 1, "60m"],
        "object": {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": secret("a")["metadata"],
        },
    }


def test_include_object_selects_the_full_object_or_none() -> None:
    full = table("", "secrets", [secret("a")], NOW, include_object="Object")
    assert full["rows"][0]["object"] == secret("a")
    bare = table("", "secrets", [secret("a")], NOW, include_object="None")
    assert bare["rows"][0] == {"cells": ["a", "Opaque", 1, "60m"], "object": None}


def test_an_unknown_include_object_is_a_bad_request() -> None:
    with pytest.raises(StatusError) as info:
        table("", "secrets", [secret("a")], NOW, include_object="All")
    assert (info.value.code, info.value.message) == (
        400,
        'unrecognized includeObject value: "All"',
    )


def test_finished_pod_rows_carry_conditions_before_the_object() -> None:
    pod = {
        "metadata": {"name": "job-1", "creationTimestamp": "2024-05-01T11:00:00Z"},
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Succeeded"},
    }
    row = table("", "pods", [pod], NOW)["rows"][0]
    assert list(row) == ["cells", "conditions", "object"]
    assert row["conditions"][0]["reason"] == "Succeeded"


def test_empty_tables_have_empty_rows_for_printers_and_null_for_the_default() -> None:
    assert table("", "secrets", [], NOW)["rows"] == []
    assert table(RBAC, "roles", [], NOW)["rows"] is None


def test_the_first_watch_event_carries_the_headers_and_later_ones_do_not() -> None:
    first = watch_table_event("", "secrets", secret("a", rv="11"), NOW, first=True)
    later = watch_table_event("", "secrets", secret("b", rv="12"), NOW, first=False)
    assert first["metadata"] == {"resourceVersion": "11"}
    assert first["columnDefinitions"] == columns("", "secrets")
    assert later["metadata"] == {"resourceVersion": "12"}
    assert later["columnDefinitions"] is None
    assert [len(first["rows"]), len(later["rows"])] == [1, 1]
    assert later["rows"][0]["cells"][0] == "b"


def test_a_watch_event_honours_include_object() -> None:
    event = watch_table_event("", "secrets", secret("a"), NOW, True, include_object="Object")
    assert event["rows"][0]["object"]["kind"] == "Secret"


def test_printing_five_thousand_pods_is_fast() -> None:
    pod = {
        "metadata": {"name": "p", "namespace": "n", "creationTimestamp": "2024-05-01T11:00:00Z"},
        "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": "n1"},
        "status": {
            "phase": "Running",
            "podIP": "10.0.0.1",
            "containerStatuses": [
                {"name": "c", "ready": True, "restartCount": 0, "state": {"running": {}}}
            ],
        },
    }
    started = time.perf_counter()
    body = table("", "pods", [pod] * 5000, NOW)
    assert len(body["rows"]) == 5000
    assert time.perf_counter() - started < 2.0
