"""Housekeeping controllers: default ServiceAccounts, the root CA ConfigMap, legacy tokens."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kubesim.api.resources import rt
from kubesim.auth import legacy
from kubesim.config import SimConfig
from kubesim.controllers.aggregation import ClusterRoleAggregationController
from kubesim.controllers.base import ControllerManager
from kubesim.controllers.gc import GarbageCollector
from kubesim.controllers.namespaces import NamespaceController
from kubesim.controllers.nodes import NodeLifecycleController
from kubesim.controllers.serviceaccounts import (
    DESCRIPTION,
    RootCACertPublisher,
    ServiceAccountsController,
)
from kubesim.controllers.tokens import TokenAccountsController, TokenSecretsController
from kubesim.registry.deletion import DeleteOptions
from kubesim.server.emulator import Emulator

HOUSEKEEPING = (
    ServiceAccountsController,
    RootCACertPublisher,
    TokenSecretsController,
    TokenAccountsController,
    NamespaceController,
    GarbageCollector,
    NodeLifecycleController,
    ClusterRoleAggregationController,
)
Steps = Callable[[Emulator], Awaitable[None]]


def run(steps: Steps, **config: Any) -> None:
    """Run `steps` against a cluster whose housekeeping controllers have settled."""
    emu = Emulator(SimConfig(token_fill_delay=0.01, node_taint_delay=0.01, **config))
    emu.controllers = ControllerManager(emu, [cls(emu) for cls in HOUSEKEEPING])

    async def main() -> None:
        emu.controllers.start()
        try:
            assert await emu.settle(10)
            await steps(emu)
        finally:
            emu.controllers.stop()

    asyncio.run(main())


def stored(emu: Emulator, resource: str, namespace: str, name: str) -> dict[str, Any] | None:
    found = emu.storage.get(rt("", resource).key, namespace, name)
    return None if found is None else found.obj


def create(emu: Emulator, manifest: dict[str, Any]) -> dict[str, Any]:
    emu.create(manifest, emu.system_ctx("kubectl-create"))
    meta = manifest["metadata"]
    kind = manifest["kind"].lower() + "s"
    found = stored(emu, kind, meta.get("namespace", ""), meta["name"])
    assert found is not None
    return found


def delete(emu: Emulator, resource: str, namespace: str, name: str) -> None:
    emu.registry.delete(rt("", resource), namespace, name, DeleteOptions(), emu.system_ctx())


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def account(ns: str, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": name, "namespace": ns},
    }


def token_secret(ns: str, name: str, account_name: str, uid: str = "") -> dict[str, Any]:
    annotations = {legacy.SA_NAME: account_name}
    if uid:
        annotations[legacy.SA_UID] = uid
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "type": legacy.TOKEN_TYPE,
    }


def tokens_of(emu: Emulator, ns: str) -> list[dict[str, Any]]:
    secrets = emu.storage.scan("/secrets", ns)
    return [s.obj for s in secrets if s.obj.get("type") == legacy.TOKEN_TYPE]


def test_every_builtin_namespace_gets_a_default_account_and_the_root_ca_configmap() -> None:
    async def steps(emu: Emulator) -> None:
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            assert stored(emu, "serviceaccounts", ns, "default") is not None
            assert stored(emu, "configmaps", ns, "kube-root-ca.crt") is not None

    run(steps)


def test_the_root_ca_configmap_holds_the_cluster_ca_and_the_upstream_description() -> None:
    async def steps(emu: Emulator) -> None:
        create(emu, namespace("team"))
        assert await emu.settle(5)
        configmap = stored(emu, "configmaps", "team", "kube-root-ca.crt")
        assert configmap is not None
        assert configmap["data"] == {"ca.crt": emu.ca.cert_pem.decode()}
        assert configmap["metadata"]["annotations"] == {"kubernetes.io/description": DESCRIPTION}
        assert DESCRIPTION == (
            "Contains a CA bundle that can be used to verify the kube-apiserver when using "
            "internal endpoints such as the internal service IP or kubernetes.default.svc. No "
            "other usage is guaranteed across distributions of Kubernetes clusters."
        )

    run(steps)


def test_an_edited_or_deleted_root_ca_configmap_is_restored() -> None:
    async def steps(emu: Emulator) -> None:
        res = rt("", "configmaps")

        def tamper(obj: dict[str, Any]) -> None:
            obj["data"] = {"ca.crt": "bogus"}

        emu.registry.mutate(res, "default", "kube-root-ca.crt", tamper, emu.system_ctx())
        assert await emu.settle(5)
        restored = stored(emu, "configmaps", "default", "kube-root-ca.crt")
        assert restored is not None
        assert restored["data"]["ca.crt"] == emu.ca.cert_pem.decode()
        delete(emu, "configmaps", "default", "kube-root-ca.crt")
        assert await emu.settle(5)
        assert stored(emu, "configmaps", "default", "kube-root-ca.crt") is not None

    run(steps)


def test_a_deleted_default_service_account_is_recreated_with_a_new_uid() -> None:
    async def steps(emu: Emulator) -> None:
        create(emu, namespace("team"))
        assert await emu.settle(5)
        before = stored(emu, "serviceaccounts", "team", "default")
        assert before is not None
        delete(emu, "serviceaccounts", "team", "default")
        assert await emu.settle(5)
        after = stored(emu, "serviceaccounts", "team", "default")
        assert after is not None
        assert after["metadata"]["uid"] != before["metadata"]["uid"]
        assert "secrets" not in after

    run(steps)


def test_a_manually_created_token_secret_is_filled_for_its_service_account() -> None:
    async def steps(emu: Emulator) -> None:
        sa = create(emu, account("default", "robot"))
        create(emu, token_secret("default", "robot-token", "robot"))
        assert await emu.settle(5)
        secret = stored(emu, "secrets", "default", "robot-token")
        assert secret is not None
        data = secret["data"]
        assert list(data) == ["ca.crt", "namespace", "token"]
        assert base64.b64decode(data["ca.crt"]) == emu.ca.cert_pem
        assert base64.b64decode(data["namespace"]) == b"default"
        user = emu.authn.token(legacy.token_of(secret)).user
        assert user.name == "system:serviceaccount:default:robot"
        assert secret["metadata"]["annotations"][legacy.SA_UID] == sa["metadata"]["uid"]
        account_now = stored(emu, "serviceaccounts", "default", "robot")
        assert account_now is not None and "secrets" not in account_now

    run(steps)


def test_a_token_secret_whose_service_account_is_missing_or_has_another_uid_is_deleted() -> None:
    async def steps(emu: Emulator) -> None:
        create(emu, account("default", "robot"))
        create(emu, token_secret("default", "orphan-token", "nobody"))
        create(emu, token_secret("default", "stale-token", "robot", uid="not-the-uid"))
        assert await emu.settle(5)
        assert stored(emu, "secrets", "default", "orphan-token") is None
        assert stored(emu, "secrets", "default", "stale-token") is None

    run(steps)


def test_deleting_a_service_account_deletes_its_token_secrets_only() -> None:
    async def steps(emu: Emulator) -> None:
        create(emu, account("default", "robot"))
        create(emu, account("default", "other"))
        create(emu, token_secret("default", "robot-token", "robot"))
        create(emu, token_secret("default", "other-token", "other"))
        assert await emu.settle(5)
        delete(emu, "serviceaccounts", "default", "robot")
        assert await emu.settle(5)
        assert stored(emu, "secrets", "default", "robot-token") is None
        assert stored(emu, "secrets", "default", "other-token") is not None

    run(steps)


def test_deleting_a_referenced_token_secret_removes_only_its_reference() -> None:
    async def steps(emu: Emulator) -> None:
        sa = account("default", "robot")
        sa["secrets"] = [{"name": "robot-token"}, {"name": "pull-secret"}]
        create(emu, sa)
        create(emu, token_secret("default", "robot-token", "robot"))
        assert await emu.settle(5)
        delete(emu, "secrets", "default", "robot-token")
        assert await emu.settle(5)
        account_now = stored(emu, "serviceaccounts", "default", "robot")
        assert account_now is not None
        assert account_now["secrets"] == [{"name": "pull-secret"}]
        assert tokens_of(emu, "default") == []

    run(steps)


def test_current_clusters_create_no_token_secret_for_a_new_service_account() -> None:
    async def steps(emu: Emulator) -> None:
        create(emu, account("default", "robot"))
        assert await emu.settle(5)
        account_now = stored(emu, "serviceaccounts", "default", "robot")
        assert account_now is not None and "secrets" not in account_now
        assert [s["metadata"]["name"] for s in tokens_of(emu, "default")] == []

    run(steps)


def test_before_1_24_a_new_service_account_gets_a_referenced_filled_token_secret() -> None:
    async def steps(emu: Emulator) -> None:
        sa = create(emu, account("default", "jenkins"))
        assert await emu.settle(5)
        account_now = stored(emu, "serviceaccounts", "default", "jenkins")
        assert account_now is not None
        [ref] = account_now["secrets"]
        assert ref["name"].startswith("jenkins-token-") and len(ref["name"]) == 19
        secret = stored(emu, "secrets", "default", ref["name"])
        assert secret is not None
        assert secret["metadata"]["annotations"] == {
            legacy.SA_NAME: "jenkins",
            legacy.SA_UID: sa["metadata"]["uid"],
        }
        assert legacy.token_of(secret).startswith("eyJ")

    run(steps, kubernetes_version="1.23.17", legacy_token_autogen=True)


def test_before_1_24_deleting_the_token_secret_brings_a_new_token() -> None:
    async def steps(emu: Emulator) -> None:
        create(emu, account("default", "jenkins"))
        assert await emu.settle(5)
        first = stored(emu, "serviceaccounts", "default", "jenkins")
        assert first is not None
        old_name = first["secrets"][0]["name"]
        old_secret = stored(emu, "secrets", "default", old_name)
        assert old_secret is not None
        delete(emu, "secrets", "default", old_name)
        assert await emu.settle(5)
        second = stored(emu, "serviceaccounts", "default", "jenkins")
        assert second is not None
        [ref] = second["secrets"]
        assert ref["name"] != old_name
        new_secret = stored(emu, "secrets", "default", ref["name"])
        assert new_secret is not None
        assert legacy.token_of(new_secret) != legacy.token_of(old_secret)

    run(steps, kubernetes_version="1.23.17", legacy_token_autogen=True)


def test_before_1_24_a_deleted_namespace_takes_its_generated_tokens_along(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def steps(emu: Emulator) -> None:
        create(emu, namespace("team"))
        create(emu, account("team", "builder"))
        assert await emu.settle(5)
        assert len(tokens_of(emu, "team")) == 2
        delete(emu, "namespaces", "", "team")
        assert await emu.settle(5)
        assert stored(emu, "namespaces", "", "team") is None
        assert tokens_of(emu, "team") == []

    with caplog.at_level(logging.WARNING):
        run(steps, kubernetes_version="1.23.17", legacy_token_autogen=True)
    assert caplog.records == []
