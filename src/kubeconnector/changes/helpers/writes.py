"""Server-side dry runs and journaled writes that can never be applied twice.

Every write is guarded: a PUT carries the resourceVersion it was computed from, a DELETE
carries ``preconditions`` (uid, and resourceVersion when given), a create uses a name chosen
before the journal entry. Such a write cannot take effect twice, so it is safe to resend: the
client retries it after a 5xx answer or a dropped connection, and `ensure_write` resends it on
resume. When a resend (or the first attempt) meets 409/404, the live object says whether an
earlier attempt took effect (`Write.applied`); if not, someone else changed the object and the
change ends with a `ChangeError` that says so, with nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.helpers.checks import Target, resource_version, uid_of
from kubeconnector.changes.helpers.digests import scrub
from kubeconnector.errors import ApiError, ChangeError, Conflict, NotFound
from kubeconnector.models.changes import Check, JsonObject, StepPhase

DRY_RUN = "dry-run"
Live = dict[str, Any] | None


@dataclass(frozen=True)
class Write:
    """One guarded write and how to tell whether it took effect.

    Attributes:
        step: The journal step name, e.g. ``update-secret``.
        method: ``PUT``, ``POST``, ``PATCH`` or ``DELETE``.
        path: The request path.
        read_path: The object's path, to read it back (the created object's for a POST).
        applied: Given the live object (None when it does not exist), whether this write
            already took effect.
        what: How to name the target in messages, e.g. ``Secret shop/db-credentials``.
        body: The request body (may hold secret values: never journaled).
        detail: The journal detail (never secret values): the precondition included.
        content_type: The body's content type, when not JSON.
    """

    step: str
    method: str
    path: str
    read_path: str
    applied: Callable[[Live], bool]
    what: str
    body: Any = None
    detail: JsonObject = field(default_factory=dict)
    content_type: str | None = None


def delete_options(preconditions: Mapping[str, Any]) -> dict[str, Any]:
    """A DELETE body carrying `preconditions` (uid, and resourceVersion when given)."""
    return {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": dict(preconditions)}


def terminating(obj: Mapping[str, Any]) -> bool:
    """Whether the object is being deleted (a finalizer still holds it)."""
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def deleted(live: Live, uid: str) -> bool:
    """Whether the object with `uid` is deleted or being deleted, given what its path holds.

    An object of the same name with another uid is a re-created one: ours is gone.
    """
    return live is None or uid_of(live) != uid or terminating(live)


def delete_write(step: str, target: Target, preconditions: Mapping[str, str]) -> Write:
    """The guarded DELETE of `target`, the object whose uid is ``preconditions["uid"]``.

    It took effect when that object is `deleted`. The journal detail names the target under
    its kind (``secret``) with the preconditions.
    """
    uid = preconditions["uid"]
    return Write(
        step=step,
        method="DELETE",
        path=target.path,
        read_path=target.path,
        applied=lambda obj: deleted(obj, uid),
        what=target.label,
        body=delete_options(preconditions),
        detail={target.kind.kind.lower(): target.label, **preconditions},
    )


def dry_run(
    ctx: ActionContext,
    method: str,
    path: str,
    body: Any,
    *,
    what: str,
    secrets: Iterable[bytes | str] = (),
    content_type: str | None = None,
) -> Check:
    """Send the exact write with ``dryRun=All`` and report whether the server accepts it.

    Args:
        ctx: The action context.
        method: The write's method.
        path: The write's path.
        body: The write's body.
        what: The write in words, e.g. ``update of Secret shop/db-credentials``.
        secrets: Values to scrub from the server's answer.
        content_type: The body's content type, when not JSON.
    """
    try:
        ctx.client.request(method, path, {"dryRun": "All"}, body, content_type, idempotent=True)
    except ApiError as err:
        message = scrub(f"the API server refuses the {what}: {err}", secrets)
        return Check(name=DRY_RUN, ok=False, message=message)
    return Check(name=DRY_RUN, ok=True, message=f"the API server accepts the {what} (dryRun=All)")


def last_phase(journal: Journal, step: str) -> StepPhase | None:
    """The newest phase journaled for `step` (None when it never started)."""
    phases = [s.phase for s in journal.steps() if s.name == step]
    return phases[-1] if phases else None


def read_live(ctx: ActionContext, path: str) -> Live:
    """The object at `path`, or None when it does not exist."""
    try:
        return ctx.client.request("GET", path)
    except NotFound:
        return None


def ensure_write(ctx: ActionContext, journal: Journal, write: Write) -> Live:
    """Make sure `write` happened exactly once, whatever the journal says so far.

    Done (or skipped) steps are not sent again; a step with only an intent is checked against
    the live object and completed when it took effect, else sent again; a new step is sent.

    Returns:
        The object as the write (or the read-back) left it, None when it is gone or when the
        step was already done.
    """
    phase = last_phase(journal, write.step)
    if phase in (StepPhase.DONE, StepPhase.SKIPPED):
        return None
    if phase is StepPhase.INTENT:
        live = read_live(ctx, write.read_path)
        if write.applied(live):
            journal.done(write.step, {**write.detail, **_outcome(live), "resumed": True})
            return live
    return guarded_write(ctx, journal, write)


def guarded_write(ctx: ActionContext, journal: Journal, write: Write) -> Live:
    """Journal the intent, send the write, journal its outcome.

    Raises:
        ChangeError: The target changed or vanished since it was read (nothing was written).
        ClusterError: The write failed otherwise (it did not happen, or, for a transport
            failure after the retries, its outcome is unknown until resumed).
    """
    journal.intent(write.step, write.detail)
    try:
        result: Live = ctx.client.request(
            write.method,
            write.path,
            body=write.body,
            content_type=write.content_type,
            idempotent=True,
        )
    except (Conflict, NotFound) as err:
        result = _settle(ctx, write, err)
    journal.done(write.step, {**write.detail, **_outcome(result)})
    return result


def _settle(ctx: ActionContext, write: Write, err: ApiError) -> Live:
    """After a 409/404: did an earlier attempt of this write take effect, or did others act?"""
    live = read_live(ctx, write.read_path)
    if write.applied(live):
        return live
    if live is None:
        raise ChangeError(f"{write.what} no longer exists; nothing was written") from None
    version = write.detail.get("resourceVersion")
    since = f" (resourceVersion {version})" if version else ""
    raise ChangeError(
        f"{write.what} was changed by someone else since it was read{since}: "
        f"{err.status.reason or 'Conflict'}; nothing was written"
    ) from None


def _outcome(obj: Mapping[str, Any] | None) -> JsonObject:
    if not obj or obj.get("kind") == "Status":
        return {}
    version = resource_version(dict(obj))
    return {"resultResourceVersion": version} if version else {}
