"""pytest fixtures for kubesim (load with `pytest_plugins = ["kubesim.testing"]`).

`kubesim_cluster` is one `demo` cluster per test session, run as a subprocess so the code under
test and the emulator do not share an interpreter (or a GIL). Tests that change the cluster
should create their own objects or namespaces rather than edit the shared demo content.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kubesim.config import SimConfig
from kubesim.runner import Cluster, running

FAST = SimConfig(
    pod_ready_delay=0.05,
    pod_termination_delay=0.05,
    controller_delay=0.0,
    token_fill_delay=0.02,
    node_taint_delay=0.02,
    progress_deadline_cap=3.0,
)


@pytest.fixture(scope="session")
def kubesim_cluster() -> Iterator[Cluster]:
    """A `demo` cluster shared by the whole session."""
    mode = os.environ.get("KUBESIM_MODE", "process")
    with running("demo", config=FAST, mode=mode) as cluster:
        yield cluster
