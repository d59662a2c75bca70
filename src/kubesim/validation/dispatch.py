"""Per-resource routing of defaulting and validation, as the registry strategies do it.

Update validation starts with the generic registry's common metadata checks, as upstream's
`rest.BeforeUpdate` does, then applies the kind's own update rules. RBAC kinds are handled by
`kubesim.validation.rbac`, imported on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.api.fielderrors import FieldError
from kubesim.api.resources import rt
from kubesim.validation import (
    apps,
    cluster,
    defaults,
    defaults_pod,
    pods,
    policy,
    secrets,
    services,
    workloads,
)
from kubesim.validation.meta import (
    common_update_errors,
    validate_meta_except_name,
    validate_object_meta_update,
)

Obj = dict[str, Any]
Key = tuple[str, str]
Create = Callable[[Obj], list[FieldError]]
Update = Callable[[Obj, Obj], list[FieldError]]

RBAC = "rbac.authorization.k8s.io"
NAME_FIELDS = ("metadata.name", "metadata.generateName")

DEFAULTS: dict[Key, Callable[[Obj], None]] = {
    ("", "pods"): defaults_pod.pod_defaults,
    ("", "services"): defaults.service_defaults,
    ("", "secrets"): defaults.secret_defaults,
    ("", "namespaces"): defaults.namespace_defaults,
    ("", "nodes"): defaults.node_defaults,
    ("apps", "deployments"): defaults.deployment_defaults,
    ("apps", "replicasets"): defaults.replica_set_defaults,
    ("apps", "daemonsets"): defaults.daemon_set_defaults,
    ("apps", "statefulsets"): defaults.stateful_set_defaults,
    ("autoscaling", "horizontalpodautoscalers"): defaults.hpa_defaults,
}

VALIDATORS: dict[Key, tuple[Create, Update]] = {
    ("", "secrets"): (secrets.validate_secret, secrets.validate_secret_update),
    ("", "configmaps"): (secrets.validate_config_map, secrets.validate_config_map_update),
    ("", "serviceaccounts"): (
        cluster.validate_service_account,
        cluster.validate_service_account_update,
    ),
    ("", "namespaces"): (cluster.validate_namespace, cluster.validate_namespace_update),
    ("", "nodes"): (cluster.validate_node, cluster.validate_node_update),
    ("", "events"): (cluster.validate_event, cluster.validate_event_update),
    ("", "pods"): (pods.validate_pod, pods.validate_pod_update),
    ("", "services"): (services.validate_service, services.validate_service_update),
    ("apps", "deployments"): (apps.validate_deployment, apps.validate_deployment_update),
    ("apps", "replicasets"): (apps.validate_replica_set, apps.validate_replica_set_update),
    ("apps", "daemonsets"): (workloads.validate_daemon_set, workloads.validate_daemon_set_update),
    ("apps", "statefulsets"): (
        workloads.validate_stateful_set,
        workloads.validate_stateful_set_update,
    ),
    ("apps", "controllerrevisions"): (
        apps.validate_controller_revision,
        apps.validate_controller_revision_update,
    ),
    ("autoscaling", "horizontalpodautoscalers"): (policy.validate_hpa, policy.validate_hpa_update),
    ("policy", "poddisruptionbudgets"): (policy.validate_pdb, policy.validate_pdb_update),
}


def _rbac_errors(resource: str, obj: Obj, old: Obj | None) -> list[FieldError]:
    """Name errors, the rest of ObjectMeta, then the RBAC rules (`ValidateRole` and friends)."""
    from kubesim.validation.rbac import validate_rbac

    errs = validate_rbac(resource, obj, old)
    split = 0
    while split < len(errs) and errs[split].field in NAME_FIELDS:
        split += 1
    namespaced = resource in ("roles", "rolebindings")
    return errs[:split] + validate_meta_except_name(obj["metadata"], namespaced) + errs[split:]


def _namespaced(group: str, resource: str) -> bool:
    try:
        return rt(group, resource).namespaced
    except KeyError:
        return True


def apply_defaults(group: str, resource: str, obj: Obj) -> None:
    """Fill in the defaults the server sets before validation (mutates obj).

    Args:
        group: API group ("" for core).
        resource: plural resource name.
        obj: the object as it came off the wire (without kind/apiVersion), with metadata.
    """
    if group == RBAC:
        from kubesim.validation.rbac import default_rbac

        # The RBAC defaulter returns a new dict (with wire field order); keep obj's identity.
        defaulted = default_rbac(resource, obj)
        obj.clear()
        obj.update(defaulted)
        return
    fill = DEFAULTS.get((group, resource))
    if fill is not None:
        fill(obj)


def validate_create(group: str, resource: str, obj: Obj) -> list[FieldError]:
    """The field errors of a create (empty when the object is valid).

    Args:
        group: API group ("" for core).
        resource: plural resource name.
        obj: the defaulted object, name already generated.

    Returns:
        Field errors in the order the real server reports them.
    """
    if group == RBAC:
        return _rbac_errors(resource, obj, None)
    checks = VALIDATORS.get((group, resource))
    return checks[0](obj) if checks else []


def validate_update(group: str, resource: str, new: Obj, old: Obj) -> list[FieldError]:
    """The field errors of an update of old into new.

    For Services this first restores allocated values the request left out (cluster IPs and
    node ports), as the service storage does before validating.

    Args:
        group: API group ("" for core).
        resource: plural resource name.
        new: the defaulted object being written.
        old: the stored object.

    Returns:
        Field errors in the order the real server reports them.
    """
    if (group, resource) == ("", "services"):
        services.retain_allocated_values(new, old)
    errs = common_update_errors(new["metadata"], old["metadata"], _namespaced(group, resource))
    if group == RBAC:
        update = validate_object_meta_update(new["metadata"], old["metadata"])
        return errs + _rbac_errors(resource, new, old) + update
    checks = VALIDATORS.get((group, resource))
    return errs + checks[1](new, old) if checks else errs
