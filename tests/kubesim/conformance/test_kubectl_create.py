"""kubectl create: generated objects (sent as protobuf by kubectl 1.33) and manifests."""

from __future__ import annotations

import base64
import json

import pytest
from tests.kubesim.conformance.kubectl_helpers import Kubectl

pytestmark = pytest.mark.kubectl

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  mode: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
type: Opaque
data:
  password: aHVudGVyMg==
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
"""
CREATED = "configmap/app-config created\nsecret/app-secret created\ndeployment.apps/web created\n"
CREATED += "service/web created\n"


def test_create_secret_generic_stores_the_literals_base64_encoded(
    kubectl: Kubectl, ns: str
) -> None:
    out = kubectl.ok(
        "create",
        "secret",
        "generic",
        "db",
        "--from-literal=user=app",
        "--from-literal=password=s3cr=t",
        namespace=ns,
    )
    assert out == "secret/db created\n"
    secret = json.loads(kubectl.ok("get", "secret", "db", "-o", "json", namespace=ns))
    assert secret["type"] == "Opaque"
    decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert decoded == {"password": "s3cr=t", "user": "app"}
    assert "stringData" not in secret


def test_create_secret_generic_twice_reports_already_exists(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "secret", "generic", "twice", "--from-literal=a=b", namespace=ns)
    err = kubectl.fails("create", "secret", "generic", "twice", "--from-literal=a=b", namespace=ns)
    assert err == 'error: failed to create secret secrets "twice" already exists\n'


def test_create_secret_of_a_typed_kind_checks_its_required_keys(kubectl: Kubectl, ns: str) -> None:
    out = kubectl.ok(
        "create",
        "secret",
        "docker-registry",
        "pull",
        "--docker-server=registry.example",
        "--docker-username=u",
        "--docker-password=p",
        namespace=ns,
    )
    assert out == "secret/pull created\n"
    assert kubectl.get("secret", "pull", jsonpath="{.type}", namespace=ns) == (
        "kubernetes.io/dockerconfigjson"
    )


def test_create_deployment_keeps_an_explicit_zero_replica_count(kubectl: Kubectl, ns: str) -> None:
    out = kubectl.ok(
        "create", "deployment", "idle", "--image=nginx:1.25", "--replicas=0", namespace=ns
    )
    assert out == "deployment.apps/idle created\n"
    spec = json.loads(kubectl.get("deployment", "idle", jsonpath="{.spec}", namespace=ns))
    assert spec["replicas"] == 0
    assert spec["template"]["spec"]["containers"] == [
        {
            "image": "nginx:1.25",
            "imagePullPolicy": "IfNotPresent",
            "name": "nginx",
            "resources": {},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }
    ]


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (("configmap", "settings", "--from-literal=a=1"), "configmap/settings created"),
        (("serviceaccount", "robot"), "serviceaccount/robot created"),
        (
            ("role", "reader", "--verb=get,list", "--resource=pods,secrets"),
            "role.rbac.authorization.k8s.io/reader created",
        ),
        (
            ("rolebinding", "read", "--role=reader", "--serviceaccount=NS:robot"),
            "rolebinding.rbac.authorization.k8s.io/read created",
        ),
        (("service", "clusterip", "front", "--tcp=80:8080"), "service/front created"),
    ],
    ids=["configmap", "serviceaccount", "role", "rolebinding", "service"],
)
def test_create_generators_make_the_object_they_name(
    kubectl: Kubectl, ns: str, args: tuple[str, ...], printed: str
) -> None:
    out = kubectl.ok("create", *(a.replace("NS", ns) for a in args), namespace=ns)
    assert out == printed + "\n"
    kind_and_name = printed.split()[0]
    assert kubectl.ok("get", kind_and_name, "-o", "name", namespace=ns) == kind_and_name + "\n"


def test_created_role_carries_the_requested_rules(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok(
        "create", "role", "reader", "--verb=get,list", "--resource=pods,secrets", namespace=ns
    )
    rules = json.loads(kubectl.get("role", "reader", jsonpath="{.rules}", namespace=ns))
    assert rules == [
        {"apiGroups": [""], "resources": ["pods", "secrets"], "verbs": ["get", "list"]}
    ]


def test_create_namespace_makes_an_active_namespace_with_its_name_label(kubectl: Kubectl) -> None:
    name = kubectl.unique("created")
    assert kubectl.ok("create", "namespace", name) == f"namespace/{name} created\n"
    namespace = json.loads(kubectl.ok("get", "namespace", name, "-o", "json"))
    assert namespace["status"] == {"phase": "Active"}
    assert namespace["metadata"]["labels"] == {"kubernetes.io/metadata.name": name}
    assert namespace["spec"] == {"finalizers": ["kubernetes"]}
    kubectl.ok("delete", "namespace", name, "--wait=false")


def test_create_from_a_multi_document_manifest_creates_every_object(
    kubectl: Kubectl, ns: str
) -> None:
    assert kubectl.ok("create", "-f", "-", namespace=ns, stdin=MANIFEST) == CREATED
    objects = ("configmap/app-config", "secret/app-secret", "deploy/web", "svc/web")
    names = kubectl.ok("get", *objects, "-o", "name", namespace=ns)
    assert names.split() == [
        "configmap/app-config",
        "secret/app-secret",
        "deployment.apps/web",
        "service/web",
    ]
    assert kubectl.get("svc", "web", jsonpath="{.spec.ports[0].targetPort}", namespace=ns) == "8080"


def test_create_from_a_manifest_twice_reports_each_existing_object(
    kubectl: Kubectl, ns: str
) -> None:
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=MANIFEST)
    err = kubectl.fails("create", "-f", "-", namespace=ns, stdin=MANIFEST)
    prefix = 'Error from server (AlreadyExists): error when creating "STDIN": '
    assert err.splitlines() == [
        prefix + 'configmaps "app-config" already exists',
        prefix + 'secrets "app-secret" already exists',
        prefix + 'deployments.apps "web" already exists',
        prefix + 'services "web" already exists',
    ]


def test_create_of_an_invalid_object_reports_the_field_errors(kubectl: Kubectl, ns: str) -> None:
    bad = "apiVersion: v1\nkind: Secret\nmetadata: {name: Bad_Name}\ntype: kubernetes.io/tls\n"
    err = kubectl.fails("create", "-f", "-", namespace=ns, stdin=bad)
    subdomain = (
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
        "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )
    assert err == (
        'The Secret "Bad_Name" is invalid: \n'
        f'* metadata.name: Invalid value: "Bad_Name": {subdomain}\n'
        "* data[tls.crt]: Required value\n"
        "* data[tls.key]: Required value\n"
    )
