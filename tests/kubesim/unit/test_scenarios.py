"""The cluster scenarios: manifest shapes, referential integrity, determinism and sizes."""

from __future__ import annotations

import base64
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import kubernetes_validate
import pytest
from cryptography import x509

from kubesim import scenarios
from kubesim.api.resources import TABLE
from kubesim.scenarios import demo, large
from kubesim.scenarios.large_plan import spread

Obj = dict[str, Any]
BUILTIN_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}
BUILTIN_CLUSTER_ROLES = {"cluster-admin", "admin", "edit", "view"}
CREATION_ORDER = ["Namespace", "Node", "ServiceAccount", "Secret", "ConfigMap", "Service"]
CREATION_ORDER += ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
TOKEN = "kubernetes.io/service-account-token"


@pytest.fixture(scope="module")
def demo_objects() -> list[Obj]:
    return list(scenarios.get("demo").objects())


@pytest.fixture(scope="module")
def large_objects() -> list[Obj]:
    return list(scenarios.get("large").objects())


@pytest.fixture(scope="module")
def small_large_objects() -> list[Obj]:
    return list(scenarios.get("large", 0.05).objects())


@pytest.fixture(scope="module", params=["demo", "large"])
def objs(request: pytest.FixtureRequest) -> list[Obj]:
    """Tests taking `objs` run over the demo and the full-size large scenario."""
    return request.getfixturevalue(f"{request.param}_objects")  # type: ignore[no-any-return]


def by_kind(objs: list[Obj], kind: str) -> list[Obj]:
    return [o for o in objs if o["kind"] == kind]


def find(objs: list[Obj], kind: str, name: str) -> Obj:
    (match,) = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    return match


def key(o: Obj) -> tuple[str, str, str]:
    return (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])


def pod_specs(objs: list[Obj]) -> Iterator[tuple[str, Obj]]:
    """(namespace, pod spec) of every bare Pod and workload template."""
    for o in objs:
        if o["kind"] == "Pod":
            yield o["metadata"]["namespace"], o["spec"]
        elif o["kind"] in ("Deployment", "DaemonSet", "StatefulSet"):
            yield o["metadata"]["namespace"], o["spec"]["template"]["spec"]


def containers(spec: Obj) -> Iterator[tuple[str, Obj]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(field, []):
            yield field, c


def volume_refs(spec: Obj) -> Iterator[tuple[str, str, str]]:
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            yield "Secret", volume["secret"]["secretName"], "volume"
        if "configMap" in volume:
            yield "ConfigMap", volume["configMap"]["name"], "volume"
        for src in volume.get("projected", {}).get("sources", []):
            for kind in ("secret", "configMap"):
                if kind in src:
                    yield kind[0].upper() + kind[1:], src[kind]["name"], "projected"


def container_refs(spec: Obj) -> Iterator[tuple[str, str, str]]:
    for field, c in containers(spec):
        sources = [e["valueFrom"] for e in c.get("env", []) if "valueFrom" in e]
        sources += c.get("envFrom", [])
        for src in sources:
            for ref, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                if ref in src:
                    yield kind, src[ref]["name"], f"{field}.keyRef"
            for ref, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                if ref in src:
                    yield kind, src[ref]["name"], f"{field}.envFrom"


def references(spec: Obj) -> Iterator[tuple[str, str, str]]:
    """(kind, name, how) for every Secret/ConfigMap/ServiceAccount a pod spec uses."""
    yield "ServiceAccount", spec.get("serviceAccountName", "default"), "serviceAccountName"
    for ref in spec.get("imagePullSecrets", []):
        yield "Secret", ref["name"], "imagePullSecrets"
    yield from volume_refs(spec)
    yield from container_refs(spec)


def dangling_references(objs: list[Obj]) -> set[tuple[str, str, str]]:
    existing = {key(o) for o in objs}
    existing |= {("ServiceAccount", key(o)[2], "default") for o in by_kind(objs, "Namespace")}
    refs = {(kind, ns, name) for ns, spec in pod_specs(objs) for kind, name, _ in references(spec)}
    for sa in by_kind(objs, "ServiceAccount"):
        refs |= {("Secret", key(sa)[1], r["name"]) for r in sa.get("imagePullSecrets", [])}
    return refs - existing


def shared_parts(objs: list[Obj]) -> int:
    """How many dict/list nodes occur more than once across the manifests."""
    seen: Counter[int] = Counter()
    stack: list[Any] = list(objs)
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            seen[id(node)] += 1
            stack.extend(node.values() if isinstance(node, dict) else node)
    return sum(1 for count in seen.values() if count > 1)


def test_get_rejects_an_unknown_scenario_name_listing_the_known_ones() -> None:
    assert scenarios.NAMES == ("demo", "large", "empty")
    with pytest.raises(ValueError, match=r"^unknown scenario 'huge'; known: demo, large, empty$"):
        scenarios.get("huge")


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
def test_get_rejects_a_scale_that_is_not_positive_and_finite(scale: float) -> None:
    with pytest.raises(ValueError, match=r"^scale must be a positive finite number, got "):
        scenarios.get("large", scale)


def test_the_empty_scenario_yields_no_objects() -> None:
    scenario = scenarios.get("empty")
    assert (scenario.name, list(scenario.objects())) == ("empty", [])


@pytest.mark.parametrize(("name", "scale"), [("demo", 1.0), ("large", 0.05)])
def test_each_call_yields_equal_but_fresh_manifests(name: str, scale: float) -> None:
    scenario = scenarios.get(name, scale)
    first, second = list(scenario.objects()), list(scenario.objects())
    assert json.dumps(first) == json.dumps(second)
    assert shared_parts(first + second) == 0


def test_manifests_have_a_served_kind_and_a_valid_name(objs: list[Obj]) -> None:
    for o in objs:
        resource = TABLE.by_kind(o["apiVersion"], o["kind"])
        assert resource is not None and not resource.virtual, key(o)
        name = o["metadata"]["name"]
        if resource.group == "rbac.authorization.k8s.io":
            assert name not in (".", "..") and not set(name) & {"/", "%"}, key(o)
        else:
            pattern = {"Namespace": DNS_LABEL, "Service": DNS_1035}.get(o["kind"], SUBDOMAIN)
            assert pattern.fullmatch(name) and len(name) <= 63, key(o)


def test_namespaced_objects_live_in_a_created_namespace_and_no_other_has_one(
    objs: list[Obj],
) -> None:
    created = {o["metadata"]["name"] for o in by_kind(objs, "Namespace")}
    assert created and not created & BUILTIN_NAMESPACES
    for o in objs:
        resource = TABLE.by_kind(o["apiVersion"], o["kind"])
        ns = o["metadata"].get("namespace")
        assert (ns in created) if resource and resource.namespaced else ns is None, key(o)


def test_objects_are_unique_and_come_in_creation_order(objs: list[Obj]) -> None:
    assert len({key(o) for o in objs}) == len(objs)
    ranks = [CREATION_ORDER.index(o["kind"]) if o["kind"] in CREATION_ORDER else 99 for o in objs]
    assert ranks == sorted(ranks)


def test_nothing_that_controllers_create_is_yielded(objs: list[Obj]) -> None:
    kinds = Counter(o["kind"] for o in objs)
    assert kinds["ReplicaSet"] == kinds["ControllerRevision"] == 0
    assert not [o for o in by_kind(objs, "Pod") if o["metadata"].get("ownerReferences")]
    names = {o["metadata"]["name"] for o in objs if o["kind"] in ("ServiceAccount", "ConfigMap")}
    assert not names & {"default", "kube-root-ca.crt"}


def test_workload_selectors_match_their_template_labels(objs: list[Obj]) -> None:
    workloads = [o for o in objs if o["kind"] in ("Deployment", "DaemonSet", "StatefulSet")]
    for o in workloads:
        labels = o["spec"]["template"]["metadata"]["labels"]
        assert o["spec"]["selector"]["matchLabels"].items() <= labels.items(), key(o)


def test_labels_have_valid_keys_and_values(objs: list[Obj]) -> None:
    for o in objs:
        for label, value in o["metadata"].get("labels", {}).items():
            prefix, _, name = label.rpartition("/")
            assert LABEL_NAME.fullmatch(name) and len(name) <= 63, (key(o), label)
            assert not prefix or SUBDOMAIN.fullmatch(prefix), (key(o), label)
            assert LABEL_VALUE.fullmatch(value) and len(value) <= 63, (key(o), value)


def test_secrets_carry_the_content_their_type_requires(objs: list[Obj]) -> None:
    required = {"kubernetes.io/tls": {"tls.crt", "tls.key"}}
    required["kubernetes.io/dockerconfigjson"] = {".dockerconfigjson"}
    for o in by_kind(objs, "Secret"):
        data = {k: base64.b64decode(v, validate=True) for k, v in o.get("data", {}).items()}
        assert required.get(o["type"], set()) <= data.keys(), key(o)
        if o["type"] == "kubernetes.io/dockerconfigjson":
            assert "auths" in json.loads(data[".dockerconfigjson"])
        if o["type"] == "kubernetes.io/basic-auth":
            assert data.keys() & {"username", "password"}
        if o["type"] == TOKEN:
            assert data == {} and o["metadata"]["annotations"]["kubernetes.io/service-account.name"]


def test_images_are_tagged_and_none_is_broken(objs: list[Obj]) -> None:
    images = {c["image"] for _, spec in pod_specs(objs) for _, c in containers(spec)}
    tags = {i: i.rsplit("/", 1)[-1].partition(":")[2] for i in images}
    assert images and all(tags.values()), tags
    assert not {i for i, tag in tags.items() if tag in ("broken", "latest")}


def test_demo_references_resolve_except_the_documented_missing_optional_secret(
    demo_objects: list[Obj],
) -> None:
    missing = {("Secret", ns, name) for ns, name in demo.MISSING_SECRETS}
    assert dangling_references(demo_objects) == missing
    env = find(demo_objects, "Deployment", "notifications")["spec"]["template"]["spec"]
    ref = env["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "smtp-relay-override", "key": "host", "optional": True}


def test_large_references_all_resolve(large_objects: list[Obj]) -> None:
    assert dangling_references(large_objects) == set()


def test_demo_manifests_pass_the_strict_kubernetes_1_30_schema(demo_objects: list[Obj]) -> None:
    for o in demo_objects:
        kubernetes_validate.validate(o, "1.30.0", strict=True)


def test_a_sample_of_large_manifests_passes_the_strict_schema(
    small_large_objects: list[Obj],
) -> None:
    kinds = {o["kind"] for o in small_large_objects}
    sample = [o for kind in kinds for o in by_kind(small_large_objects, kind)[:3]]
    assert len(sample) == 3 * len(kinds) == 39
    for o in sample:
        kubernetes_validate.validate(o, "1.30.0", strict=True)


def test_demo_is_small_enough_to_read(demo_objects: list[Obj]) -> None:
    assert 80 <= len(demo_objects) <= 150


def test_demo_has_one_tainted_control_plane_and_two_ready_workers(demo_objects: list[Obj]) -> None:
    nodes = by_kind(demo_objects, "Node")
    role = "node-role.kubernetes.io/control-plane"
    control = [n["metadata"]["name"] for n in nodes if role in n["metadata"]["labels"]]
    assert (control, len(nodes)) == (["kube-cp-1"], 3)
    assert nodes[0]["spec"]["taints"] == [{"key": role, "effect": "NoSchedule"}]
    healthy = {"MemoryPressure": "False", "DiskPressure": "False", "PIDPressure": "False"}
    for n in nodes:
        conditions = {c["type"]: c["status"] for c in n["status"]["conditions"]}
        assert conditions == {**healthy, "Ready": "True"}
        assert n["status"]["nodeInfo"]["kubeletVersion"] == "v1.30.2"
        assert n["status"]["capacity"].keys() == n["status"]["allocatable"].keys()


def test_demo_consumes_secrets_in_every_way(demo_objects: list[Obj]) -> None:
    ways = {how for _, spec in pod_specs(demo_objects) for kind, _, how in references(spec)
            if kind == "Secret"}  # fmt: skip
    fields = ("containers", "initContainers", "ephemeralContainers")
    assert ways == {"volume", "projected", "imagePullSecrets", "containers.envFrom"} | {
        f"{field}.keyRef" for field in fields
    }
    api = find(demo_objects, "Deployment", "payments-api")["spec"]["template"]["spec"]
    sub_path = next(m for m in api["containers"][0]["volumeMounts"] if "subPath" in m)
    volume = next(v for v in api["volumes"] if v["name"] == sub_path["name"])
    assert (volume["secret"]["secretName"], sub_path["subPath"]) == ("payments-db", "pgpass")
    sa = find(demo_objects, "ServiceAccount", "storefront")
    assert sa["imagePullSecrets"] == [{"name": "regcred"}]


def markers(secret: Obj) -> set[str]:
    """Labels (`key=value`), annotation keys and owner apiVersions of a Secret."""
    md = secret["metadata"]
    out = {f"{k}={v}" for k, v in md.get("labels", {}).items()} | set(md.get("annotations", {}))
    return out | {f"owner:{r['apiVersion']}" for r in md.get("ownerReferences", [])}


def secrets_where(objs: list[Obj], test: Callable[[Obj], Any]) -> set[str]:
    return {s["metadata"]["name"] for s in by_kind(objs, "Secret") if test(s)}


@pytest.mark.parametrize(
    ("marker", "names"),
    [
        ("app.kubernetes.io/managed-by=Helm", {"grafana-admin"}),
        ("meta.helm.sh/release-name", {"grafana-admin"}),
        ("argocd.argoproj.io/tracking-id", {"search-api-key"}),
        ("app.kubernetes.io/instance=shop-search", {"search-api-key"}),
        ("kustomize.toolkit.fluxcd.io/name=payments-apps", {"fraud-model-token"}),
        ("owner:external-secrets.io/v1beta1", {"psp-credentials"}),
        ("reconcile.external-secrets.io/managed=true", {"acquirer-api-token"}),
        ("owner:bitnami.com/v1alpha1", {"smtp-credentials"}),
    ],
)
def test_demo_secrets_carry_the_markers_of_their_manager(
    demo_objects: list[Obj], marker: str, names: set[str]
) -> None:
    assert secrets_where(demo_objects, lambda s: marker in markers(s)) == names


def test_demo_has_an_immutable_an_unconsumed_and_a_tls_secret(demo_objects: list[Obj]) -> None:
    assert secrets_where(demo_objects, lambda s: s.get("immutable")) == {"stripe-api-key"}
    used = {name for _, spec in pod_specs(demo_objects) for _, name, _ in references(spec)}
    used |= {"regcred"}  # pulled through the storefront ServiceAccount
    unused = secrets_where(demo_objects, lambda s: s["metadata"]["name"] not in used)
    assert unused == {"legacy-webhook-secret", "sh.helm.release.v1.grafana.v3", "reporting-token"}
    tls = find(demo_objects, "Secret", "storefront-tls")
    cert = x509.load_pem_x509_certificate(base64.b64decode(tls["data"]["tls.crt"]))
    assert cert.subject.rfc4514_string() == "CN=shop.example.com"


def test_demo_legacy_token_secrets_belong_to_service_accounts_that_workloads_run_as(
    demo_objects: list[Obj],
) -> None:
    annotation = "kubernetes.io/service-account.name"
    tokens = {(s["metadata"]["namespace"], s["metadata"]["annotations"][annotation])
              for s in by_kind(demo_objects, "Secret") if s["type"] == TOKEN}  # fmt: skip
    accounts = {key(o)[1:] for o in by_kind(demo_objects, "ServiceAccount")}
    running = {(ns, spec.get("serviceAccountName")) for ns, spec in pod_specs(demo_objects)}
    assert tokens <= accounts
    assert tokens & running == {("ci", "deployer"), ("monitoring", "prometheus")}
    assert not [o for o in by_kind(demo_objects, "ServiceAccount") if "secrets" in o]


def test_demo_autoscaler_targets_an_existing_deployment(demo_objects: list[Obj]) -> None:
    (hpa,) = by_kind(demo_objects, "HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
    assert find(demo_objects, "Deployment", target["name"])["metadata"]["namespace"] == "shop"


def test_demo_roles_grant_the_risky_permissions(demo_objects: list[Obj]) -> None:
    def rules(kind: str, name: str) -> list[Obj]:
        return find(demo_objects, kind, name)["rules"]  # type: ignore[no-any-return]

    everything = {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}
    assert rules("Role", "ci-superuser") == [everything]
    assert rules("Role", "pod-debugger")[1]["resources"] == ["pods/exec", "pods/attach"]
    assert rules("ClusterRole", "impersonator")[0]["verbs"] == ["impersonate"]
    assert rules("ClusterRole", "rbac-manager")[1]["verbs"] == ["escalate", "bind"]
    assert rules("ClusterRole", "secret-reader")[0]["resources"] == ["secrets"]
    names = rules("Role", "payments-api-secrets")[0]["resourceNames"]
    assert names == ["stripe-api-key", "psp-credentials"]
    aggregated = find(demo_objects, "ClusterRole", "monitoring-view")
    selector = aggregated["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"]
    labels = [o["metadata"].get("labels", {}) for o in by_kind(demo_objects, "ClusterRole")]
    assert len([ls for ls in labels if selector.items() <= ls.items()]) == 2


@pytest.mark.parametrize(
    ("kind", "name", "grant"),
    [
        ("ClusterRoleBinding", "prometheus-secret-reader",
         "ClusterRole/secret-reader -> ServiceAccount/monitoring/prometheus"),
        ("ClusterRoleBinding", "alice-cluster-admin",
         "ClusterRole/cluster-admin -> User/alice@example.com"),
        ("ClusterRoleBinding", "anonymous-view",
         "ClusterRole/view -> Group/system:unauthenticated"),
        ("ClusterRoleBinding", "support-impersonation",
         "ClusterRole/impersonator -> User/support@example.com"),
        ("ClusterRoleBinding", "platform-rbac-managers",
         "ClusterRole/rbac-manager -> Group/platform-admins"),
        ("RoleBinding", "default-edit", "ClusterRole/edit -> ServiceAccount/payments/default"),
        ("RoleBinding", "deployer-superuser", "Role/ci-superuser -> ServiceAccount/ci/deployer"),
        ("RoleBinding", "ci-deployer", "ClusterRole/edit -> ServiceAccount/ci/deployer"),
        ("RoleBinding", "oncall-pod-debugger",
         "Role/pod-debugger -> Group/shop-oncall, User/bob@example.com"),
    ],
)  # fmt: skip
def test_demo_bindings_make_the_documented_grants(
    demo_objects: list[Obj], kind: str, name: str, grant: str
) -> None:
    o = find(demo_objects, kind, name)
    subjects = ", ".join(
        "/".join(filter(None, (s["kind"], s.get("namespace"), s["name"]))) for s in o["subjects"]
    )
    assert f"{o['roleRef']['kind']}/{o['roleRef']['name']} -> {subjects}" == grant


def test_demo_bindings_reference_existing_roles_except_the_documented_one(
    demo_objects: list[Obj],
) -> None:
    existing = {key(o) for o in demo_objects}
    existing |= {("ClusterRole", "", name) for name in BUILTIN_CLUSTER_ROLES}
    bindings = [o for o in demo_objects if o["kind"] in ("RoleBinding", "ClusterRoleBinding")]
    refs = {
        (ref["kind"], o["metadata"]["namespace"] if ref["kind"] == "Role" else "", ref["name"])
        for o in bindings
        if (ref := o["roleRef"])
    }
    assert refs - existing == {("Role", ns, name) for ns, name in demo.MISSING_ROLES}


def test_large_expected_counts_at_the_reference_scale() -> None:
    counts = scenarios.expected_counts(1.0)
    expected = (
        "namespaces=200 nodes=100 serviceaccounts=4200 secrets=10000 configmaps=2200 "
        "services=4000 clusterroles=250 clusterrolebindings=250 roles=2250 rolebindings=2250 "
        "deployments=2000 daemonsets=5 statefulsets=100 replicasets=2000 "
        "controllerrevisions=105 pods=20000"
    )
    assert " ".join(f"{k}={v}" for k, v in counts.items()) == expected
    assert sum(counts.values()) == 49_910


@pytest.mark.parametrize("scale", [0.0001, 0.013, 0.37])
def test_large_yields_exactly_the_counted_manifests_at_any_scale(scale: float) -> None:
    counts: Counter[str] = Counter()
    for o in large.objects(scale):
        resource = TABLE.by_kind(o["apiVersion"], o["kind"])
        counts[resource.resource if resource else o["kind"]] += 1
    assert dict(counts) == large.manifest_counts(scale)
    assert min(counts.values()) >= 1


@pytest.mark.parametrize("scale", [0.0001, 0.05, 1.0])
def test_large_pod_count_matches_the_workloads(scale: float) -> None:
    objs = list(large.objects(scale))
    pods = sum(o["spec"]["replicas"] for o in objs if o["kind"] in ("Deployment", "StatefulSet"))
    pods += len(by_kind(objs, "Node")) * len(by_kind(objs, "DaemonSet"))
    assert pods == large.expected_counts(scale)["pods"]
    assert min(o["spec"]["replicas"] for o in by_kind(objs, "Deployment")) >= 1


def test_large_counts_grow_linearly_with_the_scale() -> None:
    half, full, double = (large.expected_counts(s) for s in (0.5, 1.0, 2.0))
    for resource in ("pods", "secrets", "serviceaccounts", "deployments", "services", "nodes"):
        assert (half[resource] * 2, double[resource]) == (full[resource], full[resource] * 2)


def test_large_mixes_rbac_subjects_rule_shapes_and_secret_types(
    small_large_objects: list[Obj],
) -> None:
    rbac = [o for o in small_large_objects if o["apiVersion"].startswith("rbac.")]
    subject_kinds = {s["kind"] for o in rbac for s in o.get("subjects", [])}
    assert subject_kinds == {"User", "Group", "ServiceAccount"}
    rules = [r for o in rbac for r in o.get("rules", [])]
    assert [r for r in rules if r.get("verbs") == ["*"] and r.get("resources") == ["*"]]
    assert [r for r in rules if any("/" in res for res in r.get("resources", []))]
    assert [r for r in rules if "resourceNames" in r]
    assert [r for r in rules if "nonResourceURLs" in r]
    assert [o for o in rbac if "aggregationRule" in o]
    ref_kinds = {o["roleRef"]["kind"] for o in by_kind(small_large_objects, "RoleBinding")}
    assert ref_kinds == {"Role", "ClusterRole"}
    types = {s["type"] for s in by_kind(small_large_objects, "Secret")}
    assert types == {"Opaque", "kubernetes.io/dockerconfigjson", TOKEN, "kubernetes.io/tls"}


def test_large_yields_all_manifests_at_the_reference_scale_well_under_two_seconds() -> None:
    start = time.perf_counter()
    count = sum(1 for _ in large.objects(1.0))
    elapsed = time.perf_counter() - start
    assert count == 27_405
    assert elapsed < 1.0, f"{elapsed:.2f}s"


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [(10, [1, 2, 3], [3, 3, 4]), (2, [1, 1, 1], [1, 1, 1]), (100, [5], [100]), (9, [1, 8], [2, 7])],
)
def test_spread_splits_a_total_into_positive_weighted_parts(
    total: int, weights: list[int], parts: list[int]
) -> None:
    assert spread(total, weights) == parts
