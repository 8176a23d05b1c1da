"""双公示 export: permit and penalty records in the national credit-platform field layout, incremental by a
cursor over the publication register, every row validated before it leaves (failures are held back and
listed). Formats: CSV (UTF-8 with BOM, as the provincial platforms import it), XLSX and JSON."""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from zhifa.core import audit
from zhifa.core.identifiers import validate_credit_code, validate_id_number

from . import sources
from .models import ExportBatch, Publication

PARTY_FIELDS = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "证件类型", "证件号码"]
PENALTY_FIELDS = PARTY_FIELDS + [
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
PERMIT_FIELDS = PARTY_FIELDS + [
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容", "许可决定日期",
    "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
LAYOUTS = {"penalty": PENALTY_FIELDS, "permit": PERMIT_FIELDS}
REQUIRED = {
    "penalty": ["行政相对人名称", "行政相对人类别", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别",
                "处罚内容", "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位",
                "数据来源单位统一社会信用代码"],
    "permit": ["行政相对人名称", "行政相对人类别", "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可内容",
               "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位",
               "数据来源单位统一社会信用代码"],
}
FAR_FUTURE = date(2099, 12, 31)


def _d(value) -> str:
    return value.isoformat() if isinstance(value, date) else (value or "")


def _wan(amount) -> str:
    """Yuan → 万元 with six decimals (the platform's unit), exact."""
    if amount is None:
        return ""
    return str((Decimal(amount) / Decimal(10000)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def row_for(record: sources.DecisionRecord, pub: Publication) -> dict:
    person = record.is_person
    source_body = record.organisation.enforcement_body()
    row = {
        "行政相对人名称": record.party_name,
        "行政相对人类别": "自然人" if person else "法人及非法人组织",
        "统一社会信用代码": "" if person else record.party_credit_code,
        "法定代表人": "" if person else record.legal_representative,
        "证件类型": "身份证" if person else "",
        "证件号码": record.party_id_number if person else "",
        "数据来源单位": source_body.name,
        "数据来源单位统一社会信用代码": source_body.credit_code,
        "备注": "已撤销" if record.changed_on else "",
    }
    c = record.credit
    if record.kind == "penalty":
        row.update({
            "行政处罚决定书文号": record.decision_number, "违法行为类型": c.get("违法行为类型", ""), "违法事实": c.get("违法事实", ""),
            "处罚依据": c.get("处罚依据", ""), "处罚类别": c.get("处罚类别", ""), "处罚内容": c.get("处罚内容", ""),
            "罚款金额(万元)": _wan(c.get("罚款金额")), "没收违法所得、没收非法财物的金额(万元)": "", "暂扣或吊销证照名称及编号": "",
            "处罚决定日期": _d(record.decided_on), "处罚有效期": _d(pub.public_until), "公示截止期": _d(pub.public_until),
            "处罚机关": c.get("处罚机关", ""), "处罚机关统一社会信用代码": c.get("处罚机关统一社会信用代码", ""),
        })
    else:
        row.update({
            "行政许可决定文书名称": c.get("行政许可决定文书名称", ""), "行政许可决定文书号": record.decision_number,
            "许可类别": c.get("许可类别", ""), "许可证书名称": c.get("许可证书名称", ""), "许可编号": c.get("许可编号", ""),
            "许可内容": c.get("许可内容", ""), "许可决定日期": _d(record.decided_on), "有效期自": _d(c.get("有效期自")),
            "有效期至": _d(c.get("有效期至") or FAR_FUTURE), "许可机关": c.get("许可机关", ""),
            "许可机关统一社会信用代码": c.get("许可机关统一社会信用代码", ""), "当前状态": "2" if record.changed_on else "1",
        })
    return {k: row.get(k, "") for k in LAYOUTS[record.kind]}


def validate_row(layout: str, row: dict) -> list[str]:
    """Problems of one row (Chinese), empty when it may leave."""
    problems = [f"{name}不能为空" for name in REQUIRED[layout] if not str(row.get(name, "")).strip()]
    if row.get("行政相对人类别") == "自然人":
        try:
            validate_id_number(row.get("证件号码", ""))
        except ValidationError:
            problems.append("证件号码不是有效的居民身份证号码（GB 11643）")
        if row.get("统一社会信用代码"):
            problems.append("自然人不应填写统一社会信用代码")
    else:
        try:
            validate_credit_code(row.get("统一社会信用代码", ""))
        except ValidationError:
            problems.append("统一社会信用代码无效（GB 32100）")
    for name in ("处罚机关统一社会信用代码", "许可机关统一社会信用代码", "数据来源单位统一社会信用代码"):
        if row.get(name):
            try:
                validate_credit_code(row[name])
            except ValidationError:
                problems.append(f"{name}无效（GB 32100）")
    dates = {}
    for name in ("处罚决定日期", "处罚有效期", "公示截止期", "许可决定日期", "有效期自", "有效期至"):
        if row.get(name):
            try:
                dates[name] = date.fromisoformat(row[name])
            except ValueError:
                problems.append(f"{name}格式应为YYYY-MM-DD")
    if "公示截止期" in dates and "处罚决定日期" in dates and dates["公示截止期"] < dates["处罚决定日期"]:
        problems.append("公示截止期早于处罚决定日期")
    if "有效期至" in dates and "有效期自" in dates and dates["有效期至"] < dates["有效期自"]:
        problems.append("有效期至早于有效期自")
    amount = row.get("罚款金额(万元)")
    if amount:
        try:
            if Decimal(amount) < 0:
                problems.append("罚款金额不能为负数")
        except ArithmeticError:
            problems.append("罚款金额不是数字")
    elif layout == "penalty" and row.get("处罚类别", "").find("罚款") >= 0:
        problems.append("处罚类别含罚款但罚款金额为空")
    return problems


@dataclass
class ExportResult:
    layout: str
    rows: list[dict]
    errors: list[dict] = field(default_factory=list)
    after: int = 0
    cursor: int = 0
    batch: ExportBatch | None = None


def collect(*, publications, layout: str, after: int = 0, limit: int = 5000) -> ExportResult:
    """Rows for publications of ``layout`` with id > ``after`` (``publications`` is already scoped)."""
    pubs = list(publications.filter(kind=layout, pk__gt=after).exclude(status=Publication.Status.REVIEW).order_by("pk")[:limit])
    result = ExportResult(layout=layout, rows=[], after=after, cursor=pubs[-1].pk if pubs else after)
    by_type: dict[str, list[Publication]] = {}
    for pub in pubs:
        by_type.setdefault(pub.subject_type, []).append(pub)
    records = {}
    for subject_type, group in by_type.items():
        source = sources.SOURCES.get(subject_type)
        if source:
            records.update({(r.subject_type, r.subject_id): r for r in source([p.subject_id for p in group])})
    for pub in pubs:
        record = records.get((pub.subject_type, pub.subject_id))
        if record is None:
            result.errors.append({"publication": pub.pk, "decision_number": pub.decision_number, "problems": ["来源记录不存在"]})
            continue
        row = row_for(record, pub)
        problems = validate_row(layout, row)
        if problems:
            result.errors.append({"publication": pub.pk, "decision_number": pub.decision_number, "problems": problems})
        else:
            result.rows.append(row)
    return result


def export(*, actor, organisation, publications, layout: str, file_format: str, after: int | None = None) -> ExportResult:
    """Collect from the last batch's cursor (or ``after``), record the batch and the audit event."""
    if after is None:
        last = ExportBatch.objects.filter(organisation=organisation, layout=layout).order_by("-pk").first()
        after = last.cursor if last else 0
    result = collect(publications=publications, layout=layout, after=after)
    with transaction.atomic():
        result.batch = ExportBatch.objects.create(organisation=organisation, layout=layout, file_format=file_format, after=after,
                                                  cursor=result.cursor, rows=len(result.rows), errors=result.errors, created_by=actor)
        audit.record(actor=actor, action="credit_export.create", subject=result.batch, organisation=organisation,
                     summary=f"双公示导出（{'行政处罚' if layout == 'penalty' else '行政许可'}）{len(result.rows)} 条，校验未通过 {len(result.errors)} 条")
    return result


def render(result: ExportResult, file_format: str) -> tuple[bytes, str, str]:
    """(content, content type, file extension)."""
    fields = LAYOUTS[result.layout]
    if file_format == "json":
        data = {"layout": result.layout, "after": result.after, "next_cursor": result.cursor, "rows": result.rows, "errors": result.errors}
        return json.dumps(data, ensure_ascii=False, indent=1).encode(), "application/json", "json"
    if file_format == "xlsx":
        from zhifa.core import xlsx

        sheets = [xlsx.Sheet("行政处罚" if result.layout == "penalty" else "行政许可", fields, ([row[f] for f in fields] for row in result.rows))]
        if result.errors:
            sheets.append(xlsx.Sheet("校验未通过", ["公开信息ID", "决定书文号", "问题"],
                                     ([e["publication"], e["decision_number"], "；".join(e["problems"])] for e in result.errors)))
        return xlsx.workbook_bytes(sheets), xlsx.CONTENT_TYPE, "xlsx"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields)
    writer.writeheader()
    writer.writerows(result.rows)
    return ("\ufeff" + buf.getvalue()).encode(), "text/csv; charset=utf-8", "csv"
