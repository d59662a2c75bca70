"""The `large` scenario's namespaces, Nodes, ServiceAccounts, Secrets, ConfigMaps and Services.

Names are derived from local indexes (see `large_plan`), so workloads can reference Secrets,
ConfigMaps and ServiceAccounts by computing names instead of remembering them.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios.build import (
    Manifest,
    b64,
    config_map,
    namespace,
    secret,
    service,
    service_account,
    token_secret,
)
from kubesim.scenarios.large_plan import LargePlan
from kubesim.scenarios.nodes import NodeShape, node
from kubesim.scenarios.tlsdata import self_signed

PULL_SECRET = "regcred"
MANAGERS: tuple[dict[str, str], ...] = (
    {"app.kubernetes.io/managed-by": "Helm"},
    {"app.kubernetes.io/instance": "tenant-apps"},
    {"kustomize.toolkit.fluxcd.io/name": "tenant-apps"},
    {"reconcile.external-secrets.io/managed": "true"},
)


def sa_name(local: int) -> str:
    """Name of a namespace's ServiceAccount by local index."""
    return f"sa-{local:03d}"


def opaque_name(local: int) -> str:
    """Name of a namespace's opaque Secret by local index."""
    return f"app-secret-{local:03d}"


def token_name(local: int) -> str:
    """Name of a namespace's legacy token Secret by local index."""
    return f"legacy-token-{local:03d}"


def tls_name(local: int) -> str:
    """Name of a namespace's TLS Secret by local index."""
    return f"tls-{local:03d}"


def config_name(local: int) -> str:
    """Name of a namespace's ConfigMap by local index."""
    return f"config-{local:03d}"


def app_name(local: int) -> str:
    """Name of a namespace's Deployment (and its Service) by local index."""
    return f"app-{local:03d}"


def db_name(local: int) -> str:
    """Name of a namespace's StatefulSet (and its headless Service) by local index."""
    return f"db-{local:02d}"


def namespaces(p: LargePlan) -> Iterator[Manifest]:
    """The tenant namespaces."""
    for j in range(p.namespaces):
        yield namespace(p.ns_name(j), {"tier": ("prod", "staging", "dev")[j % 3]})


def nodes(p: LargePlan) -> Iterator[Manifest]:
    """Up to three tainted control-plane Nodes, the rest workers."""
    for i in range(p.nodes):
        control = i < p.control_planes
        name = f"cp-{i + 1}" if control else f"node-{i:03d}"
        ip = f"172.16.{i // 250}.{i % 250 + 2}"
        cidr = f"10.{64 + i // 256}.{i % 256}.0/24"
        yield node(NodeShape(name, ip, cidr, control_plane=control, cpu=16, memory_gib=64))


def service_accounts(p: LargePlan) -> Iterator[Manifest]:
    """ServiceAccounts; every fourth one pulls images through the namespace's `regcred`."""
    for i in range(p.service_accounts):
        j, k = p.place(i)
        pulls = [PULL_SECRET] if k % 4 == 0 else []
        yield service_account(sa_name(k), p.ns_name(j), pull_secrets=pulls)


def secrets(p: LargePlan) -> Iterator[Manifest]:
    """Pull secrets, legacy token Secrets, TLS Secrets, then opaque application Secrets."""
    pull = _docker_config()
    for j in range(p.docker_secrets):
        yield secret(
            PULL_SECRET, p.ns_name(j), {".dockerconfigjson": pull}, "kubernetes.io/dockerconfigjson"
        )
    for i in range(p.token_secrets):
        j, k = p.place(i)
        owner_sa = sa_name(k % p.per_ns(p.service_accounts, j))
        yield token_secret(token_name(k), p.ns_name(j), owner_sa)
    yield from _tls_secrets(p)
    for i in range(p.opaque_secrets):
        yield _opaque(p, i)


def _docker_config() -> str:
    auth = b64("tenant-puller:pull-token")
    return '{"auths":{"registry.example.com":{"auth":"' + auth + '"}}}'


def _tls_secrets(p: LargePlan) -> Iterator[Manifest]:
    pair = self_signed("apps.example.com")
    # Encode once: every TLS Secret carries the same pair.
    data = {"tls.crt": b64(pair.cert_pem), "tls.key": b64(pair.key_pem)}
    for i in range(p.tls_secrets):
        j, k = p.place(i)
        body = secret(tls_name(k), p.ns_name(j), None, "kubernetes.io/tls")
        body["data"] = dict(data)
        yield body


def _opaque(p: LargePlan, i: int) -> Manifest:
    j, k = p.place(i)
    labels = MANAGERS[i % len(MANAGERS)] if i % 10 == 0 else None
    data = {"username": f"svc-{j}-{k}", "password": f"{(i * 2654435761) % 2**32:08x}"}
    return secret(opaque_name(k), p.ns_name(j), data, labels=labels, immutable=i % 25 == 0)


def config_maps(p: LargePlan) -> Iterator[Manifest]:
    """Application settings, one key-value set per ConfigMap."""
    for i in range(p.config_maps):
        j, k = p.place(i)
        data = {"LOG_LEVEL": ("info", "debug", "warn")[i % 3], "FEATURE_FLAGS": f"f{i % 17}"}
        yield config_map(config_name(k), p.ns_name(j), data)


def services(p: LargePlan) -> Iterator[Manifest]:
    """A Service per Deployment, a headless one per StatefulSet, then metrics Services."""
    for i in range(p.deployments):
        j, k = p.place(i)
        name = app_name(k)
        yield service(name, p.ns_name(j), {"app": name}, [("http", 80, 8080)])
    for i in range(p.stateful_sets):
        j, k = p.place(i)
        name = db_name(k)
        yield service(name, p.ns_name(j), {"app": name}, [("db", 5432, 5432)], headless=True)
    for i in range(p.services - p.deployments - p.stateful_sets):
        j, k = p.place(i % p.deployments)
        suffix = "-metrics" if i < p.deployments else f"-metrics-{i // p.deployments}"
        selector = {"app": app_name(k)}
        yield service(app_name(k) + suffix, p.ns_name(j), selector, [("metrics", 9090, 9090)])
