"""The demo scenario's Secrets: one per way a Secret is consumed or managed.

Which workload consumes which Secret, and how, is listed in `kubesim.scenarios.demo`.
Values are plain demo strings; the TLS pair is a real self-signed certificate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kubesim.scenarios.build import Manifest, b64, owner, secret, token_secret
from kubesim.scenarios.tlsdata import self_signed

HELM_LABELS = {
    "app.kubernetes.io/managed-by": "Helm",
    "app.kubernetes.io/name": "grafana",
    "app.kubernetes.io/instance": "grafana",
    "helm.sh/chart": "grafana-8.0.2",
}
HELM_ANNOTATIONS = {
    "meta.helm.sh/release-name": "grafana",
    "meta.helm.sh/release-namespace": "monitoring",
}
FLUX_LABELS = {
    "kustomize.toolkit.fluxcd.io/name": "payments-apps",
    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
}
ARGO_INSTANCE = "shop-search"
# Owners that live outside the emulator (CRDs it does not serve); their uids are fixed.
EXTERNAL_SECRET_UID = "3b0f6a52-1c7e-4d8a-9f21-6e4c2b7d9a10"
SEALED_SECRET_UID = "8d2c4e61-5f3a-4b9e-a7d0-1c9e8f2b3a54"


def objects() -> Iterator[Manifest]:
    """Every demo Secret, shop first, then payments, monitoring and ci."""
    yield from _shop()
    yield from _payments()
    yield from _monitoring()
    yield from _ci()


def _docker_config(registry: str, username: str, password: str) -> str:
    auth = b64(f"{username}:{password}")
    entry = {"username": username, "password": password, "auth": auth}
    return json.dumps({"auths": {registry: entry}}, separators=(",", ":"))


def _shop() -> Iterator[Manifest]:
    ns = "shop"
    pull = _docker_config("registry.example.com", "shop-puller", "pull-2f9c1e7a")
    yield secret("regcred", ns, {".dockerconfigjson": pull}, "kubernetes.io/dockerconfigjson")
    yield secret(
        "db-credentials",
        ns,
        {"username": "shop", "password": "Zq8-demo-db-pass", "host": "shop-db.example.internal"},
    )
    yield secret("storefront-env", ns, {"SESSION_SECRET": "f3a9c0d1e2b4", "CSRF_KEY": "77e1b2c3"})
    pair = self_signed("shop.example.com")
    tls = {"tls.crt": pair.cert_pem, "tls.key": pair.key_pem}
    yield secret("storefront-tls", ns, tls, "kubernetes.io/tls")
    yield secret(
        "search-api-key",
        ns,
        {"api-key": "srch-6b1d9e0f4a"},
        labels={"app.kubernetes.io/instance": ARGO_INSTANCE},
        annotations={
            "argocd.argoproj.io/tracking-id": f"{ARGO_INSTANCE}:/Secret:shop/search-api-key"
        },
    )
    sealed = owner("bitnami.com/v1alpha1", "SealedSecret", "smtp-credentials", SEALED_SECRET_UID)
    yield secret(
        "smtp-credentials",
        ns,
        {"SMTP_USER": "notifications@shop.example.com", "SMTP_PASSWORD": "mail-4c8e2a"},
        owner_references=[sealed],
    )


def _payments() -> Iterator[Manifest]:
    ns = "payments"
    pgpass = "postgres.payments.svc.cluster.local:5432:payments:payments:pg-91d7c3b2\n"
    db = {"POSTGRES_USER": "payments", "POSTGRES_PASSWORD": "pg-91d7c3b2", "pgpass": pgpass}
    yield secret("payments-db", ns, db)
    url = "postgres://migrator:mig-5e2a7c@postgres.payments.svc.cluster.local:5432/payments"
    yield secret("migration-credentials", ns, {"DATABASE_URL": url})
    yield secret("stripe-api-key", ns, {"api-key": "stripe-demo-key-4ec39hql"}, immutable=True)
    external = owner(
        "external-secrets.io/v1beta1", "ExternalSecret", "psp-credentials", EXTERNAL_SECRET_UID
    )
    yield secret(
        "psp-credentials",
        ns,
        {"client-id": "psp-client-0042", "client-secret": "psp-a1b2c3d4"},
        labels={"reconcile.external-secrets.io/created-by": "psp-credentials"},
        annotations={"reconcile.external-secrets.io/data-hash": "5d41402abc4b2a76b9719d911017c592"},
        owner_references=[external],
    )
    yield secret(
        "acquirer-api-token",
        ns,
        {"token": "acq-0f1e2d3c4b5a"},
        labels={"reconcile.external-secrets.io/managed": "true"},
    )
    yield secret(
        "fraud-model-token", ns, {"MODEL_REGISTRY_TOKEN": "mdl-9a8b7c"}, labels=FLUX_LABELS
    )
    yield secret("legacy-webhook-secret", ns, {"signing-key": "whsec_retired_2023"})
    yield token_secret("reporting-token", ns, "reporting")


def _monitoring() -> Iterator[Manifest]:
    ns = "monitoring"
    yield secret(
        "grafana-admin",
        ns,
        {"admin-user": "admin", "admin-password": "graf-3c7d1e"},
        labels=HELM_LABELS,
        annotations=HELM_ANNOTATIONS,
    )
    release_labels = {"name": "grafana", "owner": "helm", "status": "deployed", "version": "3"}
    yield secret(
        "sh.helm.release.v1.grafana.v3",
        ns,
        {"release": "H4sIAAAAAAAC/6quVkpKLS4pSk3MS8lUslJKz8/PSVWqBQQAAP//"},
        "helm.sh/release.v1",
        labels=release_labels,
    )
    yield token_secret("prometheus-token", ns, "prometheus")


def _ci() -> Iterator[Manifest]:
    ns = "ci"
    yield token_secret("deployer-token", ns, "deployer")
    creds = {"username": "ci-bot", "password": "git-6f2e1d0c"}
    yield secret("git-credentials", ns, creds, "kubernetes.io/basic-auth")
