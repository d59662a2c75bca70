"""DELETE: preconditions, graceful and finalizer-blocked deletion, propagation policies.

Objects without finalizers go at once; the response is a Success Status (the deleted object for
pods and services). Finalizers, foreground/orphan propagation, graceful pods and namespaces
instead set deletionTimestamp and return the object; the garbage collector, the namespace
controller and the kubelet emulation finish the job.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from kubesim.api import fielderrors, status
from kubesim.api.resources import ResourceType
from kubesim.registry.context import WriteContext, now_rfc3339
from kubesim.registry.writes import Writer
from kubesim.store.objects import StoredObject

POLICIES = ("Foreground", "Background", "Orphan")
RETURNS_OBJECT = frozenset({"/pods", "/services"})


@dataclass(frozen=True)
class DeleteOptions:
    """The parsed DeleteOptions of one request."""

    grace_period: int | None = None
    propagation: str | None = None
    orphan_dependents: bool | None = None
    uid: str | None = None
    resource_version: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any] | None, query: dict[str, str]) -> DeleteOptions:
        """From the JSON body if there is one, else from query parameters (never both)."""
        source: dict[str, Any] = dict(body) if body else dict(query)
        pre = source.get("preconditions") or {}
        grace = source.get("gracePeriodSeconds")
        orphan = source.get("orphanDependents")
        if isinstance(orphan, str):
            orphan = orphan.lower() not in ("0", "false")
        opts = cls(
            grace_period=int(grace) if grace not in (None, "") else None,
            propagation=source.get("propagationPolicy") or None,
            orphan_dependents=orphan,
            uid=pre.get("uid"),
            resource_version=pre.get("resourceVersion"),
        )
        opts.validate()
        return opts

    def validate(self) -> None:
        errors: list[fielderrors.FieldError] = []
        if self.propagation is not None and self.propagation not in POLICIES:
            supported = [*POLICIES, "nil"]
            errors.append(
                fielderrors.not_supported("propagationPolicy", self.propagation, supported)
            )
        if self.propagation is not None and self.orphan_dependents is not None:
            errors.append(
                fielderrors.invalid(
                    "propagationPolicy",
                    self.propagation,
                    "orphanDependents and deletionPropagation cannot be both set",
                )
            )
        if errors:
            raise status.options_invalid("DeleteOptions", errors)

    def policy(self) -> str:
        if self.propagation:
            return self.propagation
        if self.orphan_dependents:
            return "Orphan"
        return "Background"


@dataclass(frozen=True)
class DeleteResult:
    """What a DELETE answers: a body (object or Status) and the HTTP code."""

    body: dict[str, Any] | StoredObject
    code: int


class Deleter:
    """Deletes objects with the real server's ordering of checks."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.storage = writer.storage

    def delete(
        self, rt: ResourceType, current: StoredObject, opts: DeleteOptions, ctx: WriteContext
    ) -> DeleteResult:
        self._check_preconditions(rt, current, opts)
        obj = copy.deepcopy(current.obj)
        finalizers = list(obj["metadata"].get("finalizers") or [])
        policy = opts.policy()
        if policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        elif policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        if self._deferred(rt, obj, finalizers, opts):
            return self._mark_deleting(rt, current, obj, finalizers, opts, ctx)
        if not ctx.dry_run:
            self.storage.remove(rt.key, current.namespace, current.name)
        return self._deleted_response(rt, current)

    def _check_preconditions(
        self, rt: ResourceType, current: StoredObject, opts: DeleteOptions
    ) -> None:
        meta = current.obj["metadata"]
        if opts.uid and opts.uid != meta["uid"]:
            detail = (
                f"the UID in the precondition ({opts.uid}) does not match the UID in record "
                f"({meta['uid']}). The object might have been deleted and then recreated"
            )
            raise status.conflict(rt.gk, current.name, detail)
        if opts.resource_version and opts.resource_version != meta["resourceVersion"]:
            detail = (
                f"the ResourceVersion in the precondition ({opts.resource_version}) does not "
                f"match the ResourceVersion in record ({meta['resourceVersion']}). The object "
                "might have been modified"
            )
            raise status.conflict(rt.gk, current.name, detail)

    def _deferred(
        self, rt: ResourceType, obj: dict[str, Any], finalizers: list[str], opts: DeleteOptions
    ) -> bool:
        if finalizers:
            return True
        if obj["metadata"].get("deletionTimestamp"):
            # A second delete with no grace left finishes a graceful deletion (the kubelet's).
            return opts.grace_period != 0
        if rt.key == "/namespaces":
            return bool(obj.get("spec", {}).get("finalizers"))
        if rt.key == "/pods":
            grace = opts.grace_period
            if grace is None:
                grace = obj.get("spec", {}).get("terminationGracePeriodSeconds", 30)
            scheduled = bool(obj.get("spec", {}).get("nodeName"))
            return (
                bool(grace)
                and scheduled
                and obj.get("status", {}).get("phase")
                not in (
                    "Succeeded",
                    "Failed",
                )
            )
        return False

    def _mark_deleting(
        self,
        rt: ResourceType,
        current: StoredObject,
        obj: dict[str, Any],
        finalizers: list[str],
        opts: DeleteOptions,
        ctx: WriteContext,
    ) -> DeleteResult:
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp"):
            meta["deletionTimestamp"] = now_rfc3339()
            meta["deletionGracePeriodSeconds"] = self._grace(rt, obj, opts)
            if meta.get("generation"):
                meta["generation"] += 1
        if finalizers:
            meta["finalizers"] = finalizers
        if rt.key == "/namespaces":
            obj.setdefault("status", {})["phase"] = "Terminating"
        stored = self.writer.commit(rt, current, obj, ctx)
        code = 202 if opts.orphan_dependents is False else 200
        return DeleteResult(stored, code)

    @staticmethod
    def _grace(rt: ResourceType, obj: dict[str, Any], opts: DeleteOptions) -> int:
        if rt.key != "/pods":
            return 0
        if opts.grace_period is not None:
            return opts.grace_period
        grace: int = obj.get("spec", {}).get("terminationGracePeriodSeconds", 30)
        return grace

    @staticmethod
    def _deleted_response(rt: ResourceType, current: StoredObject) -> DeleteResult:
        if rt.key in RETURNS_OBJECT:
            return DeleteResult(current, 200)
        details: dict[str, Any] = {"name": current.name}
        if rt.group:
            details["group"] = rt.group
        details["kind"] = rt.resource
        details["uid"] = current.obj["metadata"]["uid"]
        body = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": details,
        }
        return DeleteResult(body, 200)
