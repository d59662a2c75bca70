"""kubectl version, api-resources, explain and `get -A` of every listable kind."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.kubesim.conformance.kubectl_helpers import SERVER_MINOR, Kubectl, table

pytestmark = pytest.mark.kubectl

SERVER_VERSION = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.2",
    "gitCommit": "39683505b630ff2121012f3c5b16215a1449d5ed",
    "gitTreeState": "clean",
    "buildDate": "2024-06-11T20:20:00Z",
    "goVersion": "go1.22.4",
    "compiler": "gc",
    "platform": "linux/amd64",
}
DEPRECATED_VERSION_OUTPUT = (
    "WARNING: This version information is deprecated and will be replaced with the output from "
    "kubectl version --short.  Use --output=yaml|json to get the full version.\n"
)

API_RESOURCES = [
    ["configmaps", "cm", "v1", "true", "ConfigMap"],
    ["events", "ev", "v1", "true", "Event"],
    ["namespaces", "ns", "v1", "false", "Namespace"],
    ["nodes", "no", "v1", "false", "Node"],
    ["pods", "po", "v1", "true", "Pod"],
    ["secrets", "v1", "true", "Secret"],
    ["serviceaccounts", "sa", "v1", "true", "ServiceAccount"],
    ["services", "svc", "v1", "true", "Service"],
    ["controllerrevisions", "apps/v1", "true", "ControllerRevision"],
    ["daemonsets", "ds", "apps/v1", "true", "DaemonSet"],
    ["deployments", "deploy", "apps/v1", "true", "Deployment"],
    ["replicasets", "rs", "apps/v1", "true", "ReplicaSet"],
    ["statefulsets", "sts", "apps/v1", "true", "StatefulSet"],
    ["selfsubjectreviews", "authentication.k8s.io/v1", "false", "SelfSubjectReview"],
    ["tokenreviews", "authentication.k8s.io/v1", "false", "TokenReview"],
    ["localsubjectaccessreviews", "authorization.k8s.io/v1", "true", "LocalSubjectAccessReview"],
    ["selfsubjectaccessreviews", "authorization.k8s.io/v1", "false", "SelfSubjectAccessReview"],
    ["selfsubjectrulesreviews", "authorization.k8s.io/v1", "false", "SelfSubjectRulesReview"],
    ["subjectaccessreviews", "authorization.k8s.io/v1", "false", "SubjectAccessReview"],
    ["horizontalpodautoscalers", "hpa", "autoscaling/v2", "true", "HorizontalPodAutoscaler"],
    ["poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"],
    ["clusterrolebindings", "rbac.authorization.k8s.io/v1", "false", "ClusterRoleBinding"],
    ["clusterroles", "rbac.authorization.k8s.io/v1", "false", "ClusterRole"],
    ["rolebindings", "rbac.authorization.k8s.io/v1", "true", "RoleBinding"],
    ["roles", "rbac.authorization.k8s.io/v1", "true", "Role"],
]

# The server-side printers' default columns (kubectl get -A adds NAMESPACE to namespaced
# kinds), and one object every such listing must show.
HEADERS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "configmaps": (["NAMESPACE", "NAME", "DATA", "AGE"], ("ci", "runner-config")),
    "events": (
        ["NAMESPACE", "LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
        ("{ns}",),
    ),
    "namespaces": (["NAME", "STATUS", "AGE"], ("default", "Active")),
    "nodes": (["NAME", "STATUS", "ROLES", "AGE", "VERSION"], ("kube-cp-1",)),
    "pods": (
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        ("payments", "psql-client"),
    ),
    "secrets": (["NAMESPACE", "NAME", "TYPE", "DATA", "AGE"], ("ci", "git-credentials")),
    "serviceaccounts": (["NAMESPACE", "NAME", "SECRETS", "AGE"], ("ci", "deployer")),
    "services": (
        ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        ("default", "kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"),
    ),
    "controllerrevisions": (
        ["NAMESPACE", "NAME", "CONTROLLER", "REVISION", "AGE"],
        ("{ns}", "idle-1", "<none>", "1"),
    ),
    "daemonsets": (
        [
            *("NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE"),
            *("NODE SELECTOR", "AGE"),
        ],
        ("monitoring", "node-exporter"),
    ),
    "deployments": (
        ["NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ("ci", "build-runner"),
    ),
    "replicasets": (
        ["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ("{ns}", "idle", "0", "0", "0"),
    ),
    "statefulsets": (["NAMESPACE", "NAME", "READY", "AGE"], ("payments", "postgres")),
    "horizontalpodautoscalers": (
        ["NAMESPACE", "NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        ("shop", "cart", "Deployment/cart"),
    ),
    "poddisruptionbudgets": (
        ["NAMESPACE", "NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
        ("shop", "storefront", "2", "N/A"),
    ),
    "clusterrolebindings": (
        ["NAME", "ROLE", "AGE"],
        ("cluster-admin", "ClusterRole/cluster-admin"),
    ),
    "clusterroles": (["NAME", "CREATED AT"], ("admin",)),
    "rolebindings": (["NAMESPACE", "NAME", "ROLE", "AGE"], ("ci", "deployer-superuser")),
    "roles": (["NAMESPACE", "NAME", "CREATED AT"], ("ci", "ci-superuser")),
}

EXTRA_KINDS = """\
apiVersion: v1
kind: Event
metadata:
  name: web.17a
involvedObject: {kind: Deployment, name: web, namespace: NS}
reason: ScalingReplicaSet
message: Scaled up replica set web-5d4b to 2
type: Normal
source: {component: deployment-controller}
firstTimestamp: "2024-05-01T12:00:00Z"
lastTimestamp: "2024-05-01T12:00:00Z"
count: 1
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: idle}
spec:
  replicas: 0
  selector: {matchLabels: {app: idle}}
  template:
    metadata: {labels: {app: idle}}
    spec: {containers: [{name: app, image: "nginx:1.25"}]}
---
apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: idle-1}
revision: 1
data: {}
"""


def _server_line(minor: int) -> str:
    if minor >= 28:
        return f"Server Version: {SERVER_VERSION['gitVersion']}"
    fields = ", ".join(f'{k[0].upper()}{k[1:]}:"{v}"' for k, v in SERVER_VERSION.items())
    return f"Server Version: version.Info{{{fields}}}"


def test_version_reports_the_emulated_server(kubectl: Kubectl) -> None:
    result = kubectl.run("version")
    assert result.code == 0, result.describe()
    assert result.out.splitlines()[-1] == _server_line(kubectl.minor)
    expected_err = DEPRECATED_VERSION_OUTPUT if kubectl.minor == 27 else ""
    if abs(kubectl.minor - SERVER_MINOR) > 1:
        expected_err += (
            f"WARNING: version difference between client (1.{kubectl.minor}) and server "
            f"(1.{SERVER_MINOR}) exceeds the supported minor version skew of +/-1\n"
        )
    assert result.err == expected_err


def test_version_as_json_carries_every_server_field(kubectl: Kubectl) -> None:
    result = kubectl.run("version", "-o", "json")
    assert result.code == 0, result.describe()
    assert json.loads(result.out)["serverVersion"] == SERVER_VERSION


def test_api_resources_lists_every_served_resource(kubectl: Kubectl) -> None:
    output = kubectl.ok("api-resources")
    rows = table(output)
    assert rows[0] == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert rows[1:] == API_RESOURCES


def test_api_resources_filtered_by_verb_names_the_listable_kinds(kubectl: Kubectl) -> None:
    names = kubectl.ok("api-resources", "--verbs=list", "-o", "name").split()
    short = sorted(name.split(".")[0] for name in names)
    assert short == sorted(HEADERS)


@pytest.fixture(scope="module")
def extra_kinds(kubectl: Kubectl) -> Iterator[str]:
    """A namespace holding an Event, an idle ReplicaSet and a ControllerRevision."""
    name = kubectl.unique("kinds")
    kubectl.ok("create", "namespace", name)
    kubectl.ok("create", "-f", "-", namespace=name, stdin=EXTRA_KINDS.replace("NS", name))
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false")


@pytest.mark.parametrize("resource", sorted(HEADERS))
def test_get_all_namespaces_prints_the_real_columns(
    kubectl: Kubectl, extra_kinds: str, resource: str
) -> None:
    header, known = HEADERS[resource]
    output = kubectl.ok("get", resource, "-A")
    rows = table(output)
    assert rows[0] == header
    expected = tuple(cell.replace("{ns}", extra_kinds) for cell in known)
    assert any(tuple(row[: len(expected)]) == expected for row in rows[1:]), output


def test_get_of_a_namespaced_kind_without_a_match_says_so_on_stderr(
    kubectl: Kubectl, ns: str
) -> None:
    result = kubectl.run("get", "secrets", namespace=ns)
    assert (result.code, result.out) == (0, "")
    assert result.err == f"No resources found in {ns} namespace.\n"


def test_explain_describes_a_field_from_the_served_schema(kubectl: Kubectl) -> None:
    output = kubectl.ok("explain", "deployment.spec.replicas")
    lines = output.splitlines()
    assert "KIND:       Deployment" in lines
    assert "VERSION:    v1" in lines
    assert "FIELD: replicas <integer>" in lines
    assert "    Number of desired pods. This is a pointer to distinguish between explicit" in lines


def test_explain_of_a_resource_lists_its_fields(kubectl: Kubectl) -> None:
    output = kubectl.ok("explain", "secrets")
    assert "KIND:       Secret" in output.splitlines()
    fields = {
        line.split()[0] for line in output.splitlines() if line.startswith("  ") and line[2] != " "
    }
    assert {"apiVersion", "data", "immutable", "kind", "metadata", "stringData", "type"} <= fields


def test_explain_of_an_unknown_field_fails_like_a_real_cluster(kubectl: Kubectl) -> None:
    result = kubectl.run("explain", "secrets.nonsense")
    assert result.code == 1
    assert result.err == 'error: field "nonsense" does not exist\n'
