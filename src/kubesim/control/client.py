"""A Python client for the control API, authenticated as the cluster admin."""

from __future__ import annotations

import base64
import os
import ssl
import tempfile
from typing import Any

import httpx


def admin_ssl_context(kubeconfig: dict[str, Any]) -> ssl.SSLContext:
    """TLS trusting the cluster CA and presenting the admin client certificate."""
    cluster = kubeconfig["clusters"][0]["cluster"]
    user = next(u["user"] for u in kubeconfig["users"] if u["name"] == "admin")
    context = ssl.create_default_context(
        cadata=base64.b64decode(cluster["certificate-authority-data"]).decode()
    )
    with tempfile.TemporaryDirectory(prefix="kubesim-client-") as tmp:
        cert = os.path.join(tmp, "tls.crt")
        key = os.path.join(tmp, "tls.key")
        for path, field in ((cert, "client-certificate-data"), (key, "client-key-data")):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(base64.b64decode(user[field]))
        context.load_cert_chain(cert, key)
    return context


class Control:
    """Request log, fault injection, concurrent writers and settling, over HTTPS."""

    def __init__(self, url: str, kubeconfig: dict[str, Any]) -> None:
        self._http = httpx.Client(base_url=url, verify=admin_ssl_context(kubeconfig), timeout=120.0)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, "/kubesim/v1/" + path, **kwargs)
        if response.status_code >= 400 and response.status_code != 504:
            raise RuntimeError(f"kubesim control {method} {path}: {response.text}")
        return response.json()

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """Request log entries after sequence number `since`."""
        items: list[dict[str, Any]] = self._call("GET", "requests", params={"since": since})[
            "items"
        ]
        return items

    def mark(self) -> int:
        """The sequence number of the newest logged request (a starting point for counting)."""
        entries = self.requests()
        return int(entries[-1]["seq"]) if entries else 0

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def fault(self, **spec: Any) -> int:
        """Add a fault rule: method, path (regex), verb, user, skip, count, and one of
        status (+ retryAfter, plainText, message), delay (seconds), drop (bool)."""
        return int(self._call("POST", "faults", json=_camel(spec))["id"])

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def concurrent_writer(self, **spec: Any) -> int:
        """After a matching successful GET, change the object (default: bump an annotation)."""
        return int(self._call("POST", "writers", json=_camel(spec))["id"])

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until the controllers have no work due soon."""
        return bool(self._call("POST", "settle", params={"timeout": timeout})["settled"])

    def credentials(
        self, user: str, groups: tuple[str, ...] = (), kind: str = "certificate"
    ) -> dict[str, str]:
        body = {"user": user, "groups": list(groups), "kind": kind}
        result: dict[str, str] = self._call("POST", "credentials", json=body)
        return result


def _camel(spec: dict[str, Any]) -> dict[str, Any]:
    renames = {"retry_after": "retryAfter", "plain_text": "plainText"}
    return {renames.get(k, k): v for k, v in spec.items() if v is not None}
