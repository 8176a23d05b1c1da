"""Security hardening (issue 9 item 7) that is not covered elsewhere: session expiry, evidence upload type/size/
content checks, rate limits on every public endpoint, the client address behind a reverse proxy.
(Lockout: test_services; TOTP: test_totp; production settings and secrets from files: tests/test_settings.py.)"""

import io
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_store
from zhifa.core.middleware import client_ip
from zhifa.core.models import Event, EvidenceFile

# --- sessions --------------------------------------------------------------------------------------------------

def test_session_expires_after_session_cookie_age(world, client, settings):
    client.force_login(world.users["officer"])
    assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)):
        assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_session_cookie_ends_with_the_browser_and_is_http_only(world):
    user = world.users["officer"]
    user.set_password("Zhifa-Test-2026")
    user.save()
    response = Client().post("/login/", {"username": user.username, "password": "Zhifa-Test-2026"})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and not cookie["max-age"]  # a browser-session cookie
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


# --- evidence uploads ------------------------------------------------------------------------------------------

@pytest.fixture
def store(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"

    def put(data: bytes, content_type: str, name: str = "f"):
        return evidence_store(actor=world.users["officer"], organisation=world.brigade_a, fileobj=io.BytesIO(data),
                              name=name, content_type=content_type)

    return put


@pytest.mark.parametrize("data,content_type,code", [
    (b"<script>alert(1)</script>", "text/html", "evidence_type"),
    (b"MZ\x90\x00\x03", "application/x-msdownload", "evidence_type"),
    (b"GIF89a....", "image/jpeg", "evidence_content_mismatch"),  # declared JPEG, is a GIF
    (b"%PDF-1.7 but with \x00 a binary", "text/plain", "evidence_content_mismatch"),
    (b"MZ\x90\x00", "application/pdf", "evidence_content_mismatch"),  # an executable renamed .pdf
])
def test_evidence_of_a_refused_type_or_false_content_is_not_stored(store, settings, data, content_type, code):
    events = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        store(data, content_type)
    assert refused.value.code == code
    assert not EvidenceFile.objects.exists() and Event.objects.count() == events
    assert not any(p.is_file() for p in settings.EVIDENCE_ROOT.rglob("*")) if settings.EVIDENCE_ROOT.exists() else True


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def _pdf(*objects: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (i, o) for i, o in enumerate(objects, 1))
    return b"%PDF-1.7\n" + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _flate(obj: bytes) -> bytes:
    import zlib

    data = zlib.compress(obj)
    return b"<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


@pytest.mark.parametrize("data,content_type", [
    (JPEG_HEAD + b"\xfe\x00\x30<html><script>alert(document.cookie)</script></html>" + b"\x00" * 32 + b"\xff\xd9", "image/jpeg"),
    (JPEG_HEAD + b"\x00" * 2_000_000 + b"<ScRiPt src=//x.example/a.js></script>\xff\xd9", "image/jpeg"),  # past the first MiB
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40 + b"tEXt<svg onload=alert(1)>", "image/png"),
    (_pdf(b"<< /Type /Catalog /OpenAction 2 0 R >>", b"<< /S /JavaScript /JS (app.alert(1)) >>"), "application/pdf"),
    (_pdf(b"<< /Type /Catalog /OpenAction 2 0 R >>", b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"), "application/pdf"),
    (_pdf(b"<< /Type /Catalog >>", _flate(b"<< /S /JavaScript /JS (app.alert(1)) >>")), "application/pdf"),  # in an object stream
    (_pdf(b"<< /Type /Catalog /OpenAction << /S /Launch /F (cmd.exe) >> >>"), "application/pdf"),
    (_pdf(b"<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>"), "application/pdf"),
], ids=["jpeg-html-polyglot", "jpeg-script-late", "png-svg", "pdf-js", "pdf-js-escaped", "pdf-js-objstm", "pdf-launch", "pdf-attachment"])
def test_evidence_with_active_content_is_refused(store, settings, data, content_type):
    """Regression (issue 17): a polyglot JPEG/HTML and PDFs with JavaScript were accepted as evidence."""
    events = Event.objects.count()
    with pytest.raises(DomainError) as refused:
        store(data, content_type)
    assert refused.value.code == "evidence_active_content" and "不能作为证据" in refused.value.message
    assert not EvidenceFile.objects.exists() and Event.objects.count() == events
    assert not any(p.is_file() for p in settings.EVIDENCE_ROOT.rglob("*")) if settings.EVIDENCE_ROOT.exists() else True


def test_plain_photos_and_pdfs_are_still_accepted(store):
    import random

    photo = JPEG_HEAD + random.Random(17).randbytes(3_000_000) + b"\xff\xd9"  # 3 MB of image-like noise
    scan = _pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                _flate(b"BT /F1 12 Tf 72 712 Td (Xianchang kanyan bilu) Tj ET"))
    assert store(photo, "image/jpeg").size == len(photo)
    assert store(scan, "application/pdf").size == len(scan)


def test_pdf_whose_font_or_page_stream_holds_js_bytes_by_chance_is_accepted(store):
    """Regression: the scanner read every inflated stream, and a rendered 询问笔录's embedded font held the bytes
    "/JS" by chance, so the paper was refused and never issued. Only dictionaries (outside stream bodies, and
    object streams) name active features; a font, image or page stream is data."""
    import zlib

    font = zlib.compress(b"\x00\x01glyf/JS \x7f\x10" * 50)
    pdf = _pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>",
               b"<< /Length1 900 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (len(font), font),
               b"<< /Length 20 >>\nstream\nBT (/JS 1) Tj ET\nendstream")
    assert store(pdf, "application/pdf").size == len(pdf)


def test_every_rendered_paper_passes_the_evidence_scanner(world):
    """Our own papers (each form, with its embedded CJK font subset) are stored through the same store: none may
    trip the active-content check."""
    from zhifa.core.evidence import _pdf_active
    from zhifa.documents.kinds import KINDS
    from zhifa.documents.render import html_to_pdf, render_html
    from zhifa.documents.tests.factories import golden_context

    for kind in sorted(KINDS):
        html = render_html(kind=KINDS[kind], organisation=world.brigade_a, number="", context=golden_context(kind, "person"))
        data, _pages = html_to_pdf(html)
        assert not _pdf_active(data), kind


def test_evidence_over_the_size_limit_is_refused_while_streaming(store, settings):
    settings.EVIDENCE_MAX_BYTES = 4096
    with pytest.raises(DomainError) as refused:
        store(b"%PDF-" + b"0" * 5000, "application/pdf")
    assert refused.value.code == "evidence_too_large" and not EvidenceFile.objects.exists()
    assert store(b"%PDF-" + b"0" * 4000, "application/pdf").size == 4005  # at the limit: accepted


def test_evidence_upload_through_the_api_is_sniffed(world, api_for, settings, tmp_path):
    from zhifa.cases import services as cases
    from zhifa.cases.models import Case
    from zhifa.core.tests.factories import PersonPartyFactory

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    case = cases.lead_register(actor=world.users["officer"], organisation=world.brigade_a, source=Case.Source.INSPECTION,
                               party=PersonPartyFactory(organisation=world.brigade_a), occurred_at=timezone.now() - timedelta(days=1),
                               place="G207", facts="事实", officers=[world.officers["officer"], world.officers["officer2"]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    response = api_for("officer").post(f"/api/v1/cases/{case.pk}/evidence", {"kind": "photo", "title": "现场照片", "file": fake})
    assert 400 <= response.status_code < 500 and response.json()["code"] == "evidence_content_mismatch"
    assert not EvidenceFile.objects.exists()


# --- rate limits on public endpoints ---------------------------------------------------------------------------

# (method, path, requests allowed per window): every page the public can post to or probe without signing in.
PUBLIC = [
    ("post", "/complaints/public/", 10),
    ("get", "/complaints/public/track/", 20),
    ("post", "/overload/remote/", 10),
    ("post", "/overload/remote/case/", 20),
    ("get", "/payments/pay/000000000000000000/", 30),
    ("post", "/payments/pay/000000000000000000/simulate/", 30),
    ("post", "/credit/public/repair/", 10),
]


@pytest.mark.parametrize("method,path,limit", PUBLIC, ids=[p for _, p, _ in PUBLIC])
def test_public_endpoint_answers_429_over_its_limit(db, method, path, limit):
    """The counter is per fixed window (ratelimit.hit): the clock stands still, or the requests of a slow run
    straddle a window's edge and the last one is counted afresh (302 instead of 429 on SQLite at load 6,
    2026-12-06)."""
    client = Client()
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(limit):
            assert getattr(client, method)(path, {}).status_code != 429
        over = getattr(client, method)(path, {})
        assert over.status_code == 429 and "请求过于频繁" in over.content.decode()
        # Another client is not affected by the first one's requests.
        assert getattr(Client(REMOTE_ADDR="10.0.0.9"), method)(path, {}).status_code != 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(db, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    first = Client(HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(10):
        first.post("/complaints/public/", {})
    assert first.post("/complaints/public/", {}).status_code == 429
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.8").post("/complaints/public/", {}).status_code != 429


@pytest.mark.parametrize("peer,forwarded,trusted,expected", [
    ("198.51.100.1", "", [], "198.51.100.1"),
    ("198.51.100.1", "203.0.113.7", [], "198.51.100.1"),  # no proxy configured: the header is ignored (forgeable)
    ("127.0.0.1", "203.0.113.7", ["127.0.0.1"], "203.0.113.7"),
    ("127.0.0.1", "1.2.3.4, 203.0.113.7", ["127.0.0.1"], "203.0.113.7"),  # the left part was sent by the client
    ("127.0.0.1", "203.0.113.7, 10.0.0.2", ["127.0.0.1", "10.0.0.2"], "203.0.113.7"),  # two proxies
])
def test_client_ip(settings, peer, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_full_process_record_keeps_the_client_address_behind_the_proxy(world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = Client(HTTP_X_FORWARDED_FOR="203.0.113.7")
    client.force_login(world.users["officer"])
    party = world.users["officer"].organisation.parties.create(kind="person", name="赵六", id_number="11010519491231002X")
    client.get(f"/registers/parties/{party.pk}/")
    assert Event.objects.filter(action="personal_data.view").latest("seq").ip_address == "203.0.113.7"
