"""``GET /actions``: the actions a change can run, with the JSON schema of their parameters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from kubeconnector.api.auth import Reader
from kubeconnector.changes.actions import ACTIONS

router = APIRouter(tags=["actions"])


class ActionInfo(BaseModel):
    """One action."""

    id: str
    title: str
    has_rollback: bool
    base_risk: int
    params_schema: dict[str, Any]


@router.get("/actions")
def list_actions(_reader: Reader) -> list[ActionInfo]:
    """Every action, in a stable order."""
    return [
        ActionInfo(
            id=a.id.value,
            title=a.title,
            has_rollback=a.has_rollback,
            base_risk=a.base_score,
            params_schema=a.params_model.model_json_schema(),
        )
        for a in ACTIONS
    ]
