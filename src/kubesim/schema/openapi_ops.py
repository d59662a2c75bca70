"""The operations of a group/version as the API server documents them in OpenAPI.

Every served resource gets its collection, item, watch and subresource paths, with the
operations its verbs allow (see `openapi_templates`), the `x-kubernetes-action` and
`x-kubernetes-group-version-kind` extensions, and the parameters kubectl looks for
(`fieldValidation` on every PATCH).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kubesim.api.resources import ResourceType
from kubesim.schema import openapi_params as p
from kubesim.schema import openapi_templates as t
from kubesim.schema.loader import GVK, Definitions
from kubesim.schema.openapi_model import (
    ANY,
    RESOURCE_LIST,
    STATUS,
    Operation,
    PathItem,
    Spec,
    article,
    camel_group,
    group_prefix,
    responses,
)
from kubesim.schema.openapi_subresources import SubresourceOps


class GroupVersionOps:
    """Builds the documented paths of one group/version."""

    def __init__(self, definitions: Definitions, group: str, version: str) -> None:
        self.defs = definitions
        self.prefix = group_prefix(group, version)
        camel = camel_group(group)
        self.tag = f"{camel}_{version}"
        self.id_part = camel[:1].upper() + camel[1:] + version[:1].upper() + version[1:]
        self.paths: dict[str, PathItem] = {}

    def definition(self, gvk: GVK) -> str:
        """The definition name of a kind (empty if the schema lacks it)."""
        return self.defs.name_of(gvk) or ""

    def path(self, path: str, params: Iterable[p.Param]) -> PathItem:
        """The path item for `path`, created on first use (shared params sorted by name)."""
        found = self.paths.get(path)
        if found is None:
            found = PathItem(path, tuple(sorted(params, key=lambda param: param.name)))
            self.paths[path] = found
        return found

    def render(self, template: t.Template, spec: Spec, names: Mapping[str, str]) -> Operation:
        """The operation `template` describes for `spec`.

        `names` maps the template placeholders (`kind`, `list`, `deleted`) to definition
        names and carries `sub`, the subresource name used in descriptions.
        """
        scope = "Namespaced" if spec.namespaced else ""
        suffix = template.suffix or spec.suffix
        op_id = f"{template.verb}{self.id_part}{template.infix}{scope}{spec.kind}{suffix}"
        text = template.text.format(
            kind=spec.kind, article=article(spec.kind), sub=names.get("sub", "")
        )
        body = names.get(template.body, template.body)
        result = names.get(template.result, template.result)
        return Operation(template.method, template.action, op_id, text, self.tag, spec.gvk,
                         template.params, body, template.body_types if body else ANY,
                         template.body_required, responses(result, *template.codes),
                         template.produces)  # fmt: skip

    def build(self, resources: Iterable[ResourceType]) -> list[PathItem]:
        """All documented paths of the group/version, in path order."""
        root = self.path(self.prefix + "/", ())
        op_id = f"get{self.id_part}APIResources"
        root.ops.append(Operation("get", "", op_id, "get available resources", self.tag, None,
                                  responses=responses(RESOURCE_LIST, "200")))  # fmt: skip
        for resource in resources:
            ResourceOps(self, resource).build()
        return [self.paths[path] for path in sorted(self.paths)]


class ResourceOps:
    """The operations of one resource and its subresources."""

    def __init__(self, gv: GroupVersionOps, res: ResourceType) -> None:
        self.gv = gv
        self.res = res
        gvk = GVK(res.group, res.version, res.kind)
        self.spec = Spec(res.kind, res.namespaced, gvk)
        kind_def = gv.definition(gvk)
        deleted = kind_def if res.resource in ("pods", "services") else STATUS
        self.names = {
            "kind": kind_def,
            "list": gv.definition(GVK(res.group, res.version, res.kind + "List")),
            "deleted": deleted,
        }
        ns = "/namespaces/{namespace}" if res.namespaced else ""
        self.collection = f"{gv.prefix}{ns}/{res.resource}"
        self.scope = (p.NAMESPACE,) if res.namespaced else ()

    def build(self) -> None:
        """Adds the resource's collection, item, watch and subresource paths."""
        verbs = set(self.res.verbs)
        self._add(self.collection, (*self.scope, p.PRETTY), t.COLLECTION, verbs)
        item_params = (p.name_param(self.res.kind), *self.scope, p.PRETTY)
        self._add(self.collection + "/{name}", item_params, t.ITEM, verbs)
        if "watch" in verbs:
            self._watch()
        if "list" in verbs and self.res.namespaced:
            every = self.gv.path(f"{self.gv.prefix}/{self.res.resource}",
                                 (*p.LIST_PARAMS, p.PRETTY))  # fmt: skip
            unscoped = Spec(self.res.kind, False, self.spec.gvk)
            every.ops.append(self.gv.render(t.LIST_ALL, unscoped, self.names))
        for sub in self.res.subresources:
            SubresourceOps(self, sub).build()

    def _add(self, path: str, params: tuple[p.Param, ...],
             templates: Mapping[str, t.Template], verbs: set[str]) -> None:  # fmt: skip
        wanted = [verb for verb in templates if verb in verbs]
        if wanted:
            item = self.gv.path(path, params)
            item.ops.extend(self.gv.render(templates[v], self.spec, self.names) for v in wanted)

    def _watch(self) -> None:
        ns = "/namespaces/{namespace}" if self.res.namespaced else ""
        base = f"{self.gv.prefix}/watch{ns}/{self.res.resource}"
        shared = (*p.LIST_PARAMS, p.PRETTY, *self.scope)
        render = self.gv.render
        self.gv.path(base, shared).ops.append(render(t.WATCH_LIST, self.spec, self.names))
        named = self.gv.path(base + "/{name}", (*shared, p.name_param(self.res.kind)))
        named.ops.append(render(t.WATCH_ONE, self.spec, self.names))
        if self.res.namespaced:
            every = self.gv.path(f"{self.gv.prefix}/watch/{self.res.resource}",
                                 (*p.LIST_PARAMS, p.PRETTY))  # fmt: skip
            unscoped = Spec(self.res.kind, False, self.spec.gvk)
            every.ops.append(render(t.WATCH_ALL, unscoped, self.names))
