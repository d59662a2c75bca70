"""The approvals line of `change show`: counts, approvers, and changes approved by policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kubeconnector.cli.render.changes import approvals_line
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
