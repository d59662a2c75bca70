"""Selector values: requirements, their validation (`labels.NewRequirement`) and matching.

Selectors are immutable and matching allocates nothing, because one selector is evaluated
against every object of a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kubesim.api import fielderrors
from kubesim.api.fielderrors import FieldError
from kubesim.api.selectors.validation import (
    SelectorError,
    is_int64,
    key_error,
    label_value_errors,
)

IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "in", "notin", "=", "==", "!="
EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN = "exists", "!", "gt", "lt"
BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
_POSITIVE = frozenset((IN, EQUALS, DOUBLE_EQUALS))
_NEGATIVE = frozenset((NOT_IN, NOT_EQUALS))
_RENDERED = {
    EQUALS: "=", DOUBLE_EQUALS: "==", NOT_EQUALS: "!=", IN: " in ", NOT_IN: " notin ",
    GREATER_THAN: ">", LESS_THAN: "<",
}  # fmt: skip


def _operator_errors(op: str, values: tuple[str, ...]) -> list[FieldError]:
    if op in (IN, NOT_IN) and not values:
        detail = "for 'in', 'notin' operators, values set can't be empty"
        return [fielderrors.invalid("values", list(values), detail)]
    if op in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS) and len(values) != 1:
        detail = "exact-match compatibility requires one single value"
        return [fielderrors.invalid("values", list(values), detail)]
    if op in (EXISTS, DOES_NOT_EXIST) and values:
        detail = "values set must be empty for exists and does not exist"
        return [fielderrors.invalid("values", list(values), detail)]
    if op not in (GREATER_THAN, LESS_THAN):
        return []
    errors = []
    if len(values) != 1:
        detail = "for 'Gt', 'Lt' operators, exactly one value is required"
        errors.append(fielderrors.invalid("values", list(values), detail))
    detail = "for 'Gt', 'Lt' operators, the value must be an integer"
    errors.extend(
        fielderrors.invalid(f"values[{i}]", v, detail)
        for i, v in enumerate(values)
        if not is_int64(v)
    )
    return errors


def new_requirement(key: str, op: str, values: Iterable[str]) -> Requirement:
    """`labels.NewRequirement`: a validated requirement, or SelectorError with the Go message."""
    vals = tuple(values)
    errors: list[FieldError] = []
    bad_key = key_error(key, "key")
    if bad_key is not None:
        errors.append(bad_key)
    errors.extend(_operator_errors(op, vals))
    for i, value in enumerate(vals):
        msgs = label_value_errors(value)
        if msgs:
            errors.append(fielderrors.invalid(f"values[{i}][{key}]", value, "; ".join(msgs)))
    if errors:
        raise SelectorError(fielderrors.aggregate(errors))
    return Requirement(key, op, vals)


@dataclass(frozen=True, slots=True)
class Requirement:
    """One `key op values` term of a selector."""

    key: str
    operator: str
    values: tuple[str, ...]
    _set: frozenset[str] = field(init=False, repr=False, compare=False)
    _bound: int | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_set", frozenset(self.values))
        bound = None
        if self.operator in (GREATER_THAN, LESS_THAN) and len(self.values) == 1:
            bound = int(self.values[0]) if is_int64(self.values[0]) else None
        object.__setattr__(self, "_bound", bound)

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies this requirement (`Requirement.Matches`)."""
        op = self.operator
        if op in _POSITIVE:
            value = labels.get(self.key)
            return value is not None and value in self._set
        if op in _NEGATIVE:
            value = labels.get(self.key)
            return value is None or value not in self._set
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        return self._compare(labels.get(self.key))

    def _compare(self, value: str | None) -> bool:
        if value is None or self._bound is None or not is_int64(value):
            return False
        number = int(value)
        return number > self._bound if self.operator == GREATER_THAN else number < self._bound

    def __str__(self) -> str:
        if self.operator == DOES_NOT_EXIST:
            return "!" + self.key
        if self.operator == EXISTS:
            return self.key
        joined = ",".join(sorted(self.values))
        if self.operator in (IN, NOT_IN):
            joined = f"({joined})"
        return self.key + _RENDERED[self.operator] + joined


@dataclass(frozen=True, slots=True)
class Selector:
    """An AND of requirements, sorted by key; no requirements selects everything."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False  # labels.Nothing(): the selector of a nil LabelSelector

    @property
    def empty(self) -> bool:
        """Whether the selector does not restrict anything (`Selector.Empty`)."""
        return not self.requirements and not self.nothing

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies every requirement."""
        if self.nothing:
            return False
        for requirement in self.requirements:  # noqa: SIM110 - a loop is faster than all(...)
            if not requirement.matches(labels):
                return False
        return True

    def requires_exact_match(self, key: str) -> str | None:
        """The single value `key` must have, as `RequiresExactMatch` finds it, else None."""
        for req in self.requirements:
            if req.key == key:
                exact = req.operator in _POSITIVE and len(req.values) == 1
                return req.values[0] if exact else None
        return None

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


EVERYTHING = Selector()
NOTHING = Selector(nothing=True)


def sorted_selector(requirements: Iterable[Requirement]) -> Selector:
    """A selector of the requirements in key order, as `Selector.Add` keeps them."""
    return Selector(tuple(sorted(requirements, key=lambda r: r.key)))
