"""The legal working-day calendar (行政处罚法 Art. 85; legal-reference §9)."""

from datetime import date

import pytest
from django.core.management import call_command

from zhifa.core import legal_calendar
from zhifa.core.models import CalendarDay, CalendarYear


@pytest.mark.django_db
def test_art85_seven_working_days_after_national_day_eve():
    # 10-01..07 holiday, 10-10 a make-up Saturday: 7 working days after 2026-09-30 is 2026-10-15.
    d = legal_calendar.add_working_days(date(2026, 9, 30), 7)
    assert d.date == date(2026, 10, 15) and d.confirmed


@pytest.mark.django_db
def test_unconfirmed_year_falls_back_to_weekends_and_says_so():
    d = legal_calendar.add_working_days(date(2026, 12, 30), 5)
    assert d.date == date(2027, 1, 6)
    assert not d.confirmed and d.unconfirmed_years == (2027,)
    assert "未确认" in d.label


@pytest.mark.django_db
def test_administrator_overrides_extend_the_package():
    CalendarDay.objects.create(date=date(2027, 1, 1), is_working_day=False, name="元旦")
    CalendarYear.objects.create(year=2027, confirmed=True, source="国办发明电〔2026〕X号")
    d = legal_calendar.add_working_days(date(2026, 12, 31), 1)
    assert d.date == date(2027, 1, 4) and d.confirmed


@pytest.mark.django_db
def test_calendar_day_period_ending_on_a_holiday_moves_to_next_working_day():
    # 15 days after 2026-09-18 is 10-03 (National Day) → 10-08.
    assert legal_calendar.add_days(date(2026, 9, 18), 15).date == date(2026, 10, 8)


@pytest.mark.django_db
def test_cli_answers(capsys):
    call_command("calendar", "add-working-days", "2026-09-30", "7")
    assert capsys.readouterr().out.strip() == "2026-10-15"
    call_command("calendar", "status", "2027")
    assert "unconfirmed" in capsys.readouterr().out
    call_command("calendar", "status", "2026")
    assert "confirmed" in capsys.readouterr().out
