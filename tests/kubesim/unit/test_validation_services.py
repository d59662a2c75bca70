"""Services: defaults, port and type rules, cluster IP immutability, and the IP allocator."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest

from kubesim import validation
from kubesim.api.fielderrors import aggregate
from kubesim.api.status import StatusError

Obj = dict[str, Any]


def service(**spec: Any) -> Obj:
    body = {"selector": {"app": "web"}, "ports": [{"port": 80}], **spec}
    return {"metadata": {"name": "web", "namespace": "default"}, "spec": body}


def errors_of(obj: Obj) -> str:
    validation.apply_defaults("", "services", obj)
    errors = validation.validate_create("", "services", obj)
    return aggregate(errors) if errors else ""


def test_a_cluster_ip_service_gets_the_upstream_defaults() -> None:
    obj = service(clusterIP="10.96.0.20")
    validation.apply_defaults("", "services", obj)
    assert obj["spec"] == {
        "selector": {"app": "web"},
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "clusterIP": "10.96.0.20",
        "sessionAffinity": "None",
        "type": "ClusterIP",
        "internalTrafficPolicy": "Cluster",
        "clusterIPs": ["10.96.0.20"],
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
    }


def test_a_headless_service_without_selector_requires_dual_stack() -> None:
    obj = service(clusterIP="None")
    del obj["spec"]["selector"]
    validation.apply_defaults("", "services", obj)
    assert obj["spec"]["ipFamilyPolicy"] == "RequireDualStack"
    assert obj["spec"]["ipFamilies"] == ["IPv4", "IPv6"]
    assert validation.validate_create("", "services", obj) == []


def test_node_port_services_default_the_external_traffic_policy() -> None:
    obj = service(type="NodePort")
    validation.apply_defaults("", "services", obj)
    assert obj["spec"]["externalTrafficPolicy"] == "Cluster"


def test_ports_are_required_unless_headless_or_external_name() -> None:
    assert errors_of(service(ports=[])) == "spec.ports: Required value"
    assert errors_of(service(ports=[], clusterIP="None")) == ""


def test_several_ports_need_names_and_distinct_numbers() -> None:
    ports = [{"port": 80}, {"port": 80, "name": "http"}, {"port": 0, "name": "http"}]
    assert errors_of(service(ports=ports)) == (
        "[spec.ports[0].name: Required value, "
        'spec.ports[2].name: Duplicate value: "http", '
        "spec.ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive, "
        "spec.ports[2].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive, "
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", '
        "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
        'StrVal:""}, NodePort:0}]'
    )


def test_an_unknown_type_and_protocol_are_unsupported() -> None:
    obj = service(type="Internal", ports=[{"port": 80, "protocol": "HTTP"}])
    assert errors_of(obj) == (
        '[spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", '
        '"UDP", spec.type: Unsupported value: "Internal": supported values: "ClusterIP", '
        '"ExternalName", "LoadBalancer", "NodePort"]'
    )


def test_a_cluster_ip_service_may_not_use_node_ports() -> None:
    obj = service(ports=[{"port": 80, "nodePort": 30080}])
    assert errors_of(obj) == (
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    )


def test_a_load_balancer_may_not_expose_the_kubelet_port() -> None:
    obj = service(type="LoadBalancer", ports=[{"port": 10250}])
    assert errors_of(obj) == (
        "spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is "
        "used by kubelet"
    )


def test_an_external_name_service_needs_a_dns_name() -> None:
    assert errors_of(service(type="ExternalName")) == "spec.externalName: Required value"
    assert errors_of(service(type="ExternalName", externalName="db.example.com.")) == ""


def test_a_bad_cluster_ip_is_not_an_ip_address() -> None:
    assert errors_of(service(clusterIP="10.96.0.300")) == (
        'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. '
        "10.9.8.7 or 2001:db8::ffff)"
    )


def stored(**spec: Any) -> Obj:
    obj = service(clusterIP="10.96.0.20", **spec)
    validation.apply_defaults("", "services", obj)
    obj["metadata"].update(uid="u", creationTimestamp="2024-05-01T12:00:00Z")
    return obj


def update_errors(new: Obj, old: Obj) -> str:
    validation.apply_defaults("", "services", new)
    errors = validation.validate_update("", "services", new, old)
    return aggregate(errors) if errors else ""


def test_the_cluster_ip_may_not_change_once_set() -> None:
    old = stored()
    new = copy.deepcopy(old)
    new["spec"]["clusterIP"] = "10.96.0.21"
    new["spec"]["clusterIPs"] = ["10.96.0.21"]
    assert update_errors(new, old) == (
        'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set'
    )


def test_a_replace_without_cluster_ip_keeps_the_allocated_values() -> None:
    old = stored(type="NodePort", ports=[{"port": 80, "nodePort": 30080}])
    new = service(type="NodePort")
    new["metadata"].update(uid="u", creationTimestamp="2024-05-01T12:00:00Z")
    assert update_errors(new, old) == ""
    assert new["spec"]["clusterIPs"] == ["10.96.0.20"]
    assert (new["spec"]["ipFamilyPolicy"], new["spec"]["ipFamilies"]) == ("SingleStack", ["IPv4"])
    assert new["spec"]["ports"][0]["nodePort"] == 30080


def test_the_allocator_hands_out_distinct_addresses_in_range_but_never_the_first() -> None:
    allocator = validation.ClusterIPAllocator(seed=7)
    network = ipaddress.ip_network("10.96.0.0/12")
    addresses = {allocator.allocate() for _ in range(500)}
    assert len(addresses) == 500
    assert all(ipaddress.ip_address(ip) in network for ip in addresses)
    assert "10.96.0.1" not in addresses
    assert all(
        int(ipaddress.ip_address(ip)) - int(network.network_address) >= 256 for ip in addresses
    )


def test_the_kubernetes_service_address_can_be_reserved_once() -> None:
    allocator = validation.ClusterIPAllocator()
    allocator.reserve("10.96.0.1", "kubernetes")
    with pytest.raises(StatusError) as caught:
        allocator.reserve("10.96.0.1", "other")
    assert caught.value.code == 422
    assert caught.value.message == (
        'Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: '
        "failed to allocate IP 10.96.0.1: provided IP is already allocated"
    )


def test_an_address_outside_the_range_cannot_be_reserved() -> None:
    with pytest.raises(StatusError) as caught:
        validation.ClusterIPAllocator().reserve("192.168.0.1", "web")
    assert caught.value.message == (
        'Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.0.1"}: '
        "failed to allocate IP 192.168.0.1: the provided IP (192.168.0.1) is not in the valid "
        "range. The range of valid IPs is 10.96.0.0/12"
    )


def test_a_released_address_can_be_reserved_again() -> None:
    allocator = validation.ClusterIPAllocator()
    allocator.reserve("10.96.0.10")
    allocator.release("10.96.0.10")
    assert not allocator.allocated("10.96.0.10")
    allocator.reserve("10.96.0.10")
    assert allocator.allocated("10.96.0.10")
