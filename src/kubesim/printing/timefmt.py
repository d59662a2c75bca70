"""Time rendering of the server-side printers: ages, `Created At`, and timestamp parsing.

`human_duration` is `k8s.io/apimachinery/pkg/util/duration.HumanDuration` computed on
integer nanoseconds with Go's truncating conversions, so every boundary matches kubectl output.
"""

from __future__ import annotations

import datetime
from typing import Any

_NS_PER_SECOND = 1_000_000_000
_NS_PER_MINUTE = 60 * _NS_PER_SECOND
_NS_PER_HOUR = 60 * _NS_PER_MINUTE
UNKNOWN = "<unknown>"


def _nanoseconds(delta: datetime.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * _NS_PER_SECOND + delta.microseconds * 1000


def human_duration(delta: datetime.timedelta) -> str:
    """`duration.HumanDuration`: "5s", "3m2s", "4h", "5d", "2y31d", "<invalid>" if negative."""
    ns = _nanoseconds(delta)
    seconds = int(ns / _NS_PER_SECOND)  # Go's int(d.Seconds()) truncates toward zero
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return f"{seconds}s"
    return _minutes_or_more(ns)


def _minutes_or_more(ns: int) -> str:
    minutes = ns // _NS_PER_MINUTE
    if minutes < 10:
        rest = (ns // _NS_PER_SECOND) % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = ns // _NS_PER_HOUR
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    return _days_or_more(hours)


def _days_or_more(hours: int) -> str:
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        years, days = hours // 24 // 365, (hours // 24) % 365
        return f"{years}y{days}d" if days else f"{years}y"
    return f"{hours // 24 // 365}y"


def parse_time(value: Any) -> datetime.datetime | None:
    """An RFC 3339 timestamp (Time or MicroTime) as an aware datetime; None if absent/invalid."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def aware(now: datetime.datetime) -> datetime.datetime:
    """`now` with a time zone (naive values are taken as UTC)."""
    return now if now.tzinfo else now.replace(tzinfo=datetime.UTC)


def since(value: Any, now: datetime.datetime) -> str:
    """`translateTimestampSince`: the age of a timestamp, `<unknown>` when it is unset."""
    parsed = parse_time(value)
    return UNKNOWN if parsed is None else human_duration(aware(now) - parsed)


def created_at(value: Any) -> str:
    """The `Created At` cell of the default table: RFC 3339 in UTC, Go's zero time if unset."""
    parsed = parse_time(value)
    if parsed is None:
        return "0001-01-01T00:00:00Z"
    t = parsed.astimezone(datetime.UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"
