"""The connection test against kubesim over TLS: identity, permission report, fix, failures."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from tests.kubeconnector.connectors.conftest import (
    events,
    kubesim_kubeconfig,
    kubesim_secrets,
    user_entry,
)
from tests.kubeconnector.kube.kubefixtures import b64, ca_pair, closed_port, listing

from kubeconnector.connectors import ConnectionReport, ConnectorService
from kubeconnector.errors import ClusterUnreachable, Forbidden, TLSError, Unauthorized
from kubeconnector.store import Database
from kubesim.runner import Cluster

CONNECTOR = "system:serviceaccount:kubeconnector:connector"
RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
CHANGE_ACTIONS = {
    "rotate-secret",
    "delete-secret",
    "rotate-sa-token",
    "patch-deployment",
    "scale-deployment",
    "cordon-node",
    "uncordon-node",
}


@pytest.fixture(autouse=True)
def _no_faults_left(kubesim_cluster: Cluster) -> Iterator[None]:
    yield
    kubesim_cluster.control.clear_faults()


def _test(
    service: ConnectorService, cluster: Cluster, context: str, **add: Any
) -> ConnectionReport:
    service.add(context, kubesim_kubeconfig(cluster, context), **add)
    return service.test(context)


def _missing(report: ConnectionReport) -> list[str]:
    assert report.permissions is not None
    return [str(c.permission) for c in report.permissions.missing()]


def _blocked(report: ConnectionReport) -> set[str]:
    assert report.permissions is not None
    return {a.action for a in report.permissions.actions if not a.can_run}


def test_the_connector_identity_is_reported_with_its_permissions_and_fix(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    report = _test(service, kubesim_cluster, "connector")
    assert report.connected and report.problem is None
    assert report.server == kubesim_cluster.url
    assert report.version is not None and report.version.git_version.startswith("v1.")
    assert report.identity is not None
    assert (report.identity.username, report.identity.source) == (CONNECTOR, "SelfSubjectReview")
    assert _missing(report) == [
        "get nodes",
        "list nodes",
        "list horizontalpodautoscalers.autoscaling",
        "patch daemonsets.apps",
        "patch statefulsets.apps",
    ]
    assert _blocked(report) == {"discovery", "cordon-node", "uncordon-node"}
    role, binding = yaml.safe_load_all(report.fix_yaml)
    assert (role["kind"], binding["kind"]) == ("ClusterRole", "ClusterRoleBinding")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "connector", "namespace": "kubeconnector"}
    ]


def test_one_rules_review_is_made_per_namespace_in_scope(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    service.add("scoped", kubesim_kubeconfig(kubesim_cluster, "connector"), namespace="shop")
    mark = kubesim_cluster.control.mark()
    report = service.test("scoped", namespaces=["payments", "shop"])
    reviews = [e for e in kubesim_cluster.control.requests(mark) if e["path"] == RULES_REVIEWS]
    assert report.reviewed_namespaces[1:] == ("shop", "payments")
    assert report.reviewed_namespaces[0].startswith("kubeconnector-probe-")
    assert len(reviews) == 3
    assert report.permissions is not None and report.permissions.namespace == "shop"


def test_the_discovery_identity_can_run_no_change(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    report = _test(service, kubesim_cluster, "discovery")
    assert report.connected
    assert _blocked(report) >= CHANGE_ACTIONS
    assert report.permissions is not None
    assert report.permissions.cell("", "secrets", "list").ok
    role, _ = yaml.safe_load_all(report.fix_yaml)
    granted = {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    assert {
        ("", "secrets", "update"),
        ("", "nodes", "patch"),
        ("apps", "deployments", "patch"),
    } <= granted
    assert ("", "secrets", "list") not in granted


def test_the_nobody_identity_only_may_review_its_own_access(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    report = _test(service, kubesim_cluster, "nobody")
    assert report.connected
    assert report.permissions is not None
    allowed = [str(c.permission) for c in report.permissions.cells if c.ok]
    assert allowed == ["create selfsubjectaccessreviews.authorization.k8s.io"]
    assert _blocked(report) == CHANGE_ACTIONS | {"discovery"}
    assert "system:serviceaccount:kubeconnector:nobody" not in report.fix_yaml
    assert "name: nobody" in report.fix_yaml


def test_a_closed_port_is_reported_unreachable(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    port = closed_port()

    def closed(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"

    service.add("gone", kubesim_kubeconfig(kubesim_cluster, "connector", closed))
    report = service.test("gone")
    assert report.problem is not None
    assert (report.problem.category, report.problem.step) == ("unreachable", "version")
    assert isinstance(report.problem.error, ClusterUnreachable)
    assert report.problem.message == (
        f"cannot reach the API server at 127.0.0.1:{port}: connection refused"
    )
    assert (report.version, report.identity, report.permissions) == (None, None, None)


def test_a_replaced_ca_says_the_kubeconfig_must_be_updated(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    def other_ca(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["certificate-authority-data"] = b64(ca_pair().cert)

    service.add("moved", kubesim_kubeconfig(kubesim_cluster, "connector", other_ca))
    problem = service.test("moved").problem
    assert problem is not None
    assert (problem.category, type(problem.error)) == ("tls", TLSError)
    assert "does not verify against the kubeconfig's certificate authority" in problem.message
    assert problem.hint == (
        "the kubeconfig must be updated: kubeconnector connector update moved --kubeconfig FILE"
    )


def test_a_bogus_token_is_reported_as_expired_or_invalid(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    def bogus(config: dict[str, Any]) -> None:
        user_entry(config, "connector")["token"] = "bogus-token-value"

    service.add("stale", kubesim_kubeconfig(kubesim_cluster, "connector", bogus))
    problem = service.test("stale").problem
    assert problem is not None
    assert (problem.category, type(problem.error)) == ("unauthorized", Unauthorized)
    endpoint = kubesim_cluster.url.removeprefix("https://")
    assert problem.message == (
        f"the API server at {endpoint} refused the credentials (401 Unauthorized): the token is "
        "expired or invalid, or the client certificate is not accepted"
    )
    assert "bogus-token-value" not in problem.line


def test_a_forbidden_rules_review_keeps_what_was_learnt_before(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    service.add("denied", kubesim_kubeconfig(kubesim_cluster, "connector"))
    kubesim_cluster.control.fault(path="selfsubjectrulesreviews$", status=403, user=CONNECTOR)
    report = service.test("denied")
    assert report.problem is not None
    assert (report.problem.category, report.problem.step) == ("forbidden", "permissions")
    assert isinstance(report.problem.error, Forbidden)
    assert report.problem.message.startswith(
        "the connector's identity may not review its own permissions (SelfSubjectRulesReview) "
        "(403 Forbidden): "
    )
    assert report.identity is not None and report.identity.username == CONNECTOR
    assert report.permissions is None and report.fix_yaml == ""


def test_every_test_is_one_audited_decryption_and_one_result_event(
    service: ConnectorService, sqlite_database: Database, kubesim_cluster: Cluster
) -> None:
    connector = service.add("audited", kubesim_kubeconfig(kubesim_cluster, "connector")).connector
    service.test("audited")
    service.test("audited")
    kinds = [(e.event_type, e.payload.get("operation")) for e in events(sqlite_database)]
    assert kinds == [
        ("connector.created", None),
        ("connector.decrypted", "test"),
        ("connector.tested", None),
        ("connector.decrypted", "test"),
        ("connector.tested", None),
    ]
    tested = events(sqlite_database, "connector.tested")[0]
    assert tested.resource_id == connector.id
    assert tested.payload["connected"] is True
    assert tested.payload["identity"] == CONNECTOR


def test_no_credential_reaches_the_report_the_logs_or_the_errors(
    service: ConnectorService, kubesim_cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    for context in ("admin", "connector"):
        service.add(context, kubesim_kubeconfig(kubesim_cluster, context))
        report = service.test(context)
        texts += [repr(report), str(report.to_dict()), report.fix_yaml]
    kubesim_cluster.control.fault(path="^/version$", status=500)
    failed = service.test("connector")
    assert failed.problem is not None and failed.problem.category == "api-error"
    texts += [failed.problem.line, repr(failed.problem.error), str(failed.to_dict())]
    texts.append(caplog.text)
    leaked = [s for s in kubesim_secrets(kubesim_cluster) if any(s in t for t in texts)]
    assert leaked == []


def _holds(path: str, needle: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return needle in handle.read(1 << 20)
    except OSError:
        return False


def test_testing_certificate_and_token_connectors_leaves_no_file_and_keeps_identities_apart(
    service: ConnectorService, kubesim_cluster: Cluster
) -> None:
    watched = ("/tmp", "/var/tmp", "/dev/shm")
    before = listing(*watched)
    admin = _test(service, kubesim_cluster, "admin")
    connector = service.test(_test(service, kubesim_cluster, "connector").connector.name)
    # Other processes may create files meanwhile: none may hold the client key.
    key_data = user_entry(kubesim_cluster.kubeconfig(), "admin")["client-key-data"]
    key_line = base64.b64decode(key_data).splitlines()[1]
    assert [path for path in listing(*watched) - before if _holds(path, key_line)] == []
    assert admin.identity is not None and "system:masters" in admin.identity.groups
    assert connector.identity is not None and connector.identity.username == CONNECTOR
