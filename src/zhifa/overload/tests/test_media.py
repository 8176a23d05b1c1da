"""The stations' photos and videos of a pass are shown as pictures and a player, never as file paths, to the officer
within the jurisdiction and to the vehicle owner for their own violation only (超限运输车辆行驶公路管理规定 Art. 55:
the evidence a decision rests on; 行政处罚法 Art. 41)."""

import hashlib

import pytest
from django.test import Client

from zhifa.cases.tests.test_evidence_files import MP4, jpeg_bytes
from zhifa.overload import media, services

from .test_views import _violation


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "wim-media"
    (root / "img").mkdir(parents=True)
    (root / "video").mkdir()
    (root / "img" / "1-1.jpg").write_bytes(jpeg_bytes())
    (root / "img" / "1-2.jpg").write_bytes(b"<html><script>alert(1)</script></html>")  # not a JPEG: refused
    (root / "video" / "1.mp4").write_bytes(MP4)
    settings.WIM_MEDIA_ROOT = root
    return root


def test_violation_page_shows_photos_and_player_not_paths(station, world, client_for, media_root):
    violation = _violation(station, world)
    html = client_for("officer").get(f"/overload/violations/{violation.pk}/").content.decode()
    assert "img/1-1.jpg" not in html and "video/1.mp4" not in html
    assert f'<img class="evidence-thumb" src="/overload/violations/{violation.pk}/media/1/"' in html
    assert f'<video class="evidence-player" controls preload="metadata" src="/overload/violations/{violation.pk}/media/3/"' in html
    assert hashlib.sha256((media_root / "img" / "1-1.jpg").read_bytes()).hexdigest() in html
    assert "检测站尚未上传该图像" in html  # the forged file is not shown


def test_media_served_with_hash_and_refused_elsewhere(station, world, client_for, media_root):
    violation = _violation(station, world)
    r = client_for("officer").get(f"/overload/violations/{violation.pk}/media/1/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg" and r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Evidence-SHA256"] == hashlib.sha256(b"".join(r.streaming_content)).hexdigest()
    assert client_for("officer").get(f"/overload/violations/{violation.pk}/media/2/").status_code == 404
    assert client_for("officer_b").get(f"/overload/violations/{violation.pk}/media/1/").status_code == 404


@pytest.mark.parametrize("ref", ["../secret.jpg", "/etc/passwd.jpg", "img/../../x.jpg", "img/1-1.txt", ""])
def test_references_outside_the_store_resolve_to_nothing(media_root, ref):
    (media_root.parent / "secret.jpg").write_bytes(jpeg_bytes())
    assert media.resolve(ref) is None


def test_owner_sees_own_violation_media_only(station, world, media_root):
    violation = _violation(station, world)
    services.violation_open_case(violation=violation)
    violation.refresh_from_db()
    public = Client()
    assert public.get("/overload/remote/media/1/").status_code == 404  # not identified
    public.post("/overload/remote/", {"plate": "豫R·A1001", "plate_colour": "yellow", "code": violation.notice_code})
    page = public.get("/overload/remote/case/").content.decode()
    assert 'src="/overload/remote/media/1/"' in page and "img/1-1.jpg" not in page
    assert public.get("/overload/remote/media/1/").status_code == 200
    assert public.get("/overload/remote/media/9/").status_code == 404
