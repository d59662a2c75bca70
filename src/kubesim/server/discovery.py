"""Discovery documents, legacy and aggregated, derived from the resource table.

The core group is served at `/api` (no `apiVersion` on its documents, as upstream); named
groups at `/apis`. Aggregated discovery (`apidiscovery.k8s.io` v2 and v2beta1) answers the
same content in one request when a client asks for it.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.resources import ResourceTable, ResourceType, Subresource
from kubesim.config import SimConfig

SERVER_ADDRESS = [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:6443"}]


def version_info(config: SimConfig) -> dict[str, str]:
    major, minor = config.kubernetes_version.split(".")[:2]
    return {
        "major": major,
        "minor": minor,
        "gitVersion": f"v{config.kubernetes_version}",
        "gitCommit": "39683505b630ff2121012f3c5b16215a1449d5ed",
        "gitTreeState": "clean",
        "buildDate": "2024-06-11T20:20:00Z",
        "goVersion": "go1.22.4",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def api_versions() -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": SERVER_ADDRESS}


def _gv(group: str, version: str) -> dict[str, str]:
    return {"groupVersion": f"{group}/{version}", "version": version}


def api_group(group: str, versions: tuple[str, ...]) -> dict[str, Any]:
    return {
        "name": group,
        "versions": [_gv(group, v) for v in versions],
        "preferredVersion": _gv(group, versions[0]),
    }


def api_group_list(table: ResourceTable) -> dict[str, Any]:
    groups = [api_group(g, versions) for g, versions in table.groups()]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def _resource_entry(res: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": res.resource,
        "singularName": res.singular,
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": list(res.verbs),
    }
    if res.short_names:
        entry["shortNames"] = list(res.short_names)
    if res.categories:
        entry["categories"] = list(res.categories)
    return entry


def _sub_entry(res: ResourceType, sub: Subresource) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": f"{res.resource}/{sub.name}",
        "singularName": "",
        "namespaced": res.namespaced,
    }
    if sub.group is not None:
        entry["group"] = sub.group
        entry["version"] = sub.version
    entry["kind"] = sub.kind
    entry["verbs"] = list(sub.verbs)
    return entry


def resource_list(table: ResourceTable, group: str, version: str) -> dict[str, Any] | None:
    resources = table.in_group_version(group, version)
    if not resources:
        return None
    entries: list[dict[str, Any]] = []
    for res in sorted(resources, key=lambda r: r.resource):
        entries.append(_resource_entry(res))
        entries += [_sub_entry(res, sub) for sub in sorted(res.subresources, key=lambda s: s.name)]
    doc: dict[str, Any] = {"kind": "APIResourceList"}
    if group:
        doc["apiVersion"] = "v1"
    doc["groupVersion"] = f"{group}/{version}" if group else version
    doc["resources"] = entries
    return doc


def _aggregated_resource(res: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": res.resource,
        "responseKind": {"group": res.group, "version": res.version, "kind": res.kind},
        "scope": "Namespaced" if res.namespaced else "Cluster",
        "singularResource": res.singular,
        "verbs": list(res.verbs),
    }
    if res.short_names:
        entry["shortNames"] = list(res.short_names)
    if res.categories:
        entry["categories"] = list(res.categories)
    subs = [
        {
            "subresource": sub.name,
            "responseKind": {
                "group": sub.group if sub.group is not None else res.group,
                "version": sub.version or res.version,
                "kind": sub.kind,
            },
            "verbs": list(sub.verbs),
        }
        for sub in sorted(res.subresources, key=lambda s: s.name)
    ]
    if subs:
        entry["subresources"] = subs
    return entry


def _aggregated_group(
    table: ResourceTable, group: str, versions: tuple[str, ...]
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": group} if group else {}
    meta["creationTimestamp"] = None
    return {
        "metadata": meta,
        "versions": [
            {
                "version": version,
                "resources": [
                    _aggregated_resource(r)
                    for r in sorted(
                        table.in_group_version(group, version), key=lambda r: r.resource
                    )
                ],
                "freshness": "Current",
            }
            for version in versions
        ],
    }


def aggregated(table: ResourceTable, core: bool, version: str) -> dict[str, Any]:
    """The APIGroupDiscoveryList for `/api` (core) or `/apis` (named groups)."""
    if core:
        items = [_aggregated_group(table, "", ("v1",))]
    else:
        items = [_aggregated_group(table, g, versions) for g, versions in table.groups()]
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }
