"""RBAC inspection: access decisions, who-can, effective permissions, risky-grant findings and
the connector's own permission report, all computed locally from a snapshot of RBAC objects.

    snapshot = RbacSnapshot.from_assets(assets)        # or .from_objects(raw API objects)
    engine = RbacEngine(snapshot)
    engine.who_can("get", "secrets", namespace="shop")
    engine.permissions("serviceaccount:shop:web")
    find_risks(snapshot, runs_as={"serviceaccount:shop:web": ["Deployment shop/web"]})

    report = build_report(cluster_ssrr, {"shop": shop_ssrr}, namespace="shop")
    fix_yaml(report, "system:serviceaccount:kubeconnector:connector")

The ``details`` shape discovery stores for RBAC objects is documented in
`kubeconnector.rbac.snapshot` (and produced by `rbac_details`).
"""

from kubeconnector.rbac.catalogue import CATALOGUE, RiskKind, Severity
from kubeconnector.rbac.engine import RbacEngine
from kubeconnector.rbac.exclusions import EXCLUSIONS, ExclusionRule
from kubeconnector.rbac.findings import Finding, FindingsReport, Workload, find_risks
from kubeconnector.rbac.fix import compact_rules, fix_yaml
from kubeconnector.rbac.report import (
    ActionResult,
    CellResult,
    CellStatus,
    PermissionReport,
    RulesReview,
    build_report,
    probe_namespace,
)
from kubeconnector.rbac.requirements import ACTION_IDS, ACTIONS, EXTRAS, SEED_RULES, Permission
from kubeconnector.rbac.resources import ResourceSpec, parse_resource
from kubeconnector.rbac.results import EffectivePermissions, Grant, WhoCanEntry, WhoCanResult
from kubeconnector.rbac.rules import NonResourceRequest, PolicyRule, ResourceRequest, rule_allows
from kubeconnector.rbac.snapshot import RbacSnapshot, rbac_details
from kubeconnector.rbac.subjects import Identity, Subject

__all__ = [
    "ACTIONS",
    "ACTION_IDS",
    "CATALOGUE",
    "EXCLUSIONS",
    "EXTRAS",
    "SEED_RULES",
    "ActionResult",
    "CellResult",
    "CellStatus",
    "EffectivePermissions",
    "ExclusionRule",
    "Finding",
    "FindingsReport",
    "Grant",
    "Identity",
    "NonResourceRequest",
    "Permission",
    "PermissionReport",
    "PolicyRule",
    "RbacEngine",
    "RbacSnapshot",
    "ResourceRequest",
    "ResourceSpec",
    "RiskKind",
    "RulesReview",
    "Severity",
    "Subject",
    "WhoCanEntry",
    "WhoCanResult",
    "Workload",
    "build_report",
    "compact_rules",
    "find_risks",
    "fix_yaml",
    "parse_resource",
    "probe_namespace",
    "rbac_details",
    "rule_allows",
]
