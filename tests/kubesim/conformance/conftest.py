"""Fixtures for the kubectl conformance suite: one kubectl per version against the session cluster.

Every test taking `kubectl` runs once per version of 1.27, 1.30 and 1.33; a version that is not
installed is skipped with the reason shown in the summary. Tests create their own namespaces
(the `ns` fixture) so they can run in any order against the shared cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes.client import ApiClient
from tests.kubesim.conformance.kubectl_helpers import VERSIONS, Kubectl, find_binaries
from tests.kubesim.conformance.test_python_client_support import (
    api_client,
    create_namespace,
    delete_namespace,
)

from kubesim.runner import Cluster


@pytest.fixture(scope="session")
def kubectl_binaries() -> dict[str, Path]:
    """The installed versioned kubectl binaries, by version."""
    return find_binaries()


@pytest.fixture(scope="session")
def kubeconfig_file(kubesim_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session cluster's kubeconfig (all four contexts), written to a private file."""
    path = tmp_path_factory.mktemp("kubeconfig") / "config"
    return kubesim_cluster.write_kubeconfig(path)


@pytest.fixture(scope="session", params=VERSIONS, ids=[f"kubectl-{v}" for v in VERSIONS])
def kubectl(
    request: pytest.FixtureRequest,
    kubectl_binaries: dict[str, Path],
    kubeconfig_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Kubectl:
    """kubectl of one version, with its own discovery cache directory."""
    version: str = request.param
    binary = kubectl_binaries.get(version)
    if binary is None:
        pytest.skip(f"kubectl {version} is not installed (no kubectl.{version} beside kubectl)")
    home = tmp_path_factory.mktemp(f"kubectl-{version}")
    cache = home / "cache"
    return Kubectl(version, binary, kubeconfig_file, cache, home)


@pytest.fixture
def ns(kubectl: Kubectl) -> Iterator[str]:
    """A fresh namespace for one test, deleted (without waiting) afterwards."""
    name = kubectl.unique("ns")
    kubectl.ok("create", "namespace", name)
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false")


@pytest.fixture(scope="session")
def workload_controllers(
    kubectl_binaries: dict[str, Path],
    kubeconfig_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Skip unless the cluster runs the deployment controller (demo deployments get a status)."""
    if not kubectl_binaries:
        pytest.skip("no kubectl binary is installed")
    version, binary = next(iter(kubectl_binaries.items()))
    home = tmp_path_factory.mktemp("probe")
    probe = Kubectl(version, binary, kubeconfig_file, home / "cache", home)
    observed = probe.run(
        "get",
        "deployment",
        "build-runner",
        "-o",
        "jsonpath={.status.observedGeneration}",
        namespace="ci",
    )
    if observed.code != 0 or not observed.out:
        pytest.skip("the workload controllers are not registered in kubesim yet")


@pytest.fixture(scope="module")
def admin(kubesim_cluster: Cluster) -> ApiClient:
    """The official Python client, as the admin identity (one per test module)."""
    return api_client(kubesim_cluster)


@pytest.fixture(scope="module")
def namespace(admin: ApiClient, request: pytest.FixtureRequest) -> Iterator[str]:
    """A namespace for one Python client test module, named after its ``NAMESPACE_PREFIX``."""
    name = create_namespace(admin, getattr(request.module, "NAMESPACE_PREFIX", "py"))
    yield name
    delete_namespace(admin, name)
