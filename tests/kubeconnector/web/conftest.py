"""Fixtures for the console's browser tests: the real API on a temp home, users, Chromium.

The browser is the system Chromium (``/usr/bin/chromium`` or ``KUBECONNECTOR_CHROMIUM``),
driven by Playwright without downloading its own. Without it the browser tests skip with the
reason, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from tests.kubeconnector.web.server import serving

from kubeconnector.api import ApiOptions, create_app
from kubeconnector.changes.base import ChangeOptions
from kubeconnector.kube import ClientOptions, RetryPolicy
from kubeconnector.settings import Settings
from kubeconnector.store import AuditLog, Database, UserRepository

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts" / "e2e"
FAST_CLIENT = ClientOptions(
    retry=RetryPolicy(base_delay=0.01, max_delay=0.05, max_retry_after=0.05),
    connect_timeout=5.0,
)
FAST_CHANGES = ChangeOptions(
    rollout_timeout=30.0, token_timeout=10.0, poll_interval=0.05, restart_timeout=30.0
)
SYSTEM_CHROMIUM = "/usr/bin/chromium"
USERS = {"root": "admin", "olivia": "operator", "avery": "approver", "vera": "viewer"}


@dataclass(frozen=True)
class Console:
    """A running API with its console, and the token of each user by name."""

    url: str
    tokens: dict[str, str]
    settings: Settings


def chromium_path() -> str:
    """The system Chromium, or skip (fail under CI=true) when there is none."""
    path = os.environ.get("KUBECONNECTOR_CHROMIUM") or shutil.which("chromium") or SYSTEM_CHROMIUM
    if path and os.access(path, os.X_OK):
        return path
    reason = f"no executable Chromium at {path} (set KUBECONNECTOR_CHROMIUM to another one)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests need Chromium under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """The real API (with the console) on a fresh SQLite home, and one user per role."""
    home = tmp_path_factory.mktemp("console") / "home"
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = Settings(
        home=home, database_url=f"sqlite:///{home / 'kubeconnector.db'}", master_key=f"k1:{key}"
    )
    home.mkdir(parents=True)
    with Database.open(settings.database_url) as database:
        users = UserRepository(database, AuditLog(database))
        tokens = {name: users.add(name, role, "setup")[1] for name, role in USERS.items()}
    options = ApiOptions(client_options=FAST_CLIENT, change_options=FAST_CHANGES)
    with serving(create_app(settings, options)) as url:
        yield Console(url, tokens, settings)


@pytest.fixture(scope="module")
def browser_path() -> str:
    """The Chromium executable (skips or fails when absent)."""
    return chromium_path()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def opened(request: pytest.FixtureRequest, artifacts: Path) -> Iterator[list[Page]]:
    """Pages the test opens; on failure each is saved as ``failure-<n>.png`` with its text."""
    pages: list[Page] = []
    yield pages
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    for number, page in enumerate(pages):
        if not page.is_closed():
            page.screenshot(path=artifacts / f"failure-{number}.png", full_page=True)
            (artifacts / f"failure-{number}.html").write_text(page.content())
