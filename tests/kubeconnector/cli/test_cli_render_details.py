"""Rendering details of `change show`, `change list` and `connector test`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kubeconnector.cli.render.changes import approvals_line, target_text
from kubeconnector.cli.render.connectors import _reviewed
from kubeconnector.models.changes import Approval, ChangeRecord

AT = datetime(2025, 1, 2, tzinfo=UTC)


def _record(required: int, approvers: list[str]) -> ChangeRecord:
    approvals = [Approval(approver=name, at=AT) for name in approvers]
    return ChangeRecord.model_construct(required_approvals=required, approvals=approvals)


@pytest.mark.parametrize(
    ("required", "approvers", "line"),
    [
        (2, [], "0 of 2 (none yet)"),
        (2, ["alice"], "1 of 2 (alice)"),
        (2, ["alice", "bob"], "2 of 2 (alice, bob)"),
        (0, ["policy"], "not required (approved by policy)"),
        (0, [], "not required"),
    ],
)
def test_the_approvals_line_names_who_approved_and_what_is_missing(
    required: int, approvers: list[str], line: str
) -> None:
    assert approvals_line(_record(required, approvers)) == line


def test_a_rollback_record_names_the_change_it_reverses_as_its_target() -> None:
    rollback = ChangeRecord.model_construct(plan=None, rollback_of="c-1")
    assert target_text(rollback) == "rollback of c-1"
    assert target_text(ChangeRecord.model_construct(plan=None, rollback_of=None)) is None


def test_the_rules_reviews_line_says_which_one_gave_the_cluster_wide_rules() -> None:
    assert _reviewed(["kubeconnector-probe-1a2b", "shop"]) == (
        "cluster-wide (asked in the absent namespace kubeconnector-probe-1a2b); namespaces shop"
    )
    assert _reviewed([]) is None
