"""Defaulting and validation of kubesim objects, reproducing the API server's 422 Invalid texts.

The registry calls, on create and update: `decode_secret` (Secrets), `apply_defaults`, its own
strategy preparation, then `validate_create`/`validate_update`; a non-empty error list becomes
a 422 via `kubesim.api.status.invalid`. `ClusterIPAllocator` holds the one piece of state,
owned by the caller.
"""

from kubesim.validation.clusterip import ClusterIPAllocator
from kubesim.validation.dispatch import apply_defaults, validate_create, validate_update
from kubesim.validation.secrets import decode_secret

__all__ = [
    "ClusterIPAllocator",
    "apply_defaults",
    "decode_secret",
    "validate_create",
    "validate_update",
]
