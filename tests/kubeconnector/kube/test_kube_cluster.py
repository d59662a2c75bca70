"""The access layer against kubesim over TLS: errors, retries, lists, identity, isolation."""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import urllib3.exceptions
import yaml
from tests.kubeconnector.kube.kubefixtures import (
    b64,
    ca_pair,
    client_pair,
    closed_port,
    listing,
    open_files,
)

from kubeconnector.errors import (
    ClusterUnreachable,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServerError,
    TLSError,
    TooManyRequests,
    Unauthorized,
)
from kubeconnector.kube import (
    KINDS,
    ClientOptions,
    ClusterClient,
    ListStats,
    ResponseRecord,
    RetryPolicy,
    access_review,
    parse_kubeconfig,
    rules_review,
    server_version,
    whoami,
)
from kubesim.runner import Cluster

CONNECTOR = "system:serviceaccount:kubeconnector:connector"
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
READ = "/api/v1/namespaces/default/serviceaccounts"
SELF_REVIEW = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
FAST = RetryPolicy(base_delay=0.01, max_delay=0.05)
Factory = Callable[..., ClusterClient]


@pytest.fixture
def connect(kubesim_cluster: Cluster) -> Iterator[Factory]:
    """Build clients for the shared cluster's contexts (or edited kubeconfigs); close them after."""
    clients: list[ClusterClient] = []

    def factory(
        context: str = "connector",
        kubeconfig: dict[str, Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> ClusterClient:
        text = yaml.safe_dump(kubeconfig or kubesim_cluster.kubeconfig())
        options.setdefault("retry", FAST)
        resolved = parse_kubeconfig(text, context)
        client = ClusterClient(resolved, ClientOptions(**options), sleep=sleep)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
    kubesim_cluster.control.clear_faults()


def _log(cluster: Cluster, since: int, path: str) -> list[dict[str, Any]]:
    return [e for e in cluster.control.requests(since) if e["path"] == path]


def _edited(cluster: Cluster, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    config = copy.deepcopy(cluster.kubeconfig())
    edit(config)
    return config


def test_a_bogus_token_is_unauthorized(kubesim_cluster: Cluster, connect: Factory) -> None:
    def bogus(config: dict[str, Any]) -> None:
        next(u for u in config["users"] if u["name"] == "connector")["user"]["token"] = "bogus"

    client = connect(kubeconfig=_edited(kubesim_cluster, bogus))
    with pytest.raises(Unauthorized) as caught:
        client.request("GET", "/api/v1/namespaces")
    assert (caught.value.code, str(caught.value)) == (401, "Unauthorized")


def test_the_nobody_identity_is_forbidden_with_the_servers_message(connect: Factory) -> None:
    with pytest.raises(Forbidden) as caught:
        list(connect("nobody").list_pages(KINDS["Secret"]))
    assert str(caught.value) == (
        'secrets is forbidden: User "system:serviceaccount:kubeconnector:nobody" cannot list '
        'resource "secrets" in API group "" at the cluster scope'
    )


def test_a_missing_object_is_not_found(connect: Factory) -> None:
    with pytest.raises(NotFound) as caught:
        connect("admin").request("GET", KINDS["Secret"].path("default", "no-such-secret"))
    assert str(caught.value) == 'secrets "no-such-secret" not found'
    assert caught.value.status.details == {"name": "no-such-secret", "kind": "secrets"}


def test_creating_an_existing_object_is_a_conflict(connect: Factory) -> None:
    client = connect("admin")
    name = f"kube-access-{uuid.uuid4().hex[:8]}"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
    client.request("POST", CONFIGMAPS, body=body)
    try:
        with pytest.raises(Conflict) as caught:
            client.request("POST", CONFIGMAPS, body=body)
        assert caught.value.status.reason == "AlreadyExists"
        assert str(caught.value) == f'configmaps "{name}" already exists'
    finally:
        client.request("DELETE", f"{CONFIGMAPS}/{name}")


def test_an_invalid_object_is_invalid(connect: Factory) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}
    with pytest.raises(Invalid) as caught:
        connect("admin").request("POST", CONFIGMAPS, body=body)
    assert str(caught.value).startswith(
        'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value'
    )


def test_a_429_waits_for_retry_after_then_succeeds(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    client = connect()
    since = kubesim_cluster.control.mark()
    kubesim_cluster.control.fault(path=f"^{READ}$", status=429, retry_after=1, count=1)
    started = time.monotonic()
    assert client.request("GET", READ)["kind"] == "ServiceAccountList"
    waited = time.monotonic() - started
    assert 1.0 <= waited < 3.0
    assert [e["status"] for e in _log(kubesim_cluster, since, READ)] == [429, 200]
    assert client.stats.retries == 1


def test_a_plain_text_429_is_honoured_too(kubesim_cluster: Cluster, connect: Factory) -> None:
    waits: list[float] = []
    client = connect(sleep=waits.append)
    kubesim_cluster.control.fault(
        path=f"^{READ}$", status=429, retry_after=2, plain_text=True, count=1
    )
    client.request("GET", READ)
    assert waits == [2.0]


def test_throttling_that_never_ends_raises_too_many_requests(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    client = connect(retry=RetryPolicy(max_attempts=2, max_retry_after=0.01))
    kubesim_cluster.control.fault(path=f"^{READ}$", status=429, retry_after=5)
    with pytest.raises(TooManyRequests) as caught:
        client.request("GET", READ)
    assert caught.value.status.retry_after == 5.0
    assert client.stats.requests == 2


def test_5xx_on_a_read_are_retried_until_it_succeeds(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    client = connect()
    since = kubesim_cluster.control.mark()
    kubesim_cluster.control.fault(path=f"^{READ}$", status=500, count=1)
    kubesim_cluster.control.fault(path=f"^{READ}$", status=503, count=1)
    assert client.request("GET", READ)["kind"] == "ServiceAccountList"
    assert [e["status"] for e in _log(kubesim_cluster, since, READ)] == [500, 503, 200]


def test_a_5xx_on_a_write_is_not_replayed(kubesim_cluster: Cluster, connect: Factory) -> None:
    client = connect("admin")
    since = kubesim_cluster.control.mark()
    kubesim_cluster.control.fault(method="POST", path=f"^{CONFIGMAPS}$", status=503, count=1)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "never-created"}}
    with pytest.raises(ServerError):
        client.request("POST", CONFIGMAPS, body=body)
    assert [e["status"] for e in _log(kubesim_cluster, since, CONFIGMAPS)] == [503]


def test_a_dropped_connection_on_a_read_is_retried(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    client = connect()
    kubesim_cluster.control.fault(path=f"^{READ}$", drop=True, count=1)
    assert client.request("GET", READ)["kind"] == "ServiceAccountList"
    assert (client.stats.requests, client.stats.retries) == (2, 1)


def test_a_replaced_ca_is_reported_as_a_changed_certificate(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    def other_ca(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["certificate-authority-data"] = b64(ca_pair().cert)

    client = connect(kubeconfig=_edited(kubesim_cluster, other_ca))
    with pytest.raises(TLSError) as caught:
        client.request("GET", "/version")
    endpoint = kubesim_cluster.url.removeprefix("https://")
    assert str(caught.value).startswith(
        f"the certificate of the API server at {endpoint} does not verify against the "
        "kubeconfig's certificate authority"
    )
    assert str(caught.value).endswith(
        "the API server's certificate changed or does not match the stored kubeconfig; update "
        "the connector's kubeconfig (kubectl config view --raw)"
    )


def test_a_certificate_for_another_host_name_is_refused(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    def wrong_name(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["tls-server-name"] = "not-the-api.example.com"

    with pytest.raises(TLSError, match="is not valid for that host"):
        connect(kubeconfig=_edited(kubesim_cluster, wrong_name)).request("GET", "/version")


def test_a_closed_port_is_unreachable(kubesim_cluster: Cluster, connect: Factory) -> None:
    port = closed_port()

    def closed(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"

    client = connect(kubeconfig=_edited(kubesim_cluster, closed))
    with pytest.raises(ClusterUnreachable) as caught:
        client.request("GET", "/version")
    assert str(caught.value) == (
        f"cannot reach the API server at 127.0.0.1:{port}: connection refused"
    )
    assert client.stats.requests == 1


def test_a_long_list_is_fetched_in_pages_of_the_limit(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    everything = connect("admin").request("GET", "/api/v1/secrets")["items"]
    client, stats = connect("discovery"), ListStats()
    since = kubesim_cluster.control.mark()
    pages = list(client.list_pages(KINDS["Secret"], metadata_only=True, limit=4, stats=stats))
    assert len(everything) > 8
    assert sum(len(page) for page in pages) == len(everything)
    assert {i["metadata"]["uid"] for p in pages for i in p} == {
        i["metadata"]["uid"] for i in everything
    }
    listed = _log(kubesim_cluster, since, "/api/v1/secrets")
    assert len(listed) == stats.requests == client.stats.requests == len(pages)
    assert all("limit=4" in e["query"] for e in listed)
    assert ["continue=" in e["query"] for e in listed] == [False] + [True] * (len(listed) - 1)
    assert stats.page_sizes[:-1] == [4] * (len(pages) - 1)


def test_metadata_only_secret_lists_carry_no_data(connect: Factory) -> None:
    bodies: list[bytes] = []

    def keep(record: ResponseRecord) -> None:
        bodies.append(record.data)

    client = connect("discovery", on_response=keep)
    items = [i for p in client.list_pages(KINDS["Secret"], metadata_only=True) for i in p]
    assert items and all(i["kind"] == "PartialObjectMetadata" for i in items)
    assert bodies and all(b'"data"' not in body for body in bodies)
    full = connect("admin", on_response=keep)
    list(full.list_pages(KINDS["Secret"]))
    assert b'"data"' in bodies[-1]


def test_whoami_asks_the_server(connect: Factory) -> None:
    identity = whoami(connect())
    assert (identity.username, identity.source) == (CONNECTOR, "SelfSubjectReview")
    assert "system:authenticated" in identity.groups


def test_whoami_falls_back_to_the_token_without_self_subject_review(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    kubesim_cluster.control.fault(path="selfsubjectreviews$", status=404)
    identity = whoami(connect())
    assert (identity.username, identity.source) == (CONNECTOR, "token-claims")
    assert identity.groups == (
        "system:serviceaccounts",
        "system:serviceaccounts:kubeconnector",
        "system:authenticated",
    )


def test_whoami_falls_back_to_the_certificate_subject(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    kubesim_cluster.control.fault(path="selfsubjectreviews$", status=404)
    from_certificate = whoami(connect("admin"))
    kubesim_cluster.control.clear_faults()
    from_server = whoami(connect("admin"))
    assert from_certificate.source == "client-certificate"
    assert (from_certificate.username, from_certificate.groups) == (
        from_server.username,
        from_server.groups,
    )


def test_the_server_version_is_read(connect: Factory) -> None:
    version = server_version(connect())
    assert (
        version.git_version
        == f"v{version.major}.{version.minor}.{version.git_version.split('.')[-1]}"
    )


def test_rules_reviews_return_the_raw_rules(connect: Factory) -> None:
    review = rules_review(connect(), "default")
    assert review.incomplete is False
    assert any("secrets" in rule.get("resources", []) for rule in review.resource_rules)
    assert all("verbs" in rule for rule in review.resource_rules + review.non_resource_rules)
    nobody = rules_review(connect("nobody"), "default")
    assert not any("secrets" in rule.get("resources", []) for rule in nobody.resource_rules)


def test_access_reviews_answer_one_question(connect: Factory) -> None:
    allowed = access_review(connect(), "list", "", "secrets", namespace="default")
    denied = access_review(connect("nobody"), "list", "", "secrets", namespace="default")
    assert allowed.allowed is True
    assert allowed.reason.startswith("RBAC: allowed by ")
    assert (denied.allowed, denied.denied) == (False, False)


def test_two_connectors_used_at_once_keep_their_own_identity(connect: Factory) -> None:
    clients = {"connector": connect(), "admin": connect("admin"), "nobody": connect("nobody")}
    names: dict[str, set[str]] = {name: set() for name in clients}

    def ask(name: str) -> None:
        for _ in range(5):
            names[name].add(whoami(clients[name]).username)

    threads = [threading.Thread(target=ask, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert names["connector"] == {CONNECTOR}
    assert names["nobody"] == {"system:serviceaccount:kubeconnector:nobody"}
    assert len(names["admin"]) == 1 and names["admin"] != names["connector"]


def test_a_certificate_connector_talks_to_the_cluster_without_key_files(
    connect: Factory,
) -> None:
    watched = ("/tmp", "/var/tmp", "/dev/shm")
    files_before, fds_before = listing(*watched), open_files()
    client = connect("admin")
    assert client.key_loading == "memfd"
    assert whoami(client).groups[0] == "system:masters"
    assert listing(*watched) == files_before
    assert {
        f for f in open_files() - fds_before if not f.startswith(("socket:", "anon_inode:"))
    } == set()


def test_a_client_certificate_from_another_ca_fails_the_handshake_with_a_hint(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    def foreign_certificate(config: dict[str, Any]) -> None:
        user = next(u for u in config["users"] if u["name"] == "admin")["user"]
        user["client-certificate-data"] = b64(client_pair().cert)
        user["client-key-data"] = b64(client_pair().key)

    client = connect("admin", kubeconfig=_edited(kubesim_cluster, foreign_certificate))
    for method, path in (("GET", "/version"), ("POST", SELF_REVIEW)):
        # TLS 1.3 reports the refusal after the handshake: as an alert or a closed connection.
        with pytest.raises((TLSError, ClusterUnreachable)) as caught:
            client.request(method, path, body={} if method == "POST" else None)
        assert str(caught.value).endswith(
            "; the API server may not accept the kubeconfig's client certificate (expired, or "
            "issued by a certificate authority the server does not trust)"
        )


def test_an_insecure_kubeconfig_connects_and_urllib3_warns(
    kubesim_cluster: Cluster, connect: Factory
) -> None:
    def insecure(config: dict[str, Any]) -> None:
        cluster = config["clusters"][0]["cluster"]
        del cluster["certificate-authority-data"]
        cluster["insecure-skip-tls-verify"] = True

    client = connect(kubeconfig=_edited(kubesim_cluster, insecure))
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
        assert whoami(client).username == CONNECTOR


def test_closing_a_client_closes_its_connections(connect: Factory) -> None:
    client = connect()
    server_version(client)
    pool = client.api_client.rest_client.pool_manager
    assert len(pool.pools) == 1
    client.close()
    assert len(pool.pools) == 0
