"""The kubeconnector exception hierarchy.

Every failure the library reports is a ``KubeConnectorError``; the CLI and the HTTP API map this
one tree to exit codes and HTTP statuses. Errors from a cluster are built from the Kubernetes
``Status`` object the API server returned, so callers branch on types, not on status codes.
Messages never carry Secret values, tokens, keys or kubeconfig content.

    KubeConnectorError
    ├── ConfigError                 settings (home, database URL, master key)
    ├── KubeconfigError             a kubeconfig that is refused (reason says why)
    ├── RecordNotFound              a connector, change, asset or user that does not exist
    ├── RecordExists                a name that is already taken
    ├── InvalidInput                bad parameters (names the field)
    ├── CryptoError                 a ciphertext that does not decrypt, a missing key
    ├── StorageError                the database failed
    ├── ClusterError                talking to a cluster failed
    │   ├── ClusterUnreachable      connection refused, DNS, timeout
    │   ├── TLSError                the server certificate does not verify
    │   └── ApiError                the API server answered with a Status
    │       ├── Unauthorized        401
    │       ├── Forbidden           403
    │       ├── NotFound            404
    │       ├── Conflict            409 (AlreadyExists is a Conflict too)
    │       ├── Expired             410
    │       ├── Invalid             422
    │       ├── TooManyRequests     429 (retry_after)
    │       └── ServerError         5xx
    └── ChangeError                 the change lifecycle refused or failed a step
        ├── IllegalTransition       a state change the lifecycle does not allow
        ├── ApprovalRefused         self-approval, a second approval by the same person
        ├── PreflightFailed         the plan's checks refuse the change
        ├── RollbackRefused         no rollback exists, or the target changed since
        └── RolloutFailed           a workload's rollout did not complete after a write
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class KubeConnectorError(Exception):
    """Base class of every kubeconnector error."""

    reason = "Error"


class ConfigError(KubeConnectorError):
    """Settings are missing or inconsistent."""

    reason = "ConfigError"


class KubeconfigError(KubeConnectorError):
    """A kubeconfig is refused; `code` is a stable machine-readable reason."""

    reason = "KubeconfigRefused"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class RecordNotFound(KubeConnectorError):
    """A kubeconnector record (connector, change, asset, user) does not exist."""

    reason = "NotFound"


class RecordExists(KubeConnectorError):
    """A kubeconnector record with that name already exists."""

    reason = "AlreadyExists"


class InvalidInput(KubeConnectorError):
    """Parameters are invalid; `field` names the offending one."""

    reason = "Invalid"

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class CryptoError(KubeConnectorError):
    """Encrypted data cannot be decrypted (wrong key, moved ciphertext, missing key id)."""

    reason = "CryptoError"


class StorageError(KubeConnectorError):
    """The database failed."""

    reason = "StorageError"


class ClusterError(KubeConnectorError):
    """Talking to a cluster failed."""

    reason = "ClusterError"


class ClusterUnreachable(ClusterError):
    """The API server cannot be reached."""

    reason = "Unreachable"


class TLSError(ClusterError):
    """The API server's certificate does not verify against the kubeconfig's CA."""

    reason = "TLSError"


@dataclass(frozen=True)
class StatusInfo:
    """The parts of a Kubernetes Status object a caller may need."""

    code: int
    reason: str = ""
    message: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    retry_after: float | None = None


class ApiError(ClusterError):
    """The API server answered with an error Status."""

    reason = "ApiError"

    def __init__(self, status: StatusInfo) -> None:
        super().__init__(status.message or f"the API server answered {status.code}")
        self.status = status

    @property
    def code(self) -> int:
        return self.status.code


class Unauthorized(ApiError):
    reason = "Unauthorized"


class Forbidden(ApiError):
    reason = "Forbidden"


class NotFound(ApiError):
    reason = "NotFound"


class Conflict(ApiError):
    reason = "Conflict"


class Expired(ApiError):
    reason = "Expired"


class Invalid(ApiError):
    reason = "Invalid"


class TooManyRequests(ApiError):
    reason = "TooManyRequests"


class ServerError(ApiError):
    reason = "ServerError"


_BY_CODE: dict[int, type[ApiError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Expired,
    422: Invalid,
    429: TooManyRequests,
}


def api_error(status: StatusInfo) -> ApiError:
    """The ApiError subclass for a Status (5xx -> ServerError, other codes -> ApiError)."""
    cls = _BY_CODE.get(status.code)
    if cls is None:
        cls = ServerError if status.code >= 500 else ApiError
    return cls(status)


class ChangeError(KubeConnectorError):
    """A change could not proceed."""

    reason = "ChangeError"


class IllegalTransition(ChangeError):
    reason = "IllegalTransition"


class ApprovalRefused(ChangeError):
    reason = "ApprovalRefused"


class PreflightFailed(ChangeError):
    reason = "PreflightFailed"


class RollbackRefused(ChangeError):
    reason = "RollbackRefused"


class RolloutFailed(ChangeError):
    """A rollout did not complete (ProgressDeadlineExceeded, or the wait timed out)."""

    reason = "RolloutFailed"
