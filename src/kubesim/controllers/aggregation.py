"""ClusterRole aggregation: `rules` of a role with `aggregationRule` follow the roles it selects.

Whenever any ClusterRole changes, every aggregating ClusterRole is recomputed (as upstream, since
a change to any role may change what a selector matches) and, when its rules differ, written by
server-side apply with field manager `clusterrole-aggregation-controller` and force. Which rules
a role collects is decided by `kubesim.auth.aggregation`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson

from kubesim.api.resources import rt
from kubesim.auth.aggregation import MANAGER, SelectorError, aggregated_rules, rules_equal
from kubesim.controllers.base import Controller, Key
from kubesim.registry.context import WriteContext
from kubesim.registry.patches import APPLY_PATCH
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

RBAC_GROUP = "rbac.authorization.k8s.io"
CLUSTER_ROLES = f"{RBAC_GROUP}/clusterroles"
# PolicyRule fields in the order the apply configuration serialises them.
RULE_FIELDS = ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")


def normalized_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule with empty fields dropped and fields in PolicyRule order.

    Args:
        rule: a PolicyRule as stored.

    Returns:
        The rule as the aggregation controller's apply configuration would send it.
    """
    return {name: list(rule[name]) for name in RULE_FIELDS if rule.get(name)}


def _aggregating(role: StoredObject) -> bool:
    return role.obj.get("aggregationRule") is not None


class ClusterRoleAggregationController(Controller):
    """Replaces the rules of aggregating ClusterRoles with those of the roles they select."""

    name = "clusterrole-aggregation-controller"
    watches = (CLUSTER_ROLES,)
    manager = MANAGER

    def __init__(self, emu: Emulator) -> None:
        super().__init__(emu)
        self.aggregating: set[str] = set()

    def initial_keys(self) -> Iterable[Key]:
        """Every aggregating ClusterRole."""
        for role in self.emu.storage.scan(CLUSTER_ROLES):
            if _aggregating(role):
                self.aggregating.add(role.name)
        return [("", name) for name in sorted(self.aggregating)]

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Any ClusterRole change re-runs every aggregating ClusterRole."""
        role = event.obj
        if event.type is not EventType.DELETED and _aggregating(role):
            self.aggregating.add(role.name)
        else:
            self.aggregating.discard(role.name)
        return [("", name) for name in sorted(self.aggregating)]

    def ctx(self) -> WriteContext:
        """Apply with an explicit field manager and force, as the real controller does."""
        context = super().ctx()
        context.explicit_manager = True
        context.force = True
        return context

    def sync(self, key: Key) -> None:
        """Recompute one aggregating role; apply its rules if they changed."""
        role = self.emu.storage.get(CLUSTER_ROLES, "", key[1])
        if role is None or not _aggregating(role):
            return
        roles = [other.obj for other in self.emu.storage.scan(CLUSTER_ROLES)]
        try:
            rules = aggregated_rules(role.obj, roles)
        except SelectorError:
            # Upstream the sync fails and is retried forever; nothing is ever written.
            return
        if rules_equal(rules, role.obj.get("rules") or ()):
            return
        body: dict[str, Any] = {
            "apiVersion": f"{RBAC_GROUP}/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role.name},
        }
        applied = [normalized_rule(rule) for rule in rules]
        if applied:
            body["rules"] = applied
        res = rt(RBAC_GROUP, "clusterroles")
        self.registry.patch(res, "", role.name, APPLY_PATCH, orjson.dumps(body), self.ctx())
