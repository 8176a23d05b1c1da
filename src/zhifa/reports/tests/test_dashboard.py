import io
import json
from datetime import date

import openpyxl

from zhifa.reports import charts
from zhifa.reports.tests.test_annual import data  # noqa: F401  (fixture)


def test_dashboard_renders_every_chart_with_table(data, client_for):  # noqa: F811
    client = client_for("head")
    html = client.get(f"/reports/?unit={data.county_a.code}&start=2024-01-01&end=2024-12-31").content.decode()
    for chart in charts.CHARTS:
        assert chart.title in html
    assert "data-echarts=" in html and "<script>" not in html


def test_permit_chart_months_match(data):  # noqa: F811
    built = charts.build(charts.BY_KEY["permits"], data.county_a, date(2024, 1, 1), date(2024, 12, 31))
    assert built["available"]
    rows = {r[0]: r[1:] for r in built["rows"]}
    assert rows["2024-03"] == [1, 1] and rows["2024-06"] == [1, 1] and rows["2024-12"] == [1, 0] and rows["2024-08"] == [1, 0]
    option = json.loads(built["option_json"])
    assert option["series"][0]["data"][2] == 1


def test_unit_filter_and_xlsx_export(data, client_for):  # noqa: F811
    client = client_for("admin")
    r = client.get(f"/reports/?unit={data.city.code}&start=2024-01-01&end=2024-12-31&format=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.getvalue()))
    assert len(wb.sheetnames) == len(charts.CHARTS)
    built = charts.build(charts.Chart("x", "x", ("permits_decided",), "unit"), data.city, date(2024, 1, 1), date(2024, 12, 31))
    # The unit's own row (本级) comes first and the rows add up to the total (the brigade's own decisions were missing).
    assert dict(built["rows"]) == {f"{data.city.name}（本级）": 0, data.county_a.name: 2, data.county_b.name: 1, "合计": 3}
