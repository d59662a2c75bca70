"""ControllerRevisions: the template history of DaemonSets and StatefulSets.

A revision stores `{"spec":{"template":{...,"$patch":"replace"}}}` (what `kubectl rollout undo`
patches back), carries the owner's template labels plus `controller-revision-hash`, and a
`revision` number that is the highest in the owner's history when its template is current.
Mirrors `pkg/controller/history` and the DaemonSet controller's `constructHistory`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from kubesim.api import status as api_status
from kubesim.api.resources import rt
from kubesim.controllers import pods_util as pu
from kubesim.controllers.base import Controller
from kubesim.registry.deletion import DeleteOptions

Obj = dict[str, Any]

REVISIONS = rt("apps", "controllerrevisions")
HASH_LABEL = "controller-revision-hash"


@dataclass(frozen=True)
class NewRevision:
    """What a new ControllerRevision is made of."""

    owner: Obj
    kind: str
    name: str
    hash: str
    data: Obj
    revision: int


def owned_revisions(ctrl: Controller, owner: Obj) -> list[Obj]:
    """The owner's ControllerRevisions, oldest revision first."""
    uid = owner["metadata"]["uid"]
    found = [
        stored.obj
        for stored in ctrl.emu.storage.scan(REVISIONS.key, owner["metadata"]["namespace"])
        if pu.is_controlled_by(stored.obj, uid)
    ]
    return sorted(found, key=lambda cr: (cr.get("revision", 0), cr["metadata"]["name"]))


def template_data(raw: bytes) -> Obj:
    """The `data` document stored for a revision patch."""
    data: Obj = orjson.loads(raw)
    return data


def template_of(revision: Obj) -> Obj:
    """The pod template a revision records (without the `$patch` directive)."""
    template = copy.deepcopy(((revision.get("data") or {}).get("spec") or {}).get("template"))
    template = template or {}
    template.pop("$patch", None)
    meta = template.get("metadata") or {}
    if meta.get("creationTimestamp") is None:
        meta.pop("creationTimestamp", None)
    return dict(template)


def create_revision(ctrl: Controller, new: NewRevision) -> Obj | None:
    """Create a revision; returns None when the name is taken by a different template."""
    owner_meta = new.owner["metadata"]
    template_labels = ((new.owner["spec"].get("template") or {}).get("metadata") or {}).get(
        "labels"
    ) or {}
    meta: Obj = {
        "name": new.name,
        "namespace": owner_meta["namespace"],
        "labels": dict(sorted({**template_labels, HASH_LABEL: new.hash}.items())),
    }
    if owner_meta.get("annotations"):
        meta["annotations"] = dict(owner_meta["annotations"])
    meta["ownerReferences"] = [pu.controller_ref(new.owner, new.kind)]
    body = {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": meta,
        "data": new.data,
        "revision": new.revision,
    }
    try:
        return ctrl.registry.create(REVISIONS, owner_meta["namespace"], body, ctrl.ctx()).obj
    except api_status.StatusError as err:
        if err.reason != "AlreadyExists":
            raise
    existing = ctrl.emu.storage.get(REVISIONS.key, owner_meta["namespace"], new.name)
    if (
        existing is not None
        and existing.obj.get("data") == new.data
        and pu.is_controlled_by(existing.obj, owner_meta["uid"])
    ):
        return existing.obj
    return None


def set_revision(ctrl: Controller, revision: Obj, number: int) -> Obj:
    """Move a revision to a new number (a template that came back becomes the newest)."""
    if revision.get("revision") == number:
        return revision

    def apply(obj: Obj) -> None:
        obj["revision"] = number

    meta = revision["metadata"]
    stored = ctrl.registry.mutate(REVISIONS, meta["namespace"], meta["name"], apply, ctrl.ctx())
    return revision if stored is None else stored.obj


def truncate(ctrl: Controller, old: list[Obj], live: set[str], excess: int) -> None:
    """Delete up to `excess` of the oldest revisions whose names or hashes are not `live`."""
    candidates = [
        cr
        for cr in sorted(old, key=lambda c: c.get("revision", 0))
        if cr["metadata"]["name"] not in live
        and (cr["metadata"].get("labels") or {}).get(HASH_LABEL) not in live
    ]
    for cr in candidates[: max(excess, 0)]:
        meta = cr["metadata"]
        try:
            ctrl.registry.delete(
                REVISIONS, meta["namespace"], meta["name"], DeleteOptions(), ctrl.ctx()
            )
        except api_status.StatusError as err:
            if err.code != 404:
                raise


def next_revision(revisions: Iterable[Obj]) -> int:
    """One more than the highest revision number."""
    return max((int(cr.get("revision", 0)) for cr in revisions), default=0) + 1
