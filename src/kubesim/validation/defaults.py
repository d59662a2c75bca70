"""Defaulting of the non-pod kinds (`pkg/apis/{core,apps,autoscaling}/v1*/defaults.go`) and the
stateless parts of the strategies that complete an object before validation (namespace
finalizers and phase, service IP-family fields).
"""

from __future__ import annotations

from typing import Any

from kubesim.validation.defaults_pod import template_defaults

Obj = dict[str, Any]

NAME_LABEL = "kubernetes.io/metadata.name"


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    return spec


def _default(holder: Obj, name: str, value: Any) -> None:
    if holder.get(name) is None:
        holder[name] = value


def deployment_defaults(obj: Obj) -> None:
    """`SetDefaults_Deployment` and its template."""
    spec = _spec(obj)
    _default(spec, "replicas", 1)
    strategy = spec.get("strategy")
    if not isinstance(strategy, dict):
        strategy = spec["strategy"] = {}
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        if not isinstance(strategy.get("rollingUpdate"), dict):
            strategy["rollingUpdate"] = {}
        _default(strategy["rollingUpdate"], "maxUnavailable", "25%")
        _default(strategy["rollingUpdate"], "maxSurge", "25%")
    _default(spec, "revisionHistoryLimit", 10)
    _default(spec, "progressDeadlineSeconds", 600)
    template_defaults(spec.get("template"))


def replica_set_defaults(obj: Obj) -> None:
    """`SetDefaults_ReplicaSet` and its template."""
    spec = _spec(obj)
    _default(spec, "replicas", 1)
    template_defaults(spec.get("template"))


def daemon_set_defaults(obj: Obj) -> None:
    """`SetDefaults_DaemonSet` and its template."""
    spec = _spec(obj)
    strategy = spec.get("updateStrategy")
    if not isinstance(strategy, dict):
        strategy = spec["updateStrategy"] = {}
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        if not isinstance(strategy.get("rollingUpdate"), dict):
            strategy["rollingUpdate"] = {}
        _default(strategy["rollingUpdate"], "maxUnavailable", 1)
        _default(strategy["rollingUpdate"], "maxSurge", 0)
    _default(spec, "revisionHistoryLimit", 10)
    template_defaults(spec.get("template"))


def _claim_template(claim: Any) -> None:
    if not isinstance(claim, dict):
        return
    claim.setdefault("apiVersion", "v1")
    claim.setdefault("kind", "PersistentVolumeClaim")
    if isinstance(claim.get("spec"), dict):
        _default(claim["spec"], "volumeMode", "Filesystem")
    claim.setdefault("status", {"phase": "Pending"})


def stateful_set_defaults(obj: Obj) -> None:
    """`SetDefaults_StatefulSet` (StatefulSetAutoDeletePVC on, as in 1.30) and its template."""
    spec = _spec(obj)
    if not spec.get("podManagementPolicy"):
        spec["podManagementPolicy"] = "OrderedReady"
    strategy = spec.get("updateStrategy")
    if not isinstance(strategy, dict):
        strategy = spec["updateStrategy"] = {}
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        if not isinstance(strategy.get("rollingUpdate"), dict):
            strategy["rollingUpdate"] = {}
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
        _default(rolling, "partition", 0)
    policy = spec.get("persistentVolumeClaimRetentionPolicy")
    if not isinstance(policy, dict):
        policy = spec["persistentVolumeClaimRetentionPolicy"] = {}
    for name in ("whenDeleted", "whenScaled"):
        if not policy.get(name):
            policy[name] = "Retain"
    _default(spec, "replicas", 1)
    _default(spec, "revisionHistoryLimit", 10)
    for claim in spec.get("volumeClaimTemplates") or []:
        _claim_template(claim)
    template_defaults(spec.get("template"))


def _service_ports(spec: Obj) -> None:
    for port in spec.get("ports") or []:
        if not isinstance(port, dict):
            continue
        if not port.get("protocol"):
            port["protocol"] = "TCP"
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port", 0)


def _service_ips(spec: Obj) -> None:
    # NormalizeClusterIPs: clusterIP and clusterIPs[0] always agree.
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    elif spec.get("clusterIPs") and not spec.get("clusterIP"):
        spec["clusterIP"] = spec["clusterIPs"][0]
    if spec.get("type") == "ExternalName" or not spec.get("clusterIP"):
        # Without a cluster IP (an update that leaves it out) the families come from the stored
        # object, restored together with the address before validation.
        return
    headless = spec.get("clusterIP") == "None"
    if spec.get("ipFamilyPolicy") is None:
        selectorless = headless and not spec.get("selector")
        spec["ipFamilyPolicy"] = "RequireDualStack" if selectorless else "SingleStack"
    if not spec.get("ipFamilies"):
        dual = spec["ipFamilyPolicy"] == "RequireDualStack"
        spec["ipFamilies"] = ["IPv4", "IPv6"] if dual else ["IPv4"]


def service_defaults(obj: Obj) -> None:
    """`SetDefaults_Service` plus the IP-family fields the service REST storage fills in."""
    spec = _spec(obj)
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    _service_ports(spec)
    kind = spec["type"]
    external = kind in ("LoadBalancer", "NodePort") or bool(
        kind == "ClusterIP" and spec.get("externalIPs")
    )
    if external and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and kind in (
        "ClusterIP",
        "NodePort",
        "LoadBalancer",
    ):
        spec["internalTrafficPolicy"] = "Cluster"
    if kind == "LoadBalancer":
        _default(spec, "allocateLoadBalancerNodePorts", True)
    _service_ips(spec)


def secret_defaults(obj: Obj) -> None:
    """`SetDefaults_Secret`."""
    if not obj.get("type"):
        obj["type"] = "Opaque"


def namespace_defaults(obj: Obj) -> None:
    """`SetDefaults_Namespace`, the `kubernetes` finalizer and the Active phase."""
    name = obj["metadata"].get("name")
    if name:
        labels = obj["metadata"].get("labels")
        if not isinstance(labels, dict):
            labels = obj["metadata"]["labels"] = {}
        labels[NAME_LABEL] = name
    spec = _spec(obj)
    if spec.get("finalizers") is None:
        spec["finalizers"] = ["kubernetes"]
    status = obj.get("status")
    if not isinstance(status, dict):
        status = obj["status"] = {}
    if not status.get("phase"):
        status["phase"] = "Active"


def node_defaults(obj: Obj) -> None:
    """`SetDefaults_NodeStatus`: allocatable defaults to capacity."""
    status = obj.get("status")
    if isinstance(status, dict) and status.get("capacity") and status.get("allocatable") is None:
        status["allocatable"] = dict(status["capacity"])


def hpa_defaults(obj: Obj) -> None:
    """`SetDefaults_HorizontalPodAutoscaler` (autoscaling/v2)."""
    spec = _spec(obj)
    _default(spec, "minReplicas", 1)
    if not spec.get("metrics"):
        target = {"type": "Utilization", "averageUtilization": 80}
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": target}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        _scaling_rules(behavior, "scaleUp", _SCALE_UP)
        _scaling_rules(behavior, "scaleDown", _SCALE_DOWN)


_SCALE_UP: Obj = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15},
    ],
}
_SCALE_DOWN: Obj = {
    "selectPolicy": "Max",
    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}


def _scaling_rules(behavior: Obj, name: str, defaults: Obj) -> None:
    rules = behavior.get(name)
    if not isinstance(rules, dict):
        rules = behavior[name] = {}
    for key, value in defaults.items():
        if rules.get(key) is None:
            rules[key] = [dict(p) for p in value] if isinstance(value, list) else value
