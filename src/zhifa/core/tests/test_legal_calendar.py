"""The legal working-day calendar (行政处罚法 Art. 85; legal-reference §9)."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from zhifa.core import legal_calendar
from zhifa.core.models import CalendarDay, CalendarYear


@pytest.mark.django_db
def test_art85_seven_working_days_after_national_day_eve():
    # 10-01..07 holiday, 10-10 a make-up Saturday: 7 working days after 2026-09-30 is 2026-10-15.
    d = legal_calendar.add_working_days(date(2026, 9, 30), 7)
    assert d.date == date(2026, 10, 15) and d.confirmed


@pytest.mark.django_db
def test_unconfirmed_year_counts_statutory_holidays_and_says_so():
    # 2027 has no official arrangement yet: 2027-01-01 (元旦) is a rest day even so (the old weekends-only fallback
    # counted it as a working day and answered 2027-01-06).
    d = legal_calendar.add_working_days(date(2026, 12, 30), 5)
    assert d.date == date(2027, 1, 7)
    assert not d.confirmed and d.unconfirmed_years == (2027,)
    assert "未确认" in d.label and "2027" in d.label


@pytest.mark.django_db
def test_art85_2026_12_28_plus_seven_working_days_is_2027_01_07_unconfirmed():
    d = legal_calendar.add_working_days(date(2026, 12, 28), 7)
    assert d.date >= date(2027, 1, 7) and d.date == date(2027, 1, 7)
    assert not d.confirmed and d.unconfirmed_years == (2027,)
    # The day before the boundary: 6 working days end on 2027-01-06.
    assert legal_calendar.add_working_days(date(2026, 12, 28), 6).date == date(2027, 1, 6)


def test_statutory_holidays_2027_per_the_2024_revision():
    # 《全国年节及纪念日放假办法》(2024): 元旦 1, 春节 4 (除夕–初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3 = 13 days.
    days = legal_calendar.statutory_holidays(2027)
    assert len(days) == 13
    assert [d for d, n in sorted(days.items()) if n == "春节"] == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert days[date(2027, 4, 5)] == "清明节" and days[date(2027, 6, 9)] == "端午节" and days[date(2027, 9, 15)] == "中秋节"
    assert date(2027, 10, 4) not in days and date(2027, 5, 3) not in days and date(2027, 2, 9) not in days


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holiday_rule_agrees_with_the_official_arrangements(year):
    # Every day the rule computes is a holiday in the State Council's arrangement the package carries.
    import chinese_calendar

    assert all(chinese_calendar.is_holiday(day) for day in legal_calendar.statutory_holidays(year))


@pytest.mark.django_db
def test_unconfirmed_year_spring_festival_boundaries():
    cal = legal_calendar.Calendar()
    assert cal.is_working_day(date(2027, 2, 4))  # Thursday before 除夕
    assert not any(cal.is_working_day(date(2027, 2, d)) for d in (5, 6, 7, 8))
    assert cal.is_working_day(date(2027, 2, 9))  # 初四, a Tuesday: working until the arrangement says otherwise


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


@pytest.mark.django_db
def test_calendar_page_and_api_name_the_statutory_holidays_of_an_unconfirmed_year(world, client_for, api_for):
    from django.urls import reverse

    with time_machine.travel(date(2026, 12, 5)):
        page = client_for("officer").get(reverse("core:calendar")).content.decode()
    assert "已计入的法定节假日" in page and "春节 02-05" in page and "调休未计" in page
    body = api_for("officer").get("/api/v1/core/calendar/years/2027").json()
    assert body["confirmed"] is False and "国庆节 10-01" in body["statutory"]
    assert api_for("officer").get("/api/v1/core/calendar/years/2026").json()["statutory"] == []
