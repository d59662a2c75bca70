"""Status errors: every failure kubesim returns is one of these, rendered as a `kind: Status`.

The constructors mirror `k8s.io/apimachinery/pkg/api/errors` so that messages, reasons, codes
and `details` come out exactly as a real API server writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubesim.api.fielderrors import FieldError, aggregate


@dataclass(frozen=True)
class GroupResource:
    """A group-qualified resource, printed as `secrets` or `deployments.apps`."""

    group: str
    resource: str

    def __str__(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource


@dataclass(frozen=True)
class GroupKind:
    """A group-qualified kind, printed as `Secret` or `Deployment.apps`."""

    group: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind


class StatusError(Exception):
    """An API error carrying the exact Status body the server sends."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.metadata = metadata or {}
        self.headers = headers or {}

    def to_status(self) -> dict[str, Any]:
        """The Status object, fields in the order the real server emits them."""
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": self.metadata,
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:
            body["reason"] = self.reason
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def _details(gr: GroupResource | GroupKind, name: str = "", **extra: Any) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if gr.group:
        details["group"] = gr.group
    details["kind"] = gr.resource if isinstance(gr, GroupResource) else gr.kind
    details.update({k: v for k, v in extra.items() if v})
    return details


def not_found(gr: GroupResource, name: str) -> StatusError:
    return StatusError(404, "NotFound", f'{gr} "{name}" not found', _details(gr, name))


def already_exists(gr: GroupResource, name: str, *, being_deleted: bool = False) -> StatusError:
    prefix = "object is being deleted: " if being_deleted else ""
    message = f'{prefix}{gr} "{name}" already exists'
    return StatusError(409, "AlreadyExists", message, _details(gr, name))


def conflict(gr: GroupResource | GroupKind, name: str, err: str) -> StatusError:
    message = f'Operation cannot be fulfilled on {gr} "{name}": {err}'
    return StatusError(409, "Conflict", message, _details(gr, name))


MODIFIED = (
    "the object has been modified; please apply your changes to the latest version and try again"
)


def stale_write(gr: GroupResource, name: str) -> StatusError:
    """The optimistic-concurrency 409 of a write carrying an old resourceVersion."""
    return conflict(gr, name, MODIFIED)


def invalid(gk: GroupKind, name: str, errors: list[FieldError]) -> StatusError:
    message = f'{gk} "{name}" is invalid: {aggregate(errors)}'
    causes = [err.cause() for err in errors]
    details = _details(gk, name)
    details["causes"] = causes
    return StatusError(422, "Invalid", message, details)


def forbidden(gr: GroupResource, name: str, detail: str) -> StatusError:
    if name:
        message = f'{gr} "{name}" is forbidden: {detail}'
    elif gr.resource:
        message = f"{gr} is forbidden: {detail}"
    else:
        message = f"forbidden: {detail}"
    details = _details(gr, name) if gr.resource else {}
    return StatusError(403, "Forbidden", message, details)


def unauthorized() -> StatusError:
    return StatusError(401, "Unauthorized", "Unauthorized")


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def method_not_allowed(action: str, kind: str) -> StatusError:
    message = f'{action} is not supported on resources of kind "{kind}"'
    return StatusError(405, "MethodNotAllowed", message, {})


def not_acceptable(message: str) -> StatusError:
    return StatusError(406, "NotAcceptable", message)


def unsupported_media_type(message: str) -> StatusError:
    return StatusError(415, "UnsupportedMediaType", message)


def entity_too_large(message: str) -> StatusError:
    return StatusError(413, "RequestEntityTooLarge", f"Request entity too large: {message}")


def expired(message: str, continue_token: str = "") -> StatusError:
    metadata = {"continue": continue_token} if continue_token else {}
    return StatusError(410, "Expired", message, metadata=metadata)


def too_many_requests(message: str, retry_after: int) -> StatusError:
    return StatusError(
        429,
        "TooManyRequests",
        message,
        {"retryAfterSeconds": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


def internal_error(err: str) -> StatusError:
    details = {"causes": [{"message": err}]}
    return StatusError(500, "InternalError", f"Internal error occurred: {err}", details)


def service_unavailable(message: str) -> StatusError:
    return StatusError(503, "ServiceUnavailable", message)


def timeout(message: str) -> StatusError:
    return StatusError(504, "Timeout", f"Timeout: {message}", {})


def options_invalid(kind: str, errors: list[FieldError]) -> StatusError:
    """A 422 on request options (`PatchOptions.meta.k8s.io ""`, `ListOptions...`)."""
    return invalid(GroupKind("meta.k8s.io", kind), "", errors)
