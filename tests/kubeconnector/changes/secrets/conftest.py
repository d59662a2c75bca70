"""Fixtures of the SECRETS action tests (defined in `secrets_support`)."""

from tests.kubeconnector.changes.secrets.secrets_support import (  # noqa: F401
    connector_ctx,
    sandbox,
)
