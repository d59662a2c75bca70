"""When and how long to wait before retrying a request to the API server.

Rules (see `RetryPolicy.should_retry`):
    - 429 TooManyRequests is retried for every method: the API server's max-in-flight and
      priority-and-fairness filters reject the request before any handler runs, and the
      eviction API's 429 means "not now" too.
    - 5xx answers and dropped connections are retried only for idempotent requests (GET, HEAD,
      and calls marked idempotent such as access reviews); a write that may have happened is
      never replayed blindly.
    - The wait honours ``Retry-After`` (capped at ``max_retry_after``); otherwise it is an
      exponential backoff with jitter, capped at ``max_delay``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from kubeconnector.errors import ApiError, TooManyRequests

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try.

    Attributes:
        max_attempts: Attempts per request, the first included.
        base_delay: The first backoff, in seconds.
        max_delay: The largest backoff without ``Retry-After``.
        max_retry_after: The largest wait a server's ``Retry-After`` can impose.
        retry_statuses: The status codes retried (429 always; the others when idempotent).
    """

    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 5.0
    max_retry_after: float = 30.0
    retry_statuses: frozenset[int] = field(default=frozenset({429, 500, 502, 503, 504}))

    def should_retry(self, error: ApiError, idempotent: bool, attempt: int) -> bool:
        """Whether an error answer to attempt number `attempt` (1-based) is retried."""
        if attempt >= self.max_attempts or error.code not in self.retry_statuses:
            return False
        return idempotent or isinstance(error, TooManyRequests)

    def may_retry_transport(self, idempotent: bool, attempt: int) -> bool:
        """Whether a dropped connection on attempt number `attempt` is retried."""
        return idempotent and attempt < self.max_attempts

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait after attempt number `attempt` (1-based) failed.

        Args:
            attempt: The attempt that just failed.
            retry_after: The server's ``Retry-After``, if any.
            rng: The source of jitter.
        """
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.base_delay * 2.0 ** (attempt - 1), self.max_delay)
        # Jitter keeps concurrent lists from retrying in lock-step.
        return ceiling * rng.uniform(0.5, 1.0)


def is_idempotent(method: str, idempotent: bool | None) -> bool:
    """A request is idempotent when marked so, or else when its method is GET or HEAD."""
    return idempotent if idempotent is not None else method.upper() in IDEMPOTENT_METHODS
