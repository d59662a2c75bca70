"""Health, identity, authentication, roles, the error mapping and the request limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from tests.kubeconnector.api.conftest import Api, make_api

from kubeconnector.api import Limits
from kubeconnector.api.errors import STATUS, status_for
from kubeconnector.errors import ApprovalRefused, ClusterUnreachable, KubeConnectorError
from kubeconnector.store import AuditLog, Database, UserRepository


def test_health_needs_no_token_and_reports_the_database(api: Api) -> None:
    response = api.call(None, "GET", "/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "version": "0.1.0"}


@pytest.mark.parametrize("role", ["admin", "operator", "approver", "viewer"])
def test_me_names_the_token_s_user(api: Api, role: str) -> None:
    assert api.call(role, "GET", "/me").json() == {"name": role, "role": role}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic YTpi"}]
)
def test_a_missing_or_unknown_token_is_401(api: Api, headers: dict[str, str]) -> None:
    response = api.call(None, "GET", "/connectors", headers=headers)
    assert response.status_code == 401
    assert response.json()["reason"] == "Unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_removed_user_s_token_stops_working(api: Api) -> None:
    token = api.add_user("temp", "viewer")
    assert api.call("temp", "GET", "/me").status_code == 200
    with Database.open(api.settings.database_url) as db:
        UserRepository(db, AuditLog(db)).remove("temp", "test")
        events = [e.event_type for e in AuditLog(db).list()]
    assert "user.created" in events and "user.removed" in events
    assert not any(token in str(e) for e in events)
    assert api.call("temp", "GET", "/me").status_code == 401


EVERYONE = frozenset({"admin", "operator", "approver", "viewer"})
OPERATE = frozenset({"admin", "operator"})
APPROVE = frozenset({"admin", "approver"})
ADMIN = frozenset({"admin"})
PUBLIC = {("GET", "/health")}
# Every authenticated route of the OpenAPI document: (method, route) -> (a concrete path, a
# body, the roles allowed). Targets do not exist, so an allowed call changes nothing.
ROLE_CASES: dict[tuple[str, str], tuple[str, dict[str, str] | None, frozenset[str]]] = {
    ("GET", "/me"): ("/me", None, EVERYONE),
    ("GET", "/users"): ("/users", None, ADMIN),
    ("POST", "/users"): ("/users", {"name": " ", "role": "viewer"}, ADMIN),
    ("DELETE", "/users/{name}"): ("/users/none", None, ADMIN),
    ("GET", "/connectors"): ("/connectors", None, EVERYONE),
    ("POST", "/connectors"): ("/connectors", {"name": "x", "kubeconfig": "k"}, ADMIN),
    ("GET", "/connectors/{ref}"): ("/connectors/none", None, EVERYONE),
    ("DELETE", "/connectors/{ref}"): ("/connectors/none", None, ADMIN),
    ("POST", "/connectors/{ref}/test"): ("/connectors/none/test", None, OPERATE),
    ("POST", "/connectors/{ref}/discover"): ("/connectors/none/discover", None, OPERATE),
    ("GET", "/jobs/{job_id}"): ("/jobs/none", None, EVERYONE),
    ("GET", "/assets"): ("/assets", None, EVERYONE),
    ("GET", "/assets/{asset_id}"): ("/assets/none", None, EVERYONE),
    ("GET", "/assets/{asset_id}/relations"): ("/assets/none/relations", None, EVERYONE),
    ("GET", "/connectors/{ref}/rbac/who-can"): (
        "/connectors/none/rbac/who-can?verb=get&resource=secrets", None, EVERYONE),
    ("GET", "/rbac/permissions"): (
        "/rbac/permissions?connector=none&subject=user:x", None, EVERYONE),
    ("GET", "/rbac/findings"): ("/rbac/findings?connector=none", None, EVERYONE),
    ("GET", "/actions"): ("/actions", None, EVERYONE),
    ("GET", "/change-requests"): ("/change-requests", None, EVERYONE),
    ("POST", "/change-requests"): (
        "/change-requests", {"connector": "none", "action": "x"}, OPERATE),
    ("GET", "/change-requests/{change_id}"): ("/change-requests/none", None, EVERYONE),
    ("POST", "/change-requests/{change_id}/approve"): (
        "/change-requests/none/approve", None, APPROVE),
    ("POST", "/change-requests/{change_id}/reject"): (
        "/change-requests/none/reject", None, APPROVE),
    ("POST", "/change-requests/{change_id}/execute"): (
        "/change-requests/none/execute", None, OPERATE),
    ("POST", "/change-requests/{change_id}/rollback"): (
        "/change-requests/none/rollback", None, OPERATE),
    ("POST", "/change-requests/{change_id}/resume"): (
        "/change-requests/none/resume", None, OPERATE),
    ("GET", "/audit"): ("/audit", None, EVERYONE),
    ("GET", "/audit/verify"): ("/audit/verify", None, EVERYONE),
}  # fmt: skip


def test_every_route_of_the_openapi_document_has_a_role_case(api: Api) -> None:
    app = api.client.app
    assert isinstance(app, FastAPI)
    document = app.openapi()
    routes = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert routes - PUBLIC == set(ROLE_CASES)
    assert routes >= PUBLIC


@pytest.mark.parametrize("route", sorted(ROLE_CASES), ids=" ".join)
def test_each_role_is_allowed_exactly_its_operations(api: Api, route: tuple[str, str]) -> None:
    method = route[0]
    path, body, allowed = ROLE_CASES[route]
    assert api.call(None, method, path, json=body).status_code == 401
    for role in ("admin", "operator", "approver", "viewer"):
        response = api.call(role, method, path, json=body)
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
            assert response.status_code < 500, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert response.json()["reason"] == "Forbidden"


def test_unknown_records_are_404_with_a_reason(api: Api) -> None:
    for path in ("/connectors/nope", "/assets/nope", "/change-requests/nope", "/jobs/nope"):
        response = api.call("viewer", "GET", path)
        assert response.status_code == 404, path
        assert set(response.json()) == {"reason", "message"}


def test_invalid_input_is_422_without_echoing_the_input(api: Api) -> None:
    body = {"name": "x", "kubeconfig": "not: [a kubeconfig", "environment": "moon"}
    response = api.call("admin", "POST", "/connectors", json=body)
    assert response.status_code == 422
    assert response.json()["reason"] == "Invalid"
    assert "not: [a kubeconfig" not in response.text
    refused = api.call("admin", "POST", "/connectors", json={"name": "x", "kubeconfig": "a: 1"})
    assert refused.status_code == 422
    assert refused.json()["reason"] == "KubeconfigRefused"


def test_a_naive_time_filter_is_422(api: Api) -> None:
    assert api.call("viewer", "GET", "/audit?since=2024-01-01T00:00:00").status_code == 422
    assert api.call("viewer", "GET", "/audit?since=2024-01-01T00:00:00Z").status_code == 200


def test_an_oversized_body_is_413(api: Api) -> None:
    big = {"name": "x", "kubeconfig": "a" * (2 * 1024 * 1024 + 10)}
    response = api.call("admin", "POST", "/connectors", json=big)
    assert response.status_code == 413
    assert response.json()["reason"] == "TooLarge"


def test_the_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    for api in make_api(tmp_path / "home", Limits(rate=0.5, burst=3)):
        seen = [api.call("viewer", "GET", "/me") for _ in range(4)]
        assert [r.status_code for r in seen] == [200, 200, 200, 429]
        assert [r.headers["x-ratelimit-remaining"] for r in seen[:3]] == ["2", "1", "0"]
        assert seen[0].headers["x-ratelimit-limit"] == "3"
        assert int(seen[3].headers["retry-after"]) >= 1
        assert seen[3].json()["reason"] == "RateLimited"
        assert api.call("admin", "GET", "/me").status_code == 200  # another token's bucket


def test_the_status_table_maps_library_errors() -> None:
    assert status_for(ClusterUnreachable("down")) == 502
    assert status_for(ApprovalRefused("self")) == 403
    assert status_for(KubeConnectorError("other")) == 500
    assert len({cls for cls, _ in STATUS}) == len(STATUS)


def test_an_unexpected_exception_is_a_generic_500(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubeconnector.connectors import ConnectorService

    def boom(_self: object) -> None:
        raise RuntimeError("secret-detail-42")

    monkeypatch.setattr(ConnectorService, "list", boom)
    response = api.call("viewer", "GET", "/connectors")
    assert response.status_code == 500
    assert response.json()["reason"] == "InternalError"
    assert "secret-detail-42" not in response.text


def test_the_actions_carry_their_parameter_schemas(api: Api) -> None:
    actions = api.call("viewer", "GET", "/actions").json()
    rotate = next(a for a in actions if a["id"] == "rotate-secret")
    assert rotate["has_rollback"] is True and rotate["base_risk"] == 5
    assert rotate["params_schema"]["type"] == "object"


def test_the_root_redirects(api: Api) -> None:
    response = api.client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] in ("/ui/", "/docs")


def test_the_users_commands_print_the_token_once_and_store_only_its_hash(tmp_path: Path) -> None:
    from tests.kubeconnector.cli.conftest import Cli

    cli = Cli(tmp_path / "home")
    added = cli("users", "add", "carol", "--role", "approver", "--json")
    assert added.code == 0, added.stderr
    token = added.json()["token"]
    listed = cli("users", "list", "--json")
    assert listed.json()[0]["name"] == "carol" and token not in listed.stdout
    assert cli("users", "add", "carol", "--role", "viewer").code != 0
    assert cli("users", "remove", "carol").code == 0
    db_text = (tmp_path / "home" / "kubeconnector.db").read_bytes()
    assert token.encode() not in db_text


def test_a_changing_request_is_a_ledger_event_with_its_actor(api: Api) -> None:
    api.call("operator", "POST", "/change-requests/none/approve")  # refused by role: no event
    response = api.call("operator", "POST", "/change-requests/none/execute")
    assert response.status_code == 404
    api.call("viewer", "GET", "/connectors")  # reads are not recorded
    with Database.open(api.settings.database_url) as db:
        events = [e for e in AuditLog(db).list() if e.event_type == "api.request"]
    assert [(e.actor, e.resource_id, e.payload) for e in events] == [
        (
            "operator",
            "/change-requests/{change_id}/execute",
            {
                "method": "POST",
                "route": "/change-requests/{change_id}/execute",
                "path": "/change-requests/none/execute",
            },
        )
    ]
