"""Evidence you can see (行政处罚法 Art. 46: electronic data and audio-visual material are evidence; Art. 41: their
authenticity): the case page shows each stored file as what it is, serves it within the viewer's jurisdiction only,
with its SHA-256, and never lets a stored file run as a page of the application."""

import hashlib
import io

import pytest
from PIL import Image

from zhifa.cases import services
from zhifa.cases.models import EvidenceItem
from zhifa.cases.tests.factories import opened


def jpeg_bytes(size=(800, 600), colour=(40, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def add(world, case, data, name, content_type, kind=EvidenceItem.Kind.PHOTO, title="现场照片"):
    return services.evidence_add(actor=world.users["officer"], case=case, kind=kind, title=title,
                                 fileobj=io.BytesIO(data), name=name, content_type=content_type)


@pytest.fixture
def case_with_files(world):
    case = opened(world)
    photo = add(world, case, jpeg_bytes(), "IMG_0001.JPG", "image/jpeg")
    video = add(world, case, MP4, "VID_0001.mp4", "video/mp4", kind=EvidenceItem.Kind.VIDEO, title="执法记录仪视频")
    return case, photo, video


@pytest.mark.django_db
def test_case_page_shows_thumbnail_player_download_and_hash(world, client_for, case_with_files):
    case, photo, video = case_with_files
    html = client_for("officer").get(f"/cases/{case.pk}/").content.decode()
    url = f"/cases/{case.pk}/evidence/{photo.pk}/file/"
    assert f'src="{url}?thumb=1"' in html and f'href="{url}?download=1"' in html
    assert f'<video class="evidence-player" controls preload="metadata" src="/cases/{case.pk}/evidence/{video.pk}/file/"' in html
    assert photo.file.sha256 in html


@pytest.mark.django_db
def test_photo_served_inline_with_safe_headers_and_hash(world, client_for, case_with_files):
    case, photo, _video = case_with_files
    r = client_for("officer").get(f"/cases/{case.pk}/evidence/{photo.pk}/file/")
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff" and "sandbox" in r["Content-Security-Policy"]
    assert r["X-Evidence-SHA256"] == hashlib.sha256(body).hexdigest() == photo.file.sha256
    assert r["Content-Disposition"].startswith("inline")


@pytest.mark.django_db
def test_download_is_an_attachment_named_after_the_title(world, client_for, case_with_files):
    case, photo, _video = case_with_files
    r = client_for("officer").get(f"/cases/{case.pk}/evidence/{photo.pk}/file/?download=1")
    assert r["Content-Disposition"].startswith("attachment") and ".jpg" in r["Content-Disposition"]


@pytest.mark.django_db
def test_thumbnail_is_a_small_jpeg(world, client_for, case_with_files):
    case, photo, _video = case_with_files
    r = client_for("officer").get(f"/cases/{case.pk}/evidence/{photo.pk}/file/?thumb=1")
    img = Image.open(io.BytesIO(r.content))
    assert r["Content-Type"] == "image/jpeg" and max(img.size) <= 320


@pytest.mark.django_db
def test_another_jurisdiction_gets_404_for_the_file(world, client_for, case_with_files):
    case, photo, _video = case_with_files
    assert client_for("officer_b").get(f"/cases/{case.pk}/evidence/{photo.pk}/file/").status_code == 404


@pytest.mark.django_db
def test_an_item_of_another_case_is_not_reachable_through_this_case(world, client_for, case_with_files):
    _case, photo, _video = case_with_files
    other = opened(world)
    assert client_for("officer").get(f"/cases/{other.pk}/evidence/{photo.pk}/file/").status_code == 404
