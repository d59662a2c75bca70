"""Authentication and authorization as the Python client meets them.

Legacy ServiceAccount token Secrets stop authenticating the moment they are deleted;
TokenRequest tokens carry an expiry and die with their bound object; the review APIs answer
as the real ones do; denials carry the real Forbidden wording.
"""

from __future__ import annotations

import base64
import datetime

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import (
    UNAUTHORIZED,
    api_client,
    expect_error,
    failure,
    meta,
    token_client,
    unique,
    wait_for,
)

from kubesim.runner import Cluster

SA_NAME = "kubernetes.io/service-account.name"
NOBODY = "system:serviceaccount:kubeconnector:nobody"
NAMESPACE_PREFIX = "py-auth"


@pytest.fixture
def account(admin: ApiClient, namespace: str) -> str:
    name = unique("bot")
    sa = client.V1ServiceAccount(metadata=meta(name))
    client.CoreV1Api(admin).create_namespaced_service_account(namespace, sa)
    return name


def _whoami(api: ApiClient) -> client.V1UserInfo:
    review = client.AuthenticationV1Api(api).create_self_subject_review(
        client.V1SelfSubjectReview()
    )
    return review.status.user_info


def _legacy_token(admin: ApiClient, namespace: str, account: str) -> tuple[str, str]:
    core = client.CoreV1Api(admin)
    name = f"{account}-token"
    secret = client.V1Secret(
        metadata=meta(name, annotations={SA_NAME: account}),
        type="kubernetes.io/service-account-token",
    )
    core.create_namespaced_secret(namespace, secret)
    filled = wait_for(
        lambda: (core.read_namespaced_secret(name, namespace).data or {}).get("token"),
        what="the token controller to fill the Secret",
    )
    return name, base64.b64decode(filled).decode()


def _request_token(
    admin: ApiClient, namespace: str, account: str, **spec: object
) -> client.AuthenticationV1TokenRequest:
    body = client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[], **spec))
    return client.CoreV1Api(admin).create_namespaced_service_account_token(account, namespace, body)


def test_a_legacy_token_authenticates_until_its_secret_is_deleted(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, account: str
) -> None:
    secret, token = _legacy_token(admin, namespace, account)
    bearer = token_client(kubesim_cluster, token)
    assert _whoami(bearer).username == f"system:serviceaccount:{namespace}:{account}"
    client.CoreV1Api(admin).delete_namespaced_secret(secret, namespace)
    body = expect_error(lambda: _whoami(bearer), 401)
    assert body == UNAUTHORIZED


def test_a_requested_token_expires_when_asked_and_names_the_account(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, account: str
) -> None:
    before = datetime.datetime.now(datetime.UTC)
    issued = _request_token(admin, namespace, account, expiration_seconds=3600)
    expires = issued.status.expiration_timestamp
    assert abs((expires - before).total_seconds() - 3600) < 60
    assert issued.spec.expiration_seconds == 3600
    user = _whoami(token_client(kubesim_cluster, issued.status.token))
    assert user.username == f"system:serviceaccount:{namespace}:{account}"
    assert user.groups == [
        "system:serviceaccounts",
        f"system:serviceaccounts:{namespace}",
        "system:authenticated",
    ]


def test_a_requested_token_shorter_than_ten_minutes_is_invalid(
    admin: ApiClient, namespace: str, account: str
) -> None:
    body = expect_error(
        lambda: _request_token(admin, namespace, account, expiration_seconds=60), 422
    )
    message = "Invalid value: 60: may not specify a duration less than 10 minutes"
    assert body == failure(
        f'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: {message}',
        "Invalid",
        422,
        group="authentication.k8s.io",
        kind="TokenRequest",
        causes=[
            {"reason": "FieldValueInvalid", "message": message, "field": "spec.expirationSeconds"}
        ],
    )


def test_a_token_bound_to_a_secret_dies_with_that_secret(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, account: str
) -> None:
    core = client.CoreV1Api(admin)
    anchor = core.create_namespaced_secret(namespace, client.V1Secret(metadata=meta(unique("a"))))
    bound = client.V1BoundObjectReference(
        api_version="v1", kind="Secret", name=anchor.metadata.name, uid=anchor.metadata.uid
    )
    issued = _request_token(admin, namespace, account, bound_object_ref=bound)
    bearer = token_client(kubesim_cluster, issued.status.token)
    assert _whoami(bearer).username.endswith(f":{account}")
    core.delete_namespaced_secret(anchor.metadata.name, namespace)
    assert expect_error(lambda: _whoami(bearer), 401) == UNAUTHORIZED


def test_a_token_of_a_deleted_service_account_is_unauthorized(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, account: str
) -> None:
    issued = _request_token(admin, namespace, account)
    bearer = token_client(kubesim_cluster, issued.status.token)
    client.CoreV1Api(admin).delete_namespaced_service_account(account, namespace)
    assert expect_error(lambda: _whoami(bearer), 401) == UNAUTHORIZED


def test_self_subject_review_names_the_admin_certificate(admin: ApiClient) -> None:
    user = _whoami(admin)
    assert user.username == "kubesim-admin"
    assert user.groups == ["system:masters", "system:authenticated"]


def test_self_subject_access_reviews_answer_for_the_connector(kubesim_cluster: Cluster) -> None:
    authz = client.AuthorizationV1Api(api_client(kubesim_cluster, "connector"))

    def allowed(verb: str, resource: str, group: str = "") -> bool:
        attrs = client.V1ResourceAttributes(
            verb=verb, resource=resource, group=group, namespace="default"
        )
        spec = client.V1SelfSubjectAccessReviewSpec(resource_attributes=attrs)
        review = authz.create_self_subject_access_review(
            client.V1SelfSubjectAccessReview(spec=spec)
        )
        return bool(review.status.allowed)

    assert allowed("list", "secrets")
    assert allowed("patch", "deployments", "apps")
    assert not allowed("delete", "deployments", "apps")


def test_self_subject_rules_review_lists_the_discovery_rules(kubesim_cluster: Cluster) -> None:
    authz = client.AuthorizationV1Api(api_client(kubesim_cluster, "discovery"))
    spec = client.V1SelfSubjectRulesReviewSpec(namespace="default")
    review = authz.create_self_subject_rules_review(client.V1SelfSubjectRulesReview(spec=spec))
    assert review.status.incomplete is False
    rules = {
        (tuple(r.api_groups or ()), tuple(r.resources or ())): r.verbs
        for r in review.status.resource_rules
    }
    assert rules[(("apps",), ("deployments", "daemonsets", "statefulsets"))] == ["get", "list"]
    assert any("/api" in (r.non_resource_urls or ()) for r in review.status.non_resource_rules)


def test_subject_access_review_decides_for_another_user(admin: ApiClient) -> None:
    attrs = client.V1ResourceAttributes(verb="get", resource="secrets", namespace="default")
    spec = client.V1SubjectAccessReviewSpec(user=NOBODY, resource_attributes=attrs)
    review = client.AuthorizationV1Api(admin).create_subject_access_review(
        client.V1SubjectAccessReview(spec=spec)
    )
    assert review.status.allowed is False
    assert review.spec.user == NOBODY


def test_a_denied_list_is_forbidden_with_the_real_message(kubesim_cluster: Cluster) -> None:
    core = client.CoreV1Api(api_client(kubesim_cluster, "nobody"))
    body = expect_error(lambda: core.list_namespaced_secret("default"), 403)
    assert body == failure(
        f'secrets is forbidden: User "{NOBODY}" cannot list resource "secrets" in API group "" '
        'in the namespace "default"',
        "Forbidden",
        403,
        kind="secrets",
    )


def test_a_denied_named_get_names_the_object(kubesim_cluster: Cluster) -> None:
    apps = client.AppsV1Api(api_client(kubesim_cluster, "nobody"))
    body = expect_error(lambda: apps.read_namespaced_deployment("web", "shop"), 403)
    assert body == failure(
        f'deployments.apps "web" is forbidden: User "{NOBODY}" cannot get resource '
        '"deployments" in API group "apps" in the namespace "shop"',
        "Forbidden",
        403,
        name="web",
        group="apps",
        kind="deployments",
    )
