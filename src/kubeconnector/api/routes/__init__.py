"""The API's routes, one module per resource; `ROUTERS` lists them all."""

from __future__ import annotations

from kubeconnector.api.routes import (
    actions,
    assets,
    audit,
    changes,
    connectors,
    health,
    jobs,
    rbac,
    users,
)

AUTHENTICATED = (
    users.router,
    connectors.router,
    jobs.router,
    assets.router,
    rbac.router,
    actions.router,
    changes.router,
    audit.router,
)
PUBLIC = (health.router,)

__all__ = ["AUTHENTICATED", "PUBLIC"]
