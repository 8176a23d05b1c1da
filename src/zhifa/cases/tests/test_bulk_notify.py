"""违法行为通知书 in bulk (issue 18 item 3): the officer's reviewed cases, a preview of each proposed penalty, then
services.case_notify per case — each recorded as itself with its own paper; a case that cannot be told shows why
and does not stop the others (行政处罚法 Arts. 44, 45)."""

from decimal import Decimal

import pytest

from zhifa.cases.models import Case
from zhifa.cases.tests.factories import opened, reviewed
from zhifa.cases.workflow import Status
from zhifa.core.models import Event
from zhifa.testing import name_people

pytestmark = pytest.mark.django_db


def test_preview_then_each_case_notified_as_itself(world, client_for, django_capture_on_commit_callbacks):
    name_people(world)
    a, b = reviewed(world, amount=Decimal("3000")), reviewed(world, amount=Decimal("1500"))
    early = opened(world)  # not reviewed yet
    client = client_for("officer")
    page = client.get("/cases/bulk/notify/").content.decode()
    assert a.number in page and b.number in page and early.number not in page
    form = {"ids": [a.pk, b.pk, early.pk]}
    events = Event.objects.count()
    page = client.post("/cases/bulk/notify/", form).content.decode()
    assert "批量送达违法行为通知书：预览" in page and "拟罚款人民币3,000.00元" in page and "拟罚款人民币1,500.00元" in page
    assert "审查完毕后方可告知" in page and Event.objects.count() == events
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/cases/bulk/notify/", {**form, "confirm": "1"}).content.decode()
    assert page.count("成功</span>") == 2 and page.count("未办理</span>") == 1
    a.refresh_from_db(), b.refresh_from_db(), early.refresh_from_db()
    assert (a.status, a.notified_amount, b.status, b.notified_amount) == (Status.NOTIFIED, Decimal("3000"), Status.NOTIFIED, Decimal("1500"))
    assert early.status == Status.OPENED
    for case in (a, b):
        assert Event.objects.filter(subject_type="cases.case", subject_id=str(case.pk), action__contains="notify").count() == 1


def test_only_officers_and_only_their_jurisdiction(world, client_for):
    name_people(world)
    case = reviewed(world)
    assert client_for("supervisor").get("/cases/bulk/notify/").status_code == 404
    client_for("officer_b").post("/cases/bulk/notify/", {"ids": [case.pk], "confirm": "1"})
    assert Case.objects.get(pk=case.pk).status == Status.REVIEWED
