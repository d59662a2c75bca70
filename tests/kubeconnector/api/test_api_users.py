"""Users over HTTP (admin only): the token is answered once, never listed, never stored."""

from __future__ import annotations

import hashlib

from tests.kubeconnector.api.conftest import Api


def test_an_admin_adds_lists_and_removes_a_user(api: Api) -> None:
    added = api.call("admin", "POST", "/users", json={"name": "dana", "role": "approver"})
    assert added.status_code == 201, added.text
    assert added.headers["cache-control"] == "no-store"
    body = added.json()
    assert set(body) == {"name", "role", "created_at", "token"}
    assert (body["name"], body["role"]) == ("dana", "approver")
    api.tokens["dana"] = token = body["token"]
    assert api.call("dana", "GET", "/me").json() == {"name": "dana", "role": "approver"}

    listed = api.call("admin", "GET", "/users").json()
    assert [u["name"] for u in listed] == sorted(["admin", "approver", "approver2", "dana",
                                                  "operator", "viewer"])  # fmt: skip
    assert all(set(u) == {"name", "role", "created_at"} for u in listed)

    removed = api.call("admin", "DELETE", "/users/dana")
    assert removed.status_code == 204 and removed.content == b""
    assert api.call("dana", "GET", "/me").status_code == 401
    assert api.call("admin", "DELETE", "/users/dana").status_code == 404

    events = api.call("admin", "GET", "/audit", params={"actor": "admin"}).json()
    users = [(e["event_type"], e["payload"]) for e in events if e["resource_type"] == "user"]
    assert users == [
        ("user.created", {"name": "dana", "role": "approver"}),
        ("user.removed", {"name": "dana", "role": "approver"}),
    ]
    digest = hashlib.sha256(token.encode()).hexdigest()
    for text in api.seen[1:]:  # every answer after the one that gave the token
        assert token not in text and digest not in text
    for stored in api.settings.home.glob("kc.db*"):
        assert token.encode() not in stored.read_bytes()


def test_a_taken_name_or_an_unknown_role_is_refused(api: Api) -> None:
    taken = api.call("admin", "POST", "/users", json={"name": "viewer", "role": "viewer"})
    assert taken.status_code == 409 and taken.json()["reason"] == "AlreadyExists"
    unknown = api.call("admin", "POST", "/users", json={"name": "eve", "role": "root"})
    assert unknown.status_code == 422 and unknown.json()["reason"] == "Invalid"
    blank = api.call("admin", "POST", "/users", json={"name": "  ", "role": "viewer"})
    assert blank.status_code == 422
    assert [u["name"] for u in api.call("admin", "GET", "/users").json()].count("eve") == 0


def test_only_an_admin_manages_users(api: Api) -> None:
    for role in ("operator", "approver", "viewer"):
        assert api.call(role, "GET", "/users").status_code == 403
        made = api.call(role, "POST", "/users", json={"name": f"by-{role}", "role": "admin"})
        assert made.status_code == 403
        assert api.call(role, "DELETE", "/users/viewer").status_code == 403
    assert api.call("viewer", "GET", "/me").status_code == 200
    assert len(api.call("admin", "GET", "/users").json()) == 5
