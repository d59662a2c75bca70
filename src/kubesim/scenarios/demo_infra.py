"""The demo scenario's namespaces, Nodes, ServiceAccounts, ConfigMaps and Services."""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios.build import Manifest, config_map, namespace, service, service_account
from kubesim.scenarios.demo_secrets import HELM_ANNOTATIONS, HELM_LABELS
from kubesim.scenarios.nodes import NodeShape, node

NAMESPACES = {
    "shop": "storefront",
    "payments": "payments",
    "monitoring": "sre",
    "ci": "platform",
}

NODES = (
    NodeShape("kube-cp-1", "10.0.0.10", "10.244.0.0/24", control_plane=True, cpu=4, memory_gib=16),
    NodeShape("kube-worker-1", "10.0.0.11", "10.244.1.0/24"),
    NodeShape("kube-worker-2", "10.0.0.12", "10.244.2.0/24"),
)

PROMETHEUS_YML = """\
global:
  scrape_interval: 30s
scrape_configs:
  - job_name: kubernetes-nodes
    scheme: https
    bearer_token_file: /var/run/secrets/prometheus/token
    kubernetes_sd_configs:
      - role: node
  - job_name: node-exporter
    static_configs:
      - targets: ["node-exporter.monitoring.svc:9100"]
"""

NGINX_CONF = """\
events {}
http {
  server {
    listen 8443 ssl;
    ssl_certificate /etc/nginx/tls/tls.crt;
    ssl_certificate_key /etc/nginx/tls/tls.key;
    location / { proxy_pass http://127.0.0.1:8080; }
  }
}
"""


def namespaces() -> Iterator[Manifest]:
    """The four team namespaces, labelled with their owning team."""
    for name, team in NAMESPACES.items():
        yield namespace(name, {"team": team})


def nodes() -> Iterator[Manifest]:
    """One control-plane Node and two workers."""
    for shape in NODES:
        yield node(shape)


def service_accounts() -> Iterator[Manifest]:
    """One ServiceAccount per workload identity, plus the workload-less `reporting`."""
    yield service_account("storefront", "shop", pull_secrets=["regcred"])
    for name in ("cart", "search", "notifications"):
        yield service_account(name, "shop")
    for name in ("payments-api", "postgres", "fraud-scorer"):
        yield service_account(name, "payments")
    yield service_account("reporting", "payments", automount=False)
    yield service_account("prometheus", "monitoring")
    yield service_account("node-exporter", "monitoring", automount=False)
    yield service_account("grafana", "monitoring", labels=HELM_LABELS)
    yield service_account("deployer", "ci")


def config_maps() -> Iterator[Manifest]:
    """Application settings consumed through envFrom, volumes and projected volumes."""
    yield config_map("storefront-nginx", "shop", {"nginx.conf": NGINX_CONF})
    cart = {"CART_TTL_SECONDS": "1800", "REDIS_URL": "redis://cart-cache.shop.svc:6379/0"}
    yield config_map("cart-settings", "shop", cart)
    settings = "server:\n  port: 8080\npsp:\n  endpoint: https://psp.example.com/v2\n"
    yield config_map("payments-settings", "payments", {"application.yaml": settings})
    yield config_map("prometheus-config", "monitoring", {"prometheus.yml": PROMETHEUS_YML})
    datasources = (
        "apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n"
        "    url: http://prometheus.monitoring.svc:9090\n    isDefault: true\n"
    )
    yield config_map(
        "grafana-datasources",
        "monitoring",
        {"datasources.yaml": datasources},
        labels=HELM_LABELS,
        annotations=HELM_ANNOTATIONS,
    )
    yield config_map("runner-config", "ci", {"RUNNER_CONCURRENCY": "2", "RUNNER_TAGS": "k8s"})


def services() -> Iterator[Manifest]:
    """ClusterIP Services for the serving workloads and the two headless ones."""
    yield service(
        "storefront", "shop", {"app": "storefront"}, [("http", 80, 8080), ("https", 443, 8443)]
    )
    yield service("cart", "shop", {"app": "cart"}, [("http", 80, 8080)])
    yield service("search", "shop", {"app": "search"}, [("http", 80, 8080)])
    yield service("payments-api", "payments", {"app": "payments-api"}, [("http", 80, 8080)])
    yield service("postgres", "payments", {"app": "postgres"}, [("postgres", 5432, 5432)], True)
    yield service("prometheus", "monitoring", {"app": "prometheus"}, [("web", 9090, 9090)])
    yield service(
        "grafana", "monitoring", {"app": "grafana"}, [("http", 80, 3000)], labels=HELM_LABELS
    )
    yield service(
        "node-exporter", "monitoring", {"app": "node-exporter"}, [("metrics", 9100, 9100)], True
    )
