"""A last-line guard against secrets in ledger payloads.

The ledger is stored in plain text (it must stay verifiable without keys), so callers must only
put non-secret details in a payload. This guard refuses the obvious mistakes: keys that name a
secret (``password``, ``token``, ``kubeconfig``, Secret ``data``, ...) and values that look like
a private key or a JSON Web Token. Key names such as ``secret`` (the name of a Kubernetes
Secret) or ``keys`` (a list of key names) stay allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import JsonValue

from kubeconnector.errors import InvalidInput

SECRET_KEYS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "token",
        "accesstoken",
        "refreshtoken",
        "bearertoken",
        "idtoken",
        "apikey",
        "secretkey",
        "secretvalue",
        "privatekey",
        "clientkey",
        "clientkeydata",
        "clientsecret",
        "credentials",
        "authorization",
        "kubeconfig",
        "data",
        "stringdata",
        "binarydata",
        "plaintext",
    }
)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")


def check_payload(payload: Mapping[str, JsonValue]) -> None:
    """Refuse a payload that visibly carries a secret.

    Raises:
        InvalidInput: A key names a secret or a value looks like one; ``field`` is the path
            (e.g. ``payload.spec.password``). The message never repeats the value.
    """
    _check_value(dict(payload), "payload")


def _normalise(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _check_value(value: JsonValue, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if _normalise(key) in SECRET_KEYS:
                raise InvalidInput(
                    f"{path}.{key}: ledger payloads must not carry secrets", f"{path}.{key}"
                )
            _check_value(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, f"{path}[{index}]")
    elif isinstance(value, str) and (_PRIVATE_KEY.search(value) or _JWT.search(value)):
        raise InvalidInput(f"{path}: looks like a private key or a token", path)
