"""Subjects of bindings, the identities requests are made as, and how the two match.

A binding names subjects (User, Group, ServiceAccount); a request is made by an identity (a
user name and a set of groups). A ServiceAccount is the user
``system:serviceaccount:<ns>:<name>`` in the groups ``system:serviceaccounts``,
``system:serviceaccounts:<ns>`` and ``system:authenticated``; every authenticated user is in
``system:authenticated``; the anonymous user is ``system:anonymous`` in
``system:unauthenticated``. Members of ``system:masters`` are allowed everything by an
authorizer that runs before RBAC, with no binding at all.

Subjects are written as strings on the command line: ``serviceaccount:<ns>:<name>``,
``user:<name>`` and ``group:<name>`` (``sa:`` is accepted for ``serviceaccount:``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kubeconnector.errors import InvalidInput

USER = "User"
GROUP = "Group"
SERVICE_ACCOUNT = "ServiceAccount"
KINDS = (USER, GROUP, SERVICE_ACCOUNT)

SA_USER_PREFIX = "system:serviceaccount:"
SA_GROUP = "system:serviceaccounts"
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"
MASTERS = "system:masters"

_PREFIXES = {"user": USER, "group": GROUP, "serviceaccount": SERVICE_ACCOUNT, "sa": SERVICE_ACCOUNT}


@dataclass(frozen=True, slots=True, order=True)
class Subject:
    """A binding subject, with a ServiceAccount's namespace already defaulted.

    Attributes:
        kind: ``User``, ``Group`` or ``ServiceAccount``.
        name: The user, group or ServiceAccount name.
        namespace: A ServiceAccount's namespace (``""`` for users and groups, and for a
            ServiceAccount subject of a ClusterRoleBinding that names none: it matches nobody).
    """

    kind: str
    name: str
    namespace: str = ""

    @classmethod
    def parse(cls, text: str) -> Subject:
        """Parse ``serviceaccount:<ns>:<name>``, ``user:<name>`` or ``group:<name>``.

        A user named ``system:serviceaccount:<ns>:<name>`` is that ServiceAccount.

        Raises:
            InvalidInput: the text names no known kind or misses a part.
        """
        prefix, _, rest = text.partition(":")
        kind = _PREFIXES.get(prefix.lower())
        if kind is None or not rest:
            raise InvalidInput(
                f"subject {text!r} must be serviceaccount:<namespace>:<name>, user:<name> "
                "or group:<name>",
                field="subject",
            )
        if kind == SERVICE_ACCOUNT:
            namespace, _, name = rest.partition(":")
            if not namespace or not name:
                raise InvalidInput(
                    f"subject {text!r} must be serviceaccount:<namespace>:<name>", field="subject"
                )
            return cls(SERVICE_ACCOUNT, name, namespace)
        return cls.of(kind, rest)

    @classmethod
    def of(cls, kind: str, name: str, namespace: str = "") -> Subject:
        """A subject, turning a ServiceAccount's user name into the ServiceAccount."""
        if kind == USER and name.startswith(SA_USER_PREFIX):
            namespace, _, sa_name = name[len(SA_USER_PREFIX) :].partition(":")
            if namespace and sa_name:
                return cls(SERVICE_ACCOUNT, sa_name, namespace)
        return cls(kind, name, namespace if kind == SERVICE_ACCOUNT else "")

    @classmethod
    def from_binding(cls, raw: Mapping[str, Any], binding_namespace: str) -> Subject:
        """A binding's ``subjects[i]``; a ServiceAccount defaults to the binding's namespace."""
        kind = str(raw.get("kind") or "")
        namespace = str(raw.get("namespace") or "")
        if kind == SERVICE_ACCOUNT and not namespace:
            namespace = binding_namespace
        return cls(kind, str(raw.get("name") or ""), namespace if kind == SERVICE_ACCOUNT else "")

    @property
    def key(self) -> str:
        """The command-line form, e.g. ``serviceaccount:demo:web``."""
        if self.kind == SERVICE_ACCOUNT:
            return f"serviceaccount:{self.namespace}:{self.name}"
        return f"{self.kind.lower()}:{self.name}"

    @property
    def username(self) -> str:
        """The user name a request by this subject carries (``""`` for a group)."""
        if self.kind == SERVICE_ACCOUNT:
            return f"{SA_USER_PREFIX}{self.namespace}:{self.name}"
        return self.name if self.kind == USER else ""

    def to_dict(self) -> dict[str, str]:
        """``{"kind", "name"[, "namespace"]}``."""
        out = {"kind": self.kind, "name": self.name}
        if self.namespace:
            out["namespace"] = self.namespace
        return out

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a request is made as: a user name (``""`` for a bare group) and its groups."""

    user: str
    groups: frozenset[str]

    @classmethod
    def of(cls, subject: Subject | str, extra_groups: Iterable[str] = ()) -> Identity:
        """The identity a subject authenticates as, with the groups it implicitly has.

        A ServiceAccount gets its two ServiceAccount groups and ``system:authenticated``; a
        user gets ``system:authenticated`` (``system:unauthenticated`` for
        ``system:anonymous``); a group stands for any member and has only that group.
        """
        if isinstance(subject, str):
            subject = Subject.parse(subject)
        groups = set(extra_groups) | _implicit_groups(subject)
        return cls(subject.username, frozenset(groups))

    @property
    def is_master(self) -> bool:
        """In ``system:masters``: allowed everything, without RBAC."""
        return MASTERS in self.groups

    def service_account(self) -> tuple[str, str] | None:
        """``(namespace, name)`` when the user is a ServiceAccount."""
        if not self.user.startswith(SA_USER_PREFIX):
            return None
        namespace, _, name = self.user[len(SA_USER_PREFIX) :].partition(":")
        return (namespace, name) if namespace and name and ":" not in name else None

    def matches(self, subject: Subject) -> bool:
        """Whether a binding subject (namespace defaulted) applies to this identity."""
        if subject.kind == USER:
            return bool(self.user) and self.user == subject.name
        if subject.kind == GROUP:
            return subject.name in self.groups
        if subject.kind == SERVICE_ACCOUNT and subject.namespace:
            return self.user == f"{SA_USER_PREFIX}{subject.namespace}:{subject.name}"
        return False

    def subject_keys(self) -> list[Subject]:
        """Every binding subject that can apply to this identity (for index look-ups)."""
        keys = [Subject(GROUP, g) for g in sorted(self.groups)]
        if self.user:
            keys.append(Subject(USER, self.user))
        account = self.service_account()
        if account is not None:
            keys.append(Subject(SERVICE_ACCOUNT, account[1], account[0]))
        return keys


def _implicit_groups(subject: Subject) -> set[str]:
    if subject.kind == SERVICE_ACCOUNT:
        return {SA_GROUP, f"{SA_GROUP}:{subject.namespace}", AUTHENTICATED}
    if subject.kind == USER:
        return {UNAUTHENTICATED} if subject.name == ANONYMOUS else {AUTHENTICATED}
    return {subject.name}


def implicit_groups(subject: Subject) -> tuple[str, ...]:
    """The groups a subject has without being named in them (sorted; a group: itself)."""
    return tuple(sorted(_implicit_groups(subject) - {subject.name}))
