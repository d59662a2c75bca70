"""The engine's `Journal`: an execution's durable memory, kept in the change record.

Every entry is committed (with its ledger event) before the method returns, so a process
killed at any point leaves a journal that says which writes may have been sent. Failpoints
(`kubeconnector.changes.failpoints`) fire at the moments crash tests need: after an intent is
committed, after the write but before ``done`` is, and after ``done`` is.

A rollback record's journal falls back to the change it reverses for the snapshot and for
sealed values; its steps are its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import JsonValue

from kubeconnector.changes.failpoints import Failpoints
from kubeconnector.errors import ChangeError
from kubeconnector.models.changes import Step, StepPhase
from kubeconnector.store.changes import ChangeRepository

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class StoreJournal:
    """The journal of one change record.

    Args:
        repo: The change records.
        change_id: The record executing.
        actor: Who runs it (recorded in every event).
        original: For a rollback record, the change it reverses.
        failpoints: The armed failpoint (none by default).
        progress: Told about long waits.
    """

    def __init__(
        self,
        repo: ChangeRepository,
        change_id: str,
        actor: str,
        *,
        original: str | None = None,
        failpoints: Failpoints | None = None,
        progress: Progress | None = None,
    ) -> None:
        self._repo = repo
        self._id = change_id
        self._actor = actor
        self._original = original
        self._fail = failpoints or Failpoints()
        self._progress = progress

    @property
    def operation(self) -> str:
        """The reason recorded with each decryption."""
        return f"change:{self._id}"

    def save_snapshot(self, data: Mapping[str, Any]) -> None:
        """Seal and persist the pre-change state.

        A snapshot saved by an execution that never got to send a write is replaced (the
        execution restarts after a crash); once a write may have been sent it is final.

        Raises:
            ChangeError: A snapshot exists and a write may already have been sent.
        """
        self._fail.hit("snapshot", "before")
        with self._repo.locked(self._id) as tx:
            started = any(s.phase == StepPhase.INTENT for s in tx.record.steps)
            if started and tx.record.has_snapshot:
                raise ChangeError(
                    f"change {self._id} already saved its snapshot and may have written; "
                    "it is not saved again"
                )
            tx.save_snapshot(self._actor, data, replace=True)
        self._fail.hit("snapshot", "after")

    def snapshot(self) -> dict[str, Any] | None:
        """The saved snapshot (of this record, or of the change it reverses)."""
        with self._repo.locked(self._id) as tx:
            own = tx.snapshot(self._actor, self.operation)
            if own is None and self._original is not None:
                own = tx.snapshot(self._actor, self.operation, of=self._original)
            return dict(own) if own is not None else None

    def seal(self, name: str, value: bytes) -> None:
        """Persist a new secret value sealed, before it is written anywhere."""
        with self._repo.locked(self._id) as tx:
            tx.seal(name, value, self._actor)

    def unseal(self, name: str) -> bytes | None:
        """A value sealed under ``name`` (here, or in the change this reverses)."""
        with self._repo.locked(self._id) as tx:
            value = tx.unseal(name, self._actor, self.operation)
            if value is None and self._original is not None:
                value = tx.unseal(name, self._actor, self.operation, of=self._original)
            return value

    def intent(self, step: str, detail: Mapping[str, Any]) -> None:
        """Record that a write is about to be sent."""
        self._step(step, StepPhase.INTENT, detail)
        self._fail.hit(step, "before")

    def done(self, step: str, detail: Mapping[str, Any]) -> None:
        """Record that a write happened."""
        self._fail.hit(step, "after")
        self._step(step, StepPhase.DONE, detail)
        self._fail.hit(step, "done")

    def skipped(self, step: str, detail: Mapping[str, Any]) -> None:
        """Record that a step was unnecessary."""
        self._step(step, StepPhase.SKIPPED, detail)

    def failed(self, step: str, detail: Mapping[str, Any]) -> None:
        """Record that a step failed (used by the engine when an action raises)."""
        self._step(step, StepPhase.FAILED, detail)

    def steps(self) -> list[Step]:
        """Every entry of this record, oldest first."""
        return list(self._repo.get(self._id).steps)

    def event(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """An audit event for an API-side effect (``change.`` is prefixed when missing)."""
        kind = event_type if event_type.startswith("change.") else f"change.{event_type}"
        with self._repo.locked(self._id) as tx:
            tx.event(self._actor, kind, _json(payload))

    def progress(self, message: str) -> None:
        """Tell a waiting human what is happening."""
        log.info("change %s: %s", self._id, message)
        if self._progress is not None:
            self._progress(message)

    def _step(self, step: str, phase: StepPhase, detail: Mapping[str, Any]) -> None:
        with self._repo.locked(self._id) as tx:
            tx.step(self._actor, step, phase.value, _json(detail))


def _json(payload: Mapping[str, Any]) -> dict[str, JsonValue]:
    return {str(k): v for k, v in payload.items()}
