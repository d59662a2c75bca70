"""What registering a connector is given is checked before anything is stored."""

from __future__ import annotations

import io

import pytest
import yaml
from tests.kubeconnector.kube.kubefixtures import TOKEN, document, dump

from kubeconnector.connectors import (
    check_name,
    check_namespace,
    parse_environment,
    read_kubeconfig,
    take_kubeconfig,
)
from kubeconnector.errors import InvalidInput, KubeconfigError
from kubeconnector.models import Environment


def _two_contexts() -> dict[str, object]:
    doc = document()
    doc["clusters"].append({"name": "other", "cluster": {"server": "https://other:6443"}})
    doc["users"].append({"name": "other-user", "user": {"token": "other-secret-token"}})
    doc["contexts"].append(
        {"name": "other-ctx", "context": {"cluster": "other", "user": "other-user"}}
    )
    return doc


def test_only_the_chosen_context_its_cluster_and_its_user_are_stored() -> None:
    intake = take_kubeconfig(dump(_two_contexts()), "prod-ctx")
    stored = yaml.safe_load(intake.stored)
    assert [c["name"] for c in stored["contexts"]] == ["prod-ctx"]
    assert [c["name"] for c in stored["clusters"]] == ["prod"]
    assert [u["name"] for u in stored["users"]] == ["deployer"]
    assert stored["current-context"] == "prod-ctx"
    assert stored["users"][0]["user"] == {"token": TOKEN}
    assert "other-secret-token" not in intake.stored


def test_the_other_contexts_notice_is_shown_once_but_not_kept() -> None:
    intake = take_kubeconfig(dump(_two_contexts()))
    assert intake.warnings == ()
    assert intake.notices == (
        "the kubeconfig has 1 other context; only the chosen context is used",
    )


def test_insecure_skip_tls_verify_is_accepted_and_kept_as_a_warning() -> None:
    doc = document(cluster={"insecure-skip-tls-verify": True, "certificate-authority-data": None})
    intake = take_kubeconfig(dump(doc))
    assert intake.warnings == (
        'cluster "prod" sets insecure-skip-tls-verify: the API server\'s certificate is not '
        "verified, so the connection can be intercepted",
    )
    assert intake.summary.insecure is True


def test_the_summary_names_the_entries_without_the_credential() -> None:
    summary = take_kubeconfig(dump(document())).summary
    assert (summary.context, summary.cluster, summary.user, summary.auth_kind) == (
        "prod-ctx",
        "prod",
        "deployer",
        "token",
    )
    assert TOKEN not in repr(summary.to_dict())


def test_reading_stops_one_byte_past_the_limit() -> None:
    stream = io.BytesIO(b"a" * 5_000_000)
    with pytest.raises(KubeconfigError) as caught:
        read_kubeconfig(stream, limit=1024)
    assert (caught.value.code, stream.tell()) == ("too-large", 1025)
    assert str(caught.value) == "the kubeconfig is larger than 1 KiB; refusing it"


def test_a_kubeconfig_of_exactly_the_limit_is_read() -> None:
    assert read_kubeconfig(io.BytesIO(b"x" * 1024), limit=1024) == "x" * 1024


def test_bytes_that_are_not_utf8_are_refused_as_not_yaml() -> None:
    with pytest.raises(KubeconfigError) as caught:
        read_kubeconfig(io.BytesIO(b"apiVersion: v1\n\xff\xfe"))
    assert (caught.value.code, str(caught.value)) == (
        "not-yaml",
        "the kubeconfig is not UTF-8 text",
    )


@pytest.mark.parametrize("name", ["prod-k8s", "a", "Prod.EU_1", "x" * 63])
def test_valid_connector_names_are_accepted(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "-prod", "prod-", "prod k8s", "prod/k8s", "x" * 64, "é"])
def test_invalid_connector_names_are_refused_naming_the_rule(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_name(name)
    assert caught.value.field == "name"
    assert str(caught.value).endswith(
        "is invalid: use 1 to 63 letters, digits, '.', '_' or '-', starting and ending with a "
        "letter or a digit"
    )


def test_a_name_shaped_like_a_connector_id_is_refused() -> None:
    with pytest.raises(InvalidInput, match="shaped like a connector id"):
        check_name("0b6f5c2e-3a53-4bd7-9d5f-0e8f1b2c3d4e")


def test_namespaces_must_be_dns_labels_and_empty_means_all() -> None:
    assert check_namespace("shop-2") == "shop-2"
    assert check_namespace("") is None
    assert check_namespace(None) is None
    with pytest.raises(InvalidInput) as caught:
        check_namespace("Shop")
    assert caught.value.field == "namespace"


def test_environments_are_prod_staging_or_dev_in_any_case() -> None:
    assert parse_environment("PROD") is Environment.PROD
    assert parse_environment(Environment.DEV) is Environment.DEV
    with pytest.raises(InvalidInput) as caught:
        parse_environment("production")
    assert str(caught.value) == "environment 'production' is not one of prod, staging, dev"
