"""OpenAPI v3 documents (and the v2 endpoint) as kubectl reads them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from kubesim.api.resources import TABLE
from kubesim.schema.loader import load_definitions
from kubesim.schema.openapi import OpenAPIV3, document, index, v3_document, v3_index
from kubesim.schema.swagger import PROTOBUF_V2, v2_response

SMP = "application/strategic-merge-patch+json"


def _doc(path: str) -> dict[str, Any]:
    found = v3_document(path)
    assert found is not None
    return json.loads(found[0])


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _types(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "type" and not isinstance(value, dict):
                yield value
            elif key != "properties":
                yield from _types(value)
            else:
                for prop in value.values():
                    yield from _types(prop)
    elif isinstance(node, list):
        for item in node:
            yield from _types(item)


def _patch_op_for(spec: dict[str, Any], group: str, version: str, kind: str) -> dict[str, Any]:
    """The PATCH operation kubectl's query-param verifier finds for a GVK."""
    wanted = {"group": group, "version": version, "kind": kind}
    for item in spec["paths"].values():
        op = item.get("patch")
        if op and op.get("x-kubernetes-group-version-kind") == wanted:
            return op
    raise AssertionError(f"no PATCH operation for {wanted}")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """PatchMetaFromOpenAPIV3's resolve(): first allOf member, then the $ref."""
    if schema.get("allOf"):
        schema = schema["allOf"][0]
    ref = schema.get("$ref", "")
    if ref:
        return spec["components"]["schemas"][ref.removeprefix("#/components/schemas/")]
    return schema


def test_the_index_lists_every_group_version_with_a_hash_of_its_document() -> None:
    paths = json.loads(v3_index())["paths"]
    assert {"api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "version"} <= set(paths)
    for res in TABLE.resources:
        key = f"apis/{res.group}/{res.version}" if res.group else f"api/{res.version}"
        assert key in paths
    url = paths["apis/apps/v1"]["serverRelativeURL"]
    body, digest = v3_document("apis/apps/v1") or (b"", "")
    assert digest == hashlib.sha512(body).hexdigest().upper()
    assert url == f"/openapi/v3/apis/apps/v1?hash={digest}"


def test_documents_are_byte_for_byte_stable_across_builds() -> None:
    fresh = OpenAPIV3(load_definitions(), "v1.30.0", TABLE.resources)
    assert fresh.index() == v3_index()
    assert fresh.document_for("api/v1").body == (v3_document("api/v1") or (b"",))[0]


def test_index_and_document_return_bodies_with_their_hashes() -> None:
    body, digest = index()
    assert digest == hashlib.sha512(body).hexdigest().upper()
    assert document("apis/apps/v1") == v3_document("apis/apps/v1")
    assert document("apis/nope/v1") is None


def test_every_patchable_kind_documents_field_validation_and_strategic_merge() -> None:
    for res in TABLE.resources:
        if "patch" not in res.verbs:
            continue
        spec = _doc(f"apis/{res.group}/{res.version}" if res.group else f"api/{res.version}")
        op = _patch_op_for(spec, res.group, res.version, res.kind)
        names = [param["name"] for param in op["parameters"]]
        assert {"fieldValidation", "fieldManager", "dryRun", "force"} <= set(names), res.kind
        assert set(op["requestBody"]["content"]) == {
            "application/json-patch+json",
            "application/merge-patch+json",
            SMP,
            "application/apply-patch+yaml",
        }
        assert op["x-kubernetes-action"] == "patch"


def test_every_reference_resolves_within_its_document() -> None:
    for path in json.loads(v3_index())["paths"]:
        spec = _doc(path)
        schemas = spec["components"]["schemas"]
        for ref in _refs(spec):
            assert ref.startswith("#/components/schemas/")
            assert ref.removeprefix("#/components/schemas/") in schemas, (path, ref)


def test_schemas_use_single_types_and_wrap_annotated_references_in_all_of() -> None:
    schemas = _doc("apis/apps/v1")["components"]["schemas"]
    spec = schemas["io.k8s.api.apps.v1.DeploymentSpec"]
    assert spec["properties"]["replicas"] == {
        "description": spec["properties"]["replicas"]["description"],
        "type": "integer",
        "format": "int32",
    }
    strategy = spec["properties"]["strategy"]
    assert strategy["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy"}
    ]
    assert strategy["x-kubernetes-patch-strategy"] == "retainKeys"
    surge = schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert (surge["type"], surge["format"]) == ("string", "int-or-string")
    assert all(isinstance(kind, str) and kind != "null" for kind in _types(schemas))
    assert "enum" not in schemas["io.k8s.api.apps.v1.Deployment"]["properties"]["kind"]


def test_kinds_carry_their_group_version_kind_for_apply_and_explain() -> None:
    schemas = _doc("apis/apps/v1")["components"]["schemas"]
    assert schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "kind": "Deployment", "version": "v1"}
    ]


def test_kubectl_can_walk_to_the_merge_key_of_containers_like_patch_meta_v3() -> None:
    spec = _doc("apis/apps/v1")
    node = spec["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
    for field in ("spec", "template", "spec"):
        node = _resolve(spec, node["properties"][field])
    containers = node["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert "image" in _resolve(spec, containers["items"])["properties"]


def test_subresources_document_their_own_kind() -> None:
    spec = _doc("apis/apps/v1")
    scale = spec["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]
    assert scale["patch"]["x-kubernetes-group-version-kind"] == {
        "group": "autoscaling",
        "kind": "Scale",
        "version": "v1",
    }
    assert scale["patch"]["operationId"] == "patchAppsV1NamespacedDeploymentScale"
    assert [p["name"] for p in scale["parameters"]] == ["name", "namespace", "pretty"]


@pytest.mark.parametrize(
    ("path", "method", "operation_id", "action"),
    [
        ("/api/v1/namespaces/{namespace}/secrets", "get", "listCoreV1NamespacedSecret", "list"),
        ("/api/v1/namespaces/{namespace}/secrets", "delete",
         "deleteCoreV1CollectionNamespacedSecret", "deletecollection"),
        ("/api/v1/nodes/{name}", "put", "replaceCoreV1Node", "put"),
        ("/api/v1/watch/namespaces/{namespace}/pods", "get", "watchCoreV1NamespacedPodList",
         "watchlist"),
        ("/api/v1/pods", "get", "listCoreV1PodForAllNamespaces", "list"),
        ("/api/v1/namespaces/{namespace}/pods/{name}/eviction", "post",
         "createCoreV1NamespacedPodEviction", "post"),
    ],
)  # fmt: skip
def test_operations_are_named_like_the_real_servers(
    path: str, method: str, operation_id: str, action: str
) -> None:
    op = _doc("api/v1")["paths"][path][method]
    assert (op["operationId"], op["x-kubernetes-action"]) == (operation_id, action)


def test_v2_answers_protobuf_clients_with_an_empty_document() -> None:
    content_type, body, _ = v2_response(
        "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    )
    assert (content_type, body) == (PROTOBUF_V2, b"")


def test_v2_answers_json_clients_with_a_swagger_document() -> None:
    content_type, body, digest = v2_response("application/json")
    spec = json.loads(body)
    assert (content_type, spec["swagger"]) == ("application/json", "2.0")
    assert digest == hashlib.sha512(body).hexdigest().upper()
    patch = spec["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert SMP in patch["consumes"]
    assert "fieldValidation" in [param["name"] for param in patch["parameters"]]
    for ref in _refs(spec):
        assert ref.removeprefix("#/definitions/") in spec["definitions"]
