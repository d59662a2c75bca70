"""Kubeconfig intake: validate a pasted kubeconfig and resolve one context.

`parse_kubeconfig` turns the text of ``kubectl config view --raw`` into a `ResolvedKubeconfig`:
the chosen context (default: ``current-context``), its cluster (server URL, CA data or the
insecure flag) and its user (a bearer token and/or client certificate data). Everything that
would make kubeconnector run a command, read a local file or fall back to a weaker mechanism is
refused with a `KubeconfigError` whose ``code`` is stable and whose message names the offending
entry without repeating any secret. Only the chosen context, its cluster and its user are
checked in depth; other entries must merely be well formed and are otherwise ignored.

Decisions:
    - ``proxy-url`` is accepted (a proxy is a network path, not a command or a file) and
      reported as a warning. Only ``http://`` and ``https://`` proxies are accepted (code
      ``unsupported-proxy`` otherwise: SOCKS would need another dependency).
    - Impersonation (``as``, ``as-groups``...) is refused: the connector would otherwise act as
      a different identity than its permission report shows.
    - Missing ``kind``/``apiVersion`` are tolerated, as kubectl does; wrong ones are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kubeconnector.errors import KubeconfigError
from kubeconnector.kube.kubeconfig_checks import (
    ClusterSettings,
    Credential,
    check_cluster,
    check_user,
    quoted,
    redact_url,
)
from kubeconnector.kube.yamlsafe import MAX_DOCUMENT_BYTES, load_document

AuthKind = Literal["token", "client-certificate", "token+client-certificate"]
_SECTIONS = (("clusters", "cluster"), ("contexts", "context"), ("users", "user"))

__all__ = ["Credential", "KubeconfigSummary", "ResolvedKubeconfig", "parse_kubeconfig"]


@dataclass(frozen=True)
class KubeconfigSummary:
    """What may be shown about a kubeconfig: no token, key or certificate.

    Attributes:
        server: The API server URL.
        context: The context used.
        cluster: The cluster entry's name.
        user: The user entry's name.
        auth_kind: ``token``, ``client-certificate`` or ``token+client-certificate``.
        namespace: The context's default namespace, if any.
        insecure: Whether the server certificate is not verified.
        proxy: The proxy URL without credentials, if any.
        warnings: Human-readable warnings.
    """

    server: str
    context: str
    cluster: str
    user: str
    auth_kind: str
    namespace: str | None
    insecure: bool
    proxy: str | None
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values."""
        return {
            "server": self.server,
            "context": self.context,
            "cluster": self.cluster,
            "user": self.user,
            "authKind": self.auth_kind,
            "namespace": self.namespace,
            "insecure": self.insecure,
            "proxy": self.proxy,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ResolvedKubeconfig:
    """One context of a validated kubeconfig, ready to build a client from.

    Secret-bearing fields are kept out of ``repr``.

    Attributes:
        context: The context name.
        cluster: The cluster entry's name.
        server: The API server URL (``https://host[:port][/path]``, no trailing slash).
        user: The user entry's name.
        credential: The bearer token and/or client certificate and key.
        ca_data: PEM certificate authority bundle, or None for the system trust store.
        insecure: ``insecure-skip-tls-verify``: the server certificate is not verified.
        tls_server_name: The name to verify the server certificate against, if set.
        proxy_url: The proxy URL (may carry credentials), if any.
        namespace: The context's default namespace, if any.
        warnings: Human-readable warnings (insecure TLS, proxy, ignored contexts).
    """

    context: str
    cluster: str
    server: str
    user: str
    credential: Credential = field(repr=False)
    ca_data: bytes | None = field(default=None, repr=False)
    insecure: bool = False
    tls_server_name: str | None = None
    proxy_url: str | None = field(default=None, repr=False)
    namespace: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def auth_kind(self) -> AuthKind:
        """How the user authenticates."""
        return self.credential.kind

    def summary(self) -> KubeconfigSummary:
        """A redacted description for display and for the ledger."""
        return KubeconfigSummary(
            server=self.server,
            context=self.context,
            cluster=self.cluster,
            user=self.user,
            auth_kind=self.auth_kind,
            namespace=self.namespace,
            insecure=self.insecure,
            proxy=redact_url(self.proxy_url) if self.proxy_url else None,
            warnings=self.warnings,
        )

    def to_kubeconfig(self) -> dict[str, Any]:
        """A minimal kubeconfig holding only this context, its cluster and its user.

        Storing this instead of the pasted document keeps unrelated clusters' credentials out
        of the registry.
        """
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": self.cluster, "cluster": self._cluster_entry()}],
            "users": [{"name": self.user, "user": self.credential.to_entry()}],
            "contexts": [{"name": self.context, "context": self._context_entry()}],
            "current-context": self.context,
        }

    def _cluster_entry(self) -> dict[str, Any]:
        return ClusterSettings(
            self.server, self.ca_data, self.insecure, self.tls_server_name, self.proxy_url
        ).to_entry()

    def _context_entry(self) -> dict[str, Any]:
        entry = {"cluster": self.cluster, "user": self.user}
        if self.namespace:
            entry["namespace"] = self.namespace
        return entry


def parse_kubeconfig(text: str, context: str | None = None) -> ResolvedKubeconfig:
    """Validate a pasted kubeconfig and resolve one of its contexts.

    Args:
        text: The kubeconfig YAML (as printed by ``kubectl config view --raw``).
        context: The context to use; None or empty uses ``current-context``.

    Returns:
        The resolved context.

    Raises:
        KubeconfigError: The kubeconfig is refused; ``code`` says why (see the module doc).
    """
    document = load_document(text, MAX_DOCUMENT_BYTES)
    sections = _sections(document)
    name = context or _current_context(document)
    ctx = _lookup(sections["contexts"], "context", name, "missing-context", _context_hint(context))
    cluster_name = _reference(ctx, name, "cluster")
    user_name = _reference(ctx, name, "user")
    cluster = check_cluster(
        cluster_name, _lookup(sections["clusters"], "cluster", cluster_name, "missing-cluster")
    )
    credential = check_user(
        user_name, _lookup(sections["users"], "user", user_name, "missing-user")
    )
    return ResolvedKubeconfig(
        context=name,
        cluster=cluster_name,
        server=cluster.server,
        user=user_name,
        credential=credential,
        ca_data=cluster.ca_data,
        insecure=cluster.insecure,
        tls_server_name=cluster.tls_server_name,
        proxy_url=cluster.proxy_url,
        namespace=_namespace(ctx, name),
        warnings=cluster.warnings(cluster_name) + _ignored(sections["contexts"]),
    )


def _sections(document: Any) -> dict[str, dict[str, Mapping[str, Any]]]:
    if not isinstance(document, dict):
        raise KubeconfigError("not-kubeconfig", "the text is not a kubeconfig (not a mapping)")
    _check_header(document)
    if not any(isinstance(document.get(key), list) for key, _ in _SECTIONS):
        raise KubeconfigError(
            "not-kubeconfig", "the text is not a kubeconfig (no clusters, contexts or users)"
        )
    return {key: _entries(document.get(key), key, inner) for key, inner in _SECTIONS}


def _check_header(document: dict[str, Any]) -> None:
    kind, api_version = document.get("kind"), document.get("apiVersion")
    if kind is not None and kind != "Config":
        raise KubeconfigError(
            "not-kubeconfig", f"the text is not a kubeconfig: kind is {quoted(kind)}, not Config"
        )
    if api_version is not None and api_version != "v1":
        raise KubeconfigError(
            "not-kubeconfig",
            f"the text is not a kubeconfig: apiVersion is {quoted(api_version)}, not v1",
        )


def _entries(raw: Any, section: str, inner: str) -> dict[str, Mapping[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise KubeconfigError("not-kubeconfig", f"{section} must be a list")
    entries: dict[str, Mapping[str, Any]] = {}
    for index, item in enumerate(raw):
        name, body = _entry(item, section, inner, index)
        if name in entries:
            raise KubeconfigError(
                "not-kubeconfig", f"{section} has two entries named {quoted(name)}"
            )
        entries[name] = body
    return entries


def _entry(item: Any, section: str, inner: str, index: int) -> tuple[str, Mapping[str, Any]]:
    name = item.get("name") if isinstance(item, dict) else None
    if not isinstance(name, str) or not name:
        raise KubeconfigError("not-kubeconfig", f"{section}[{index}] has no name")
    body = item.get(inner)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise KubeconfigError(
            "not-kubeconfig", f"{inner} {quoted(name)}: the {inner!r} field must be a mapping"
        )
    return name, body


def _current_context(document: dict[str, Any]) -> str:
    current = document.get("current-context")
    if not current:
        raise KubeconfigError(
            "missing-context", "the kubeconfig has no current-context and no context was given"
        )
    if not isinstance(current, str):
        raise KubeconfigError("not-kubeconfig", "current-context must be a string")
    return current


def _context_hint(given: str | None) -> str:
    return "the context given" if given else "current-context"


def _lookup(
    entries: dict[str, Mapping[str, Any]], what: str, name: str, code: str, by: str = ""
) -> Mapping[str, Any]:
    if name in entries:
        return entries[name]
    known = ", ".join(quoted(n) for n in sorted(entries)[:10]) or "none"
    source = f" ({by})" if by else ""
    raise KubeconfigError(
        code, f"{what} {quoted(name)}{source} does not exist in the kubeconfig; {what}s: {known}"
    )


def _reference(ctx: Mapping[str, Any], name: str, field_name: str) -> str:
    value = ctx.get(field_name)
    if not isinstance(value, str) or not value:
        code = "missing-cluster" if field_name == "cluster" else "missing-user"
        raise KubeconfigError(code, f"context {quoted(name)} names no {field_name}")
    return value


def _namespace(ctx: Mapping[str, Any], name: str) -> str | None:
    namespace = ctx.get("namespace")
    if namespace is None or namespace == "":
        return None
    if not isinstance(namespace, str):
        raise KubeconfigError(
            "not-kubeconfig", f"context {quoted(name)}: namespace must be a string"
        )
    return namespace


def _ignored(contexts: dict[str, Mapping[str, Any]]) -> tuple[str, ...]:
    others = len(contexts) - 1
    if others <= 0:
        return ()
    noun = "context" if others == 1 else "contexts"
    return (f"the kubeconfig has {others} other {noun}; only the chosen context is used",)
