"""The API's URLs grouped by section (``zhifa.api.urls()``, commit ade3832): every path of the OpenAPI
schema, its parameters filled in, resolves through the project's URLconf to the django-ninja view of that
operation, with the same URL name and parameters as django-ninja's own flat list of patterns gives; and no
pattern at the top of the API begins with a parameter (one that did would be tried, in the flat list, before
later sections' literal patterns — grouping would change which view answers). Checked to fail with one
section's patterns put under another's prefix."""

import re

import pytest
from django.urls import URLResolver, path, resolve
from django.urls.resolvers import RegexPattern

from zhifa import api

pytestmark = pytest.mark.engine_independent  # the URLconf and the schema, never the database

SAMPLE = {"integer": "7", "number": "7"}  # anything else: a string (str converter: no slash)


def _path_view(func):
    """The django-ninja PathView behind a resolved view: its view function is a closure over it."""
    return next(cell.cell_contents for cell in func.__closure__ if hasattr(cell.cell_contents, "operations"))


def _operations():
    """(method, filled path, operationId) for every operation of the schema."""
    schema = api.api.get_openapi_schema()
    for route, methods in schema["paths"].items():
        for method, operation in methods.items():
            types = {p["name"]: p.get("schema", {}).get("type") for p in operation.get("parameters", [])
                     if p["in"] == "path"}
            filled = re.sub(r"{(\w+)}", lambda m, types=types: SAMPLE.get(types.get(m[1]), f"x{m[1]}"), route)
            yield method.upper(), filled, operation["operationId"]


def _operation_id(operation):
    return operation.operation_id or api.api.get_openapi_operation_id(operation)


def test_every_schema_path_resolves_to_its_operation_s_view_as_ninja_s_flat_list_does():
    flat = URLResolver(RegexPattern(r"^/"), [path("api/v1/", api.api.urls)])
    operations = list(_operations())
    assert len(operations) > 150  # the whole API, not an empty schema
    for method, filled, operation_id in operations:
        grouped_match, flat_match = resolve(filled), flat.resolve(filled)
        view = _path_view(grouped_match.func)
        assert view is _path_view(flat_match.func), filled
        assert operation_id in {_operation_id(o) for o in view.operations if method in o.methods}, filled
        assert (grouped_match.view_name, grouped_match.kwargs) == (flat_match.view_name, flat_match.kwargs)


def test_no_pattern_at_the_top_of_the_api_begins_with_a_parameter():
    patterns, _app_name, _namespace = api.urls()
    sections = [p for p in patterns if isinstance(p, URLResolver)]
    assert len(sections) > 10  # grouped: one include per section
    for pattern in patterns:
        assert not str(pattern.pattern).startswith("<"), pattern
    for pattern in api.api.urls[0]:  # nor ninja's own, which the grouping keeps in place
        assert not str(pattern.pattern).startswith("<"), pattern
