"""Without SelfSubjectReview the identity is read from the credential itself."""

from __future__ import annotations

import base64

import orjson
from tests.kubeconnector.kube.kubefixtures import TOKEN, client_pair

from kubeconnector.kube import Credential
from kubeconnector.kube.identity import UNKNOWN, from_user_info, local_identity


def _jwt(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value)).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


def test_a_bound_service_account_token_names_its_account() -> None:
    token = _jwt(
        {
            "sub": "system:serviceaccount:ops:bot",
            "kubernetes.io": {"namespace": "ops", "serviceaccount": {"name": "bot", "uid": "u-1"}},
        }
    )
    identity = local_identity(Credential(token=token))
    assert identity.to_dict() == {
        "username": "system:serviceaccount:ops:bot",
        "uid": "u-1",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:ops", "system:authenticated"],
        "extra": {},
        "source": "token-claims",
    }


def test_a_legacy_service_account_token_names_its_account() -> None:
    token = _jwt(
        {
            "sub": "system:serviceaccount:kube-system:old",
            "kubernetes.io/serviceaccount/service-account.uid": "u-2",
        }
    )
    identity = local_identity(Credential(token=token))
    assert (identity.username, identity.uid) == ("system:serviceaccount:kube-system:old", "u-2")


def test_a_token_that_is_not_a_service_account_jwt_is_unknown() -> None:
    assert local_identity(Credential(token="static-token-1234")) is UNKNOWN
    assert local_identity(Credential(token=TOKEN)) is UNKNOWN
    assert local_identity(Credential(token="a.!!!.c")) is UNKNOWN
    assert not UNKNOWN.known


def test_a_client_certificate_names_cn_as_user_and_o_as_groups() -> None:
    pair = client_pair("alice", ("dev", "ops"))
    identity = local_identity(Credential(client_certificate=pair.cert, client_key=pair.key))
    assert (identity.username, identity.groups, identity.source) == (
        "alice",
        ("dev", "ops", "system:authenticated"),
        "client-certificate",
    )


def test_the_certificate_wins_over_the_token_as_on_the_api_server() -> None:
    pair = client_pair()
    token = _jwt({"sub": "system:serviceaccount:a:b"})
    credential = Credential(token=token, client_certificate=pair.cert, client_key=pair.key)
    assert local_identity(credential).username == "alice"


def test_user_info_from_a_review_is_copied() -> None:
    identity = from_user_info(
        {"username": "u", "uid": "1", "groups": ["g"], "extra": {"k": ["v"]}}, "SelfSubjectReview"
    )
    assert (identity.username, identity.uid, identity.groups, dict(identity.extra)) == (
        "u",
        "1",
        ("g",),
        {"k": ("v",)},
    )
