"""Connector records: a registered cluster, without its kubeconfig.

The kubeconfig itself never appears in these models; it is sealed in the database and opened
only on request (`kubeconnector.store.ConnectorRepository.kubeconfig`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Environment(StrEnum):
    """The environment a cluster serves; it weighs into a change's risk."""

    PROD = "prod"
    STAGING = "staging"
    DEV = "dev"


class NewConnector(BaseModel):
    """What registering a connector stores besides the sealed kubeconfig.

    Attributes:
        name: Unique display name, e.g. ``prod-k8s``.
        environment: prod, staging or dev.
        context: The kubeconfig context to use (None: its current-context).
        namespace: Limits discovery to one namespace (None: all namespaces).
        server: The API server URL of the chosen context (not secret).
        warnings: What was noticed about the kubeconfig, e.g. ``insecure-skip-tls-verify``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=253)
    environment: Environment
    context: str | None = Field(default=None, max_length=253)
    namespace: str | None = Field(default=None, max_length=63)
    server: str = Field(min_length=1, max_length=2048)
    warnings: tuple[str, ...] = ()


class ConnectorUpdate(BaseModel):
    """Changes to a connector: only the fields given are applied (None clears an optional one)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    environment: Environment | None = None
    context: str | None = Field(default=None, max_length=253)
    namespace: str | None = Field(default=None, max_length=63)
    server: str | None = Field(default=None, min_length=1, max_length=2048)
    warnings: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> ConnectorUpdate:
        for name in ("environment", "server", "warnings"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self


class Connector(NewConnector):
    """A stored connector.

    Attributes:
        id: A UUID, the connector's stable identity.
        key_id: The id of the key that sealed the kubeconfig.
        created_at: When it was registered (UTC).
        updated_at: When it last changed (UTC).
    """

    id: str
    key_id: str
    created_at: datetime
    updated_at: datetime
