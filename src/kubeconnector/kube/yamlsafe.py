"""Bounded, alias-free YAML intake for pasted kubeconfigs.

A pasted kubeconfig is untrusted text. It is parsed into plain dicts, lists and scalars straight
from PyYAML's low-level event stream, never through ``yaml.load``: anchors and aliases are
refused at the first event that carries one, before any object is built, so a "billion laughs"
document costs one pass over a few events, not exponential memory. The document size, the
nesting depth and the set of tags are bounded too. Error messages never quote the document
(parser snippets could contain tokens or keys); they give line and column only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from kubeconnector.errors import KubeconfigError

MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("str", "int", "bool", "null", "float", "timestamp"))
_COLLECTION_TAGS = frozenset({_TAG + "map", _TAG + "seq", "!"})
_MISSING = object()

try:  # libyaml is much faster on a 1 MiB document; the pure-Python parser is equivalent.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def load_document(text: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Parse one YAML (or JSON) document into plain Python values.

    Args:
        text: The document.
        max_bytes: The largest accepted size, in UTF-8 bytes.

    Returns:
        Dicts, lists, strings, numbers, booleans and None; None for an empty document.

    Raises:
        KubeconfigError: ``too-large``, ``yaml-aliases`` (an anchor or alias anywhere),
            ``not-yaml`` (a syntax error, an unsupported tag, a complex or duplicate key) or
            ``not-kubeconfig`` (several documents, nesting deeper than `MAX_DEPTH`).
    """
    _check_size(text, max_bytes)
    try:
        return _Builder().build(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as err:
        raise KubeconfigError("not-yaml", _syntax_message(err)) from None
    except yaml.YAMLError:
        raise KubeconfigError("not-yaml", "the kubeconfig is not valid YAML") from None


def _check_size(text: str, max_bytes: int) -> None:
    # A str never has more characters than UTF-8 bytes, so the cheap test comes first.
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise KubeconfigError(
            "too-large", f"the kubeconfig is larger than {max_bytes // 1024} KiB; refusing it"
        )


def _syntax_message(err: yaml.MarkedYAMLError) -> str:
    problem = (err.problem or err.context or "syntax error")[:80]
    mark = err.problem_mark or err.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"the kubeconfig is not valid YAML: {problem}{where}"


@dataclass
class _Frame:
    """A collection being filled; `key` is the pending mapping key."""

    value: dict[Any, Any] | list[Any]
    key: Any = _MISSING


@dataclass
class _Builder:
    """Builds values from events with an explicit stack (no recursion, bounded depth)."""

    stack: list[_Frame] = field(default_factory=list)
    root: Any = None
    documents: int = 0
    resolver: Resolver = field(default_factory=Resolver)

    def build(self, events: Iterable[Event]) -> Any:
        for event in _refusing_anchors(events):
            self._handle(event)
        return self.root

    def _handle(self, event: Event) -> None:
        if isinstance(event, DocumentStartEvent):
            self._start_document()
        elif isinstance(event, ScalarEvent):
            self._add(self._scalar(event))
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            self._open(event)
        elif isinstance(event, MappingEndEvent | SequenceEndEvent):
            self._close()

    def _start_document(self) -> None:
        self.documents += 1
        if self.documents > 1:
            raise KubeconfigError(
                "not-kubeconfig", "the kubeconfig holds more than one YAML document"
            )

    def _open(self, event: MappingStartEvent | SequenceStartEvent) -> None:
        if event.tag is not None and event.tag not in _COLLECTION_TAGS:
            raise KubeconfigError("not-yaml", _tag_message(event))
        if len(self.stack) >= MAX_DEPTH:
            raise KubeconfigError(
                "not-kubeconfig", f"the kubeconfig nests deeper than {MAX_DEPTH} levels"
            )
        container: dict[Any, Any] | list[Any] = {} if isinstance(event, MappingStartEvent) else []
        self.stack.append(_Frame(container))

    def _close(self) -> None:
        frame = self.stack.pop()
        self._add(frame.value, collection=True)

    def _add(self, value: Any, collection: bool = False) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            frame.value.append(value)
        elif frame.key is _MISSING:
            frame.key = _key(value, collection, frame.value)
        else:
            frame.value[frame.key] = value
            frame.key = _MISSING

    def _scalar(self, event: ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            implicit = (event.implicit[0], event.implicit[1]) if tag is None else (False, True)
            tag = str(self.resolver.resolve(ScalarNode, event.value, implicit))  # type: ignore[no-untyped-call]
        if tag not in _SCALAR_TAGS:
            raise KubeconfigError("not-yaml", _tag_message(event))
        return _construct(tag, event.value)


def _refusing_anchors(events: Iterable[Event]) -> Iterator[Event]:
    for event in events:
        if isinstance(event, AliasEvent) or (
            isinstance(event, NodeEvent) and event.anchor is not None
        ):
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            raise KubeconfigError(
                "yaml-aliases",
                f"the kubeconfig uses YAML anchors or aliases (line {line}); kubeconnector "
                "refuses them because they can expand a small document into a huge one",
            )
        yield event


def _key(value: Any, collection: bool, mapping: dict[Any, Any]) -> Any:
    if collection:
        raise KubeconfigError("not-yaml", "the kubeconfig uses a list or mapping as a key")
    if value in mapping:
        raise KubeconfigError("not-yaml", f"the kubeconfig repeats the key {_short(value)}")
    return value


def _construct(tag: str, value: str) -> Any:
    if tag == _TAG + "str" or tag == _TAG + "timestamp":
        return value
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return SafeConstructor.bool_values[value.lower()]
    constructor = SafeConstructor()
    node = ScalarNode(tag, value)
    try:
        if tag == _TAG + "int":
            return constructor.construct_yaml_int(node)
        return constructor.construct_yaml_float(node)
    except ValueError:
        raise KubeconfigError(
            "not-yaml", "the kubeconfig holds a number that is too long"
        ) from None


def _tag_message(event: ScalarEvent | MappingStartEvent | SequenceStartEvent) -> str:
    line = event.start_mark.line + 1 if event.start_mark is not None else 0
    return f"the kubeconfig uses an unsupported YAML tag {_short(event.tag)} (line {line})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
