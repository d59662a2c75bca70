"""A scripted action and connector lookup, for engine tests that need no cluster.

`FakeAction` follows the action contract (snapshot, intent, done) and records every call; its
plan and what its execute, rollback and resume do are set per test. `FakeConnectors` hands out
a placeholder client and records each operation it was opened for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel

from kubeconnector.changes.actions import parse_action_id
from kubeconnector.changes.base import ActionContext, ChangeOptions, Journal
from kubeconnector.changes.execution import Executor
from kubeconnector.changes.failpoints import Failpoints
from kubeconnector.changes.lifecycle import check
from kubeconnector.changes.policy import ApprovalPolicy
from kubeconnector.changes.service import ChangeService
from kubeconnector.changes.value_digests import Digester
from kubeconnector.errors import InvalidInput, RecordNotFound
from kubeconnector.models import Connector, Environment
from kubeconnector.models.changes import ActionId, BlastRadius, Check, Plan
from kubeconnector.store import AuditLog, Cipher, Database
from kubeconnector.store.changes import ChangeRepository

SECRET = "s3cr3t-value-for-the-fake-action"
NOW = datetime(2025, 3, 1, tzinfo=UTC)


class FakeParams(BaseModel):
    """Parameters of the fake action."""

    name: str = "web"
    password: str | None = None
    force: bool = False
    auto_rollback: bool = False


Behaviour = Callable[[Journal], dict[str, Any]]


def writes(journal: Journal) -> dict[str, Any]:
    """The default execute: snapshot, one journaled write."""
    journal.save_snapshot({"replicas": 3})
    journal.intent("scale", {"replicas": 5})
    journal.done("scale", {"replicas": 5})
    return {"replicas": 5}


def restores(journal: Journal) -> dict[str, Any]:
    """The default rollback: read the snapshot, one journaled write."""
    snapshot = journal.snapshot()
    assert snapshot is not None
    journal.intent("restore", {"replicas": snapshot["replicas"]})
    journal.done("restore", {"replicas": snapshot["replicas"]})
    return {"replicas": snapshot["replicas"]}


class FakeAction:
    """A scale-like action whose behaviour each test scripts."""

    id: ClassVar[ActionId] = ActionId.SCALE_DEPLOYMENT
    title: ClassVar[str] = "Scale Deployment"
    base_score: ClassVar[int] = 4
    has_rollback: ClassVar[bool] = True
    params_model: ClassVar[type[BaseModel]] = FakeParams

    def __init__(self, plan: Plan | None = None) -> None:
        self.planned = plan or Plan(target="Deployment shop/web", rollback_available=True)
        self.on_execute: Behaviour = writes
        self.on_rollback: Behaviour = restores
        self.on_resume: Behaviour = lambda _journal: {"resumed": True}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.contexts: list[ActionContext] = []

    def parse(self, raw: Mapping[str, str]) -> FakeParams:
        data: dict[str, Any] = dict(raw)
        for flag in ("force", "auto_rollback"):
            data[flag] = raw.get(flag) == "true"
        return FakeParams(**data)

    def public_params(self, params: BaseModel, digests: Digester) -> dict[str, Any]:
        public = params.model_dump()
        if public["password"] is not None:
            public["password"] = digests.value(public["password"])
        return public

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        value = params.model_dump()["password"]
        return {} if value is None else {"password": value.encode()}

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        self._called("plan", ctx, params)
        return self.planned

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> dict[str, Any]:
        self._called("execute", ctx, params)
        return self.on_execute(journal)

    def rollback(
        self, ctx: ActionContext, params: BaseModel, journal: Journal, force: bool
    ) -> dict[str, Any]:
        self._called("rollback", ctx, params, force=force)
        return self.on_rollback(journal)

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> dict[str, Any]:
        self._called("resume", ctx, params)
        return self.on_resume(journal)

    def names(self) -> list[str]:
        """The calls made, in order."""
        return [name for name, _ in self.calls]

    def _called(self, name: str, ctx: ActionContext, params: BaseModel, **extra: Any) -> None:
        self.contexts.append(ctx)
        self.calls.append((name, {**params.model_dump(), **extra}))


class NoRollbackAction(FakeAction):
    """A delete-like action without rollback."""

    id: ClassVar[ActionId] = ActionId.ROTATE_SA_TOKEN
    title: ClassVar[str] = "Rotate Service Account Token"
    has_rollback: ClassVar[bool] = False


@dataclass
class FakeConnectors:
    """One connector, ``sim``, and a placeholder client."""

    environment: Environment = Environment.DEV
    opened: list[str] = field(default_factory=list)

    @property
    def connector(self) -> Connector:
        return Connector(
            id="00000000-0000-4000-8000-0000000000c1",
            key_id="k1",
            name="sim",
            environment=self.environment,
            server="https://sim.example:6443",
            created_at=NOW,
            updated_at=NOW,
        )

    def get(self, ref: str) -> Connector:
        if ref not in ("sim", self.connector.id):
            raise RecordNotFound(f"connector {ref!r} not found")
        return self.connector

    @contextmanager
    def open_client(
        self, connector: Connector | str, operation: str, options: Any = None
    ) -> Iterator[Any]:
        self.opened.append(operation)
        yield object()


def blocked_plan(forceable: bool) -> Plan:
    """A plan refused by one failed check."""
    failed = Check(name="managed", ok=False, message="Helm manages it", forceable=forceable)
    return Plan(target="Deployment shop/web", preflight=(failed,), rollback_available=True)


def wide_plan(workloads: int) -> Plan:
    """A plan with a blast radius."""
    blast = BlastRadius(workloads=workloads, pods=workloads * 2)
    return Plan(target="Deployment shop/web", blast_radius=blast, rollback_available=True)


@dataclass
class Rig:
    """A change service over a real database, with a fake action and connectors."""

    service: ChangeService
    repo: ChangeRepository
    action: FakeAction
    connectors: FakeConnectors
    audit: AuditLog
    killed: list[str]


def rig(
    database: Database,
    cipher: Cipher,
    action: FakeAction | None = None,
    *,
    environment: Environment = Environment.DEV,
    single_operator: bool = False,
    failpoint: str | None = None,
) -> Rig:
    """A `Rig`; a failpoint, when given, raises `Killed` instead of killing the process."""
    action = action or FakeAction()
    connectors = FakeConnectors(environment)
    audit = AuditLog(database)
    repo = ChangeRepository(database, cipher, audit, rule=check)
    killed: list[str] = []

    def kill() -> None:
        killed.append(failpoint or "")
        raise Killed(failpoint)

    executor = Executor(
        repo,
        connectors,
        ChangeOptions(),
        Failpoints.parse(failpoint, kill),
        actions=lambda name: _only(action, name),
    )
    service = ChangeService(executor, ApprovalPolicy(single_operator=single_operator))
    return Rig(service, repo, action, connectors, audit, killed)


def _only(action: FakeAction, name: str) -> FakeAction:
    if parse_action_id(name) != action.id:
        raise InvalidInput(f"action {name} is not available in this build", "action")
    return action


class Killed(BaseException):
    """A failpoint was hit (BaseException: nothing in the engine may swallow it)."""
