"""Label selectors: parsing, validation, matching and rendering.

Mirrors `k8s.io/apimachinery/pkg/labels` (the string syntax of `labelSelector`, with the real
lexer, parser, validation and error texts) and `metav1.LabelSelectorAsSelector` (the structured
`matchLabels`/`matchExpressions` form used by workload, Service and aggregation specs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubesim.api import fielderrors, status
from kubesim.api.selectors.model import (
    DOES_NOT_EXIST,
    EQUALS,
    EVERYTHING,
    EXISTS,
    IN,
    NOT_IN,
    NOTHING,
    Requirement,
    Selector,
    new_requirement,
    sorted_selector,
)
from kubesim.api.selectors.parser import parse_label_selector
from kubesim.api.selectors.validation import SelectorError

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "Requirement",
    "Selector",
    "SelectorError",
    "describe_label_selector",
    "format_label_selector",
    "format_labels",
    "new_requirement",
    "parse_label_selector",
    "parse_selector",
    "selector_from_label_selector",
    "selector_from_set",
]

_STRUCTURED_OPERATORS = {
    "In": IN,
    "NotIn": NOT_IN,
    "Exists": EXISTS,
    "DoesNotExist": DOES_NOT_EXIST,
}


def parse_selector(text: str) -> Selector:
    """Parse a `labelSelector` query parameter.

    Raises:
        StatusError: 400 BadRequest carrying the parser's message, as the real server answers.
    """
    try:
        return parse_label_selector(text)
    except SelectorError as err:
        raise status.bad_request(str(err)) from err


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """`labels.SelectorFromSet`: equality on every pair (unvalidated); empty selects everything."""
    return sorted_selector(Requirement(k, EQUALS, (v,)) for k, v in (labels or {}).items())


def selector_from_label_selector(spec: Mapping[str, Any] | None) -> Selector:
    """`metav1.LabelSelectorAsSelector`: None selects nothing, `{}` selects everything.

    Raises:
        SelectorError: an invalid key, value or operator, with the Go message.
    """
    if spec is None:
        return NOTHING
    match_labels: Mapping[str, str] = spec.get("matchLabels") or {}
    requirements = [new_requirement(k, EQUALS, (match_labels[k],)) for k in sorted(match_labels)]
    for expr in spec.get("matchExpressions") or []:
        requirements.append(_expression(expr))
    return sorted_selector(requirements)


def _expression(expr: Mapping[str, Any]) -> Requirement:
    operator = expr.get("operator", "")
    if operator not in _STRUCTURED_OPERATORS:
        quoted = fielderrors.go_quote(str(operator))
        raise SelectorError(f"{quoted} is not a valid label selector operator")
    values = expr.get("values") or ()
    return new_requirement(expr.get("key", ""), _STRUCTURED_OPERATORS[operator], values)


def format_label_selector(spec: Mapping[str, Any] | None) -> str:
    """`LabelSelectorAsSelector(spec).String()`, as the Scale subresource's `status.selector`.

    Keys are sorted and set values sorted; an empty or absent selector renders as "".

    Raises:
        SelectorError: the selector does not convert.
    """
    return str(selector_from_label_selector(spec))


def describe_label_selector(spec: Mapping[str, Any] | None) -> str:
    """`metav1.FormatLabelSelector`: the string form, `<none>` when empty, `<error>` if invalid."""
    try:
        text = format_label_selector(spec)
    except SelectorError:
        return "<error>"
    return text or "<none>"


def format_labels(labels: Mapping[str, str] | None) -> str:
    """`labels.FormatLabels`: sorted `k=v` pairs joined by commas, `<none>` when empty."""
    text = ",".join(sorted(f"{k}={v}" for k, v in (labels or {}).items()))
    return text or "<none>"
