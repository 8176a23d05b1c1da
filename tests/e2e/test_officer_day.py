"""An officer's day on a tablet (820×1180) and a phone (390×844), issue 18: the case's history read in Chinese, a
photo and a video of the evidence opened, the case file exported with the evidence inside, a filtered case list
exported to XLSX and opened, and the inbox item and e-mail of a clock turning amber. Screenshots go to
test-artifacts/e2e/."""

import functools
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from openpyxl import load_workbook

from zhifa.cases import clocks, tasks
from zhifa.cases import services as case_services
from zhifa.cases.models import Case, EvidenceItem
from zhifa.cases.tests.factories import decided, opened
from zhifa.cases.tests.test_evidence_files import jpeg_bytes
from zhifa.core.evidence import evidence_store
from zhifa.core.manifest import verify_manifest
from zhifa.crawl import text_problems
from zhifa.payments.models import PaymentNotice
from zhifa.payments.services import simulated_payment
from zhifa.testing import name_people

from .conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"tablet": {"width": 820, "height": 1180}, "phone": {"width": 390, "height": 844}}


RECORD_JS = """async () => {
  const canvas = document.createElement('canvas'); canvas.width = 320; canvas.height = 240; document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d'); let frame = 0;
  const timer = setInterval(() => { ctx.fillStyle = '#1456a0'; ctx.fillRect(0, 0, 320, 240); ctx.fillStyle = '#fff';
                                    ctx.fillRect((frame++ * 8) % 320, 100, 40, 40); }, 40);
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: 'video/webm;codecs=vp8'});
  const chunks = []; recorder.ondataavailable = e => chunks.push(e.data);
  const done = new Promise(ok => recorder.onstop = ok);
  recorder.start(); await new Promise(ok => setTimeout(ok, 1500)); recorder.stop(); await done; clearInterval(timer);
  const bytes = new Uint8Array(await new Blob(chunks, {type: 'video/webm'}).arrayBuffer());
  let bin = ''; for (const b of bytes) bin += String.fromCharCode(b); return btoa(bin);
}"""


@functools.cache
def _webm(browser) -> bytes:
    """A second and a half of real WebM video (what a phone's or a browser's recorder writes), recorded by chromium's
    MediaRecorder from a canvas; once a browser (both devices' cases get the same file)."""
    import base64

    context = browser.new_context()
    page = context.new_page()
    data = base64.b64decode(page.evaluate(RECORD_JS))
    context.close()
    return data


def _closed_case_with_evidence(world, browser, tmp_path):
    case = decided(world)
    for data, name, ctype, kind, title in [(jpeg_bytes((1200, 800), (180, 60, 40)), "IMG_0001.JPG", "image/jpeg", EvidenceItem.Kind.PHOTO, "现场照片"),
                                           (_webm(browser), "VID_0001.webm", "video/webm", EvidenceItem.Kind.VIDEO, "执法记录仪视频")]:
        ef = evidence_store(actor=world.users["officer"], organisation=case.organisation, fileobj=io.BytesIO(data), name=name, content_type=ctype)
        EvidenceItem.objects.create(case=case, kind=kind, title=title, file=ef)
    case = case_services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)
    simulated_payment(notice=PaymentNotice.objects.get(case=case))
    case.refresh_from_db()
    return case_services.case_close(actor=world.users["head"], case=case, report="罚款已缴清，建议结案。")


def _visible_problems(page) -> list[str]:
    return text_problems(page.locator("main").inner_text())


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_officer_day(world, open_session, browser, tmp_path, device):
    name_people(world)
    officer_user = world.users["officer"]
    officer_user.email = "wang@example.cn"
    officer_user.save()
    case = _closed_case_with_evidence(world, browser, tmp_path)
    s = open_session(f"officer-day-{device}", viewport=VIEWPORTS[device], accept_downloads=True).login("officer")
    page = s.page

    # 1. The case's history, read as people read it.
    s.goto(f"/cases/{case.pk}/")
    page.get_by_role("heading", name=re.compile(re.escape(case.number))).wait_for()
    s.shot("01-case")
    # An act's form is loaded when the act is opened (HTMX), then read and used like any form.
    act = page.locator("details[hx-get]").first
    act.locator("summary").click()
    act.locator(".act-fields button[type=submit]").wait_for()
    assert act.locator(".act-fields").get_by_text("正在载入表单").count() == 0
    act.scroll_into_view_if_needed()
    s.shot("01a-act-form", full_page=False)
    assert _visible_problems(page) == []
    page.locator("summary", has_text="全过程记录").click()
    first = page.locator("ul.timeline details.changes").first
    first.locator("summary").click()
    assert first.locator("table.change-table th").count() > 0
    assert _visible_problems(page) == []
    s.shot("02-history")

    # 2. A photo: the thumbnail shows, the full picture opens.
    thumb = page.locator("img.evidence-thumb").first
    thumb.scroll_into_view_if_needed()
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0 && img.naturalWidth <= 320")
    s.shot("03-photo-thumbnail", full_page=False)
    with page.context.expect_page() as popup:
        thumb.click()
    photo = popup.value
    photo.wait_for_load_state()
    assert photo.evaluate("() => document.images.length === 1 && document.images[0].naturalWidth === 1200")
    screenshot(photo, ARTIFACTS / f"officer-day-{device}-04-photo.png")
    photo.close()

    # 3. The video plays in the page's player.
    video = page.locator("video.evidence-player").first
    video.scroll_into_view_if_needed()
    video.evaluate("v => new Promise((ok, no) => { if (v.readyState >= 1) ok(); v.onloadedmetadata = ok; v.onerror = () => no(v.error); })")
    assert video.evaluate("v => v.videoWidth") == 320
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("v => v.currentTime > 0", arg=video.element_handle())  # it plays (no fixed wait)
    s.shot("05-video", full_page=False)

    # 4. The case file, with every evidence file inside and listed in the manifest.
    with page.expect_download() as dl:
        page.get_by_role("link", name="导出案卷（ZIP）").click()
    zpath = tmp_path / "casefile.zip"
    dl.value.save_as(zpath)
    assert verify_manifest(zpath) == []
    with zipfile.ZipFile(zpath) as zf:
        listed = {e["name"] for e in json.loads(zf.read("manifest.json"))["files"]}
    assert {"证据/01-现场照片.jpg", "证据/02-执法记录仪视频.webm"} <= listed

    # 5. The case list filtered to closed cases, exported and opened.
    other = opened(world)
    s.goto("/cases/?status=closed")
    s.shot("06-case-list")
    with page.expect_download() as dl:
        page.get_by_role("link", name="导出 XLSX").click()
    xpath = tmp_path / "cases.xlsx"
    dl.value.save_as(xpath)
    rows = list(load_workbook(xpath).active.iter_rows(values_only=True))
    assert "状态：已结案" in rows[0][0] and rows[1][0] == "案件编号"
    numbers = [r[0] for r in rows[2:]]
    assert case.number in numbers and other.number not in numbers

    # 6. A clock turns amber: the daily job puts it in the inbox and sends the e-mail.
    clock = clocks.running(other)[0]
    mail.outbox.clear()
    tasks.flag_overdue(today=clock.deadline.date - timedelta(days=1))
    assert any(other.number in m.subject and m.to == ["wang@example.cn"] for m in mail.outbox)
    s.goto("/")
    badge = page.locator(".inbox-link .badge")
    assert badge.is_visible() and int(badge.inner_text()) >= 1  # on the phone too
    s.shot("07a-header", full_page=False)
    s.goto("/notifications/")
    item = page.locator("ul.inbox li.unread", has_text="即将届满").first
    assert other.number in item.inner_text()
    s.shot("07-inbox")
    with page.expect_navigation():
        item.get_by_role("link").click()
    assert page.url.endswith(f"/cases/{other.pk}/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORTS[device]["width"] + 1
