"""The lifecycle table: every legal transition is allowed, every other one is refused by name."""

from __future__ import annotations

import itertools

import pytest

from kubeconnector.changes import lifecycle
from kubeconnector.errors import IllegalTransition
from kubeconnector.models.changes import ChangeState as S

LEGAL = {
    (S.DRAFT, S.PLANNED),
    (S.PLANNED, S.APPROVED),
    (S.PLANNED, S.REJECTED),
    (S.APPROVED, S.EXECUTING),
    (S.EXECUTING, S.VERIFYING),
    (S.EXECUTING, S.FAILED),
    (S.VERIFYING, S.COMPLETED),
    (S.VERIFYING, S.FAILED),
    (S.COMPLETED, S.ROLLED_BACK),
    (S.FAILED, S.ROLLED_BACK),
}
ILLEGAL = sorted(set(itertools.product(S, S)) - LEGAL)


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_a_legal_transition_is_allowed(current: S, target: S) -> None:
    assert lifecycle.allowed(current, target)
    lifecycle.check(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_an_illegal_transition_is_refused_naming_both_states(current: S, target: S) -> None:
    assert not lifecycle.allowed(current, target)
    with pytest.raises(IllegalTransition) as raised:
        lifecycle.check(current, target)
    assert f"from {current.value} to {target.value}" in str(raised.value)


def test_the_table_covers_every_state_and_only_the_legal_moves() -> None:
    pairs = {(a, b) for a, targets in lifecycle.TRANSITIONS.items() for b in targets}
    assert set(lifecycle.TRANSITIONS) == set(S)
    assert pairs == LEGAL
    assert len(ILLEGAL) == 81 - 10


def test_the_refusal_says_what_the_state_can_move_to() -> None:
    with pytest.raises(IllegalTransition) as raised:
        lifecycle.check(S.PLANNED, S.EXECUTING)
    assert str(raised.value) == (
        "a change cannot move from planned to executing: it can only move to approved, rejected"
    )


def test_the_refusal_of_a_move_out_of_a_final_state_says_it_is_final() -> None:
    with pytest.raises(IllegalTransition) as raised:
        lifecycle.check(S.REJECTED, S.APPROVED)
    assert str(raised.value) == "a change cannot move from rejected to approved: rejected is final"


def test_only_executing_and_verifying_are_in_flight() -> None:
    assert {S.EXECUTING, S.VERIFYING} == lifecycle.IN_FLIGHT
    assert {S.COMPLETED, S.FAILED} == lifecycle.ROLLBACK_FROM
