"""Settings are read from an environment mapping, with clear errors for unusable values."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubeconnector.errors import ConfigError
from kubeconnector.settings import Settings


def test_the_defaults_live_under_the_users_home() -> None:
    settings = Settings.from_env({"HOME": "/home/ops"})
    assert settings.home == Path("/home/ops/.kubeconnector")
    assert settings.database_url == "sqlite:////home/ops/.kubeconnector/kubeconnector.db"
    assert settings.key_file == Path("/home/ops/.kubeconnector/master.key")
    assert settings.key_source == "file"
    assert (settings.master_key, settings.user, settings.single_operator) == (None, None, False)


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "KUBECONNECTOR_HOME": "/srv/kc",
            "KUBECONNECTOR_DATABASE_URL": "postgresql://kc:pw@db:5432/kc",
            "KUBECONNECTOR_MASTER_KEY": "k1:" + "A" * 43 + "=",
            "KUBECONNECTOR_USER": "alice@example.com",
            "KUBECONNECTOR_SINGLE_OPERATOR": "yes",
        }
    )
    assert settings.home == Path("/srv/kc")
    assert settings.database_url == "postgresql+psycopg://kc:pw@db:5432/kc"
    assert settings.key_source == "env"
    assert settings.user == "alice@example.com"
    assert settings.single_operator is True


def test_the_master_key_never_shows_in_the_repr() -> None:
    settings = Settings.from_env(
        {"KUBECONNECTOR_HOME": "/srv/kc", "KUBECONNECTOR_MASTER_KEY": "k1:SECRETVALUE"}
    )
    assert "SECRETVALUE" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////var/lib/kc.db", "sqlite:////var/lib/kc.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_database_urls_are_normalised(url: str, normalised: str) -> None:
    settings = Settings.from_env({"HOME": "/h", "KUBECONNECTOR_DATABASE_URL": url})
    assert settings.database_url == normalised


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"KUBECONNECTOR_DATABASE_URL": "postgresql+psycopg2://u:topsecret@h/db"},
            "KUBECONNECTOR_DATABASE_URL uses 'postgresql+psycopg2'; kubeconnector supports "
            "sqlite:///<path> and postgresql://... (driven by psycopg 3)",
        ),
        (
            {"KUBECONNECTOR_DATABASE_URL": "::topsecret::"},
            "KUBECONNECTOR_DATABASE_URL is not a database URL",
        ),
        (
            {"KUBECONNECTOR_SINGLE_OPERATOR": "maybe"},
            "KUBECONNECTOR_SINGLE_OPERATOR must be true or false, got 'maybe'",
        ),
        (
            {"KUBECONNECTOR_HOME": "~ops/kc"},
            "KUBECONNECTOR_HOME must be an absolute path or start with '~/', got '~ops/kc'",
        ),
    ],
)
def test_unusable_values_are_refused_with_a_clear_message(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"HOME": "/h", **env})
    assert str(caught.value) == message
    assert "topsecret" not in str(caught.value)


def test_empty_variables_count_as_unset() -> None:
    settings = Settings.from_env(
        {"HOME": "/h", "KUBECONNECTOR_HOME": "", "KUBECONNECTOR_USER": " "}
    )
    assert settings.home == Path("/h/.kubeconnector")
    assert settings.user is None


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({"HOME": "/h"})
    with pytest.raises(AttributeError):
        settings.user = "mallory"  # type: ignore[misc]
