"""Fault rules and concurrent writers, matched against requests by method, path, verb, user.

A fault answers instead of the server (a status code with an optional Retry-After, a delay
before normal handling, or a dropped connection). A concurrent writer changes an object right
after a matching read, so the reader's next write carries a stale resourceVersion.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from kubesim.api import status


@dataclass
class Match:
    """Which requests a rule applies to; empty fields match everything."""

    method: str = ""
    path: str = ""  # a regular expression searched in the URL path
    verb: str = ""
    user: str = ""
    skip: int = 0  # let this many matching requests through first
    count: int | None = None  # fire this many times, then retire (None: forever)
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            self._regex = re.compile(self.path) if self.path else None
        except re.error as err:
            raise status.bad_request(f"invalid path pattern: {err}") from err

    def matches(self, method: str, path: str, verb: str, user: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.verb and self.verb != verb:
            return False
        if self.user and self.user != user:
            return False
        return self._regex is None or bool(self._regex.search(path))

    def fire(self) -> bool:
        """Consume one match: False while skipping or once the count is used up."""
        if self.skip > 0:
            self.skip -= 1
            return False
        if self.count is not None:
            if self.count <= 0:
                return False
            self.count -= 1
        return True


@dataclass
class Fault:
    """An injected failure."""

    id: int
    match: Match
    code: int = 0
    retry_after: int | None = None
    plain_text: bool = False  # the max-in-flight 429 flavour (text body, not a Status)
    delay: float = 0.0
    drop: bool = False
    message: str = ""

    def error(self) -> status.StatusError:
        code = self.code
        message = self.message or _DEFAULT_MESSAGES.get(code, "injected fault")
        if code == 429:
            return status.too_many_requests(message, self.retry_after or 1)
        if code == 500:
            return status.internal_error(message)
        if code == 503:
            err = status.service_unavailable(message)
        elif code == 504:
            err = status.timeout(message)
        else:
            err = status.StatusError(
                code, "InternalError" if code >= 500 else "BadRequest", message
            )
        if self.retry_after:
            err.headers["Retry-After"] = str(self.retry_after)
        return err


_DEFAULT_MESSAGES = {
    429: "Too many requests, please try again later.",
    500: "injected fault",
    503: "the server is currently unable to handle the request",
    504: "request did not complete within the allowed duration",
}


@dataclass
class Writer:
    """Changes an object after a matching successful read (a JSON merge patch)."""

    id: int
    match: Match
    patch: dict[str, Any]


class FaultBook:
    """The active fault rules and concurrent writers."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.faults: list[Fault] = []
        self.writers: list[Writer] = []

    def add_fault(self, spec: dict[str, Any]) -> Fault:
        fault = Fault(
            id=next(self._ids),
            match=_match(spec),
            code=int(spec.get("status", 0)),
            retry_after=spec.get("retryAfter"),
            plain_text=bool(spec.get("plainText", False)),
            delay=float(spec.get("delay", 0.0)),
            drop=bool(spec.get("drop", False)),
            message=str(spec.get("message", "")),
        )
        if not (fault.code or fault.delay or fault.drop):
            raise status.bad_request("a fault needs one of status, delay or drop")
        self.faults.append(fault)
        return fault

    def add_writer(self, spec: dict[str, Any]) -> Writer:
        patch = spec.get("patch") or {}
        if not isinstance(patch, dict):
            raise status.bad_request("patch must be a JSON object (a merge patch)")
        writer = Writer(next(self._ids), _match(spec), patch)
        self.writers.append(writer)
        return writer

    def fault_for(self, method: str, path: str, verb: str, user: str) -> Fault | None:
        for fault in self.faults:
            if fault.match.matches(method, path, verb, user) and fault.match.fire():
                return fault
        return None

    def writer_for(self, method: str, path: str, verb: str, user: str) -> Writer | None:
        for writer in self.writers:
            if writer.match.matches(method, path, verb, user) and writer.match.fire():
                return writer
        return None

    def clear(self) -> None:
        self.faults.clear()
        self.writers.clear()


def _match(spec: dict[str, Any]) -> Match:
    count = spec.get("count")
    return Match(
        method=str(spec.get("method", "")),
        path=str(spec.get("path", "")),
        verb=str(spec.get("verb", "")),
        user=str(spec.get("user", "")),
        skip=int(spec.get("skip", 0)),
        count=int(count) if count is not None else None,
    )
