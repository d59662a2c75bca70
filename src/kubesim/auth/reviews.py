"""Access and rules reviews: the `authorization.k8s.io` virtual resources, computed on POST.

Each function takes the decoded request body and returns the response object the real server
writes (spec echoed with empty fields dropped, status filled in), or raises the StatusError the
server's REST layer and `pkg/apis/authorization/validation` produce.

The server decodes review bodies into internal objects whose kind is empty, so their 422s read
`.authorization.k8s.io "" is invalid: ...` with no `kind` in the details.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from kubesim.api import status
from kubesim.api.fielderrors import FieldError, GoLiteral, aggregate, go_quote, invalid
from kubesim.api.status import StatusError
from kubesim.auth.rbac import Decision, RulesResult
from kubesim.auth.user import Attributes, UserInfo

GROUP = "authorization.k8s.io"
API_VERSION = "authorization.k8s.io/v1"
_RESOURCE_FIELDS = ("namespace", "verb", "group", "version", "resource", "subresource", "name")
_NON_RESOURCE_FIELDS = ("path", "verb")
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")
_ZERO_TIME = "time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)"
_NAMESPACE_MISMATCH = (
    "the namespace of the provided object does not match the namespace sent on the request"
)


class ReviewAuthorizer(Protocol):
    """What the reviews need from the authorizer chain."""

    def authorize(self, attrs: Attributes) -> Decision:
        """Decide one request."""
        ...

    def rules_for(self, user: UserInfo, namespace: str) -> RulesResult:
        """Enumerate a user's rules in a namespace."""
        ...


def _invalid(errors: list[FieldError]) -> StatusError:
    details: dict[str, Any] = {"group": GROUP, "causes": [err.cause() for err in errors]}
    return StatusError(422, "Invalid", f'.{GROUP} "" is invalid: {aggregate(errors)}', details)


def _clean(attrs: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    return {key: str(attrs[key]) for key in fields if attrs.get(key)}


def _go_time(value: Any) -> str:
    if not value:
        return _ZERO_TIME
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    month = _MONTHS[parsed.month - 1]
    clock = f"{parsed.hour}, {parsed.minute}, {parsed.second}, 0"
    return f"time.Date({parsed.year}, time.{month}, {parsed.day}, {clock}, time.Local)"


def _go_strings(value: Any, type_name: str = "[]string") -> str:
    if value is None:
        return f"{type_name}(nil)"
    return type_name + "{" + ", ".join(go_quote(str(v)) for v in value) + "}"


def _go_map(value: Any) -> str:
    if value is None:
        return "map[string]string(nil)"
    inner = ", ".join(f"{go_quote(k)}:{go_quote(str(v))}" for k, v in sorted(value.items()))
    return "map[string]string{" + inner + "}"


def _go_owner(ref: Mapping[str, Any]) -> str:
    fields = ("APIVersion", "apiVersion"), ("Kind", "kind"), ("Name", "name"), ("UID", "uid")
    parts = [f"{label}:{go_quote(str(ref.get(key, '')))}" for label, key in fields]
    parts += [f"{label}:(*bool)(nil)" for label in ("Controller", "BlockOwnerDeletion")]
    return "v1.OwnerReference{" + ", ".join(parts) + "}"


def _go_list_of(value: Any, type_name: str, render: Any) -> str:
    if value is None:
        return f"{type_name}(nil)"
    return type_name + "{" + ", ".join(render(item) for item in value) + "}"


def go_object_meta(meta: Mapping[str, Any]) -> str:
    """Render ObjectMeta as Go's `%#v` does (the bad value of a `metadata` field error)."""
    text = [f"{label}:{go_quote(str(meta.get(key) or ''))}" for label, key in _META_STRINGS]
    text.append(f"Generation:{int(meta.get('generation') or 0)}")
    text.append(f"CreationTimestamp:{_go_time(meta.get('creationTimestamp'))}")
    deletion = meta.get("deletionTimestamp")
    text.append(f"DeletionTimestamp:{_go_time(deletion) if deletion else '<nil>'}")
    grace = meta.get("deletionGracePeriodSeconds")
    text.append(
        f"DeletionGracePeriodSeconds:(*int64)({'0xc000000000' if grace is not None else 'nil'})"
    )
    text.append(f"Labels:{_go_map(meta.get('labels'))}")
    text.append(f"Annotations:{_go_map(meta.get('annotations'))}")
    owners = meta.get("ownerReferences")
    text.append(f"OwnerReferences:{_go_list_of(owners, '[]v1.OwnerReference', _go_owner)}")
    text.append(f"Finalizers:{_go_strings(meta.get('finalizers'))}")
    managed = meta.get("managedFields")
    entry = "v1.ManagedFieldsEntry{...}"
    text.append(f"ManagedFields:{_go_list_of(managed, '[]v1.ManagedFieldsEntry', lambda _: entry)}")
    return "v1.ObjectMeta{" + ", ".join(text) + "}"


_META_STRINGS = (
    ("Name", "name"),
    ("GenerateName", "generateName"),
    ("Namespace", "namespace"),
    ("SelfLink", "selfLink"),
    ("UID", "uid"),
    ("ResourceVersion", "resourceVersion"),
)


def _meta_is_empty(meta: Mapping[str, Any], ignore: tuple[str, ...]) -> bool:
    return all(not value for key, value in meta.items() if key not in ignore)


def _meta_errors(meta: Mapping[str, Any], local: bool) -> list[FieldError]:
    ignore = ("managedFields", "namespace") if local else ("managedFields",)
    if _meta_is_empty(meta, ignore):
        return []
    detail = "must be empty except for namespace" if local else "must be empty"
    return [invalid("metadata", GoLiteral(go_object_meta(meta)), detail)]


def _go_non_resource(attrs: Mapping[str, Any]) -> GoLiteral:
    path, verb = go_quote(str(attrs.get("path") or "")), go_quote(str(attrs.get("verb") or ""))
    return GoLiteral(f"authorization.NonResourceAttributes{{Path:{path}, Verb:{verb}}}")


def _spec_errors(spec: Mapping[str, Any], subject: bool) -> list[FieldError]:
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    errors: list[FieldError] = []
    if resource is not None and non_resource is not None:
        detail = "cannot be specified in combination with resourceAttributes"
        errors.append(invalid("spec.nonResourceAttributes", _go_non_resource(non_resource), detail))
    if resource is None and non_resource is None:
        detail = "exactly one of nonResourceAttributes or resourceAttributes must be specified"
        errors.append(invalid("spec.resourceAttributes", None, detail))
    if subject and not spec.get("user") and not spec.get("groups"):
        detail = "at least one of user or group must be specified"
        errors.append(invalid("spec.user", str(spec.get("user") or ""), detail))
    return errors


def _attributes(user: UserInfo, spec: Mapping[str, Any]) -> Attributes:
    resource = spec.get("resourceAttributes")
    if resource is None:
        attrs = _clean(spec.get("nonResourceAttributes") or {}, _NON_RESOURCE_FIELDS)
        return Attributes(user, attrs.get("verb", ""), False, path=attrs.get("path", ""))
    r = _clean(resource, _RESOURCE_FIELDS)
    return Attributes(
        user,
        r.get("verb", ""),
        True,
        api_group=r.get("group", ""),
        api_version=r.get("version") or "*",
        resource=r.get("resource", ""),
        subresource=r.get("subresource", ""),
        namespace=r.get("namespace", ""),
        name=r.get("name", ""),
    )


def _spec_user(spec: Mapping[str, Any]) -> UserInfo:
    extra = {str(k): tuple(str(v) for v in vs or ()) for k, vs in (spec.get("extra") or {}).items()}
    groups = tuple(str(g) for g in spec.get("groups") or ())
    return UserInfo(str(spec.get("user") or ""), str(spec.get("uid") or ""), groups, extra)


def _echo_spec(spec: Mapping[str, Any], subject: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.get("resourceAttributes") is not None:
        out["resourceAttributes"] = _clean(spec["resourceAttributes"], _RESOURCE_FIELDS)
    if spec.get("nonResourceAttributes") is not None:
        out["nonResourceAttributes"] = _clean(spec["nonResourceAttributes"], _NON_RESOURCE_FIELDS)
    if subject:
        out.update({k: spec[k] for k in ("user", "groups", "extra", "uid") if spec.get(k)})
    return out


def _status(decision: Decision) -> dict[str, Any]:
    out: dict[str, Any] = {"allowed": decision.allowed}
    if decision.reason:
        out["reason"] = decision.reason
    if decision.error:
        out["evaluationError"] = decision.error
    return out


def _response(
    body: Mapping[str, Any], kind: str, meta: dict[str, Any], spec: dict[str, Any]
) -> dict[str, Any]:
    return {
        "kind": body.get("kind") or kind,
        "apiVersion": body.get("apiVersion") or API_VERSION,
        "metadata": {**meta, "creationTimestamp": None},
        "spec": spec,
    }


def self_subject_access_review(
    body: Mapping[str, Any], user: UserInfo, authz: ReviewAuthorizer
) -> dict[str, Any]:
    """Answer a SelfSubjectAccessReview for the requesting user.

    Raises:
        StatusError: 422 when the spec or metadata is invalid.
    """
    spec = body.get("spec") or {}
    errors = _spec_errors(spec, False) + _meta_errors(body.get("metadata") or {}, False)
    if errors:
        raise _invalid(errors)
    out = _response(body, "SelfSubjectAccessReview", {}, _echo_spec(spec, False))
    out["status"] = _status(authz.authorize(_attributes(user, spec)))
    return out


def subject_access_review(body: Mapping[str, Any], authz: ReviewAuthorizer) -> dict[str, Any]:
    """Answer a SubjectAccessReview for the user and groups named in the spec.

    Raises:
        StatusError: 422 when the spec or metadata is invalid.
    """
    spec = body.get("spec") or {}
    errors = _spec_errors(spec, True) + _meta_errors(body.get("metadata") or {}, False)
    if errors:
        raise _invalid(errors)
    out = _response(body, "SubjectAccessReview", {}, _echo_spec(spec, True))
    out["status"] = _status(authz.authorize(_attributes(_spec_user(spec), spec)))
    return out


def _local_errors(spec: Mapping[str, Any], meta: Mapping[str, Any]) -> list[FieldError]:
    errors = _spec_errors(spec, True) + _meta_errors(meta, True)
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    namespace = str(meta.get("namespace") or "")
    if resource is not None and str(resource.get("namespace") or "") != namespace:
        value = str(resource.get("namespace") or "")
        errors.append(
            invalid("spec.resourceAttributes.namespace", value, "must match metadata.namespace")
        )
    if non_resource is not None:
        literal = _go_non_resource(non_resource)
        errors.append(
            invalid("spec.nonResourceAttributes", literal, "disallowed on this kind of request")
        )
    return errors


def local_subject_access_review(
    body: Mapping[str, Any], namespace: str, authz: ReviewAuthorizer
) -> dict[str, Any]:
    """Answer a LocalSubjectAccessReview posted to `namespace`.

    Raises:
        StatusError: 400 when the body names another namespace, 422 when invalid.
    """
    meta = dict(body.get("metadata") or {})
    if meta.get("namespace") and meta["namespace"] != namespace:
        raise status.bad_request(_NAMESPACE_MISMATCH)
    meta["namespace"] = namespace
    spec = body.get("spec") or {}
    errors = _local_errors(spec, meta)
    if errors:
        raise _invalid(errors)
    if not namespace:
        raise status.bad_request("namespace is required on this type: ")
    out = _response(
        body, "LocalSubjectAccessReview", {"namespace": namespace}, _echo_spec(spec, True)
    )
    out["status"] = _status(authz.authorize(_attributes(_spec_user(spec), spec)))
    return out


def self_subject_rules_review(
    body: Mapping[str, Any], user: UserInfo, authz: ReviewAuthorizer
) -> dict[str, Any]:
    """Answer a SelfSubjectRulesReview: the raw rules the user holds in `spec.namespace`.

    Raises:
        StatusError: 400 `no namespace on request` when the spec names no namespace.
    """
    namespace = str((body.get("spec") or {}).get("namespace") or "")
    if not namespace:
        raise status.bad_request("no namespace on request")
    result = authz.rules_for(user, namespace)
    review_status: dict[str, Any] = {
        "resourceRules": result.resource_rules,
        "nonResourceRules": result.non_resource_rules,
        "incomplete": result.incomplete,
    }
    if result.evaluation_error:
        review_status["evaluationError"] = result.evaluation_error
    out = _response(body, "SelfSubjectRulesReview", {}, {})
    out["status"] = review_status
    return out
