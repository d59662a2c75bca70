"""Risk scoring: a change's score 1-10, its level, and the reasons behind it.

Score = the action's base score
      + 2 when the connector's environment is ``prod``
      + blast radius (from the plan's counts of affected workloads and pods):
          +1 for any workload or pod, +2 from 5 workloads or 20 pods, +3 from 20 workloads or
          100 pods
      + 1 when the change cannot be rolled back,
clamped to 1..10. Levels: low 1-3, medium 4-6, high 7-9, critical 10.

Base scores (cordon-node 4 and patch-deployment 6 are the product documentation's; the others
are chosen here, by how much harm a mistake does and how hard it is to undo):

=================  =====  ==========================================================
action             base   why
=================  =====  ==========================================================
uncordon-node        3    only lets the scheduler use a node again
cordon-node          4    product docs; running pods stay, new ones go elsewhere
scale-deployment     4    capacity change, restored by scaling back
rotate-secret        5    consumers may break until they pick up the new value
patch-deployment     6    product docs; a rolling update of the workload
rotate-sa-token      6    workloads holding the old token must restart (no rollback)
delete-secret        7    consumers break; the data is gone (no rollback)
=================  =====  ==========================================================
"""

from __future__ import annotations

from types import MappingProxyType

from kubeconnector.models import Environment
from kubeconnector.models.changes import ActionId, BlastRadius, Risk, RiskLevel

BASE_SCORES: MappingProxyType[ActionId, int] = MappingProxyType(
    {
        ActionId.UNCORDON_NODE: 3,
        ActionId.CORDON_NODE: 4,
        ActionId.SCALE_DEPLOYMENT: 4,
        ActionId.ROTATE_SECRET: 5,
        ActionId.PATCH_DEPLOYMENT: 6,
        ActionId.ROTATE_SA_TOKEN: 6,
        ActionId.DELETE_SECRET: 7,
    }
)
PROD_RAISE = 2
NO_ROLLBACK_RAISE = 1
# (raise, workloads from, pods from), highest first
BLAST_STEPS = ((3, 20, 100), (2, 5, 20), (1, 1, 1))


def level_of(score: int) -> RiskLevel:
    """The level of a score: low 1-3, medium 4-6, high 7-9, critical 10."""
    if score >= 10:
        return RiskLevel.CRITICAL
    if score >= 7:
        return RiskLevel.HIGH
    if score >= 4:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def blast_raise(blast: BlastRadius) -> int:
    """How much the blast radius raises the score (0 to 3)."""
    for points, workloads, pods in BLAST_STEPS:
        if blast.workloads >= workloads or blast.pods >= pods:
            return points
    return 0


def assess(
    action: ActionId,
    environment: Environment,
    blast: BlastRadius,
    *,
    rollback_available: bool,
) -> Risk:
    """Score a change.

    Args:
        action: The action.
        environment: The connector's environment.
        blast: How many workloads and pods the plan says are affected.
        rollback_available: Whether the change can be rolled back.

    Returns:
        The risk with one reason per contribution.
    """
    base = BASE_SCORES[action]
    reasons = [f"base score {base} for {action.value}"]
    score = base
    if environment == Environment.PROD:
        score += PROD_RAISE
        reasons.append(f"+{PROD_RAISE}: the connector's environment is prod")
    radius = blast_raise(blast)
    if radius:
        score += radius
        reasons.append(
            f"+{radius}: blast radius of {blast.workloads} workload(s) and {blast.pods} pod(s)"
        )
    if not rollback_available:
        score += NO_ROLLBACK_RAISE
        reasons.append(f"+{NO_ROLLBACK_RAISE}: no rollback exists")
    clamped = max(1, min(10, score))
    if clamped != score:
        reasons.append(f"score {score} clamped to {clamped}")
    return Risk(score=clamped, level=level_of(clamped), reasons=tuple(reasons))
