"""kubeconnector: governed, reversible changes to Kubernetes clusters.

The Python API is `Session` (see `kubeconnector.session`)::

    from kubeconnector import Session

    with Session.from_env(actor="alice") as session:
        session.connectors.test("prod-k8s")

`Session`, `Settings` and `resolve_actor` are imported on first use, so importing a
submodule such as `kubeconnector.errors` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from kubeconnector.errors import KubeConnectorError

if TYPE_CHECKING:
    from kubeconnector.session import Session, resolve_actor
    from kubeconnector.settings import Settings

__version__ = "0.1.0"
__all__ = ["KubeConnectorError", "Session", "Settings", "__version__", "resolve_actor"]

_LAZY = {
    "Session": "kubeconnector.session",
    "Settings": "kubeconnector.settings",
    "resolve_actor": "kubeconnector.session",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kubeconnector' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
