"""How pod specs consume Secrets: every consumption path, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from kubeconnector.discovery.relations import SecretUse, secret_uses


def _env(var: str, secret: str, key: str, **ref: Any) -> dict[str, Any]:
    return {"name": var, "valueFrom": {"secretKeyRef": {"name": secret, "key": key, **ref}}}


def _mount(volume: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"name": volume, "mountPath": path, **extra}


def _spec(containers: list[dict[str, Any]], **parts: Any) -> dict[str, Any]:
    return {"containers": containers, **parts}


SECRET_VOLUME = {"name": "creds", "secret": {"secretName": "db"}}

# (case, pod spec, expected uses)
CASES: list[tuple[str, dict[str, Any], list[SecretUse]]] = [
    (
        "env secretKeyRef",
        _spec([{"name": "app", "env": [_env("PASSWORD", "db", "password")]}]),
        [
            SecretUse(
                "db", "env", "restart", "app", "container", key="password", variable="PASSWORD"
            )
        ],
    ),
    (
        "optional env secretKeyRef",
        _spec([{"name": "app", "env": [_env("X", "maybe", "k", optional=True)]}]),
        [
            SecretUse(
                "maybe", "env", "restart", "app", "container", key="k", variable="X", optional=True
            )
        ],
    ),
    (
        "env from a ConfigMap or a literal is not a Secret use",
        _spec(
            [
                {
                    "name": "app",
                    "env": [
                        {"name": "A", "value": "1"},
                        {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}},
                        {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    ],
                    "envFrom": [{"configMapRef": {"name": "c"}}],
                }
            ]
        ),
        [],
    ),
    (
        "envFrom secretRef with a prefix",
        _spec([{"name": "app", "envFrom": [{"prefix": "DB_", "secretRef": {"name": "db"}}]}]),
        [SecretUse("db", "envFrom", "restart", "app", "container", prefix="DB_")],
    ),
    (
        "optional envFrom secretRef",
        _spec([{"name": "app", "envFrom": [{"secretRef": {"name": "db", "optional": True}}]}]),
        [SecretUse("db", "envFrom", "restart", "app", "container", optional=True)],
    ),
    (
        "secret volume mounted whole refreshes by itself",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("creds", "/etc/db")]}], volumes=[SECRET_VOLUME]
        ),
        [
            SecretUse(
                "db", "volume", "auto", "app", "container", volume="creds", mount_path="/etc/db"
            )
        ],
    ),
    (
        "secret volume mounted with subPath never refreshes",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("creds", "/home/.pgpass", subPath="pgpass")]}],
            volumes=[SECRET_VOLUME],
        ),
        [
            SecretUse(
                "db",
                "volume",
                "never",
                "app",
                "container",
                volume="creds",
                mount_path="/home/.pgpass",
                sub_path="pgpass",
            )
        ],
    ),
    (
        "subPathExpr counts as a subPath",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("creds", "/x", subPathExpr="$(POD)")]}],
            volumes=[SECRET_VOLUME],
        ),
        [
            SecretUse(
                "db",
                "volume",
                "never",
                "app",
                "container",
                volume="creds",
                mount_path="/x",
                sub_path="$(POD)",
            )
        ],
    ),
    (
        "secret volume with items and optional",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("creds", "/etc/db")]}],
            volumes=[
                {
                    "name": "creds",
                    "secret": {
                        "secretName": "db",
                        "optional": True,
                        "items": [{"key": "password", "path": "pw"}],
                    },
                }
            ],
        ),
        [
            SecretUse(
                "db",
                "volume",
                "auto",
                "app",
                "container",
                volume="creds",
                items=("password",),
                mount_path="/etc/db",
                optional=True,
            )
        ],
    ),
    (
        "projected volume sources",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("all", "/etc/app")]}],
            volumes=[
                {
                    "name": "all",
                    "projected": {
                        "sources": [
                            {
                                "secret": {
                                    "name": "stripe",
                                    "items": [{"key": "api-key", "path": "k"}],
                                }
                            },
                            {"configMap": {"name": "settings"}},
                            {"serviceAccountToken": {"path": "token"}},
                            {"secret": {"name": "other", "optional": True}},
                        ]
                    },
                }
            ],
        ),
        [
            SecretUse(
                "stripe",
                "projected",
                "auto",
                "app",
                "container",
                volume="all",
                items=("api-key",),
                mount_path="/etc/app",
            ),
            SecretUse(
                "other",
                "projected",
                "auto",
                "app",
                "container",
                volume="all",
                mount_path="/etc/app",
                optional=True,
            ),
        ],
    ),
    (
        "projected volume mounted with subPath never refreshes",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("all", "/k", subPath="k")]}],
            volumes=[{"name": "all", "projected": {"sources": [{"secret": {"name": "s"}}]}}],
        ),
        [
            SecretUse(
                "s",
                "projected",
                "never",
                "app",
                "container",
                volume="all",
                mount_path="/k",
                sub_path="k",
            )
        ],
    ),
    (
        "one volume mounted by two containers is two uses",
        _spec(
            [
                {"name": "a", "volumeMounts": [_mount("creds", "/a")]},
                {"name": "b", "volumeMounts": [_mount("creds", "/b", subPath="password")]},
            ],
            volumes=[SECRET_VOLUME],
        ),
        [
            SecretUse("db", "volume", "auto", "a", "container", volume="creds", mount_path="/a"),
            SecretUse(
                "db",
                "volume",
                "never",
                "b",
                "container",
                volume="creds",
                mount_path="/b",
                sub_path="password",
            ),
        ],
    ),
    (
        "a secret volume mounted by no container is still a dependency",
        _spec([{"name": "app"}], volumes=[SECRET_VOLUME]),
        [SecretUse("db", "volume", "auto", volume="creds")],
    ),
    (
        "image pull secrets",
        _spec([{"name": "app"}], imagePullSecrets=[{"name": "regcred"}, {"name": "mirror"}]),
        [
            SecretUse("regcred", "imagePullSecrets", "pull"),
            SecretUse("mirror", "imagePullSecrets", "pull"),
        ],
    ),
    (
        "init containers",
        _spec(
            [{"name": "app"}],
            initContainers=[{"name": "migrate", "env": [_env("URL", "mig", "DATABASE_URL")]}],
        ),
        [
            SecretUse(
                "mig",
                "env",
                "restart",
                "migrate",
                "initContainer",
                key="DATABASE_URL",
                variable="URL",
            )
        ],
    ),
    (
        "ephemeral containers",
        _spec(
            [{"name": "shell"}],
            ephemeralContainers=[{"name": "debugger", "env": [_env("PW", "db", "password")]}],
        ),
        [
            SecretUse(
                "db",
                "env",
                "restart",
                "debugger",
                "ephemeralContainer",
                key="password",
                variable="PW",
            )
        ],
    ),
    (
        "volume plugins that take a Secret",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("store", "/mnt/secrets")]}],
            volumes=[
                {
                    "name": "store",
                    "csi": {"driver": "secrets-store", "nodePublishSecretRef": {"name": "kv"}},
                },
                {"name": "share", "azureFile": {"secretName": "azure", "shareName": "s"}},
                {"name": "ceph", "cephfs": {"monitors": ["m"], "secretRef": {"name": "ceph"}}},
            ],
        ),
        [
            SecretUse(
                "kv",
                "volume-plugin",
                "restart",
                "app",
                "container",
                volume="store",
                mount_path="/mnt/secrets",
            ),
            SecretUse("azure", "volume-plugin", "restart", volume="share"),
            SecretUse("ceph", "volume-plugin", "restart", volume="ceph"),
        ],
    ),
    (
        "ConfigMap, emptyDir and hostPath volumes are not Secret uses",
        _spec(
            [{"name": "app", "volumeMounts": [_mount("conf", "/c"), _mount("tmp", "/t")]}],
            volumes=[
                {"name": "conf", "configMap": {"name": "c"}},
                {"name": "tmp", "emptyDir": {}},
                {"name": "host", "hostPath": {"path": "/var/log"}},
            ],
        ),
        [],
    ),
    ("an empty spec", {}, []),
]


@pytest.mark.parametrize(("case", "spec", "expected"), CASES, ids=[c[0] for c in CASES])
def test_secret_uses_finds_every_consumption_path(
    case: str, spec: dict[str, Any], expected: list[SecretUse]
) -> None:
    assert secret_uses(spec) == expected


def test_ephemeral_only_returns_just_the_ephemeral_containers_uses() -> None:
    spec = _spec(
        [{"name": "app", "env": [_env("A", "a", "k")]}],
        ephemeralContainers=[{"name": "dbg", "envFrom": [{"secretRef": {"name": "b"}}]}],
        imagePullSecrets=[{"name": "regcred"}],
        volumes=[SECRET_VOLUME],
    )
    assert secret_uses(spec, ephemeral_only=True) == [
        SecretUse("b", "envFrom", "restart", "dbg", "ephemeralContainer")
    ]
