"""Access and rules reviews: response shapes, the subject evaluated, and the exact 422s/400s."""

from __future__ import annotations

from typing import Any

import pytest
from test_rbac_fixtures import AUTH, FakeSource, binding, group, role, rule, urls, user

from kubesim.api.status import StatusError
from kubesim.auth import reviews
from kubesim.auth.rbac import Authorizer
from kubesim.auth.user import UserInfo

ALICE = UserInfo("alice", groups=("dev", AUTH))
AUTHZ = Authorizer(
    FakeSource(
        role("secret-reader", rule("get", "-", "secrets", "x")),
        role("discovery", urls("get", "/api /api/*")),
        role("basic", rule("create", "authorization.k8s.io", "selfsubjectaccessreviews")),
        binding("alice-secrets", "ClusterRole/secret-reader", [user("alice")], "z"),
        binding("discovery", "ClusterRole/discovery", [group(AUTH)]),
        binding("basic", "ClusterRole/basic", [group(AUTH)]),
        binding("broken", "ClusterRole/gone", [user("alice")]),
    )
)
SSAR = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview"}
SECRET_X = {"namespace": "z", "verb": "get", "group": "", "resource": "secrets", "name": "x"}


def invalid(call: Any, *args: Any) -> StatusError:
    with pytest.raises(StatusError) as info:
        call(*args)
    assert (info.value.code, info.value.reason) == (422, "Invalid")
    return info.value


def test_an_allowed_self_review_echoes_the_spec_without_empty_fields() -> None:
    body = {**SSAR, "spec": {"resourceAttributes": {**SECRET_X, "subresource": ""}}}
    assert reviews.self_subject_access_review(body, ALICE, AUTHZ) == {
        **SSAR,
        "metadata": {"creationTimestamp": None},
        "spec": {
            "resourceAttributes": {
                "namespace": "z",
                "verb": "get",
                "resource": "secrets",
                "name": "x",
            }
        },
        "status": {
            "allowed": True,
            "reason": 'RBAC: allowed by RoleBinding "alice-secrets/z" of ClusterRole'
            ' "secret-reader" to User "alice"',
        },
    }


def test_a_denied_self_review_carries_the_resolution_errors_as_reason() -> None:
    body = {**SSAR, "spec": {"resourceAttributes": {**SECRET_X, "name": "y"}}}
    result = reviews.self_subject_access_review(body, ALICE, AUTHZ)
    assert result["status"] == {
        "allowed": False,
        "reason": 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found',
    }


def test_a_non_resource_self_review_checks_the_path() -> None:
    body = {"spec": {"nonResourceAttributes": {"path": "/api/v1", "verb": "get"}}}
    result = reviews.self_subject_access_review(body, UserInfo("bob", groups=(AUTH,)), AUTHZ)
    assert result["kind"] == "SelfSubjectAccessReview"
    assert result["spec"] == {"nonResourceAttributes": {"path": "/api/v1", "verb": "get"}}
    assert result["status"]["allowed"] is True


def test_masters_are_allowed_with_no_reason() -> None:
    body = {"spec": {"resourceAttributes": {"verb": "delete", "resource": "nodes"}}}
    root = UserInfo("root", groups=("system:masters",))
    assert reviews.self_subject_access_review(body, root, AUTHZ)["status"] == {"allowed": True}


def test_a_self_review_without_attributes_is_invalid() -> None:
    err = invalid(reviews.self_subject_access_review, {**SSAR, "spec": {}}, ALICE, AUTHZ)
    assert err.message == (
        '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null":'
        " exactly one of nonResourceAttributes or resourceAttributes must be specified"
    )
    assert err.details == {
        "group": "authorization.k8s.io",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": 'Invalid value: "null": exactly one of nonResourceAttributes or'
                " resourceAttributes must be specified",
                "field": "spec.resourceAttributes",
            }
        ],
    }


def test_a_self_review_with_both_attribute_kinds_is_invalid() -> None:
    spec = {"resourceAttributes": SECRET_X, "nonResourceAttributes": {"path": "/x", "verb": "get"}}
    err = invalid(reviews.self_subject_access_review, {"spec": spec}, ALICE, AUTHZ)
    assert err.message == (
        '.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value:'
        ' authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in'
        " combination with resourceAttributes"
    )


def test_a_self_review_with_metadata_is_invalid() -> None:
    body = {"metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {"resourceAttributes": {}}}
    err = invalid(reviews.self_subject_access_review, body, ALICE, AUTHZ)
    assert err.message == (
        '.authorization.k8s.io "" is invalid: metadata: Invalid value: v1.ObjectMeta{Name:"x",'
        ' GenerateName:"", Namespace:"", SelfLink:"", UID:"", ResourceVersion:"", Generation:0,'
        " CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC),"
        " DeletionTimestamp:<nil>, DeletionGracePeriodSeconds:(*int64)(nil),"
        ' Labels:map[string]string{"a":"b"}, Annotations:map[string]string(nil),'
        " OwnerReferences:[]v1.OwnerReference(nil), Finalizers:[]string(nil),"
        " ManagedFields:[]v1.ManagedFieldsEntry(nil)}: must be empty"
    )


def test_empty_metadata_values_count_as_empty() -> None:
    body = {"metadata": {"creationTimestamp": None, "name": ""}, "spec": {"resourceAttributes": {}}}
    assert reviews.self_subject_access_review(body, ALICE, AUTHZ)["status"]["allowed"] is False


def test_a_subject_review_evaluates_exactly_the_named_user_and_groups() -> None:
    spec = {
        "user": "bob",
        "groups": ["dev"],
        "nonResourceAttributes": {"path": "/api", "verb": "get"},
    }
    result = reviews.subject_access_review({"spec": spec}, AUTHZ)
    assert result["kind"] == "SubjectAccessReview"
    assert result["spec"] == spec
    assert result["status"] == {"allowed": False}


def test_a_subject_review_needs_a_user_or_a_group() -> None:
    err = invalid(reviews.subject_access_review, {"spec": {}}, AUTHZ)
    assert err.message == (
        '.authorization.k8s.io "" is invalid: [spec.resourceAttributes: Invalid value: "null":'
        " exactly one of nonResourceAttributes or resourceAttributes must be specified,"
        ' spec.user: Invalid value: "": at least one of user or group must be specified]'
    )


def test_a_local_review_answers_in_its_namespace_and_returns_it_in_metadata() -> None:
    spec = {"user": "alice", "resourceAttributes": SECRET_X}
    result = reviews.local_subject_access_review({"spec": spec}, "z", AUTHZ)
    assert result["metadata"] == {"namespace": "z", "creationTimestamp": None}
    assert result["status"]["allowed"] is True


def test_a_local_review_must_target_its_own_namespace_and_resources_only() -> None:
    spec = {
        "user": "alice",
        "resourceAttributes": {**SECRET_X, "namespace": "other"},
        "nonResourceAttributes": {"path": "/api", "verb": "get"},
    }
    err = invalid(reviews.local_subject_access_review, {"spec": spec}, "z", AUTHZ)
    assert err.message == (
        '.authorization.k8s.io "" is invalid: [spec.nonResourceAttributes: Invalid value:'
        ' authorization.NonResourceAttributes{Path:"/api", Verb:"get"}: cannot be specified in'
        " combination with resourceAttributes, spec.resourceAttributes.namespace: Invalid value:"
        ' "other": must match metadata.namespace, spec.nonResourceAttributes: Invalid value:'
        ' authorization.NonResourceAttributes{Path:"/api", Verb:"get"}: disallowed on this kind'
        " of request]"
    )


def test_a_local_review_naming_another_namespace_in_its_metadata_is_a_bad_request() -> None:
    body = {"metadata": {"namespace": "other"}, "spec": {"user": "a", "resourceAttributes": {}}}
    with pytest.raises(StatusError) as info:
        reviews.local_subject_access_review(body, "z", AUTHZ)
    assert (info.value.code, info.value.message) == (
        400,
        "the namespace of the provided object does not match the namespace sent on the request",
    )


def test_a_rules_review_lists_raw_rules_and_evaluation_errors() -> None:
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview"}
    result = reviews.self_subject_rules_review({**body, "spec": {"namespace": "z"}}, ALICE, AUTHZ)
    assert result == {
        **body,
        "metadata": {"creationTimestamp": None},
        "spec": {},
        "status": {
            "resourceRules": [
                {
                    "verbs": ["create"],
                    "apiGroups": ["authorization.k8s.io"],
                    "resources": ["selfsubjectaccessreviews"],
                },
                {
                    "verbs": ["get"],
                    "apiGroups": [""],
                    "resources": ["secrets"],
                    "resourceNames": ["x"],
                },
            ],
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*"]}],
            "incomplete": False,
            "evaluationError": 'clusterrole.rbac.authorization.k8s.io "gone" not found',
        },
    }


def test_a_rules_review_without_namespace_is_a_bad_request() -> None:
    with pytest.raises(StatusError) as info:
        reviews.self_subject_rules_review({"spec": {}}, ALICE, AUTHZ)
    assert (info.value.code, info.value.reason, info.value.message) == (
        400,
        "BadRequest",
        "no namespace on request",
    )
