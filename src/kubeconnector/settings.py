"""kubeconnector's settings, read once from the environment and then passed explicitly.

Nothing here touches the disk: the home directory, the SQLite file and the key file are created
by the code that first needs them (see `kubeconnector.crypto` and `kubeconnector.store`).

Environment variables:

- ``KUBECONNECTOR_HOME``: the state directory (default ``~/.kubeconnector``).
- ``KUBECONNECTOR_DATABASE_URL``: ``sqlite:///<path>`` or ``postgresql://user@host/db``
  (default: the SQLite file ``<home>/kubeconnector.db``). PostgreSQL URLs always use psycopg 3.
- ``KUBECONNECTOR_MASTER_KEY``: the key ring, ``<kid>:<base64 32 bytes>[,<kid>:<base64>...]``
  with the active key first, or one bare base64 key (its key id is ``env``). When unset the
  key ring lives in the key file ``<home>/master.key``.
- ``KUBECONNECTOR_USER``: the acting user recorded in the ledger.
- ``KUBECONNECTOR_SINGLE_OPERATOR``: ``true`` lets one person approve their own change.
- ``KUBECONNECTOR_FAILPOINT``: a testing hook that kills the process (SIGKILL) at one point of
  a change's execution, e.g. ``update-secret:before`` (see `kubeconnector.changes.failpoints`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from kubeconnector.errors import ConfigError

ENV_HOME = "KUBECONNECTOR_HOME"
ENV_DATABASE_URL = "KUBECONNECTOR_DATABASE_URL"
ENV_MASTER_KEY = "KUBECONNECTOR_MASTER_KEY"
ENV_USER = "KUBECONNECTOR_USER"
ENV_SINGLE_OPERATOR = "KUBECONNECTOR_SINGLE_OPERATOR"
ENV_FAILPOINT = "KUBECONNECTOR_FAILPOINT"

DATABASE_FILE = "kubeconnector.db"
KEY_FILE = "master.key"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_POSTGRES_DRIVERS = frozenset({"postgres", "postgresql", "postgresql+psycopg"})


@dataclass(frozen=True)
class Settings:
    """Everything kubeconnector reads from its environment.

    Attributes:
        home: The state directory (key file and default SQLite database).
        database_url: A SQLAlchemy URL; PostgreSQL URLs name the psycopg 3 driver.
        master_key: The raw ``KUBECONNECTOR_MASTER_KEY`` value, or None to use the key file.
            Kept out of ``repr`` so settings can be logged.
        user: The acting user, or None when not configured.
        single_operator: Whether one person may approve their own change.
        failpoint: Where to kill the process during a change (crash tests only), or None.
    """

    home: Path
    database_url: str
    master_key: str | None = field(default=None, repr=False)
    user: str | None = None
    single_operator: bool = False
    failpoint: str | None = None

    @property
    def key_file(self) -> Path:
        """The key file used when ``KUBECONNECTOR_MASTER_KEY`` is not set."""
        return self.home / KEY_FILE

    @property
    def key_source(self) -> Literal["env", "file"]:
        """Where the key ring comes from."""
        return "env" if self.master_key is not None else "file"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read settings from an environment mapping (normally ``os.environ``).

        Empty variables count as unset.

        Raises:
            ConfigError: A variable holds a value kubeconnector cannot use.
        """
        home = _home(environ)
        return cls(
            home=home,
            database_url=_database_url(_get(environ, ENV_DATABASE_URL), home),
            master_key=_get(environ, ENV_MASTER_KEY),
            user=_get(environ, ENV_USER),
            single_operator=_flag(environ, ENV_SINGLE_OPERATOR),
            failpoint=_get(environ, ENV_FAILPOINT),
        )


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _home(environ: Mapping[str, str]) -> Path:
    raw = _get(environ, ENV_HOME) or "~/.kubeconnector"
    if raw == "~" or raw.startswith("~/"):
        user_home = _get(environ, "HOME")
        base = Path(user_home) if user_home else Path.home()
        raw = str(base / raw[2:])
    elif raw.startswith("~"):
        raise ConfigError(f"{ENV_HOME} must be an absolute path or start with '~/', got {raw!r}")
    return Path(raw).absolute()


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = (_get(environ, name) or "false").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def _database_url(raw: str | None, home: Path) -> str:
    if raw is None:
        return URL.create("sqlite", database=str(home / DATABASE_FILE)).render_as_string(False)
    return normalise_database_url(raw)


def normalise_database_url(raw: str) -> str:
    """Check a database URL and make PostgreSQL URLs use the psycopg 3 driver.

    Args:
        raw: ``sqlite:///<path>``, ``sqlite://`` (in memory), ``postgresql://...`` or
            ``postgres://...``.

    Returns:
        The URL to hand to SQLAlchemy.

    Raises:
        ConfigError: The URL does not parse or names another database or driver. The message
            never repeats the URL, which may hold a password.
    """
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(f"{ENV_DATABASE_URL} is not a database URL") from None
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        return url.render_as_string(hide_password=False)
    if url.drivername in _POSTGRES_DRIVERS:
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ConfigError(
        f"{ENV_DATABASE_URL} uses {url.drivername!r}; kubeconnector supports "
        "sqlite:///<path> and postgresql://... (driven by psycopg 3)"
    )
