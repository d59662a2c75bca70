"""RBAC inspection of a connector from its stored inventory (no API call per query).

The snapshot is built from the RBAC assets of the connector's last finished discovery run;
who runs as which ServiceAccount comes from its ``runs-as`` relations. The engine built for a
run is kept by the service instance and reused until a newer run is stored, so repeated
questions (the HTTP API, a long-lived session) cost only the query itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from kubeconnector.errors import RecordNotFound
from kubeconnector.models import Asset, Connector, DiscoveryRun, RunStatus
from kubeconnector.rbac.engine import RbacEngine
from kubeconnector.rbac.findings import FindingsReport, find_risks
from kubeconnector.rbac.model import RBAC_KINDS
from kubeconnector.rbac.results import EffectivePermissions, WhoCanResult
from kubeconnector.rbac.snapshot import RbacSnapshot
from kubeconnector.store import AssetRepository

RUNS_AS = "runs-as"
_FINISHED = frozenset({RunStatus.SUCCEEDED, RunStatus.PARTIAL})
# Kinds whose absence makes answers incomplete: the RBAC objects, and what runs as subjects.
_RELEVANT = frozenset(
    {*RBAC_KINDS, "ServiceAccount", "Pod", "Deployment", "DaemonSet", "StatefulSet"}
)


class ConnectorLookup(Protocol):
    """Finds a connector by name or id."""

    def get(self, ref: str) -> Connector:
        """The connector; `RecordNotFound` when there is none."""
        ...  # pragma: no cover


class _Answer(Protocol):
    def to_dict(self) -> dict[str, Any]: ...  # pragma: no cover


T = TypeVar("T", bound=_Answer)


@dataclass(frozen=True)
class InventoryBasis:
    """Which stored inventory an answer was computed from.

    Attributes:
        connector: The connector.
        run: Its last finished discovery run.
        unlisted_kinds: Relevant kinds that run could not list (answers may be incomplete or
            use what an earlier run saw).
    """

    connector: Connector
    run: DiscoveryRun
    unlisted_kinds: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready basis."""
        return {
            "connector": self.connector.name,
            "runId": self.run.id,
            "discoveredAt": (self.run.finished_at or self.run.started_at).isoformat(),
            "unlistedKinds": list(self.unlisted_kinds),
        }


@dataclass(frozen=True)
class Inspection(Generic[T]):
    """An RBAC answer and the inventory it was computed from."""

    result: T
    basis: InventoryBasis

    def to_dict(self) -> dict[str, Any]:
        """The answer's JSON with an ``inventory`` entry."""
        return {"inventory": self.basis.to_dict(), **self.result.to_dict()}


@dataclass(frozen=True)
class _Loaded:
    run_id: str
    engine: RbacEngine
    runs_as: dict[str, list[str]]


class RbacService:
    """Answers who-can, effective-permission and risky-grant questions about a connector.

    Args:
        assets: The inventory repository.
        connectors: Finds connectors by name or id.
    """

    def __init__(self, assets: AssetRepository, connectors: ConnectorLookup) -> None:
        self._assets = assets
        self._connectors = connectors
        self._loaded: dict[str, _Loaded] = {}

    def who_can(
        self,
        ref: str,
        verb: str,
        resource: str,
        *,
        namespace: str = "",
        name: str = "",
        group: str | None = None,
    ) -> Inspection[WhoCanResult]:
        """Every subject allowed a request, with provenance (see `RbacEngine.who_can`).

        Raises:
            RecordNotFound: No such connector, or it was never discovered.
            InvalidInput: The resource's API group cannot be inferred.
        """
        loaded, basis = self._load(ref)
        answer = loaded.engine.who_can(verb, resource, group, namespace, name)
        return Inspection(answer, basis)

    def permissions(
        self, ref: str, subject: str, *, groups: Sequence[str] = ()
    ) -> Inspection[EffectivePermissions]:
        """A subject's effective rules, cluster-wide and per namespace.

        Args:
            ref: The connector's name or id.
            subject: ``serviceaccount:<ns>:<name>``, ``user:<name>`` or ``group:<name>``.
            groups: Groups a user is known to be in besides the implicit ones.

        Raises:
            RecordNotFound: No such connector, or it was never discovered.
            InvalidInput: A malformed subject.
        """
        loaded, basis = self._load(ref)
        return Inspection(loaded.engine.permissions(subject, groups), basis)

    def findings(self, ref: str, *, include_all: bool = False) -> Inspection[FindingsReport]:
        """Risky grants, with the workloads running as each subject.

        Args:
            ref: The connector's name or id.
            include_all: Turn the exclusion rules for built-in grants off.

        Raises:
            RecordNotFound: No such connector, or it was never discovered.
        """
        loaded, basis = self._load(ref)
        report = find_risks(loaded.engine.snapshot, loaded.runs_as, include_all=include_all)
        return Inspection(report, basis)

    def _load(self, ref: str) -> tuple[_Loaded, InventoryBasis]:
        connector = self._connectors.get(ref)
        run = self._last_run(connector)
        loaded = self._loaded.get(connector.id)
        if loaded is None or loaded.run_id != run.id:
            engine = RbacEngine(self._snapshot(connector.id))
            loaded = _Loaded(run.id, engine, self._who_runs(connector.id))
            self._loaded[connector.id] = loaded
        unlisted = tuple(k for k in run.forbidden_kinds if k in _RELEVANT)
        return loaded, InventoryBasis(connector, run, unlisted)

    def _last_run(self, connector: Connector) -> DiscoveryRun:
        runs = self._assets.list_runs(connector.id, limit=20)
        run = next((r for r in runs if r.status in _FINISHED), None)
        if run is None:
            raise RecordNotFound(
                f"connector {connector.name!r} has no inventory yet: run "
                f"'kubeconnector discover {connector.name}' first"
            )
        return run

    def _snapshot(self, connector_id: str) -> RbacSnapshot:
        assets: list[Asset] = []
        for kind in RBAC_KINDS:
            assets.extend(self._assets.list_assets(connector_id, kind=kind))
        return RbacSnapshot.from_assets(assets)

    def _who_runs(self, connector_id: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for relation in self._assets.relations(connector_id, relation_type=RUNS_AS):
            account, source = relation.target, relation.source
            subject = f"serviceaccount:{account.namespace}:{account.name}"
            found[subject].append(f"{source.kind} {source.namespace}/{source.name}")
        return {subject: sorted(workloads) for subject, workloads in found.items()}
