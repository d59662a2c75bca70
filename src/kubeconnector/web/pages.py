"""The console's page routes: each renders one Jinja2 template as a page shell."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"

# Autoescaping is on for every template: path parameters reach the page only as escaped text.
_TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# (section, label) of the navigation bar's links, each to /ui/<section>.
_NAV = (
    ("connectors", "Connectors"),
    ("assets", "Assets"),
    ("rbac", "RBAC"),
    ("changes", "Change requests"),
    ("audit", "Audit log"),
)

router = APIRouter(prefix="/ui", include_in_schema=False, default_response_class=HTMLResponse)


def render(template: str, section: str, title: str, **params: str) -> HTMLResponse:
    """One page shell; ``params`` become ``data-*`` attributes the page's script reads."""
    page = _TEMPLATES.get_template(f"{template}.html")
    html = page.render(page_name=template, section=section, title=title, nav=_NAV, params=params)
    # The shell never holds data, but forbid caching so a logout leaves nothing behind.
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


@router.get("/", response_class=RedirectResponse)
def index() -> RedirectResponse:
    """The console's entry point: the connectors page (which sends to login when needed)."""
    return RedirectResponse("/ui/connectors", status_code=307)


@router.get("/login")
def login() -> HTMLResponse:
    """Paste an API token; shows who it belongs to."""
    return render("login", "login", "Log in")


@router.get("/connectors")
def connectors() -> HTMLResponse:
    """The connectors list and the form to add one."""
    return render("connectors", "connectors", "Connectors")


@router.get("/connectors/{ref}")
def connector(ref: str) -> HTMLResponse:
    """One connector: its connection test and discovery."""
    return render("connector", "connectors", "Connector", ref=ref)


@router.get("/assets")
def assets() -> HTMLResponse:
    """Search the inventory."""
    return render("assets", "assets", "Assets")


@router.get("/assets/{asset_id}")
def asset(asset_id: str) -> HTMLResponse:
    """One asset, its relations and (for a Secret or ServiceAccount) its graph."""
    return render("asset", "assets", "Asset", asset_id=asset_id)


@router.get("/rbac")
def rbac() -> HTMLResponse:
    """Who-can queries and the findings list."""
    return render("rbac", "rbac", "RBAC")


@router.get("/changes")
def changes() -> HTMLResponse:
    """The change requests and the form to plan one."""
    return render("changes", "changes", "Change requests")


@router.get("/changes/{change_id}")
def change(change_id: str) -> HTMLResponse:
    """One change request: plan, approvals, state and the actions allowed now."""
    return render("change", "changes", "Change request", change_id=change_id)


@router.get("/audit")
def audit() -> HTMLResponse:
    """The audit log, its filters and the chain verification."""
    return render("audit", "audit", "Audit log")
