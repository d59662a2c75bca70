"""The approval policy: how many approvers a change needs, and who may approve it.

- low risk outside prod: none (the change is approved by ``policy`` as soon as it is planned);
- low risk in prod, and medium: one approver;
- high and critical: two distinct approvers;
- nobody approves their own change, unless single-operator mode is on
  (``KUBECONNECTOR_SINGLE_OPERATOR=true``, for a team of one);
- nobody approves the same change twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubeconnector.errors import ApprovalRefused
from kubeconnector.models import Environment
from kubeconnector.models.changes import ChangeRecord, Risk, RiskLevel

POLICY_ACTOR = "policy"
"""The approver recorded when the policy itself approves a change."""


@dataclass(frozen=True)
class ApprovalPolicy:
    """Who must approve a change before it runs.

    Attributes:
        single_operator: Whether a requester may approve their own change.
    """

    single_operator: bool = False

    def required(self, risk: Risk, environment: Environment) -> int:
        """How many distinct approvers a change of this risk needs in this environment."""
        if risk.level in (RiskLevel.HIGH, RiskLevel.CRITICAL):
            return 2
        if risk.level == RiskLevel.MEDIUM or environment == Environment.PROD:
            return 1
        return 0

    def check(self, record: ChangeRecord, approver: str) -> None:
        """Refuse an approval the policy does not allow.

        Raises:
            ApprovalRefused: The approver requested the change (outside single-operator
                mode), already approved it, or took the policy's own name.
        """
        if approver == POLICY_ACTOR:
            raise ApprovalRefused(f"{POLICY_ACTOR!r} is reserved for automatic approvals")
        if approver == record.requester and not self.single_operator:
            raise ApprovalRefused(
                f"{approver} requested change {record.id} and cannot approve it: another "
                "person must (or enable single-operator mode with "
                "KUBECONNECTOR_SINGLE_OPERATOR=true)"
            )
        if any(a.approver == approver for a in record.approvals):
            raise ApprovalRefused(
                f"{approver} already approved change {record.id}; "
                f"it needs {record.required_approvals} distinct approvers"
            )
