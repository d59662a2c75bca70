"""The web console: server-rendered page shells under ``/ui`` that call the JSON API.

The pages carry no data of their own; their script reads the API token from the browser's
``sessionStorage`` and fetches everything from the JSON API, so a page shell is safe to serve
without authentication. Static files (`STATIC_DIR`) are mounted by the API at ``/ui/static``.
"""

from __future__ import annotations

from kubeconnector.web.pages import STATIC_DIR, TEMPLATES_DIR, router

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "router"]
