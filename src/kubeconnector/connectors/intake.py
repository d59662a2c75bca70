"""Connector intake: what registering or updating a connector is given, checked before storing.

A pasted kubeconfig is validated and resolved to one context by
`kubeconnector.kube.parse_kubeconfig` (every refusal is a `KubeconfigError` with a stable
code). What gets stored is not the pasted document but the single-context kubeconfig built
from the resolved context, so credentials of unrelated clusters never enter the registry.
Warnings that describe the stored connector (``insecure-skip-tls-verify``, a proxy) are kept
with it; warnings about the pasted document only (other contexts ignored) are shown once.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import BinaryIO

import yaml

from kubeconnector.errors import InvalidInput, KubeconfigError
from kubeconnector.kube import KubeconfigSummary, ResolvedKubeconfig, parse_kubeconfig
from kubeconnector.kube.yamlsafe import MAX_DOCUMENT_BYTES
from kubeconnector.models import Environment

NAME_RULE = "1 to 63 letters, digits, '.', '_' or '-', starting and ending with a letter or a digit"
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")
_NAMESPACE = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class Intake:
    """A validated kubeconfig, ready to be sealed.

    Attributes:
        resolved: The chosen context, cluster and user.
        stored: The single-context kubeconfig YAML to seal (never display it).
        warnings: Warnings kept with the connector and shown wherever it is shown.
        notices: Warnings about the pasted document only, shown when it is given.
    """

    resolved: ResolvedKubeconfig = field(repr=False)
    stored: str = field(repr=False)
    warnings: tuple[str, ...]
    notices: tuple[str, ...]

    @property
    def summary(self) -> KubeconfigSummary:
        """What may be shown about the kubeconfig (no credential)."""
        return self.resolved.summary()


def take_kubeconfig(text: str, context: str | None = None) -> Intake:
    """Validate a pasted kubeconfig and build the single-context kubeconfig to store.

    Args:
        text: The kubeconfig YAML, as printed by ``kubectl config view --raw``.
        context: The context to use (None or empty: the kubeconfig's current-context).

    Raises:
        KubeconfigError: The kubeconfig is refused; ``code`` says why.
    """
    resolved = parse_kubeconfig(text, context or None)
    stored = yaml.safe_dump(resolved.to_kubeconfig(), sort_keys=False)
    # Parsing what will be stored checks the round trip and yields the warnings that last.
    kept = parse_kubeconfig(stored, resolved.context).warnings
    notices = tuple(w for w in resolved.warnings if w not in kept)
    return Intake(resolved, stored, kept, notices)


def read_kubeconfig(stream: BinaryIO, limit: int = MAX_DOCUMENT_BYTES) -> str:
    """Read a kubeconfig from a file or stdin without ever holding more than ``limit`` + 1 bytes.

    Raises:
        KubeconfigError: ``too-large`` past the limit, ``not-yaml`` when it is not UTF-8 text.
    """
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise KubeconfigError(
            "too-large", f"the kubeconfig is larger than {limit // 1024} KiB; refusing it"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KubeconfigError("not-yaml", "the kubeconfig is not UTF-8 text") from None


def check_name(name: str) -> str:
    """A connector name, checked (it is also how commands refer to the connector).

    Raises:
        InvalidInput: The name breaks `NAME_RULE` or is shaped like a connector id.
    """
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"connector name {name[:80]!r} is invalid: use {NAME_RULE}", "name")
    if _is_uuid(name):
        raise InvalidInput(
            f"connector name {name!r} is shaped like a connector id; choose another", "name"
        )
    return name


def check_namespace(namespace: str | None) -> str | None:
    """The namespace discovery is limited to, checked (None or empty: all namespaces).

    Raises:
        InvalidInput: Not a Kubernetes namespace name (a DNS-1123 label).
    """
    if not namespace:
        return None
    if not _NAMESPACE.fullmatch(namespace):
        raise InvalidInput(
            f"namespace {namespace[:80]!r} is not a valid namespace name (lower-case letters, "
            "digits and '-', at most 63 characters)",
            "namespace",
        )
    return namespace


def parse_environment(value: str | Environment) -> Environment:
    """``prod``, ``staging`` or ``dev`` as an `Environment`.

    Raises:
        InvalidInput: Another value.
    """
    try:
        return Environment(value.lower() if isinstance(value, str) else value)
    except ValueError:
        allowed = ", ".join(e.value for e in Environment)
        raise InvalidInput(
            f"environment {str(value)[:40]!r} is not one of {allowed}", "environment"
        ) from None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36
