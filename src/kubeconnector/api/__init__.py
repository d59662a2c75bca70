"""The HTTP API: ``create_app(settings)`` builds the FastAPI application ``kubeconnector serve``
runs. See ``docs/api.md`` for its routes, roles, errors and limits."""

from kubeconnector.api.app import create_app
from kubeconnector.api.limits import Limits
from kubeconnector.api.state import ApiOptions

__all__ = ["ApiOptions", "Limits", "create_app"]
