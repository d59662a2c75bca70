"""Impersonation headers, authorized per impersonated attribute like the real filter.

Each requested attribute (user or service account, each group, each extra value, uid) needs the
`impersonate` verb on the matching resource; the first refusal is a 403 worded as for any other
resource request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from kubesim.api import status
from kubesim.auth.user import ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED, Attributes, UserInfo

Check = Callable[[Attributes], None]  # raises the 403 StatusError when not allowed

SA_PREFIX = "system:serviceaccount:"


def _sa_parts(name: str) -> tuple[str, str] | None:
    if not name.startswith(SA_PREFIX):
        return None
    namespace, sep, account = name[len(SA_PREFIX) :].partition(":")
    return (namespace, account) if sep and namespace and account and ":" not in account else None


def impersonate(
    requestor: UserInfo,
    user: str | None,
    groups: Sequence[str],
    extras: Mapping[str, Sequence[str]],
    uid: str | None,
    check: Check,
) -> UserInfo | None:
    """The impersonated user, or None when the request asks for no impersonation."""
    if user is None and not groups and not extras and uid is None:
        return None
    if user is None:
        raise status.internal_error(
            "requested " + ", ".join(f"Group={g}" for g in groups) + " without impersonating a user"
        )

    def attrs(
        resource: str, name: str, namespace: str = "", group: str = "", subresource: str = ""
    ) -> Attributes:
        return Attributes(
            requestor,
            "impersonate",
            True,
            api_group=group,
            api_version="v1",
            resource=resource,
            subresource=subresource,
            namespace=namespace,
            name=name,
        )

    out_groups = list(groups)
    sa = _sa_parts(user)
    if sa is not None:
        check(attrs("serviceaccounts", sa[1], namespace=sa[0]))
        if not groups:
            out_groups = ["system:serviceaccounts", f"system:serviceaccounts:{sa[0]}"]
    else:
        check(attrs("users", user))
    for group in groups:
        check(attrs("groups", group))
    out_extra: dict[str, tuple[str, ...]] = {}
    for key, values in extras.items():
        for value in values:
            check(attrs("userextras", value, group="authentication.k8s.io", subresource=key))
        out_extra[key] = tuple(values)
    if uid is not None:
        check(attrs("uids", uid, group="authentication.k8s.io"))
    return UserInfo(user, uid or "", _final_groups(user, out_groups), out_extra)


def _final_groups(user: str, groups: list[str]) -> tuple[str, ...]:
    marker = UNAUTHENTICATED if user == ANONYMOUS else AUTHENTICATED
    if not any(g in (AUTHENTICATED, UNAUTHENTICATED) for g in groups):
        groups = [*groups, marker]
    return tuple(groups)
