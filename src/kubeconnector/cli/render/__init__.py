"""The CLI's rendering, in one place: JSON documents, and rich tables and panels per result."""

from kubeconnector.cli.render.output import Output, jsonable

__all__ = ["Output", "jsonable"]
