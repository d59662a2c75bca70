"""The demo scenario's workloads: Deployments, a DaemonSet, a StatefulSet, bare Pods, HPA, PDB.

Each builder states how the workload consumes its Secrets; the overview is in
`kubesim.scenarios.demo`.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios.build import Manifest, meta
from kubesim.scenarios.demo_secrets import ARGO_INSTANCE, FLUX_LABELS, HELM_ANNOTATIONS, HELM_LABELS
from kubesim.scenarios.workloads import (
    bare_pod,
    config_env,
    config_env_from,
    config_volume,
    container,
    daemon_set,
    deployment,
    empty_dir,
    mount,
    plain_env,
    pod_spec,
    port,
    resources,
    secret_env,
    secret_env_from,
    secret_volume,
    stateful_set,
)

REGISTRY = "registry.example.com"


def _pull() -> list[Manifest]:
    return [{"name": "regcred"}]


def objects() -> Iterator[Manifest]:
    """Deployments, then the DaemonSet, StatefulSet, bare Pods, the HPA and the PDB."""
    yield storefront()
    yield cart()
    yield search()
    yield notifications()
    yield payments_api()
    yield fraud_scorer()
    yield prometheus()
    yield grafana()
    yield build_runner()
    yield node_exporter()
    yield postgres()
    yield debug_shell()
    yield psql_client()
    yield cart_autoscaler()
    yield storefront_budget()


def storefront() -> Manifest:
    """Web app (envFrom a Secret) behind an nginx sidecar mounting the TLS Secret."""
    app = container(
        "web",
        f"{REGISTRY}/shop/storefront:2.14.0",
        ports=[port("http", 8080)],
        envFrom=[secret_env_from("storefront-env")],
        resources=resources("250m", "256Mi"),
    )
    proxy = container(
        "tls-proxy",
        "nginx:1.25.3",
        ports=[port("https", 8443)],
        volumeMounts=[
            mount("tls", "/etc/nginx/tls"),
            mount("nginx-conf", "/etc/nginx/nginx.conf", sub_path="nginx.conf"),
        ],
        resources=resources("50m", "64Mi"),
    )
    volumes = [
        secret_volume("tls", "storefront-tls", 0o400),
        config_volume("nginx-conf", "storefront-nginx"),
    ]
    spec = pod_spec([app, proxy], serviceAccountName="storefront", volumes=volumes)
    return deployment("storefront", "shop", 3, {"app": "storefront"}, spec)


def cart() -> Manifest:
    """Reads database credentials key by key (`secretKeyRef`); scaled by an HPA."""
    app = container(
        "cart",
        f"{REGISTRY}/shop/cart:1.8.2",
        ports=[port("http", 8080)],
        env=[
            secret_env("DB_USER", "db-credentials", "username"),
            secret_env("DB_PASSWORD", "db-credentials", "password"),
            secret_env("DB_HOST", "db-credentials", "host"),
        ],
        envFrom=[config_env_from("cart-settings")],
        resources=resources("200m", "192Mi", cpu_limit="1"),
    )
    spec = pod_spec([app], serviceAccountName="cart", imagePullSecrets=_pull())
    return deployment("cart", "shop", 2, {"app": "cart"}, spec)


def search() -> Manifest:
    """An Argo CD application's Deployment reading its Argo-managed API key."""
    app = container(
        "search",
        f"{REGISTRY}/shop/search:0.9.4",
        ports=[port("http", 8080)],
        env=[secret_env("SEARCH_API_KEY", "search-api-key", "api-key")],
        resources=resources("500m", "1Gi"),
    )
    spec = pod_spec([app], serviceAccountName="search", imagePullSecrets=_pull())
    labels = {"app": "search", "app.kubernetes.io/instance": ARGO_INSTANCE}
    return deployment("search", "shop", 2, {"app": "search"}, spec, meta_labels=labels)


def notifications() -> Manifest:
    """Imports a sealed Secret whole and optionally a Secret that does not exist."""
    app = container(
        "notifications",
        f"{REGISTRY}/shop/notifications:3.2.1",
        envFrom=[secret_env_from("smtp-credentials")],
        env=[secret_env("SMTP_RELAY_OVERRIDE", "smtp-relay-override", "host", optional=True)],
        resources=resources("100m", "128Mi"),
    )
    spec = pod_spec([app], serviceAccountName="notifications", imagePullSecrets=_pull())
    return deployment("notifications", "shop", 1, {"app": "notifications"}, spec)


def payments_api() -> Manifest:
    """Init container with a Secret env var; subPath and projected-volume Secret mounts."""
    migrate = container(
        "migrate",
        f"{REGISTRY}/payments/migrations:4.7.0",
        args=["migrate", "up"],
        env=[secret_env("DATABASE_URL", "migration-credentials", "DATABASE_URL")],
    )
    api = container(
        "api",
        f"{REGISTRY}/payments/api:4.7.0",
        ports=[port("http", 8080)],
        env=[
            secret_env("PSP_CLIENT_ID", "psp-credentials", "client-id"),
            secret_env("PSP_CLIENT_SECRET", "psp-credentials", "client-secret"),
            plain_env("SPRING_CONFIG_LOCATION", "/etc/payments/application.yaml"),
        ],
        volumeMounts=[
            mount("db", "/home/app/.pgpass", sub_path="pgpass"),
            mount("app-config", "/etc/payments"),
        ],
        resources=resources("500m", "768Mi", cpu_limit="2"),
    )
    volumes = [secret_volume("db", "payments-db", 0o600), _payments_projected()]
    spec = pod_spec(
        [api], initContainers=[migrate], serviceAccountName="payments-api", volumes=volumes
    )
    return deployment("payments-api", "payments", 2, {"app": "payments-api"}, spec)


def _payments_projected() -> Manifest:
    stripe = {"name": "stripe-api-key", "items": [{"key": "api-key", "path": "stripe/api-key"}]}
    token = {"audience": "payments", "expirationSeconds": 3600, "path": "token"}
    sources = [
        {"secret": stripe},
        {"configMap": {"name": "payments-settings"}},
        {"serviceAccountToken": token},
    ]
    return {"name": "app-config", "projected": {"sources": sources}}


def fraud_scorer() -> Manifest:
    """A Flux-managed Deployment using a Flux Secret and an External Secrets one."""
    app = container(
        "scorer",
        f"{REGISTRY}/payments/fraud-scorer:1.3.0",
        ports=[port("http", 8080)],
        envFrom=[secret_env_from("fraud-model-token")],
        env=[secret_env("ACQUIRER_TOKEN", "acquirer-api-token", "token")],
        resources=resources("1", "2Gi"),
    )
    spec = pod_spec([app], serviceAccountName="fraud-scorer")
    labels = {"app": "fraud-scorer", **FLUX_LABELS}
    return deployment(
        "fraud-scorer", "payments", 1, {"app": "fraud-scorer"}, spec, meta_labels=labels
    )


def prometheus() -> Manifest:
    """Scrapes the cluster with a legacy token Secret mounted as a file."""
    app = container(
        "prometheus",
        "quay.io/prometheus/prometheus:v2.52.0",
        args=["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=7d"],
        ports=[port("web", 9090)],
        volumeMounts=[
            mount("config", "/etc/prometheus"),
            mount("token", "/var/run/secrets/prometheus"),
            mount("data", "/prometheus", read_only=False),
        ],
        resources=resources("500m", "2Gi"),
    )
    volumes = [
        config_volume("config", "prometheus-config"),
        secret_volume("token", "prometheus-token"),
        empty_dir("data"),
    ]
    spec = pod_spec(
        [app], serviceAccountName="prometheus", automountServiceAccountToken=False, volumes=volumes
    )
    strategy = {"type": "Recreate"}
    return deployment("prometheus", "monitoring", 1, {"app": "prometheus"}, spec, strategy=strategy)


def grafana() -> Manifest:
    """A Helm-installed Deployment reading its Helm-managed admin Secret."""
    app = container(
        "grafana",
        "grafana/grafana:11.0.0",
        ports=[port("http", 3000)],
        env=[
            secret_env("GF_SECURITY_ADMIN_USER", "grafana-admin", "admin-user"),
            secret_env("GF_SECURITY_ADMIN_PASSWORD", "grafana-admin", "admin-password"),
        ],
        volumeMounts=[mount("datasources", "/etc/grafana/provisioning/datasources")],
        resources=resources("100m", "256Mi"),
    )
    volumes = [config_volume("datasources", "grafana-datasources")]
    spec = pod_spec([app], serviceAccountName="grafana", volumes=volumes)
    return deployment(
        "grafana",
        "monitoring",
        1,
        {"app": "grafana"},
        spec,
        meta_labels={"app": "grafana", **HELM_LABELS},
        annotations=HELM_ANNOTATIONS,
    )


def build_runner() -> Manifest:
    """CI runner: basic-auth Secret in an init container, legacy token as a volume."""
    clone = container(
        "clone",
        "alpine/git:2.45.1",
        args=["clone", "https://git.example.com/platform/pipelines.git", "/workspace"],
        env=[
            secret_env("GIT_USERNAME", "git-credentials", "username"),
            secret_env("GIT_PASSWORD", "git-credentials", "password"),
        ],
        volumeMounts=[mount("workspace", "/workspace", read_only=False)],
    )
    runner = container(
        "runner",
        f"{REGISTRY}/ci/runner:2024.05.2",
        envFrom=[config_env_from("runner-config")],
        volumeMounts=[
            mount("workspace", "/workspace", read_only=False),
            mount("deployer-token", "/var/run/secrets/deployer"),
        ],
        resources=resources("1", "1Gi"),
    )
    volumes = [empty_dir("workspace"), secret_volume("deployer-token", "deployer-token")]
    spec = pod_spec(
        [runner], initContainers=[clone], serviceAccountName="deployer", volumes=volumes
    )
    return deployment("build-runner", "ci", 1, {"app": "build-runner"}, spec)


def node_exporter() -> Manifest:
    """Host metrics on every Node, tolerating the control-plane taint."""
    app = container(
        "node-exporter",
        "quay.io/prometheus/node-exporter:v1.8.1",
        args=["--path.procfs=/host/proc", "--path.sysfs=/host/sys"],
        ports=[port("metrics", 9100)],
        volumeMounts=[mount("proc", "/host/proc"), mount("sys", "/host/sys")],
        resources=resources("50m", "64Mi"),
    )
    volumes = [
        {"name": "proc", "hostPath": {"path": "/proc"}},
        {"name": "sys", "hostPath": {"path": "/sys"}},
    ]
    toleration = {
        "key": "node-role.kubernetes.io/control-plane",
        "operator": "Exists",
        "effect": "NoSchedule",
    }
    spec = pod_spec(
        [app],
        serviceAccountName="node-exporter",
        hostNetwork=True,
        hostPID=True,
        tolerations=[toleration],
        volumes=volumes,
    )
    return daemon_set("node-exporter", "monitoring", {"app": "node-exporter"}, spec)


def postgres() -> Manifest:
    """The payments database, governed by the headless Service `postgres`."""
    db = container(
        "postgres",
        "postgres:16.3",
        ports=[port("postgres", 5432)],
        env=[
            secret_env("POSTGRES_USER", "payments-db", "POSTGRES_USER"),
            secret_env("POSTGRES_PASSWORD", "payments-db", "POSTGRES_PASSWORD"),
            plain_env("PGDATA", "/var/lib/postgresql/data/pgdata"),
        ],
        volumeMounts=[mount("data", "/var/lib/postgresql/data", read_only=False)],
        resources=resources("500m", "1Gi"),
    )
    spec = pod_spec([db], serviceAccountName="postgres", volumes=[empty_dir("data")])
    return stateful_set("postgres", "payments", 1, {"app": "postgres"}, spec, "postgres")


def debug_shell() -> Manifest:
    """A bare Pod an engineer attached a debug container to (`kubectl debug`).

    The ephemeral container reads a Secret. A real API server refuses
    `ephemeralContainers` on create, so a loader must add it through the pod's
    `ephemeralcontainers` subresource (or store it directly).
    """
    shell = container("shell", "busybox:1.36.1", command=["sleep", "86400"])
    debugger = container(
        "debugger-7x2kq",
        "nicolaka/netshoot:v0.13",
        env=[secret_env("DB_PASSWORD", "db-credentials", "password")],
        stdin=True,
        tty=True,
        targetContainerName="shell",
    )
    spec = pod_spec([shell], ephemeralContainers=[debugger], restartPolicy="Never")
    return bare_pod("debug-shell", "shop", {"run": "debug-shell"}, spec)


def psql_client() -> Manifest:
    """A bare Pod left running for ad-hoc database access."""
    env = [
        secret_env("PGPASSWORD", "payments-db", "POSTGRES_PASSWORD"),
        plain_env("PGHOST", "postgres.payments.svc.cluster.local"),
        config_env("PSP_SETTINGS", "payments-settings", "application.yaml"),
    ]
    client = container("psql", "postgres:16.3", command=["sleep", "infinity"], env=env)
    spec = pod_spec([client], restartPolicy="Never")
    return bare_pod("psql-client", "payments", {"run": "psql-client"}, spec)


def cart_autoscaler() -> Manifest:
    """An autoscaling/v2 HPA scaling `cart` on CPU utilisation."""
    target = {"type": "Utilization", "averageUtilization": 70}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta("cart", "shop"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "cart"},
            "minReplicas": 2,
            "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}],
        },
    }


def storefront_budget() -> Manifest:
    """A PodDisruptionBudget keeping two storefront replicas through drains."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta("storefront", "shop"),
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "storefront"}}},
    }
