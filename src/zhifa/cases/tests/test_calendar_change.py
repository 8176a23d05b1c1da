"""行政处罚法 Art. 85 with the legal calendar: a year without an official arrangement counts its statutory holidays
and says it is unconfirmed; when an administrator enters the arrangement, the deadlines of open cases move and each
move is in the full-process record (issue 15 item 7)."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from zhifa.cases import clocks
from zhifa.cases.models import Case
from zhifa.core import services as core_services
from zhifa.core.errors import DomainError
from zhifa.core.models import CalendarDay, CalendarYear, Event

from .factories import notified

pytestmark = pytest.mark.django_db

ARRANGEMENT = [("日期", "类型", "名称"), ("2027-01-01", "休息", "元旦"), ("2027-01-04", "休息", "元旦"),
               ("2027-01-09", "上班", "元旦调休上班")]


def _notified_on_2026_12_28(world) -> Case:
    with time_machine.travel(datetime(2026, 12, 28, 10, 0, tzinfo=timezone.get_current_timezone())):
        return notified(world, amount=Decimal("2000"))


def _statement_clock(case):
    return next(c for c in clocks.clocks(Case.objects.get(pk=case.pk)) if c.key == "statement")


def _csv(tmp_path, rows):
    path = tmp_path / "arrangement.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    return path


def test_art85_unconfirmed_2027_deadline_counts_new_year_and_is_flagged(world):
    case = _notified_on_2026_12_28(world)
    clock = _statement_clock(case)
    # 12-29, 12-30, 12-31, (01-01 元旦, weekend), 01-04, 01-05
    assert clock.deadline.date == date(2027, 1, 5)
    assert not clock.deadline.confirmed and "未确认" in clock.deadline.label


def test_art85_importing_the_arrangement_moves_open_deadlines_and_records_each(world, tmp_path):
    case = _notified_on_2026_12_28(world)
    recorded_before = Event.objects.filter(action="case.clocks_recomputed").count()
    out = StringIO()
    call_command("calendar", "import", str(_csv(tmp_path, ARRANGEMENT)), "--year", "2027", "--source", "国办发明电〔2026〕9号",
                 "--by", "admin", stdout=out)
    assert "2027年放假安排已录入" in out.getvalue()
    assert CalendarYear.objects.get(year=2027).confirmed
    clock = _statement_clock(case)
    assert clock.deadline.date == date(2027, 1, 6) and clock.deadline.confirmed
    event = Event.objects.filter(action="case.clocks_recomputed", subject_id=str(case.pk)).get()
    assert "2027-01-05" in event.summary and "2027-01-06" in event.summary and "国办发明电〔2026〕9号" in event.summary
    assert Event.objects.filter(action="case.clocks_recomputed").count() == recorded_before + 1
    assert Event.objects.filter(action="calendar.arrangement_import").count() == 1


def test_art85_arrangement_from_xlsx(world, tmp_path):
    case = _notified_on_2026_12_28(world)
    wb = Workbook()
    for row in ARRANGEMENT:
        wb.active.append(list(row))
    path = tmp_path / "arrangement.xlsx"
    wb.save(path)
    call_command("calendar", "import", str(path), "--year", "2027", "--source", "国办发明电〔2026〕9号", "--by", "admin", stdout=StringIO())
    assert _statement_clock(case).deadline.date == date(2027, 1, 6)


def test_art85_arrangement_cannot_make_a_statutory_holiday_a_working_day(world, tmp_path):
    case = _notified_on_2026_12_28(world)
    before = (CalendarDay.objects.count(), CalendarYear.objects.count(), Event.objects.count())
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "import", str(_csv(tmp_path, [*ARRANGEMENT, ("2027-10-01", "上班", "")])), "--year", "2027",
                     "--source", "国办发明电〔2026〕9号", "--by", "admin", stdout=StringIO())
    assert "法定节假日" in str(exc.value) and "放假办法" in str(exc.value)
    assert (CalendarDay.objects.count(), CalendarYear.objects.count(), Event.objects.count()) == before
    assert _statement_clock(case).deadline.date == date(2027, 1, 5)


def test_art85_one_day_set_by_the_administrator_recomputes_too(world):
    case = _notified_on_2026_12_28(world)
    with pytest.raises(DomainError):  # only the administrator
        core_services.calendar_day_set(actor=world.users["officer"], day=date(2027, 1, 4), is_working_day=False, name="元旦")
    core_services.calendar_day_set(actor=world.users["admin"], day=date(2027, 1, 4), is_working_day=False, name="元旦")
    assert _statement_clock(case).deadline.date == date(2027, 1, 6)
    assert Event.objects.filter(action="case.clocks_recomputed", subject_id=str(case.pk)).exists()


def test_art85_confirmation_alone_is_recorded_as_such(world):
    case = _notified_on_2026_12_28(world)
    core_services.calendar_year_set(actor=world.users["admin"], year=2027, confirmed=True, source="国办发明电〔2026〕9号")
    clock = _statement_clock(case)
    assert clock.deadline.date == date(2027, 1, 5) and clock.deadline.confirmed
    event = Event.objects.get(action="case.clocks_recomputed", subject_id=str(case.pk))
    assert "2027-01-05不变" in event.summary and "已按确认的放假安排计算" in event.summary
