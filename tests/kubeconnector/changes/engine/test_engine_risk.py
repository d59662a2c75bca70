"""The risk table: base scores, the prod, blast-radius and no-rollback raises, clamping, levels."""

from __future__ import annotations

import pytest

from kubeconnector.changes.risk import BASE_SCORES, assess, blast_raise, level_of
from kubeconnector.models import Environment
from kubeconnector.models.changes import ActionId, BlastRadius, RiskLevel

A = ActionId
NONE = BlastRadius()


@pytest.mark.parametrize(
    ("action", "base"),
    [
        (A.UNCORDON_NODE, 3),
        (A.CORDON_NODE, 4),
        (A.SCALE_DEPLOYMENT, 4),
        (A.ROTATE_SECRET, 5),
        (A.PATCH_DEPLOYMENT, 6),
        (A.ROTATE_SA_TOKEN, 6),
        (A.DELETE_SECRET, 7),
    ],
)
def test_each_action_has_its_documented_base_score(action: ActionId, base: int) -> None:
    assert BASE_SCORES[action] == base
    risk = assess(action, Environment.DEV, NONE, rollback_available=True)
    assert risk.score == base
    assert risk.reasons == (f"base score {base} for {action.value}",)


@pytest.mark.parametrize(
    ("score", "level"),
    [(1, "low"), (3, "low"), (4, "medium"), (6, "medium"), (7, "high"), (9, "high"),
     (10, "critical")],
)  # fmt: skip
def test_levels_follow_the_product_bands(score: int, level: str) -> None:
    assert level_of(score) == RiskLevel(level)


@pytest.mark.parametrize(
    ("workloads", "pods", "points"),
    [(0, 0, 0), (1, 0, 1), (0, 1, 1), (4, 19, 1), (5, 0, 2), (0, 20, 2), (19, 99, 2),
     (20, 0, 3), (0, 100, 3)],
)  # fmt: skip
def test_the_blast_radius_raises_by_steps(workloads: int, pods: int, points: int) -> None:
    assert blast_raise(BlastRadius(workloads=workloads, pods=pods)) == points


def test_prod_raises_the_score_by_two_and_says_so() -> None:
    risk = assess(A.CORDON_NODE, Environment.PROD, NONE, rollback_available=True)
    assert (risk.score, risk.level) == (6, RiskLevel.MEDIUM)
    assert risk.reasons[1] == "+2: the connector's environment is prod"


def test_staging_scores_like_dev() -> None:
    staging = assess(A.CORDON_NODE, Environment.STAGING, NONE, rollback_available=True)
    assert staging.score == 4


def test_a_change_without_rollback_scores_one_higher() -> None:
    risk = assess(A.ROTATE_SA_TOKEN, Environment.DEV, NONE, rollback_available=False)
    assert (risk.score, risk.level) == (7, RiskLevel.HIGH)
    assert risk.reasons[-1] == "+1: no rollback exists"


def test_every_contribution_is_a_reason_in_order() -> None:
    blast = BlastRadius(workloads=3, pods=7)
    risk = assess(A.ROTATE_SECRET, Environment.PROD, blast, rollback_available=True)
    assert risk.score == 8
    assert risk.reasons == (
        "base score 5 for rotate-secret",
        "+2: the connector's environment is prod",
        "+1: blast radius of 3 workload(s) and 7 pod(s)",
    )


def test_the_score_is_clamped_to_ten_and_critical() -> None:
    blast = BlastRadius(workloads=50, pods=500)
    risk = assess(A.DELETE_SECRET, Environment.PROD, blast, rollback_available=False)
    assert (risk.score, risk.level) == (10, RiskLevel.CRITICAL)
    assert risk.reasons[-1] == "score 13 clamped to 10"


def test_a_delete_in_prod_without_consumers_is_critical() -> None:
    risk = assess(A.DELETE_SECRET, Environment.PROD, NONE, rollback_available=False)
    assert (risk.score, risk.level) == (10, RiskLevel.CRITICAL)


def test_the_actions_that_landed_declare_the_documented_base_score() -> None:
    from kubeconnector.changes.actions import ACTIONS

    for action in ACTIONS:
        assert action.base_score == BASE_SCORES[action.id], action.id
