"""Error answers and transport failures map to one exception tree with clean messages."""

from __future__ import annotations

import ssl

import orjson
import pytest
import urllib3.exceptions
from tests.kubeconnector.kube.kubefixtures import TOKEN, client_pair

from kubeconnector.errors import (
    ApiError,
    ClusterUnreachable,
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    NotFound,
    ServerError,
    TLSError,
    TooManyRequests,
    Unauthorized,
)
from kubeconnector.kube.errors import (
    is_dropped_connection,
    scrub,
    status_error,
    tls_error,
    transport_error,
)

ENDPOINT = "k8s.example.com:6443"


def _status(code: int, reason: str, message: str, **details: object) -> bytes:
    body: dict[str, object] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return orjson.dumps(body)


@pytest.mark.parametrize(
    ("code", "reason", "cls"),
    [
        (401, "Unauthorized", Unauthorized),
        (403, "Forbidden", Forbidden),
        (404, "NotFound", NotFound),
        (409, "AlreadyExists", Conflict),
        (409, "Conflict", Conflict),
        (410, "Expired", Expired),
        (422, "Invalid", Invalid),
        (429, "TooManyRequests", TooManyRequests),
        (500, "InternalError", ServerError),
        (503, "ServiceUnavailable", ServerError),
        (504, "Timeout", ServerError),
        (400, "BadRequest", ApiError),
    ],
)
def test_a_status_body_becomes_the_error_class_for_its_code(
    code: int, reason: str, cls: type[ApiError]
) -> None:
    error = status_error(code, {}, _status(code, reason, "the message"))
    assert type(error) is cls
    assert (error.code, error.status.reason, str(error)) == (code, reason, "the message")


def test_status_details_are_kept() -> None:
    body = _status(404, "NotFound", 'secrets "x" not found', name="x", kind="secrets")
    error = status_error(404, {}, body)
    assert error.status.details == {"name": "x", "kind": "secrets"}


def test_the_http_status_wins_over_the_status_code_field() -> None:
    assert type(status_error(503, {}, _status(500, "InternalError", "x"))) is ServerError
    assert status_error(503, {}, _status(500, "InternalError", "x")).code == 503


def test_retry_after_comes_from_the_header() -> None:
    error = status_error(429, {"retry-after": "3"}, _status(429, "TooManyRequests", "slow down"))
    assert isinstance(error, TooManyRequests)
    assert error.status.retry_after == 3.0


def test_retry_after_comes_from_the_details_without_a_header() -> None:
    body = _status(429, "TooManyRequests", "pdb", retryAfterSeconds=7)
    assert status_error(429, {}, body).status.retry_after == 7.0


def test_the_plain_text_429_is_understood() -> None:
    error = status_error(429, {"retry-after": "1"}, b"Too many requests, please try again later.\n")
    assert isinstance(error, TooManyRequests)
    assert str(error) == (
        "the server has received too many requests and has asked us to try again later"
    )
    assert error.status.retry_after == 1.0


def test_a_body_that_is_not_a_status_is_truncated_and_scrubbed() -> None:
    body = (f"upstream said Authorization: Bearer {TOKEN} " + "x " * 300).encode()
    error = status_error(502, {}, body)
    assert isinstance(error, ServerError)
    assert len(str(error)) == 256
    assert str(error).startswith("upstream said Authorization: <redacted> x x")
    assert TOKEN not in str(error)


def test_an_empty_error_body_gets_a_default_message() -> None:
    assert str(status_error(404, {}, b"")) == "the API server answered 404 NotFound"


def test_a_status_message_carrying_secret_material_is_scrubbed() -> None:
    pem = client_pair().key.decode()
    error = status_error(422, {}, _status(422, "Invalid", f"bad value {pem} and {TOKEN}"))
    assert str(error) == "bad value <redacted> and <redacted>"


def test_scrub_removes_long_base64_runs_and_control_characters() -> None:
    assert scrub("data: " + "QUJD" * 20 + "\x1b[31m") == "data: <redacted> [31m"


def test_a_verification_failure_says_the_certificate_changed() -> None:
    error = tls_error(
        "SSLError\n[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
        "self-signed certificate in certificate chain (_ssl.c:1006)",
        ENDPOINT,
    )
    assert str(error) == (
        "the certificate of the API server at k8s.example.com:6443 does not verify against the "
        "kubeconfig's certificate authority (self-signed certificate in certificate chain): "
        "the API server's certificate changed or does not match the stored kubeconfig; update "
        "the connector's kubeconfig (kubectl config view --raw)"
    )


def test_a_hostname_mismatch_says_the_certificate_does_not_match() -> None:
    error = tls_error(
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, "
        "certificate is not valid for 'x'. (_ssl.c:1006)",
        ENDPOINT,
    )
    assert str(error).startswith(
        "the certificate of the API server at k8s.example.com:6443 is not valid for that host: "
        "the API server's certificate changed"
    )


def test_another_handshake_failure_names_the_alert() -> None:
    error = tls_error(
        "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:2580)", ENDPOINT
    )
    assert str(error) == (
        "the TLS handshake with the API server at k8s.example.com:6443 failed: "
        "tlsv1 alert unknown ca"
    )


def test_a_refused_connection_is_unreachable_and_names_the_endpoint() -> None:
    err = urllib3.exceptions.NewConnectionError(None, "[Errno 111] Connection refused")  # type: ignore[arg-type]
    error = transport_error(urllib3.exceptions.MaxRetryError(None, "/", err), ENDPOINT)  # type: ignore[arg-type]
    assert isinstance(error, ClusterUnreachable)
    assert str(error) == "cannot reach the API server at k8s.example.com:6443: connection refused"
    assert not is_dropped_connection(err)


def test_a_dropped_connection_is_unreachable_and_may_be_retried() -> None:
    err = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())
    assert is_dropped_connection(err)
    assert str(transport_error(err, ENDPOINT)) == (
        "cannot reach the API server at k8s.example.com:6443: the connection was closed "
        "before a response arrived"
    )


def test_ssl_errors_from_any_layer_become_tls_errors() -> None:
    assert isinstance(transport_error(ssl.SSLError(1, "bad"), ENDPOINT), TLSError)
    assert isinstance(transport_error(urllib3.exceptions.SSLError("x"), ENDPOINT), TLSError)


def test_a_closed_connection_with_a_client_certificate_hints_at_the_certificate() -> None:
    err = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())
    error = transport_error(err, ENDPOINT, client_certificate=True)
    assert str(error).endswith(
        "before a response arrived; the API server may not accept the kubeconfig's client "
        "certificate (expired, or issued by a certificate authority the server does not trust)"
    )
    assert "client certificate" not in str(transport_error(err, ENDPOINT))
