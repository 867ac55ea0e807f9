"""Property-based requests from the API's own OpenAPI schema (schemathesis): no input may cause a 500."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from services.api.app import create_app
from services.settings import Settings
from services.store import Store
from tests.services.api.auth_client import authorize


@pytest.mark.slow
def test_no_input_causes_a_server_error(trained: tuple[Settings, Store]) -> None:
    app = create_app(trained[0])
    with TestClient(app) as client:  # runs the lifespan, so the store and catalogue exist
        headers = dict(authorize(client).headers)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 5
        for operation in operations:

            @given(case=operation.as_strategy())
            @hypothesis_settings(
                max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck)
            )
            def check(case: schemathesis.Case) -> None:
                response = case.call(headers={"Authorization": headers["authorization"]})
                assert response.status_code < 500, (case.method, case.formatted_path, response.text)
                assert response.status_code < 400 or set(response.json()) == {"error"}

            check()
