"""Rendering of discovery runs, assets, one asset with its relations, and Secret consumers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text

from kubeconnector.cli.render.output import Output, details, styled, table
from kubeconnector.connectors import REFRESH_TEXT, AssetListing, AssetView, SecretConsumers
from kubeconnector.discovery import DiscoveryResult
from kubeconnector.models import Asset, AssetKey, Relation

DRIFT_SHOWN = 20
_REFRESH_STYLE = {"auto": "green", "restart": "yellow", "never": "red", "pull": "cyan"}


def discovery(out: Output, name: str, result: DiscoveryResult, first: bool = False) -> None:
    """A discovery run: counts per kind, kinds not listed, drift (unless it is the first)."""
    run = result.run
    out.line(
        f"discovery of {name}: {run.status.value} in {result.duration_s:.1f}s "
        f"({result.pages} pages, {result.relations} relations)",
        "bold green" if not result.forbidden_kinds else "bold yellow",
    )
    rows: list[tuple[str, str | Text]] = [(k, str(n)) for k, n in sorted(result.counts.items())]
    rows += [
        (kind, styled(f"not listed ({why})", "yellow")) for kind, why in result.unlisted.items()
    ]
    out.print(table(None, ("KIND", "OBJECTS"), rows))
    if first:
        out.line(f"first discovery: {sum(result.counts.values())} assets stored")
    else:
        _drift(out, result)


def _drift(out: Output, result: DiscoveryResult) -> None:
    drift = result.drift
    counts = drift.summary
    out.line(
        f"drift since the previous discovery: {counts.added} added, {counts.removed} removed, "
        f"{counts.changed} changed"
    )
    marked = [("+", k) for k in drift.added] + [("-", k) for k in drift.removed]
    marked += [("~", c.key) for c in drift.changed]
    for mark, key in marked[:DRIFT_SHOWN]:
        out.line(f"  {mark} {key}")
    if len(marked) > DRIFT_SHOWN:
        out.line(f"  ... and {len(marked) - DRIFT_SHOWN} more (--json lists them all)", "dim")


def asset_list(out: Output, listing: AssetListing) -> None:
    """Assets as a table, with the discovery run they come from."""
    if listing.run is None:
        name = listing.connector.name
        out.line(f"{name} was never discovered: run 'kubeconnector discover {name}'", "yellow")
        return
    rows = [
        (a.kind, a.namespace or None, _name(a), a.resource_version, _managed_by(a), summary(a))
        for a in listing.assets
    ]
    columns = ("KIND", "NAMESPACE", "NAME", "VERSION", "MANAGED BY", "SUMMARY")
    out.print(table(None, columns, rows))
    when = (listing.run.finished_at or listing.run.started_at).isoformat(timespec="seconds")
    out.line(f"{len(listing.assets)} assets, discovered {when}", "dim")


def asset_view(out: Output, view: AssetView) -> None:
    """One asset: its metadata, details and relations."""
    asset = view.asset
    rows = [
        ("asset", str(asset.key) + (" (deleted)" if asset.deleted else "")),
        ("uid", asset.uid),
        ("resource version", asset.resource_version),
        ("managed by", _managed_by(asset)),
        ("summary", summary(asset)),
        ("labels", _pairs(asset.labels)),
        ("annotations", _pairs(asset.annotations)),
        ("last seen", asset.last_seen.isoformat(timespec="seconds")),
    ]
    out.print(details(rows))
    relations = [("->", r.relation_type, str(r.target), _attributes(r)) for r in view.outgoing]
    relations += [("<-", r.relation_type, str(r.source), _attributes(r)) for r in view.incoming]
    out.print(table("Relations", ("", "RELATION", "OTHER", "HOW"), relations))


def consumers(out: Output, found: SecretConsumers) -> None:
    """Every consumer of a Secret, how, and whether it sees a new value by itself."""
    state = "" if found.secret is not None else " (not found: only referenced)"
    out.line(f"Secret {found.key.namespace}/{found.key.name}{state}", "bold")
    if found.secret is not None:
        out.line(summary(found.secret))
    if not found.consumers:
        out.line("nothing consumes it")
        return
    rows = [_consumer_row(r) for r in found.consumers]
    out.print(table(None, ("CONSUMER", "VIA", "CONTAINER", "DETAIL", "ON A NEW VALUE"), rows))
    tally = Counter(str(r.attributes.get("refresh", "")) for r in found.consumers)
    parts = ", ".join(f"{count} {refresh}" for refresh, count in sorted(tally.items()))
    who = len({r.source for r in found.consumers})
    out.line(f"{who} consumers, {len(found.consumers)} uses: {parts}", "dim")


_DETAIL_LABELS = (
    ("key", "key"),
    ("variable", "as"),
    ("prefix", "prefix"),
    ("volume", "volume"),
    ("mount_path", "at"),
    ("sub_path", "subPath"),
    ("service_account", "via ServiceAccount"),
)


def _consumer_row(relation: Relation) -> tuple[Any, ...]:
    attrs = relation.attributes
    refresh = str(attrs.get("refresh", ""))
    container = attrs.get("container")
    if container and attrs.get("container_kind") not in (None, "container"):
        container = f"{container} ({attrs['container_kind']})"
    detail = ", ".join(f"{label} {attrs[f]}" for f, label in _DETAIL_LABELS if attrs.get(f))
    if attrs.get("optional"):
        detail += " (optional)"
    reaction = styled(REFRESH_TEXT.get(refresh, refresh), _REFRESH_STYLE.get(refresh, ""))
    return (_key(relation.source), attrs.get("via"), container, detail, reaction)


def summary(asset: Asset) -> str:
    """A short description of an asset from its details (never a Secret value)."""
    describe = _SUMMARIES.get(asset.kind)
    return describe(asset.details) if describe else ""


def _secret(d: Mapping[str, Any]) -> str:
    keys = d.get("keys")
    names = f"; keys: {', '.join(keys)}" if isinstance(keys, list) else ""
    return f"type {d.get('type') or 'unknown'}{names}"


def _pod(d: Mapping[str, Any]) -> str:
    return (
        f"{d.get('phase')}, node {d.get('nodeName') or '-'}, runs as {d.get('serviceAccountName')}"
    )


def _workload(d: Mapping[str, Any]) -> str:
    images = ", ".join(d.get("images") or [])
    return f"{d.get('replicas')} replicas, runs as {d.get('serviceAccountName')}, {images}"


def _node(d: Mapping[str, Any]) -> str:
    state = "cordoned" if d.get("unschedulable") else "schedulable"
    return f"{state}, ready {d.get('ready')}, kubelet {d.get('kubeletVersion')}"


def _role(d: Mapping[str, Any]) -> str:
    aggregated = " (aggregated)" if d.get("aggregationRule") else ""
    return f"{len(d.get('rules') or [])} rules{aggregated}"


def _binding(d: Mapping[str, Any]) -> str:
    ref = d.get("roleRef") or {}
    subjects = ", ".join(f"{s.get('kind')} {s.get('name')}" for s in d.get("subjects") or [])
    return f"{ref.get('kind')} {ref.get('name')} -> {subjects or 'no subjects'}"


_SUMMARIES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "Secret": _secret,
    "Pod": _pod,
    "Deployment": _workload,
    "DaemonSet": _workload,
    "StatefulSet": _workload,
    "Node": _node,
    "Role": _role,
    "ClusterRole": _role,
    "RoleBinding": _binding,
    "ClusterRoleBinding": _binding,
    "Service": lambda d: f"{d.get('type')} {d.get('clusterIP') or ''}".strip(),
    # Only the account's own `secrets` field: token Secrets that name the account by annotation
    # are its token-of relations, shown with the relations.
    "ServiceAccount": lambda d: f"secrets field: {', '.join(d.get('secrets') or []) or 'empty'}",
    "Namespace": lambda d: str(d.get("phase") or ""),
}


def _name(asset: Asset) -> str:
    return asset.name + (" (deleted)" if asset.deleted else "")


def _managed_by(asset: Asset) -> str:
    tools = [str(m.get("type")) for m in asset.managers if m.get("type") != "field-manager"]
    return ", ".join(dict.fromkeys(tools))


def _pairs(values: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v[:60]}" for k, v in sorted(values.items()))


def _key(key: AssetKey) -> str:
    return f"{key.kind} {key.namespace}/{key.name}" if key.namespace else f"{key.kind} {key.name}"


def _attributes(relation: Relation) -> str:
    return ", ".join(f"{k}={v}" for k, v in relation.attributes.items() if v not in (None, False))
