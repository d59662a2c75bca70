"""GET and LIST: single objects, selector predicates, list option validation."""

from __future__ import annotations

from collections.abc import Mapping

from kubesim.api import fielderrors, status
from kubesim.api.fieldselectors import check_supported, parse_field_selector
from kubesim.api.resources import ResourceType
from kubesim.api.selectors import parse_selector
from kubesim.store.lists import Lister, Page, Predicate
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Storage


def build_predicate(rt: ResourceType, query: Mapping[str, str]) -> Predicate | None:
    """The label/field selector filter of a list or watch (400 on a bad selector)."""
    label_text = query.get("labelSelector", "")
    field_text = query.get("fieldSelector", "")
    labels = parse_selector(label_text) if label_text.strip() else None
    fields = parse_field_selector(field_text) if field_text.strip() else None
    if fields is not None:
        fields = check_supported(rt.group, rt.resource, fields)
    if labels is None and fields is None:
        return None
    field_match = fields.matcher(rt.group, rt.resource) if fields is not None else None

    def predicate(obj: StoredObject) -> bool:
        if labels is not None and not labels.matches(obj.labels):
            return False
        return field_match is None or field_match(obj.obj)

    return predicate


def check_list_options(query: Mapping[str, str], watch: bool) -> None:
    """The ListOptions validation of the real server (400/422 with its exact texts)."""
    rv = query.get("resourceVersion", "")
    match = query.get("resourceVersionMatch", "")
    if query.get("continue") and rv not in ("", "0"):
        raise status.bad_request("specifying resource version is not allowed when using continue")
    errors: list[fielderrors.FieldError] = []
    if match and watch:
        errors.append(
            fielderrors.forbidden(
                "resourceVersionMatch", "resourceVersionMatch is forbidden for watch"
            )
        )
    elif match and not rv:
        errors.append(
            fielderrors.forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden unless resourceVersion is provided",
            )
        )
    elif match and query.get("continue"):
        errors.append(
            fielderrors.forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden when continue is provided",
            )
        )
    elif match == "Exact" and rv == "0":
        errors.append(
            fielderrors.forbidden(
                "resourceVersionMatch",
                'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
            )
        )
    elif match and match not in ("Exact", "NotOlderThan"):
        errors.append(
            fielderrors.not_supported("resourceVersionMatch", match, ["Exact", "NotOlderThan"])
        )
    if errors:
        raise status.options_invalid("ListOptions", errors)


def parse_limit(query: Mapping[str, str]) -> int:
    text = query.get("limit", "")
    try:
        return max(int(text), 0) if text else 0
    except ValueError as err:
        raise status.bad_request(f'invalid value "{text}" for limit') from err


class Reader:
    """Reads from storage with the real server's errors."""

    def __init__(self, storage: Storage, lister: Lister) -> None:
        self.storage = storage
        self.lister = lister

    def get(self, rt: ResourceType, namespace: str, name: str) -> StoredObject:
        found = self.storage.get(rt.key, namespace if rt.namespaced else "", name)
        if found is None:
            raise status.not_found(rt.gr, name)
        return found

    def find(self, rt: ResourceType, namespace: str, name: str) -> StoredObject | None:
        return self.storage.get(rt.key, namespace if rt.namespaced else "", name)

    def list(self, rt: ResourceType, namespace: str, query: Mapping[str, str]) -> Page:
        check_list_options(query, watch=False)
        predicate = build_predicate(rt, query)
        scope = namespace if rt.namespaced else ""
        return self.lister.list(
            rt.key, scope, predicate, parse_limit(query), query.get("continue", "")
        )
