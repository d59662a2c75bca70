"""Housekeeping controllers: garbage collection policies and namespace deletion."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from kubesim.api.resources import rt
from kubesim.config import SimConfig
from kubesim.controllers.base import ControllerManager
from kubesim.controllers.gc import GarbageCollector
from kubesim.controllers.namespaces import NamespaceController
from kubesim.controllers.serviceaccounts import RootCACertPublisher, ServiceAccountsController
from kubesim.registry.deletion import DeleteOptions
from kubesim.server.emulator import Emulator

CONTROLLERS = (
    ServiceAccountsController,
    RootCACertPublisher,
    NamespaceController,
    GarbageCollector,
)
Steps = Callable[[Emulator], Awaitable[None]]


def run(steps: Steps) -> None:
    """Run `steps` against a cluster whose controllers have settled."""
    emu = Emulator(SimConfig())
    emu.controllers = ControllerManager(emu, [cls(emu) for cls in CONTROLLERS])

    async def main() -> None:
        emu.controllers.start()
        try:
            assert await emu.settle(10)
            await steps(emu)
        finally:
            emu.controllers.stop()

    asyncio.run(main())


def configmap(
    name: str,
    ns: str = "default",
    owners: list[dict[str, Any]] | None = None,
    finalizers: list[str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if owners:
        meta["ownerReferences"] = owners
    if finalizers:
        meta["finalizers"] = finalizers
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def owner_ref(owner: dict[str, Any], block: bool = False) -> dict[str, Any]:
    ref = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
    }
    if block:
        ref["blockOwnerDeletion"] = True
    return ref


def put(emu: Emulator, manifest: dict[str, Any]) -> dict[str, Any]:
    emu.create(manifest, emu.system_ctx("kubectl-create"))
    found = get(emu, manifest["metadata"]["name"], manifest["metadata"]["namespace"])
    assert found is not None
    return found


def get(emu: Emulator, name: str, ns: str = "default") -> dict[str, Any] | None:
    found = emu.storage.get("/configmaps", ns, name)
    return None if found is None else found.obj


def delete(emu: Emulator, name: str, policy: str | None = None) -> None:
    opts = DeleteOptions(propagation=policy)
    emu.registry.delete(rt("", "configmaps"), "default", name, opts, emu.system_ctx())


def release(emu: Emulator, name: str, ns: str = "default") -> None:
    def drop(obj: dict[str, Any]) -> None:
        obj["metadata"].pop("finalizers", None)

    emu.registry.mutate(rt("", "configmaps"), ns, name, drop, emu.system_ctx())


def test_background_deletion_removes_dependents_left_without_a_live_owner() -> None:
    async def steps(emu: Emulator) -> None:
        owner = put(emu, configmap("owner"))
        other = put(emu, configmap("other"))
        put(emu, configmap("child", owners=[owner_ref(owner)]))
        put(emu, configmap("grandchild", owners=[owner_ref(get(emu, "child") or {})]))
        put(emu, configmap("shared", owners=[owner_ref(owner), owner_ref(other)]))
        delete(emu, "owner")
        assert await emu.settle(5)
        assert get(emu, "child") is None
        assert get(emu, "grandchild") is None
        shared = get(emu, "shared")
        assert shared is not None
        assert shared["metadata"]["ownerReferences"] == [owner_ref(other)]

    run(steps)


def test_an_object_created_with_a_nonexistent_owner_is_collected() -> None:
    async def steps(emu: Emulator) -> None:
        ghost = {"metadata": {"name": "ghost", "uid": "0b6f4c1e-0000-4000-8000-000000000000"}}
        put(emu, configmap("stray", owners=[owner_ref(ghost)]))
        assert await emu.settle(5)
        assert get(emu, "stray") is None

    run(steps)


def test_a_dependent_of_an_owner_kind_the_cluster_does_not_serve_is_left_alone() -> None:
    async def steps(emu: Emulator) -> None:
        sealed = {
            "apiVersion": "bitnami.com/v1alpha1",
            "kind": "SealedSecret",
            "name": "smtp",
            "uid": "8d2c4e61-5f3a-4b9e-a7d0-1c9e8f2b3a54",
            "controller": True,
        }
        put(emu, configmap("unsealed", owners=[sealed]))
        assert await emu.settle(5)
        kept = get(emu, "unsealed")
        assert kept is not None and kept["metadata"]["ownerReferences"] == [sealed]

    run(steps)


def test_foreground_deletion_waits_for_blocking_dependents_then_removes_the_owner() -> None:
    async def steps(emu: Emulator) -> None:
        owner = put(emu, configmap("owner"))
        put(emu, configmap("held", owners=[owner_ref(owner, block=True)], finalizers=["x/hold"]))
        put(emu, configmap("plain", owners=[owner_ref(owner)]))
        delete(emu, "owner", "Foreground")
        assert await emu.settle(5)
        waiting = get(emu, "owner")
        assert waiting is not None
        assert waiting["metadata"]["finalizers"] == ["foregroundDeletion"]
        assert get(emu, "plain") is None
        held = get(emu, "held")
        assert held is not None and held["metadata"]["deletionTimestamp"]
        release(emu, "held")
        assert await emu.settle(5)
        assert get(emu, "held") is None
        assert get(emu, "owner") is None

    run(steps)


def test_orphan_deletion_strips_the_owner_reference_and_keeps_dependents() -> None:
    async def steps(emu: Emulator) -> None:
        owner = put(emu, configmap("owner"))
        keep = put(emu, configmap("keep"))
        put(emu, configmap("child", owners=[owner_ref(owner, block=True)]))
        put(emu, configmap("both", owners=[owner_ref(owner), owner_ref(keep)]))
        delete(emu, "owner", "Orphan")
        assert await emu.settle(5)
        assert get(emu, "owner") is None
        child = get(emu, "child")
        assert child is not None and "ownerReferences" not in child["metadata"]
        both = get(emu, "both")
        assert both is not None and both["metadata"]["ownerReferences"] == [owner_ref(keep)]

    run(steps)


def test_deleting_a_namespace_removes_its_content_and_then_the_namespace() -> None:
    async def steps(emu: Emulator) -> None:
        emu.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
        put(emu, configmap("settings", ns="team"))
        assert await emu.settle(5)
        assert emu.storage.get("/serviceaccounts", "team", "default") is not None
        emu.registry.delete(rt("", "namespaces"), "", "team", DeleteOptions(), emu.system_ctx())
        assert await emu.settle(5)
        assert emu.storage.get("/namespaces", "", "team") is None
        assert list(emu.storage.scan("/configmaps", "team")) == []
        assert list(emu.storage.scan("/serviceaccounts", "team")) == []

    run(steps)


def test_a_terminating_namespace_reports_remaining_content_and_finalizers() -> None:
    async def steps(emu: Emulator) -> None:
        emu.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
        put(emu, configmap("held", ns="team", finalizers=["example.com/hold"]))
        assert await emu.settle(5)
        emu.registry.delete(rt("", "namespaces"), "", "team", DeleteOptions(), emu.system_ctx())
        assert await emu.settle(5)
        ns = emu.storage.get("/namespaces", "", "team")
        assert ns is not None
        assert ns.obj["spec"] == {"finalizers": ["kubernetes"]}
        assert ns.obj["status"]["phase"] == "Terminating"
        conditions = {c["type"]: c for c in ns.obj["status"]["conditions"]}
        assert list(conditions) == [
            "NamespaceDeletionDiscoveryFailure",
            "NamespaceDeletionGroupVersionParsingFailure",
            "NamespaceDeletionContentFailure",
            "NamespaceContentRemaining",
            "NamespaceFinalizersRemaining",
        ]
        remaining = conditions["NamespaceContentRemaining"]
        assert (remaining["status"], remaining["reason"], remaining["message"]) == (
            "True",
            "SomeResourcesRemain",
            "Some resources are remaining: configmaps. has 1 resource instances",
        )
        finalizers = conditions["NamespaceFinalizersRemaining"]
        assert finalizers["message"] == (
            "Some finalizers are remaining: example.com/hold in 1 resource instances"
        )
        assert conditions["NamespaceDeletionContentFailure"]["message"] == (
            "All content successfully deleted, may be waiting on finalization"
        )
        release(emu, "held", ns="team")
        assert await emu.settle(5)
        assert emu.storage.get("/namespaces", "", "team") is None

    run(steps)
