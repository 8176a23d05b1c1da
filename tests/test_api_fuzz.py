"""API fuzzing with schemathesis over the whole OpenAPI schema, authenticated as each role: no 5xx, and
rejected input answered with a structured ``{code, message}`` error.

The SQLite run sends both what the schema allows (positive data: boundary values, long and odd strings, NUL
bytes, huge numbers) and what it refuses (negative data). The PostgreSQL run beside it (``scripts/test.sh``;
``zhifa.testing.paired_with_sqlite``) sends the positive data only: negative data is meant to be refused by
django-ninja's parameter parsing before any view runs (``invalid_request``, 422; a case the parsing lets
through would be found in the SQLite run, where it reaches the view), so its answer does not depend on the
database engine — only the bearer-token look-up has run — while the positive data reaches the views and the
database, where the engines differ (PostgreSQL refuses a NUL byte in text — schemathesis generates them,
``allow_x00`` — an integer out of range, an over-long string). Positive-only halves the fuzz's CPU on
PostgreSQL (2026-12-06: ~91 → ~53 CPU-s).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection  # noqa: F401 - documents the check set

from zhifa.testing import build_world, paired_with_sqlite, shared_data
from zhifa.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
if paired_with_sqlite():
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])  # see the module's docstring

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


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and a token per role, written once for the module's 179 operations (each operation's requests
    run in its own savepoint inside this transaction and are rolled back after it, as before)."""
    from zhifa.core.auth import token_create

    with shared_data(django_db_blocker, tmp_path_factory.mktemp("fuzz")):
        world = build_world()
        yield {key: token_create(user=world.users[key], name=f"fuzz-{key}") for key in ROLES}


def json_body(response):
    """The decoded body of a JSON answer, else None. Schemathesis keeps the headers with lowercase names and
    lists of values: reading ``headers.get("Content-Type", "")`` found nothing, so until 2026-12-06 the
    structured-error check below never ran."""
    if (response.headers.get("content-type") or [""])[0].startswith("application/json"):
        return response.json()
    return None


def refused_before_knowing_who_asks(response, body) -> bool:
    """A refusal the API gives before it reads the caller: no route for the method (405, from the URL
    dispatch), or a request that fails the operation's schema (``invalid_request``: django-ninja parses the
    parameters after the token check but before the view, and no schema of ours reads the user). Every role
    gets the same answer, so the other roles need not send it again. Two of every three fuzz cases end so
    (5,600 of 8,500, 2026-12-06): a third fewer requests."""
    return response.status_code == 405 or (response.status_code == 422 and isinstance(body, dict)
                                           and body.get("code") == "invalid_request")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_as_each_role(case, tokens):
    for role in ROLES:
        response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
        assert response.status_code < 500, f"{case.method} {case.formatted_path} as {role}: {response.status_code} {response.text[:300]}"
        body = json_body(response)
        if response.status_code >= 400 and body is not None:
            assert isinstance(body, dict) and ("code" in body or "detail" in body), body
        if refused_before_knowing_who_asks(response, body):
            break
