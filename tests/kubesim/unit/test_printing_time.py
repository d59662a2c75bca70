"""Ages as `duration.HumanDuration` prints them, and the default table's `Created At`."""

from __future__ import annotations

import datetime

import pytest

from kubesim.printing import human_duration
from kubesim.printing.timefmt import created_at, parse_time, since

NOW = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.UTC)


def ago(**kwargs: float) -> datetime.timedelta:
    return datetime.timedelta(**kwargs)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (ago(seconds=-5), "<invalid>"),
        (ago(seconds=-2), "<invalid>"),
        (ago(seconds=-1.9), "0s"),
        (ago(seconds=-1), "0s"),
        (ago(seconds=0), "0s"),
        (ago(seconds=5), "5s"),
        (ago(seconds=119), "119s"),
        (ago(seconds=120), "2m"),
        (ago(minutes=3, seconds=2), "3m2s"),
        (ago(minutes=9, seconds=59), "9m59s"),
        (ago(minutes=10, seconds=30), "10m"),
        (ago(minutes=179), "179m"),
        (ago(hours=3), "3h"),
        (ago(hours=4, minutes=5), "4h5m"),
        (ago(hours=7, minutes=59), "7h59m"),
        (ago(hours=8, minutes=30), "8h"),
        (ago(hours=47), "47h"),
        (ago(hours=48), "2d"),
        (ago(days=5, hours=3), "5d3h"),
        (ago(days=7, hours=23), "7d23h"),
        (ago(days=8, hours=5), "8d"),
        (ago(days=729), "729d"),
        (ago(days=730), "2y"),
        (ago(days=761), "2y31d"),
        (ago(days=365 * 8), "8y"),
        (ago(days=365 * 9 + 100), "9y"),
    ],
)
def test_human_duration_matches_apimachinery(delta: datetime.timedelta, text: str) -> None:
    assert human_duration(delta) == text


def test_an_age_is_measured_from_the_creation_timestamp() -> None:
    assert since("2024-05-01T11:57:00Z", NOW) == "3m"
    assert since("2024-05-01T11:59:59.500000Z", NOW) == "0s"


def test_an_unset_or_garbled_timestamp_reads_unknown() -> None:
    assert since(None, NOW) == "<unknown>"
    assert since("", NOW) == "<unknown>"
    assert since("yesterday", NOW) == "<unknown>"


def test_a_timestamp_in_the_future_is_invalid() -> None:
    assert since("2024-05-01T12:00:10Z", NOW) == "<invalid>"


def test_a_naive_now_is_taken_as_utc() -> None:
    assert since("2024-05-01T11:00:00Z", NOW.replace(tzinfo=None)) == "60m"


def test_created_at_is_rfc3339_in_utc() -> None:
    assert created_at("2024-05-01T14:00:00+02:00") == "2024-05-01T12:00:00Z"
    assert created_at("2024-05-01T12:00:00.123456Z") == "2024-05-01T12:00:00Z"
    assert created_at(None) == "0001-01-01T00:00:00Z"


def test_micro_time_timestamps_parse() -> None:
    parsed = parse_time("2024-05-01T12:00:00.000001Z")
    assert parsed is not None
    assert parsed.microsecond == 1
