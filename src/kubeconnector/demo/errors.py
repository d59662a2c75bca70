"""The demo's one failure: a step that did not do what the story needs."""

from __future__ import annotations

from kubeconnector.errors import KubeConnectorError


class DemoFailed(KubeConnectorError):
    """The demo cluster did not start, or a command of the story failed."""
