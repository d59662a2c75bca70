"""kubeconnector's cluster access layer.

- `parse_kubeconfig` validates a pasted kubeconfig and resolves one context
  (`kubeconnector.kube.kubeconfig`, with `kubeconnector.kube.yamlsafe` for the YAML itself).
- `ClusterClient` talks to one connector's cluster through its own official ``ApiClient``
  built without key material on disk (`kubeconnector.kube.client`, `kubeconnector.kube.tls`),
  with raw JSON, retries honouring Retry-After and bounded concurrency
  (`kubeconnector.kube.transport`), and paginated lists (`kubeconnector.kube.pager`).
- `whoami`, `server_version`, `rules_review` and `access_review` (`kubeconnector.kube.access`).
"""

from kubeconnector.kube.access import (
    AccessDecision,
    RulesReview,
    ServerVersion,
    access_review,
    rules_review,
    server_version,
    whoami,
)
from kubeconnector.kube.callapi import RawResponse
from kubeconnector.kube.client import ClientOptions, ResponseRecord
from kubeconnector.kube.concurrency import Outcome, bounded_map
from kubeconnector.kube.identity import Identity
from kubeconnector.kube.kubeconfig import (
    Credential,
    KubeconfigSummary,
    ResolvedKubeconfig,
    parse_kubeconfig,
)
from kubeconnector.kube.pager import KINDS, KindSpec, ListStats, kind_spec, resource_path
from kubeconnector.kube.retry import RetryPolicy
from kubeconnector.kube.transport import ClientStats, ClusterClient

__all__ = [
    "KINDS",
    "AccessDecision",
    "ClientOptions",
    "ClientStats",
    "ClusterClient",
    "Credential",
    "Identity",
    "KindSpec",
    "KubeconfigSummary",
    "ListStats",
    "Outcome",
    "RawResponse",
    "ResolvedKubeconfig",
    "ResponseRecord",
    "RetryPolicy",
    "RulesReview",
    "ServerVersion",
    "access_review",
    "bounded_map",
    "kind_spec",
    "parse_kubeconfig",
    "resource_path",
    "rules_review",
    "server_version",
    "whoami",
]
