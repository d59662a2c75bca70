"""Connectors: register (admin), list, show, remove (admin), test and discover (operator).

The kubeconfig is write-only: it is accepted on ``POST /connectors`` and never answered.
Discovery runs as a background job (``202`` and a `Job` to poll).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from kubeconnector.api.auth import Admin, Operator, Reader, State
from kubeconnector.api.jobs import Job, JobKind, Reporter
from kubeconnector.models import Connector, Environment

router = APIRouter(tags=["connectors"])


class NewConnectorRequest(BaseModel):
    """A connector to register; ``kubeconfig`` is the pasted YAML (write-only)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=253)
    kubeconfig: SecretStr = Field(min_length=1)
    context: str | None = Field(default=None, max_length=253)
    namespace: str | None = Field(default=None, max_length=63)
    environment: Environment = Environment.DEV


@router.get("/connectors")
def list_connectors(session: Reader) -> list[Connector]:
    """Every connector, by name."""
    return session.connectors.list()


@router.post("/connectors", status_code=201)
def add_connector(body: NewConnectorRequest, session: Admin) -> Connector:
    """Validate the kubeconfig and register a connector with it, sealed."""
    done = session.connectors.add(
        body.name,
        body.kubeconfig.get_secret_value(),
        context=body.context,
        namespace=body.namespace,
        environment=body.environment,
    )
    return done.connector


@router.get("/connectors/{ref}")
def get_connector(ref: str, session: Reader) -> Connector:
    """A connector by id or name."""
    return session.connectors.get(ref)


@router.delete("/connectors/{ref}", status_code=204, response_class=Response)
def remove_connector(ref: str, session: Admin) -> Response:
    """Remove a connector and its inventory (its ledger events stay)."""
    session.connectors.remove(ref)
    return Response(status_code=204)


@router.post("/connectors/{ref}/test")
def test_connector(ref: str, session: Operator) -> dict[str, Any]:
    """Server, version, identity, permissions, per-action can-run and the fix when missing."""
    return session.connectors.test(ref).to_dict()


@router.post("/connectors/{ref}/discover", status_code=202)
def discover_connector(ref: str, session: Operator, state: State) -> Job:
    """Start a discovery run; poll the job for progress and the result."""
    connector = session.connectors.get(ref)
    actor = session.actor

    def work(reporter: Reporter) -> dict[str, Any]:
        with state.session(actor) as own:
            result = own.discovery.run(connector.id, progress=reporter.discovery)
        return result.to_dict()

    return state.jobs.submit(JobKind.DISCOVERY, work)
