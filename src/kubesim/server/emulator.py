"""The emulator: storage, registry, auth and controllers of one cluster, wired together."""

from __future__ import annotations

import base64
import itertools
import secrets
from typing import Any

import orjson

from kubesim import scenarios
from kubesim.api.requestinfo import RequestInfo
from kubesim.api.resources import TABLE, ResourceType
from kubesim.auth import legacy
from kubesim.auth.authn import LAST_USED, Authenticator
from kubesim.auth.bootstrap import default_cluster_role_bindings, default_cluster_roles
from kubesim.auth.pki import CertificateAuthority
from kubesim.auth.rbac import Authorizer
from kubesim.auth.tokens import TokenIssuer
from kubesim.auth.user import MASTERS, UserInfo
from kubesim.config import SimConfig
from kubesim.control.faults import FaultBook
from kubesim.control.requestlog import RequestLog
from kubesim.controllers.base import ControllerManager
from kubesim.controllers.presettle import presettle
from kubesim.controllers.registry import all_controllers
from kubesim.registry.admission import NamespaceLifecycle
from kubesim.registry.context import WriteContext
from kubesim.registry.patches import MERGE_PATCH
from kubesim.registry.registry import Registry
from kubesim.server import admission, identities
from kubesim.server.rbacsource import StoreRBACSource
from kubesim.store.lists import Lister
from kubesim.store.storage import Storage
from kubesim.store.watch import WatchHub

SYSTEM = UserInfo("system:apiserver", groups=(MASTERS,))
BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class Emulator:
    """One emulated cluster (no I/O: the HTTP server is built around it)."""

    def __init__(self, config: SimConfig | None = None, hosts: tuple[str, ...] = ()) -> None:
        self.config = config or SimConfig()
        self.table = TABLE
        self.storage = Storage(self.config.watch_history)
        self.lister = Lister(self.storage, self.config.continue_ttl)
        self.hub = WatchHub(self.storage)
        self.registry = Registry(self.storage, self.lister, [NamespaceLifecycle(self.storage)])
        self.ca = CertificateAuthority()
        self.serving = self.ca.serving(hosts)
        self.admin = self.ca.client(identities.ADMIN_USER, (MASTERS,))
        self.issuer = TokenIssuer()
        self.authn = Authenticator(self.storage, self.issuer, {})
        self.authorizer = Authorizer(StoreRBACSource(self.storage))
        admission.install(self)
        self.faults = FaultBook()
        self.requests = RequestLog()
        self.controllers = ControllerManager(self, all_controllers(self))
        self._writes = itertools.count(1)
        self._bootstrap()

    def system_ctx(self, manager: str = "kube-apiserver") -> WriteContext:
        return WriteContext(user=SYSTEM, manager=manager, trusted=True)

    def create(self, obj: dict[str, Any], ctx: WriteContext | None = None) -> None:
        """Create a manifest through the normal write path (used for bootstrap and scenarios)."""
        rt = self.table.by_kind(obj["apiVersion"], obj["kind"])
        if rt is None:
            raise ValueError(f"kubesim does not serve {obj['apiVersion']} {obj['kind']}")
        namespace = obj.get("metadata", {}).get("namespace", "") if rt.namespaced else ""
        self.registry.create(rt, namespace, obj, ctx or self.system_ctx())

    def load(self, scenario: str, scale: float = 1.0, presettled: bool | None = None) -> None:
        """Create a scenario's objects; controllers derive the rest once started.

        `presettled` (default: for the `large` scenario) also writes the workloads' ReplicaSets,
        running pods and statuses before the controllers start, as a cluster one connects to
        already has them.
        """
        ctx = self.system_ctx("kubectl-client-side-apply")
        for obj in scenarios.get(scenario, scale).objects():
            ephemeral = _pop_ephemeral(obj)
            self.create(obj, ctx)
            if ephemeral:
                self._add_ephemeral(obj, ephemeral)
        if presettled is None:
            presettled = scenario == "large"
        if presettled:
            presettle(self)

    def _add_ephemeral(self, pod: dict[str, Any], containers: list[Any]) -> None:
        """Add ephemeral containers through their subresource, the only way to add them."""

        def add(obj: dict[str, Any]) -> None:
            obj["spec"]["ephemeralContainers"] = containers

        meta = pod["metadata"]
        rt = self._rt("", "pods")
        self.registry.mutate(
            rt,
            meta["namespace"],
            meta["name"],
            add,
            self.system_ctx("kubectl-debug"),
            subresource="ephemeralcontainers",
        )

    def _bootstrap(self) -> None:
        ctx = self.system_ctx()
        for name in BUILTIN_NAMESPACES:
            self.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, ctx)
        for obj in default_cluster_roles() + default_cluster_role_bindings():
            self.create(obj, ctx)
        self.create(_kubernetes_service(), ctx)
        for obj in identities.manifests():
            self.create(obj, ctx)
        for account in identities.ACCOUNTS:
            self._fill_token(identities.NAMESPACE, identities.token_secret_name(account))

    def _fill_token(self, namespace: str, secret_name: str) -> None:
        rt_secret = self.table.lookup("", "v1", "secrets")
        rt_sa = self.table.lookup("", "v1", "serviceaccounts")
        assert rt_secret is not None and rt_sa is not None
        secret = self.registry.get(rt_secret, namespace, secret_name)
        account = secret.obj["metadata"]["annotations"][legacy.SA_NAME]
        uid = self.registry.get(rt_sa, namespace, account).obj["metadata"]["uid"]

        def fill(obj: dict[str, Any]) -> None:
            legacy.fill(self.issuer, self.ca.cert_pem, obj, uid)

        ctx = self.system_ctx("kube-controller-manager")
        self.registry.mutate(rt_secret, namespace, secret_name, fill, ctx)

    def account_token(self, account: str) -> str:
        rt_secret = self.table.lookup("", "v1", "secrets")
        assert rt_secret is not None
        name = identities.token_secret_name(account)
        return legacy.token_of(self.registry.get(rt_secret, identities.NAMESPACE, name).obj)

    def kubeconfig(self, url: str) -> dict[str, Any]:
        tokens = {account: self.account_token(account) for account in identities.ACCOUNTS}
        return identities.kubeconfig(
            url, self.ca.cert_pem, self.admin.cert_pem, self.admin.key_pem, tokens
        )

    def note_legacy_token_use(self, namespace: str, secret_name: str) -> None:
        """Set `kubernetes.io/legacy-token-last-used` (at most once a day, as upstream)."""
        secret = self.storage.get("/secrets", namespace, secret_name)
        if secret is None or not self.authn.needs_last_used(secret.labels):
            return
        today = self.authn.today().isoformat()
        patch = {"metadata": {"labels": {LAST_USED: today}}}
        rt = self._rt("", "secrets")
        self.registry.patch(
            rt, namespace, secret_name, MERGE_PATCH, orjson.dumps(patch), self.system_ctx()
        )

    def run_concurrent_writer(self, method: str, path: str, info: RequestInfo, user: str) -> None:
        writer = self.faults.writer_for(method, path, info.verb, user)
        if writer is None:
            return
        rt = self.table.lookup(info.api_group, info.api_version, info.resource)
        if rt is None:
            return
        patch = writer.patch or {
            "metadata": {"annotations": {"kubesim.io/concurrent-write": str(next(self._writes))}}
        }
        ctx = WriteContext(user=SYSTEM, manager="concurrent-writer", trusted=True)
        self.registry.patch(rt, info.namespace, info.name, MERGE_PATCH, orjson.dumps(patch), ctx)

    async def settle(self, timeout: float) -> bool:
        return await self.controllers.settle(timeout)

    def issue_credentials(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A client certificate (default) or a static token for any user and groups."""
        user = str(spec.get("user", ""))
        groups = tuple(str(g) for g in spec.get("groups", []))
        if spec.get("kind") == "token":
            token = secrets.token_urlsafe(32)
            self.authn.static_tokens[token] = UserInfo(user, groups=groups)
            return {"token": token}
        pair = self.ca.client(user, groups)
        return {
            "client-certificate-data": base64.b64encode(pair.cert_pem).decode(),
            "client-key-data": base64.b64encode(pair.key_pem).decode(),
        }

    def _rt(self, group: str, resource: str) -> ResourceType:
        for rt in self.table.stored():
            if rt.group == group and rt.resource == resource:
                return rt
        raise KeyError(resource)


def _pop_ephemeral(obj: dict[str, Any]) -> list[Any]:
    if obj.get("kind") != "Pod":
        return []
    containers: list[Any] = (obj.get("spec") or {}).pop("ephemeralContainers", None) or []
    return containers


def _kubernetes_service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": "kubernetes",
            "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"},
        },
        "spec": {
            "clusterIP": "10.96.0.1",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            "sessionAffinity": "None",
            "type": "ClusterIP",
        },
    }
