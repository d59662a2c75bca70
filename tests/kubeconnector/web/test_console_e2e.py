"""End to end in headless Chromium: a Secret rotation from connector to rollback, all through
the console's pages, against the real API and a kubesim cluster over TLS.

The admin adds the connector and discovers; the operator plans the rotation in the form; the
approver approves; the operator executes, sees it complete, then rolls it back. Screenshots of
each step are saved under ``artifacts/e2e/``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.kubeconnector.changes.engine.engine_support import admin_client, b64, unique
from tests.kubeconnector.connectors.conftest import kubesim_kubeconfig
from tests.kubeconnector.web.conftest import USERS, Console

from kubeconnector.kube import ClusterClient
from kubesim.runner import Cluster

pytestmark = pytest.mark.slow
ORIGINAL = "original-password-value"
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def browser(browser_path: str) -> Iterator[Browser]:
    """Headless system Chromium."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=browser_path, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def workload(kubesim_cluster: Cluster) -> Iterator[tuple[str, ClusterClient]]:
    """A namespace of the test's own with a Secret ``creds`` and a Deployment using it."""
    with admin_client(kubesim_cluster) as admin:
        namespace = unique("web")
        admin.request("POST", "/api/v1/namespaces", body=_namespace(namespace))
        admin.request("POST", f"/api/v1/namespaces/{namespace}/secrets", body=_secret(namespace))
        admin.request(
            "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments", body=_deployment(namespace)
        )
        yield namespace, admin


def test_a_secret_rotation_from_connector_to_rollback(
    browser: Browser,
    console: Console,
    kubesim_cluster: Cluster,
    workload: tuple[str, ClusterClient],
    artifacts: Path,
    opened: list[Page],
) -> None:
    namespace, admin = workload
    admin_page = _open_as(browser, console, "root", opened)
    _add_connector_and_discover(admin_page, kubesim_cluster, artifacts)
    _see_the_secret_and_its_consumer(admin_page, namespace, artifacts)
    _see_a_service_account_graph(admin_page, artifacts)
    _ask_who_can_read_it(admin_page, namespace, artifacts)

    operator = _open_as(browser, console, "olivia", opened)
    change_url = _plan_rotation(operator, namespace, artifacts)

    approver = _open_as(browser, console, "avery", opened)
    approver.goto(change_url)
    expect(approver.get_by_test_id("btn-execute")).to_be_hidden()
    approver.get_by_label("Comment (approve or reject)", exact=True).fill("looks right")
    approver.get_by_test_id("btn-approve").click()
    expect(approver.get_by_test_id("change-state")).to_have_text("approved")
    expect(approver.get_by_test_id("approval")).to_contain_text("avery")

    operator.goto(change_url)
    operator.get_by_test_id("btn-execute").click()
    expect(operator.get_by_test_id("change-state")).to_have_text("completed", timeout=WAIT_MS)
    rotated = _secret_value(admin, namespace)
    assert rotated != ORIGINAL
    assert len(rotated) == 24
    assert rotated not in operator.content()
    operator.screenshot(path=artifacts / "05-executed.png", full_page=True)

    operator.get_by_test_id("btn-rollback").click()
    expect(operator.get_by_test_id("change-state")).to_have_text("rolled_back", timeout=WAIT_MS)
    expect(operator.get_by_test_id("rollback-link")).to_be_visible()
    assert _secret_value(admin, namespace) == ORIGINAL
    operator.screenshot(path=artifacts / "06-rolled-back.png", full_page=True)

    _verify_the_ledger(operator, artifacts)
    for page in (admin_page, operator, approver):
        assert ORIGINAL not in page.content()
        assert rotated not in page.content()
        page.context.close()


def test_a_viewer_sees_no_buttons_and_a_bad_token_is_refused(
    browser: Browser, console: Console, artifacts: Path
) -> None:
    page = browser.new_page(base_url=console.url)
    page.goto("/ui/changes")
    expect(page).to_have_url(re.compile(r"/ui/login\?next=%2Fui%2Fchanges$"))
    page.get_by_label("API token", exact=True).fill("not-a-token")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("error")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    page.screenshot(path=artifacts / "00-login-refused.png")
    page.get_by_label("API token", exact=True).fill(console.tokens["vera"])
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/ui/changes$"))
    expect(page.get_by_test_id("whoami")).to_have_text("vera (viewer)")
    expect(page.get_by_test_id("plan-form")).to_be_hidden()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/ui/login$"))
    page.context.close()


def _open_as(browser: Browser, console: Console, user: str, opened: list[Page]) -> Page:
    """A fresh browser context logged in as ``user`` through the login page."""
    context = browser.new_context(base_url=console.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    opened.append(page)
    page.goto("/ui/")
    expect(page).to_have_url(re.compile(r"/ui/login"))
    page.get_by_label("API token", exact=True).fill(console.tokens[user])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("whoami")).to_have_text(f"{user} ({USERS[user]})")
    return page


def _add_connector_and_discover(page: Page, cluster: Cluster, artifacts: Path) -> None:
    page.get_by_label("Name", exact=True).fill("sim")
    page.get_by_label("Environment", exact=True).select_option("dev")
    page.get_by_label("Context (optional)", exact=True).fill("connector")
    page.get_by_label("Kubeconfig (YAML)", exact=True).fill(
        kubesim_kubeconfig(cluster, "connector")
    )
    page.get_by_test_id("c-submit").click()
    expect(page.get_by_test_id("connector-name")).to_have_text("sim")

    page.get_by_test_id("run-test").click()
    rotate = page.locator('[data-testid="action-row"]', has_text="rotate-secret")
    expect(rotate).to_have_attribute("data-can-run", "true", timeout=WAIT_MS)
    expect(page.get_by_test_id("perm-row").first).to_be_visible()
    page.screenshot(path=artifacts / "01-connection-test.png", full_page=True)

    page.get_by_test_id("run-discover").click()
    status = page.get_by_test_id("discover-status")
    expect(status).to_have_attribute("data-state", "succeeded", timeout=WAIT_MS)
    expect(page.get_by_test_id("discover-summary")).to_contain_text("assets")
    page.screenshot(path=artifacts / "02-discovery.png", full_page=True)


def _see_the_secret_and_its_consumer(page: Page, namespace: str, artifacts: Path) -> None:
    page.get_by_test_id("nav-assets").click()
    page.get_by_label("Kind", exact=True).fill("Secret")
    page.get_by_label("Namespace", exact=True).fill(namespace)
    page.get_by_label("Name", exact=True).fill("creds")
    page.get_by_test_id("a-submit").click()
    page.get_by_test_id(f"asset-link-Secret-{namespace}-creds").click()
    expect(page.get_by_test_id("asset-title")).to_have_text(f"Secret {namespace}/creds")
    consumer = page.get_by_test_id("consumer-row")
    expect(consumer).to_have_count(1)
    expect(consumer).to_contain_text(f"Deployment {namespace}/api")
    expect(consumer).to_contain_text("env")
    graph = page.get_by_test_id("relation-graph")
    expect(graph.locator('[data-kind="Deployment"]')).to_have_count(1)
    expect(graph.locator('[data-testid="graph-edge"]').first).to_contain_text("consumes-secret")
    expect(page.get_by_test_id("plan-link")).to_have_attribute(
        "href", re.compile(r"action=rotate-secret&namespace=" + namespace + "&name=creds$")
    )
    page.screenshot(path=artifacts / "03-secret-graph.png", full_page=True)


def _see_a_service_account_graph(page: Page, artifacts: Path) -> None:
    page.goto("/ui/assets?kind=ServiceAccount&namespace=kubeconnector&name=connector")
    page.get_by_test_id("asset-link-ServiceAccount-kubeconnector-connector").click()
    graph = page.get_by_test_id("relation-graph")
    expect(graph.locator('[data-kind="ClusterRoleBinding"]')).to_have_count(1)
    expect(graph.locator('[data-kind="ClusterRole"]')).to_have_count(1)
    expect(graph.locator('[data-testid="graph-edge"]', has_text="grants")).to_have_count(1)
    page.screenshot(path=artifacts / "03a-service-account-graph.png", full_page=True)


def _ask_who_can_read_it(page: Page, namespace: str, artifacts: Path) -> None:
    page.get_by_test_id("nav-rbac").click()
    page.get_by_label("Connector", exact=True).select_option(label="sim")
    page.get_by_label("Verb", exact=True).fill("get")
    page.get_by_label("Resource", exact=True).fill("secrets")
    page.get_by_label("Namespace", exact=True).fill(namespace)
    page.get_by_test_id("w-submit").click()
    subjects = page.get_by_test_id("who-can-subject")
    expect(subjects.filter(has_text="ServiceAccount kubeconnector/connector")).to_have_count(1)
    page.get_by_test_id("load-findings").click()
    expect(page.get_by_test_id("finding-row").first).to_be_visible()
    expect(page.get_by_test_id("error")).to_be_hidden()
    page.screenshot(path=artifacts / "03b-rbac.png", full_page=True)


def _plan_rotation(page: Page, namespace: str, artifacts: Path) -> str:
    page.get_by_test_id("nav-changes").click()
    page.get_by_label("Connector", exact=True).select_option("sim")
    page.get_by_label("Action", exact=True).select_option("rotate-secret")
    page.get_by_label("Namespace *", exact=True).fill(namespace)
    page.get_by_label("Name *", exact=True).fill("creds")
    page.get_by_test_id("param-generate-key-0").fill("password")
    page.get_by_test_id("param-generate-value-0").fill("24")
    page.get_by_test_id("p-submit").click()
    expect(page).to_have_url(re.compile(r"/ui/changes/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("change-state")).to_have_text("planned")
    expect(page.get_by_test_id("diff-row")).to_contain_text(["password"])
    expect(page.get_by_test_id("impact-row")).to_contain_text([f"Deployment {namespace}/api"])
    expect(page.get_by_test_id("btn-approve")).to_be_hidden()
    expect(page.get_by_test_id("btn-execute")).to_be_hidden()
    page.screenshot(path=artifacts / "04-planned.png", full_page=True)
    return page.url


def _verify_the_ledger(page: Page, artifacts: Path) -> None:
    page.get_by_test_id("nav-audit").click()
    expect(page.get_by_test_id("audit-row").first).to_be_visible()
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-ok", "true")
    page.screenshot(path=artifacts / "07-audit.png", full_page=True)


def _secret_value(admin: ClusterClient, namespace: str) -> str:
    secret = admin.request("GET", f"/api/v1/namespaces/{namespace}/secrets/creds")
    return base64.b64decode(secret["data"]["password"]).decode()


def _namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def _secret(namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": namespace},
        "type": "Opaque",
        "data": {"password": b64(ORIGINAL)},
    }


def _deployment(namespace: str) -> dict[str, Any]:
    env = [
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}}
    ]
    template = {
        "metadata": {"labels": {"app": "api"}},
        "spec": {"containers": [{"name": "api", "image": "example/api:1", "env": env}]},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": namespace},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}}, "template": template},
    }
