"""Request limits: a body size cap (413) and per-token rate limiting (429).

Rate limiting is a token bucket per bearer token (per client address for requests without
one): ``burst`` requests at once, refilled at ``rate`` per second. Every response carries
``X-RateLimit-Limit`` (the burst), ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``
(seconds until the bucket is full again); a refused request gets 429 with ``Retry-After``.
Buckets are keyed by the token's hash, so no token is kept in memory longer than a request.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kubeconnector.api.errors import RateLimited, TooLarge, error_response

MIB = 1024 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class Limits:
    """How much a client may send and how often.

    Attributes:
        max_body: The largest request body accepted, in bytes.
        rate: Requests per second a token's bucket refills with.
        burst: The bucket's size: requests allowed at once.
    """

    max_body: int = 2 * MIB
    rate: float = 20.0
    burst: int = 100


@dataclass(frozen=True)
class Decision:
    """The outcome of asking for one request."""

    allowed: bool
    remaining: int
    reset: int
    retry_after: int


class RateLimiter:
    """Token buckets by key; thread-safe.

    Args:
        rate: Refill per second.
        burst: Bucket size.
        clock: A monotonic clock in seconds.
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> Decision:
        """Take one request from ``key``'s bucket if it has one."""
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            if len(self._buckets) >= _MAX_BUCKETS and key not in self._buckets:
                self._buckets.clear()  # a flood of keys must not grow memory without bound
            self._buckets[key] = (tokens, now)
        reset = math.ceil((self.burst - tokens) / self.rate) if self.rate > 0 else 0
        retry = 0 if allowed else max(1, math.ceil((1.0 - tokens) / self.rate))
        return Decision(allowed, int(tokens), reset, retry)


def client_key(scope: Scope) -> str:
    """The bucket key: the bearer token's hash, else the client address."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return "token:" + hashlib.sha256(value).hexdigest()
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"


class LimitsMiddleware:
    """ASGI middleware enforcing `Limits` before the application sees a request.

    Args:
        app: The application to wrap.
        limits: The limits.
    """

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits
        self.limiter = RateLimiter(limits.rate, limits.burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        decision = self.limiter.take(client_key(scope))
        headers = self._headers(decision)
        if not decision.allowed:
            refused = RateLimited("too many requests; retry later", decision.retry_after)
            await _send_error(refused, headers, scope, receive, send)
            return
        if scope["method"] in _BODY_METHODS:
            body = await _read_body(receive, self.limits.max_body)
            if body is None:
                limit = self.limits.max_body
                too_large = TooLarge(f"the request body exceeds {limit} bytes")
                await _send_error(too_large, headers, scope, receive, send)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, _with_headers(send, headers))

    def _headers(self, decision: Decision) -> list[tuple[bytes, bytes]]:
        values = (
            ("x-ratelimit-limit", self.limits.burst),
            ("x-ratelimit-remaining", decision.remaining),
            ("x-ratelimit-reset", decision.reset),
        )
        return [(name.encode(), str(value).encode()) for name, value in values]


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it exceeds ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, original: Receive) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:  # later calls wait for the disconnect, as the server's own receive does
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *headers]}
        await send(message)

    return sending


async def _send_error(
    exc: RateLimited | TooLarge,
    headers: list[tuple[bytes, bytes]],
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    response = error_response(exc)
    await response(scope, receive, _with_headers(send, headers))
