"""Dashboard charts: each is a few metrics grouped by month, by unit or by a field, rendered as an ECharts
option (initialised by core/zhifa.js from ``data-echarts`` — no inline script) with the same numbers as a
table beside it."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import metrics


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    metrics: tuple[str, ...]
    group: str  # "month" | "unit" | "field:<name>"
    kind: str = "bar"


CHARTS = [
    Chart("cases_month", "案件：立案、处罚、不予处罚（按月）", ("cases_opened", "penalties", "no_penalty"), "month", "line"),
    Chart("cases_unit", "行政处罚决定（按单位）", ("penalties",), "unit"),
    Chart("cases_type", "行政处罚（按违法行为）", ("penalties",), "field:violation_name", "pie"),
    Chart("cases_outcome", "案件处理结果", ("cases_opened",), "field:outcome", "pie"),
    Chart("soft", "柔性执法：首违不罚、免罚、从轻减轻", ("first_no_penalty", "exempt", "lenient"), "month"),
    Chart("fines", "罚款：决定金额与收缴金额（元，按月）", ("fines_imposed", "fines_collected"), "month"),
    Chart("reviews", "法制审核（按月）", ("legal_reviews",), "month"),
    Chart("publications", "公开：按时与逾期（按月）", ("publications", "publications_late"), "month"),
    Chart("permits", "行政许可：收件与办结（按月）", ("permits_received", "permits_decided"), "month"),
    Chart("offsite", "非现场执法：超限违法记录（按月）", ("offsite_violations",), "month"),
    Chart("random", "双随机：抽查与发现问题（按月）", ("inspections_done", "inspections_problems"), "month"),
    Chart("credit", "信用等级分布", ("credit_grades",), "field:to_grade", "pie"),
    Chart("complaints", "投诉举报：受理与答复（按月）", ("complaints", "complaints_answered"), "month"),
    Chart("soft_measures", "柔性执法措施（按方式）", ("soft_measures",), "field:kind", "pie"),
    Chart("operations", "执法行动：联合执法、专项整治、宣传活动（按月）", ("joint_operations", "campaigns", "publicity_events"), "month"),
    Chart("training", "培训：参训人次与学时（按月）", ("training_attendance", "training_counted_hours"), "month"),
    Chart("evaluations", "案卷评查与问题整改（按月）", ("evaluations", "problems", "problems_closed"), "month"),
]
BY_KEY = {c.key: c for c in CHARTS}


def _num(v):
    return float(v) if isinstance(v, Decimal) else v


def _months(start: date, end: date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def build(chart: Chart, org, start: date, end: date) -> dict:
    """{title, available, option_json, headers, rows, missing} for one chart."""
    ms = [metrics.BY_KEY[k] for k in chart.metrics]
    headers, rows, missing = [], [], []
    if chart.group == "month":
        series_data = {}
        for m in ms:
            data = metrics.by_month(m, org, start, end)
            if data is None:
                missing.append(m.label)
            else:
                series_data[m.key] = (m, data)
        cats = _months(start, end)
        headers = ["月份"] + [m.label for m, _ in series_data.values()]
        rows = [[c] + [data.get(c, 0) for _, data in series_data.values()] for c in cats]
        option = {"xAxis": {"type": "category", "data": cats}, "yAxis": {"type": "value"},
                  "series": [{"name": m.label, "type": chart.kind, "data": [_num(data.get(c, 0)) for c in cats]} for m, data in series_data.values()]}
        ok = bool(series_data)
    elif chart.group == "unit":
        m = ms[0]
        values = metrics.by_unit(m, org, start, end)
        ok = all(row.value.available for row in values)
        if not ok:
            missing.append(m.label)
        headers = ["单位", m.label]
        total = metrics.evaluate(m, org, start, end)
        rows = [[row.label, row.value.value] for row in values] + [["合计", total.value]]
        option = {"xAxis": {"type": "category", "data": [row.label for row in values], "axisLabel": {"interval": 0, "rotate": 20}},
                  "yAxis": {"type": "value"}, "series": [{"name": m.label, "type": "bar", "data": [_num(row.value.value or 0) for row in values]}]}
    else:
        m = ms[0]
        data = metrics.by_field(m, org, start, end, chart.group.split(":", 1)[1])
        ok = data is not None
        if not ok:
            missing.append(m.label)
            data = []
        headers = ["类别", m.label]
        rows = [[label, n] for label, n in data]
        option = {"series": [{"name": m.label, "type": "pie", "radius": "60%", "data": [{"name": label, "value": n} for label, n in data]}]}
    option.update({"tooltip": {"trigger": "axis" if chart.group != "field" and "xAxis" in option else "item"},
                   "legend": {"top": 0, "type": "scroll"}, "grid": {"left": 50, "right": 20, "top": 40, "bottom": 50}})
    return {"key": chart.key, "title": chart.title, "available": ok, "missing": missing, "headers": headers, "rows": rows,
            "option_json": json.dumps(option, ensure_ascii=False), "metrics": [m.key for m in ms],
            "definitions": [metrics.definition(m) for m in ms]}
