"""Emulator settings: every delay and limit a test may want to change, in one frozen value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SimConfig:
    """How a kubesim cluster behaves.

    Delays are in seconds and default to values that keep tests fast while still making
    controller work asynchronous, as it is on a real cluster.
    """

    kubernetes_version: str = "1.30.2"
    legacy_token_autogen: bool = False
    continue_ttl: float = 300.0
    watch_history: int = 20000
    pod_ready_delay: float = 0.3
    pod_termination_delay: float = 0.1
    controller_delay: float = 0.02
    token_fill_delay: float = 0.05
    node_taint_delay: float = 0.05
    broken_image_pattern: str = r":broken$"
    progress_deadline_cap: float | None = None
    max_request_bytes: int = 3 * 1024 * 1024
    bookmark_interval: float = 1.0

    @property
    def minor(self) -> str:
        return self.kubernetes_version.split(".")[1]
