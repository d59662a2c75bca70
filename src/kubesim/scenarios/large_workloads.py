"""The `large` scenario's Deployments, DaemonSets and StatefulSets.

Each Deployment consumes Secrets in several ways (env `secretKeyRef`, `envFrom`, secret
volumes, TLS and legacy token volumes, imagePullSecrets) so relation extraction over the
cluster has real work; every reference resolves to an object `large_core` yields.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios.build import Manifest
from kubesim.scenarios.large_core import (
    PULL_SECRET,
    app_name,
    config_name,
    db_name,
    opaque_name,
    sa_name,
    tls_name,
    token_name,
)
from kubesim.scenarios.large_plan import DAEMON_SETS, STS_REPLICAS, LargePlan
from kubesim.scenarios.workloads import (
    config_env_from,
    container,
    daemon_set,
    deployment,
    mount,
    port,
    resources,
    secret_env,
    secret_env_from,
    secret_volume,
    stateful_set,
)

PUBLIC_IMAGES = ("nginx:1.25.3", "redis:7.2.4", "python:3.12.3-slim", "node:20.14.0-alpine")
AGENTS = (
    ("log-shipper", "fluent/fluent-bit:3.0.7"),
    ("node-exporter", "quay.io/prometheus/node-exporter:v1.8.1"),
    ("cni-agent", "docker.io/calico/node:v3.28.0"),
    ("csi-node", "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.10.1"),
    ("security-agent", "falcosecurity/falco-no-driver:0.38.1"),
)


def deployments(p: LargePlan) -> Iterator[Manifest]:
    """Deployments with the replica counts of the plan."""
    for i in range(p.deployments):
        yield _deployment(p, i)


def _image(i: int, k: int) -> str:
    if i % 5 == 0:
        return PUBLIC_IMAGES[i % len(PUBLIC_IMAGES)]
    return f"registry.example.com/tenant/app-{k % 50:02d}:1.{i % 20}.{i % 7}"


def _deployment(p: LargePlan, i: int) -> Manifest:
    j, k = p.place(i)
    name = app_name(k)
    opaque = p.per_ns(p.opaque_secrets, j)
    app = container(
        "app",
        _image(i, k),
        ports=[port("http", 8080)],
        env=[
            secret_env("DB_USER", opaque_name(3 * k % opaque), "username"),
            secret_env("DB_PASSWORD", opaque_name(3 * k % opaque), "password"),
        ],
        envFrom=[
            secret_env_from(opaque_name((3 * k + 1) % opaque), prefix="APP_"),
            config_env_from(config_name(k % p.per_ns(p.config_maps, j))),
        ],
        resources=resources("100m", "128Mi"),
    )
    volumes = _deployment_volumes(p, j, k)
    app["volumeMounts"] = [mount(v["name"], f"/etc/secrets/{v['name']}") for v in volumes]
    spec: Manifest = {
        "containers": [app],
        "serviceAccountName": sa_name(k % p.per_ns(p.service_accounts, j)),
        "volumes": volumes,
    }
    if k % 3 == 0:
        spec["imagePullSecrets"] = [{"name": PULL_SECRET}]
    return deployment(name, p.ns_name(j), p.replicas[i], {"app": name}, spec)


def _deployment_volumes(p: LargePlan, j: int, k: int) -> list[Manifest]:
    volumes = [secret_volume("app", opaque_name((3 * k + 2) % p.per_ns(p.opaque_secrets, j)))]
    tls = p.per_ns(p.tls_secrets, j)
    if tls and k % 4 == 0:
        volumes.append(secret_volume("tls", tls_name(k % tls)))
    tokens = p.per_ns(p.token_secrets, j)
    if tokens and k % 5 == 0:
        volumes.append(secret_volume("legacy-token", token_name(k % tokens)))
    return volumes


def daemon_sets(p: LargePlan) -> Iterator[Manifest]:
    """Node agents in the first namespace, tolerating every taint so they run on all Nodes."""
    ns = p.ns_name(0)
    for name, image in AGENTS[:DAEMON_SETS]:
        agent = container(
            name,
            image,
            envFrom=[secret_env_from(opaque_name(0))],
            volumeMounts=[mount("varlog", "/var/log")],
            resources=resources("50m", "64Mi"),
        )
        spec: Manifest = {
            "containers": [agent],
            "serviceAccountName": sa_name(0),
            "tolerations": [{"operator": "Exists"}],
            "volumes": [{"name": "varlog", "hostPath": {"path": "/var/log"}}],
        }
        yield daemon_set(name, ns, {"app": name}, spec)


def stateful_sets(p: LargePlan) -> Iterator[Manifest]:
    """Databases, each governed by its headless Service."""
    for i in range(p.stateful_sets):
        j, k = p.place(i)
        name = db_name(k)
        password = opaque_name(k % p.per_ns(p.opaque_secrets, j))
        db = container(
            "postgres",
            "postgres:16.3",
            ports=[port("db", 5432)],
            env=[secret_env("POSTGRES_PASSWORD", password, "password")],
            resources=resources("250m", "512Mi"),
        )
        spec: Manifest = {
            "containers": [db],
            "serviceAccountName": sa_name(k % p.per_ns(p.service_accounts, j)),
        }
        yield stateful_set(name, p.ns_name(j), STS_REPLICAS, {"app": name}, spec, name)
