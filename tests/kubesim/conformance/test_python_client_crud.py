"""Create, read, list, replace and delete of every served kind through the typed Python client.

Every response is deserialized into the client's generated models, which reject a response
missing an OpenAPI-required field; every error is compared as the whole Status body.
"""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_kinds import KINDS, Kind
from tests.kubesim.conformance.test_python_client_support import (
    expect_error,
    failure,
    unique,
    wait_for,
)

IDS = [k.name for k in KINDS]
NAMESPACE_PREFIX = "py-crud"


@pytest.fixture(params=KINDS, ids=IDS)
def kind(request: pytest.FixtureRequest) -> Kind:
    found: Kind = request.param
    return found


def _labelled(kind: Kind, name: str, namespace: str, label: str) -> Any:
    body = kind.body(name, namespace)
    body.metadata.labels = {"case": label}
    return body


def test_every_kind_is_created_with_201_and_read_back_as_its_typed_model(
    admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name = unique(kind.snake.replace("_", ""))
    created, code, _ = kind.method(admin, "create", "_with_http_info")(
        *kind.args(namespace, kind.body(name, namespace))
    )
    assert code == 201
    assert isinstance(created, kind.model)
    assert created.kind == kind.name
    assert created.metadata.uid and created.metadata.resource_version
    assert created.metadata.creation_timestamp is not None
    read = kind.method(admin, "read")(*kind.args(namespace, name))
    assert isinstance(read, kind.model)
    assert read.metadata.uid == created.metadata.uid


def test_every_kind_lists_by_label_selector_as_its_typed_list(
    admin: ApiClient, namespace: str, kind: Kind
) -> None:
    label = unique("l")
    names = sorted(unique(kind.snake.replace("_", "")) for _ in range(2))
    for name in names:
        kind.method(admin, "create")(*kind.args(namespace, _labelled(kind, name, namespace, label)))
    scope = (namespace,) if kind.namespaced else ()
    listed = kind.method(admin, "list")(*scope, label_selector=f"case={label}")
    assert [item.metadata.name for item in listed.items] == names
    assert listed.metadata.resource_version


def test_every_kind_is_replaced_with_200_and_a_new_resource_version(
    admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name = unique(kind.snake.replace("_", ""))
    created = kind.method(admin, "create")(*kind.args(namespace, kind.body(name, namespace)))
    current = kind.method(admin, "read")(*kind.args(namespace, name))
    current.metadata.labels = {**(current.metadata.labels or {}), "replaced": "yes"}
    replaced, code, _ = kind.method(admin, "replace", "_with_http_info")(
        *kind.args(namespace, name, current)
    )
    assert code == 200
    assert replaced.metadata.labels["replaced"] == "yes"
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)


def test_every_kind_answers_a_stale_replace_with_409_conflict(
    admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name = unique(kind.snake.replace("_", ""))
    stale = kind.method(admin, "create")(*kind.args(namespace, kind.body(name, namespace)))
    fresh = kind.method(admin, "read")(*kind.args(namespace, name))
    fresh.metadata.labels = {"writer": "first"}
    kind.method(admin, "replace")(*kind.args(namespace, name, fresh))
    stale.metadata.labels = {"writer": "second"}
    body = expect_error(
        lambda: kind.method(admin, "replace")(*kind.args(namespace, name, stale)), 409
    )
    assert body == failure(
        f'Operation cannot be fulfilled on {kind.gr()} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        "Conflict",
        409,
        **kind.details(name),
    )


def test_every_kind_answers_a_second_create_with_409_already_exists(
    admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name = unique(kind.snake.replace("_", ""))
    kind.method(admin, "create")(*kind.args(namespace, kind.body(name, namespace)))
    body = expect_error(
        lambda: kind.method(admin, "create")(*kind.args(namespace, kind.body(name, namespace))), 409
    )
    assert body == failure(
        f'{kind.gr()} "{name}" already exists',
        "AlreadyExists",
        409,
        **kind.details(name),
    )


def test_every_kind_is_deleted_and_then_not_found(
    admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name = unique(kind.snake.replace("_", ""))
    kind.method(admin, "create")(*kind.args(namespace, kind.body(name, namespace)))
    kind.method(admin, "delete")(*kind.args(namespace, name))

    def gone() -> dict[str, Any] | None:
        try:
            kind.method(admin, "read")(*kind.args(namespace, name))
        except client.ApiException as err:
            assert err.status == 404
            return {"gone": True}
        return None

    wait_for(gone, what=f"{kind.name} {name} to go")
    body = expect_error(lambda: kind.method(admin, "read")(*kind.args(namespace, name)), 404)
    assert body == failure(
        f'{kind.gr()} "{name}" not found',
        "NotFound",
        404,
        **kind.details(name),
    )
