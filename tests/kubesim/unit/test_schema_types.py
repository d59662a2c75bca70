"""The schema catalog: loading, version fallback and the navigation API everything else uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubesim.schema import GVK, Kind, TypeInfo, catalog, kind_type, load_definitions
from kubesim.schema.loader import available_versions, resolve_version


def _deployment_spec() -> TypeInfo:
    return kind_type("apps", "v1", "Deployment").child("spec")


def _pod_spec() -> TypeInfo:
    return _deployment_spec().child("template").child("spec")


def test_the_default_version_is_1_30_and_definitions_are_cached_per_process() -> None:
    first = load_definitions()
    assert first.minor == "1.30"
    assert load_definitions("1.30") is first


def test_an_absent_version_falls_back_to_the_newest_installed(tmp_path: Path) -> None:
    for name in ("v1.28.0-local", "v1.31.0-local", "v1.29.0-local-strict"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "_definitions.json").write_text("{}")
    assert available_versions(tmp_path) == [(1, 28), (1, 31)]
    assert resolve_version("1.99", tmp_path) == "1.31"
    assert resolve_version("1.28", tmp_path) == "1.28"


def test_kinds_are_found_by_group_version_kind() -> None:
    definitions = load_definitions()
    assert definitions.name_of(GVK("apps", "v1", "Deployment")) == "io.k8s.api.apps.v1.Deployment"
    assert definitions.name_of(GVK("", "v1", "Secret")) == "io.k8s.api.core.v1.Secret"
    assert definitions.name_of(GVK("apps", "v1", "Nope")) is None
    with pytest.raises(KeyError, match="no schema for apps/v1, Kind=Nope"):
        kind_type("apps", "v1", "Nope")


def test_fields_carry_their_patch_strategy_and_merge_key() -> None:
    containers = _pod_spec().field("containers")
    volumes = _pod_spec().field("volumes")
    strategy = _deployment_spec().field("strategy")
    assert containers is not None and volumes is not None and strategy is not None
    assert (containers.patch_strategies, containers.merge_key) == (("merge",), "name")
    assert volumes.patch_strategies == ("merge", "retainKeys")
    assert strategy.retain_keys and strategy.patch_strategies == ("retainKeys",)


def test_lists_know_their_list_type_and_map_keys() -> None:
    container = _pod_spec().child("containers").elem
    ports = container.child("ports")
    assert (ports.kind, ports.list_type, ports.keys) == (
        Kind.LIST,
        "map",
        ("containerPort", "protocol"),
    )
    assert _pod_spec().child("tolerations").atomic
    finalizers = kind_type("", "v1", "Secret").child("metadata").child("finalizers")
    assert finalizers.list_type == "set"
    assert ports.key_default("protocol") == "TCP"
    assert ports.key_default("containerPort") is None


def test_maps_structs_and_atomic_maps_are_told_apart() -> None:
    labels = kind_type("", "v1", "Secret").child("metadata").child("labels")
    assert (labels.kind, labels.elem.scalar) == (Kind.MAP, "string")
    assert _deployment_spec().child("selector").atomic
    assert _pod_spec().child("nodeSelector").atomic
    assert _deployment_spec().kind is Kind.STRUCT and not _deployment_spec().open


def test_free_form_objects_are_untyped_and_accept_any_key() -> None:
    fields_v1 = catalog().named("io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1")
    raw = catalog().named("io.k8s.apimachinery.pkg.runtime.RawExtension")
    assert fields_v1.kind is Kind.UNTYPED and raw.kind is Kind.UNTYPED
    assert fields_v1.child("anything").kind is Kind.UNTYPED
    props = catalog().named(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
    )
    assert props.child("default").kind is Kind.UNTYPED


def test_scalars_report_the_go_type_the_decoder_names() -> None:
    spec = _deployment_spec()
    assert spec.child("replicas").go_type == "int32"
    assert spec.child("paused").go_type == "bool"
    assert spec.go_type == "v1.DeploymentSpec"
    assert spec.child("template").child("spec").child("containers").go_type == "[]v1.Container"
    secret_data = kind_type("", "v1", "Secret").child("data")
    assert secret_data.go_type == "map[string][]uint8"
    surge = spec.child("strategy").child("rollingUpdate").child("maxSurge")
    assert (surge.scalar, surge.go_type) == ("int-or-string", "intstr.IntOrString")
