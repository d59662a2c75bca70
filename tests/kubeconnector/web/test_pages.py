"""The console's page shells and static files, served by the web router alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from tests.kubeconnector.web.server import serving

from kubeconnector.web import STATIC_DIR, router

PAGES = (
    "/ui/login",
    "/ui/connectors",
    "/ui/connectors/prod",
    "/ui/assets",
    "/ui/assets/123",
    "/ui/rbac",
    "/ui/changes",
    "/ui/changes/abc",
    "/ui/audit",
)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """The web router and its static files, without the JSON API."""
    app = FastAPI()
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    with serving(app) as url, httpx.Client(base_url=url) as http:
        yield http


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_a_shell_with_local_assets_only(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(s.startswith(("/ui/", "#")) for s in sources), sources
    for asset in (s for s in sources if s.startswith("/ui/static/")):
        assert client.get(asset).status_code == 200, asset


def test_every_input_has_a_label(client: httpx.Client) -> None:
    for path in PAGES:
        html = client.get(path).text
        ids = re.findall(r"<(?:input|select|textarea)[^>]*\sid=\"([^\"]+)\"", html)
        labelled = set(re.findall(r'<label for="([^"]+)"', html))
        assert set(ids) <= labelled, (path, set(ids) - labelled)


def test_path_parameters_are_escaped(client: httpx.Client) -> None:
    response = client.get('/ui/changes/"><img src=x onerror=alert(1)>')
    assert response.status_code == 200
    assert "<img" not in response.text
    assert 'data-change-id="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in response.text


def test_the_root_sends_to_the_connectors_page(client: httpx.Client) -> None:
    response = client.get("/ui/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/connectors"


def test_scripts_never_write_markup() -> None:
    # Data reaches the page through textContent and attributes only.
    for script in STATIC_DIR.glob("*.js"):
        text = script.read_text()
        assert "innerHTML" not in text, script.name
        assert "insertAdjacentHTML" not in text, script.name
        assert "document.write" not in text, script.name
