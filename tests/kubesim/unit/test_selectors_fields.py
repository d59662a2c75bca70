"""Field selectors: syntax and escaping, supported fields per kind, matching and request names."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.api.fieldselectors import (
    FieldSelector,
    check_supported,
    escape_value,
    field_values,
    name_from_selector,
    parse_field_selector,
)
from kubesim.api.status import StatusError

RBAC = "rbac.authorization.k8s.io"
DEFAULT_MESSAGE = 'is not a known field selector: only "metadata.name", "metadata.namespace"'


def bad_request(text: str, group: str = "", resource: str = "pods") -> str:
    with pytest.raises(StatusError) as info:
        check_supported(group, resource, parse_field_selector(text))
    assert (info.value.code, info.value.reason) == (400, "BadRequest")
    return info.value.message


def pod(**overrides: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "metadata": {"name": "web-1", "namespace": "shop"},
        "spec": {
            "nodeName": "node-a",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "serviceAccountName": "default",
        },
        "status": {"phase": "Running", "podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}]},
    }
    obj.update(overrides)
    return obj


@pytest.mark.parametrize(
    ("text", "rendered"),
    [
        ("metadata.name=a", "metadata.name=a"),
        ("metadata.name==a", "metadata.name=a"),
        ("status.phase!=Running", "status.phase!=Running"),
        ("b=2,a=1", "a=1,b=2"),
        (r"a=x\,y", r"a=x\,y"),
        (r"a=x\=y\\z", r"a=x\=y\\z"),
        ("a=", "a="),
        ("", ""),
        (",", ""),
    ],
)
def test_the_parser_sorts_terms_and_renders_them_escaped(text: str, rendered: str) -> None:
    assert str(parse_field_selector(text)) == rendered


def test_escaped_commas_and_equals_are_data() -> None:
    selector = parse_field_selector(r"a=x\,y\=z")
    assert selector.matches({"a": "x,y=z"})
    assert escape_value("x,y=z\\") == r"x\,y\=z\\"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x", "invalid selector: 'x'; can't understand 'x'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        (r"a=b\x", r"invalid field selector: invalid escape sequence: \x"),
        ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
        ("a=b=c", "invalid field selector: unescaped character in value: 61"),
        (r"a\=b=c", "invalid field selector: unescaped character in value: 61"),
    ],
)
def test_unparseable_selectors_are_400_with_the_go_message(text: str, message: str) -> None:
    with pytest.raises(StatusError) as info:
        parse_field_selector(text)
    assert (info.value.code, info.value.message) == (400, message)


def test_kinds_with_a_conversion_function_reject_unknown_labels_tersely() -> None:
    assert bad_request("spec.foo=x") == "field label not supported: spec.foo"
    assert bad_request("metadata.namespace=x", resource="nodes") == (
        "field label not supported: metadata.namespace"
    )
    assert bad_request("type=x", resource="configmaps") == f'"type" {DEFAULT_MESSAGE}'


def test_other_kinds_only_know_name_and_namespace() -> None:
    assert bad_request("spec.replicas=1", "apps", "deployments") == (
        f'"spec.replicas" {DEFAULT_MESSAGE}'
    )
    assert bad_request("status.phase=x", RBAC, "roles") == f'"status.phase" {DEFAULT_MESSAGE}'


def test_the_first_unsupported_label_in_sorted_order_is_reported() -> None:
    assert bad_request("zeta=1,alpha=2") == "field label not supported: alpha"


@pytest.mark.parametrize(
    ("group", "resource", "text"),
    [
        ("", "pods", "spec.nodeName=n,status.phase=Running,spec.hostNetwork=false"),
        ("", "pods", "status.podIPs=x,status.nominatedNodeName=,spec.restartPolicy=Always"),
        ("", "nodes", "spec.unschedulable=true,metadata.name=n"),
        ("", "secrets", "type=Opaque,metadata.namespace=a"),
        ("", "namespaces", "status.phase=Active"),
        ("", "services", "spec.type=ClusterIP,spec.clusterIP=None"),
        ("", "events", "involvedObject.kind=Pod,reason=x,source=y,reportingComponent=z,type=N"),
        (RBAC, "clusterroles", "metadata.name=a,metadata.namespace="),
        ("apps", "deployments", "metadata.namespace=x"),
    ],
)
def test_supported_labels_pass_the_check(group: str, resource: str, text: str) -> None:
    selector = parse_field_selector(text)
    assert check_supported(group, resource, selector) == selector


def test_spec_host_is_an_alias_of_spec_node_name_for_pods() -> None:
    checked = check_supported("", "pods", parse_field_selector("spec.host=node-a"))
    assert str(checked) == "spec.nodeName=node-a"
    assert checked.matches(field_values("", "pods", pod()))
    # Callers matching the unconverted selector still get the same answer.
    assert parse_field_selector("spec.host=node-a").matches(field_values("", "pods", pod()))


def test_pod_fields_follow_the_registry_selectable_fields() -> None:
    values = field_values("", "pods", pod())
    assert values["metadata.name"] == "web-1"
    assert values["metadata.namespace"] == "shop"
    assert values["spec.hostNetwork"] == "false"
    assert values["status.podIP"] == "10.0.0.5"
    assert "status.podIPs" not in values
    assert field_values("", "pods", pod(spec={"hostNetwork": True}))["spec.hostNetwork"] == "true"


def test_pod_ip_falls_back_to_the_first_pod_ips_entry() -> None:
    obj = pod(status={"podIPs": [{"ip": "fd00::1"}, {"ip": "10.1.1.1"}]})
    assert field_values("", "pods", obj)["status.podIP"] == "fd00::1"


def test_node_fields_render_unschedulable_as_a_go_bool() -> None:
    node = {"metadata": {"name": "n1"}, "spec": {"unschedulable": True}}
    assert field_values("", "nodes", node) == {
        "metadata.name": "n1",
        "spec.unschedulable": "true",
    }
    assert field_values("", "nodes", {"metadata": {"name": "n2"}})["spec.unschedulable"] == "false"


def test_event_source_falls_back_to_the_reporting_controller() -> None:
    event = {"metadata": {"name": "e", "namespace": "d"}, "reportingComponent": "kubelet"}
    values = field_values("", "events", event)
    assert values["source"] == "kubelet"
    assert values["reportingComponent"] == "kubelet"
    assert values["involvedObject.name"] == ""


def test_cluster_scoped_default_kinds_have_no_namespace_field() -> None:
    role = {"metadata": {"name": "view"}}
    assert field_values(RBAC, "clusterroles", role) == {"metadata.name": "view"}
    assert parse_field_selector("metadata.namespace=").matches(
        field_values(RBAC, "clusterroles", role)
    )
    assert not parse_field_selector("metadata.namespace=x").matches({"metadata.name": "view"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status.phase=Running", True),
        ("status.phase!=Running", False),
        ("status.phase==Running,spec.nodeName=node-a", True),
        ("status.phase=Running,spec.nodeName=node-b", False),
        ("status.nominatedNodeName=", True),
        ("status.nominatedNodeName!=", False),
    ],
)
def test_matching_compares_against_the_selectable_fields(text: str, expected: bool) -> None:
    assert parse_field_selector(text).matches(field_values("", "pods", pod())) is expected


def test_a_bound_matcher_agrees_with_field_values_matching() -> None:
    objects = [pod(), pod(status={"phase": "Pending"}), pod(spec={"nodeName": "node-b"})]
    selector = parse_field_selector("status.phase=Running,spec.nodeName=node-a")
    predicate = selector.matcher("", "pods")
    assert [predicate(o) for o in objects] == [
        selector.matches(field_values("", "pods", o)) for o in objects
    ]
    assert [predicate(o) for o in objects] == [True, False, False]


def test_an_empty_selector_matches_everything() -> None:
    assert FieldSelector().empty
    assert parse_field_selector("").matches({})


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("metadata.name=web", "web"),
        ("metadata.name==web,status.phase=Running", "web"),
        ("status.phase=Running", None),
        ("metadata.name!=web", None),
        ("metadata.name=a/b", None),
        ("metadata.name=..", None),
        ("metadata.name=a%2F", None),
        ("metadata.name=web,bad", None),
    ],
)
def test_the_request_name_comes_from_an_exact_metadata_name_term(
    text: str, name: str | None
) -> None:
    assert name_from_selector(text) == name


def test_the_request_name_can_be_read_from_a_parsed_selector() -> None:
    assert name_from_selector(parse_field_selector("metadata.name=x")) == "x"
