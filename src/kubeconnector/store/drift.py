"""Drift between the stored inventory and what a discovery run saw (pure computation).

A run's assets arrive in batches; `DriftTracker` compares each with what the inventory
remembers of it (`KnownAsset`: key columns, uid, resourceVersion and a digest of the stored
metadata) and says what the store must do with it. Once every batch is in, it names the assets
that disappeared and builds the `Drift`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import Enum

from kubeconnector.errors import InvalidInput
from kubeconnector.models.inventory import AssetChange, AssetKey, Drift

KeyTuple = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class KnownAsset:
    """What the inventory remembers of an asset, for comparison.

    Attributes:
        id: The row's id.
        uid: ``metadata.uid`` of the incarnation stored.
        resource_version: ``metadata.resourceVersion`` stored.
        deleted: A run found it gone.
        digest: `content_digest` of the stored metadata.
    """

    id: str
    uid: str
    resource_version: str
    deleted: bool
    digest: bytes


class Action(Enum):
    """What storing a seen asset takes."""

    INSERT = "insert"  # never stored: a new row
    RENEW = "renew"  # a new incarnation, or back after removal: rewrite, first_seen restarts
    REWRITE = "rewrite"  # its metadata differs: rewrite, first_seen kept
    TOUCH = "touch"  # identical: only last_seen and last_run_id move


def content_digest(parts: Iterable[str]) -> bytes:
    """A digest of an asset's stored metadata (api_version and the JSON texts, in order)."""
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).digest()


def key_text(key: KeyTuple) -> str:
    """``str(AssetKey)`` of a key tuple (the drift lists are sorted by it)."""
    return "/".join(part for part in key if part)


@dataclass
class DriftTracker:
    """Compares a run's assets, as they arrive, with the stored inventory.

    Args:
        known: The stored assets (deleted ones included) by ``(kind, namespace, name)``.
    """

    known: dict[KeyTuple, KnownAsset]
    _seen: set[KeyTuple] = field(default_factory=set)
    _added: list[KeyTuple] = field(default_factory=list)
    _changed: list[tuple[KeyTuple, KnownAsset, str, bool]] = field(default_factory=list)

    def see(
        self, key: KeyTuple, uid: str, resource_version: str, digest: Callable[[], bytes]
    ) -> tuple[Action, KnownAsset | None]:
        """Record that the run saw an asset; return what storing it takes and its stored self.

        Args:
            key: Its ``(kind, namespace, name)``.
            uid: Its uid.
            resource_version: Its resourceVersion.
            digest: Computes `content_digest` of its metadata (only called when needed).

        Raises:
            InvalidInput: The run saw this key before.
        """
        if key in self._seen:
            raise InvalidInput(
                f"asset {key_text(key)} appears twice in one discovery run", "assets"
            )
        self._seen.add(key)
        prior = self.known.get(key)
        if prior is None or prior.deleted:
            self._added.append(key)
            return (Action.INSERT if prior is None else Action.RENEW), prior
        if prior.uid != uid or prior.resource_version != resource_version:
            self._changed.append((key, prior, resource_version, prior.uid != uid))
            return (Action.RENEW if prior.uid and prior.uid != uid else Action.REWRITE), prior
        return (Action.TOUCH if digest() == prior.digest else Action.REWRITE), prior

    def removed(self, forbidden_kinds: Collection[str]) -> list[tuple[KeyTuple, KnownAsset]]:
        """Live stored assets the run did not see, except those of kinds it could not list."""
        return [
            (key, known)
            for key, known in self.known.items()
            if not known.deleted and key not in self._seen and key[0] not in forbidden_kinds
        ]

    def drift(self, removed: Iterable[KeyTuple]) -> Drift:
        """The drift: added, removed and changed assets, each sorted by key."""
        changed = sorted(self._changed, key=lambda item: key_text(item[0]))
        return Drift(
            added=_keys(self._added),
            removed=_keys(removed),
            changed=tuple(
                AssetChange(
                    key=_key(key),
                    old_resource_version=prior.resource_version,
                    new_resource_version=new_version,
                    recreated=recreated,
                )
                for key, prior, new_version, recreated in changed
            ),
        )


def _keys(keys: Iterable[KeyTuple]) -> tuple[AssetKey, ...]:
    return tuple(_key(key) for key in sorted(keys, key=key_text))


def _key(key: KeyTuple) -> AssetKey:
    return AssetKey(kind=key[0], namespace=key[1], name=key[2])
