"""The `demo` scenario: a small, realistic cluster that doubles as a test fixture.

Everything a team would have applied by hand or through a deployment tool; controllers derive
the rest (ReplicaSets and Pods, token data of legacy token Secrets, `default` ServiceAccounts,
`kube-root-ca.crt` ConfigMaps, default RBAC).

Nodes (kubelet v1.30.2, containerd 1.7.18, Ubuntu 22.04, all Ready):
    `kube-cp-1` (control-plane label and NoSchedule taint), `kube-worker-1`, `kube-worker-2`.

Namespaces (label `team`): `shop`, `payments`, `monitoring`, `ci`.

Workloads and how they consume Secrets:
    shop/storefront (Deployment, 3): envFrom secretRef `storefront-env`; volume of the TLS
        Secret `storefront-tls`; pulls through its ServiceAccount's imagePullSecrets `regcred`.
    shop/cart (Deployment, 2; HPA `cart` 2..10 on CPU): env secretKeyRef `db-credentials`;
        pod imagePullSecrets `regcred`.
    shop/search (Deployment, 2; Argo CD app `shop-search`): env secretKeyRef `search-api-key`.
    shop/notifications (Deployment, 1): envFrom the sealed `smtp-credentials`; an OPTIONAL
        env secretKeyRef to `smtp-relay-override`, which deliberately does not exist.
    shop/debug-shell (bare Pod): its ephemeral container `debugger-7x2kq` reads
        `db-credentials` (see `demo_workloads.debug_shell` about creating it).
    payments/payments-api (Deployment, 2): init container `migrate` reads
        `migration-credentials`; env from the External Secrets `psp-credentials`; `subPath`
        mount of key `pgpass` of `payments-db`; projected volume of the immutable
        `stripe-api-key`, ConfigMap `payments-settings` and a bound SA token.
    payments/fraud-scorer (Deployment, 1; Flux): envFrom `fraud-model-token`, env from
        `acquirer-api-token`.
    payments/postgres (StatefulSet, 1, headless Service `postgres`): env from `payments-db`;
        data on an emptyDir (PersistentVolumeClaims are not served).
    payments/psql-client (bare Pod, default ServiceAccount): env from `payments-db`.
    monitoring/prometheus (Deployment, 1): mounts the legacy token Secret `prometheus-token`.
    monitoring/grafana (Deployment, 1; Helm release `grafana`): env from `grafana-admin`.
    monitoring/node-exporter (DaemonSet, tolerates the control-plane taint: 3 Pods).
    ci/build-runner (Deployment, 1, runs as `deployer`): init container `clone` reads the
        basic-auth `git-credentials`; mounts the legacy token Secret `deployer-token`.

Secrets by management marker:
    Helm: monitoring/grafana-admin (labels + `meta.helm.sh/*`), plus Helm's own release
        record monitoring/sh.helm.release.v1.grafana.v3 (type `helm.sh/release.v1`).
    Argo CD: shop/search-api-key (instance label and tracking-id annotation).
    Flux: payments/fraud-model-token (`kustomize.toolkit.fluxcd.io/*` labels).
    External Secrets: payments/psp-credentials (ownerReference to an ExternalSecret),
        payments/acquirer-api-token (label `reconcile.external-secrets.io/managed`).
    Sealed Secrets: shop/smtp-credentials (ownerReference to a SealedSecret).
    The ExternalSecret and SealedSecret owners are custom resources the emulator does not
    serve; their uids are fixed, and a garbage collector must leave such dependents alone.

Other Secret cases: `payments/stripe-api-key` is immutable; `payments/legacy-webhook-secret`
is consumed by nobody; `shop/regcred` is the dockerconfigjson pull secret; legacy token Secrets
(data left for the token controller) exist for `ci/deployer`, `monitoring/prometheus` and the
workload-less `payments/reporting`, none of them listed in their ServiceAccount's `secrets`.

RBAC, with the risky grants an audit should report:
    ClusterRole `secret-reader` (secrets get/list/watch) bound cluster-wide to SA
        monitoring/prometheus; ClusterRole `metrics-scraper` (incl. nonResourceURLs).
    Role ci/ci-superuser (`*` verbs on `*` resources in `*` groups) bound to SA ci/deployer.
    Role shop/pod-debugger grants `pods/exec` and `pods/attach` to group `shop-oncall` and
        user `bob@example.com`.
    ClusterRole `impersonator` (impersonate users/groups/serviceaccounts) bound to user
        `support@example.com`.
    ClusterRole `rbac-manager` (`escalate` and `bind`) bound to group `platform-admins`.
    ClusterRoleBinding `alice-cluster-admin`: `cluster-admin` to user `alice@example.com`.
    ClusterRoleBinding `anonymous-view`: `view` to group `system:unauthenticated`.
    RoleBinding payments/default-edit: ClusterRole `edit` to SA payments/default.
    RoleBindings to ClusterRoles: shop/developers-view (`view`), shop/ci-deployer (`edit`
        to SA ci/deployer from another namespace).
    Aggregated ClusterRole `monitoring-view` (aggregationRule on label
        `rbac.example.com/aggregate-to-monitoring`) collecting `monitoring-pods-reader` and
        `monitoring-workloads-reader`; bound to group `sre-oncall`.
    Role payments/payments-api-secrets: `get` on two Secrets by resourceNames.
    RoleBinding monitoring/grafana-dashboards references Role `dashboard-reader`, which
        deliberately does not exist.

Deliberately missing references: Secret `shop/smtp-relay-override` (optional env ref) and
Role `monitoring/dashboard-reader`. No image carries the tag `broken`.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios import demo_infra, demo_rbac, demo_secrets, demo_workloads
from kubesim.scenarios.build import Manifest

DESCRIPTION = (
    "Small realistic cluster: 3 nodes, namespaces shop/payments/monitoring/ci, Secrets "
    "consumed in every way and managed by Helm/Argo CD/Flux/External Secrets/Sealed Secrets, "
    "legacy token Secrets, and RBAC with risky grants."
)

# References that a consistency check should expect to dangle.
MISSING_SECRETS = frozenset({("shop", "smtp-relay-override")})
MISSING_ROLES = frozenset({("monitoring", demo_rbac.MISSING_ROLE)})


def objects() -> Iterator[Manifest]:
    """Yield the demo manifests in creation order (fresh dicts on every call)."""
    yield from demo_infra.namespaces()
    yield from demo_infra.nodes()
    yield from demo_infra.service_accounts()
    yield from demo_secrets.objects()
    yield from demo_infra.config_maps()
    yield from demo_infra.services()
    yield from demo_rbac.objects()
    yield from demo_workloads.objects()
