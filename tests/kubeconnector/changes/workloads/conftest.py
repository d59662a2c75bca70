"""Fixtures of the WORKLOADS action tests (defined in `workloads_support` and `support`)."""

from tests.kubeconnector.changes.support import connector_ctx
from tests.kubeconnector.changes.workloads.workloads_support import (
    admin,
    discovery_ctx,
    hpa_reader,
    node,
    node_reader,
    sandbox,
)

__all__ = [
    "admin",
    "connector_ctx",
    "discovery_ctx",
    "hpa_reader",
    "node",
    "node_reader",
    "sandbox",
]
