"""An in-memory `Journal` for driving actions directly, with simulated crashes.

`JournalFake` keeps what the engine's journal would persist. The crash moments are the
engine's failpoint moments: `crash_at=("update-secret", "before")` raises `SimulatedCrash`
right after the intent of that step is recorded (the write was never sent); ``"after"`` raises
when the step's ``done`` is about to be recorded (the write happened, the journal does not
know); ``"done"`` raises right after ``done`` is recorded.
`transcript()` is everything the engine would store in plain text (steps, events, progress),
for scanning against secret values; sealed values and the snapshot are left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kubeconnector.models.changes import Step, StepPhase


class SimulatedCrash(BaseException):
    """The process 'died' at a crash point (BaseException: no action code may swallow it)."""


class JournalFake:
    """A `kubeconnector.changes.base.Journal` in memory."""

    def __init__(
        self,
        crash_at: tuple[str, str] | None = None,
        *,
        reverses: JournalFake | None = None,
    ) -> None:
        """Start an empty journal.

        Args:
            crash_at: ``(step, "before" | "after" | "done")`` to simulate a crash once.
            reverses: For a rollback record: the journal of the change it reverses (its
                snapshot and sealed values are visible here, as the engine gives them).
        """
        self.crash_at = crash_at
        self.reverses = reverses
        self._snapshot: dict[str, Any] | None = None
        self.sealed: dict[str, bytes] = {}
        self.entries: list[Step] = []
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.messages: list[str] = []

    def save_snapshot(self, data: Mapping[str, Any]) -> None:
        if self._snapshot is not None:
            raise AssertionError("the snapshot was saved twice")
        self._snapshot = json.loads(json.dumps(dict(data)))

    def snapshot(self) -> dict[str, Any] | None:
        if self._snapshot is not None:
            return self._snapshot
        return self.reverses.snapshot() if self.reverses is not None else None

    def seal(self, name: str, value: bytes) -> None:
        if name in self.sealed:
            raise AssertionError(f"{name} was sealed twice")
        self.sealed[name] = bytes(value)

    def unseal(self, name: str) -> bytes | None:
        if name in self.sealed:
            return self.sealed[name]
        return self.reverses.unseal(name) if self.reverses is not None else None

    def intent(self, step: str, detail: Mapping[str, Any]) -> None:
        self._record(step, StepPhase.INTENT, detail)
        self._maybe_crash(step, "before")

    def done(self, step: str, detail: Mapping[str, Any]) -> None:
        self._maybe_crash(step, "after")
        self._record(step, StepPhase.DONE, detail)
        self._maybe_crash(step, "done")

    def skipped(self, step: str, detail: Mapping[str, Any]) -> None:
        self._record(step, StepPhase.SKIPPED, detail)

    def steps(self) -> list[Step]:
        return list(self.entries)

    def event(self, event_type: str, payload: Mapping[str, Any]) -> None:
        self.events.append((event_type, json.loads(json.dumps(dict(payload)))))

    def progress(self, message: str) -> None:
        self.messages.append(message)

    def names(self, phase: StepPhase | None = None) -> list[str]:
        """Step names journaled (in `phase` only, when given), oldest first."""
        return [s.name for s in self.entries if phase is None or s.phase is phase]

    def transcript(self) -> str:
        """Everything stored in plain text: steps, events and progress messages."""
        steps = [s.model_dump(mode="json") for s in self.entries]
        return json.dumps({"steps": steps, "events": self.events, "progress": self.messages})

    def _record(self, step: str, phase: StepPhase, detail: Mapping[str, Any]) -> None:
        clean = json.loads(json.dumps(dict(detail)))  # only JSON may be journaled
        self.entries.append(Step(name=step, phase=phase, at=datetime.now(UTC), detail=clean))

    def _maybe_crash(self, step: str, when: str) -> None:
        if self.crash_at == (step, when):
            self.crash_at = None
            raise SimulatedCrash(f"crash {when} {step}")
