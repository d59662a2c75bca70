"""The Deployment fields a change touches: reading, comparing, diffing and patching them.

A `Fields` value names exactly what a patch-deployment or scale-deployment change touches:
one container's image, the replica count, and environment variables of that container (each
present as its whole ``env`` entry, or absent). The same shape holds the values before the
change (captured in the sealed snapshot) and after it (what the change writes), so rollback
restores exactly the captured fields and nothing else.

Patches are strategic merge patches that carry ``metadata.resourceVersion``: the API server
refuses them with 409 Conflict when the Deployment changed since that version (a JSON patch
``test`` would fail with 422 instead, which tells a conflict apart from an invalid patch less
clearly). Environment entries merge by name; removing one is ``$patch: delete``; restoring
removed entries also sends ``$setElementOrder/env`` so they return to their old positions.

Environment values may be secrets: diffs show them only as digests, and a ``valueFrom``
entry is described by its reference (never a value).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import JsonValue

from kubeconnector.changes.helpers.digests import Digester
from kubeconnector.models.changes import DiffItem, JsonObject

EnvEntry = dict[str, Any]
Obj = Mapping[str, Any]
REPLICAS = "spec.replicas"


@dataclass(frozen=True)
class Fields:
    """Values of the Deployment fields a change touches (None: the field is not touched).

    Attributes:
        container: The container whose image or environment is touched (``""``: none).
        image: The container's image.
        replicas: ``spec.replicas``.
        env: Variable name -> its whole ``env`` entry, or None when the variable is absent.
    """

    container: str = ""
    image: str | None = None
    replicas: int | None = None
    env: Mapping[str, EnvEntry | None] = field(default_factory=dict)

    @property
    def touches_template(self) -> bool:
        """The pod template changes, so the rollout replaces pods."""
        return self.image is not None or bool(self.env)

    def paths(self) -> list[str]:
        """The field paths touched, as diffs and drift messages name them."""
        found = [REPLICAS] if self.replicas is not None else []
        if self.image is not None:
            found.append(image_path(self.container))
        found += [env_path(self.container, name) for name in sorted(self.env)]
        return found

    def to_json(self) -> JsonObject:
        """The snapshot form (may hold environment values: only ever stored sealed)."""
        env: dict[str, JsonValue] = {k: _json(v) for k, v in sorted(self.env.items())}
        return {
            "container": self.container,
            "image": self.image,
            "replicas": self.replicas,
            "env": env,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fields:
        """Read back `to_json`."""
        replicas = data.get("replicas")
        return cls(
            container=str(data.get("container") or ""),
            image=data.get("image"),
            replicas=None if replicas is None else int(replicas),
            env={k: (dict(v) if v is not None else None) for k, v in data["env"].items()},
        )


def image_path(container: str) -> str:
    """``spec.template.spec.containers[app].image``."""
    return f"spec.template.spec.containers[{container}].image"


def env_path(container: str, name: str) -> str:
    """``spec.template.spec.containers[app].env[NAME]``."""
    return f"spec.template.spec.containers[{container}].env[{name}]"


def containers(live: Obj) -> list[dict[str, Any]]:
    """The pod template's containers (init containers are not patched)."""
    template = (live.get("spec") or {}).get("template") or {}
    return list((template.get("spec") or {}).get("containers") or [])


def container_of(live: Obj, name: str) -> dict[str, Any] | None:
    """The named container of the pod template, or None."""
    return next((c for c in containers(live) if c.get("name") == name), None)


def env_names(live: Obj, container: str) -> list[str]:
    """The container's environment variable names, in order."""
    found = container_of(live, container) or {}
    return [str(e.get("name")) for e in found.get("env") or []]


def read_fields(live: Obj, touched: Fields) -> Fields:
    """The live values of exactly the fields `touched` touches."""
    found = container_of(live, touched.container) if touched.container else None
    entries = _env_map((found or {}).get("env"))
    replicas = (live.get("spec") or {}).get("replicas")
    return Fields(
        container=touched.container,
        image=str((found or {}).get("image") or "") if touched.image is not None else None,
        replicas=int(replicas or 0) if touched.replicas is not None else None,
        env={name: entries.get(name) for name in touched.env},
    )


def differences(live: Obj, expected: Fields) -> list[str]:
    """The touched fields whose live value is not the expected one (paths only)."""
    actual = read_fields(live, expected)
    found = []
    if expected.replicas is not None and actual.replicas != expected.replicas:
        found.append(REPLICAS)
    if expected.image is not None and actual.image != expected.image:
        found.append(image_path(expected.container))
    for name in sorted(expected.env):
        if normalized(actual.env.get(name)) != normalized(expected.env[name]):
            found.append(env_path(expected.container, name))
    return found


def holds(live: Obj | None, uid: str, expected: Fields) -> bool:
    """`live` is the same Deployment (`uid`) and holds every expected value."""
    if live is None or str((live.get("metadata") or {}).get("uid") or "") != uid:
        return False
    if expected.container and container_of(live, expected.container) is None:
        return False
    return not differences(live, expected)


def normalized(entry: Mapping[str, Any] | None) -> EnvEntry | None:
    """An env entry as the API server returns it (an empty ``value`` is omitted)."""
    if entry is None:
        return None
    return {k: v for k, v in entry.items() if v is not None and not (k == "value" and v == "")}


def fields_patch(
    values: Fields, version: str, live: Obj, previous: list[str] | None = None
) -> dict[str, Any]:
    """The strategic merge patch that sets `values` on `live`, guarded by `version`.

    Env entries are merged by name, with ``$setElementOrder/env`` making the order explicit:
    new variables go last (as ``kubectl set env`` puts them), and on a restore the variables
    return to their `previous` order. Keys an entry loses (``value`` for ``valueFrom``, or the
    reverse) are cleared with null, so each entry ends up exactly as given.

    Args:
        values: The values to write (absent env entries are deleted).
        version: The resourceVersion precondition.
        live: The Deployment as read (its env entries and their order).
        previous: The env order to restore (default: the live order).
    """
    spec: dict[str, Any] = {}
    if values.replicas is not None:
        spec["replicas"] = values.replicas
    if values.touches_template:
        item: dict[str, Any] = {"name": values.container}
        if values.image is not None:
            item["image"] = values.image
        if values.env:
            found = container_of(live, values.container) or {}
            current = _env_map(found.get("env"))
            names = list(current)
            order = restored_order(names if previous is None else previous, names, values)
            item["$setElementOrder/env"] = [{"name": name} for name in order]
            item["env"] = [
                _env_patch(name, entry, current.get(name))
                for name, entry in sorted(values.env.items())
            ]
        spec["template"] = {"spec": {"containers": [item]}}
    return {"metadata": {"resourceVersion": version}, "spec": spec}


def restored_order(previous: list[str], live: list[str], values: Fields) -> list[str]:
    """The env order after writing `values`: `previous` order first, then the others.

    Variables `values` removes are left out; variables it adds that `previous` does not
    rank go last, by name.
    """
    final = [name for name in live if values.env.get(name, {}) is not None]
    final += sorted(n for n, entry in values.env.items() if entry is not None and n not in live)
    ranked = [name for name in previous if name in final]
    return ranked + [name for name in final if name not in previous]


def diff_items(before: Fields, after: Fields, digests: Digester) -> tuple[DiffItem, ...]:
    """One item per touched field; env values appear only as digests."""
    items = []
    if after.replicas is not None and before.replicas != after.replicas:
        items.append(
            DiffItem(
                path=REPLICAS, op="change", old=_text(before.replicas), new=_text(after.replicas)
            )
        )
    if after.image is not None and before.image != after.image:
        items.append(
            DiffItem(
                path=image_path(after.container), op="change", old=before.image, new=after.image
            )
        )
    for name in sorted(after.env):
        old, new = normalized(before.env.get(name)), normalized(after.env[name])
        if old == new:
            continue
        path = env_path(after.container, name)
        items.append(
            DiffItem(
                path=path,
                op=_op(old, new),
                old=describe_env(old, digests),
                new=describe_env(new, digests),
            )
        )
    return tuple(items)


def describe_env(entry: Mapping[str, Any] | None, digests: Digester) -> str | None:
    """An env entry for display: a digest of its value, or its ``valueFrom`` reference."""
    if entry is None:
        return None
    source = entry.get("valueFrom")
    if not source:
        return digests.value(str(entry.get("value") or ""))
    kind, ref = next(iter(source.items()))
    where = "/".join(
        str(ref.get(k)) for k in ("name", "key", "fieldPath", "resource") if ref.get(k)
    )
    return f"valueFrom {kind} {where}".rstrip()


def env_entry(name: str, value: str) -> EnvEntry:
    """The env entry of a plain value."""
    return {"name": name, "value": value}


def _env_patch(
    name: str, entry: Mapping[str, Any] | None, current: Mapping[str, Any] | None
) -> dict[str, Any]:
    if entry is None:
        return {"name": name, "$patch": "delete"}
    cleared = {key: None for key in ("value", "valueFrom") if key in (current or {})}
    return {**cleared, **dict(entry), "name": name}


def _env_map(env: Any) -> dict[str, EnvEntry]:
    found: dict[str, EnvEntry] = {}
    for entry in env or []:
        found.setdefault(str(entry.get("name")), dict(entry))
    return found


def _op(old: object, new: object) -> Literal["add", "change", "remove"]:
    if old is None:
        return "add"
    return "remove" if new is None else "change"


def _json(entry: EnvEntry | None) -> JsonValue:
    return None if entry is None else dict(entry)


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)
