"""The registry facade: every read and write the HTTP layer and the controllers perform."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kubesim.api import status
from kubesim.api.resources import ResourceType
from kubesim.patching import apply_json_patch, apply_merge_patch, apply_strategic_patch
from kubesim.registry import scale
from kubesim.registry.admission import AdmissionPlugin
from kubesim.registry.context import WriteContext
from kubesim.registry.deletion import DeleteOptions, Deleter, DeleteResult
from kubesim.registry.patches import APPLY_PATCH, JSON_PATCH, MERGE_PATCH, Patcher
from kubesim.registry.reads import Reader
from kubesim.registry.writes import Writer
from kubesim.store.lists import Lister, Page
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Storage

Mutation = Callable[[dict[str, Any]], None]


class Registry:
    """Reads and writes with the real API server's semantics."""

    def __init__(
        self, storage: Storage, lister: Lister, admission: Sequence[AdmissionPlugin] = ()
    ) -> None:
        self.storage = storage
        self.reader = Reader(storage, lister)
        self.writer = Writer(storage, admission)
        self.patcher = Patcher(self.writer)
        self.deleter = Deleter(self.writer)

    def add_admission(self, plugin: AdmissionPlugin) -> None:
        self.writer.admission.append(plugin)

    def get(self, rt: ResourceType, namespace: str, name: str) -> StoredObject:
        return self.reader.get(rt, namespace, name)

    def find(self, rt: ResourceType, namespace: str, name: str) -> StoredObject | None:
        return self.reader.find(rt, namespace, name)

    def list_page(self, rt: ResourceType, namespace: str, query: Mapping[str, str]) -> Page:
        return self.reader.list(rt, namespace, query)

    def create(
        self, rt: ResourceType, namespace: str, body: Any, ctx: WriteContext
    ) -> StoredObject:
        obj = self.writer.decode(rt, body, ctx)
        return self.writer.create(rt, namespace, obj, ctx)

    def update(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Any,
        ctx: WriteContext,
        subresource: str = "",
    ) -> StoredObject:
        current = self.get(rt, namespace, name)
        obj = self.writer.decode(rt, body, ctx)
        return self.writer.update(rt, current, obj, ctx, subresource=subresource)

    def patch(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        content_type: str,
        body: bytes,
        ctx: WriteContext,
        subresource: str = "",
    ) -> tuple[StoredObject, bool]:
        """Returns the object and whether it was created (only apply creates)."""
        if content_type == APPLY_PATCH and not subresource:
            current = self.find(rt, namespace, name)
            return self.patcher.apply(rt, namespace, name, current, body, ctx)
        current = self.get(rt, namespace, name)
        return self.patcher.patch(rt, current, content_type, body, ctx, subresource), False

    def delete(
        self, rt: ResourceType, namespace: str, name: str, opts: DeleteOptions, ctx: WriteContext
    ) -> DeleteResult:
        current = self.get(rt, namespace, name)
        return self.deleter.delete(rt, current, opts, ctx)

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str,
        query: Mapping[str, str],
        opts: DeleteOptions,
        ctx: WriteContext,
    ) -> list[StoredObject]:
        page = self.list_page(rt, namespace, {k: v for k, v in query.items() if k != "limit"})
        deleted = []
        for obj in page.items:
            result = self.deleter.delete(rt, obj, opts, ctx)
            deleted.append(result.body if isinstance(result.body, StoredObject) else obj)
        return deleted

    def mutate(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        mutation: Mutation,
        ctx: WriteContext,
        subresource: str = "",
        attempts: int = 5,
    ) -> StoredObject | None:
        """Read-modify-write with retries on conflict (how controllers write)."""
        for _ in range(attempts):
            current = self.find(rt, namespace, name)
            if current is None:
                return None
            obj = copy.deepcopy(current.obj)
            mutation(obj)
            try:
                return self.writer.update(rt, current, obj, ctx, subresource=subresource)
            except status.StatusError as err:
                if err.code != 409:
                    raise
        return None

    def get_scale(self, rt: ResourceType, namespace: str, name: str) -> dict[str, Any]:
        return scale.to_scale(self.get(rt, namespace, name))

    def update_scale(
        self, rt: ResourceType, namespace: str, name: str, body: Any, ctx: WriteContext
    ) -> dict[str, Any]:
        current = self.get(rt, namespace, name)
        obj = scale.apply_scale(rt, current, body)
        return scale.to_scale(self.writer.update(rt, current, obj, ctx))

    def patch_scale(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        content_type: str,
        body: bytes,
        ctx: WriteContext,
    ) -> dict[str, Any]:
        current = self.get(rt, namespace, name)
        live = scale.to_scale(current)
        if content_type == JSON_PATCH:
            patched = apply_json_patch(live, body)
        elif content_type == MERGE_PATCH:
            patched = apply_merge_patch(live, body)
        else:
            patched = apply_strategic_patch(live, body, ("autoscaling", "v1", "Scale"))
        obj = scale.apply_scale(rt, current, patched)
        return scale.to_scale(self.writer.update(rt, current, obj, ctx))
