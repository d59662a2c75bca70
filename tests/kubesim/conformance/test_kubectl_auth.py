"""kubectl auth (can-i, whoami), tokens, impersonation and the real Forbidden messages."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.kubesim.conformance.kubectl_helpers import Kubectl, table

from kubesim.runner import Cluster

pytestmark = pytest.mark.kubectl

SA = "system:serviceaccount:kubeconnector"
SA_GROUPS = "[system:serviceaccounts system:serviceaccounts:kubeconnector system:authenticated]"
FORBIDDEN = "Error from server (Forbidden): "


def _with_token(kubectl: Kubectl, cluster: Cluster, token: str, path: Path) -> Kubectl:
    """The same kubectl, with a kubeconfig whose `token` context presents `token`."""
    config = cluster.kubeconfig()
    server = config["contexts"][0]["context"]["cluster"]
    config["users"].append({"name": "token", "user": {"token": token}})
    config["contexts"].append({"name": "token", "context": {"cluster": server, "user": "token"}})
    path.write_text(yaml.safe_dump(config))
    return dataclasses.replace(kubectl, kubeconfig=path)


@pytest.mark.parametrize(
    ("context", "verb_args", "answer"),
    [
        ("admin", ("list", "secrets", "-A"), "yes"),
        ("connector", ("list", "secrets", "-n", "default"), "yes"),
        ("discovery", ("get", "deployments.apps", "-n", "shop"), "yes"),
        ("discovery", ("delete", "secrets", "-n", "default"), "no"),
        ("nobody", ("list", "secrets", "-n", "default"), "no"),
        ("nobody", ("get", "pods", "-n", "default"), "no"),
    ],
)
def test_auth_can_i_answers_per_identity(
    kubectl: Kubectl, context: str, verb_args: tuple[str, ...], answer: str
) -> None:
    result = kubectl.run("auth", "can-i", *verb_args, context=context)
    assert (result.code, result.out, result.err) == (0 if answer == "yes" else 1, answer + "\n", "")


def test_auth_can_i_list_shows_the_rules_of_the_namespace(kubectl: Kubectl) -> None:
    out = kubectl.ok("auth", "can-i", "--list", "-n", "default", context="discovery")
    rows = table(out)
    assert rows[0] == ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]
    assert ["secrets", "[]", "[]", "[get list]"] in rows
    assert ["deployments.apps", "[]", "[]", "[get list]"] in rows
    assert ["[/api/*]", "[]", "[get]"] in rows


def test_auth_can_i_list_of_an_identity_without_grants_shows_only_the_defaults(
    kubectl: Kubectl,
) -> None:
    rows = table(kubectl.ok("auth", "can-i", "--list", "-n", "default", context="nobody"))
    resources = [row[0] for row in rows[1:] if not row[0].startswith("[")]
    assert resources == [
        "selfsubjectreviews.authentication.k8s.io",
        "selfsubjectaccessreviews.authorization.k8s.io",
        "selfsubjectrulesreviews.authorization.k8s.io",
    ]


@pytest.mark.parametrize("context", ["connector", "discovery", "nobody"])
def test_auth_whoami_shows_the_service_account_identity(kubectl: Kubectl, context: str) -> None:
    rows = table(kubectl.ok("auth", "whoami", context=context))
    assert rows[0] == ["ATTRIBUTE", "VALUE"]
    assert rows[1] == ["Username", f"{SA}:{context}"]
    assert rows[2][0] == "UID"
    assert rows[3] == ["Groups", SA_GROUPS]


def test_auth_whoami_of_the_admin_certificate(kubectl: Kubectl) -> None:
    rows = table(kubectl.ok("auth", "whoami"))
    assert rows[1:] == [
        ["Username", "kubesim-admin"],
        ["Groups", "[system:masters system:authenticated]"],
    ]


@pytest.mark.parametrize(
    ("context", "args", "message"),
    [
        (
            "nobody",
            ("get", "secrets", "-n", "default"),
            'secrets is forbidden: User "{sa}:nobody" cannot list resource "secrets" in API '
            'group "" in the namespace "default"',
        ),
        (
            "nobody",
            ("get", "namespace", "default"),
            'namespaces "default" is forbidden: User "{sa}:nobody" cannot get resource '
            '"namespaces" in API group "" in the namespace "default"',
        ),
        (
            "nobody",
            ("get", "nodes"),
            'nodes is forbidden: User "{sa}:nobody" cannot list resource "nodes" in API group "" '
            "at the cluster scope",
        ),
        (
            "discovery",
            ("get", "configmaps", "-n", "default"),
            'configmaps is forbidden: User "{sa}:discovery" cannot list resource "configmaps" in '
            'API group "" in the namespace "default"',
        ),
        (
            "discovery",
            ("delete", "secret", "anything", "-n", "default"),
            'secrets "anything" is forbidden: User "{sa}:discovery" cannot delete resource '
            '"secrets" in API group "" in the namespace "default"',
        ),
        (
            "discovery",
            ("scale", "deployment", "grafana", "--replicas=3", "-n", "monitoring"),
            'deployments.apps "grafana" is forbidden: User "{sa}:discovery" cannot patch resource '
            '"deployments/scale" in API group "apps" in the namespace "monitoring"',
        ),
    ],
    ids=[
        "nobody-list",
        "nobody-get-ns",
        "nobody-nodes",
        "discovery-list",
        "discovery-delete",
        "discovery-scale",
    ],
)
def test_forbidden_requests_print_the_real_message(
    kubectl: Kubectl, context: str, args: tuple[str, ...], message: str
) -> None:
    err = kubectl.fails(*args, context=context)
    assert err == FORBIDDEN + message.format(sa=SA) + "\n"


def test_create_token_issues_a_token_that_authenticates_as_the_account(
    kubectl: Kubectl, ns: str, kubesim_cluster: Cluster, tmp_path: Path
) -> None:
    kubectl.ok("create", "serviceaccount", "robot", namespace=ns)
    token = kubectl.ok("create", "token", "robot", "--duration=1h", namespace=ns).strip()
    assert token.count(".") == 2
    as_robot = _with_token(kubectl, kubesim_cluster, token, tmp_path / "config")
    rows = table(as_robot.ok("auth", "whoami", context="token"))
    assert rows[1] == ["Username", f"system:serviceaccount:{ns}:robot"]
    assert rows[3] == [
        "Groups",
        f"[system:serviceaccounts system:serviceaccounts:{ns} system:authenticated]",
    ]
    assert rows[4][0] == "Extra: authentication.kubernetes.io/credential-id"
    err = as_robot.fails("get", "pods", namespace=ns, context="token")
    assert err == (
        f'{FORBIDDEN}pods is forbidden: User "system:serviceaccount:{ns}:robot" cannot list '
        f'resource "pods" in API group "" in the namespace "{ns}"\n'
    )


def test_a_token_of_a_deleted_account_is_unauthorized(
    kubectl: Kubectl, ns: str, kubesim_cluster: Cluster, tmp_path: Path
) -> None:
    kubectl.ok("create", "serviceaccount", "brief", namespace=ns)
    token = kubectl.ok("create", "token", "brief", namespace=ns).strip()
    kubectl.ok("delete", "serviceaccount", "brief", namespace=ns)
    as_brief = _with_token(kubectl, kubesim_cluster, token, tmp_path / "config")
    err = as_brief.fails("get", "pods", namespace=ns, context="token")
    assert err == "error: You must be logged in to the server (Unauthorized)\n"


def test_create_token_without_rights_is_forbidden(kubectl: Kubectl) -> None:
    err = kubectl.fails("create", "token", "default", "-n", "default", context="nobody")
    assert err == (
        'error: failed to create token: serviceaccounts "default" is forbidden: User '
        f'"{SA}:nobody" cannot create resource "serviceaccounts/token" in API group "" in the '
        'namespace "default"\n'
    )


def test_impersonation_by_the_admin_acts_as_the_named_user(kubectl: Kubectl) -> None:
    rows = table(kubectl.ok("auth", "whoami", "--as=alice", "--as-group=devs"))
    assert rows[1:] == [["Username", "alice"], ["Groups", "[devs system:authenticated]"]]
    err = kubectl.fails("get", "secrets", "-n", "default", f"--as={SA}:nobody")
    assert err == (
        f'{FORBIDDEN}secrets is forbidden: User "{SA}:nobody" cannot list resource "secrets" in '
        'API group "" in the namespace "default"\n'
    )


def test_impersonating_a_service_account_adds_its_groups(kubectl: Kubectl) -> None:
    rows = table(kubectl.ok("auth", "whoami", f"--as={SA}:discovery"))
    assert rows[1:] == [["Username", f"{SA}:discovery"], ["Groups", SA_GROUPS]]


@pytest.mark.parametrize("context", ["connector", "nobody"])
def test_impersonation_without_the_right_is_forbidden(kubectl: Kubectl, context: str) -> None:
    err = kubectl.fails("get", "pods", "--as=alice", context=context)
    assert err == (
        f'{FORBIDDEN}users "alice" is forbidden: User "{SA}:{context}" cannot impersonate '
        'resource "users" in API group "" at the cluster scope\n'
    )


@pytest.fixture
def impersonator(kubectl: Kubectl, ns: str) -> Iterator[str]:
    """A ServiceAccount allowed to impersonate only the user `alice`; yields its token."""
    name = f"impersonate-{ns}"
    kubectl.ok("create", "serviceaccount", "imp", namespace=ns)
    kubectl.ok(
        "create",
        "clusterrole",
        name,
        "--verb=impersonate",
        "--resource=users",
        "--resource-name=alice",
    )
    kubectl.ok(
        "create", "clusterrolebinding", name, f"--clusterrole={name}", f"--serviceaccount={ns}:imp"
    )
    yield kubectl.ok("create", "token", "imp", namespace=ns).strip()
    kubectl.run("delete", "clusterrolebinding,clusterrole", name)


def test_impersonation_granted_by_rbac_is_limited_to_the_named_user(
    kubectl: Kubectl, ns: str, impersonator: str, kubesim_cluster: Cluster, tmp_path: Path
) -> None:
    as_imp = _with_token(kubectl, kubesim_cluster, impersonator, tmp_path / "config")
    rows = table(as_imp.ok("auth", "whoami", "--as=alice", context="token"))
    assert rows[1:] == [["Username", "alice"], ["Groups", "[system:authenticated]"]]
    err = as_imp.fails("get", "pods", "--as=bob", namespace=ns, context="token")
    assert err == (
        f'{FORBIDDEN}users "bob" is forbidden: User "system:serviceaccount:{ns}:imp" cannot '
        'impersonate resource "users" in API group "" at the cluster scope\n'
    )


def test_self_subject_review_as_json_carries_the_user_info(kubectl: Kubectl) -> None:
    review = json.loads(kubectl.ok("auth", "whoami", "-o", "json", context="connector"))
    assert review["kind"] == "SelfSubjectReview"
    assert review["status"]["userInfo"]["username"] == f"{SA}:connector"
