"""The application factory: routes, error handling, limits, the web console, start-up.

At start the database is opened (and migrated), and changes a crash left executing or
verifying are resumed in a background job (acting as ``system``). At shutdown running jobs are
waited for. The web console, when installed (``kubeconnector.web`` with a ``router``), is
included and its static files served at ``/ui/static``; ``/`` redirects to it.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from kubeconnector import __version__
from kubeconnector.api import errors
from kubeconnector.api.auth import current_user
from kubeconnector.api.jobs import JobKind, Reporter
from kubeconnector.api.limits import LimitsMiddleware
from kubeconnector.api.routes import AUTHENTICATED, PUBLIC
from kubeconnector.api.state import ApiOptions, ApiState
from kubeconnector.settings import Settings

SYSTEM_ACTOR = "system"
WEB_MODULE = "kubeconnector.web"


def create_app(settings: Settings, options: ApiOptions | None = None) -> FastAPI:
    """The kubeconnector HTTP API over ``settings``' database and key ring.

    Args:
        settings: Where the database and the key ring are (as for the CLI).
        options: Limits, job workers and client and change options (defaults otherwise).
    """
    state = ApiState(settings, options or ApiOptions())
    app = FastAPI(
        title="kubeconnector",
        version=__version__,
        description="Governed, reversible changes to Kubernetes clusters.",
        lifespan=_lifespan(state),
    )
    app.state.api = state
    errors.install(app)
    for router in PUBLIC:
        app.include_router(router)
    for router in AUTHENTICATED:
        app.include_router(
            router, dependencies=[Depends(current_user)], responses=errors.ERROR_RESPONSES
        )
    _mount_console(app)
    app.add_middleware(errors.InternalErrors)
    app.add_middleware(LimitsMiddleware, limits=state.options.limits)
    return app


def _lifespan(state: ApiState) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.database.migrate()
        if state.options.resume_at_start:
            state.jobs.submit(JobKind.RESUME, _resume_all(state))
        try:
            yield
        finally:
            state.close()

    return lifespan


def _resume_all(state: ApiState) -> Callable[[Reporter], dict[str, Any]]:
    def work(_reporter: Reporter) -> dict[str, Any]:
        with state.session(SYSTEM_ACTOR) as session:
            done = session.changes(state.options.change_options).resume_all(SYSTEM_ACTOR)
        return {"changes": [record.model_dump(mode="json") for record in done]}

    return work


def _mount_console(app: FastAPI) -> None:
    """Include the web console when it is installed; ``/`` redirects to it (else to the docs)."""
    try:
        web = importlib.import_module(WEB_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name != WEB_MODULE:
            raise
        web = None
    router = getattr(web, "router", None)
    home = "/docs"
    if isinstance(router, APIRouter):
        app.include_router(router)
        home = "/ui/"
        static = Path(str(getattr(web, "__file__", ""))).parent / "static"
        if static.is_dir():
            app.mount("/ui/static", StaticFiles(directory=static), name="ui-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(home)
