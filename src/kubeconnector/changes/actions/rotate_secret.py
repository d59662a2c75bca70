"""Rotate Kubernetes Secret: update ``data`` in place; rollback restores it byte for byte.

Parameters: ``namespace``, ``name``; ``value.KEY=VALUE`` sets a key; ``generate.KEY=LENGTH``
generates one at execution (``alphabet=alnum|hex|base64url|printable``, default alnum);
``remove=KEY`` removes one (several: comma-separated); ``restart_consumers`` (rolling restart
of the workloads that only see a new value in new containers); ``force`` (override a managing
controller's refusal).

API calls (no faults, no retries):
    plan: GET the Secret, one SelfSubjectAccessReview (update; the GET proves get), the
        ``dryRun=All`` PUT, then lists of Pods, Deployments, DaemonSets and StatefulSets (and
        ServiceAccounts for a docker-config Secret, whose consumers may inherit it as an image
        pull secret): 7 (8); with ``restart_consumers``, one review (patch) per kind to
        restart. A refused preflight skips the dry run; a missing Secret stops after the GET.
    execute: GET, PUT (precondition: the resourceVersion read, which must be the plan's),
        GET to verify: 3; with ``restart_consumers``, the four or five lists before the write
        and each restart's own calls.
    rollback: GET, PUT (precondition: the live resourceVersion, after checking the data is
        still what the rotation wrote), GET to verify: 3; plus the restarts.

The snapshot is the previous ``type`` and ``data`` (sealed by the engine), the digests of the
data written (to tell on rollback whether someone changed it since) and the workloads to
restart. Generated values are sealed (``generated.KEY``) before the snapshot and the write,
so a resumed execution writes the same values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.helpers import (
    Consumer,
    Digester,
    Target,
    blast_radius,
    blocking,
    decode_b64,
    dry_run,
    impact_items,
    manager_guard,
    permission_check,
    read_namespace,
    read_target,
    secret_consumers,
)
from kubeconnector.changes.helpers.params import (
    build,
    flag,
    object_ref,
    parse_int,
    reject_unknown,
    split_list,
)
from kubeconnector.changes.helpers.restarts import manual_restarts, restart_targets
from kubeconnector.changes.helpers.rotation import (
    PULL_TYPES,
    RotationSpec,
    rollback_rotation,
    run_rotation,
    secret_body,
)
from kubeconnector.changes.helpers.secret_data import (
    ALPHABETS,
    KEY_PATTERN,
    MAX_KEY_LENGTH,
    apply_changes,
    data_diff,
    generate_value,
)
from kubeconnector.discovery.kinds import SECRET, SERVICE_ACCOUNT_TOKEN
from kubeconnector.errors import ApiError
from kubeconnector.kube import kind_spec
from kubeconnector.models.changes import ActionId, Check, JsonObject, Plan

MAX_GENERATED = 4096
ROLLBACK_NOTE = "restores the previous data byte for byte"
_KEY = re.compile(KEY_PATTERN)
_SIMPLE = {"namespace", "name", "alphabet", "remove", "restart_consumers", "force"}
_EFFECTS = (
    ("never", "never refreshes (subPath mount): needs a restart"),
    ("restart", "needs a restart to see the new value"),
    ("auto", "refreshes within the kubelet sync delay (about 2 minutes)"),
    ("pull", "uses the new value at its next image pull"),
)


class RotateSecretParams(BaseModel):
    """Typed parameters of rotate-secret (values are `SecretStr`: never shown by repr)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: str
    name: str
    values: dict[str, SecretStr] = Field(default_factory=dict)
    generate: dict[str, int] = Field(default_factory=dict)
    alphabet: Literal["alnum", "hex", "base64url", "printable"] = "alnum"
    remove: tuple[str, ...] = ()
    restart_consumers: bool = False
    force: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> RotateSecretParams:
        keys = [*self.values, *self.generate, *self.remove]
        if not keys:
            raise ValueError("give at least one value.KEY, generate.KEY or remove")
        for key in keys:
            if len(key) > MAX_KEY_LENGTH or not _KEY.match(key):
                raise ValueError(f"{key!r} is not a valid Secret key")
        if len(set(keys)) != len(keys):
            raise ValueError("a key may be set, generated or removed, not more than one")
        if any(not 1 <= n <= MAX_GENERATED for n in self.generate.values()):
            raise ValueError(f"a generated length must be between 1 and {MAX_GENERATED}")
        return self


class RotateSecret:
    """The rotate-secret action."""

    id: ClassVar[ActionId] = ActionId.ROTATE_SECRET
    title: ClassVar[str] = "Rotate Kubernetes Secret"
    base_score: ClassVar[int] = 5
    has_rollback: ClassVar[bool] = True
    params_model: ClassVar[type[BaseModel]] = RotateSecretParams

    def parse(self, raw: Mapping[str, str]) -> RotateSecretParams:
        """Typed parameters; `InvalidInput` naming the field (never quoting a value)."""
        reject_unknown(raw, _SIMPLE, ("value.", "generate."))
        data: dict[str, Any] = {
            **object_ref(raw),
            "values": {k[6:]: v for k, v in raw.items() if k.startswith("value.")},
            "generate": {
                k[9:]: parse_int(k, v) for k, v in raw.items() if k.startswith("generate.")
            },
            "remove": split_list(raw.get("remove", "")),
            "restart_consumers": flag(raw, "restart_consumers"),
            "force": flag(raw, "force"),
        }
        if "alphabet" in raw:
            data["alphabet"] = raw["alphabet"].strip()
        return build(RotateSecretParams, data)

    def public_params(self, params: BaseModel, digests: Digester) -> JsonObject:
        """The parameters with each given value replaced by its digest."""
        p = _params(params)
        return {
            "namespace": p.namespace,
            "name": p.name,
            "values": dict(digests.raw(_given(p))),
            "generate": dict(p.generate),
            "alphabet": p.alphabet,
            "remove": list(p.remove),
            "restart_consumers": p.restart_consumers,
            "force": p.force,
        }

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """The given values, by their raw parameter name (``value.KEY``)."""
        return {f"value.{key}": value for key, value in _given(_params(params)).items()}

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        """Preflight, dry run of the exact PUT, diff by digest, consumers and their refresh."""
        p = _params(params)
        target = _target(p)
        lookup = read_target(ctx, target)
        if lookup.obj is None:
            return Plan(target=target.label, preflight=(lookup.check,), rollback_available=True)
        live = lookup.obj
        guard = manager_guard(live, target.label, force=p.force)
        checks = [lookup.check, permission_check(ctx, "update", target)]
        checks += [*_content_checks(live, target, p), *guard.checks]
        placeholders = {**_given(p), **_generated(p)}
        new_data = apply_changes(live.get("data"), placeholders, p.remove)
        consumers, warnings = _consumers(ctx, p, live)
        checks += _restart_checks(ctx, p, consumers)
        dry = None
        if not blocking(checks):
            body = secret_body(live, new_data, lookup.resource_version)
            what = f"update of {target.label}"
            dry = dry_run(ctx, "PUT", target.path, body, what=what, secrets=placeholders.values())
        return Plan(
            target=target.label,
            target_resource_version=lookup.resource_version,
            preflight=tuple(checks),
            dry_run=dry,
            diff=data_diff(ctx.digests, live.get("data"), new_data, _generated_notes(p)),
            impact=impact_items(consumers or (), lambda c: _effect(c, p.restart_consumers)),
            warnings=(*guard.warnings, *warnings, *_value_warnings(live, p)),
            blast_radius=blast_radius(consumers or ()),
            rollback_available=True,
            rollback_note=_rollback_note(p),
        )

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Snapshot, PUT with the resourceVersion precondition, verify, restart if asked."""
        return run_rotation(ctx, _spec(_params(params)), journal)

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Continue an interrupted execution (the same path: every step is idempotent)."""
        return run_rotation(ctx, _spec(_params(params)), journal)

    def rollback(
        self, ctx: ActionContext, params: BaseModel, journal: Journal, force: bool
    ) -> JsonObject:
        """Restore the previous data byte for byte, unless someone changed it since."""
        return rollback_rotation(ctx, _target(_params(params)), journal, force)


def _params(params: BaseModel) -> RotateSecretParams:
    if not isinstance(params, RotateSecretParams):
        raise TypeError("rotate-secret takes RotateSecretParams")
    return params


def _target(p: RotateSecretParams) -> Target:
    return Target(SECRET, p.namespace, p.name)


def _spec(p: RotateSecretParams) -> RotationSpec:
    return RotationSpec(
        _target(p), _given(p), dict(p.generate), p.alphabet, p.remove, p.restart_consumers
    )


def _given(p: RotateSecretParams) -> dict[str, bytes]:
    return {key: value.get_secret_value().encode() for key, value in p.values.items()}


def _generated(p: RotateSecretParams) -> dict[str, bytes]:
    """Fresh values of the generated keys (placeholders for the plan's dry run)."""
    return {key: generate_value(n, p.alphabet) for key, n in p.generate.items()}


def _generated_notes(p: RotateSecretParams) -> dict[str, str]:
    return {key: f"generated: {n} {p.alphabet} characters" for key, n in p.generate.items()}


def _content_checks(live: Mapping[str, Any], target: Target, p: RotateSecretParams) -> list[Check]:
    checks = []
    if live.get("immutable") is True:
        message = f"{target.label} is immutable: immutable Secrets cannot be rotated in place"
        checks.append(Check(name="immutable", ok=False, message=message))
    if live.get("type") == SERVICE_ACCOUNT_TOKEN:
        message = (
            f"{target.label} is a service account token Secret, filled by the token "
            "controller: use rotate-sa-token"
        )
        checks.append(Check(name="secret-type", ok=False, message=message))
    absent = [key for key in p.remove if key not in (live.get("data") or {})]
    if absent:
        names = ", ".join(repr(k) for k in absent)
        message = f"{target.label} has no key {names} to remove"
        checks.append(Check(name="keys", ok=False, message=message))
    new = apply_changes(live.get("data"), _given(p), p.remove)
    if not p.generate and new == dict(sorted((live.get("data") or {}).items())):
        message = "nothing would change: every value given equals the current one"
        checks.append(Check(name="changes", ok=False, message=message))
    return checks


def _value_warnings(live: Mapping[str, Any], p: RotateSecretParams) -> list[str]:
    current = live.get("data") or {}
    same = [k for k, v in sorted(_given(p).items()) if k in current and decode_b64(current[k]) == v]
    return [f"the new value of key {k!r} equals the current one" for k in same]


def _consumers(
    ctx: ActionContext, p: RotateSecretParams, live: Mapping[str, Any]
) -> tuple[list[Consumer] | None, list[str]]:
    """The Secret's consumers (None when they cannot be listed) and warnings."""
    try:
        view = read_namespace(ctx, p.namespace, accounts=live.get("type") in PULL_TYPES)
    except ApiError as err:
        return None, [f"the Secret's consumers could not be listed: {err}"]
    consumers = secret_consumers(view, p.name)
    manual = manual_restarts(consumers)
    warnings = [f"{s} needs a restart no rolling restart can give: recreate it" for s in manual]
    return consumers, warnings


def _restart_checks(
    ctx: ActionContext, p: RotateSecretParams, consumers: list[Consumer] | None
) -> list[Check]:
    if not p.restart_consumers:
        return []
    if consumers is None:
        message = "restart_consumers needs the consumers, which could not be listed"
        return [Check(name="consumers", ok=False, message=message)]
    kinds = sorted({t["kind"] for t in restart_targets(consumers)})
    return [
        permission_check(ctx, "patch", Target(kind_spec(kind), p.namespace, "")) for kind in kinds
    ]


def _effect(consumer: Consumer, restarting: bool) -> str:
    refreshes = {use.refresh for use in consumer.uses}
    effect = "; ".join(text for refresh, text in _EFFECTS if refresh in refreshes)
    if restarting and consumer.needs_restart and consumer.restartable:
        effect += " (restarted by this change, one workload at a time)"
    return effect


def _rollback_note(p: RotateSecretParams) -> str:
    if p.restart_consumers:
        return f"{ROLLBACK_NOTE} and restarts the same consumers again"
    return ROLLBACK_NOTE


ACTION = RotateSecret()
__all__ = ["ACTION", "ALPHABETS", "RotateSecret", "RotateSecretParams"]
