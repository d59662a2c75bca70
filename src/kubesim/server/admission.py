"""Admission plugins that need the whole emulator: RBAC escalation checks, ClusterIP allocation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubesim.api.resources import ResourceType
from kubesim.auth import escalation
from kubesim.registry.admission import FunctionPlugin
from kubesim.registry.context import WriteContext
from kubesim.store.storage import Event, EventType
from kubesim.validation import ClusterIPAllocator

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

RBAC = "rbac.authorization.k8s.io"


def install(emu: Emulator) -> None:
    allocator = ClusterIPAllocator()

    def rbac(
        rt: ResourceType, new: dict[str, Any], old: dict[str, Any] | None, ctx: WriteContext
    ) -> None:
        if rt.group != RBAC:
            return
        if rt.resource in ("roles", "clusterroles"):
            escalation.check_role_write(emu.authorizer, ctx.user, rt.resource, new, old)
        else:
            escalation.check_binding_write(emu.authorizer, ctx.user, rt.resource, new, old)

    def cluster_ip(
        rt: ResourceType, new: dict[str, Any], old: dict[str, Any] | None, ctx: WriteContext
    ) -> None:
        if rt.key != "/services" or old is not None:
            return
        spec = new.setdefault("spec", {})
        if spec.get("type") == "ExternalName" or spec.get("clusterIP") == "None":
            return
        if spec.get("clusterIP"):
            allocator.reserve(spec["clusterIP"], new["metadata"].get("name", ""))
        else:
            spec["clusterIP"] = allocator.allocate()
        spec["clusterIPs"] = [spec["clusterIP"]]
        if ctx.dry_run:
            allocator.release(spec["clusterIP"])

    def release(event: Event) -> None:
        if event.key == "/services" and event.type is EventType.DELETED:
            ip = (event.obj.obj.get("spec") or {}).get("clusterIP")
            if ip and ip != "None":
                allocator.release(ip)

    emu.registry.add_admission(FunctionPlugin(rbac))
    emu.registry.add_admission(FunctionPlugin(cluster_ip))
    emu.storage.add_listener(release)
