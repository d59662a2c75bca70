"""``GET /me`` (the token's user) and the users themselves (admin): list, add, remove.

A new user's bearer token is answered once, by ``POST /users``; only its hash is stored.
Adding and removing a user are the same ledger events as on the command line
(``user.created``, ``user.removed``), naming the admin who did it.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from kubeconnector.api.auth import Admin, ApiUser, CurrentUser
from kubeconnector.store import Role, UserRecord, UserRepository
from kubeconnector.store.users import MAX_NAME

router = APIRouter(tags=["users"])


class NewUserRequest(BaseModel):
    """A user to create: a name and a role."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME)
    role: Role


class NewUser(BaseModel):
    """A created user with its bearer token (answered this once only)."""

    name: str
    role: Role
    created_at: datetime
    token: str


@router.get("/me")
def me(user: CurrentUser) -> ApiUser:
    """The current user's name and role."""
    return user


@router.get("/users")
def list_users(session: Admin) -> list[UserRecord]:
    """Every user with their role and creation time (never a token or its hash)."""
    return UserRepository(session.database, session.audit).list()


@router.post("/users", status_code=201)
def add_user(body: NewUserRequest, session: Admin, response: Response) -> NewUser:
    """Create a user; the answer holds their bearer token, which is never shown again."""
    users = UserRepository(session.database, session.audit)
    user, token = users.add(body.name, body.role, session.actor)
    response.headers["Cache-Control"] = "no-store"
    return NewUser(**user.model_dump(), token=token)


@router.delete("/users/{name}", status_code=204, response_class=Response)
def remove_user(name: str, session: Admin) -> Response:
    """Remove a user; their token stops working at once."""
    UserRepository(session.database, session.audit).remove(name, session.actor)
    return Response(status_code=204)
