"""Access-control matrix: every UI route and every API operation has an expected answer for the anonymous
public, each role, and another jurisdiction. A new route without an entry here fails the suite, so nobody
adds a page or an endpoint without deciding who may use it."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from zhifa.api import api

PUBLIC = "public"  # no account needed (the portal, remote handling, payment, public forms)
LOGIN = "login"    # any signed-in user; what they see is limited by role and jurisdiction in selectors/services

# Routes open to the public. Everything else needs a signed-in user.
PUBLIC_UI = {
    "core:login", "core:login_2fa",
    "payments:pay", "payments:pay_qr", "payments:pay_simulate",
    "overload:remote", "overload:remote_case", "overload:remote_leave",
    "inspections:public_results", "inspections:public_plan", "inspections:public_risk_points",
    "credit:public_guide", "credit:public_repair",
    "discretion:public_benchmarks", "discretion:public_lists",
    "complaints:public_new", "complaints:public_track",
    "oversight:public_powers", "oversight:public_power_detail",
    "portal:home", "portal:bodies", "portal:basis", "portal:process", "portal:rights", "portal:decisions",
    "portal:pay", "portal:decision",
}
# Pages limited to roles (others get 404 — the page does not exist for them).
ROLE_UI = {
    "core:audit_log": {"supervisor", "admin", "head"},
}
SIGNED_IN_UI_PREFIXES = ("core:", "discretion:", "documents:", "cases:", "payments:", "overload:", "inspections:", "credit:",
                         "complaints:", "oversight:", "training:", "permits:", "portal:", "reports:",
                         "campaigns:",
                         "coercion:")

# API operations that answer without a session or token: signed machine-to-machine calls and public reads.
PUBLIC_API = {
    ("POST", "/api/v1/payments/callback"),       # HMAC-signed by the payment system
    ("POST", "/api/v1/overload/push"),           # HMAC-signed by a weighing station
    ("GET", "/api/v1/portal/public/decisions"),  # published, de-identified decisions
}


def _ui_routes():
    def walk(resolver, prefix="", ns=None):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                yield from walk(p, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern) and p.name:
                yield prefix + str(p.pattern), f"{ns}:{p.name}" if ns else p.name

    return [(pat, name) for pat, name in walk(get_resolver()) if not pat.startswith(("admin/", "api/v1/"))]


def _sample_path(pattern: str) -> str:
    path = re.sub(r"<int:\w+>", "999999", pattern)
    path = re.sub(r"<str:key>", "vehicles", path)
    path = re.sub(r"<str:\w+>", "x", path)
    return "/" + path


def _api_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    for path, ops in schema["paths"].items():
        for method in ops:
            if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                yield method.upper(), path


def test_every_ui_route_has_an_entry():
    unknown = [name for _, name in _ui_routes() if name not in PUBLIC_UI and name not in ROLE_UI and not name.startswith(SIGNED_IN_UI_PREFIXES)]
    assert not unknown, f"add these routes to the access matrix: {unknown}"


def test_every_public_entry_still_exists():
    names = {name for _, name in _ui_routes()}
    assert not (PUBLIC_UI - names), f"stale entries: {PUBLIC_UI - names}"
    ops = set(_api_operations())
    assert not (PUBLIC_API - ops), f"stale API entries: {PUBLIC_API - ops}"


@pytest.mark.django_db
def test_anonymous_ui(world, client):
    problems = []
    for pattern, name in _ui_routes():
        path = _sample_path(pattern)
        response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"{name} {path}: {response.status_code}")
        elif name in PUBLIC_UI:
            if response.status_code == 302 and "/login/" in response.get("Location", "") and name not in {"core:login_2fa"}:
                problems.append(f"{name} {path}: public page redirects to login")
        elif name != "core:logout" and not (response.status_code == 302 and "/login/" in response["Location"]) and response.status_code not in (405, 404):
            problems.append(f"{name} {path}: anonymous got {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer", "reviewer", "head", "supervisor", "admin", "officer_b"])
def test_signed_in_pages_without_parameters(world, client_for, role):
    """Every parameter-less page answers each role without a server error; role-limited pages are 404 to others."""
    client = client_for(role)
    problems = []
    for pattern, name in _ui_routes():
        if "<" in pattern or name in {"core:logout"}:
            continue
        response = client.get("/" + pattern)
        allowed = ROLE_UI.get(name)
        if response.status_code >= 500:
            problems.append(f"{name}: {response.status_code}")
        elif allowed is not None and role not in allowed and response.status_code != 404:
            problems.append(f"{name}: {role} should get 404, got {response.status_code}")
        elif allowed is not None and role in allowed and response.status_code != 200:
            problems.append(f"{name}: {role} should get 200, got {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_api_requires_authentication_except_public_operations(world, client):
    problems = []
    for method, path in _api_operations():
        url = re.sub(r"\{[^}]+\}", "999999", path)
        response = client.generic(method, url, data="{}", content_type="application/json")
        if response.status_code >= 500:
            problems.append(f"{method} {path}: {response.status_code}")
        elif (method, path) in PUBLIC_API:
            # Signed calls refuse an unsigned request on their own terms (bad signature), not with "please log in".
            if response.status_code == 401 and response.json().get("message") == "请先登录":
                problems.append(f"{method} {path}: public operation asks for a login")
        elif response.status_code != 401:
            problems.append(f"{method} {path}: anonymous got {response.status_code}, expected 401")
    assert not problems, "\n".join(problems)
