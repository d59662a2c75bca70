"""The protobuf request bodies kubectl 1.33's typed clients send, decoded to their JSON form.

The bodies were captured from `kubectl.1.33 -v=9`; the expected dicts are what kubectl 1.30
sends as JSON for the same commands (up to zero scalars, which Go decodes identically).
These tests need no kubectl binary, so the decoder stays covered where 1.33 is missing.
"""

from __future__ import annotations

import pytest

from kubesim.schema import protobuf

SECRET = (
    "6b3873000a0c0a027631120653656372657412250a140a02733212001a02706222002a00320038004200120b"
    "0a047573657212036170701a001a002200"
)
DEPLOYMENT = (
    "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bb010a250a057a65726f3212001a0270"
    "6222002a003200380042005a0c0a0361707012057a65726f321283010800120e0a0c0a0361707012057a6572"
    "6f321a670a1e0a0012001a0022002a003200380042005a0c0a0361707012057a65726f32124512270a056e67"
    "696e78120a6e67696e783a312e32352a0042006a007200800100880100900100a201001a00320042004a0052"
    "005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a0022"
    "00"
)
ACCESS_REVIEW = (
    "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374"
    "416363657373526576696577123b0a100a0012001a0022002a00320038004200121d0a1b0a02706212046c69"
    "73741a0022002a077365637265747332003a001a08080012001a0020001a002200"
)
TOKEN_REQUEST = (
    "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565"
    "7374121d0a100a0012001a0022002a00320038004200120320901c1a040a0012001a002200"
)


def test_a_secret_body_decodes_with_base64_data() -> None:
    assert protobuf.decode_object(bytes.fromhex(SECRET)) == {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": {"name": "s2", "namespace": "pb", "creationTimestamp": None},
        "data": {"user": "YXBw"},
    }


def test_a_deployment_body_keeps_an_explicit_zero_replica_count() -> None:
    deployment = protobuf.decode_object(bytes.fromhex(DEPLOYMENT))
    assert deployment["spec"] == {
        "replicas": 0,
        "selector": {"matchLabels": {"app": "zero2"}},
        "template": {
            "metadata": {"creationTimestamp": None, "labels": {"app": "zero2"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "resources": {}}]},
        },
        "strategy": {},
    }
    assert deployment["metadata"]["labels"] == {"app": "zero2"}


def test_an_access_review_body_carries_its_resource_attributes() -> None:
    review = protobuf.decode_object(bytes.fromhex(ACCESS_REVIEW))
    assert (review["kind"], review["apiVersion"]) == (
        "SelfSubjectAccessReview",
        "authorization.k8s.io/v1",
    )
    assert review["spec"] == {
        "resourceAttributes": {"namespace": "pb", "verb": "list", "resource": "secrets"}
    }


def test_a_token_request_body_keeps_its_expiration() -> None:
    request = protobuf.decode_object(bytes.fromhex(TOKEN_REQUEST))
    assert request["spec"] == {"expirationSeconds": 3600}
    assert request["status"] == {"expirationTimestamp": None}


def test_a_body_without_the_magic_prefix_is_rejected() -> None:
    with pytest.raises(protobuf.ProtobufError, match="does not appear to be a protobuf message"):
        protobuf.decode_object(b'{"kind":"Secret"}')


def test_a_truncated_body_is_rejected() -> None:
    with pytest.raises(protobuf.ProtobufError):
        protobuf.decode_object(bytes.fromhex(SECRET)[:-9])


def test_a_kind_the_server_does_not_know_is_rejected() -> None:
    body = bytes.fromhex(SECRET).replace(b"\x06Secret", b"\x06Sekret")
    with pytest.raises(protobuf.ProtobufError, match='no kind "Sekret" is registered'):
        protobuf.decode_object(body)
