"""The change lifecycle: which state may follow which.

::

    draft -> planned -> approved -> executing -> verifying -> completed
                   \\-> rejected            \\-> failed   \\-> failed
    completed | failed -> rolled_back   (once the linked rollback record has completed)

A rollback runs as its own record through the same states, so a failed rollback stays visible
as a failed record. ``rejected`` and ``rolled_back`` are final; ``completed`` and ``failed`` are
final unless the change is rolled back. Every move is checked by `check`; the store applies it
to each transition it writes.
"""

from __future__ import annotations

from types import MappingProxyType

from kubeconnector.errors import IllegalTransition
from kubeconnector.models.changes import ChangeState

S = ChangeState

TRANSITIONS: MappingProxyType[ChangeState, frozenset[ChangeState]] = MappingProxyType(
    {
        S.DRAFT: frozenset({S.PLANNED}),
        S.PLANNED: frozenset({S.APPROVED, S.REJECTED}),
        S.APPROVED: frozenset({S.EXECUTING}),
        S.EXECUTING: frozenset({S.VERIFYING, S.FAILED}),
        S.VERIFYING: frozenset({S.COMPLETED, S.FAILED}),
        S.COMPLETED: frozenset({S.ROLLED_BACK}),
        S.FAILED: frozenset({S.ROLLED_BACK}),
        S.REJECTED: frozenset(),
        S.ROLLED_BACK: frozenset(),
    }
)

IN_FLIGHT = frozenset({S.EXECUTING, S.VERIFYING})
"""States a process may have been killed in; `ChangeService.resume` finishes them."""

ROLLBACK_FROM = frozenset({S.COMPLETED, S.FAILED})
"""States from which a change may be rolled back."""


def allowed(current: ChangeState, target: ChangeState) -> bool:
    """Whether the lifecycle lets a record move from ``current`` to ``target``."""
    return target in TRANSITIONS[current]


def check(current: ChangeState, target: ChangeState) -> None:
    """Refuse a move the lifecycle does not allow.

    Raises:
        IllegalTransition: Naming both states and what ``current`` may move to.
    """
    if allowed(current, target):
        return
    nexts = sorted(s.value for s in TRANSITIONS[current])
    then = f"it can only move to {', '.join(nexts)}" if nexts else f"{current.value} is final"
    raise IllegalTransition(f"a change cannot move from {current.value} to {target.value}: {then}")
