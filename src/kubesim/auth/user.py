"""The authenticated identity and the attributes of a request that authorization judges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
MASTERS = "system:masters"
ANONYMOUS = "system:anonymous"


@dataclass(frozen=True)
class UserInfo:
    """A user as the authenticator chain resolved it (`user.Info`)."""

    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

    def to_api(self) -> dict[str, object]:
        """The `userInfo` shape of SelfSubjectReview and TokenReview (empty fields omitted)."""
        out: dict[str, object] = {"username": self.name}
        if self.uid:
            out["uid"] = self.uid
        if self.groups:
            out["groups"] = list(self.groups)
        if self.extra:
            out["extra"] = {k: list(v) for k, v in self.extra.items()}
        return out


def service_account_user(namespace: str, name: str, uid: str = "", **extra: str) -> UserInfo:
    """The identity of a ServiceAccount token (groups as the real authenticator assigns)."""
    return UserInfo(
        name=f"system:serviceaccount:{namespace}:{name}",
        uid=uid,
        groups=("system:serviceaccounts", f"system:serviceaccounts:{namespace}", AUTHENTICATED),
        extra={k: (v,) for k, v in extra.items()},
    )


@dataclass(frozen=True)
class Attributes:
    """What is being asked (`authorizer.Attributes`).

    Resource requests fill group/resource/subresource/namespace/name; non-resource requests
    fill `path`. `verb` is the API verb (get, list, watch, create, ...) for resource requests and
    the lowercase HTTP method for non-resource ones.
    """

    user: UserInfo
    verb: str
    resource_request: bool
    api_group: str = ""
    api_version: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""
