"""The engine agrees with the API server's SubjectAccessReview on a randomized matrix.

The demo cluster already uses aggregation, RoleBinding -> ClusterRole, wildcards,
subresources, resourceNames and groups; more such objects are created here as admin. The RBAC
objects are read back with the official client, the snapshot is built with `from_objects`,
and at least 5,000 random (identity, verb, resource, subresource, namespace, name) checks, plus
non-resource URLs, are sent as SubjectAccessReviews from a small thread pool.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.kubeconnector.rbac.kube_helpers import (
    api_client,
    create,
    delete,
    impersonated_access_review,
    rbac_objects,
    subject_access_review,
)
from tests.kubeconnector.rbac.rbac_objects import (
    Obj,
    cluster_role,
    crb,
    group,
    rb,
    role,
    rule,
    sa,
    urls,
    user,
)

from kubeconnector.rbac import Identity, RbacEngine, RbacSnapshot, Subject
from kubesim.runner import Cluster

CASES = 5_000
IMPERSONATED_CASES = 600
URL_SHARE = 0.1
SEED = 20_240_611
AGG = "agree.example.com/aggregate"

NAMESPACES = ["agree-a", "agree-b"]
EXTRA: list[Obj] = [
    *({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in NAMESPACES),
    cluster_role(
        "agree-status",
        [rule(["*"], ["*/status"], ["get"]), rule(["apps"], ["*/scale"], ["update", "patch"])],
    ),
    cluster_role(
        "agree-named",
        [
            rule([""], ["secrets"], ["get", "update"], ["s1", "s2"]),
            rule([""], ["configmaps"], ["list", "get"], ["c1"]),
            rule([""], ["pods/log"], ["get"]),
        ],
    ),
    cluster_role("agree-urls", [urls(["/healthz/*", "/metrics", "/logs*"], ["get"])]),
    cluster_role("agree-core-read", [rule([""], ["*"], ["get", "list"])]),
    cluster_role("agree-apps-any", [rule(["apps"], ["deployments"], ["*"])]),
    cluster_role(
        "agree-aggregate",
        [],
        selectors=[{"matchExpressions": [{"key": AGG, "operator": "In", "values": ["yes"]}]}],
    ),
    cluster_role("agree-agg-1", [rule(["batch"], ["jobs"], ["create"])], {AGG: "yes"}),
    cluster_role("agree-agg-2", [rule([""], ["nodes/proxy"], ["get"])], {AGG: "yes"}),
    role(
        "agree-role",
        "agree-a",
        [rule([""], ["pods/exec"], ["create"]), rule([""], ["services"], ["*"])],
    ),
    crb("agree-status", "agree-status", [group("agree-auditors")]),
    crb("agree-urls", "agree-urls", [user("agree-carol")]),
    crb("agree-aggregate", "agree-aggregate", [sa("reader", "agree-a"), group("agree-auditors")]),
    rb("agree-named", "agree-a", "ClusterRole", "agree-named", [sa("worker")]),
    rb("agree-named", "agree-b", "ClusterRole", "agree-named", [group("agree-devs")]),
    rb(
        "agree-role",
        "agree-a",
        "Role",
        "agree-role",
        [user("agree-dave"), sa("builder", "agree-b")],
    ),
    rb(
        "agree-apps",
        "agree-b",
        "ClusterRole",
        "agree-apps-any",
        [group("system:serviceaccounts:agree-b")],
    ),
    rb(
        "agree-core",
        "agree-a",
        "ClusterRole",
        "agree-core-read",
        [user("system:serviceaccount:agree-b:builder")],
    ),
    rb("agree-missing", "agree-b", "Role", "agree-not-there", [user("agree-eve")]),
]

VERBS = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "impersonate",
    "bind",
    "escalate",
    "approve",
]
EXTRA_RESOURCES = [
    ("", "pods", "exec"),
    ("", "pods", "log"),
    ("", "pods", "status"),
    ("", "nodes", "proxy"),
    ("", "secrets", ""),
    ("", "users", ""),
    ("apps", "deployments", "scale"),
    ("apps", "statefulsets", "status"),
    ("apps", "statefulsets", "scale"),
    ("batch", "jobs", ""),
    ("example.com", "widgets", ""),
    ("example.com", "widgets", "status"),
]
NAMES = ["", "", "s1", "s2", "c1", "stripe-api-key", "web", "other"]
PATHS = ["/healthz", "/healthz/etcd", "/metrics", "/metrics/cadvisor", "/logs", "/logs/x",
         "/api", "/apis/apps", "/version", "/openapi/v2", "/livez", "/elsewhere"]  # fmt: skip


@pytest.fixture(scope="module")
def agreement_cluster(kubesim_cluster: Cluster) -> Iterator[Cluster]:
    with api_client(kubesim_cluster, "admin") as api:
        for obj in EXTRA:
            create(api, obj)
        kubesim_cluster.control.settle(30.0)
        try:
            yield kubesim_cluster
        finally:
            for obj in reversed(EXTRA):
                delete(api, obj)


def identities(snapshot: RbacSnapshot) -> list[Identity]:
    """Every bound subject, plus unbound, anonymous, master and multi-group identities."""
    subjects = {
        s
        for b in snapshot.bindings
        for s in b.subjects
        if s.kind != "ServiceAccount" or s.namespace
    }
    found = [Identity.of(s) for s in sorted(subjects)]
    found += [
        Identity.of("serviceaccount:agree-a:worker"),
        Identity.of("serviceaccount:agree-b:builder"),
        Identity.of("serviceaccount:agree-b:default"),
        Identity.of("serviceaccount:payments:default"),
        Identity.of("user:agree-frank", ["agree-devs", "shop-oncall"]),
        Identity.of("user:system:anonymous"),
        Identity.of("user:nobody-at-all"),
        Identity("root", frozenset({"system:masters", "system:authenticated"})),
    ]
    return list(dict.fromkeys(found))


def resources(snapshot: RbacSnapshot) -> list[tuple[str, str, str]]:
    """Every concrete (group, resource, subresource) the rules name, plus some they do not."""
    found = set(EXTRA_RESOURCES)
    for role_ in snapshot.roles.values():
        for rule_ in role_.rules:
            for g in rule_.api_groups:
                for r in rule_.resources:
                    base, _, sub = r.partition("/")
                    if "*" not in (g, base, sub):
                        found.add((g, base, sub))
    return sorted(found)


def namespaces(snapshot: RbacSnapshot) -> list[str]:
    bound = {b.namespace for b in snapshot.bindings}
    return sorted(bound | {"", "kube-system", "no-such-namespace"})


class Matrix:
    """Random cases: half near a real grant (then often perturbed), the rest uniform."""

    def __init__(self, snapshot: RbacSnapshot) -> None:
        self.rng = random.Random(SEED)
        self.snapshot = snapshot
        self.who = identities(snapshot)
        self.what = resources(snapshot)
        self.where = namespaces(snapshot)
        self.grants = [
            (binding, rule_)
            for binding in snapshot.bindings
            for rule_ in getattr(snapshot.role(binding.role), "rules", ())
            if rule_.is_resource_rule and binding.subjects
        ]

    def cases(self, count: int) -> list[tuple[Identity, dict[str, str]]]:
        out = []
        for _ in range(count):
            draw = self.rng.random()
            if draw < URL_SHARE:
                out.append(self.url_case())
            elif draw < 0.55:
                out.append(self.near_grant())
            else:
                out.append(self.uniform())
        return out

    def url_case(self) -> tuple[Identity, dict[str, str]]:
        verb = self.rng.choice(["get", "post"])
        return self.rng.choice(self.who), {"verb": verb, "path": self.rng.choice(PATHS)}

    def uniform(self) -> tuple[Identity, dict[str, str]]:
        group_, resource, sub = self.rng.choice(self.what)
        return self.rng.choice(self.who), {
            "verb": self.rng.choice(VERBS),
            "group": group_,
            "resource": resource,
            "subresource": sub,
            "namespace": self.rng.choice(self.where),
            "name": self.rng.choice(NAMES),
        }

    def near_grant(self) -> tuple[Identity, dict[str, str]]:
        rng = self.rng
        binding, rule_ = rng.choice(self.grants)
        subject = rng.choice(binding.subjects)
        identity = Identity.of(subject) if subject.name else rng.choice(self.who)
        token = rng.choice(rule_.resources)
        base, _, sub = token.partition("/")
        if "*" in (base, sub):
            _, any_base, any_sub = rng.choice(self.what)
            base, sub = (any_base if base == "*" else base), (any_sub if sub == "*" else sub)
        attrs = {
            "verb": _pick(rng, rule_.verbs, VERBS),
            "group": _pick(rng, rule_.api_groups, [g for g, _, _ in self.what]),
            "resource": base,
            "subresource": sub,
            "namespace": binding.namespace or rng.choice(self.where),
            "name": _pick(rng, rule_.resource_names, NAMES),
        }
        if rng.random() < 0.4:
            field = rng.choice(["verb", "name", "namespace", "subresource", "group"])
            attrs[field] = rng.choice(
                {
                    "verb": VERBS,
                    "name": NAMES,
                    "namespace": self.where,
                    "subresource": ["", "status", "scale", "exec", "log"],
                    "group": ["", "apps", "batch", "example.com"],
                }[field]
            )
        return identity, attrs


def _pick(rng: random.Random, listed: tuple[str, ...], fallback: list[str]) -> str:
    concrete = [item for item in listed if item != "*"]
    return rng.choice(concrete) if concrete and rng.random() < 0.9 else rng.choice(fallback)


def expected(engine: RbacEngine, identity: Identity, attrs: dict[str, str]) -> bool:
    if "path" in attrs:
        return engine.allowed_url(identity, attrs["verb"], attrs["path"])
    return engine.allowed(
        identity,
        attrs["verb"],
        attrs["group"],
        attrs["resource"],
        attrs["subresource"],
        attrs["namespace"],
        attrs["name"],
    )


def test_the_engine_agrees_with_subject_access_review_on_every_case(
    agreement_cluster: Cluster,
) -> None:
    with api_client(agreement_cluster, "admin") as api:
        snapshot = RbacSnapshot.from_objects(rbac_objects(api))
        engine = RbacEngine(snapshot)
        cases = Matrix(snapshot).cases(CASES)

        def ask(case: tuple[Identity, dict[str, str]]) -> bool:
            identity, attrs = case
            return subject_access_review(api, identity.user, sorted(identity.groups), attrs)

        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(ask, cases))
    ours = [expected(engine, identity, attrs) for identity, attrs in cases]
    disagreements = [
        (identity, attrs, server)
        for (identity, attrs), server, mine in zip(cases, answers, ours, strict=True)
        if server != mine
    ]
    allowed = sum(answers)
    print(
        f"\nRBAC agreement: {len(cases) - len(disagreements)}/{len(cases)} "
        f"(server allowed {allowed}, denied {len(cases) - allowed})"
    )
    assert disagreements[:20] == []
    assert len(cases) >= 5_000
    assert 0.25 * len(cases) < allowed < 0.75 * len(cases)


def test_the_snapshot_exercises_every_feature_the_matrix_must_cover(
    agreement_cluster: Cluster,
) -> None:
    with api_client(agreement_cluster, "admin") as api:
        snapshot = RbacSnapshot.from_objects(rbac_objects(api))
    rules = [r for role_ in snapshot.roles.values() for r in role_.rules]
    assert any(role_.selectors for role_ in snapshot.roles.values())
    assert any(b.kind == "RoleBinding" and b.role.kind == "ClusterRole" for b in snapshot.bindings)
    assert any("*" in r.verbs for r in rules) and any("*" in r.resources for r in rules)
    assert any(res.startswith("*/") for r in rules for res in r.resources)
    assert any(r.resource_names for r in rules)
    assert any(s.kind == "Group" for b in snapshot.bindings for s in b.subjects)
    assert Subject("ServiceAccount", "worker", "agree-a") in {
        s for b in snapshot.bindings for s in b.subjects
    }


def test_the_implicit_groups_agree_with_what_impersonation_gives(
    agreement_cluster: Cluster,
) -> None:
    with api_client(agreement_cluster, "admin") as api:
        snapshot = RbacSnapshot.from_objects(rbac_objects(api))
        engine = RbacEngine(snapshot)
        matrix = Matrix(snapshot)
        cases = [
            (subject, attrs)
            for identity, attrs in (matrix.near_grant() for _ in range(IMPERSONATED_CASES * 3))
            if (subject := _member(identity)) is not None
        ][:IMPERSONATED_CASES]

        def ask(case: tuple[Subject, dict[str, str]]) -> bool:
            return impersonated_access_review(api, case[0].username, case[1])

        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(ask, cases))
    ours = [expected(engine, Identity.of(subject), attrs) for subject, attrs in cases]
    kinds = {subject.kind for subject, _ in cases}
    agreed = sum(a == b for a, b in zip(answers, ours, strict=True))
    print(f"\nimpersonation agreement: {agreed}/{len(cases)} (allowed {sum(answers)})")
    assert agreed == len(cases) >= IMPERSONATED_CASES // 2
    assert sum(answers) > len(cases) // 4
    assert kinds == {"User", "ServiceAccount"}


def _member(identity: Identity) -> Subject | None:
    """A user or ServiceAccount whose implicit groups include the identity's groups."""
    if identity.is_master or identity.user == "system:anonymous":
        return None  # the anonymous user may not even ask for a self review
    if identity.user:
        return Subject.of("User", identity.user)
    (name,) = identity.groups
    if name.startswith("system:serviceaccounts:"):
        return Subject("ServiceAccount", "impersonated", name.rsplit(":", 1)[1])
    if name == "system:serviceaccounts":
        return Subject("ServiceAccount", "impersonated", "agree-b")
    return Subject("User", "impersonated") if name == "system:authenticated" else None
