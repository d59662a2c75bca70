"""Shared builders for the RBAC tests: an in-memory RBACSource and terse object constructors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kubesim.auth.user import Attributes, UserInfo

AUTH = "system:authenticated"


class FakeSource:
    """An in-memory RBACSource whose generation moves on every add."""

    def __init__(self, *objs: dict[str, Any]) -> None:
        self.objs = list(objs)
        self.generation = 0

    def add(self, obj: dict[str, Any]) -> None:
        self.objs.append(obj)
        self.generation += 1

    def _kind(self, kind: str, namespace: str = "") -> list[dict[str, Any]]:
        return [
            o
            for o in self.objs
            if o["kind"] == kind and o["metadata"].get("namespace", "") == namespace
        ]

    def cluster_role_bindings(self) -> Iterable[Mapping[str, Any]]:
        return self._kind("ClusterRoleBinding")

    def role_bindings(self, namespace: str) -> Iterable[Mapping[str, Any]]:
        return self._kind("RoleBinding", namespace)

    def cluster_role(self, name: str) -> Mapping[str, Any] | None:
        return next((o for o in self._kind("ClusterRole") if o["metadata"]["name"] == name), None)

    def role(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        found = self._kind("Role", namespace)
        return next((o for o in found if o["metadata"]["name"] == name), None)

    def cluster_roles(self) -> Iterable[Mapping[str, Any]]:
        return self._kind("ClusterRole")


def role(name: str, *rules: dict[str, Any], namespace: str = "") -> dict[str, Any]:
    meta = {"name": name, "namespace": namespace} if namespace else {"name": name}
    return {"kind": "Role" if namespace else "ClusterRole", "metadata": meta, "rules": list(rules)}


def binding(
    name: str, ref: str, subjects: list[dict[str, str]], namespace: str = ""
) -> dict[str, Any]:
    kind, _, role_name = ref.partition("/")
    meta = {"name": name, "namespace": namespace} if namespace else {"name": name}
    return {
        "kind": "RoleBinding" if namespace else "ClusterRoleBinding",
        "metadata": meta,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role_name},
        "subjects": subjects,
    }


def user(name: str) -> dict[str, str]:
    return {"kind": "User", "name": name}


def group(name: str) -> dict[str, str]:
    return {"kind": "Group", "name": name}


def sa(name: str, namespace: str = "") -> dict[str, str]:
    out = {"kind": "ServiceAccount", "name": name}
    if namespace:
        out["namespace"] = namespace
    return out


def rule(verbs: str, groups: str = "-", resources: str = "", names: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"verbs": verbs.split()}
    out["apiGroups"] = ["" if g == "-" else g for g in groups.split()]
    out["resources"] = resources.split()
    if names:
        out["resourceNames"] = names.split()
    return out


def urls(verbs: str, paths: str) -> dict[str, Any]:
    return {"verbs": verbs.split(), "nonResourceURLs": paths.split()}


def res(who: UserInfo, verb: str, resource: str, ns: str = "", name: str = "") -> Attributes:
    """A resource request; `resource` is `[group:]resource[/subresource]`."""
    group_name, _, rest = resource.rpartition(":")
    base, _, sub = rest.partition("/")
    return Attributes(who, verb, True, group_name, "v1", base, sub, ns, name)


def path(who: UserInfo, verb: str, url: str) -> Attributes:
    """A non-resource request."""
    return Attributes(who, verb, False, path=url)


def test_the_fake_source_scopes_role_bindings_to_their_namespace() -> None:
    source = FakeSource(binding("b", "Role/r", [user("u")], "ns1"))
    assert [b["metadata"]["name"] for b in source.role_bindings("ns1")] == ["b"]
    assert list(source.role_bindings("ns2")) == []
