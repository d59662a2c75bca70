"""Change records: a governed change from plan to completion or rollback.

Nothing here holds a Secret value: parameters that carry values keep only digests (the values
are sealed in the database), diffs show digests and lengths, snapshots are sealed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

JsonObject = dict[str, JsonValue]


class ChangeState(StrEnum):
    """Where a change is in its lifecycle (a rollback record goes through the same states)."""

    DRAFT = "draft"
    PLANNED = "planned"
    APPROVED = "approved"
    EXECUTING = "executing"
    VERIFYING = "verifying"
    COMPLETED = "completed"
    REJECTED = "rejected"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"


class ActionId(StrEnum):
    """The seven supported actions (the seed's "Supported Actions")."""

    ROTATE_SECRET = "rotate-secret"
    DELETE_SECRET = "delete-secret"
    ROTATE_SA_TOKEN = "rotate-sa-token"
    PATCH_DEPLOYMENT = "patch-deployment"
    SCALE_DEPLOYMENT = "scale-deployment"
    CORDON_NODE = "cordon-node"
    UNCORDON_NODE = "uncordon-node"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Risk(BaseModel):
    """A change's risk: score 1-10, its level, and why."""

    model_config = ConfigDict(frozen=True)

    score: int = Field(ge=1, le=10)
    level: RiskLevel
    reasons: tuple[str, ...] = ()


Severity = Literal["info", "warning", "error"]


class Check(BaseModel):
    """One preflight (or verification) check; a failed `error` check refuses the plan."""

    model_config = ConfigDict(frozen=True)

    name: str
    ok: bool
    severity: Severity = "error"
    message: str = ""
    forceable: bool = False  # `force` overrides it


class DiffItem(BaseModel):
    """One field the change alters; secret values appear only as digests (`sha256:...`)."""

    model_config = ConfigDict(frozen=True)

    path: str
    op: Literal["add", "change", "remove"]
    old: str | None = None
    new: str | None = None


class ImpactItem(BaseModel):
    """What happens to one consumer or dependent (e.g. a Deployment that needs a restart)."""

    model_config = ConfigDict(frozen=True)

    subject: str  # "Deployment shop/web", "Pod shop/debug-shell", "Node kube-worker-1"
    effect: str  # "refreshes within ~2 minutes", "needs a restart", "never refreshes", ...
    details: JsonObject = Field(default_factory=dict)


class BlastRadius(BaseModel):
    model_config = ConfigDict(frozen=True)

    workloads: int = 0
    pods: int = 0


class Plan(BaseModel):
    """What a change will do, computed before anyone approves it."""

    model_config = ConfigDict(frozen=True)

    target: str  # "Secret shop/db-credentials"
    target_resource_version: str = ""
    preflight: tuple[Check, ...] = ()
    dry_run: Check | None = None
    diff: tuple[DiffItem, ...] = ()
    impact: tuple[ImpactItem, ...] = ()
    warnings: tuple[str, ...] = ()
    blast_radius: BlastRadius = BlastRadius()
    rollback_available: bool = False
    rollback_note: str = ""

    @property
    def refused(self) -> tuple[Check, ...]:
        """Failed error checks (the plan cannot proceed while any remains)."""
        failed = [c for c in self.preflight if not c.ok and c.severity == "error"]
        if self.dry_run is not None and not self.dry_run.ok:
            failed.append(self.dry_run)
        return tuple(failed)


class Approval(BaseModel):
    model_config = ConfigDict(frozen=True)

    approver: str
    at: datetime
    comment: str = ""


class StepPhase(StrEnum):
    INTENT = "intent"  # recorded before a write is sent
    DONE = "done"  # the write is known to have happened
    SKIPPED = "skipped"  # not needed (already in the target state)
    FAILED = "failed"


class Step(BaseModel):
    """One journal entry of an execution; `detail` never holds secret values."""

    model_config = ConfigDict(frozen=True)

    name: str
    phase: StepPhase
    at: datetime
    detail: JsonObject = Field(default_factory=dict)


class ChangeRecord(BaseModel):
    """A change request and everything that happened to it."""

    model_config = ConfigDict(frozen=True)

    id: str
    connector_id: str
    connector_name: str
    action: ActionId
    params: JsonObject  # typed parameters, secret values replaced by digests
    requester: str
    state: ChangeState
    risk: Risk | None = None
    plan: Plan | None = None
    approvals: tuple[Approval, ...] = ()
    required_approvals: int = 0
    steps: tuple[Step, ...] = ()
    result: JsonObject = Field(default_factory=dict)
    error: str | None = None
    rollback_of: str | None = None  # set on a rollback record: the change it reverses
    rollback_id: str | None = None  # set on a change that was rolled back (or attempted)
    has_snapshot: bool = False
    created_at: datetime
    updated_at: datetime
