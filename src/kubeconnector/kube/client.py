"""Per-connector official ``kubernetes`` API clients, isolated and without key material on disk.

Each connector gets its own `kubernetes.client.Configuration` and `kubernetes.client.ApiClient`:
the process-wide default configuration is never read or set and ``load_kube_config`` is never
called (it writes certificate and key data to temporary files kept until exit). The client's
urllib3 pool is replaced by one built on the in-memory `ssl.SSLContext` of `kubeconnector.kube.tls`,
which keeps certificate and hostname verification. Proxies come only from the kubeconfig's
``proxy-url``; proxy environment variables are not used, so a connector behaves the same
wherever it runs.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import urllib3
from kubernetes.client import ApiClient, Configuration

from kubeconnector.kube.callapi import RawResponse
from kubeconnector.kube.kubeconfig import ResolvedKubeconfig
from kubeconnector.kube.kubeconfig_checks import redact_url
from kubeconnector.kube.retry import RetryPolicy
from kubeconnector.kube.tls import KeyLoading, build_tls

USER_AGENT = "kubeconnector/0.1.0"


@dataclass(frozen=True)
class ResponseRecord:
    """One HTTP exchange, for observers (benchmarks count Secret ``data`` bytes with it).

    Attributes:
        method: The HTTP method.
        path: The request path, without the query.
        status: The HTTP status.
        data: The response body.
        seconds: How long the exchange took.
    """

    method: str
    path: str
    status: int
    data: bytes = field(repr=False)
    seconds: float

    @classmethod
    def of(cls, method: str, path: str, response: RawResponse, seconds: float) -> ResponseRecord:
        """A record for a received response."""
        return cls(method, path, response.status, response.data, seconds)


@dataclass(frozen=True)
class ClientOptions:
    """How a connector's client talks to its cluster.

    Attributes:
        connect_timeout: Seconds to establish a connection.
        read_timeout: Seconds to wait for a response.
        pool_size: Connections kept per host.
        max_in_flight: Requests in flight at once through one client.
        retry: The retry policy.
        user_agent: The User-Agent header (the API server derives the field manager from it).
        on_response: Called after every HTTP exchange (including retried ones).
    """

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    pool_size: int = 8
    max_in_flight: int = 4
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    user_agent: str = USER_AGENT
    on_response: Callable[[ResponseRecord], None] | None = None


@dataclass(frozen=True)
class BuiltClient:
    """An isolated ApiClient and how its client key was loaded.

    Attributes:
        api_client: The official client, usable with the typed APIs too.
        key_loading: ``none``, ``memfd`` or ``shm`` (see `kubeconnector.kube.tls`).
    """

    api_client: Any
    key_loading: KeyLoading


def build_api_client(resolved: ResolvedKubeconfig, options: ClientOptions) -> BuiltClient:
    """Build an official ApiClient for one connector, with no key material written to disk.

    Raises:
        KubeconfigError: OpenSSL refuses the CA or the client certificate.
        ClusterError: A client certificate cannot be loaded without a disk file.
    """
    tls = build_tls(resolved)
    api_client = ApiClient(configuration=_configuration(resolved))
    api_client.user_agent = options.user_agent
    rest = api_client.rest_client
    rest.pool_manager.clear()
    rest.pool_manager = _pool(resolved, tls.context, options)
    return BuiltClient(api_client, tls.key_loading)


def close_api_client(api_client: Any) -> None:
    """Close the client's connections."""
    api_client.close()


def _configuration(resolved: ResolvedKubeconfig) -> Any:
    config = Configuration(host=resolved.server)
    config.verify_ssl = not resolved.insecure
    config.retries = False  # retries are decided by kubeconnector.kube.retry, per request
    token = resolved.credential.token
    if token:
        config.api_key = {"authorization": token}
        config.api_key_prefix = {"authorization": "Bearer"}
    return config


def _pool(
    resolved: ResolvedKubeconfig, context: ssl.SSLContext, options: ClientOptions
) -> urllib3.PoolManager:
    kwargs: dict[str, Any] = {
        "num_pools": 4,
        "maxsize": options.pool_size,
        "ssl_context": context,
        "retries": False,
        "cert_reqs": "CERT_NONE" if resolved.insecure else "CERT_REQUIRED",
    }
    if resolved.insecure:
        kwargs["assert_hostname"] = False
    if resolved.tls_server_name:
        kwargs["server_hostname"] = resolved.tls_server_name
    if resolved.proxy_url:
        return _proxy_pool(resolved.proxy_url, kwargs)
    return urllib3.PoolManager(**kwargs)


def _proxy_pool(proxy_url: str, kwargs: dict[str, Any]) -> urllib3.ProxyManager:
    parts = urlsplit(proxy_url)
    headers: dict[str, str] = {}
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers = urllib3.make_headers(proxy_basic_auth=credentials)
    return urllib3.ProxyManager(redact_url(proxy_url), proxy_headers=headers, **kwargs)
