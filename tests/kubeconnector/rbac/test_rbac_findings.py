"""Risky-grant findings: every catalogue kind, exclusions of built-ins, workloads, output."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from tests.kubeconnector.rbac.rbac_objects import (
    DEFAULTS,
    Obj,
    cluster_role,
    crb,
    group,
    rb,
    role,
    rule,
    sa,
    user,
)

from kubeconnector.rbac import CATALOGUE, EXCLUSIONS, RbacSnapshot, Severity, find_risks

ALICE = user("alice")


def cluster_grant(rules: Sequence[Obj], subject: Obj = ALICE, name: str = "risky") -> list[Obj]:
    return [cluster_role(name, rules), crb(name, name, [subject])]


def namespace_grant(
    rules: Sequence[Obj], subject: Obj = ALICE, namespace: str = "team"
) -> list[Obj]:
    return [role("risky", namespace, rules), rb("risky", namespace, "Role", "risky", [subject])]


READ_PODS = [rule([""], ["pods"], ["get"])]
CATALOGUE_BY_ID = {kind.id: kind for kind in CATALOGUE}

MINIMAL: dict[str, list[Obj]] = {
    "cluster-admin-binding": [
        cluster_role("cluster-admin", [rule(["*"], ["*"], ["*"])]),
        crb("alice-admin", "cluster-admin", [ALICE]),
    ],
    "wildcard-all-cluster": cluster_grant([rule(["*"], ["*"], ["*"])]),
    "wildcard-all-namespace": namespace_grant([rule(["*"], ["*"], ["*"])]),
    "wildcard-verbs": namespace_grant([rule([""], ["configmaps"], ["*"])]),
    "wildcard-resources": namespace_grant([rule(["batch"], ["*"], ["get"])]),
    "wildcard-api-groups": namespace_grant([rule(["*"], ["configmaps"], ["get"])]),
    "secrets-read-cluster": cluster_grant([rule([""], ["secrets"], ["list"])]),
    "secrets-read-namespace": namespace_grant([rule([""], ["secrets"], ["get"], ["one"])]),
    "rbac-escalate": cluster_grant([rule(["rbac.authorization.k8s.io"], ["roles"], ["escalate"])]),
    "rbac-bind": cluster_grant([rule(["rbac.authorization.k8s.io"], ["clusterroles"], ["bind"])]),
    "impersonate": cluster_grant([rule(["authentication.k8s.io"], ["uids"], ["impersonate"])]),
    "create-pods": namespace_grant([rule([""], ["pods"], ["create"])]),
    "workload-writes": namespace_grant([rule(["batch"], ["cronjobs"], ["patch"])]),
    "pods-exec": namespace_grant([rule([""], ["pods/exec"], ["get"])]),
    "pods-attach": namespace_grant([rule([""], ["pods/attach"], ["create"])]),
    "pods-ephemeral-containers": namespace_grant(
        [rule([""], ["pods/ephemeralcontainers"], ["patch"])]
    ),
    "pods-portforward": namespace_grant([rule([""], ["pods/portforward"], ["create"])]),
    "nodes-proxy": cluster_grant([rule([""], ["nodes/proxy"], ["get"])]),
    "status-writes": cluster_grant([rule([""], ["nodes/status"], ["patch"])]),
    "services-status-writes": namespace_grant([rule([""], ["services/status"], ["update"])]),
    "sa-token-create": namespace_grant([rule([""], ["serviceaccounts/token"], ["create"])]),
    "secrets-create": namespace_grant([rule([""], ["secrets"], ["create"])]),
    "rbac-writes": namespace_grant(
        [rule(["rbac.authorization.k8s.io"], ["rolebindings"], ["create"])]
    ),
    "webhook-writes": cluster_grant(
        [rule(["admissionregistration.k8s.io"], ["mutatingwebhookconfigurations"], ["patch"])]
    ),
    "csr-approval": cluster_grant([rule(["certificates.k8s.io"], ["signers"], ["approve"])]),
    "crd-writes": cluster_grant(
        [rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], ["update"])]
    ),
    "pv-writes": cluster_grant([rule([""], ["persistentvolumes"], ["create"])]),
    "aws-auth-writes": namespace_grant(
        [rule([""], ["configmaps"], ["patch"])], namespace="kube-system"
    ),
    "networkpolicy-writes": namespace_grant(
        [rule(["networking.k8s.io"], ["networkpolicies"], ["delete"])]
    ),
    "anonymous-binding": cluster_grant(READ_PODS, user("system:anonymous")),
    "all-authenticated-binding": cluster_grant(READ_PODS, group("system:authenticated")),
    "default-serviceaccount-rights": namespace_grant(READ_PODS, sa("default")),
}


def findings_of(objects: Sequence[Obj], **kwargs: object) -> set[str]:
    report = find_risks(RbacSnapshot.from_objects(objects), **kwargs)  # type: ignore[arg-type]
    return report.ids()


def test_the_catalogue_has_at_least_15_kinds_each_with_a_minimal_fixture() -> None:
    ids = [kind.id for kind in CATALOGUE]
    assert len(ids) >= 15
    assert len(set(ids)) == len(ids)
    assert set(MINIMAL) == set(ids)


@pytest.mark.parametrize("kind_id", sorted(MINIMAL))
def test_each_kind_is_found_by_its_minimal_fixture(kind_id: str) -> None:
    assert kind_id in findings_of(MINIMAL[kind_id])


@pytest.mark.parametrize("kind_id", sorted(MINIMAL))
def test_each_kind_fixture_triggers_nothing_once_the_rules_are_harmless(kind_id: str) -> None:
    harmless = [{**obj, "rules": READ_PODS} if "rules" in obj else obj for obj in MINIMAL[kind_id]]
    # Binding-level risks are about who is bound, so they stay; rule-level ones go.
    expected = set() if CATALOGUE_BY_ID[kind_id].rule_level else {kind_id}
    assert findings_of(harmless) == expected


def test_every_entry_says_why_and_what_to_do() -> None:
    for kind in CATALOGUE:
        assert kind.title and kind.why and kind.recommendation
        assert kind.severity in Severity


def test_default_bootstrap_grants_are_excluded_and_counted() -> None:
    report = find_risks(RbacSnapshot.from_objects(DEFAULTS))
    assert report.findings == ()
    assert report.excluded["default-bindings"] > 20
    assert [rule.id for rule in report.exclusions] == [rule.id for rule in EXCLUSIONS]


def test_include_all_reports_the_default_bootstrap_grants() -> None:
    report = find_risks(RbacSnapshot.from_objects(DEFAULTS), include_all=True)
    assert report.exclusions == ()
    assert report.excluded == {}
    assert {
        "cluster-admin-binding",
        "anonymous-binding",
        "all-authenticated-binding",
        "secrets-read-cluster",
        "csr-approval",
        "rbac-escalate",
    } <= report.ids()
    masters = report.of_kind("cluster-admin-binding")
    assert [str(f.subject) for f in masters] == ["group:system:masters"]


@pytest.mark.parametrize(
    ("objects", "rule_id"),
    [
        (
            cluster_grant([rule([""], ["secrets"], ["get"])], user("system:kube-proxy")),
            "system-subjects",
        ),
        (
            cluster_grant([rule([""], ["secrets"], ["get"])], group("system:nodes")),
            "system-subjects",
        ),
        (
            cluster_grant(
                [rule([""], ["pods"], ["create"])],
                sa("job-controller", "kube-system"),
                "system:controller:job-controller",
            ),
            "kube-system-controllers",
        ),
    ],
)
def test_unlabelled_grants_to_system_identities_are_excluded_by_their_named_rule(
    objects: list[Obj], rule_id: str
) -> None:
    report = find_risks(RbacSnapshot.from_objects(objects))
    assert report.findings == ()
    assert report.excluded[rule_id] == 1


@pytest.mark.parametrize(
    "subject",
    [
        group("system:authenticated"),
        group("system:serviceaccounts"),
        group("system:serviceaccounts:team"),
        user("system:serviceaccount:team:builder"),
        sa("builder", "kube-system"),
    ],
)
def test_dangerous_system_groups_and_real_service_accounts_are_never_excluded(subject: Obj) -> None:
    assert "secrets-read-cluster" in findings_of(
        cluster_grant([rule([""], ["secrets"], ["get"])], subject)
    )


def test_a_user_naming_a_service_account_is_reported_as_that_service_account() -> None:
    objects = cluster_grant(
        [rule([""], ["secrets"], ["get"])], user("system:serviceaccount:team:b")
    )
    (finding,) = find_risks(RbacSnapshot.from_objects(objects)).findings
    assert str(finding.subject) == "serviceaccount:team:b"


def test_cluster_admin_supersedes_the_rule_findings_of_the_same_binding() -> None:
    objects = [
        *MINIMAL["cluster-admin-binding"],
        crb("anon-admin", "cluster-admin", [group("system:unauthenticated")]),
    ]
    report = find_risks(RbacSnapshot.from_objects(objects))
    assert [(f.id, str(f.subject)) for f in report.findings] == [
        ("anonymous-binding", "group:system:unauthenticated"),
        ("cluster-admin-binding", "group:system:unauthenticated"),
        ("cluster-admin-binding", "user:alice"),
    ]


def test_a_full_wildcard_supersedes_the_narrower_rule_findings() -> None:
    assert findings_of(MINIMAL["wildcard-all-namespace"]) == {"wildcard-all-namespace"}


def test_secrets_read_is_cluster_wide_only_through_a_cluster_role_binding() -> None:
    reader = cluster_role("reader", [rule([""], ["secrets"], ["watch"])])
    per_namespace = [reader, rb("r", "team", "ClusterRole", "reader", [ALICE])]
    assert findings_of(per_namespace) == {"secrets-read-namespace"}
    everywhere = [reader, crb("r", "reader", [ALICE])]
    assert findings_of(everywhere) == {"secrets-read-cluster"}


def test_a_rule_limited_to_names_never_covers_list() -> None:
    assert findings_of(namespace_grant([rule([""], ["secrets"], ["list"], ["one"])])) == set()


def test_config_maps_outside_kube_system_are_not_the_aws_auth_risk() -> None:
    assert findings_of(namespace_grant([rule([""], ["configmaps"], ["patch"])])) == set()


def test_bindings_to_missing_roles_and_unmatched_service_accounts_find_nothing() -> None:
    missing = [crb("ghost", "not-there", [ALICE])]
    no_namespace = cluster_grant([rule([""], ["secrets"], ["get"])], sa("web"))
    assert findings_of(missing) == set()
    assert findings_of(no_namespace) == set()


def test_findings_carry_provenance_scope_and_the_workloads_of_the_subject() -> None:
    objects = namespace_grant([rule([""], ["pods/exec"], ["create"])], sa("agent"))
    runs_as = {"serviceaccount:team:agent": ["DaemonSet team/agent", "Deployment team/web"]}
    (finding,) = find_risks(RbacSnapshot.from_objects(objects), runs_as).findings
    assert finding.id == "pods-exec"
    assert finding.severity == Severity.HIGH
    assert finding.namespace == "team"
    assert finding.provenance == [
        "RoleBinding team/risky -> Role team/risky -> rules[0] create pods/exec [core]"
    ]
    assert [w.description for w in finding.workloads] == [
        "DaemonSet team/agent",
        "Deployment team/web",
    ]
    assert finding.on_every_node


def test_findings_are_ordered_most_severe_first_and_serialise_to_json() -> None:
    objects = [*MINIMAL["pods-portforward"], *MINIMAL["secrets-read-cluster"]]
    objects[2]["metadata"]["name"] = "reader"
    objects[3]["metadata"]["name"] = "reader"
    objects[3]["roleRef"]["name"] = "reader"
    report = find_risks(RbacSnapshot.from_objects(objects))
    assert [f.id for f in report.findings] == ["secrets-read-cluster", "pods-portforward"]
    data = json.loads(json.dumps(report.to_dict()))
    first = data["findings"][0]
    assert (first["severity"], first["scope"], first["subject"]) == (
        "critical",
        "cluster",
        {"kind": "User", "name": "alice"},
    )
    assert first["rules"] == [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]
    assert [e["id"] for e in data["exclusions"]] == [
        "default-bindings",
        "system-subjects",
        "kube-system-controllers",
    ]
    assert all(e["excluded"] == 0 for e in data["exclusions"])
