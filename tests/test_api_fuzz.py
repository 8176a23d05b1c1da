"""API fuzzing with schemathesis over the whole OpenAPI schema, authenticated as each role: no 5xx, responses
conform to the schema, rejected input answered with a structured ``{code, message}`` error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection  # noqa: F401 - documents the check set

from zhifa.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Routes whose side effects are external (signed callbacks, station pushes) are fuzzed for their refusals:
# without a valid signature every request must be a clean 4xx.
MAX_EXAMPLES = 6
ROLES = ("officer", "supervisor")  # a county officer and the city's supervisor: both ends of the jurisdiction tree


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """The WSGI handler closes DB connections after each request; the test transaction must survive (as
    Django's test client arranges)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world):
    from zhifa.core.auth import token_create

    return {key: token_create(user=world.users[key], name=f"fuzz-{key}") for key in ROLES}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_as_each_role(case, tokens):
    for role in ROLES:
        response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
        assert response.status_code < 500, f"{case.method} {case.formatted_path} as {role}: {response.status_code} {response.text[:300]}"
        if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
            body = response.json()
            assert isinstance(body, dict) and ("code" in body or "detail" in body), body
