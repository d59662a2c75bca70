"""Suite-wide fixtures: a hermetic environment and the shared kubesim cluster."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest_plugins = ["kubesim.testing", "tests.kubeconnector.dbfixtures"]

_LEAKY_ENV = (
    "KUBECONFIG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "KUBECONNECTOR_HOME",
    "KUBECONNECTOR_DATABASE_URL",
    "KUBECONNECTOR_MASTER_KEY",
    "KUBECONNECTOR_USER",
    "KUBECONNECTOR_SINGLE_OPERATOR",
)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's kubeconfig, proxies or kubeconnector settings."""
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    yield
