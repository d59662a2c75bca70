"""The end of a run: join the collected records into assets and relations.

Relations that depend on more than one object are built here: which workload consumes a
Secret (a Pod of a listed Deployment, DaemonSet or StatefulSet is represented by that
workload's template; bare Pods, and Pods whose controller is not a listed workload, by
themselves), the ServiceAccount image pull secrets a consumer inherits, the token Secrets
of each ServiceAccount, and which targets are missing. A target is flagged
``missing: true`` only when its absence is known: its kind was listed, and it lies in the
namespace scope (for ``token-of``, the flag means the Secret a ServiceAccount names is absent).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubeconnector.discovery.building import InventorySink, ModelBuilder, trusted
from kubeconnector.discovery.collector import Consumer, ListCollector
from kubeconnector.discovery.kinds import KIND_NAMES, OPAQUE_OR_OTHER, WORKLOAD_KINDS
from kubeconnector.discovery.relations import (
    CONSUMES_SECRET,
    TOKEN_OF,
    Edge,
    Key,
    SecretUse,
    consumes,
    runs_as,
    token_edges,
)
from kubeconnector.models.inventory import DiscoveredAsset, DiscoveredRelation

__all__ = ["Inventory", "Linked", "link", "trusted"]


@dataclass(frozen=True)
class Inventory:
    """What one run found, kept in memory (see `kubeconnector.discovery.collect`).

    Attributes:
        assets: Every object listed, by kind.
        relations: Every relation found.
        counts: Objects per listed kind.
        unlisted: Kinds that could not be listed, with the reason (``forbidden``,
            ``not-found``).
    """

    assets: list[DiscoveredAsset]
    relations: list[DiscoveredRelation]
    counts: dict[str, int]
    unlisted: dict[str, str]


@dataclass(frozen=True)
class Linked:
    """What linking a run told its sink, in numbers.

    Attributes:
        counts: Objects per listed kind.
        unlisted: Kinds that could not be listed, with the reason.
        relations: Relations handed to the sink.
    """

    counts: dict[str, int]
    unlisted: dict[str, str]
    relations: int


@dataclass(frozen=True)
class _Known:
    keys: Collection[Key]
    listed: frozenset[str]
    scope: str | None

    def missing(self, key: Key) -> bool:
        if self.scope is None:
            in_scope = True
        elif key[0] == "Namespace":  # only the scoped namespace itself is listed
            in_scope = key[2] == self.scope
        else:
            in_scope = not key[1] or key[1] == self.scope
        return in_scope and key[0] in self.listed and key not in self.keys


def link(
    collectors: Sequence[ListCollector],
    scope: str | None,
    sink: InventorySink,
    build: ModelBuilder,
) -> Linked:
    """Hand the sink the held Secrets, then every relation (the collectors are released).

    Args:
        collectors: Every list's collector; those with an ``error`` are left out.
        scope: The connector's namespace, or None.
        sink: Takes the assets and relations.
        build: Makes the models.
    """
    main = [c for c in collectors if not c.job.secret_type]
    unlisted = {c.job.kind.kind: c.error for c in main if c.error is not None}
    listed_ok = [c for c in main if c.error is None]
    keys: set[Key] = set().union(*(c.keys for c in listed_ok))
    accounts = {k: v for c in listed_ok for k, v in c.accounts.items()}
    known = _Known(keys, frozenset(KIND_NAMES) - set(unlisted), scope)
    types = _secret_types(collectors)
    secrets = [fields for c in listed_ok for fields in c.held]
    for fields in secrets:
        fields["details"]["type"] = types.of(_key_of(fields))
    sink.add_assets(build.asset(fields) for fields in secrets)
    edges = _edges(listed_ok, keys, secrets, accounts, known)
    counter = _Counter()
    sink.add_relations(counter.count(_relation(build, known, e) for e in edges))
    for collector in collectors:
        collector.release()
    counts = dict.fromkeys(sorted(known.listed), 0)
    for key in keys:
        counts[key[0]] += 1
    return Linked(counts, dict(unlisted), counter.seen)


class _Counter:
    def __init__(self) -> None:
        self.seen = 0

    def count(self, items: Iterable[DiscoveredRelation]) -> Iterator[DiscoveredRelation]:
        for item in items:
            self.seen += 1
            yield item


def _key_of(fields: Mapping[str, Any]) -> Key:
    return (fields["kind"], fields["namespace"], fields["name"])


def _relation(build: ModelBuilder, known: _Known, edge: Edge) -> DiscoveredRelation:
    # token-of edges carry their own missing flag (the ServiceAccount's listed secret).
    missing = edge.relation_type != TOKEN_OF and known.missing(edge.target)
    return build.relation(edge, missing)


def _edges(
    collectors: Sequence[ListCollector],
    keys: Collection[Key],
    secrets: Sequence[Mapping[str, Any]],
    accounts: Mapping[Key, Any],
    known: _Known,
) -> Iterator[Edge]:
    """Every edge; each collector's edges and consumers are released once yielded."""
    for collector in collectors:
        yield from collector.edges
        collector.edges = []
        for consumer in collector.consumers:
            yield from _consumer_edges(consumer, keys, accounts)
        collector.consumers = []
    yield from _account_pull_edges(accounts)
    yield from _token_edges(secrets, accounts, known)


def _is_sa(key: Key) -> bool:
    return key[0] == "ServiceAccount"


def _consumer_edges(
    consumer: Consumer, keys: Collection[Key], accounts: Mapping[Key, Any]
) -> Iterator[Edge]:
    key, namespace = consumer.key, consumer.key[1]
    controller = consumer.controller
    if controller is not None and controller[0] in WORKLOAD_KINDS and controller in keys:
        yield from consumes(key, namespace, consumer.ephemeral)
        return
    yield runs_as(key, consumer.service_account, consumer.automount)
    yield from consumes(key, namespace, consumer.uses)
    yield from consumes(key, namespace, consumer.ephemeral)
    if not consumer.pulls:
        yield from _inherited_pulls(consumer, accounts)


def _inherited_pulls(consumer: Consumer, accounts: Mapping[Key, Any]) -> Iterator[Edge]:
    account = ("ServiceAccount", consumer.key[1], consumer.service_account)
    for name in (accounts.get(account) or {}).get("imagePullSecrets") or ():
        attributes = SecretUse(name, "imagePullSecrets", "pull").attributes()
        attributes["service_account"] = account[2]
        yield Edge(CONSUMES_SECRET, consumer.key, ("Secret", account[1], name), attributes)


def _account_pull_edges(accounts: Mapping[Key, Any]) -> Iterator[Edge]:
    for key, details in accounts.items():
        uses = [SecretUse(name, "imagePullSecrets", "pull") for name in details["imagePullSecrets"]]
        yield from consumes(key, key[1], uses)


def _token_edges(
    secrets: Sequence[Mapping[str, Any]], accounts: Mapping[Key, Any], known: _Known
) -> Iterator[Edge]:
    listed_by: dict[Key, list[str]] = {}
    for account, details in accounts.items():
        for name in details["secrets"]:
            listed_by.setdefault(("Secret", account[1], name), []).append(account[2])
    for fields in secrets:
        key = _key_of(fields)
        secret_type = fields["details"]["type"] or OPAQUE_OR_OTHER
        yield from token_edges(key, secret_type, fields["annotations"], listed_by.get(key, ()))
    for secret, names in listed_by.items():
        if known.missing(secret):
            for name in names:
                target = ("ServiceAccount", secret[1], name)
                yield Edge(TOKEN_OF, secret, target, {"evidence": ["secrets"], "missing": True})


@dataclass(frozen=True)
class _SecretTypes:
    """Secret (namespace, name) -> type, and the type of the others (None: unknown)."""

    matched: dict[tuple[str, str], str]
    default: str | None

    def of(self, key: Key) -> str | None:
        return self.matched.get((key[1], key[2]), self.default)


def _secret_types(collectors: Iterable[ListCollector]) -> _SecretTypes:
    typed = [c for c in collectors if c.job.secret_type]
    matched: dict[tuple[str, str], str] = {}
    for collector in typed:
        for name in collector.names:
            matched[name] = str(collector.job.secret_type)
    complete = all(c.error is None for c in typed)
    return _SecretTypes(matched, OPAQUE_OR_OTHER if complete else None)
