"""The contract between the change engine and the actions.

The engine (`kubeconnector.changes.service`) owns the lifecycle, approvals, the ledger and crash
recovery; an action owns what it does to a cluster. An action never touches the database: it
reads and writes the cluster through `ActionContext.client` and records everything that must
survive a crash through the `Journal` the engine hands it.

Rules every action follows:

- `plan` is read-only: it checks, dry-runs the exact write (`dryRun=All`), diffs and assesses
  impact. It may be called again before execution to re-check.
- `execute` first calls `journal.save_snapshot(...)` with exactly the fields it will change (the
  engine seals it), then for every write: `journal.intent(step, detail)` BEFORE sending it, the
  write guarded by a resourceVersion precondition, and `journal.done(step, detail)` after. The
  engine persists each entry before returning, so a process killed at any point leaves a journal
  that says which writes may have been sent.
- `resume` looks at the journal and the live cluster and decides, per step, whether the write
  happened (the live object shows it), did not happen (the live resourceVersion is still the
  precondition) or cannot be known; it finishes the work without ever sending a write twice.
- `rollback` restores exactly the snapshot's fields, with a resourceVersion precondition, after
  checking that the target still is in the state the change left it in (else `RollbackRefused`
  naming what changed, unless `force`).
- Nothing an action puts in a `Step`, a result, an exception or a log carries a Secret value.

What the engine does around these calls (`kubeconnector.changes.service`):

- `secret_params` names each value by the ``--param`` key that carried it (e.g.
  ``value.password``); the engine stores the other raw parameters in clear, seals these, and
  rebuilds the raw mapping for `parse` when it executes, resumes or rolls back.
- A rollback runs as its own record with its own journal: there `snapshot()` and `unseal()`
  fall back to the change being reversed, and `steps()` are the rollback's own. An interrupted
  rollback is finished by calling `rollback` again with that journal, so `rollback` follows
  the same never-twice rule as `resume`.
- A rollout that does not complete after the write raises `RolloutFailed` ("rollout failed:
  ..."); the change ends failed and, when its parameters set ``auto_rollback``, the engine
  starts the rollback record itself and records both.
- An execution whose journal holds no `intent` yet is restarted with `execute` on resume (no
  write was sent); `resume` is called only once some write may have been sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from kubeconnector.changes.value_digests import Digester
from kubeconnector.errors import RollbackRefused
from kubeconnector.kube import ClusterClient
from kubeconnector.models import Connector
from kubeconnector.models.changes import ActionId, JsonObject, Plan, Step


@dataclass(frozen=True)
class ChangeOptions:
    """Timeouts and pacing of executions (seconds)."""

    rollout_timeout: float = 300.0
    token_timeout: float = 60.0
    poll_interval: float = 0.5
    restart_timeout: float = 300.0


class Journal(Protocol):
    """Durable memory of one execution (implemented by the engine over the ledger)."""

    def save_snapshot(self, data: Mapping[str, Any]) -> None:
        """Persist the pre-change state (sealed; may hold Secret data). Once per record."""

    def snapshot(self) -> dict[str, Any] | None:
        """The saved snapshot (of this record, or of the change a rollback reverses)."""

    def seal(self, name: str, value: bytes) -> None:
        """Persist a new secret value (e.g. a generated key) sealed, before it is written."""

    def unseal(self, name: str) -> bytes | None:
        """A value sealed earlier under `name` (None if there is none)."""

    def intent(self, step: str, detail: Mapping[str, Any]) -> None:
        """Record that a write is about to be sent (persisted before returning)."""

    def done(self, step: str, detail: Mapping[str, Any]) -> None:
        """Record that a write happened (persisted before returning)."""

    def skipped(self, step: str, detail: Mapping[str, Any]) -> None:
        """Record that a step was unnecessary (already in the wanted state)."""

    def steps(self) -> list[Step]:
        """Every journal entry so far, oldest first."""

    def event(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """An audit event for an API-side effect (no secret values in `payload`)."""

    def progress(self, message: str) -> None:
        """Tell a waiting human what is happening (long waits)."""


@dataclass
class ActionContext:
    """What an action may use: the cluster, the connector, options, time.

    `plan` is the approved plan when the engine executes one: an action uses its
    `target_resource_version` as the precondition of its first write, so an edit made after
    the plan was approved fails the change instead of being overwritten (None: the action
    writes against the version it reads at execution time).

    `digests` makes the digests of secret values shown in plans and results; the engine passes
    the installation's (keyed from the key ring), so equal values match across processes. The
    default is keyed at random: consistent within one process only.
    """

    client: ClusterClient
    connector: Connector
    options: ChangeOptions = field(default_factory=ChangeOptions)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    plan: Plan | None = None
    digests: Digester = field(default_factory=Digester.ephemeral)


class Action(Protocol):
    """One supported action; instances are stateless."""

    id: ClassVar[ActionId]
    title: ClassVar[str]
    base_score: ClassVar[int]
    has_rollback: ClassVar[bool]
    params_model: ClassVar[type[BaseModel]]

    def parse(self, raw: Mapping[str, str]) -> BaseModel:
        """Typed parameters from `--param key=value` pairs; `InvalidInput` naming the field."""

    def public_params(self, params: BaseModel, digests: Digester) -> JsonObject:
        """The parameters as stored in the record: secret values replaced by digests."""

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """Secret values carried by the parameters (sealed by the engine), by name."""

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        """Preflight, server-side dry run, diff, impact (read-only)."""

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Snapshot, write(s) with preconditions, verify; returns the result (no secrets)."""

    def rollback(
        self, ctx: ActionContext, params: BaseModel, journal: Journal, force: bool
    ) -> JsonObject:
        """Restore the snapshot's fields and verify (only if `has_rollback`)."""

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Finish an execution interrupted at any point without repeating a write."""


class NoRollback:
    """Mixin of an action without rollback: `rollback` refuses, saying why (`no_rollback`)."""

    has_rollback: ClassVar[bool] = False
    no_rollback: ClassVar[str]

    def rollback(
        self, ctx: ActionContext, params: BaseModel, journal: Journal, force: bool
    ) -> JsonObject:
        """Refused (`RollbackRefused` with the action's `no_rollback` note)."""
        del ctx, params, journal, force  # the protocol's signature
        raise RollbackRefused(self.no_rollback)
