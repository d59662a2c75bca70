"""A scripted `ListSource` and builders for the raw objects discovery tests feed it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.errors import ApiError, StatusInfo, api_error

Obj = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One `list_pages` call."""

    plural: str
    namespace: str | None
    metadata_only: bool
    limit: int
    field_selector: str | None


@dataclass
class FakeSource:
    """Serves lists from memory, like an API server would page them.

    Attributes:
        objects: Objects per plural (Secrets carry ``type``; metadata-only lists strip it).
        errors: Plural (or ``secrets type=<t>``) -> HTTP status to fail that list with.
        repeat: Plurals whose list yields every page twice (a restart after 410).
        calls: Every call made.
    """

    objects: dict[str, list[Obj]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    repeat: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)

    def add(self, plural: str, *objects: Obj) -> None:
        self.objects.setdefault(plural, []).extend(objects)

    def list_pages(
        self,
        kind: Any,
        namespace: str | None,
        *,
        metadata_only: bool = False,
        limit: int = 500,
        field_selector: str | None = None,
    ) -> Iterator[list[Obj]]:
        self.calls.append(Call(kind.plural, namespace, metadata_only, limit, field_selector))
        error = self.errors.get(_label(kind.plural, field_selector))
        if error is not None:
            raise _error(error)
        items = [
            _item(o, metadata_only) for o in self._select(kind.plural, namespace, field_selector)
        ]
        pages = [items[i : i + limit] for i in range(0, len(items), limit)] or [[]]
        yield from pages
        if kind.plural in self.repeat:
            yield from pages

    def _select(self, plural: str, namespace: str | None, selector: str | None) -> list[Obj]:
        found = self.objects.get(plural, [])
        if namespace is not None:
            found = [o for o in found if o["metadata"].get("namespace") == namespace]
        if selector and selector.startswith("type="):
            found = [o for o in found if o.get("type", "Opaque") == selector[5:]]
        if selector and selector.startswith("metadata.name="):
            found = [o for o in found if o["metadata"]["name"] == selector[14:]]
        return found


def _label(plural: str, selector: str | None) -> str:
    return f"{plural} {selector}" if selector and selector.startswith("type=") else plural


def _item(obj: Obj, metadata_only: bool) -> Obj:
    if metadata_only:
        meta = obj["metadata"]
        return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}
    return obj


def _error(code: int) -> ApiError:
    reasons = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 500: "InternalError"}
    return api_error(StatusInfo(code, reasons.get(code, ""), f"status {code}"))


def meta(name: str, namespace: str | None = None, **extra: Any) -> Obj:
    out: Obj = {"name": name, "uid": f"uid-{namespace}-{name}", "resourceVersion": "1", **extra}
    if namespace is not None:
        out["namespace"] = namespace
    return out


def secret(name: str, namespace: str, secret_type: str = "Opaque", **metadata: Any) -> Obj:
    return {
        "metadata": meta(name, namespace, **metadata),
        "type": secret_type,
        "data": {"value": "c2VjcmV0LXZhbHVl"},
    }


def service_account(name: str, namespace: str, **fields: Any) -> Obj:
    return {"metadata": meta(name, namespace), **fields}


def deployment(name: str, namespace: str, spec: Obj, replicas: int = 1) -> Obj:
    return {
        "metadata": meta(name, namespace),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def pod(name: str, namespace: str, spec: Obj, *, deployment_name: str = "", hash_: str = "") -> Obj:
    metadata = meta(name, namespace)
    if deployment_name:
        metadata["labels"] = {"pod-template-hash": hash_}
        metadata["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": f"{deployment_name}-{hash_}",
                "uid": f"rs-{deployment_name}",
                "controller": True,
            }
        ]
    return {"metadata": metadata, "spec": spec, "status": {"phase": "Running"}}


def env_from(secret_name: str) -> Obj:
    return {"secretRef": {"name": secret_name}}


def namespace(name: str) -> Obj:
    return {"metadata": meta(name), "status": {"phase": "Active"}}


def binding(name: str, namespace: str | None, role: Obj, *subjects: Obj) -> Obj:
    return {"metadata": meta(name, namespace), "roleRef": role, "subjects": list(subjects)}
