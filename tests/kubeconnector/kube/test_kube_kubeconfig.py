"""Pasted kubeconfigs are resolved to one context, or refused with a stable code and no secret."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from tests.kubeconnector.kube.kubefixtures import (
    TOKEN,
    b64,
    ca_pair,
    certificate_user,
    client_pair,
    document,
    dump,
    secret_fragments,
)

from kubeconnector.errors import KubeconfigError
from kubeconnector.kube import parse_kubeconfig

EXEC = {
    "exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", "prod"],
    }
}


def _refusal(doc: dict[str, Any], context: str | None = None) -> KubeconfigError:
    with pytest.raises(KubeconfigError) as caught:
        parse_kubeconfig(dump(doc), context)
    message = str(caught.value)
    for fragment in secret_fragments(doc):
        assert fragment not in message
    return caught.value


def test_a_token_kubeconfig_resolves_its_current_context() -> None:
    resolved = parse_kubeconfig(dump(document()))
    assert (resolved.context, resolved.cluster, resolved.user) == ("prod-ctx", "prod", "deployer")
    assert resolved.server == "https://k8s.example.com:6443"
    assert resolved.ca_data == ca_pair().cert
    assert resolved.credential.token == TOKEN
    assert resolved.auth_kind == "token"
    assert resolved.namespace == "apps"
    assert resolved.warnings == ()


def test_a_client_certificate_kubeconfig_keeps_the_pem_data() -> None:
    resolved = parse_kubeconfig(dump(document(user=certificate_user())))
    assert resolved.credential.client_certificate == client_pair().cert
    assert resolved.credential.client_key == client_pair().key
    assert resolved.auth_kind == "client-certificate"


def test_a_token_together_with_a_certificate_is_accepted() -> None:
    resolved = parse_kubeconfig(dump(document(user={**certificate_user(), "token": TOKEN})))
    assert resolved.auth_kind == "token+client-certificate"


def test_the_context_given_wins_over_current_context() -> None:
    doc = document()
    doc["contexts"].append({"name": "other", "context": {"cluster": "prod", "user": "deployer"}})
    resolved = parse_kubeconfig(dump(doc), "other")
    assert resolved.context == "other"
    assert resolved.namespace is None
    assert resolved.warnings == (
        "the kubeconfig has 1 other context; only the chosen context is used",
    )


def test_repr_and_summary_carry_no_secret() -> None:
    doc = document(user={**certificate_user(), "token": TOKEN})
    resolved = parse_kubeconfig(dump(doc))
    shown = repr(resolved) + repr(resolved.summary()) + str(resolved.summary().to_dict())
    for fragment in secret_fragments(doc):
        assert fragment not in shown
    assert resolved.summary().to_dict() == {
        "server": "https://k8s.example.com:6443",
        "context": "prod-ctx",
        "cluster": "prod",
        "user": "deployer",
        "authKind": "token+client-certificate",
        "namespace": "apps",
        "insecure": False,
        "proxy": None,
        "warnings": [],
    }


def test_the_minimal_kubeconfig_resolves_to_the_same_context() -> None:
    doc = document(user=certificate_user())
    doc["contexts"].append({"name": "x", "context": {"cluster": "prod", "user": "deployer"}})
    resolved = parse_kubeconfig(dump(doc))
    minimal = resolved.to_kubeconfig()
    assert [c["name"] for c in minimal["contexts"]] == ["prod-ctx"]
    again = parse_kubeconfig(yaml.safe_dump(minimal))
    assert again.credential == resolved.credential
    assert (again.server, again.ca_data, again.namespace) == (
        resolved.server,
        resolved.ca_data,
        resolved.namespace,
    )


def test_exec_authentication_is_refused_with_the_seed_advice() -> None:
    error = _refusal(document(user=EXEC))
    assert error.code == "exec-auth"
    assert str(error) == (
        'user "deployer" uses exec-based authentication, which kubeconnector does not support '
        '(exec-based auth such as "aws eks get-token" runs a local command); use a kubeconfig '
        "with a static ServiceAccount token or a client certificate"
    )


def test_exec_is_refused_even_next_to_a_token() -> None:
    assert _refusal(document(user={**EXEC, "token": TOKEN})).code == "exec-auth"


def test_an_auth_provider_is_refused() -> None:
    user = {"auth-provider": {"name": "oidc", "config": {"id-token": TOKEN}}}
    error = _refusal(document(user=user))
    assert error.code == "auth-provider"
    assert 'user "deployer" uses an auth-provider plugin' in str(error)


@pytest.mark.parametrize("field", ["tokenFile", "client-certificate", "client-key"])
def test_user_fields_naming_local_files_are_refused(field: str) -> None:
    error = _refusal(document(user={field: "/home/me/.kube/secret"}))
    assert error.code == "local-file"
    assert str(error) == (
        f'user "deployer" references local files ({field}); kubeconnector never reads local '
        "files: embed the data instead (kubectl config view --raw --flatten)"
    )


def test_a_certificate_authority_file_is_refused() -> None:
    doc = document(cluster={"certificate-authority": "/etc/ca.crt"})
    del doc["clusters"][0]["cluster"]["certificate-authority-data"]
    error = _refusal(doc)
    assert error.code == "local-file"
    assert str(error).startswith('cluster "prod" references the local file certificate-authority')


def test_username_and_password_are_refused() -> None:
    error = _refusal(document(user={"username": "admin", "password": "hunter2-password"}))
    assert error.code == "basic-auth"
    assert "hunter2" not in str(error)


def test_impersonation_is_refused() -> None:
    error = _refusal(document(user={"token": TOKEN, "as": "system:admin"}))
    assert error.code == "impersonation"


def test_a_missing_current_context_is_refused() -> None:
    error = _refusal(document(**{"current-context": "gone"}))
    assert error.code == "missing-context"
    assert str(error) == (
        'context "gone" (current-context) does not exist in the kubeconfig; contexts: "prod-ctx"'
    )


def test_a_context_given_that_does_not_exist_is_refused() -> None:
    error = _refusal(document(), context="staging")
    assert error.code == "missing-context"
    assert str(error).startswith('context "staging" (the context given) does not exist')


def test_no_current_context_and_none_given_is_refused() -> None:
    doc = document()
    del doc["current-context"]
    error = _refusal(doc)
    assert error.code == "missing-context"
    assert str(error) == "the kubeconfig has no current-context and no context was given"


def test_a_context_naming_a_missing_cluster_is_refused() -> None:
    error = _refusal(document(context={"cluster": "nowhere"}))
    assert error.code == "missing-cluster"
    assert str(error).startswith('cluster "nowhere" does not exist in the kubeconfig')


def test_a_context_naming_a_missing_user_is_refused() -> None:
    error = _refusal(document(context={"user": "ghost"}))
    assert error.code == "missing-user"
    assert str(error) == 'user "ghost" does not exist in the kubeconfig; users: "deployer"'


def test_a_context_without_a_user_is_refused() -> None:
    error = _refusal(document(context={"user": None}))
    assert (error.code, str(error)) == ("missing-user", 'context "prod-ctx" names no user')


@pytest.mark.parametrize("text", ["{{{", "a: [1,\n", "\tkey: value\n"])
def test_text_that_is_not_yaml_is_refused(text: str) -> None:
    with pytest.raises(KubeconfigError) as caught:
        parse_kubeconfig(text)
    assert caught.value.code == "not-yaml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just a string", "the text is not a kubeconfig (not a mapping)"),
        ("- a\n- b\n", "the text is not a kubeconfig (not a mapping)"),
        ("apiVersion: v1\nkind: Pod\n", 'the text is not a kubeconfig: kind is "Pod", not Config'),
        (
            "kind: Config\napiVersion: v2\nclusters: []\n",
            'the text is not a kubeconfig: apiVersion is "v2", not v1',
        ),
        (
            "kind: Config\napiVersion: v1\n",
            "the text is not a kubeconfig (no clusters, contexts or users)",
        ),
        ("clusters: {a: 1}\nusers: []\n", "clusters must be a list"),
        ("clusters: [{cluster: {}}]\n", "clusters[0] has no name"),
    ],
)
def test_documents_that_are_not_kubeconfigs_are_refused(text: str, message: str) -> None:
    with pytest.raises(KubeconfigError) as caught:
        parse_kubeconfig(text)
    assert (caught.value.code, str(caught.value)) == ("not-kubeconfig", message)


def test_two_entries_with_the_same_name_are_refused() -> None:
    doc = document()
    doc["users"].append(copy.deepcopy(doc["users"][0]))
    error = _refusal(doc)
    assert (error.code, str(error)) == ("not-kubeconfig", 'users has two entries named "deployer"')


def test_a_kubeconfig_over_one_mebibyte_is_refused() -> None:
    doc = document()
    doc["preferences"] = {"padding": "x" * (1024 * 1024)}
    assert _refusal(doc).code == "too-large"


def test_yaml_aliases_are_refused() -> None:
    text = dump(document()) + "extensions: &x [1]\nmore: *x\n"
    with pytest.raises(KubeconfigError) as caught:
        parse_kubeconfig(text)
    assert caught.value.code == "yaml-aliases"


def test_a_plain_http_server_is_refused() -> None:
    error = _refusal(document(cluster={"server": "http://k8s.example.com:8080"}))
    assert error.code == "insecure-server"
    assert str(error) == (
        'cluster "prod" points at the plain-HTTP server http://k8s.example.com:8080; '
        "kubeconnector only talks to API servers over https://"
    )


def test_a_cluster_without_a_server_is_refused() -> None:
    error = _refusal(document(cluster={"server": None}))
    assert (error.code, str(error)) == ("no-server", 'cluster "prod" has no server URL')


@pytest.mark.parametrize(
    "server", ["ftp://k8s.example.com", "https://", "https://user:pw@k8s.example.com", "k8s:6443"]
)
def test_a_server_that_is_not_an_https_url_is_refused(server: str) -> None:
    error = _refusal(document(cluster={"server": server}))
    assert error.code == "invalid-server"
    assert "pw" not in str(error)


def test_a_user_without_credentials_is_refused() -> None:
    error = _refusal(document(user={}))
    assert error.code == "no-credentials"
    assert str(error) == (
        'user "deployer" has no credentials: it needs a token, or client-certificate-data '
        "with client-key-data"
    )


def test_a_certificate_without_its_key_is_refused() -> None:
    user = {"client-certificate-data": b64(client_pair().cert)}
    error = _refusal(document(user=user))
    assert (error.code, str(error)) == (
        "incomplete-certificate",
        'user "deployer" has client-certificate-data but no client-key-data',
    )


def test_a_key_that_does_not_match_the_certificate_is_refused() -> None:
    user = {
        "client-certificate-data": b64(client_pair().cert),
        "client-key-data": b64(ca_pair().key),
    }
    error = _refusal(document(user=user))
    assert error.code == "invalid-certificate"
    assert str(error) == ('user "deployer": client-key-data does not match client-certificate-data')


def test_a_passphrase_protected_key_is_refused() -> None:
    key = serialization.load_pem_private_key(client_pair().key, password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    user = {"client-certificate-data": b64(client_pair().cert), "client-key-data": b64(encrypted)}
    error = _refusal(document(user=user))
    assert (error.code, str(error)) == (
        "invalid-certificate",
        'user "deployer": client-key-data is encrypted with a passphrase',
    )


def test_certificate_data_that_is_not_base64_is_refused() -> None:
    user = {**certificate_user(), "client-key-data": "not base64 at all!"}
    assert _refusal(document(user=user)).code == "invalid-certificate"


def test_ca_data_that_is_not_a_certificate_is_refused() -> None:
    error = _refusal(document(cluster={"certificate-authority-data": b64("hello")}))
    assert error.code == "invalid-ca"


def test_insecure_skip_tls_verify_is_accepted_with_a_warning() -> None:
    doc = document(cluster={"insecure-skip-tls-verify": True})
    del doc["clusters"][0]["cluster"]["certificate-authority-data"]
    resolved = parse_kubeconfig(dump(doc))
    assert resolved.insecure is True
    assert resolved.summary().warnings == (
        'cluster "prod" sets insecure-skip-tls-verify: the API server\'s certificate is not '
        "verified, so the connection can be intercepted",
    )


def test_insecure_together_with_a_ca_is_refused_as_kubectl_does() -> None:
    error = _refusal(document(cluster={"insecure-skip-tls-verify": True}))
    assert error.code == "insecure-with-ca"


def test_a_proxy_is_accepted_with_a_warning_that_hides_its_password() -> None:
    proxy = "http://me:pr0xy-pass@proxy.internal:3128"
    resolved = parse_kubeconfig(dump(document(cluster={"proxy-url": proxy})))
    assert resolved.proxy_url == proxy
    assert resolved.summary().proxy == "http://proxy.internal:3128"
    assert resolved.warnings == (
        'cluster "prod" is reached through the proxy http://proxy.internal:3128',
    )
    assert "pr0xy-pass" not in repr(resolved) + repr(resolved.summary())


def test_a_socks_proxy_is_refused() -> None:
    error = _refusal(document(cluster={"proxy-url": "socks5://proxy.internal:1080"}))
    assert error.code == "unsupported-proxy"


def test_a_field_of_the_wrong_type_is_refused() -> None:
    error = _refusal(document(cluster={"insecure-skip-tls-verify": "yes please"}))
    assert (error.code, str(error)) == (
        "not-kubeconfig",
        'cluster "prod": insecure-skip-tls-verify must be true or false',
    )


def test_other_users_are_not_checked_in_depth() -> None:
    doc = document()
    doc["users"].append({"name": "eks", "user": EXEC})
    assert parse_kubeconfig(dump(doc)).user == "deployer"
