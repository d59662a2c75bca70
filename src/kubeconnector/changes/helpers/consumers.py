"""Who consumes a Secret (or runs as a ServiceAccount), computed from live namespace lists.

`read_namespace` lists the namespace's Pods, Deployments, DaemonSets, StatefulSets and, when
asked, ServiceAccounts (one paginated list each); the pure functions of
`kubeconnector.discovery.relations` then say how each pod spec uses a Secret. A Pod made by a
listed workload is represented by that workload (its template is what a restart re-creates);
bare Pods and Pods of other controllers (Jobs, ...) stand for themselves. Finished Pods
(``Succeeded``/``Failed``) hold nothing and are left out. A pod spec without
``imagePullSecrets`` inherits its ServiceAccount's, as the ServiceAccount admission plugin
gives them to new Pods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.changes.base import ActionContext
from kubeconnector.discovery.kinds import (
    DAEMON_SET,
    DEPLOYMENT,
    POD,
    SERVICE_ACCOUNT,
    STATEFUL_SET,
    WORKLOAD_KINDS,
)
from kubeconnector.discovery.relations import (
    SecretUse,
    pull_secret_names,
    secret_uses,
    service_account_name,
    top_controller,
)
from kubeconnector.kube import KindSpec
from kubeconnector.models.changes import BlastRadius, ImpactItem

Raw = Mapping[str, Any]
WorkloadKey = tuple[str, str, str]
_FINISHED = frozenset({"Succeeded", "Failed"})
_WORKLOAD_SPECS: tuple[KindSpec, ...] = (DEPLOYMENT, DAEMON_SET, STATEFUL_SET)


@dataclass(frozen=True)
class NamespaceView:
    """The live objects of one namespace that consume Secrets.

    Attributes:
        namespace: The namespace.
        pods: Its Pods.
        workloads: Its Deployments, DaemonSets and StatefulSets as ``(kind, object)``.
        accounts: Its ServiceAccounts (None when not listed).
    """

    namespace: str
    pods: list[dict[str, Any]]
    workloads: list[tuple[str, dict[str, Any]]]
    accounts: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Consumer:
    """A workload, Pod or ServiceAccount that uses a Secret (or runs as an account).

    Attributes:
        kind: ``Deployment``, ``DaemonSet``, ``StatefulSet``, ``Pod``, ``ServiceAccount``...
        namespace: Its namespace.
        name: Its name.
        uses: How it uses the Secret.
        pods: The names of its live Pods (a bare Pod lists itself).
        controller: For a Pod of an unlisted controller, ``Kind/name`` of that controller.
    """

    kind: str
    namespace: str
    name: str
    uses: tuple[SecretUse, ...] = ()
    pods: tuple[str, ...] = ()
    controller: str = ""

    @property
    def subject(self) -> str:
        """``Deployment shop/cart``."""
        return f"{self.kind} {self.namespace}/{self.name}"

    @property
    def key(self) -> WorkloadKey:
        """``(kind, namespace, name)``."""
        return (self.kind, self.namespace, self.name)

    @property
    def restartable(self) -> bool:
        """A rolling restart can replace its Pods (Deployment, DaemonSet, StatefulSet)."""
        return self.kind in WORKLOAD_KINDS

    @property
    def needs_restart(self) -> bool:
        """Only new containers would see a new value (env, envFrom, subPath, plugins)."""
        return any(use.refresh in ("restart", "never") for use in self.uses)


@dataclass
class _Builder:
    secret: str
    pulls: dict[str, list[str]]
    found: dict[WorkloadKey, Consumer] = field(default_factory=dict)


def read_namespace(ctx: ActionContext, namespace: str, *, accounts: bool) -> NamespaceView:
    """List what may consume Secrets in `namespace` (4 lists, 5 with `accounts`).

    Raises:
        ApiError: A list failed (Forbidden when the connector may not list a kind).
    """
    pods = _list(ctx, POD, namespace)
    workloads = [
        (spec.kind, obj) for spec in _WORKLOAD_SPECS for obj in _list(ctx, spec, namespace)
    ]
    listed = _list(ctx, SERVICE_ACCOUNT, namespace) if accounts else None
    return NamespaceView(namespace, pods, workloads, listed)


def _list(ctx: ActionContext, kind: KindSpec, namespace: str) -> list[dict[str, Any]]:
    return [item for page in ctx.client.list_pages(kind, namespace) for item in page]


def secret_consumers(view: NamespaceView, secret: str) -> list[Consumer]:
    """Every workload, Pod and ServiceAccount of the namespace that uses Secret `secret`."""
    builder = _Builder(secret, _account_pulls(view.accounts))
    keys = {_key(kind, obj) for kind, obj in view.workloads}
    pods_of: dict[WorkloadKey, list[str]] = {}
    for kind, obj in view.workloads:
        spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        _add(builder, _key(kind, obj), _uses(builder, spec))
    for pod in _live(view.pods):
        meta = pod.get("metadata") or {}
        owner = top_controller(view.namespace, meta.get("labels") or {}, _owners(meta))
        spec = pod.get("spec") or {}
        if owner is not None and owner in keys:
            pods_of.setdefault(owner, []).append(str(meta.get("name")))
            ephemeral = [u for u in secret_uses(spec, ephemeral_only=True) if u.secret == secret]
            _add(builder, owner, ephemeral)
        else:
            key = _pod_key(view, meta)
            controller = f"{owner[0]}/{owner[2]}" if owner else ""
            _add(builder, key, _uses(builder, spec), (key[2],), controller)
    _add_accounts(builder, view)
    return [_with_pods(c, pods_of.get(c.key, ())) for c in builder.found.values()]


def account_runners(view: NamespaceView, account: str) -> list[Consumer]:
    """The workloads and Pods that run as ServiceAccount `account` (no uses)."""
    found: dict[WorkloadKey, Consumer] = {}
    keys = {_key(kind, obj) for kind, obj in view.workloads}
    for kind, obj in view.workloads:
        spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        if service_account_name(spec) == account:
            found[_key(kind, obj)] = Consumer(kind, view.namespace, _name(obj))
    for pod in _live(view.pods):
        meta = pod.get("metadata") or {}
        if service_account_name(pod.get("spec") or {}) != account:
            continue
        owner = top_controller(view.namespace, meta.get("labels") or {}, _owners(meta))
        key = owner if owner is not None and owner in keys else _pod_key(view, meta)
        current = found.get(key) or Consumer(key[0], key[1], key[2])
        found[key] = _with_pods(current, (*current.pods, str(meta.get("name"))))
    return list(found.values())


def _pod_key(view: NamespaceView, meta: Raw) -> WorkloadKey:
    return ("Pod", view.namespace, str(meta.get("name")))


def _live(pods: Iterable[Raw]) -> Iterable[Raw]:
    return (p for p in pods if (p.get("status") or {}).get("phase") not in _FINISHED)


def _owners(meta: Raw) -> Sequence[Raw]:
    owners: Sequence[Raw] = meta.get("ownerReferences") or []
    return owners


def _name(obj: Raw) -> str:
    return str((obj.get("metadata") or {}).get("name"))


def _key(kind: str, obj: Raw) -> WorkloadKey:
    meta = obj.get("metadata") or {}
    return (kind, str(meta.get("namespace")), str(meta.get("name")))


def _account_pulls(accounts: Sequence[Raw] | None) -> dict[str, list[str]]:
    return {_name(sa): pull_secret_names(sa.get("imagePullSecrets")) for sa in accounts or ()}


def _uses(builder: _Builder, spec: Raw) -> list[SecretUse]:
    uses = [use for use in secret_uses(spec) if use.secret == builder.secret]
    inherited = builder.pulls.get(service_account_name(spec), ())
    if not spec.get("imagePullSecrets") and builder.secret in inherited:
        uses.append(SecretUse(builder.secret, "imagePullSecrets", "pull"))
    return uses


def _add(
    builder: _Builder,
    key: WorkloadKey,
    uses: Sequence[SecretUse],
    pods: tuple[str, ...] = (),
    controller: str = "",
) -> None:
    if not uses:
        return
    current = builder.found.get(key)
    if current is None:
        builder.found[key] = Consumer(*key, tuple(uses), pods, controller)
    else:
        builder.found[key] = Consumer(*key, (*current.uses, *uses), current.pods, controller)


def _add_accounts(builder: _Builder, view: NamespaceView) -> None:
    for account in view.accounts or ():
        uses = [
            SecretUse(builder.secret, via, "pull" if via == "imagePullSecrets" else "restart")
            for via in ("imagePullSecrets", "secrets")
            if builder.secret in pull_secret_names(account.get(via))
        ]
        _add(builder, ("ServiceAccount", view.namespace, _name(account)), uses)


def _with_pods(consumer: Consumer, pods: Sequence[str]) -> Consumer:
    if not pods:
        return consumer
    return Consumer(
        consumer.kind,
        consumer.namespace,
        consumer.name,
        consumer.uses,
        tuple(pods),
        consumer.controller,
    )


def blast_radius(consumers: Iterable[Consumer]) -> BlastRadius:
    """Workloads (and bare Pods) concerned, and their live Pods (ServiceAccounts not counted)."""
    counted = [c for c in consumers if c.kind != "ServiceAccount"]
    return BlastRadius(workloads=len(counted), pods=sum(len(c.pods) for c in counted))


def use_details(consumer: Consumer) -> dict[str, Any]:
    """An impact item's details: each use's attributes and the Pod count."""
    details: dict[str, Any] = {
        "uses": [use.attributes() for use in consumer.uses],
        "pods": len(consumer.pods),
    }
    if consumer.controller:
        details["controller"] = consumer.controller
    return details


def impact_items(
    consumers: Iterable[Consumer], effect: Callable[[Consumer], str]
) -> tuple[ImpactItem, ...]:
    """One impact item per consumer, sorted by subject; `effect(consumer)` says what happens."""
    items = [
        ImpactItem(subject=c.subject, effect=effect(c), details=use_details(c)) for c in consumers
    ]
    return tuple(sorted(items, key=lambda item: item.subject))
