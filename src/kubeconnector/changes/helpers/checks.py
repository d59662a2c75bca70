"""The standard preflight checks: the target exists and is readable, the connector may act.

Every action starts its plan with `read_target` (one GET: the object, or a failed check saying
it is missing or not readable) and asks the API server with `permission_check` (one
SelfSubjectAccessReview per verb) whether it may write. Reading the target proves the ``get``
permission, so no review is spent on it. `forceable_check` builds a check that the action's
``force`` parameter turns into a warning. At execution, `recheck_version` refuses a target
edited since the plan was approved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubeconnector.changes.base import ActionContext
from kubeconnector.errors import ApiError, ChangeError, Forbidden, NotFound
from kubeconnector.kube import KindSpec, access_review
from kubeconnector.models.changes import Check

TARGET_EXISTS = "target-exists"


@dataclass(frozen=True)
class Target:
    """One object an action works on.

    Attributes:
        kind: Its resource type.
        namespace: Its namespace (``""`` when cluster-scoped).
        name: Its name.
    """

    kind: KindSpec
    namespace: str
    name: str

    @property
    def path(self) -> str:
        """The object's API path."""
        return self.kind.path(self.namespace or None, self.name)

    @property
    def label(self) -> str:
        """``Secret shop/db-credentials`` (``Node kube-worker-1`` when cluster-scoped)."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind.kind} {where}"


@dataclass(frozen=True)
class Lookup:
    """What reading a target found.

    Attributes:
        obj: The object, or None when it is missing or could not be read.
        check: The ``target-exists`` check (failed when `obj` is None).
    """

    obj: dict[str, Any] | None
    check: Check

    @property
    def resource_version(self) -> str:
        """The object's resourceVersion (``""`` when there is none)."""
        return resource_version(self.obj or {})


def resource_version(obj: dict[str, Any]) -> str:
    """An object's ``metadata.resourceVersion`` (``""`` when absent)."""
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


def uid_of(obj: Mapping[str, Any]) -> str:
    """An object's ``metadata.uid`` (``""`` when absent)."""
    return str((obj.get("metadata") or {}).get("uid") or "")


def recheck_version(ctx: ActionContext, live: Mapping[str, Any], target: Target) -> None:
    """Refuse to execute when the target is no longer the version the approved plan saw.

    Raises:
        ChangeError: Its resourceVersion moved since the plan (nothing was written).
    """
    planned = ctx.plan.target_resource_version if ctx.plan is not None else ""
    current = resource_version(dict(live))
    if planned and planned != current:
        raise ChangeError(
            f"{target.label} changed since the plan (resourceVersion {planned} is now "
            f"{current}): a concurrent edit; nothing was written, plan again"
        )


def read_target(ctx: ActionContext, target: Target) -> Lookup:
    """GET the target and say whether it exists and is readable.

    Raises:
        ClusterError: Any other failure than the object missing or the read being forbidden.
    """
    try:
        obj = ctx.client.request("GET", target.path)
    except NotFound:
        return Lookup(None, Check(name=TARGET_EXISTS, ok=False, message=missing(target)))
    except Forbidden as err:
        message = f"the connector may not read {target.label}: {err}"
        return Lookup(None, Check(name=TARGET_EXISTS, ok=False, message=message))
    return Lookup(obj, Check(name=TARGET_EXISTS, ok=True, message=f"{target.label} exists"))


def require_target(ctx: ActionContext, target: Target) -> dict[str, Any]:
    """GET the target during an execution, where its absence ends the change.

    Raises:
        ChangeError: It no longer exists (nothing was written).
        ClusterError: Reading it failed otherwise.
    """
    try:
        return ctx.client.request("GET", target.path)
    except NotFound:
        raise ChangeError(f"{missing(target)} (nothing was written)") from None


def missing(target: Target) -> str:
    """The standard message for a missing target."""
    return f"{target.label} does not exist"


def permission_check(
    ctx: ActionContext, verb: str, target: Target, *, subresource: str = ""
) -> Check:
    """Whether the connector may `verb` the target (one SelfSubjectAccessReview).

    A review that cannot be made is a failed check saying why, not an exception.
    """
    name = f"can-{verb}-{target.kind.plural}"
    try:
        decision = access_review(
            ctx.client,
            verb,
            target.kind.group,
            target.kind.plural,
            subresource,
            target.namespace,
            target.name,
        )
    except ApiError as err:
        return Check(name=name, ok=False, message=f"the access review failed: {err}")
    scope = f" in namespace {target.namespace}" if target.namespace else ""
    what = target.label if target.name else f"{target.kind.plural}{scope}"
    if decision.allowed:
        return Check(name=name, ok=True, message=f"the connector may {verb} {what}")
    message = f"the connector may not {verb} {target.kind.plural}{scope}"
    if decision.reason:
        message += f" ({decision.reason})"
    return Check(name=name, ok=False, message=message)


def forceable_check(name: str, message: str, force: bool) -> Check:
    """A refusal that ``force`` overrides: an error check, or a warning once forced."""
    if force:
        return Check(
            name=name,
            ok=False,
            severity="warning",
            message=f"{message} (overridden by force)",
            forceable=True,
        )
    return Check(name=name, ok=False, message=f"{message}; use force to proceed", forceable=True)


def blocking(checks: list[Check]) -> bool:
    """Whether any check refuses the change (a failed error check)."""
    return any(not c.ok and c.severity == "error" for c in checks)
