"""Secrets and ConfigMaps: decoding of `data`/`stringData`, keys, size, types, immutability."""

from __future__ import annotations

import base64
from typing import Any

from kubesim.api import status
from kubesim.api.fielderrors import FieldError, forbidden, invalid, required, too_long
from kubesim.validation import formats, godecode
from kubesim.validation.meta import (
    name_is_dns_subdomain,
    validate_object_meta,
    validate_object_meta_update,
)

Obj = dict[str, Any]

MAX_SIZE = 1024 * 1024
IMMUTABLE_SET = "field is immutable when `immutable` is set"
REDACTED = "<secret contents redacted>"
SA_NAME = "kubernetes.io/service-account.name"


def _decode_error(detail: str) -> status.StatusError:
    return status.bad_request(f'Secret in version "v1" cannot be handled as a Secret: {detail}')


def _struct_type_error(value: Any, field: str, go_type: str) -> status.StatusError:
    kind = godecode.json_kind(value)
    return _decode_error(
        f"json: cannot unmarshal {kind} into Go struct field Secret.{field} of type {go_type}"
    )


def _canonical_data(data: Any) -> dict[str, str]:
    if not isinstance(data, dict):
        raise _struct_type_error(data, "data", "map[string][]uint8")
    result: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            result[key] = ""
            continue
        if not isinstance(value, str):
            raise _struct_type_error(value, "data", "[]uint8")
        canonical = godecode.canonical_base64(value)
        if isinstance(canonical, int):
            raise _decode_error(f"illegal base64 data at input byte {canonical}")
        result[key] = canonical
    return result


def decode_secret(obj: Obj) -> None:
    """Decode a Secret as the server does: base64-check `data`, merge `stringData` over it.

    `stringData` values overwrite same-named `data` keys and `stringData` is dropped; `data` is
    left out when empty (Go's omitempty on the stored object).

    Raises:
        StatusError: 400 with the decoder's message on bad base64 or wrongly typed values.
    """
    data = _canonical_data(obj["data"]) if obj.get("data") is not None else {}
    string_data = obj.pop("stringData", None)
    if string_data is not None:
        if not isinstance(string_data, dict):
            raise _struct_type_error(string_data, "stringData", "map[string]string")
        for key, value in string_data.items():
            if not isinstance(value, str):
                raise _struct_type_error(value, "stringData", "string")
            data[key] = base64.b64encode(value.encode()).decode()
    if data:
        obj["data"] = data
    else:
        obj.pop("data", None)


def _key_errors(values: Any, path: str) -> tuple[list[FieldError], int]:
    errs: list[FieldError] = []
    total = 0
    for key, value in (values or {}).items():
        errs.extend(invalid(f"{path}[{key}]", key, msg) for msg in formats.config_map_key(key))
        total += godecode.decoded_length(value)
    return errs, total


def _data_bytes(secret: Obj, key: str) -> bytes | None:
    value = (secret.get("data") or {}).get(key)
    if value is None:
        return None
    return base64.b64decode(value) if isinstance(value, str) else b""


def _json_errors(secret: Obj, key: str) -> list[FieldError]:
    content = _data_bytes(secret, key)
    if content is None:
        return [required(f"data[{key}]")]
    error = godecode.json_object_error(content)
    return [invalid(f"data[{key}]", REDACTED, error)] if error else []


def _type_errors(secret: Obj) -> list[FieldError]:
    kind = secret.get("type") or "Opaque"
    data = secret.get("data") or {}
    if kind == "kubernetes.io/service-account-token":
        annotations = secret.get("metadata", {}).get("annotations") or {}
        return [] if annotations.get(SA_NAME) else [required(f"metadata.annotations[{SA_NAME}]")]
    if kind == "kubernetes.io/dockercfg":
        return _json_errors(secret, ".dockercfg")
    if kind == "kubernetes.io/dockerconfigjson":
        return _json_errors(secret, ".dockerconfigjson")
    if kind == "kubernetes.io/basic-auth" and "username" not in data and "password" not in data:
        # Upstream builds these paths from the literal "data[%s]" (1.30).
        return [required("data[%s][username]"), required("data[%s][password]")]
    if kind == "kubernetes.io/ssh-auth" and not data.get("ssh-privatekey"):
        return [required("data[%s][ssh-privatekey]")]
    if kind == "kubernetes.io/tls":
        return [required(f"data[{key}]") for key in ("tls.crt", "tls.key") if key not in data]
    return []


def validate_secret(secret: Obj) -> list[FieldError]:
    """`ValidateSecret`."""
    errs = validate_object_meta(secret["metadata"], True, name_is_dns_subdomain)
    key_errs, total = _key_errors(secret.get("data"), "data")
    errs.extend(key_errs)
    if total > MAX_SIZE:
        errs.append(too_long("data", f"must have at most {MAX_SIZE} bytes"))
    errs.extend(_type_errors(secret))
    return errs


def _immutability(new: Obj, old: Obj, fields: tuple[str, ...]) -> list[FieldError]:
    if old.get("immutable") is not True:
        return []
    errs: list[FieldError] = []
    if new.get("immutable") is not True:
        errs.append(forbidden("immutable", IMMUTABLE_SET))
    for name in fields:
        if new.get(name) != (old.get(name) or None):
            errs.append(forbidden(name, IMMUTABLE_SET))
    return errs


def validate_secret_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateSecretUpdate`: metadata rules, type and data immutability, then the create rules."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    new_type, old_type = new.get("type") or "", old.get("type") or ""
    if new_type != old_type:
        errs.append(invalid("type", new_type, "field is immutable"))
    errs.extend(_immutability(new, old, ("data",)))
    return errs + validate_secret(new)


def validate_config_map(config_map: Obj) -> list[FieldError]:
    """`ValidateConfigMap`: keys, no key in both bags, 1 MiB over data and binaryData."""
    errs = validate_object_meta(config_map["metadata"], True, name_is_dns_subdomain)
    data = config_map.get("data") or {}
    binary = config_map.get("binaryData") or {}
    total = 0
    for key, value in data.items():
        errs.extend(invalid(f"data[{key}]", key, msg) for msg in formats.config_map_key(key))
        if key in binary:
            errs.append(invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
        total += len(value.encode()) if isinstance(value, str) else 0
    binary_errs, binary_total = _key_errors(binary, "binaryData")
    errs.extend(binary_errs)
    if total + binary_total > MAX_SIZE:
        # Upstream reports the whole object on an empty path, which prints as "[]".
        errs.append(too_long("[]", f"must have at most {MAX_SIZE} bytes"))
    return errs


def validate_config_map_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateConfigMapUpdate`: metadata rules, immutability, then the create rules."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(_immutability(new, old, ("data", "binaryData")))
    return errs + validate_config_map(new)
