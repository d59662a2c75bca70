"""Accept-header negotiation for the representations a real server offers.

Clients list alternatives (`as=Table;v=v1;g=meta.k8s.io, application/json`); the server picks
the first it supports. Only JSON encodings are offered; a request that accepts nothing but
protobuf is answered 406.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kubesim.api import status


class Form(enum.Enum):
    """What the response body is."""

    OBJECT = "object"
    TABLE = "table"
    METADATA = "metadata"
    METADATA_LIST = "metadata-list"
    DISCOVERY_V2 = "discovery-v2"
    DISCOVERY_V2BETA1 = "discovery-v2beta1"


@dataclass(frozen=True)
class MediaType:
    mime: str
    params: dict[str, str]


def parse_accept(header: str) -> list[MediaType]:
    types = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        params = {}
        for item in fields[1:]:
            key, _, value = item.partition("=")
            params[key.strip().lower()] = value.strip()
        types.append(MediaType(fields[0].lower(), params))
    return types


_JSONISH = ("application/json", "*/*", "application/*", "application/yaml")


def choose(accept: str, *, discovery: bool = False) -> Form:
    """The representation to serve for a GET/LIST/WATCH."""
    if not accept.strip():
        return Form.OBJECT
    for media in parse_accept(accept):
        form = _form(media, discovery)
        if form is not None:
            return form
    raise status.not_acceptable(
        "only the following media types are accepted: application/json, application/yaml, "
        "application/vnd.kubernetes.protobuf"
    )


def _form(media: MediaType, discovery: bool) -> Form | None:
    if media.mime not in _JSONISH:
        return None
    as_ = media.params.get("as")
    if not as_:
        return Form.OBJECT
    group, version = media.params.get("g"), media.params.get("v")
    if discovery and as_ == "APIGroupDiscoveryList" and group == "apidiscovery.k8s.io":
        return {"v2": Form.DISCOVERY_V2, "v2beta1": Form.DISCOVERY_V2BETA1}.get(version or "")
    if group != "meta.k8s.io" or version not in ("v1", "v1beta1"):
        return None
    if as_ == "Table":
        return Form.TABLE
    if as_ == "PartialObjectMetadataList":
        return Form.METADATA_LIST
    if as_ == "PartialObjectMetadata":
        return Form.METADATA
    return None


def check_list_form(form: Form, *, is_list: bool, kind: str, version: str) -> None:
    """406 when the metadata representation asked for does not fit the request."""
    if form is Form.METADATA_LIST and not is_list:
        raise status.not_acceptable(
            "you requested PartialObjectMetadataList, but the requested object is not a list "
            f"(*{version}.{kind})"
        )
    if form is Form.METADATA and is_list:
        raise status.not_acceptable(
            "you requested PartialObjectMetadata, but the requested object is a list "
            f"(*{version}.{kind}List)"
        )
