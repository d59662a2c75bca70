"""Who manages an object: field managers and the Helm/Argo CD/Flux/ESO/Sealed Secrets markers."""

from __future__ import annotations

from typing import Any

from kubeconnector.discovery.managers import (
    data_keys,
    field_managers,
    manages_edges,
    markers,
)
from kubeconnector.discovery.relations import MANAGES, Edge

HELM_LABELS = {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "grafana"}
HELM_ANNOTATIONS = {
    "meta.helm.sh/release-name": "grafana",
    "meta.helm.sh/release-namespace": "monitoring",
}


def _entries(
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    owners: list[dict[str, Any]] | None = None,
    managed_fields: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    found = markers("ns", labels or {}, annotations or {}, owners or [], managed_fields or [])
    return [m.entry for m in found]


def test_an_object_without_markers_has_no_managers() -> None:
    assert markers("ns", {"app": "web"}, {"note": "x"}, []) == []


def test_helm_release_from_labels_and_annotations() -> None:
    found = markers("monitoring", HELM_LABELS, HELM_ANNOTATIONS, [])
    assert [m.entry for m in found] == [
        {"type": "helm", "release": "grafana", "namespace": "monitoring"}
    ]
    assert found[0].source == ("Helm", "monitoring", "grafana")


def test_helm_label_alone_names_no_release() -> None:
    found = markers("monitoring", {"app.kubernetes.io/managed-by": "Helm"}, {}, [])
    assert [m.entry for m in found] == [
        {"type": "helm", "release": None, "namespace": "monitoring"}
    ]
    assert found[0].source is None


def test_argocd_tracking_annotation_names_the_application() -> None:
    tracking = "shop-search:/Secret:shop/search-api-key"
    found = markers(
        "shop",
        {"app.kubernetes.io/instance": "shop-search"},
        {"argocd.argoproj.io/tracking-id": tracking},
        [],
    )
    assert [m.entry for m in found] == [
        {"type": "argocd", "application": "shop-search", "tracking_id": tracking}
    ]
    assert (found[0].source, found[0].evidence) == (
        ("Application", "", "shop-search"),
        "annotation",
    )


def test_argocd_instance_label_counts_only_when_helm_does_not_manage_the_object() -> None:
    assert _entries({"app.kubernetes.io/instance": "shop-search"}) == [
        {"type": "argocd", "application": "shop-search"}
    ]
    assert [e["type"] for e in _entries(HELM_LABELS, HELM_ANNOTATIONS)] == ["helm"]


def test_flux_kustomization_and_helm_release_labels() -> None:
    labels = {
        "kustomize.toolkit.fluxcd.io/name": "payments-apps",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        "helm.toolkit.fluxcd.io/name": "redis",
    }
    found = markers("payments", labels, {}, [])
    assert [m.entry for m in found] == [
        {
            "type": "flux",
            "controller": "kustomize",
            "name": "payments-apps",
            "namespace": "flux-system",
        },
        {"type": "flux", "controller": "helm", "name": "redis", "namespace": "payments"},
    ]
    assert [m.source for m in found] == [
        ("Kustomization", "flux-system", "payments-apps"),
        ("HelmRelease", "payments", "redis"),
    ]


def test_external_secrets_from_an_owner_reference() -> None:
    owner = {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "name": "psp"}
    found = markers("payments", {"reconcile.external-secrets.io/managed": "true"}, {}, [owner])
    assert [m.entry for m in found] == [{"type": "external-secrets", "name": "psp"}]
    assert (found[0].source, found[0].evidence) == (
        ("ExternalSecret", "payments", "psp"),
        "ownerReference",
    )


def test_external_secrets_from_the_managed_label_alone() -> None:
    found = markers("payments", {"reconcile.external-secrets.io/managed": "true"}, {}, [])
    assert [(m.entry, m.source) for m in found] == [({"type": "external-secrets"}, None)]


def test_sealed_secrets_from_an_owner_reference() -> None:
    owner = {"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "name": "smtp"}
    assert _entries(owners=[owner]) == [{"type": "sealed-secrets", "name": "smtp"}]


def test_field_managers_are_listed_once_per_manager_operation_and_subresource() -> None:
    managed = [
        {"manager": "kubectl-client-side-apply", "operation": "Update", "fieldsType": "FieldsV1"},
        {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status"},
        {"manager": "kubectl-client-side-apply", "operation": "Update"},
        {"manager": "argocd-controller", "operation": "Apply"},
    ]
    assert field_managers(managed) == [
        {"type": "field-manager", "manager": "kubectl-client-side-apply", "operation": "Update"},
        {
            "type": "field-manager",
            "manager": "kube-controller-manager",
            "operation": "Update",
            "subresource": "status",
        },
        {"type": "field-manager", "manager": "argocd-controller", "operation": "Apply"},
    ]


def test_field_managers_come_first_even_without_labels() -> None:
    managed = [{"manager": "helm", "operation": "Update"}]
    assert _entries(HELM_LABELS, managed_fields=managed)[0]["type"] == "field-manager"
    assert _entries(managed_fields=managed) == [
        {"type": "field-manager", "manager": "helm", "operation": "Update"}
    ]


def test_data_keys_reads_key_names_from_managed_fields() -> None:
    managed = [
        {"manager": "kubectl", "fieldsV1": {"f:data": {".": {}, "f:password": {}, "f:user": {}}}},
        {"manager": "rotator", "fieldsV1": {"f:data": {"f:api-key": {}}, "f:type": {}}},
        {"manager": "labeler", "fieldsV1": {"f:metadata": {"f:labels": {"f:x": {}}}}},
    ]
    assert data_keys(managed) == ["api-key", "password", "user"]


def test_data_keys_includes_string_data_entries() -> None:
    managed = [{"manager": "m", "fieldsV1": {"f:stringData": {"f:token": {}}}}]
    assert data_keys(managed) == ["token"]


def test_data_keys_is_unknown_when_no_entry_records_data() -> None:
    assert data_keys([]) is None
    assert data_keys([{"manager": "m", "fieldsV1": {"f:metadata": {}}}]) is None


def test_data_keys_of_an_empty_data_map_is_an_empty_list() -> None:
    assert data_keys([{"manager": "m", "fieldsV1": {"f:data": {".": {}}}}]) == []


def test_manages_edges_only_for_named_managers() -> None:
    target = ("Secret", "payments", "psp")
    owner = {"kind": "ExternalSecret", "name": "psp"}
    found = markers(
        "payments",
        {"app.kubernetes.io/managed-by": "Helm", "reconcile.external-secrets.io/managed": "true"},
        {},
        [owner],
        [{"manager": "external-secrets", "operation": "Update"}],
    )
    assert manages_edges(target, found) == [
        Edge(
            MANAGES,
            ("ExternalSecret", "payments", "psp"),
            target,
            {"tool": "external-secrets", "evidence": "ownerReference"},
        )
    ]


def test_field_manager_entries_are_shared_between_objects_when_asked() -> None:
    shared: dict[tuple[str, str, str], dict[str, Any]] = {}
    first = field_managers([{"manager": "kubectl", "operation": "Update"}], shared)
    second = field_managers(
        [{"manager": "kubectl", "operation": "Update"}, {"manager": "m", "operation": "Apply"}],
        shared,
    )
    assert second[0] is first[0]
    assert set(shared) == {("kubectl", "Update", ""), ("m", "Apply", "")}
    assert field_managers([{"manager": "kubectl", "operation": "Update"}])[0] is not first[0]
