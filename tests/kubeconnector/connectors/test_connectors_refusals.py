"""Every kubeconfig refusal of the connector registry: exact code, nothing stored, no secret."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest
from tests.kubeconnector.connectors.conftest import events
from tests.kubeconnector.kube.kubefixtures import TOKEN, b64, document, dump, secret_fragments

from kubeconnector.connectors import ConnectorService
from kubeconnector.errors import KubeconfigError
from kubeconnector.store import Database

EXEC = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
                 "args": ["eks", "get-token", "--cluster-name", "prod"]}}  # fmt: skip
PROVIDER = {"auth-provider": {"name": "gcp", "config": {"access-token": "ya29.secret-provider"}}}


def _billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


# (case, document or text, context, expected code, words the message must contain)
REFUSALS: list[tuple[str, Any, str | None, str, str]] = [
    ("exec", document(user={**EXEC}), None, "exec-auth", 'exec-based auth such as "aws eks'),
    ("auth-provider", document(user={**PROVIDER}), None, "auth-provider", "auth-provider plugin"),
    ("token-file", document(user={"tokenFile": "/var/run/token"}), None, "local-file", "tokenFile"),
    ("client-certificate-file", document(user={"client-certificate": "/c.crt",
     "client-key-data": b64("k")}), None, "local-file", "client-certificate"),
    ("client-key-file", document(user={"client-key": "/c.key", "token": TOKEN}), None,
     "local-file", "client-key"),
    ("certificate-authority-file", document(cluster={"certificate-authority": "/ca.crt"}), None,
     "local-file", "certificate-authority"),
    ("basic-auth", document(user={"username": "admin", "password": "hunter2-secret"}), None,
     "basic-auth", "username/password"),
    ("missing-context", document(), "staging", "missing-context", 'context "staging"'),
    ("missing-cluster", document(context={"cluster": "nowhere"}), None, "missing-cluster",
     'cluster "nowhere"'),
    ("missing-user", document(context={"user": "nobody"}), None, "missing-user", 'user "nobody"'),
    ("not-yaml", "apiVersion: v1\nclusters: [unclosed\n", None, "not-yaml", "YAML"),
    ("not-kubeconfig", "just a string\n", None, "not-kubeconfig", "not a kubeconfig"),
    ("other-kind", dump({"apiVersion": "v1", "kind": "Pod", "metadata": {}}), None,
     "not-kubeconfig", "kind is"),
    ("too-large", "# " + "x" * (1024 * 1024) + "\n" + dump(document()), None, "too-large",
     "larger than 1024 KiB"),
    ("yaml-aliases", _billion_laughs(), None, "yaml-aliases", "anchors or aliases"),
    ("plain-http", document(cluster={"server": "http://k8s.example.com:8080"}), None,
     "insecure-server", "plain-HTTP server http://k8s.example.com:8080"),
]  # fmt: skip


def _text(doc: Any) -> str:
    return doc if isinstance(doc, str) else dump(doc)


@pytest.mark.parametrize(
    ("doc", "context", "code", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_a_refused_kubeconfig_raises_its_code_and_stores_nothing(
    service: ConnectorService,
    sqlite_database: Database,
    doc: Any,
    context: str | None,
    code: str,
    words: str,
) -> None:
    with pytest.raises(KubeconfigError) as caught:
        service.add("prod-k8s", _text(doc), context=context)
    message = str(caught.value)
    assert (type(caught.value), caught.value.code) == (KubeconfigError, code)
    assert words in message
    secrets = (
        [*secret_fragments(doc), "ya29.secret-provider", "hunter2-secret"]
        if isinstance(doc, dict)
        else []
    )
    assert [s for s in secrets if s in message] == []
    assert service.list() == []
    assert events(sqlite_database) == []


def test_the_exec_refusal_says_what_kubeconfig_to_use_instead(service: ConnectorService) -> None:
    with pytest.raises(KubeconfigError) as caught:
        service.add("eks", dump(document(user={**EXEC})))
    assert str(caught.value) == (
        'user "deployer" uses exec-based authentication, which kubeconnector does not support '
        '(exec-based auth such as "aws eks get-token" runs a local command); use a kubeconfig '
        "with a static ServiceAccount token or a client certificate"
    )


def test_a_billion_laughs_document_is_refused_fast_with_bounded_memory(
    service: ConnectorService,
) -> None:
    text = _billion_laughs()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(KubeconfigError):
            service.add("laughs", text)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 5 * 1024 * 1024


def test_the_refusal_names_the_offending_user_entry_not_its_token(
    service: ConnectorService,
) -> None:
    doc = document(user={"token": TOKEN, "as": "system:admin"})
    with pytest.raises(KubeconfigError) as caught:
        service.add("impersonating", dump(doc))
    assert caught.value.code == "impersonation"
    assert str(caught.value).startswith('user "deployer" impersonates another identity (as)')
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
