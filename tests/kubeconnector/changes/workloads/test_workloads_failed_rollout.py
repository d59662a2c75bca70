"""A failed rollout through the change engine, with and without ``auto_rollback``.

kubesim fails a rollout whose image tag is ``broken`` past the Deployment's progress deadline
(ProgressDeadlineExceeded). The action-level behaviour is covered in
`test_workloads_patch_deployment`; here the whole governed path runs against kubesim over TLS
with a real ledger: plan, two approvals (the risk is high), execute, then the engine's own
rollback record when the change asked for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.kubeconnector.changes.engine.engine_support import CONNECTOR, Engine, engine_for
from tests.kubeconnector.changes.workloads.workloads_support import Sandbox, container_of

from kubeconnector.changes.resume import AUTO_ROLLBACK
from kubeconnector.models.changes import ChangeState
from kubesim import Cluster

pytestmark = pytest.mark.slow
S = ChangeState


@pytest.fixture
def engine(kubesim_cluster: Cluster, tmp_path: Path) -> Iterator[Engine]:
    with engine_for(kubesim_cluster, tmp_path / "home") as built:
        yield built


def broken_change(engine: Engine, box: Sandbox, auto_rollback: bool) -> str:
    """Plan and approve an image change to a tag whose rollout fails; returns its id."""
    box.app("web", replicas=1)
    box.merge("web", {"spec": {"progressDeadlineSeconds": 1}})
    raw = {
        "namespace": box.namespace,
        "name": "web",
        "container": "app",
        "image": "nginx:broken",
        "auto_rollback": str(auto_rollback).lower(),
    }
    record = engine.service.plan(CONNECTOR, "patch-deployment", raw, "alice")
    assert record.risk is not None and record.required_approvals == 2
    engine.service.approve(record.id, "bob")
    assert engine.service.approve(record.id, "carol").state == S.APPROVED
    return record.id


def image(box: Sandbox) -> str:
    return str(container_of(box.get("web"))["image"])


def test_without_auto_rollback_the_change_fails_and_the_broken_image_stays(
    engine: Engine, sandbox: Sandbox
) -> None:
    change_id = broken_change(engine, sandbox, auto_rollback=False)
    record = engine.service.execute(change_id, "bob")
    assert record.state == S.FAILED and record.rollback_id is None
    assert record.error == (
        f'rollout failed: Deployment {sandbox.namespace}/web: deployment "web" exceeded its '
        "progress deadline"
    )
    assert image(sandbox) == "nginx:broken"
    rollback = engine.service.rollback(change_id, "bob")  # a human rolls it back
    assert (rollback.state, rollback.rollback_of) == (S.COMPLETED, change_id)
    assert engine.service.show(change_id).state == S.ROLLED_BACK
    assert image(sandbox) == "nginx:1.25.3" and sandbox.available("web")


def test_with_auto_rollback_the_engine_rolls_back_and_records_both(
    engine: Engine, sandbox: Sandbox
) -> None:
    change_id = broken_change(engine, sandbox, auto_rollback=True)
    record = engine.service.execute(change_id, "bob")
    assert record.state == S.ROLLED_BACK
    assert (record.error or "").startswith("rollout failed: ")
    rollback = engine.service.show(record.rollback_id or "")
    assert (rollback.state, rollback.rollback_of) == (S.COMPLETED, change_id)
    rollout = rollback.result["rollout"]
    assert isinstance(rollout, dict) and rollout["outcome"] == "complete"
    assert image(sandbox) == "nginx:1.25.3" and sandbox.available("web")
    planned = [e for e in engine.events(rollback.id) if e.event_type == "change.planned"]
    assert planned[0].payload["reason"] == AUTO_ROLLBACK
