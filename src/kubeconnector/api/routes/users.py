"""``GET /me``: the user the bearer token belongs to."""

from __future__ import annotations

from fastapi import APIRouter

from kubeconnector.api.auth import ApiUser, CurrentUser

router = APIRouter(tags=["users"])


@router.get("/me")
def me(user: CurrentUser) -> ApiUser:
    """The current user's name and role."""
    return user
