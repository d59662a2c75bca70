"""Field sets in the FieldsV1 encoding, and paths as conflict messages print them."""

from __future__ import annotations

import json

import pytest

from kubesim.patching import fieldpath as fp


def test_members_with_children_are_marked_with_a_dot_listed_first() -> None:
    labels = ("f:metadata", "f:labels")
    tree = fp.to_fields_v1([labels, (*labels, "f:app")])
    assert json.dumps(tree) == '{"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}'


def test_children_are_ordered_fields_then_keys_then_values() -> None:
    base = ("f:spec",)
    members = [
        (*base, fp.value("x")),
        (*base, fp.key({"containerPort": 8080, "protocol": "TCP"})),
        (*base, fp.key({"containerPort": 80, "protocol": "TCP"})),
        (*base, "f:b"),
        (*base, "f:a"),
    ]
    assert list(fp.to_fields_v1(members)["f:spec"]) == [
        "f:a",
        "f:b",
        'k:{"containerPort":80,"protocol":"TCP"}',
        'k:{"containerPort":8080,"protocol":"TCP"}',
        'v:"x"',
    ]


def test_fields_v1_round_trips() -> None:
    tree = {
        "f:metadata": {"f:finalizers": {".": {}, 'v:"a"': {}}},
        "f:spec": {"f:containers": {'k:{"name":"app"}': {".": {}, "f:image": {}}}},
    }
    members = fp.from_fields_v1(tree)
    assert members == {
        ("f:metadata", "f:finalizers"),
        ("f:metadata", "f:finalizers", 'v:"a"'),
        ("f:spec", "f:containers", 'k:{"name":"app"}'),
        ("f:spec", "f:containers", 'k:{"name":"app"}', "f:image"),
    }
    assert fp.to_fields_v1(members) == tree


@pytest.mark.parametrize("tree", [[], {"x:bad": {}}, {"f:spec": "leaf"}])
def test_malformed_fields_v1_is_rejected(tree: object) -> None:
    with pytest.raises(ValueError):
        fp.from_fields_v1(tree)


def test_paths_print_like_structured_merge_diff() -> None:
    path = ("f:spec", "f:template", "f:spec", "f:containers", fp.key({"name": "app"}), "f:image")
    assert fp.path_string(path) == '.spec.template.spec.containers[name="app"].image'
    ports = ("f:ports", fp.key({"protocol": "TCP", "containerPort": 80}))
    assert fp.path_string(ports) == '.ports[containerPort=80,protocol="TCP"]'
    assert (
        fp.path_string(("f:metadata", "f:finalizers", fp.value("x")))
        == '.metadata.finalizers[="x"]'
    )


def test_keys_and_values_use_go_json_escaping() -> None:
    assert fp.key({"name": "a<b"}) == 'k:{"name":"a\\u003cb"}'
    assert fp.value("x&y") == 'v:"x\\u0026y"'
