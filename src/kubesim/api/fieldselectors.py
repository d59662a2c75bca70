"""Field selectors: parsing, per-kind selectable fields, support checks and matching.

Mirrors `k8s.io/apimachinery/pkg/fields` (syntax, escaping, error texts), the field label
conversion functions of `pkg/apis/core/v1/conversion.go` (which fields a kind accepts, with
`field label not supported: ...` for kinds that register one and the generic
`DefaultMetaV1FieldSelectorConversion` message for every other kind), and the registries'
`ToSelectableFields` (the values matched against).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kubesim.api import fielderrors, status
from kubesim.api.resources import rt

Getter = Callable[[Mapping[str, Any]], str]
_OPERATORS = ("!=", "==", "=")  # "==" before "=" so no "=" is left on the value
_ESCAPES = frozenset("\\,=")


class FieldSelectorError(ValueError):
    """A field selector that does not parse; the message is the real server's text."""


@dataclass(frozen=True, slots=True)
class Term:
    """`field=value` (or `field!=value` when negated)."""

    field: str
    value: str
    negated: bool = False

    def __str__(self) -> str:
        return f"{self.field}{'!=' if self.negated else '='}{escape_value(self.value)}"


@dataclass(frozen=True, slots=True)
class FieldSelector:
    """An AND of terms, in the order the parser sorted them; no terms selects everything."""

    terms: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the selector does not restrict anything."""
        return not self.terms

    def matches(self, fields: Mapping[str, str]) -> bool:
        """Whether a field set satisfies every term; absent fields read as ""."""
        for term in self.terms:
            if (fields.get(term.field, "") == term.value) is term.negated:
                return False
        return True

    def matcher(self, group: str, resource: str) -> Callable[[Mapping[str, Any]], bool]:
        """A predicate over objects that computes only the fields this selector reads."""
        getters = _getters(group, resource)
        bound = tuple((getters.get(t.field, _absent), t.value, t.negated) for t in self.terms)

        def predicate(obj: Mapping[str, Any]) -> bool:
            for getter, value, negated in bound:  # noqa: SIM110 - hot loop, no generator
                if (getter(obj) == value) is negated:
                    return False
            return True

        return predicate

    def requires_exact_match(self, field: str) -> str | None:
        """The value `field` must equal, as `Selector.RequiresExactMatch` finds it, else None."""
        for term in self.terms:
            if term.field == field and not term.negated:
                return term.value
        return None

    def __str__(self) -> str:
        return ",".join(str(term) for term in self.terms)


def escape_value(value: str) -> str:
    """`fields.EscapeValue`: backslash-escape `\\`, `,` and `=`."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def unescape_value(value: str) -> str:
    """`fields.UnescapeValue`; raises FieldSelectorError on a bad or missing escape."""
    if not _ESCAPES.intersection(value):
        return value
    out: list[str] = []
    in_slash = False
    for char in value:
        if in_slash:
            if char not in _ESCAPES:
                raise FieldSelectorError(
                    f"invalid field selector: invalid escape sequence: \\{char}"
                )
            out.append(char)
            in_slash = False
        elif char == "\\":
            in_slash = True
        elif char in ",=":
            # Go prints the rune with %v, i.e. as its code point number.
            raise FieldSelectorError(
                f"invalid field selector: unescaped character in value: {ord(char)}"
            )
        else:
            out.append(char)
    if in_slash:
        raise FieldSelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not backslash-escaped, keeping the escapes."""
    terms: list[str] = []
    start, in_slash = 0, False
    for i, char in enumerate(text):
        if in_slash:
            in_slash = False
        elif char == "\\":
            in_slash = True
        elif char == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """(lhs, operator, raw rhs) at the first operator; the lhs supports no escaping."""
    for i in range(len(term)):
        for op in _OPERATORS:
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op) :]
    return None


def parse_field_selector_text(text: str) -> FieldSelector:
    """`fields.ParseSelector`; raises FieldSelectorError with the Go message."""
    terms: list[Term] = []
    for part in sorted(_split_terms(text)) if text else []:
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise FieldSelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
        lhs, op, rhs = split
        terms.append(Term(lhs, unescape_value(rhs), op == "!="))
    return FieldSelector(tuple(terms))


def parse_field_selector(text: str) -> FieldSelector:
    """Parse a `fieldSelector` query parameter.

    Raises:
        StatusError: 400 BadRequest with the parser's message, as the real server answers.
    """
    try:
        return parse_field_selector_text(text)
    except FieldSelectorError as err:
        raise status.bad_request(str(err)) from err


def _absent(_obj: Mapping[str, Any]) -> str:
    return ""


def _path(*keys: str) -> Getter:
    def get(obj: Mapping[str, Any]) -> str:
        node: Any = obj
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        return node if isinstance(node, str) else ""

    return get


def _flag(*keys: str) -> Getter:
    """A boolean field rendered as Go's strconv.FormatBool / fmt.Sprint do."""

    def get(obj: Mapping[str, Any]) -> str:
        node: Any = obj
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        return "true" if node is True else "false"

    return get


def _pod_ip(obj: Mapping[str, Any]) -> str:
    # The v1->internal conversion makes status.podIP authoritative over podIPs[0].
    pod_status = obj.get("status") or {}
    ips = pod_status.get("podIPs") or []
    first = ips[0].get("ip", "") if ips and isinstance(ips[0], Mapping) else ""
    return str(pod_status.get("podIP") or first or "")


def _event_source(obj: Mapping[str, Any]) -> str:
    return _path("source", "component")(obj) or _path("reportingComponent")(obj)


_NAME = _path("metadata", "name")
_NAMESPACE = _path("metadata", "namespace")
_META_NAMESPACED = {"metadata.name": _NAME, "metadata.namespace": _NAMESPACE}
_META_CLUSTER = {"metadata.name": _NAME}
_INVOLVED = ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")

_SELECTABLE: Mapping[tuple[str, str], Mapping[str, Getter]] = MappingProxyType({
    ("", "pods"): {
        **_META_NAMESPACED,
        "spec.nodeName": _path("spec", "nodeName"),
        "spec.host": _path("spec", "nodeName"),  # alias; check_supported() also rewrites it
        "spec.restartPolicy": _path("spec", "restartPolicy"),
        "spec.schedulerName": _path("spec", "schedulerName"),
        "spec.serviceAccountName": _path("spec", "serviceAccountName"),
        "spec.hostNetwork": _flag("spec", "hostNetwork"),
        "status.phase": _path("status", "phase"),
        "status.podIP": _pod_ip,
        "status.nominatedNodeName": _path("status", "nominatedNodeName"),
    },
    ("", "nodes"): {**_META_CLUSTER, "spec.unschedulable": _flag("spec", "unschedulable")},
    ("", "secrets"): {**_META_NAMESPACED, "type": _path("type")},
    ("", "namespaces"): {
        **_META_CLUSTER, "status.phase": _path("status", "phase"), "name": _NAME,
    },
    ("", "services"): {
        **_META_NAMESPACED,
        "spec.clusterIP": _path("spec", "clusterIP"),
        "spec.type": _path("spec", "type"),
    },
    ("", "events"): {
        **{f"involvedObject.{key}": _path("involvedObject", key) for key in _INVOLVED},
        "reason": _path("reason"),
        "reportingComponent": _path("reportingComponent"),
        "source": _event_source,
        "type": _path("type"),
        **_META_NAMESPACED,
    },
})  # fmt: skip

# The labels each kind's field label conversion function accepts (pkg/apis/core/v1).
_CONVERTIBLE: Mapping[tuple[str, str], frozenset[str]] = MappingProxyType({
    ("", "pods"): frozenset((
        "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
        "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
        "status.podIP", "status.podIPs", "status.nominatedNodeName", "spec.host",
    )),
    ("", "nodes"): frozenset(("metadata.name", "spec.unschedulable")),
    ("", "secrets"): frozenset(("type", "metadata.namespace", "metadata.name")),
    ("", "namespaces"): frozenset(("status.phase", "metadata.name")),
    ("", "services"): frozenset(
        ("metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type")
    ),
    ("", "events"): frozenset((
        *(f"involvedObject.{key}" for key in _INVOLVED), "reason", "reportingComponent",
        "source", "type", "metadata.namespace", "metadata.name",
    )),
    ("", "replicationcontrollers"): frozenset(
        ("metadata.name", "metadata.namespace", "status.replicas")
    ),
})  # fmt: skip
_ALIASES = MappingProxyType({("", "pods", "spec.host"): "spec.nodeName"})
_DEFAULT_LABELS = ("metadata.name", "metadata.namespace")


def _namespaced(group: str, resource: str) -> bool:
    try:
        return rt(group, resource).namespaced
    except KeyError:
        return True


def _getters(group: str, resource: str) -> Mapping[str, Getter]:
    custom = _SELECTABLE.get((group, resource))
    if custom is not None:
        return custom
    return _META_NAMESPACED if _namespaced(group, resource) else _META_CLUSTER


def field_values(group: str, resource: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """The selectable fields of an object (the registry's `ToSelectableFields`).

    Pods also carry the `spec.host` alias, so a selector that was checked but not rewritten
    by check_supported() still matches.
    """
    return {name: get(obj) for name, get in _getters(group, resource).items()}


def check_supported(group: str, resource: str, selector: FieldSelector) -> FieldSelector:
    """Run the field label conversion of the kind over every term, as list/watch handlers do.

    Returns:
        The selector with aliases rewritten (`spec.host` -> `spec.nodeName` for pods).

    Raises:
        StatusError: 400 BadRequest naming the first unsupported label (in term order).
    """
    allowed = _CONVERTIBLE.get((group, resource))
    for term in selector.terms:
        if allowed is None and term.field not in _DEFAULT_LABELS:
            quoted = ", ".join(fielderrors.go_quote(label) for label in _DEFAULT_LABELS)
            raise status.bad_request(
                f"{fielderrors.go_quote(term.field)} is not a known field selector: only {quoted}"
            )
        if allowed is not None and term.field not in allowed:
            raise status.bad_request(f"field label not supported: {term.field}")
    return FieldSelector(tuple(_rewrite(group, resource, term) for term in selector.terms))


def _rewrite(group: str, resource: str, term: Term) -> Term:
    target = _ALIASES.get((group, resource, term.field))
    return Term(target, term.value, term.negated) if target else term


def _is_path_segment_name(name: str) -> bool:
    return name not in (".", "..") and "/" not in name and "%" not in name


def name_from_selector(selector: FieldSelector | str) -> str | None:
    """The request name a list/watch carries for authorization (`metadata.name=<x>`).

    A selector text that does not parse, or a name that is not a valid path segment, gives
    None, as the request info resolver then leaves the name empty.
    """
    if isinstance(selector, str):
        try:
            selector = parse_field_selector_text(selector)
        except FieldSelectorError:
            return None
    name = selector.requires_exact_match("metadata.name")
    return name if name is not None and _is_path_segment_name(name) else None
