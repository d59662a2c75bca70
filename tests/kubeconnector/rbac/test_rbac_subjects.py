"""Subjects, identities and their matching; resource arguments as users type them."""

from __future__ import annotations

import pytest

from kubeconnector.errors import InvalidInput
from kubeconnector.rbac import Identity, ResourceSpec, Subject, parse_resource
from kubeconnector.rbac.resources import is_cluster_scoped
from kubeconnector.rbac.subjects import implicit_groups


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("serviceaccount:demo:web", Subject("ServiceAccount", "web", "demo")),
        ("sa:demo:web", Subject("ServiceAccount", "web", "demo")),
        ("user:alice", Subject("User", "alice")),
        ("user:alice@example.com", Subject("User", "alice@example.com")),
        ("group:system:authenticated", Subject("Group", "system:authenticated")),
        ("user:system:serviceaccount:demo:web", Subject("ServiceAccount", "web", "demo")),
    ],
)
def test_subject_strings_parse_to_subjects(text: str, subject: Subject) -> None:
    assert Subject.parse(text) == subject


@pytest.mark.parametrize("text", ["alice", "robot:alice", "serviceaccount:demo", "user:"])
def test_malformed_subject_strings_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Subject.parse(text)
    assert caught.value.field == "subject"


def test_a_service_account_has_its_two_groups_and_system_authenticated() -> None:
    identity = Identity.of("serviceaccount:demo:web")
    assert identity.user == "system:serviceaccount:demo:web"
    assert identity.groups == {
        "system:serviceaccounts",
        "system:serviceaccounts:demo",
        "system:authenticated",
    }


def test_a_user_is_authenticated_and_anonymous_is_unauthenticated() -> None:
    assert Identity.of("user:alice").groups == {"system:authenticated"}
    assert Identity.of("user:system:anonymous").groups == {"system:unauthenticated"}
    assert Identity.of("user:alice", ["dev"]).groups == {"system:authenticated", "dev"}


def test_a_group_stands_for_any_member_without_a_user_name() -> None:
    identity = Identity.of("group:dev")
    assert (identity.user, identity.groups) == ("", frozenset({"dev"}))
    assert implicit_groups(Subject("Group", "dev")) == ()


def test_system_masters_membership_is_recognised() -> None:
    assert Identity("root", frozenset({"system:masters"})).is_master
    assert not Identity.of("user:root").is_master


SA = Identity.of("serviceaccount:demo:web")


@pytest.mark.parametrize(
    ("subject", "identity", "matches"),
    [
        (Subject("User", "alice"), Identity.of("user:alice"), True),
        (Subject("User", "alice"), Identity.of("user:bob"), False),
        (Subject("User", ""), Identity.of("group:dev"), False),
        (Subject("Group", "dev"), Identity.of("user:alice", ["dev"]), True),
        (Subject("Group", "system:serviceaccounts:demo"), SA, True),
        (Subject("Group", "system:serviceaccounts:other"), SA, False),
        (Subject("ServiceAccount", "web", "demo"), SA, True),
        (Subject("ServiceAccount", "web", "other"), SA, False),
        (Subject("ServiceAccount", "web", ""), SA, False),
        (Subject("User", "system:serviceaccount:demo:web"), SA, True),
    ],
)
def test_binding_subjects_apply_as_the_authorizer_applies_them(
    subject: Subject, identity: Identity, matches: bool
) -> None:
    assert identity.matches(subject) is matches


def test_a_service_account_subject_defaults_to_the_role_bindings_namespace() -> None:
    raw = {"kind": "ServiceAccount", "name": "web"}
    assert Subject.from_binding(raw, "demo") == Subject("ServiceAccount", "web", "demo")
    assert Subject.from_binding(raw, "") == Subject("ServiceAccount", "web", "")


def test_subjects_print_in_the_command_line_form() -> None:
    assert str(Subject("ServiceAccount", "web", "demo")) == "serviceaccount:demo:web"
    assert Subject("Group", "dev").to_dict() == {"kind": "Group", "name": "dev"}


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("secrets", ResourceSpec("", "secrets")),
        ("deploy", ResourceSpec("apps", "deployments")),
        ("deployments.apps", ResourceSpec("apps", "deployments")),
        ("deployments.apps/scale", ResourceSpec("apps", "deployments", "scale")),
        ("pods/exec", ResourceSpec("", "pods", "exec")),
        ("widgets.example.com", ResourceSpec("example.com", "widgets")),
        (
            "csr/approval",
            ResourceSpec("certificates.k8s.io", "certificatesigningrequests", "approval"),
        ),
        ("/healthz", ResourceSpec(path="/healthz")),
    ],
)
def test_resource_arguments_parse_with_the_group_inferred(text: str, spec: ResourceSpec) -> None:
    assert parse_resource(text) == spec


def test_an_explicit_group_overrides_the_inferred_one() -> None:
    assert parse_resource("deployments", group="extensions") == ResourceSpec(
        "extensions", "deployments"
    )
    assert parse_resource("widgets", group="example.com").group == "example.com"


def test_an_unknown_resource_without_group_is_refused_with_the_way_to_write_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_resource("widgets")
    assert str(caught.value) == (
        "cannot infer the API group of 'widgets'; write it as widgets.<group> or give the group"
    )
    assert caught.value.field == "resource"


def test_parsed_resources_print_back() -> None:
    assert str(parse_resource("deploy/scale")) == "deployments.apps/scale"
    assert str(parse_resource("pods/exec")) == "pods/exec"


def test_cluster_scoped_resources_are_known() -> None:
    assert is_cluster_scoped("", "nodes")
    assert is_cluster_scoped("", "nodes/proxy")
    assert not is_cluster_scoped("", "secrets")
    assert not is_cluster_scoped("example.com", "widgets")
