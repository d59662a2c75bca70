"""Running one action call inside the lifecycle: the shared core of execute, rollback, resume.

`Executor.run` opens the connector's client (an audited decryption for ``change:<id>``),
moves an approved record to ``executing``, hands the action its context and a `StoreJournal`,
then records the outcome: ``verifying`` with the result, then ``completed``; or ``failed``
with the error's message (never a traceback, never a secret). `Executor.params` rebuilds an
action's typed parameters from the record: the clear ``--param`` pairs plus the sealed ones,
opened (and audited) for this operation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel, JsonValue

from kubeconnector.changes import lifecycle
from kubeconnector.changes.actions import action_for
from kubeconnector.changes.base import Action, ActionContext, ChangeOptions
from kubeconnector.changes.failpoints import Failpoints
from kubeconnector.changes.journal import Progress, StoreJournal
from kubeconnector.changes.value_digests import Digester
from kubeconnector.errors import KubeConnectorError
from kubeconnector.kube import ClientOptions, ClusterClient
from kubeconnector.models import Connector
from kubeconnector.models.changes import ChangeRecord, ChangeState, JsonObject, StepPhase
from kubeconnector.store.changes import ChangeRepository

log = logging.getLogger(__name__)

SEALED_PARAM = "param:"
"""Prefix of the sealed name under which a secret-carrying ``--param`` value is kept."""

ActionCall = Callable[[Action, ActionContext, BaseModel, StoreJournal], JsonObject]


class Connectors(Protocol):
    """What the engine needs from the connector service (`ConnectorService`)."""

    def get(self, ref: str) -> Connector:
        """The connector with this id or name."""
        ...

    def open_client(
        self,
        connector: Connector | str,
        operation: str,
        options: ClientOptions | None = None,
    ) -> AbstractContextManager[ClusterClient]:
        """Decrypt the connector's kubeconfig (an audited event) and yield a client."""
        ...


@dataclass(frozen=True)
class Outcome:
    """How one run ended.

    Attributes:
        record: The record afterwards.
        error: The error that failed it, if it failed.
    """

    record: ChangeRecord
    error: KubeConnectorError | None = None


@dataclass
class Executor:
    """Runs action calls for change records.

    Attributes:
        repo: The change records.
        connectors: Opens cluster clients.
        options: Timeouts and pacing for the actions.
        failpoints: The armed crash-test failpoint (none in production).
        actions: Finds an action's implementation.
        digests: Makes the digests of secret values (the installation's, keyed from the key
            ring; a random key when not given, consistent within this process only).
    """

    repo: ChangeRepository
    connectors: Connectors
    options: ChangeOptions = field(default_factory=ChangeOptions)
    failpoints: Failpoints = field(default_factory=Failpoints)
    actions: Callable[[str], Action] = action_for
    digests: Digester = field(default_factory=Digester.ephemeral)

    def move(self, change_id: str, to: ChangeState, actor: str, reason: str | None = None) -> None:
        """Commit one transition, then fire the ``transition:<state>`` failpoint."""
        with self.repo.locked(change_id) as tx:
            tx.transition(to, actor, reason)
        self.failpoints.hit("transition", to.value)

    def params(self, record: ChangeRecord, actor: str) -> tuple[Action, BaseModel]:
        """The record's action and typed parameters (secret ones opened, audited)."""
        action = self.actions(record.action.value)
        source = record.rollback_of or record.id
        raw = self.repo.raw_params(source)
        sealed = sorted(k for k, v in raw.items() if v is None)
        clear = {k: str(v) for k, v in raw.items() if v is not None}
        if sealed:
            of = source if source != record.id else None
            with self.repo.locked(record.id) as tx:
                for key in sealed:
                    value = tx.unseal(SEALED_PARAM + key, actor, f"change:{record.id}", of=of)
                    clear[key] = (value or b"").decode()
        return action, action.parse(clear)

    def run(
        self, record: ChangeRecord, actor: str, call: ActionCall, progress: Progress | None
    ) -> Outcome:
        """Run ``call`` for ``record`` and record how it ended.

        Raises:
            IllegalTransition: The record is not approved, executing or verifying.
            RecordNotFound: The connector was removed.
            CryptoError: The connector's kubeconfig does not decrypt.
        """
        action, params = self.params(record, actor)
        connector = self.connectors.get(record.connector_id)
        with self.connectors.open_client(connector, f"change:{record.id}") as client:
            ctx = ActionContext(
                client, connector, self.options, plan=record.plan, digests=self.digests
            )
            journal = StoreJournal(
                self.repo,
                record.id,
                actor,
                original=record.rollback_of,
                failpoints=self.failpoints,
                progress=progress,
            )
            if record.state == ChangeState.APPROVED:
                self.move(record.id, ChangeState.EXECUTING, actor)
            try:
                result = call(action, ctx, params, journal)
            except KubeConnectorError as exc:
                return Outcome(self.fail(record.id, actor, exc, action), exc)
            except Exception as exc:
                self.fail(record.id, actor, exc, action)
                raise
        return Outcome(self.complete(record.id, actor, result))

    def complete(self, change_id: str, actor: str, result: JsonObject) -> ChangeRecord:
        """Record the result: ``verifying`` (if not there yet), then ``completed``."""
        if self.repo.get(change_id).state == ChangeState.EXECUTING:
            with self.repo.locked(change_id) as tx:
                tx.transition(ChangeState.VERIFYING, actor, "every write is done", result=result)
            self.failpoints.hit("transition", ChangeState.VERIFYING.value)
        with self.repo.locked(change_id) as tx:
            tx.transition(ChangeState.COMPLETED, actor, "verified", result=result)
        self.failpoints.hit("transition", ChangeState.COMPLETED.value)
        return self.repo.get(change_id)

    def fail(self, change_id: str, actor: str, exc: BaseException, action: Action) -> ChangeRecord:
        """Record a failure (its message; for a bug, only its type) and what can follow."""
        message = describe(exc)
        log.info("change %s failed: %s", change_id, message)
        with self.repo.locked(change_id) as tx:
            record = tx.record
            wrote = any(s.phase == StepPhase.INTENT for s in record.steps)
            result: dict[str, JsonValue] = {**record.result, "error_type": _reason(exc)}
            if wrote and action.has_rollback and record.rollback_of is None:
                result["rollback"] = f"kubeconnector change rollback {change_id}"
            if lifecycle.allowed(record.state, ChangeState.FAILED):
                tx.transition(ChangeState.FAILED, actor, message, error=message, result=result)
            else:
                tx.update(error=message, result=result)
        return self.repo.get(change_id)


def describe(exc: BaseException) -> str:
    """A one-line account of an error (a kubeconnector error's own message, else its type)."""
    if isinstance(exc, KubeConnectorError):
        text = str(exc).strip().splitlines()
        return text[0] if text and text[0] else exc.reason
    return f"internal error ({type(exc).__name__}); see the logs"


def _reason(exc: BaseException) -> str:
    return exc.reason if isinstance(exc, KubeConnectorError) else type(exc).__name__
