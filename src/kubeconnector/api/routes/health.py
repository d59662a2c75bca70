"""``GET /health``: is the server up and its database reachable (no authentication)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from kubeconnector import __version__
from kubeconnector.api.auth import State
from kubeconnector.errors import KubeConnectorError

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The server's health."""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "error"]
    version: str


@router.get("/health")
def health(state: State) -> Health:
    """``ok`` when the database answers, ``degraded`` when it does not."""
    try:
        state.database.current_revision()
    except KubeConnectorError:
        return Health(status="degraded", database="error", version=__version__)
    return Health(status="ok", database="ok", version=__version__)
