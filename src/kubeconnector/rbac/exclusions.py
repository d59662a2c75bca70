"""Named exclusion rules: which grants are built into Kubernetes and left out of findings.

Each rule is explicit and listed in every findings report with the number of findings it
suppressed, so nothing disappears silently; ``include_all`` turns them all off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kubeconnector.rbac.model import BindingObject
from kubeconnector.rbac.subjects import (
    ANONYMOUS,
    AUTHENTICATED,
    SA_GROUP,
    SA_USER_PREFIX,
    SERVICE_ACCOUNT,
    UNAUTHENTICATED,
    Subject,
)

SYSTEM_PREFIX = "system:"
# system: groups and users that stand for many identities: never excluded.
DANGEROUS_SYSTEM_SUBJECTS = frozenset({ANONYMOUS, UNAUTHENTICATED, AUTHENTICATED, SA_GROUP})


@dataclass(frozen=True)
class ExclusionRule:
    """One reason to leave a grant out of findings.

    Attributes:
        id: Stable identifier, reported with its count.
        description: What it excludes and why.
        applies: ``(binding, subject) -> bool``.
    """

    id: str
    description: str
    applies: Callable[[BindingObject, Subject], bool]


def _default_binding(binding: BindingObject, _subject: Subject) -> bool:
    return binding.is_default


def _system_subject(_binding: BindingObject, subject: Subject) -> bool:
    name = subject.name
    if subject.kind == SERVICE_ACCOUNT or not name.startswith(SYSTEM_PREFIX):
        return False
    if name in DANGEROUS_SYSTEM_SUBJECTS or name.startswith(f"{SA_GROUP}:"):
        return False
    return not name.startswith(SA_USER_PREFIX)


def _kube_system_controller(binding: BindingObject, subject: Subject) -> bool:
    return (
        subject.kind == SERVICE_ACCOUNT
        and subject.namespace == "kube-system"
        and binding.role.name.startswith(SYSTEM_PREFIX)
    )


EXCLUSIONS: tuple[ExclusionRule, ...] = (
    ExclusionRule(
        "default-bindings",
        "bindings the API server creates itself (labelled "
        "kubernetes.io/bootstrapping=rbac-defaults), e.g. cluster-admin to system:masters",
        _default_binding,
    ),
    ExclusionRule(
        "system-subjects",
        "users and groups named system:* (control-plane components and nodes), except "
        "system:anonymous, system:unauthenticated, system:authenticated and the "
        "system:serviceaccounts groups",
        _system_subject,
    ),
    ExclusionRule(
        "kube-system-controllers",
        "ServiceAccounts of kube-system bound to system:* roles (the built-in controllers)",
        _kube_system_controller,
    ),
)


def first_exclusion(
    rules: tuple[ExclusionRule, ...], binding: BindingObject, subject: Subject
) -> ExclusionRule | None:
    """The first rule that excludes the grants of a binding to a subject, or None."""
    return next((r for r in rules if r.applies(binding, subject)), None)
