"""Parsing `key=value` overrides of SimConfig (CLI `--set` and the subprocess runner)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from kubesim.config import SimConfig


def apply_overrides(config: SimConfig, pairs: Iterable[str]) -> SimConfig:
    """A copy of `config` with `field=value` pairs applied (typed by the field's default)."""
    fields = {f.name: f for f in dataclasses.fields(SimConfig)}
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            known = ", ".join(sorted(fields))
            raise ValueError(f"unknown setting {pair!r}; known settings: {known}")
        changes[name] = _convert(getattr(config, name), text.strip())
    return dataclasses.replace(config, **changes)


def _convert(current: Any, text: str) -> Any:
    if text.lower() in ("none", "null"):
        return None
    if isinstance(current, bool):
        return text.lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(text)
    if isinstance(current, float) or current is None:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def as_pairs(config: SimConfig) -> list[str]:
    """The settings that differ from the defaults, as `field=value` pairs."""
    default = SimConfig()
    return [
        f"{f.name}={getattr(config, f.name)}"
        for f in dataclasses.fields(SimConfig)
        if getattr(config, f.name) != getattr(default, f.name)
    ]
