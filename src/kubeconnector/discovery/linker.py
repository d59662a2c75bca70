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
from typing import Any, TypeVar

from pydantic import BaseModel

from kubeconnector.discovery.collector import Consumer, ListCollector, ObjectRecord
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
from kubeconnector.models.inventory import AssetKey, DiscoveredAsset, DiscoveredRelation


@dataclass(frozen=True)
class Inventory:
    """What one run found, ready to store.

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


def link(collectors: Sequence[ListCollector], scope: str | None) -> Inventory:
    """Turn the collected lists into an `Inventory` (the collectors are emptied).

    Args:
        collectors: Every list's collector; those with an ``error`` are left out.
        scope: The connector's namespace, or None.
    """
    main = [c for c in collectors if not c.job.secret_type]
    unlisted = {c.job.kind.kind: c.error for c in main if c.error is not None}
    records: dict[Key, ObjectRecord] = {}
    for collector in main:
        if collector.error is None:
            records.update(collector.records)
        collector.records = {}
    listed = frozenset(KIND_NAMES) - set(unlisted)
    known = _Known(records.keys(), listed, scope)
    types = _secret_types(collectors)
    build = _Builder(known)
    relations = [build.relation(edge) for edge in _edges(records, types, known)]
    counts = dict.fromkeys(sorted(listed), 0)
    for key in records:
        counts[key[0]] += 1
    return Inventory(_assets(records, types, build), relations, counts, dict(unlisted))


def _edges(
    records: Mapping[Key, ObjectRecord], types: _SecretTypes, known: _Known
) -> Iterator[Edge]:
    """Every edge; each record's edges and consumer are released once yielded."""
    accounts = {key: record.fields["details"] for key, record in records.items() if _is_sa(key)}
    for record in records.values():
        yield from record.edges
        record.edges = []
        if record.consumer is not None:
            yield from _consumer_edges(record.consumer, records, accounts)
            record.consumer = None
    yield from _account_pull_edges(accounts)
    yield from _token_edges(records, types, accounts, known)


def _is_sa(key: Key) -> bool:
    return key[0] == "ServiceAccount"


def _consumer_edges(
    consumer: Consumer, records: Mapping[Key, ObjectRecord], accounts: Mapping[Key, Any]
) -> Iterator[Edge]:
    key, namespace = consumer.key, consumer.key[1]
    controller = consumer.controller
    if controller is not None and controller[0] in WORKLOAD_KINDS and controller in records:
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
    records: Mapping[Key, ObjectRecord],
    types: _SecretTypes,
    accounts: Mapping[Key, Any],
    known: _Known,
) -> Iterator[Edge]:
    listed_by: dict[Key, list[str]] = {}
    for account, details in accounts.items():
        for name in details["secrets"]:
            listed_by.setdefault(("Secret", account[1], name), []).append(account[2])
    for key, record in records.items():
        if key[0] == "Secret":
            secret_type = types.of(key) or OPAQUE_OR_OTHER
            annotations = record.fields["annotations"]
            yield from token_edges(key, secret_type, annotations, listed_by.get(key, ()))
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


class _Builder:
    """Builds the models of a run cheaply: values are trusted, and equal keys share one model."""

    _ASSET_FIELDS = set(DiscoveredAsset.model_fields)
    _RELATION_FIELDS = set(DiscoveredRelation.model_fields)
    _KEY_FIELDS = set(AssetKey.model_fields)

    def __init__(self, known: _Known) -> None:
        self._known = known
        self._keys: dict[Key, AssetKey] = {}
        self._validated: set[str] = set()

    def relation(self, edge: Edge) -> DiscoveredRelation:
        attributes = edge.attributes
        if edge.relation_type != TOKEN_OF and self._known.missing(edge.target):
            attributes = {**attributes, "missing": True}
        values = {
            "relation_type": edge.relation_type,
            "source": self.key(edge.source),
            "target": self.key(edge.target),
            "attributes": attributes,
        }
        return trusted(DiscoveredRelation, values, self._RELATION_FIELDS)

    def key(self, key: Key) -> AssetKey:
        model = self._keys.get(key)
        if model is None:
            values = {"kind": key[0], "namespace": key[1], "name": key[2]}
            model = self._keys[key] = trusted(AssetKey, values, self._KEY_FIELDS)
        return model

    def asset(self, fields: dict[str, Any]) -> DiscoveredAsset:
        # The first object of each kind is validated; the rest share its shape.
        if fields["kind"] not in self._validated:
            self._validated.add(fields["kind"])
            return DiscoveredAsset.model_validate(fields)
        return trusted(DiscoveredAsset, fields, self._ASSET_FIELDS)


_Model = TypeVar("_Model", bound=BaseModel)


def trusted(cls: type[_Model], values: dict[str, Any], fields_set: set[str]) -> _Model:
    """What ``cls.model_construct(**values)`` returns, for values that name every field.

    ``model_construct`` walks every field looking for aliases and defaults, and gives each
    instance its own field-name set; a run builds about a hundred thousand models, so this
    takes ``values`` as the instance dict and shares ``fields_set``. Only for models without
    aliases, extra fields, private attributes or ``model_post_init`` (checked in the tests).
    """
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def _assets(
    records: dict[Key, ObjectRecord], types: _SecretTypes, build: _Builder
) -> list[DiscoveredAsset]:
    assets: list[DiscoveredAsset] = []
    for key in list(records):
        fields = records.pop(key).fields
        if key[0] == "Secret":
            fields["details"]["type"] = types.of(key)
        assets.append(build.asset(fields))
    return assets
