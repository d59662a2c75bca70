"""Property-based checks of the OpenAPI schema: no 5xx, and every response matches its schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance
from tests.kubeconnector.api.conftest import settings_for

from kubeconnector.api import ApiOptions, Limits, create_app
from kubeconnector.store import AuditLog, Database, UserRepository

EXAMPLES_PER_OPERATION = 8


@pytest.mark.slow
def test_generated_requests_get_no_server_error_and_match_the_schema(tmp_path: Path) -> None:
    config = settings_for(tmp_path / "home")
    with Database.open(config.database_url) as db:
        _, token = UserRepository(db, AuditLog(db)).add("fuzzer", "admin", "test")
    options = ApiOptions(limits=Limits(rate=10_000.0, burst=10_000), resume_at_start=False)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(config, options))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    headers = {"Authorization": f"Bearer {token}"}
    checks = [not_a_server_error, response_schema_conformance]

    @settings(
        max_examples=EXAMPLES_PER_OPERATION * len(operations),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        case.call_and_validate(headers=headers, checks=checks)

    run()
