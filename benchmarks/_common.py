"""Shared pieces of the benchmarks: plain-HTTP access to a cluster and resource measurements.

`RawCluster` talks to an API server with nothing but urllib3 (TLS from the kubeconfig, client
certificate or bearer token): it is the floor the connector is compared with, and it
implements the discovery `ListSource` protocol so the same lists can be replayed.
"""

from __future__ import annotations

import base64
import os
import re
import resource
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import urllib3

from kubeconnector.errors import StatusInfo, api_error

METADATA_ACCEPT = (
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
)
_CONTINUE = re.compile(rb'"continue":"([^"]*)"')


def _user(kubeconfig: dict[str, Any], context: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ctx = next(c["context"] for c in kubeconfig["contexts"] if c["name"] == context)
    cluster = next(c["cluster"] for c in kubeconfig["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in kubeconfig["users"] if u["name"] == ctx["user"])
    return cluster, user


def ssl_context(cluster: dict[str, Any], user: dict[str, Any]) -> ssl.SSLContext:
    """TLS trusting the kubeconfig's CA and presenting its client certificate, if any."""
    ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
    context = ssl.create_default_context(cadata=ca)
    if "client-certificate-data" in user:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            paths = []
            for field in ("client-certificate-data", "client-key-data"):
                path = os.path.join(tmp, field)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(base64.b64decode(user[field]))
                paths.append(path)
            context.load_cert_chain(paths[0], paths[1])
    return context


def list_path(kind: Any, namespace: str | None) -> str:
    """The collection URL path of a kind (``namespace`` None: all namespaces)."""
    base = f"/apis/{kind.group}/{kind.version}" if kind.group else f"/api/{kind.version}"
    if namespace and kind.namespaced:
        return f"{base}/namespaces/{namespace}/{kind.plural}"
    return f"{base}/{kind.plural}"


class RawCluster:
    """Plain urllib3 access to one cluster, as one kubeconfig context.

    Args:
        kubeconfig: The kubeconfig document.
        context: The context to use.
        pool_size: Connections kept per host (at least the list concurrency).
    """

    def __init__(self, kubeconfig: dict[str, Any], context: str, pool_size: int = 4) -> None:
        cluster, user = _user(kubeconfig, context)
        self.server = cluster["server"]
        self._headers = {"User-Agent": "kubeconnector-bench/1"}
        if "token" in user:
            self._headers["Authorization"] = f"Bearer {user['token']}"
        self._pool = urllib3.PoolManager(ssl_context=ssl_context(cluster, user), maxsize=pool_size)
        self._lock = threading.Lock()
        self.request_count = 0
        self.bytes_received = 0

    def get(self, path: str, query: dict[str, str], accept: str) -> bytes:
        """One GET; the raw body (error statuses raise the matching ApiError)."""
        headers = {**self._headers, "Accept": accept}
        response = self._pool.request("GET", self.server + path, fields=query, headers=headers)
        body: bytes = response.data
        with self._lock:
            self.request_count += 1
            self.bytes_received += len(body)
        if response.status >= 400:
            status = orjson.loads(body) if body.startswith(b"{") else {}
            raise api_error(StatusInfo(response.status, status.get("reason", ""), ""))
        return body

    def raw_pages(
        self,
        kind: Any,
        namespace: str | None,
        *,
        metadata_only: bool = False,
        limit: int = 500,
        field_selector: str | None = None,
    ) -> Iterator[bytes]:
        """Yield the raw bodies of one paginated list (the continue token read off the bytes)."""
        query = {"limit": str(limit)}
        if field_selector:
            query["fieldSelector"] = field_selector
        accept = METADATA_ACCEPT if metadata_only else "application/json"
        path = list_path(kind, namespace)
        while True:
            body = self.get(path, query, accept)
            yield body
            found = _CONTINUE.search(body, 0, 4096)
            if not found or not found.group(1):
                return
            query["continue"] = found.group(1).decode()

    def list_pages(
        self,
        kind: Any,
        namespace: str | None,
        *,
        metadata_only: bool = False,
        limit: int = 500,
        field_selector: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """The discovery `ListSource` protocol: pages of parsed items."""
        for body in self.raw_pages(
            kind, namespace, metadata_only=metadata_only, limit=limit, field_selector=field_selector
        ):
            yield orjson.loads(body)["items"]

    def close(self) -> None:
        """Close the connections."""
        self._pool.clear()


@dataclass
class Timed:
    """A measured phase."""

    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Timed]:
    """Measure the wall time of a block."""
    result = Timed()
    start = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - start


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS counter for this process (Linux 4.0+), if allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def current_peak_rss_mb() -> float:
    """Peak RSS since the last `reset_peak_rss` (VmHWM), in MiB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return peak_rss_mb()
