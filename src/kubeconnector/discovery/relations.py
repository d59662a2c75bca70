"""Relations read off raw Kubernetes objects (pure functions, no I/O).

Keys are ``(kind, namespace, name)`` tuples (namespace ``""`` when cluster-scoped); an
`Edge` is a relation before it becomes a `kubeconnector.models.DiscoveredRelation`.

How a pod spec consumes Secrets (`secret_uses`), and when a consumer sees a new value:

========================  ===================================================  =========
path                      where                                                refresh
========================  ===================================================  =========
``env``                   ``env[].valueFrom.secretKeyRef`` (``key``)           restart
``envFrom``               ``envFrom[].secretRef`` (``prefix``)                 restart
``volume``                ``volumes[].secret`` mounted without ``subPath``     auto
``projected``             ``volumes[].projected.sources[].secret``             auto
``volume``/``projected``  the same mounted with ``subPath``/``subPathExpr``    never
``imagePullSecrets``      ``imagePullSecrets[]`` (or the ServiceAccount's)     pull
``volume-plugin``         a volume plugin's ``secretRef`` (CSI, CephFS, ...)   restart
========================  ===================================================  =========

``auto``: the kubelet rewrites the files within its sync period (about two minutes);
``restart``: only a new container sees the new value; ``never``: a ``subPath`` file is copied
once; ``pull``: used when the node pulls images for new pods. A volume mounted by no
container is still a dependency of the pod (no ``container`` attribute).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.discovery.kinds import CLUSTER_SCOPED_KINDS, SERVICE_ACCOUNT_TOKEN

Key = tuple[str, str, str]
Raw = Mapping[str, Any]

CONSUMES_SECRET = "consumes-secret"
RUNS_AS = "runs-as"
TOKEN_OF = "token-of"
BINDS = "binds"
GRANTS = "grants"
OWNS = "owns"
MANAGES = "manages"

SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"

_CONTAINER_LISTS = (
    ("containers", "container"),
    ("initContainers", "initContainer"),
    ("ephemeralContainers", "ephemeralContainer"),
)
# Volume sources that hand a Secret to a volume plugin rather than to the container.
_PLUGIN_REFS = {
    "csi": "nodePublishSecretRef",
    "cephfs": "secretRef",
    "flexVolume": "secretRef",
    "iscsi": "secretRef",
    "rbd": "secretRef",
    "scaleIO": "secretRef",
    "storageos": "secretRef",
}


@dataclass(frozen=True, slots=True)
class Edge:
    """A relation between two keys, before storage.

    Attributes:
        relation_type: e.g. ``consumes-secret``.
        source: Where it starts.
        target: What it points at.
        attributes: How (JSON-compatible values only).
    """

    relation_type: str
    source: Key
    target: Key
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SecretUse:
    """One way a pod spec uses a Secret.

    Attributes:
        secret: The Secret's name (in the pod's namespace).
        via: ``env``, ``envFrom``, ``volume``, ``projected``, ``imagePullSecrets`` or
            ``volume-plugin``.
        refresh: ``auto``, ``restart``, ``never`` or ``pull``.
        container: The container concerned, if any.
        container_kind: ``container``, ``initContainer`` or ``ephemeralContainer``.
        key: The Secret key read (``env``).
        variable: The environment variable set (``env``).
        prefix: The ``envFrom`` prefix.
        volume: The pod volume's name.
        items: The keys a volume projects, when it lists them.
        mount_path: Where the volume is mounted.
        sub_path: The ``subPath`` (or ``subPathExpr``) mounted.
        optional: The reference is optional (the pod starts without the Secret).
    """

    secret: str
    via: str
    refresh: str
    container: str | None = None
    container_kind: str | None = None
    key: str | None = None
    variable: str | None = None
    prefix: str | None = None
    volume: str | None = None
    items: tuple[str, ...] | None = None
    mount_path: str | None = None
    sub_path: str | None = None
    optional: bool = False

    def attributes(self) -> dict[str, Any]:
        """The relation attributes: every field that is set, except the Secret's name."""
        out: dict[str, Any] = {"via": self.via, "refresh": self.refresh}
        for name in _OPTIONAL_ATTRIBUTES:
            value = getattr(self, name)
            if value is not None:
                out[name] = list(value) if isinstance(value, tuple) else value
        out["optional"] = self.optional
        return out


_OPTIONAL_ATTRIBUTES = (
    "container",
    "container_kind",
    "key",
    "variable",
    "prefix",
    "volume",
    "items",
    "mount_path",
    "sub_path",
)


def secret_uses(spec: Raw, *, ephemeral_only: bool = False) -> list[SecretUse]:
    """Every use of a Secret in a pod spec (a Pod's ``spec`` or a workload's template spec).

    Args:
        spec: The pod spec.
        ephemeral_only: Only the ephemeral containers' uses (those a template never has).
    """
    volumes = _secret_volumes(spec.get("volumes") or ())
    uses: list[SecretUse] = []
    mounted: set[str] = set()
    for list_name, container_kind in _CONTAINER_LISTS:
        if ephemeral_only and container_kind != "ephemeralContainer":
            continue
        for container in spec.get(list_name) or ():
            uses += _container_uses(container, container_kind, volumes, mounted)
    if ephemeral_only:
        return uses
    for name, sources in volumes.items():
        if name not in mounted:
            uses += sources
    uses += _pull_uses(spec.get("imagePullSecrets"))
    return uses


def pull_secret_names(refs: Sequence[Raw] | None) -> list[str]:
    """The names in an ``imagePullSecrets`` (or ServiceAccount ``secrets``) list."""
    return [ref["name"] for ref in refs or () if ref.get("name")]


def _pull_uses(refs: Sequence[Raw] | None) -> list[SecretUse]:
    return [SecretUse(name, "imagePullSecrets", "pull") for name in pull_secret_names(refs)]


def _container_uses(
    container: Raw, container_kind: str, volumes: Mapping[str, list[SecretUse]], mounted: set[str]
) -> Iterator[SecretUse]:
    name = container.get("name")
    yield from _env_uses(container, name, container_kind)
    yield from _env_from_uses(container, name, container_kind)
    for mount in container.get("volumeMounts") or ():
        for use in volumes.get(mount.get("name", ""), ()):
            mounted.add(mount["name"])
            yield _mounted(use, mount, name, container_kind)


def _env_uses(container: Raw, name: str | None, container_kind: str) -> Iterator[SecretUse]:
    for env in container.get("env") or ():
        ref = (env.get("valueFrom") or {}).get("secretKeyRef")
        if ref and ref.get("name"):
            yield SecretUse(
                ref["name"],
                "env",
                "restart",
                name,
                container_kind,
                key=ref.get("key"),
                variable=env.get("name"),
                optional=bool(ref.get("optional")),
            )


def _env_from_uses(container: Raw, name: str | None, container_kind: str) -> Iterator[SecretUse]:
    for source in container.get("envFrom") or ():
        ref = source.get("secretRef")
        if ref and ref.get("name"):
            yield SecretUse(
                ref["name"],
                "envFrom",
                "restart",
                name,
                container_kind,
                prefix=source.get("prefix") or None,
                optional=bool(ref.get("optional")),
            )


def _mounted(use: SecretUse, mount: Raw, container: str | None, kind: str) -> SecretUse:
    sub_path = mount.get("subPath") or mount.get("subPathExpr") or None
    refresh = use.refresh
    if use.via in ("volume", "projected"):
        refresh = "never" if sub_path else "auto"
    return SecretUse(
        use.secret,
        use.via,
        refresh,
        container,
        kind,
        volume=use.volume,
        items=use.items,
        mount_path=mount.get("mountPath"),
        sub_path=sub_path,
        optional=use.optional,
    )


def _secret_volumes(volumes: Sequence[Raw]) -> dict[str, list[SecretUse]]:
    """Pod volume name -> the Secrets it carries (not yet tied to a container)."""
    found: dict[str, list[SecretUse]] = {}
    for volume in volumes:
        uses = list(_volume_sources(volume))
        if uses:
            found[volume.get("name", "")] = uses
    return found


def _volume_sources(volume: Raw) -> Iterator[SecretUse]:
    name = volume.get("name")
    for source_type, source in volume.items():
        # A volume has exactly one source; most are not about Secrets.
        if source_type == "secret":
            if source and source.get("secretName"):
                yield _volume_use(source["secretName"], "volume", name, source)
        elif source_type == "projected":
            for item in (source or {}).get("sources") or ():
                ref = item.get("secret")
                if ref and ref.get("name"):
                    yield _volume_use(ref["name"], "projected", name, ref)
        elif source_type in _PLUGIN_REFS or source_type == "azureFile":
            secret = _plugin_secret(source_type, source or {})
            if secret:
                yield SecretUse(secret, "volume-plugin", "restart", volume=name)


def _plugin_secret(source_type: str, source: Raw) -> str | None:
    if source_type == "azureFile":
        return source.get("secretName") or None
    ref = source.get(_PLUGIN_REFS[source_type]) or {}
    return ref.get("name") or None


def _volume_use(secret: str, via: str, volume: str | None, source: Raw) -> SecretUse:
    items = tuple(item["key"] for item in source.get("items") or () if item.get("key")) or None
    optional = bool(source.get("optional"))
    return SecretUse(secret, via, "auto", volume=volume, items=items, optional=optional)


def consumes(source: Key, namespace: str, uses: Sequence[SecretUse]) -> list[Edge]:
    """``consumes-secret`` edges from a consumer to the Secrets it uses."""
    return [
        Edge(CONSUMES_SECRET, source, ("Secret", namespace, use.secret), use.attributes())
        for use in uses
    ]


def service_account_name(spec: Raw) -> str:
    """The ServiceAccount a pod spec runs as (``default`` when unset)."""
    return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")


def runs_as(source: Key, account: str, automount: bool | None) -> Edge:
    """The ``runs-as`` edge from a workload (or bare Pod) to its ServiceAccount.

    Args:
        source: The workload or Pod.
        account: The ServiceAccount's name (see `service_account_name`).
        automount: The pod spec's ``automountServiceAccountToken``.
    """
    target = ("ServiceAccount", source[1], account)
    return Edge(RUNS_AS, source, target, {"automountServiceAccountToken": automount})


def owner_edges(target: Key, owners: Sequence[Raw]) -> list[Edge]:
    """``owns`` edges from each ``ownerReferences`` entry to the object."""
    edges = []
    for ref in owners:
        kind, name = ref.get("kind"), ref.get("name")
        if not kind or not name:
            continue
        namespace = "" if kind in CLUSTER_SCOPED_KINDS else target[1]
        attributes = {
            "apiVersion": ref.get("apiVersion"),
            "uid": ref.get("uid"),
            "controller": bool(ref.get("controller")),
        }
        edges.append(Edge(OWNS, (kind, namespace, name), target, attributes))
    return edges


def controller_ref(owners: Sequence[Raw]) -> Raw | None:
    """The ``ownerReferences`` entry marked ``controller: true``, if any."""
    return next((ref for ref in owners if ref.get("controller")), None)


def top_controller(namespace: str, labels: Mapping[str, str], owners: Sequence[Raw]) -> Key | None:
    """The workload a Pod belongs to, following its controller reference.

    A Pod of a Deployment is controlled by a ReplicaSet named ``<deployment>-<hash>`` whose
    hash is the Pod's ``pod-template-hash`` label; that names the Deployment without listing
    ReplicaSets. Other controllers (DaemonSet, StatefulSet, Job, ...) are returned as they are.
    """
    ref = controller_ref(owners)
    if ref is None or not ref.get("kind") or not ref.get("name"):
        return None
    kind, name = str(ref["kind"]), str(ref["name"])
    suffix = "-" + labels.get("pod-template-hash", "\0")
    if kind == "ReplicaSet" and name.endswith(suffix) and len(name) > len(suffix):
        return ("Deployment", namespace, name[: -len(suffix)])
    return (kind, "" if kind in CLUSTER_SCOPED_KINDS else namespace, name)


def token_edges(
    secret: Key, secret_type: str, annotations: Mapping[str, str], listed_by: Sequence[str]
) -> list[Edge]:
    """``token-of`` edges from a token Secret to its ServiceAccount(s).

    Args:
        secret: The Secret's key.
        secret_type: Its type (``Opaque-or-other`` when not told apart).
        annotations: Its annotations.
        listed_by: ServiceAccounts of its namespace that list it in ``secrets``.
    """
    owners: dict[str, list[str]] = {}
    annotated = annotations.get(SA_NAME_ANNOTATION)
    if annotated and secret_type == SERVICE_ACCOUNT_TOKEN:
        owners.setdefault(annotated, []).append("annotation")
    if secret_type == SERVICE_ACCOUNT_TOKEN or not annotated:
        for account in listed_by:
            owners.setdefault(account, []).append("secrets")
    return [
        Edge(TOKEN_OF, secret, ("ServiceAccount", secret[1], account), {"evidence": evidence})
        for account, evidence in owners.items()
    ]


def binding_edges(binding: Key, role_ref: Raw, subjects: Sequence[Raw]) -> list[Edge]:
    """``grants`` (binding -> role) and ``binds`` (binding -> subject) edges of a binding."""
    edges: list[Edge] = []
    role_kind, role_name = role_ref.get("kind"), role_ref.get("name")
    if role_kind and role_name:
        role_ns = binding[1] if role_kind == "Role" else ""
        edges.append(Edge(GRANTS, binding, (role_kind, role_ns, role_name), {}))
    for subject in subjects:
        key = subject_key(subject, binding[1])
        if key is not None:
            edges.append(Edge(BINDS, binding, key, {"role": f"{role_kind}/{role_name}"}))
    return edges


def subject_key(subject: Raw, binding_namespace: str) -> Key | None:
    """The key of an RBAC subject (a ServiceAccount defaults to the binding's namespace)."""
    kind, name = subject.get("kind"), subject.get("name")
    if not kind or not name:
        return None
    if kind == "ServiceAccount":
        return (kind, subject.get("namespace") or binding_namespace, name)
    return (kind, "", name)
