"""The approval policy: how many approvers, self-approval, distinct approvers, single operator."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kubeconnector.changes.policy import ApprovalPolicy
from kubeconnector.errors import ApprovalRefused
from kubeconnector.models import Environment
from kubeconnector.models.changes import (
    ActionId,
    Approval,
    ChangeRecord,
    ChangeState,
    Risk,
    RiskLevel,
)

NOW = datetime(2025, 3, 1, tzinfo=UTC)


def risk(level: str) -> Risk:
    scores = {"low": 2, "medium": 5, "high": 8, "critical": 10}
    return Risk(score=scores[level], level=RiskLevel(level))


def record(*approvers: str, required: int = 2) -> ChangeRecord:
    return ChangeRecord(
        id="c1",
        connector_id="k",
        connector_name="sim",
        action=ActionId.SCALE_DEPLOYMENT,
        params={},
        requester="alice",
        state=ChangeState.PLANNED,
        approvals=tuple(Approval(approver=a, at=NOW) for a in approvers),
        required_approvals=required,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("level", "environment", "needed"),
    [
        ("low", "dev", 0),
        ("low", "staging", 0),
        ("low", "prod", 1),
        ("medium", "dev", 1),
        ("medium", "prod", 1),
        ("high", "dev", 2),
        ("high", "prod", 2),
        ("critical", "staging", 2),
        ("critical", "prod", 2),
    ],
)
def test_the_number_of_approvers_follows_risk_and_environment(
    level: str, environment: str, needed: int
) -> None:
    assert ApprovalPolicy().required(risk(level), Environment(environment)) == needed


def test_nobody_approves_their_own_change() -> None:
    with pytest.raises(ApprovalRefused) as raised:
        ApprovalPolicy().check(record(), "alice")
    assert str(raised.value) == (
        "alice requested change c1 and cannot approve it: another person must (or enable "
        "single-operator mode with KUBECONNECTOR_SINGLE_OPERATOR=true)"
    )


def test_single_operator_mode_lets_the_requester_approve() -> None:
    ApprovalPolicy(single_operator=True).check(record(), "alice")


def test_the_same_person_cannot_approve_twice() -> None:
    with pytest.raises(ApprovalRefused) as raised:
        ApprovalPolicy().check(record("bob"), "bob")
    assert str(raised.value) == "bob already approved change c1; it needs 2 distinct approvers"


def test_single_operator_mode_still_refuses_a_second_approval_by_the_same_person() -> None:
    with pytest.raises(ApprovalRefused):
        ApprovalPolicy(single_operator=True).check(record("alice"), "alice")


def test_a_second_distinct_approver_is_accepted() -> None:
    ApprovalPolicy().check(record("bob"), "carol")


def test_nobody_may_approve_under_the_policy_name() -> None:
    with pytest.raises(ApprovalRefused) as raised:
        ApprovalPolicy().check(record(), "policy")
    assert str(raised.value) == "'policy' is reserved for automatic approvals"
