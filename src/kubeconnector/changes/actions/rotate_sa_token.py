"""Rotate Service Account Token: replace a ServiceAccount's legacy token Secrets; no rollback.

Parameters: ``namespace``, ``serviceaccount``.

Two cluster generations (detection: `kubeconnector.changes.helpers.tokens`):
    ``bound`` (1.24+, nothing is re-created): create the replacement
        ``kubernetes.io/service-account-token`` Secret (annotated with the account, a name
        chosen before the journal entry), wait until the token controller has filled it
        (``token_timeout``), then delete the old ones: at every moment a valid token exists.
    ``legacy`` (re-created by the controller): delete the token Secrets, then wait for the
        controller's new one (``token_timeout``, default 60 s). The old token stops working
        at once, as the seed's known limitation says.

Old token Secrets are deleted with a uid precondition only: the API server and the token
controller themselves write to token Secrets (the last-used label, the uid annotation), and
the rotation revokes that Secret whatever such edits did. The new token is never stored or
printed: the result gives the new Secret's name and the token's digest, and which workloads
still hold the old token (they mount or read a deleted Secret by name, or, on legacy
clusters, run as the account with its auto-mounted token) and must be restarted.

The snapshot holds no token: the account's uid, the generation, the old Secrets' names and
uids, and the new Secret's name.

API calls (no faults, no retries; n old token Secrets):
    plan: GET the ServiceAccount, one metadata-only list of token Secrets, GET /version (not
        when the account references an auto-generated token), reviews (bound: create and
        delete secrets; legacy: delete), dry runs (bound: the create and n deletes; legacy: n
        deletes), lists of Pods, Deployments, DaemonSets, StatefulSets. Bound: 11 + n.
    execute (bound): GET, list, GET /version, POST, GET until filled (1 when filled at once),
        n DELETEs, list to verify, 4 lists for the holders: 10 + n.
    execute (legacy): GET, list, n DELETEs, GET the account until it references a new token
        and GET that Secret (2 when it is there at once), list to verify, 4 lists: 9 + n.
    rollback: none (refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, JsonValue

from kubeconnector.changes.base import ActionContext, Journal, NoRollback
from kubeconnector.changes.helpers import (
    Consumer,
    Digester,
    NamespaceView,
    Target,
    Write,
    account_runners,
    blast_radius,
    blocking,
    delete_options,
    delete_write,
    deleted,
    dry_run,
    ensure_write,
    impact_items,
    manager_guard,
    permission_check,
    read_namespace,
    read_target,
    recheck_version,
    require_target,
    secret_consumers,
    uid_of,
)
from kubeconnector.changes.helpers.params import build, object_ref, reject_unknown
from kubeconnector.changes.helpers.tokens import (
    BOUND,
    LEGACY,
    FilledToken,
    Generation,
    all_token_secrets,
    detect_generation,
    meta,
    new_token_name,
    token_manifest,
    token_secrets,
    wait_filled,
    wait_regenerated,
)
from kubeconnector.discovery.kinds import SECRET, SERVICE_ACCOUNT
from kubeconnector.errors import ApiError, ChangeError
from kubeconnector.models.changes import ActionId, Check, DiffItem, JsonObject, Plan

CREATE = "create-token-secret"
DELETE = "delete-token-secret"
NO_ROLLBACK = "No rollback (old token is gone once deleted)"


class RotateSaTokenParams(BaseModel):
    """Typed parameters of rotate-sa-token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: str
    serviceaccount: str


class RotateSaToken(NoRollback):
    """The rotate-sa-token action (its rollback is refused: a deleted token cannot come back)."""

    id: ClassVar[ActionId] = ActionId.ROTATE_SA_TOKEN
    title: ClassVar[str] = "Rotate Service Account Token"
    base_score: ClassVar[int] = 6
    no_rollback: ClassVar[str] = NO_ROLLBACK
    params_model: ClassVar[type[BaseModel]] = RotateSaTokenParams

    def parse(self, raw: Mapping[str, str]) -> RotateSaTokenParams:
        """Typed parameters; `InvalidInput` naming the field."""
        reject_unknown(raw, {"namespace", "serviceaccount"}, ())
        return build(RotateSaTokenParams, object_ref(raw, "serviceaccount"))

    def public_params(
        self,
        params: BaseModel,
        digests: Digester,  # noqa: ARG002 (no secret parameter to digest)
    ) -> JsonObject:
        """The parameters (none is secret)."""
        p = _params(params)
        return {"namespace": p.namespace, "serviceaccount": p.serviceaccount}

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """No parameter is secret."""
        del params  # the protocol's signature
        return {}

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        """Preflight, the generation, dry runs of every write, who holds the old token."""
        p = _params(params)
        target = _target(p)
        lookup = read_target(ctx, target)
        if lookup.obj is None:
            return Plan(target=target.label, preflight=(lookup.check,), rollback_note=NO_ROLLBACK)
        account = lookup.obj
        tokens = token_secrets(ctx, p.namespace, account)
        checks = [lookup.check, _tokens_check(target, tokens)]
        generation = detect_generation(ctx, account, tokens) if tokens else None
        checks += _permissions(ctx, p, generation)
        holders, warnings = _plan_holders(ctx, p, tokens, generation)
        dry = (
            None
            if blocking(checks) or generation is None
            else _dry_runs(ctx, p, tokens, generation)
        )
        return Plan(
            target=target.label,
            target_resource_version=lookup.resource_version,
            preflight=tuple(checks),
            dry_run=dry,
            diff=_diff(tokens, generation),
            impact=impact_items(holders, lambda c: _holds_because(c, p.serviceaccount)),
            warnings=(*_generation_warnings(generation), *warnings, *_guards(tokens)),
            blast_radius=blast_radius(holders),
            rollback_available=False,
            rollback_note=NO_ROLLBACK,
        )

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Replace the token Secrets as the generation requires; report the holders."""
        return _run(ctx, _params(params), journal)

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Finish an interrupted rotation (no Secret is created or deleted twice)."""
        return _run(ctx, _params(params), journal)


def _params(params: BaseModel) -> RotateSaTokenParams:
    if not isinstance(params, RotateSaTokenParams):
        raise TypeError("rotate-sa-token takes RotateSaTokenParams")
    return params


def _target(p: RotateSaTokenParams) -> Target:
    return Target(SERVICE_ACCOUNT, p.namespace, p.serviceaccount)


def _secret(p: RotateSaTokenParams, name: str) -> Target:
    return Target(SECRET, p.namespace, name)


def _tokens_check(target: Target, tokens: list[dict[str, Any]]) -> Check:
    if not tokens:
        message = f"{target.label} has no legacy token Secret: nothing to rotate"
        return Check(name="token-secrets", ok=False, message=message)
    names = ", ".join(str(meta(t).get("name")) for t in tokens)
    return Check(name="token-secrets", ok=True, message=f"legacy token Secrets: {names}")


def _permissions(
    ctx: ActionContext, p: RotateSaTokenParams, generation: Generation | None
) -> list[Check]:
    if generation is None:
        return []
    secrets = Target(SECRET, p.namespace, "")
    verbs = ("create", "delete") if generation.kind == BOUND else ("delete",)
    return [permission_check(ctx, verb, secrets) for verb in verbs]


def _dry_runs(
    ctx: ActionContext, p: RotateSaTokenParams, tokens: list[dict[str, Any]], gen: Generation
) -> Check:
    results: list[Check] = []
    if gen.kind == BOUND:
        body = token_manifest(p.namespace, new_token_name(p.serviceaccount), p.serviceaccount)
        path = SECRET.path(p.namespace)
        results.append(dry_run(ctx, "POST", path, body, what="creation of the new token Secret"))
    for token in tokens:
        secret = _secret(p, str(meta(token).get("name")))
        body = delete_options(_uid(token))
        results.append(
            dry_run(ctx, "DELETE", secret.path, body, what=f"deletion of {secret.label}")
        )
    failed = [c for c in results if not c.ok]
    if failed:
        return Check(name="dry-run", ok=False, message="; ".join(c.message for c in failed))
    writes = len(results)
    return Check(name="dry-run", ok=True, message=f"the API server accepts all {writes} writes")


def _uid(obj: Mapping[str, Any]) -> dict[str, str]:
    return {"uid": uid_of(obj)}


def _plan_holders(
    ctx: ActionContext,
    p: RotateSaTokenParams,
    tokens: list[dict[str, Any]],
    generation: Generation | None,
) -> tuple[list[Consumer], list[str]]:
    if not tokens:
        return [], []
    try:
        view = read_namespace(ctx, p.namespace, accounts=False)
    except ApiError as err:
        return [], [f"the workloads holding the old token could not be listed: {err}"]
    names = [str(meta(t).get("name")) for t in tokens]
    return _holders(view, p.serviceaccount, names, generation), []


def _holders(
    view: NamespaceView, account: str, old: list[str], generation: Generation | None
) -> list[Consumer]:
    """Who keeps the old token: users of a deleted Secret; on legacy, the account's Pods."""
    found = {c.key: c for name in old for c in secret_consumers(view, name)}
    if generation is not None and generation.kind == LEGACY:
        for runner in account_runners(view, account):
            found.setdefault(runner.key, runner)
    return sorted(found.values(), key=lambda c: c.subject)


def _holds_because(consumer: Consumer, account: str) -> str:
    if not consumer.uses:
        return f"runs as {account} with its auto-mounted old token: restart it"
    secrets = sorted({use.secret for use in consumer.uses})
    return (
        f"reads the old token Secret {', '.join(secrets)} by name: point it at the new "
        "token Secret, then restart it"
    )


def _diff(tokens: list[dict[str, Any]], generation: Generation | None) -> tuple[DiffItem, ...]:
    items = []
    if generation is not None and generation.kind == BOUND:
        items.append(DiffItem(path="secret <account>-token-<new>", op="add", new="filled token"))
    for token in tokens:
        name = str(meta(token).get("name"))
        items.append(DiffItem(path=f"secret {name}", op="remove", old="token (revoked)"))
    return tuple(items)


def _generation_warnings(generation: Generation | None) -> list[str]:
    if generation is None:
        return []
    if generation.kind == LEGACY:
        return [
            f"token Secrets are re-created by this cluster ({generation.evidence}): the old "
            "token stops working when deleted, and the new one appears within seconds"
        ]
    return [f"the replacement is created before the old tokens are deleted ({generation.evidence})"]


def _guards(tokens: list[dict[str, Any]]) -> list[str]:
    warnings: list[str] = []
    for token in tokens:
        label = f"Secret {meta(token).get('namespace')}/{meta(token).get('name')}"
        warnings += manager_guard(token, label, force=False, reverts=()).warnings
    return warnings


def _run(ctx: ActionContext, p: RotateSaTokenParams, journal: Journal) -> JsonObject:
    target = _target(p)
    snap = journal.snapshot() or _capture(ctx, p, journal, target)
    old = {str(o["name"]) for o in snap["old"]}
    if snap["generation"] == BOUND:
        new_path = _secret(p, snap["new"]).path
        ensure_write(ctx, journal, _create(p, snap))
        journal.progress(f"waiting for the token controller to fill {snap['new']}")
        token = wait_filled(ctx, new_path, f"Secret {p.namespace}/{snap['new']}")
        _delete_all(ctx, journal, p, snap["old"])
    else:
        _delete_all(ctx, journal, p, snap["old"])
        journal.progress(f"waiting for the token controller to re-create a token of {target.label}")
        token = wait_regenerated(
            ctx, target.path, lambda name: _secret(p, name).path, old, target.label
        )
    _verify(ctx, p, snap, token.name)
    view = read_namespace(ctx, p.namespace, accounts=False)
    holders = _holders(view, p.serviceaccount, sorted(old), Generation(snap["generation"], ""))
    return _result(target, snap, token, holders, p.serviceaccount)


def _capture(
    ctx: ActionContext, p: RotateSaTokenParams, journal: Journal, target: Target
) -> dict[str, Any]:
    account = require_target(ctx, target)
    recheck_version(ctx, account, target)
    tokens = token_secrets(ctx, p.namespace, account)
    if not tokens:
        raise ChangeError(f"{target.label} has no legacy token Secret left; nothing was written")
    generation = detect_generation(ctx, account, tokens)
    snap = {
        "account": p.serviceaccount,
        "uid": uid_of(account),
        "generation": generation.kind,
        "evidence": generation.evidence,
        "old": [{"name": str(meta(t).get("name")), **_uid(t)} for t in tokens],
        "new": new_token_name(p.serviceaccount) if generation.kind == BOUND else "",
    }
    journal.save_snapshot(snap)
    return snap


def _create(p: RotateSaTokenParams, snap: Mapping[str, Any]) -> Write:
    secret = _secret(p, snap["new"])

    def ours(obj: Mapping[str, Any] | None) -> bool:
        annotations = meta(obj or {}).get("annotations") or {}
        return obj is not None and annotations.get("kubernetes.io/service-account.name") == (
            p.serviceaccount
        )

    return Write(
        step=CREATE,
        method="POST",
        path=SECRET.path(p.namespace),
        read_path=secret.path,
        applied=ours,
        what=secret.label,
        body=token_manifest(p.namespace, snap["new"], p.serviceaccount),
        detail={"secret": secret.label, "serviceaccount": p.serviceaccount},
    )


def _delete_all(
    ctx: ActionContext, journal: Journal, p: RotateSaTokenParams, old: list[dict[str, str]]
) -> None:
    for item in old:
        preconditions = {"uid": item["uid"]}
        write = delete_write(f"{DELETE}/{item['name']}", _secret(p, item["name"]), preconditions)
        ensure_write(ctx, journal, write)


def _verify(ctx: ActionContext, p: RotateSaTokenParams, snap: Mapping[str, Any], new: str) -> None:
    left = {str(meta(t).get("name")): t for t in all_token_secrets(ctx, p.namespace)}
    survivors = [o["name"] for o in snap["old"] if not deleted(left.get(o["name"]), o["uid"])]
    if survivors:
        raise ChangeError(f"verification failed: token Secrets still exist: {', '.join(survivors)}")
    if new not in left:
        raise ChangeError(f"verification failed: the new token Secret {new} is gone")


def _result(
    target: Target,
    snap: Mapping[str, Any],
    token: FilledToken,
    holders: list[Consumer],
    account: str,
) -> JsonObject:
    still: list[JsonValue] = [
        {"subject": c.subject, "why": _holds_because(c, account), "pods": len(c.pods)}
        for c in holders
    ]
    return {
        "serviceaccount": target.label,
        "generation": snap["generation"],
        "detection": snap["evidence"],
        "new_secret": token.name,
        "token_digest": token.digest,
        "deleted": [str(o["name"]) for o in snap["old"]],
        "still_holding_old_token": still,
        "verified": True,
    }
