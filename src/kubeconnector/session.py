"""The Python API: one `Session` per acting user, over one database and one key ring.

    with Session(Settings.from_env(os.environ), actor="alice") as session:
        session.connectors.add("prod-k8s", kubeconfig_text, environment="prod")
        report = session.connectors.test("prod-k8s")
        result = session.discovery.run("prod-k8s")
        session.assets.consumers("prod-k8s", "secret/shop/db-credentials")
        session.rbac.who_can("prod-k8s", "get", "secrets", namespace="shop")
        session.keys.rotate()

The CLI and the HTTP API are thin layers over it. The database is opened (and migrated to the
newest schema) and the key ring loaded at first use, once per session; every ledger event the
session writes names its actor.

The acting user (`resolve_actor`) is, in order: the one given explicitly (``--as``),
``KUBECONNECTOR_USER``, the operating-system login name (``$USER``, ``$LOGNAME``, then the
account of the process's user id), and ``unknown`` when none of these exists.
"""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Mapping
from functools import cached_property
from types import TracebackType

from pydantic import JsonValue

from kubeconnector.changes.base import ChangeOptions
from kubeconnector.changes.service import ChangeService, build_service
from kubeconnector.connectors import DECRYPTED, ConnectorService, InventoryService
from kubeconnector.crypto import KeyRing, RotationResult, load_key_ring, rotate_master_key
from kubeconnector.discovery import DiscoveryResult, ProgressCallback, discover
from kubeconnector.errors import InvalidInput, KubeConnectorError
from kubeconnector.kube import ClientOptions
from kubeconnector.models import DiscoveryRun
from kubeconnector.rbac.service import RbacService
from kubeconnector.settings import Settings
from kubeconnector.store import (
    AssetRepository,
    AuditLog,
    ConnectorRepository,
    Database,
    SealedValues,
)

UNKNOWN_ACTOR = "unknown"
MAX_ACTOR = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def resolve_actor(
    explicit: str | None, settings: Settings, environ: Mapping[str, str] | None = None
) -> str:
    """The acting user: ``explicit``, ``KUBECONNECTOR_USER``, the login name, or ``unknown``.

    Raises:
        InvalidInput: The chosen name is blank, too long or holds control characters.
    """
    if explicit is not None:
        return check_actor(explicit)
    env = os.environ if environ is None else environ
    for candidate in (settings.user, env.get("USER"), env.get("LOGNAME"), _account_name()):
        if candidate and candidate.strip():
            return check_actor(candidate)
    return UNKNOWN_ACTOR


def check_actor(actor: str) -> str:
    """An actor name, checked.

    Raises:
        InvalidInput: Blank, longer than 255 characters, or holding control characters.
    """
    actor = actor.strip()
    if not actor or len(actor) > MAX_ACTOR or _CONTROL.search(actor):
        raise InvalidInput(
            f"the acting user must be 1 to {MAX_ACTOR} printable characters", "actor"
        )
    return actor


def _account_name() -> str | None:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, OSError):
        return None


class _CurrentRing:
    """The session's key ring as it is now (a rotation replaces it)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def active_kid(self) -> str:
        return self._session.ring.active_kid

    def encrypt(self, plaintext: bytes, aad: bytes) -> str:
        return self._session.ring.encrypt(plaintext, aad)

    def decrypt(self, sealed: str, aad: bytes) -> bytes:
        return self._session.ring.decrypt(sealed, aad)

    def derive_key(self, info: bytes) -> bytes:
        return self._session.ring.derive_key(info)


class DiscoveryApi:
    """Discovery runs of a session's connectors (each run audited).

    Args:
        connectors: Opens connectors' clients.
        assets: Where inventories are stored.
        audit: The ledger.
        actor: Who is acting.
    """

    def __init__(
        self, connectors: ConnectorService, assets: AssetRepository, audit: AuditLog, actor: str
    ) -> None:
        self._connectors = connectors
        self._assets = assets
        self._audit = audit
        self._actor = actor

    def run(self, ref: str, *, progress: ProgressCallback | None = None) -> DiscoveryResult:
        """Discover a connector's cluster and store the inventory as a new run.

        Args:
            ref: The connector's name or id.
            progress: Called after every page and stage.

        Raises:
            RecordNotFound: No such connector.
            ClusterError: Listing failed (the run is stored as failed).
        """
        connector = self._connectors.get(ref)
        with self._connectors.open_client(connector, "discover") as client:
            try:
                result = discover(client, connector, self._assets, progress=progress)
            except KubeConnectorError as err:
                failed: dict[str, JsonValue] = {"name": connector.name, "error": err.reason}
                self._event("discovery.failed", connector.id, failed)
                raise
        self._event("discovery.completed", connector.id, _completed(connector.name, result))
        return result

    def runs(self, ref: str, limit: int = 20) -> list[DiscoveryRun]:
        """A connector's most recent runs, newest first."""
        return self._assets.list_runs(self._connectors.get(ref).id, limit=limit)

    def _event(self, event_type: str, connector_id: str, payload: dict[str, JsonValue]) -> None:
        self._audit.append(self._actor, event_type, "connector", connector_id, payload)


def _completed(name: str, result: DiscoveryResult) -> dict[str, JsonValue]:
    counts: dict[str, JsonValue] = dict(result.counts)
    drift: dict[str, JsonValue] = dict(result.drift.summary.model_dump())
    return {
        "name": name,
        "runId": result.run.id,
        "status": result.run.status.value,
        "counts": counts,
        "forbiddenKinds": list(result.forbidden_kinds),
        "drift": drift,
        "relations": result.relations,
    }


class KeysApi:
    """The master key ring of a session.

    Args:
        session: The session whose database and ring are used.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def rotate(self) -> RotationResult:
        """Make a new active key, reseal every stored ciphertext with it, retire old keys.

        Resealing opens every connector's kubeconfig, so each connector gets a
        ``connector.decrypted`` event (operation ``rotate-keys``) once the rotation committed,
        then a ``keys.rotated`` event records the rotation.

        Raises:
            ConfigError: The ring comes from ``KUBECONNECTOR_MASTER_KEY`` with a single key (the
                message says how to provide the new ring).
            CryptoError: A stored ciphertext does not open; nothing was changed.
        """
        session = self._session
        result = rotate_master_key(session.settings, SealedValues(session.database))
        session.reload_ring()
        for connector in session.connectors.list():
            opened: dict[str, JsonValue] = {"name": connector.name, "operation": "rotate-keys"}
            session.audit.append(session.actor, DECRYPTED, "connector", connector.id, opened)
        payload: dict[str, JsonValue] = {
            "source": result.source,
            "activeKid": result.active_kid,
            "resealed": result.resealed,
            "retiredKids": list(result.retired_kids),
            "keptKids": list(result.kept_kids),
        }
        session.audit.append(session.actor, "keys.rotated", "keyring", result.active_kid, payload)
        return result


class Session:
    """kubeconnector for one acting user: connectors, discovery, assets, RBAC, keys, ledger.

    Args:
        settings: Where the database and the key ring are.
        actor: Who is acting (see `resolve_actor`).
        client_options: How clients talk to clusters (default timeouts and retries).
        database: An opened database to share (default: opened at first use, closed by
            `close`).

    Raises:
        InvalidInput: The actor name is invalid.
    """

    def __init__(
        self,
        settings: Settings,
        actor: str,
        *,
        client_options: ClientOptions | None = None,
        database: Database | None = None,
    ) -> None:
        self.settings = settings
        self.actor = check_actor(actor)
        self._client_options = client_options
        # A database handed in is shared with other sessions (a server's); it stays open.
        self._database: Database | None = database
        self._owns_database = database is None
        self._ring: KeyRing | None = None

    @classmethod
    def from_env(
        cls, actor: str | None = None, environ: Mapping[str, str] | None = None
    ) -> Session:
        """A session configured from the environment (see `kubeconnector.settings`).

        Raises:
            ConfigError: A setting is unusable.
            InvalidInput: The actor name is invalid.
        """
        env = os.environ if environ is None else environ
        settings = Settings.from_env(env)
        return cls(settings, resolve_actor(actor, settings, env))

    @property
    def database(self) -> Database:
        """The database, opened and migrated at first use."""
        if self._database is None:
            self._database = Database.open(self.settings.database_url)
        return self._database

    @property
    def ring(self) -> KeyRing:
        """The key ring, loaded (the key file created if needed) at first use."""
        if self._ring is None:
            self._ring = load_key_ring(self.settings)
        return self._ring

    def reload_ring(self) -> None:
        """Forget the loaded key ring (after a rotation); the next use loads it again."""
        self._ring = None

    @cached_property
    def audit(self) -> AuditLog:
        """The ledger."""
        return AuditLog(self.database)

    @cached_property
    def connectors(self) -> ConnectorService:
        """Register, list, show, update, remove and test connectors."""
        repository = ConnectorRepository(self.database, _CurrentRing(self))
        return ConnectorService(
            repository, self.audit, self.actor, client_options=self._client_options
        )

    @cached_property
    def discovery(self) -> DiscoveryApi:
        """Discovery runs."""
        return DiscoveryApi(self.connectors, self._inventory, self.audit, self.actor)

    @cached_property
    def assets(self) -> InventoryService:
        """The stored inventories: assets, relations, Secret consumers."""
        return InventoryService(self._inventory, self.connectors)

    @cached_property
    def rbac(self) -> RbacService:
        """RBAC inspection from the stored inventories."""
        return RbacService(self._inventory, self.connectors)

    @cached_property
    def keys(self) -> KeysApi:
        """The master key ring."""
        return KeysApi(self)

    def changes(self, options: ChangeOptions | None = None) -> ChangeService:
        """The change lifecycle (plan, approve, execute, ...) over this session's ledger."""
        return build_service(
            self.database, _CurrentRing(self), self.audit, self.connectors, self.settings, options
        )

    @cached_property
    def _inventory(self) -> AssetRepository:
        return AssetRepository(self.database)

    def close(self) -> None:
        """Close the database connections."""
        if self._database is not None and self._owns_database:
            self._database.dispose()

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Session(actor={self.actor!r}, home={str(self.settings.home)!r})"
