"""Go `%#v` renderings of the structured bad values some field errors carry.

When a field error's bad value is a struct (a label selector, an int-or-string, a taint), the
real server prints it with Go's `%#v`. These helpers build the same text from wire dicts.
Pointers inside structs print as addresses upstream; a fixed, plausible address stands in.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import GoLiteral, go_quote

FAKE_POINTER = "0xc000a4e2d0"


def quote(text: Any) -> str:
    """A Go string literal for a wire value (non-strings rendered as their JSON text)."""
    return go_quote(text if isinstance(text, str) else str(text if text is not None else ""))


def string_map(value: Any) -> str:
    """`map[string]string{...}` with sorted keys, or `map[string]string(nil)`."""
    if value is None:
        return "map[string]string(nil)"
    items = sorted((str(k), v) for k, v in dict(value).items())
    return "map[string]string{" + ", ".join(f"{quote(k)}:{quote(v)}" for k, v in items) + "}"


def string_slice(value: Any) -> str:
    """`[]string{...}` or `[]string(nil)`."""
    if value is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(quote(item) for item in value) + "}"


def string_map_value(value: Any) -> GoLiteral:
    """A string map as a field error's bad value."""
    return GoLiteral(string_map(value))


def _requirement(req: Any) -> str:
    req = req if isinstance(req, dict) else {}
    return (
        f"v1.LabelSelectorRequirement{{Key:{quote(req.get('key', ''))}, "
        f"Operator:{quote(req.get('operator', ''))}, Values:{string_slice(req.get('values'))}}}"
    )


def label_selector(selector: Any) -> GoLiteral:
    """A `*metav1.LabelSelector` bad value (the error printer dereferences the pointer)."""
    if selector is None:
        return GoLiteral('"null"')
    expressions = selector.get("matchExpressions")
    if expressions is None:
        rendered = "[]v1.LabelSelectorRequirement(nil)"
    else:
        inner = ", ".join(_requirement(req) for req in expressions)
        rendered = "[]v1.LabelSelectorRequirement{" + inner + "}"
    return GoLiteral(
        f"v1.LabelSelector{{MatchLabels:{string_map(selector.get('matchLabels'))}, "
        f"MatchExpressions:{rendered}}}"
    )


def int_or_string_text(value: Any) -> str:
    """`intstr.IntOrString{Type:..., IntVal:..., StrVal:...}` for a wire int-or-string."""
    if isinstance(value, str):
        return f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{quote(value)}}}"
    number = value if isinstance(value, int) else 0
    return f'intstr.IntOrString{{Type:0, IntVal:{number}, StrVal:""}}'


def int_or_string(value: Any) -> GoLiteral:
    """An int-or-string as a field error's bad value."""
    return GoLiteral(int_or_string_text(value))


def pointer(value: Any, go_type: str) -> str:
    """A pointer field inside a struct: `(*T)(nil)` or an address."""
    return f"(*{go_type})(nil)" if value is None else f"(*{go_type})({FAKE_POINTER})"


def taint(item: dict[str, Any]) -> GoLiteral:
    """A `core.Taint` bad value."""
    return GoLiteral(
        f"core.Taint{{Key:{quote(item.get('key', ''))}, Value:{quote(item.get('value', ''))}, "
        f"Effect:{quote(item.get('effect', ''))}, "
        f"TimeAdded:{pointer(item.get('timeAdded'), 'v1.Time')}}}"
    )


def toleration(item: dict[str, Any]) -> GoLiteral:
    """A `core.Toleration` bad value."""
    return GoLiteral(
        f"core.Toleration{{Key:{quote(item.get('key', ''))}, "
        f"Operator:{quote(item.get('operator', ''))}, Value:{quote(item.get('value', ''))}, "
        f"Effect:{quote(item.get('effect', ''))}, "
        f"TolerationSeconds:{pointer(item.get('tolerationSeconds'), 'int64')}}}"
    )


def service_port_key(protocol: Any, port: Any) -> GoLiteral:
    """The `core.ServicePort{Protocol, Port}` key of a duplicate service port."""
    number = port if isinstance(port, int) else 0
    return GoLiteral(
        f'core.ServicePort{{Name:"", Protocol:{quote(protocol or "")}, '
        f"AppProtocol:(*string)(nil), Port:{number}, "
        f'TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, NodePort:0}}'
    )


def struct(go_type: str, fields: list[tuple[str, str]]) -> GoLiteral:
    """A struct rendering from pre-rendered field texts."""
    return GoLiteral(go_type + "{" + ", ".join(f"{k}:{v}" for k, v in fields) + "}")
