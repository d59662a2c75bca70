"""Label selectors: validation (`ValidateLabelSelector`), conversion checks and matching, and
the int-or-percent helpers the workload validators share.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import FieldError, forbidden, invalid, required
from kubesim.validation import formats, gorender
from kubesim.validation.meta import validate_labels

Obj = dict[str, Any]

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
NONNEGATIVE = "must be greater than or equal to 0"


def _requirement(req: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    operator, values = req.get("operator") or "", req.get("values") or []
    if operator in ("In", "NotIn") and not values:
        detail = "must be specified when `operator` is 'In' or 'NotIn'"
        errs.append(required(path + ".values", detail))
    elif operator in ("Exists", "DoesNotExist") and values:
        detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        errs.append(forbidden(path + ".values", detail))
    elif operator not in OPERATORS:
        errs.append(invalid(path + ".operator", operator, "not a valid selector operator"))
    key = req.get("key") or ""
    errs.extend(invalid(path + ".key", key, msg) for msg in formats.qualified_name(key))
    for i, value in enumerate(values):
        errs.extend(invalid(f"{path}.values[{i}]", value, m) for m in formats.label_value(value))
    return errs


def validate_selector(selector: Any, path: str) -> list[FieldError]:
    """`ValidateLabelSelector` (label values in selectors validated strictly)."""
    if selector is None:
        return []
    errs = validate_labels(selector.get("matchLabels"), path + ".matchLabels")
    for i, req in enumerate(selector.get("matchExpressions") or []):
        errs.extend(_requirement(req, f"{path}.matchExpressions[{i}]"))
    return errs


def convertible(selector: Any) -> bool:
    """Whether `metav1.LabelSelectorAsSelector` accepts the selector."""
    if selector is None:
        return True
    return not validate_selector(selector, "")


def is_empty(selector: Any) -> bool:
    """A non-nil selector with no requirement (it selects everything)."""
    return (
        selector is not None
        and not selector.get("matchLabels")
        and not (selector.get("matchExpressions"))
    )


def _requirement_matches(req: Obj, labels: dict[str, str]) -> bool:
    key, operator, values = req.get("key"), req.get("operator"), req.get("values") or []
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    return key not in labels


def matches(selector: Any, labels: Any) -> bool:
    """Whether a (convertible) selector matches a label set; a nil selector matches nothing."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    return all(_requirement_matches(r, labels) for r in selector.get("matchExpressions") or [])


def selector_errors(selector: Any, kind: str, path: str) -> list[FieldError]:
    """Required, valid and non-empty selector, as the workload validators check it."""
    if selector is None:
        return [required(path + ".selector")]
    errs = validate_selector(selector, path + ".selector")
    if is_empty(selector):
        detail = f"empty selector is invalid for {kind}"
        errs.append(invalid(path + ".selector", gorender.label_selector(selector), detail))
    return errs


def template_labels_error(selector: Any, template: Any, path: str) -> list[FieldError]:
    """`selector` does not match template `labels` (skipped for an empty selector)."""
    if is_empty(selector):
        return []
    labels = ((template or {}).get("metadata") or {}).get("labels")
    if matches(selector, labels):
        return []
    detail = "`selector` does not match template `labels`"
    return [invalid(path + ".metadata.labels", gorender.string_map_value(labels), detail)]


def percent_value(value: Any) -> tuple[int, bool]:
    """`getPercentValue`: (percent, True) for a valid percent string."""
    if not isinstance(value, str) or formats.percent(value):
        return 0, False
    return int(value[:-1]), True


def int_or_percent_value(value: Any) -> int:
    """`getIntOrPercentValue`."""
    number, is_percent = percent_value(value)
    if is_percent:
        return number
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def positive_int_or_percent(value: Any, path: str) -> list[FieldError]:
    """`ValidatePositiveIntOrPercent`."""
    if isinstance(value, str):
        return [invalid(path, gorender.int_or_string(value), m) for m in formats.percent(value)]
    if isinstance(value, int) and value < 0:
        return [invalid(path, value, NONNEGATIVE)]
    return []


def not_more_than_100(value: Any, path: str) -> list[FieldError]:
    """`IsNotMoreThan100Percent`."""
    number, is_percent = percent_value(value)
    if not is_percent or number <= 100:
        return []
    return [invalid(path, gorender.int_or_string(value), "must not be greater than 100%")]


def nonnegative(spec: Obj, name: str, path: str) -> list[FieldError]:
    """`ValidateNonnegativeField` on an optional integer field."""
    value = spec.get(name)
    if isinstance(value, int) and value < 0:
        return [invalid(f"{path}.{name}" if path else name, value, NONNEGATIVE)]
    return []
