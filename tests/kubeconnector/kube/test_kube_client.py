"""Per-connector clients are isolated and built without writing key material to any file."""

from __future__ import annotations

import errno
import logging
import os
import ssl
import tempfile
import threading
from typing import Any

import pytest
import urllib3
from kubernetes.client import ApiClient, Configuration
from kubernetes.config import kube_config
from tests.kubeconnector.kube.kubefixtures import (
    TOKEN,
    ca_pair,
    certificate_user,
    client_pair,
    document,
    dump,
    listing,
    open_files,
)

from kubeconnector.errors import ClusterError, KubeconfigError
from kubeconnector.kube import ClusterClient, ResolvedKubeconfig, parse_kubeconfig
from kubeconnector.kube import tls as tls_module
from kubeconnector.kube.kubeconfig import Credential
from kubeconnector.kube.tls import build_tls

WATCHED = sorted({tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm", os.getcwd()})


def _resolved(**cluster: Any) -> ResolvedKubeconfig:
    return parse_kubeconfig(dump(document(cluster=cluster or None, user=certificate_user())))


def _forbid(*_: Any, **__: Any) -> Any:
    raise AssertionError("a temporary file was requested")


@pytest.fixture
def no_temp_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way the official loader and tempfile create files now fails the test."""
    monkeypatch.setattr(kube_config, "_create_temp_file_with_content", _forbid)
    for name in ("mkstemp", "NamedTemporaryFile", "TemporaryFile", "mkdtemp"):
        monkeypatch.setattr(tempfile, name, _forbid)
    monkeypatch.setattr(Configuration, "set_default", _forbid)
    monkeypatch.setattr(Configuration, "_default", None)
    monkeypatch.setattr(ApiClient, "_default", None)


def test_a_certificate_client_loads_its_key_through_memfd_and_leaves_nothing_behind(
    no_temp_files: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[str] = []
    real_memfd = os.memfd_create

    def recording_memfd(name: str, flags: int = 0) -> int:
        created.append(name)
        return real_memfd(name, flags)

    monkeypatch.setattr(os, "memfd_create", recording_memfd)
    files_before, fds_before = listing(*WATCHED), open_files()
    client = ClusterClient(_resolved())
    assert client.key_loading == "memfd"
    assert created == ["kubeconnector-client-cert"]
    assert listing(*WATCHED) == files_before
    assert open_files() == fds_before
    client.close()


def test_without_memfd_the_key_passes_through_dev_shm_and_is_removed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_memfd(name: str, flags: int = 0) -> int:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(os, "memfd_create", no_memfd)
    before = listing("/dev/shm", tempfile.gettempdir())
    with caplog.at_level(logging.WARNING, logger="kubeconnector.kube.tls"):
        setup = build_tls(_resolved())
    assert setup.key_loading == "shm"
    assert listing("/dev/shm", tempfile.gettempdir()) == before
    assert "memfd is unavailable" in caplog.text
    assert "via /dev/shm" in caplog.text


def test_without_memfd_or_dev_shm_a_certificate_is_refused_rather_than_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    def no_memfd(name: str, flags: int = 0) -> int:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(os, "memfd_create", no_memfd)
    monkeypatch.setattr(tls_module, "SHM_DIR", str(tmp_path / "missing"))
    with pytest.raises(ClusterError, match=r"neither memfd_create nor .* is available"):
        build_tls(_resolved())


def test_a_token_client_needs_no_key_loading() -> None:
    client = ClusterClient(parse_kubeconfig(dump(document())))
    assert client.key_loading == "none"
    assert client.api_client.configuration.api_key == {"authorization": TOKEN}
    assert client.api_client.configuration.cert_file is None
    assert client.api_client.configuration.key_file is None


def test_the_tls_context_trusts_only_the_kubeconfig_ca_and_checks_the_host_name() -> None:
    context = build_tls(_resolved()).context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.cert_store_stats()["x509_ca"] == 1


def test_an_insecure_kubeconfig_verifies_nothing() -> None:
    doc = document(cluster={"insecure-skip-tls-verify": True})
    del doc["clusters"][0]["cluster"]["certificate-authority-data"]
    resolved = parse_kubeconfig(dump(doc))
    client = ClusterClient(resolved)
    pool_kw = client.api_client.rest_client.pool_manager.connection_pool_kw
    assert pool_kw["cert_reqs"] == "CERT_NONE"
    assert pool_kw["assert_hostname"] is False
    assert pool_kw["ssl_context"].verify_mode == ssl.CERT_NONE


def test_the_client_pool_uses_the_in_memory_context_and_never_retries_by_itself() -> None:
    client = ClusterClient(_resolved(**{"tls-server-name": "api.internal"}))
    pool = client.api_client.rest_client.pool_manager
    assert type(pool) is urllib3.PoolManager
    assert isinstance(pool.connection_pool_kw["ssl_context"], ssl.SSLContext)
    assert pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"
    assert pool.connection_pool_kw["server_hostname"] == "api.internal"
    assert pool.connection_pool_kw["retries"].total is False


def test_a_proxy_url_builds_a_proxy_pool_with_its_credentials_as_a_header() -> None:
    client = ClusterClient(_resolved(**{"proxy-url": "http://me:p%40ss@proxy.internal:3128"}))
    pool = client.api_client.rest_client.pool_manager
    assert isinstance(pool, urllib3.ProxyManager)
    assert str(pool.proxy) == "http://proxy.internal:3128"
    assert pool.proxy_headers == urllib3.make_headers(proxy_basic_auth="me:p@ss")


def test_clients_built_at_once_for_two_connectors_share_no_configuration(
    no_temp_files: None,
) -> None:
    token_kubeconfig = parse_kubeconfig(dump(document()))
    cert_kubeconfig = parse_kubeconfig(
        dump(document(cluster={"server": "https://other.example.com"}, user=certificate_user()))
    )
    built: dict[str, ClusterClient] = {}
    barrier = threading.Barrier(2)

    def build(name: str, resolved: ResolvedKubeconfig) -> None:
        barrier.wait()
        built[name] = ClusterClient(resolved)

    threads = [
        threading.Thread(target=build, args=("token", token_kubeconfig)),
        threading.Thread(target=build, args=("cert", cert_kubeconfig)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    token, cert = built["token"].api_client, built["cert"].api_client
    assert token.configuration is not cert.configuration
    assert token.rest_client.pool_manager is not cert.rest_client.pool_manager
    assert (token.configuration.host, cert.configuration.host) == (
        "https://k8s.example.com:6443",
        "https://other.example.com",
    )
    assert token.configuration.api_key == {"authorization": TOKEN}
    assert cert.configuration.api_key == {}
    token_ctx = token.rest_client.pool_manager.connection_pool_kw["ssl_context"]
    cert_ctx = cert.rest_client.pool_manager.connection_pool_kw["ssl_context"]
    assert token_ctx is not cert_ctx
    assert Configuration._default is None
    assert ApiClient._default is None


def test_a_certificate_openssl_refuses_is_reported_without_its_content() -> None:
    other = client_pair("mallory")
    credential = Credential(client_certificate=other.cert, client_key=ca_pair().key)
    resolved = ResolvedKubeconfig("c", "c", "https://x.example.com", "u", credential)
    with pytest.raises(KubeconfigError) as caught:
        build_tls(resolved)
    assert caught.value.code == "invalid-certificate"
    assert str(caught.value) == "the client certificate and key cannot be loaded"
