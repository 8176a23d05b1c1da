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
    # the delivery console (integrations.selectors.CONSOLE_ROLES)
    **{f"integrations:{name}": {"supervisor", "admin"}
       for name in ("console", "export", "message", "resend", "reconciliations", "reconciliation")},
}
SIGNED_IN_UI_PREFIXES = ("core:", "discretion:", "documents:", "cases:", "payments:", "overload:", "inspections:", "credit:",
                         "complaints:", "oversight:", "training:", "permits:", "portal:", "reports:",
                         "campaigns:",
                         "coercion:", "notifications:")

# API operations that answer without a session or token: signed machine-to-machine calls and public reads.
PUBLIC_API = {
    ("POST", "/api/v1/payments/callback"),       # HMAC-signed by the payment system
    ("POST", "/api/v1/overload/push"),           # HMAC-signed by a weighing station
    ("POST", "/api/v1/payments/feishui/notify"),  # HMAC-signed by the finance bureau's 非税收入 system
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


# ---------------------------------------------------------------- write paths with a foreign origin or object id
# A lookup by key (idempotency, origin, de-duplication) is scoped like a read: another county's object answers
# "not found" and nothing is created, changed or shown (issue 17 item 1).


def _count_rows():
    from zhifa.cases.models import Case
    from zhifa.core.models import Event, EvidenceFile

    return Case.objects.count(), Event.objects.count(), EvidenceFile.objects.count()


@pytest.fixture
def nanzhao_violation(world, settings, tmp_path):
    """A violation detected at a 南召 (county A) station, with no case yet."""
    from datetime import date

    from zhifa.core.tests.factories import VehicleFactory
    from zhifa.overload import ingest
    from zhifa.overload.models import Violation
    from zhifa.overload.tests.conftest import record
    from zhifa.overload.tests.factories import DeviceFactory, StationFactory, ensure_overload_rules

    settings.VAR_DIR = tmp_path
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    ensure_overload_rules()
    station = StationFactory(organisation=world.brigade_a, code="S411321A", location_published_on=date(2020, 1, 1))
    DeviceFactory(station=station, code="D-A-1", accuracy_class=5, calibration_valid_from=date(2020, 1, 1),
                  calibration_valid_until=date(2099, 12, 31), review_passed_on=date(2020, 1, 1))
    VehicleFactory(organisation=world.brigade_a, plate="豫R·A1001")
    ingest.ingest_records([record(1, gross=60_000, plate="豫R·A1001")], station=station, name="t", body_sha256="0" * 64)
    return Violation.objects.get()


def _lead_body(party, origin_type, origin_id):
    import json
    from datetime import timedelta

    from django.utils import timezone

    return json.dumps({"source": "inspection", "party_id": party.pk, "occurred_at": (timezone.now() - timedelta(days=1)).isoformat(),
                       "place": "S234省道", "facts": "超限运输", "origin_type": origin_type, "origin_id": str(origin_id)})


@pytest.mark.django_db
def test_lead_with_a_foreign_violation_as_origin_is_not_found_and_creates_nothing(world, api_for, nanzhao_violation):
    """Regression (issue 17): 方城 posted origin=南召's violation and got a new 方城 case made from it."""
    from zhifa.core.tests.factories import PersonPartyFactory
    from zhifa.overload.models import Violation

    party_b = PersonPartyFactory(organisation=world.brigade_b)
    before = _count_rows()
    response = api_for("officer_b").post("/api/v1/cases/leads", _lead_body(party_b, "overload.violation", nanzhao_violation.pk),
                                         content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert _count_rows() == before
    nanzhao_violation.refresh_from_db()
    assert nanzhao_violation.status == Violation.Status.DETECTED and nanzhao_violation.case_id is None


@pytest.mark.django_db
def test_lead_with_the_origin_of_a_foreign_case_does_not_return_that_case(world, api_for, nanzhao_violation):
    """Regression (issue 17): the idempotency lookup handed 南召's case (number, party, facts) to 方城."""
    from zhifa.core.tests.factories import PersonPartyFactory
    from zhifa.overload import services as overload

    case = overload.violation_open_case(violation=nanzhao_violation)
    party_b = PersonPartyFactory(organisation=world.brigade_b)
    before = _count_rows()
    response = api_for("officer_b").post("/api/v1/cases/leads", _lead_body(party_b, "overload.violation", nanzhao_violation.pk),
                                         content_type="application/json")
    assert response.status_code == 404
    body = response.content.decode()
    assert case.number not in body and case.party.name not in body
    assert _count_rows() == before
    # the case's own county still finds it by the same origin
    own = api_for("officer").post("/api/v1/cases/leads", _lead_body(case.party, "overload.violation", nanzhao_violation.pk),
                                  content_type="application/json")
    assert own.status_code == 201 and own.json()["id"] == case.pk


@pytest.mark.django_db
def test_a_clients_idempotency_key_is_its_organisations_own(world, api_for):
    """Two counties using the same free-form key each get their own case; neither sees the other's."""
    from zhifa.cases.models import Case
    from zhifa.core.tests.factories import PersonPartyFactory

    party_a, party_b = PersonPartyFactory(organisation=world.brigade_a), PersonPartyFactory(organisation=world.brigade_b)
    first = api_for("officer").post("/api/v1/cases/leads", _lead_body(party_a, "client.request", "req-1"), content_type="application/json")
    other = api_for("officer_b").post("/api/v1/cases/leads", _lead_body(party_b, "client.request", "req-1"), content_type="application/json")
    again = api_for("officer_b").post("/api/v1/cases/leads", _lead_body(party_b, "client.request", "req-1"), content_type="application/json")
    assert first.status_code == other.status_code == again.status_code == 201
    assert other.json()["id"] != first.json()["id"] and again.json()["id"] == other.json()["id"]
    assert Case.objects.get(pk=other.json()["id"]).organisation == world.brigade_b
    assert first.json()["number"] not in other.content.decode()


@pytest.mark.django_db
def test_lead_with_a_foreign_party_is_not_found(world, api_for):
    from zhifa.core.tests.factories import PersonPartyFactory

    party_a = PersonPartyFactory(organisation=world.brigade_a)
    before = _count_rows()
    response = api_for("officer_b").post("/api/v1/cases/leads", _lead_body(party_a, "", ""), content_type="application/json")
    assert response.status_code == 404 and _count_rows() == before


def _case_write_operations():
    return sorted(path for method, path in _api_operations() if method == "POST" and path.startswith("/api/v1/cases/{case_id}/"))


@pytest.mark.django_db
def test_every_case_write_with_a_foreign_case_id_is_not_found_and_changes_nothing(world, api_for):
    """Every write on /api/v1/cases/{case_id}/… by another county's officer: 404 (or a refusal of the body before
    any lookup, 422), never 2xx/403, and the case, its history and the record unchanged."""
    from zhifa.cases.models import Case, StatusChange
    from zhifa.cases.tests.factories import lead

    case = lead(world)
    snapshot = (Case.objects.filter(pk=case.pk).values().get(), StatusChange.objects.count(), _count_rows())
    api = api_for("officer_b")
    problems = []
    operations = _case_write_operations()
    assert len(operations) > 20  # the matrix covers the whole case API
    for path in operations:
        response = api.post(path.replace("{case_id}", str(case.pk)), "{}", content_type="application/json")
        if response.status_code not in (404, 422):
            problems.append(f"{path}: {response.status_code}")
        elif case.number in response.content.decode():
            problems.append(f"{path}: the answer names the foreign case")
    assert not problems, "\n".join(problems)
    assert (Case.objects.filter(pk=case.pk).values().get(), StatusChange.objects.count(), _count_rows()) == snapshot


@pytest.mark.django_db
def test_evidence_deduplication_is_per_organisation(world, settings, tmp_path):
    """Regression (issue 17): the same content uploaded by 方城 was linked to 南召's file row, and the record told
    方城 the content already existed."""
    import io

    from zhifa.core.evidence import evidence_read, evidence_store
    from zhifa.core.models import Event

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    content = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
    ef_a = evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(content),
                          name="南召现场.png", content_type="image/png")
    ef_b = evidence_store(actor=world.users["officer_b"], organisation=world.brigade_b, fileobj=io.BytesIO(content),
                          name="方城现场.png", content_type="image/png")
    assert ef_b.pk != ef_a.pk and ef_b.organisation == world.brigade_b and ef_b.original_name == "方城现场.png"
    assert ef_b.uploaded_by == world.users["officer_b"] and evidence_read(ef_b) == content
    event_b = Event.objects.filter(action="evidence.store").order_by("-seq").first()
    assert "内容与已存文件相同" not in event_b.summary
    # within one organisation the same content is still one row
    again = evidence_store(actor=world.users["officer_b"], organisation=world.brigade_b, fileobj=io.BytesIO(content),
                           name="方城现场2.png", content_type="image/png")
    assert again.pk == ef_b.pk


@pytest.mark.django_db
def test_four_penalty_page_shows_only_own_jurisdictions_subjects(world, client_for, settings, tmp_path):
    """Regression (issue 17): /overload/four/ showed 南召's companies and fleet sizes to 方城."""
    from datetime import date

    from django.utils import timezone

    from zhifa.core.tests.factories import CompanyFactory, VehicleFactory
    from zhifa.overload import ingest
    from zhifa.overload.tests.conftest import record
    from zhifa.overload.tests.factories import DeviceFactory, StationFactory, ensure_overload_rules

    settings.VAR_DIR = tmp_path
    ensure_overload_rules()
    # a 方城 station weighs a 南召 company's lorry
    station = StationFactory(organisation=world.brigade_b, code="S411322A", location_published_on=date(2020, 1, 1))
    DeviceFactory(station=station, code="D-B-1", accuracy_class=5, calibration_valid_from=date(2020, 1, 1),
                  calibration_valid_until=date(2099, 12, 31), review_passed_on=date(2020, 1, 1))
    company = CompanyFactory(organisation=world.brigade_a, name="南召县宏远物流有限公司")
    VehicleFactory(organisation=world.brigade_a, plate="豫R·N0001", company=company)
    ingest.ingest_records([record(1, gross=60_000, plate="豫R·N0001", station="S411322A", device="D-B-1",
                                  when=timezone.now() - timezone.timedelta(days=2))],
                          station=station, name="t", body_sha256="0" * 64)
    page_b = client_for("officer_b").get("/overload/four/").content.decode()
    assert "南召县宏远物流有限公司" not in page_b and "豫R·N0001" not in page_b


@pytest.mark.django_db
def test_api_schema_and_docs_need_a_signed_in_user_in_production(world, client, client_for, settings):
    """Regression (issue 17): the OpenAPI schema and docs were public in production."""
    settings.ZHIFA_API_DOCS_PUBLIC = False  # what production sets (tests/test_settings.py)
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"], path
        assert "paths" not in anonymous.content.decode()
        assert client_for("officer").get(path).status_code == 200, path


@pytest.mark.django_db
def test_payment_writes_with_a_foreign_notice_id_are_not_found(world, api_for):
    """Instalment application and reminder on 南召's notice by a 方城 officer: 404, the notice untouched."""
    import json
    from datetime import timedelta

    from django.utils import timezone

    from zhifa.payments.models import PaymentNotice, PaymentPlan
    from zhifa.payments.tests.factories import delivered_notice

    notice = delivered_notice(world)
    snapshot = (PaymentNotice.objects.filter(pk=notice.pk).values().get(), PaymentPlan.objects.count(), _count_rows())
    api = api_for("officer_b")
    due = (timezone.localdate() + timedelta(days=40)).isoformat()
    plan = {"kind": "deferral", "reason": "确有经济困难", "schedule": [[due, str(notice.amount)]]}
    for path, body in ((f"/api/v1/payments/notices/{notice.pk}/plans", plan), (f"/api/v1/payments/notices/{notice.pk}/reminder", {})):
        response = api.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 404 and notice.code not in response.content.decode(), path
    assert (PaymentNotice.objects.filter(pk=notice.pk).values().get(), PaymentPlan.objects.count(), _count_rows()) == snapshot


@pytest.mark.django_db
def test_overload_actions_on_a_foreign_violation_are_not_found(world, client_for, nanzhao_violation):
    """Opening a case from, matching or dismissing 南召's violation from a 方城 session: 404, nothing changed."""
    from zhifa.overload.models import Violation

    before = (Violation.objects.filter(pk=nanzhao_violation.pk).values().get(), _count_rows())
    client = client_for("officer_b")
    for action in ("open", "match", "dismiss"):
        response = client.post(f"/overload/violations/{nanzhao_violation.pk}/{action}/", {"reason": "x"})
        assert response.status_code == 404, action
    assert (Violation.objects.filter(pk=nanzhao_violation.pk).values().get(), _count_rows()) == before
