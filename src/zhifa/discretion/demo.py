"""Demo data for the discretion app. The shipped catalogue and national default edition are loaded by the
migration; the demo adds a provincial edition (clearly labelled as a demonstration) so that the editions page,
从旧兼从轻 and the import history have something to show."""

from datetime import timedelta

import yaml

from . import loader, services
from .models import BenchmarkEdition


def load(ctx) -> None:
    services.shipped_data_load(actor=None)
    code = "DEMO-PROV-2026"
    if BenchmarkEdition.objects.filter(code=code).exists():
        return
    doc = loader.edition_document(BenchmarkEdition.objects.get(code="CN-DEFAULT-2022"))
    doc["edition"].update(code=code, name="演示省交通运输行政处罚裁量基准（演示版，非真实文件）", region="演示省",
                          effective_from=(ctx.today - timedelta(days=60)).isoformat(), overload_rounding="ceil",
                          source="演示数据：在全国默认版基础上下调部分道路运输事项的“一般”阶次，用于展示从旧兼从轻")
    lighter = {"YS-004", "YS-008", "YS-012", "CZ-001", "LZ-006"}
    for item in doc["items"]:
        if item["code"] in lighter:
            for lv in item["levels"]:
                if lv["level"] == "general" and lv["min_amount"] is not None:
                    lv["recommended"] = lv["min_amount"]
    admin = ctx.users.get("admin")
    edition = services.edition_import(actor=admin, content=yaml.safe_dump(doc, allow_unicode=True).encode(),
                                      filename="demo-province-2026.yaml")
    ctx.notes.append(f"裁量基准：全国默认版（48个事项）和《{edition.name}》（{edition.effective_from}起施行，超限不足1000千克向上取整）；"
                     "打开 /discretion/calculator/ 试算，违法日期早于施行日的案件会比较两个版本（从旧兼从轻）。")
