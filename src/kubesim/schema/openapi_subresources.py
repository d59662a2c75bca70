"""The documented operations of subresources: status, scale, eviction, token, log, proxy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubesim.api.resources import Subresource
from kubesim.schema import openapi_params as p
from kubesim.schema import openapi_templates as t
from kubesim.schema.loader import GVK
from kubesim.schema.openapi_model import (
    ANY,
    CONNECT_METHODS,
    LOG_TYPES,
    PROXY_QUERY,
    STRING,
    Operation,
    Spec,
    responses,
)

if TYPE_CHECKING:
    from kubesim.schema.openapi_ops import ResourceOps

_LOG = t.Template("get", "get", "read", "read log of the specified {kind}", p.LOG_PARAMS,
                  result=STRING, produces=LOG_TYPES)  # fmt: skip


class SubresourceOps:
    """The operations of one subresource of a resource."""

    def __init__(self, owner: ResourceOps, sub: Subresource) -> None:
        self.owner = owner
        self.sub = sub
        self.path = f"{owner.collection}/{{name}}/{sub.name}"
        res = owner.res
        group = res.group if sub.group is None else sub.group
        version = res.version if sub.version is None else sub.version
        gvk = GVK(group, version, sub.kind)
        label = sub.name[:1].upper() + sub.name[1:]
        self.spec = Spec(res.kind, res.namespaced, gvk, label)
        self.names = {"kind": owner.gv.definition(gvk), "sub": sub.name}

    def build(self) -> None:
        """Adds the subresource's paths."""
        if self.sub.name == "proxy":
            self._proxy()
            return
        owner = self.owner
        item = owner.gv.path(self.path, (p.name_param(owner.res.kind), *owner.scope, p.PRETTY))
        if self.sub.name == "log":
            item.ops.append(owner.gv.render(_LOG, self.spec, self.names))
            return
        templates = [t.SUBRESOURCE[verb] for verb in self.sub.verbs if verb in t.SUBRESOURCE]
        item.ops.extend(owner.gv.render(tpl, self.spec, self.names) for tpl in templates)

    def _proxy(self) -> None:
        owner = self.owner
        scope = (p.name_param(owner.res.kind), *owner.scope)
        plain = owner.gv.path(self.path, (*scope, PROXY_QUERY))
        nested = owner.gv.path(self.path + "/{path}", (*scope, p.PATH))
        for method in CONNECT_METHODS:
            plain.ops.append(self._connect(method, "Proxy"))
            nested.ops.append(self._connect(method, "ProxyWithPath"))

    def _connect(self, method: str, suffix: str) -> Operation:
        owner = self.owner
        label = method[:1].upper() + method[1:]
        namespaced = "Namespaced" if owner.res.namespaced else ""
        op_id = f"connect{owner.gv.id_part}{label}{namespaced}{owner.res.kind}{suffix}"
        text = f"connect {method.upper()} requests to proxy of {owner.res.kind}"
        return Operation(method, "connect", op_id, text, owner.gv.tag, self.spec.gvk,
                         responses=responses(STRING, "200"), produces=ANY)  # fmt: skip
