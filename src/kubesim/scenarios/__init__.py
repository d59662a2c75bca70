"""Cluster scenarios: the user-level objects a kubesim cluster starts with.

A scenario yields plain manifests in creation order (Namespaces, Nodes, ServiceAccounts,
Secrets, ConfigMaps, Services, RBAC, workloads). It leaves out what the emulator itself
creates (built-in namespaces, default RBAC) and what its controllers derive (ReplicaSets and
Pods of workloads, token data of legacy token Secrets, `default` ServiceAccounts,
`kube-root-ca.crt` ConfigMaps).

Scenarios: `demo` (small and realistic, see `kubesim.scenarios.demo`), `large` (synthetic,
sized by `scale`, see `kubesim.scenarios.large`) and `empty` (no user objects).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kubesim.scenarios import demo, large
from kubesim.scenarios.build import Manifest
from kubesim.scenarios.large import expected_counts
from kubesim.scenarios.large_plan import validate_scale

__all__ = ["NAMES", "Scenario", "expected_counts", "get"]

NAMES: tuple[str, ...] = ("demo", "large", "empty")


@dataclass(frozen=True)
class Scenario:
    """A named source of manifests; `objects()` returns a fresh, deterministic iterator."""

    name: str
    objects: Callable[[], Iterator[Manifest]]
    description: str


def _nothing() -> Iterator[Manifest]:
    yield from ()


def get(name: str, scale: float = 1.0) -> Scenario:
    """Look up a scenario by name.

    Args:
        name: one of NAMES.
        scale: size multiplier, used by `large` only (must be positive and finite).

    Returns:
        The scenario; calling its `objects` yields fresh manifests every time.

    Raises:
        ValueError: for an unknown name or an invalid scale.
    """
    scale = validate_scale(scale)
    if name == "demo":
        return Scenario("demo", demo.objects, demo.DESCRIPTION)
    if name == "large":
        return Scenario("large", functools.partial(large.objects, scale), large.DESCRIPTION)
    if name == "empty":
        return Scenario("empty", _nothing, "No user objects: only what the emulator creates.")
    raise ValueError(f"unknown scenario {name!r}; known: {', '.join(NAMES)}")
