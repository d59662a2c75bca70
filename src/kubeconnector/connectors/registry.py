"""The connector registry: register, list, show, update and remove connectors; open a cluster
client for one; test its connection.

Every kubeconfig is validated (`kubeconnector.connectors.intake`) before anything is stored,
and stored sealed. Every decryption of a connector's credentials appends a
``connector.decrypted`` ledger event naming the actor, the connector and the operation
(``test``, ``discover``, ``change:<id>``...) before the credentials are used; if the event
cannot be written, the credentials are not used. Registering, updating, removing and testing
are ledger events too (``connector.created``, ``connector.updated``, ``connector.removed``,
``connector.tested``); none carries a credential.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

from kubeconnector.connectors.connection import ConnectionReport, check_connection
from kubeconnector.connectors.intake import (
    Intake,
    check_name,
    check_namespace,
    parse_environment,
    take_kubeconfig,
)
from kubeconnector.errors import InvalidInput
from kubeconnector.kube import ClientOptions, ClusterClient, KubeconfigSummary, parse_kubeconfig
from kubeconnector.models import Connector, ConnectorUpdate, Environment, NewConnector
from kubeconnector.store import AuditLog, ConnectorRepository

RESOURCE = "connector"
CREATED = "connector.created"
UPDATED = "connector.updated"
REMOVED = "connector.removed"
DECRYPTED = "connector.decrypted"
TESTED = "connector.tested"

_OPERATION = re.compile(r"[a-z][a-z0-9-]{0,31}(?::[A-Za-z0-9._-]{1,200})?")


@dataclass(frozen=True)
class Registration:
    """A connector as registered or updated, with what was noticed about its kubeconfig.

    Attributes:
        connector: The stored connector.
        summary: What may be shown about the kubeconfig (None when it was not replaced).
        notices: Warnings about the pasted document only (e.g. other contexts ignored).
    """

    connector: Connector
    summary: KubeconfigSummary | None
    notices: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready registration."""
        return {
            "connector": self.connector.model_dump(mode="json"),
            "kubeconfig": self.summary.to_dict() if self.summary else None,
            "notices": list(self.notices),
        }


class ConnectorService:
    """Registers connectors and hands out their cluster clients, auditing every decryption.

    Args:
        repository: Where connectors are stored (sealed kubeconfigs).
        audit: The ledger.
        actor: Who is acting (recorded in every event).
        client_options: How clients talk to clusters (timeouts, retries).
    """

    def __init__(
        self,
        repository: ConnectorRepository,
        audit: AuditLog,
        actor: str,
        *,
        client_options: ClientOptions | None = None,
    ) -> None:
        self._repository = repository
        self._audit = audit
        self._actor = actor
        self._options = client_options

    def add(
        self,
        name: str,
        kubeconfig: str,
        *,
        context: str | None = None,
        namespace: str | None = None,
        environment: Environment | str = Environment.DEV,
    ) -> Registration:
        """Validate a kubeconfig and register a connector with it, sealed.

        Args:
            name: Unique name, e.g. ``prod-k8s``.
            kubeconfig: The pasted kubeconfig YAML.
            context: The context to use (default: the kubeconfig's current-context).
            namespace: Limit discovery to this namespace (default: all namespaces).
            environment: ``prod``, ``staging`` or ``dev``.

        Raises:
            InvalidInput: The name, namespace or environment is invalid.
            KubeconfigError: The kubeconfig is refused (nothing is stored).
            RecordExists: The name is taken.
        """
        new = _new_connector(name, namespace, environment)
        intake = take_kubeconfig(kubeconfig, context)
        record = NewConnector(
            **new,
            context=intake.resolved.context,
            server=intake.resolved.server,
            warnings=intake.warnings,
        )
        connector = self._repository.add(record, intake.stored)
        self._event(CREATED, connector, _created_payload(connector, intake))
        return Registration(connector, intake.summary, intake.notices)

    def list(self) -> list[Connector]:
        """Every connector, by name."""
        return self._repository.list()

    def get(self, ref: str) -> Connector:
        """A connector by name or id.

        Raises:
            RecordNotFound: No such connector.
        """
        return self._repository.get(ref)

    def update(
        self,
        ref: str,
        *,
        kubeconfig: str | None = None,
        context: str | None = None,
        namespace: str | None = None,
        all_namespaces: bool = False,
        environment: Environment | str | None = None,
    ) -> Registration:
        """Change a connector: replace its kubeconfig, scope or environment.

        Args:
            ref: The connector's name or id.
            kubeconfig: A new kubeconfig (validated as for `add`).
            context: The context of the new kubeconfig to use (needs ``kubeconfig``).
            namespace: A new namespace to limit discovery to.
            all_namespaces: Lift the namespace limit.
            environment: A new environment.

        Raises:
            InvalidInput: Nothing to change, or contradictory or invalid values.
            KubeconfigError: The new kubeconfig is refused (nothing is changed).
            RecordNotFound: No such connector.
        """
        current = self.get(ref)
        changes, intake = _changes(kubeconfig, context, namespace, all_namespaces, environment)
        stored = intake.stored if intake else None
        connector = self._repository.update(current.id, changes, stored)
        changed: list[JsonValue] = [*sorted(changes.model_fields_set - {"warnings", "server"})]
        payload: dict[str, JsonValue] = {
            "name": connector.name,
            "fields": changed,
            "kubeconfigReplaced": intake is not None,
        }
        self._event(UPDATED, connector, payload)
        return Registration(
            connector, intake.summary if intake else None, intake.notices if intake else ()
        )

    def remove(self, ref: str) -> Connector:
        """Remove a connector and its inventory (its ledger events stay).

        Raises:
            RecordNotFound: No such connector.
        """
        removed = self._repository.remove(self.get(ref).id)
        self._event(REMOVED, removed, {"name": removed.name})
        return removed

    @contextmanager
    def open_client(
        self,
        connector: Connector | str,
        operation: str,
        options: ClientOptions | None = None,
    ) -> Iterator[ClusterClient]:
        """Decrypt a connector's kubeconfig (audited) and yield a client, closed afterwards.

        Args:
            connector: The connector, or its name or id.
            operation: Why: ``test``, ``discover``, ``change:<id>``...
            options: Client options (default: the service's).

        Raises:
            InvalidInput: ``operation`` is not a short lower-case word, optionally
                followed by ``:<id>``.
            RecordNotFound: No such connector.
            CryptoError: The kubeconfig does not decrypt with the key ring.
        """
        if not _OPERATION.fullmatch(operation):
            raise InvalidInput(f"operation {operation[:40]!r} is not a valid name", "operation")
        found = connector if isinstance(connector, Connector) else self.get(connector)
        client = self._client(found, operation, options or self._options)
        try:
            yield client
        finally:
            client.close()

    def test(self, ref: str, *, namespaces: Sequence[str] = ()) -> ConnectionReport:
        """Test a connector's connection: version, identity, permissions and their fix.

        Args:
            ref: The connector's name or id.
            namespaces: More namespaces to review besides the connector's own.

        Raises:
            RecordNotFound: No such connector.
            CryptoError: The kubeconfig does not decrypt.
        """
        connector = self.get(ref)
        checked = [check_namespace(ns) for ns in namespaces]
        with self.open_client(connector, "test") as client:
            report = check_connection(client, connector, namespaces=[ns for ns in checked if ns])
        self._event(TESTED, connector, _tested_payload(report))
        return report

    def _client(
        self, connector: Connector, operation: str, options: ClientOptions | None
    ) -> ClusterClient:
        text = self._repository.kubeconfig(connector.id)
        payload: dict[str, JsonValue] = {"name": connector.name, "operation": operation}
        self._event(DECRYPTED, connector, payload)
        return ClusterClient(parse_kubeconfig(text, connector.context), options)

    def _event(self, event_type: str, connector: Connector, payload: dict[str, JsonValue]) -> None:
        self._audit.append(self._actor, event_type, RESOURCE, connector.id, payload)


def _new_connector(
    name: str, namespace: str | None, environment: Environment | str
) -> dict[str, Any]:
    return {
        "name": check_name(name),
        "namespace": check_namespace(namespace),
        "environment": parse_environment(environment),
    }


def _changes(
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    all_namespaces: bool,
    environment: Environment | str | None,
) -> tuple[ConnectorUpdate, Intake | None]:
    if context and kubeconfig is None:
        raise InvalidInput("a context can only be chosen together with a new kubeconfig", "context")
    if namespace and all_namespaces:
        raise InvalidInput("give a namespace or all namespaces, not both", "namespace")
    fields: dict[str, Any] = {}
    if environment is not None:
        fields["environment"] = parse_environment(environment)
    if namespace or all_namespaces:
        fields["namespace"] = check_namespace(namespace)
    intake = take_kubeconfig(kubeconfig, context) if kubeconfig is not None else None
    if intake is not None:
        fields.update(
            context=intake.resolved.context, server=intake.resolved.server, warnings=intake.warnings
        )
    if not fields:
        raise InvalidInput("nothing to change: give a kubeconfig, namespace or environment")
    return ConnectorUpdate(**fields), intake


def _created_payload(connector: Connector, intake: Intake) -> dict[str, JsonValue]:
    return {
        "name": connector.name,
        "environment": connector.environment.value,
        "context": connector.context,
        "namespace": connector.namespace,
        "server": connector.server,
        "authKind": intake.resolved.auth_kind,
        "warnings": list(connector.warnings),
    }


def _tested_payload(report: ConnectionReport) -> dict[str, JsonValue]:
    payload: dict[str, JsonValue] = {"name": report.connector.name, "connected": report.connected}
    if report.problem is not None:
        payload["problem"] = report.problem.category
    if report.identity is not None:
        payload["identity"] = report.identity.username
    if report.version is not None:
        payload["version"] = report.version.git_version
    if report.permissions is not None:
        payload["missing"] = [str(c.permission) for c in report.permissions.missing()]
    return payload
