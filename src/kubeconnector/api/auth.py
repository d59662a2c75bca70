"""Bearer-token authentication and role checks, as FastAPI dependencies.

``current_user`` answers the user holding the request's token (401 otherwise). ``acting(...)``
checks the user's role (403 otherwise) and yields a `Session` acting as that user, so every
ledger event names them and the approval policy sees who they are. A request that may change
something (any method but GET, HEAD, OPTIONS) is itself a ledger event, ``api.request``, naming
its actor, method and route, before it runs; what it then does is recorded by the library.

Annotations are not postponed here: FastAPI reads the closures' annotations at runtime.
"""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel

from kubeconnector.api.errors import NotAuthenticated, NotPermitted
from kubeconnector.api.state import ApiState, api_state
from kubeconnector.session import Session
from kubeconnector.store import Role

READ = frozenset(Role)
OPERATE = frozenset({Role.ADMIN, Role.OPERATOR})
APPROVE = frozenset({Role.ADMIN, Role.APPROVER})
ADMIN = frozenset({Role.ADMIN})


class ApiUser(BaseModel):
    """The user a request acts as."""

    name: str
    role: Role


def current_user(request: Request, state: Annotated[ApiState, Depends(api_state)]) -> ApiUser:
    """The user holding the request's bearer token.

    Raises:
        NotAuthenticated: No ``Authorization: Bearer`` header, or an unknown token.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("an Authorization: Bearer <token> header is required")
    found = state.users.authenticate(token)
    if found is None:
        raise NotAuthenticated("the bearer token is not valid")
    return ApiUser(name=found.name, role=found.role)


CurrentUser = Annotated[ApiUser, Depends(current_user)]


def require(roles: frozenset[Role]) -> Callable[[ApiUser], ApiUser]:
    """A dependency answering the current user if their role is one of ``roles``."""

    def check(user: CurrentUser) -> ApiUser:
        if user.role not in roles:
            allowed = ", ".join(sorted(r.value for r in roles))
            raise NotPermitted(f"role {user.role.value} may not do this (needs: {allowed})")
        return user

    return check


def acting(roles: frozenset[Role]) -> Callable[..., Iterator[Session]]:
    """A dependency yielding a session acting as the current user, once their role is checked."""
    allowed = require(roles)

    def session(
        request: Request,
        user: Annotated[ApiUser, Depends(allowed)],
        state: Annotated[ApiState, Depends(api_state)],
    ) -> Iterator[Session]:
        with state.session(user.name) as opened:
            if request.method not in SAFE_METHODS:
                _record_request(opened, request)
            yield opened

    return session


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _record_request(session: Session, request: Request) -> None:
    # The route template, not the URL: names and ids are in the path, never a query or body.
    route = getattr(request.scope.get("route"), "path", request.url.path)
    payload = {"method": request.method, "route": route, "path": request.url.path}
    session.audit.append(session.actor, "api.request", "api", route, payload)


Reader = Annotated[Session, Depends(acting(READ))]
Operator = Annotated[Session, Depends(acting(OPERATE))]
Approver = Annotated[Session, Depends(acting(APPROVE))]
Admin = Annotated[Session, Depends(acting(ADMIN))]
State = Annotated[ApiState, Depends(api_state)]
