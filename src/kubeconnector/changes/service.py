"""`ChangeService`: the governed change lifecycle (the Python API the CLI and HTTP API wrap).

- **plan** parses the typed parameters, asks the action for its plan (read-only: preflight,
  dry run, diff, impact), scores the risk, works out the approvals needed and records the
  change as ``planned``. A plan whose checks refuse the change is recorded too, ``planned``
  with the refusal visible in its plan; it can be rejected but not approved or executed
  (unless every refusing check is forceable and the change was planned with ``force=true``).
  A low-risk change outside prod is approved at once by ``policy``. A plan that cannot be
  computed at all (cluster unreachable) leaves the record in ``draft`` with the error.
- **approve** / **reject**: the `ApprovalPolicy` decides who may approve and how many must; the
  last approval moves the change to ``approved`` in the same transaction.
- **execute** runs the approved plan: the action gets the approved plan in its context and
  guards its first write with the plan's resourceVersion, so an edit made since the plan ends
  the change ``failed`` with the cluster untouched. No new plan is computed. A rollout that
  fails after the write ends the change ``failed``; with ``auto_rollback`` the engine then runs
  the rollback record itself.
- **rollback**, **resume**, **resume_all**: see `kubeconnector.changes.resume`.

Every state change, approval, rejection, decryption and journal entry is a ledger event
written in the same transaction as the record change.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from kubeconnector.changes import lifecycle
from kubeconnector.changes.base import Action, ActionContext, ChangeOptions
from kubeconnector.changes.execution import SEALED_PARAM, Connectors, Executor, Outcome
from kubeconnector.changes.failpoints import Failpoints
from kubeconnector.changes.journal import Progress
from kubeconnector.changes.policy import POLICY_ACTOR, ApprovalPolicy
from kubeconnector.changes.resume import Recovery, execute_call
from kubeconnector.changes.risk import assess
from kubeconnector.changes.value_digests import Digester
from kubeconnector.errors import (
    ChangeError,
    IllegalTransition,
    KubeConnectorError,
    PreflightFailed,
)
from kubeconnector.models import Connector, Environment
from kubeconnector.models.changes import ChangeRecord, ChangeState, Check, JsonObject, Plan
from kubeconnector.settings import Settings
from kubeconnector.store import AuditLog, Cipher, Database
from kubeconnector.store.changes import ChangeQuery, ChangeRepository, NewChange

AUTO_APPROVAL = "low risk outside prod: no approval needed"


def blocking_checks(plan: Plan, force: bool) -> tuple[Check, ...]:
    """The failed checks that still refuse the change (``force`` lifts forceable ones)."""
    return tuple(c for c in plan.refused if not (force and c.forceable))


def refusal(change_id: str, checks: tuple[Check, ...]) -> str:
    """One sentence naming every refusing check."""
    named = "; ".join(f"{c.name}: {c.message or 'failed'}" for c in checks)
    return f"change {change_id} cannot proceed: {named}"


class ChangeService:
    """Plans, approves, rejects, executes, rolls back and resumes changes.

    Args:
        executor: Runs action calls against clusters and records their outcome.
        policy: The approval policy.
    """

    def __init__(self, executor: Executor, policy: ApprovalPolicy) -> None:
        self._x = executor
        self._repo = executor.repo
        self._policy = policy
        self._recovery = Recovery(executor)

    def plan(
        self, connector: str, action: str, raw: Mapping[str, str], requester: str
    ) -> ChangeRecord:
        """Plan a change and record it.

        Args:
            connector: The connector's name or id.
            action: The action id, e.g. ``rotate-secret``.
            raw: The ``--param`` pairs.
            requester: Who asks for it.

        Raises:
            InvalidInput: Unknown action or invalid parameters (nothing is recorded).
            RecordNotFound: No such connector.
            ClusterError: The plan could not be computed (the record stays ``draft``).
        """
        impl = self._x.actions(action)
        params = impl.parse(raw)
        found = self._x.connectors.get(connector)
        change_id = self._repo.create(
            _new_change(impl, params, raw, found, requester, self._x.digests)
        )
        try:
            plan = self._compute_plan(impl, params, found, change_id)
        except KubeConnectorError as exc:
            with self._repo.locked(change_id) as tx:
                tx.update(error=str(exc) or exc.reason)
                tx.event(requester, "change.plan_failed", {"error": str(exc) or exc.reason})
            raise
        self._record_plan(change_id, impl, plan, Environment(found.environment), requester)
        return self._repo.get(change_id)

    def approve(self, change_id: str, approver: str, comment: str = "") -> ChangeRecord:
        """Approve a planned change; the last approval needed makes it ``approved``.

        Raises:
            IllegalTransition: The change is not ``planned``.
            PreflightFailed: Its plan refuses it.
            ApprovalRefused: The policy refuses this approver.
        """
        with self._repo.locked(change_id) as tx:
            record = self._planned(tx.record, "approved")
            self._policy.check(record, approver)
            tx.decision(approver, "approved", comment)
            count, needed = len(record.approvals) + 1, record.required_approvals
            if count >= needed:
                tx.transition(ChangeState.APPROVED, approver, f"{count} of {needed} approvals")
        return self._repo.get(change_id)

    def reject(self, change_id: str, actor: str, comment: str = "") -> ChangeRecord:
        """Reject a planned change (final).

        Raises:
            IllegalTransition: The change is not ``planned``.
        """
        with self._repo.locked(change_id) as tx:
            record = tx.record
            lifecycle.check(record.state, ChangeState.REJECTED)
            tx.decision(actor, "rejected", comment)
            result: JsonObject = {"rejected_by": actor, "comment": comment}
            tx.transition(ChangeState.REJECTED, actor, comment or None, result=result)
        return self._repo.get(change_id)

    def execute(self, change_id: str, actor: str, progress: Progress | None = None) -> ChangeRecord:
        """Execute an approved change, verify it, and record the outcome.

        Returns:
            The record, ``completed`` or ``failed`` (with ``error`` saying why).

        Raises:
            IllegalTransition: The change is not ``approved``.
            PreflightFailed: Its plan refuses it.
            ChangeError: It is a rollback record (those run through `rollback`).
        """
        record = self._repo.get(change_id)
        if record.rollback_of is not None:
            raise ChangeError(f"change {change_id} is a rollback; it runs through rollback")
        lifecycle.check(record.state, ChangeState.EXECUTING)
        self._refuse_blocked(record)
        outcome = self._x.run(record, actor, execute_call, progress)
        return self._after(outcome, actor, progress)

    def rollback(
        self, change_id: str, actor: str, *, force: bool = False, progress: Progress | None = None
    ) -> ChangeRecord:
        """Roll a change back through a linked rollback record; returns that record.

        Raises:
            RollbackRefused: No rollback exists, nothing was changed, or one is under way.
        """
        return self._recovery.rollback(change_id, actor, force=force, progress=progress)

    def resume(self, change_id: str, actor: str, progress: Progress | None = None) -> ChangeRecord:
        """Finish a change a crash left ``executing`` or ``verifying``.

        Raises:
            IllegalTransition: The change is in no such state.
        """
        return self._recovery.resume(change_id, actor, progress)

    def resume_all(self, actor: str = "system") -> list[ChangeRecord]:
        """Resume every change left ``executing`` or ``verifying`` (at service start)."""
        return self._recovery.resume_all(actor)

    def show(self, change_id: str) -> ChangeRecord:
        """One change record.

        Raises:
            RecordNotFound: No such change.
        """
        return self._repo.get(change_id)

    def list(self, query: ChangeQuery | None = None) -> list[ChangeRecord]:
        """Change records, newest first."""
        return self._repo.list(query)

    def _compute_plan(
        self, impl: Action, params: BaseModel, connector: Connector, change_id: str
    ) -> Plan:
        with self._x.connectors.open_client(connector, f"change:{change_id}") as client:
            ctx = ActionContext(client, connector, self._x.options, digests=self._x.digests)
            return impl.plan(ctx, params)

    def _record_plan(
        self, change_id: str, impl: Action, plan: Plan, env: Environment, actor: str
    ) -> None:
        available = impl.has_rollback and plan.rollback_available
        risk = assess(impl.id, env, plan.blast_radius, rollback_available=available)
        needed = self._policy.required(risk, env)
        blocked = blocking_checks(plan, self._repo.force(change_id))
        reason = f"risk {risk.score} ({risk.level.value}), {needed} approval(s) needed"
        with self._repo.locked(change_id) as tx:
            tx.transition(
                ChangeState.PLANNED,
                actor,
                refusal(change_id, blocked) if blocked else reason,
                plan=plan.model_dump(mode="json"),
                risk=risk.model_dump(mode="json"),
                required_approvals=needed,
            )
            if needed == 0 and not blocked:
                tx.decision(POLICY_ACTOR, "approved", AUTO_APPROVAL)
                tx.transition(ChangeState.APPROVED, POLICY_ACTOR, AUTO_APPROVAL)

    def _planned(self, record: ChangeRecord, verb: str) -> ChangeRecord:
        if record.state != ChangeState.PLANNED:
            raise IllegalTransition(
                f"change {record.id} is {record.state.value}; only a planned change can be {verb}"
            )
        self._refuse_blocked(record, verb)
        return record

    def _refuse_blocked(self, record: ChangeRecord, verb: str = "executed") -> None:
        if record.plan is None:
            raise PreflightFailed(f"change {record.id} has no plan and cannot be {verb}")
        blocked = blocking_checks(record.plan, self._repo.force(record.id))
        if blocked:
            raise PreflightFailed(f"{refusal(record.id, blocked)}; plan it again once fixed")

    def _after(self, outcome: Outcome, actor: str, progress: Progress | None) -> ChangeRecord:
        return self._recovery.after_execution(outcome, actor, progress)


def _new_change(
    impl: Action,
    params: BaseModel,
    raw: Mapping[str, str],
    connector: Connector,
    who: str,
    digests: Digester,
) -> NewChange:
    secrets = impl.secret_params(params)
    values = set(secrets.values())
    hidden = {k for k, v in raw.items() if k in secrets or v.encode() in values}
    sealed = {SEALED_PARAM + k: raw[k].encode() for k in hidden}
    return NewChange(
        connector_id=connector.id,
        connector_name=connector.name,
        environment=connector.environment.value,
        action=impl.id.value,
        params=impl.public_params(params, digests),
        raw_params={k: (None if k in hidden else v) for k, v in raw.items()},
        requester=who,
        force=bool(getattr(params, "force", False)),
        secrets={**secrets, **sealed},
    )


def build_service(
    database: Database,
    cipher: Cipher,
    audit: AuditLog,
    connectors: Connectors,
    settings: Settings,
    options: ChangeOptions | None = None,
) -> ChangeService:
    """A `ChangeService` over the ledger database, configured by ``settings``.

    Args:
        database: The ledger database.
        cipher: The key ring that seals snapshots and secret values.
        audit: The ledger.
        connectors: Opens connectors' clients (`kubeconnector.connectors.ConnectorService`).
        settings: Single-operator mode and the crash-test failpoint.
        options: Timeouts and pacing of executions.

    Raises:
        ConfigError: ``KUBECONNECTOR_FAILPOINT`` is malformed.
    """
    repo = ChangeRepository(database, cipher, audit, rule=lifecycle.check)
    executor = Executor(
        repo,
        connectors,
        options=options or ChangeOptions(),
        failpoints=Failpoints.parse(settings.failpoint),
        digests=Digester.from_keys(cipher),
    )
    return ChangeService(executor, ApprovalPolicy(single_operator=settings.single_operator))
