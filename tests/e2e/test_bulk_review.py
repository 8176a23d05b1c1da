"""The plate review queue worked in bulk on a tablet (820×1180) and a phone (390×844), issue 18: fifty records whose
plates matched no registered vehicle at ingest; the officer ticks the whole page, corrects the plates misread on
the photos, rejects the unreadable ones with one reason, previews what will happen to each row, confirms, and reads
each row's result — the rows that cannot be matched say why and do not stop the others. Each row's act is recorded
as itself (one audit event per row). Screenshots go to test-artifacts/e2e/."""

import re

import pytest

from zhifa.core.models import Event
from zhifa.core.tests.factories import VehicleFactory
from zhifa.overload import ingest
from zhifa.overload.models import Violation
from zhifa.overload.tests.conftest import at, record
from zhifa.overload.tests.factories import DeviceFactory, StationFactory, ensure_overload_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORTS = {"tablet": {"width": 820, "height": 1180}, "phone": {"width": 390, "height": 844}}
N = 50
MISREAD = range(40, 45)      # the camera read 8 for 3: the officer types the plate seen on the photo
UNREADABLE = range(45, 48)   # rejected with one reason
UNREGISTERED = range(48, 50)  # no registered vehicle: refused with the reason, the others go on


def _review_queue(world):
    from datetime import date

    ensure_overload_rules()
    station = StationFactory(organisation=world.brigade_a, code="S411321E", location_published_on=date(2020, 1, 1))
    DeviceFactory(station=station, code="D-E-1", calibration_valid_from=date(2026, 1, 1), calibration_valid_until=date(2026, 12, 31),
                  review_passed_on=date(2020, 1, 1))
    plates = [f"豫R·G{i:03d}{'8' if i in MISREAD else '3'}" for i in range(N)]
    rows = [record(900 + i, when=at(1 + i % 25, 8 + i // 25, i % 60), plate=p, gross=60_000, station="S411321E", device="D-E-1")
            for i, p in enumerate(plates)]
    ingest.ingest_records(rows, station=station, name="e2e", body_sha256="e" * 64)
    # The vehicles were registered after the ingest (an import of the county's register): the plates read right match
    # as they are, the misread ones only once corrected.
    for i in range(N):
        if i not in UNREADABLE and i not in UNREGISTERED:
            VehicleFactory(organisation=world.brigade_a, plate=f"豫R·G{i:03d}3", plate_colour="yellow")
    queue = list(Violation.objects.filter(status=Violation.Status.REVIEW).order_by("first_passed_at"))
    assert len(queue) == N
    return {v.plate: v for v in queue}


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_bulk_plate_review_of_fifty_rows(world, open_session, device):
    by_plate = _review_queue(world)
    s = open_session(f"bulk-review-{device}", viewport=VIEWPORTS[device]).login("officer")
    page = s.page
    s.goto("/overload/review/")
    boxes = page.locator('input[type=checkbox][name="ids"]')
    assert boxes.count() == N
    page.get_by_label("全选本页").check()
    assert page.locator('input[type=checkbox][name="ids"]:checked').count() == N
    for i in MISREAD:
        v = by_plate[f"豫R·G{i:03d}8"]
        page.locator(f'input[name="plate_{v.pk}"]').fill(f"豫R·G{i:03d}3")
    for i in UNREADABLE:
        page.locator(f'select[name="do_{by_plate[f"豫R·G{i:03d}3"].pk}"]').select_option(label="不予处理")
    page.get_by_label("不予处理理由").fill("号牌污损，照片无法辨认")
    s.shot("01-queue")
    events = Event.objects.count()

    # The preview: every row with what will happen to it; nothing changed yet.
    s.submit(page.get_by_role("button", name="批量核查（预览）"))
    page.get_by_role("heading", name="批量核查号牌：预览").wait_for()
    assert page.locator("table.bulk-table tbody tr").count() == N
    assert page.locator("tr.bulk-ready").count() == N - len(UNREGISTERED)
    assert page.locator("tr.bulk-ready", has_text="更正号牌").count() == len(MISREAD)
    assert page.locator("tr.bulk-ready", has_text="不予处理：号牌污损，照片无法辨认").count() == len(UNREADABLE)
    assert page.locator("tr.bulk-skip", has_text="本辖区没有号牌为").count() == len(UNREGISTERED)
    assert Event.objects.count() == events and Violation.objects.filter(status=Violation.Status.REVIEW).count() == N
    s.shot("02-preview")

    # Confirmed: each row through the single-row service, each with its own result.
    s.submit(page.get_by_role("button", name=re.compile(r"^确认核查结果")))
    page.get_by_role("heading", name="批量核查号牌：结果").wait_for()
    assert page.locator("tr.bulk-ok").count() == N - len(UNREGISTERED)
    failed = page.locator("tr.bulk-failed")
    assert failed.count() == len(UNREGISTERED)
    assert all("本辖区没有号牌为" in t for t in failed.all_inner_texts())
    assert any("成功 48 条，未办理 2 条" in m for m in s.messages("success"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORTS[device]["width"] + 1
    s.shot("03-results")

    counts = {k: Violation.objects.filter(pk__in=[v.pk for v in by_plate.values()], status=k).count()
              for k in (Violation.Status.DETECTED, Violation.Status.DISMISSED, Violation.Status.REVIEW)}
    assert counts == {Violation.Status.DETECTED: 45, Violation.Status.DISMISSED: 3, Violation.Status.REVIEW: 2}
    corrected = Violation.objects.get(pk=by_plate["豫R·G0408"].pk)
    assert corrected.vehicle.plate == "豫R·G0403"
    # One audit event per acted row, each naming its own violation.
    acts = Event.objects.filter(action__in=["overload.review_match", "overload.review_dismiss"])
    assert acts.count() == N - len(UNREGISTERED) and Event.objects.count() == events + N - len(UNREGISTERED)
    assert len(set(acts.values_list("subject_id", flat=True))) == N - len(UNREGISTERED)

    # The queue now holds only the two rows left to work.
    s.goto("/overload/review/")
    assert page.locator('input[type=checkbox][name="ids"]').count() == len(UNREGISTERED)
    s.shot("04-queue-after")
