"""RBAC from the stored inventory: who can, a subject's permissions, risky grants."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kubeconnector.api.auth import Reader

router = APIRouter(tags=["rbac"])
Text = Annotated[str, Query(max_length=253)]


@router.get("/connectors/{ref}/rbac/who-can")
def who_can(
    ref: str,
    session: Reader,
    verb: Annotated[str, Query(min_length=1, max_length=64)],
    resource: Annotated[str, Query(min_length=1, max_length=253)],
    namespace: Text = "",
    name: Text = "",
    subresource: Annotated[str, Query(max_length=64)] = "",
) -> dict[str, Any]:
    """Every subject allowed the request, with the bindings and rules that allow it."""
    wanted = f"{resource}/{subresource}" if subresource else resource
    answer = session.rbac.who_can(ref, verb, wanted, namespace=namespace, name=name)
    return answer.to_dict()


@router.get("/rbac/permissions")
def permissions(
    session: Reader,
    connector: Annotated[str, Query(min_length=1, max_length=253)],
    subject: Annotated[str, Query(min_length=1, max_length=600)],
) -> dict[str, Any]:
    """A subject's effective rules (``serviceaccount:<ns>:<name>``, ``user:``, ``group:``)."""
    return session.rbac.permissions(connector, subject).to_dict()


@router.get("/rbac/findings")
def findings(
    session: Reader, connector: Annotated[str, Query(min_length=1, max_length=253)]
) -> dict[str, Any]:
    """Risky grants, with the workloads running as each subject."""
    return session.rbac.findings(connector).to_dict()
