"""Fixtures of the SECRETS action tests (defined in `secrets_support` and `support`)."""

from tests.kubeconnector.changes.secrets.secrets_support import sandbox  # noqa: F401
from tests.kubeconnector.changes.support import connector_ctx  # noqa: F401
