import csv
import io
import json
from datetime import date

import openpyxl

from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory
from zhifa.portal import credit_export, services
from zhifa.portal.models import ExportBatch, Publication
from zhifa.portal.tests.test_publication import _granted


def _setup(world):
    from zhifa.core.identifiers import credit_code_check_char

    code = "11411321MB12345678"[:17]
    code += credit_code_check_char(code)
    type(world.brigade_a).objects.filter(pk=world.brigade_a.pk).update(credit_code=code)
    world.brigade_a.refresh_from_db()
    return code


def test_permit_rows_in_platform_layout_validated_and_incremental(world, client_for):
    code = _setup(world)
    firm = OrgPartyFactory(organisation=world.brigade_a, legal_representative="赵六")
    person = PersonPartyFactory(organisation=world.brigade_a, name="钱七")
    _granted(world, party=firm)
    _granted(world, party=person)
    services.publication_run(today=date(2026, 10, 8))
    client = client_for("officer")
    r = client.post("/portal/office/export/", {"layout": "permit", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert list(rows[0].keys()) == credit_export.PERMIT_FIELDS
    assert len(rows) == 2 and r["X-Export-Errors"] == "0"
    by_name = {row["行政相对人名称"]: row for row in rows}
    assert by_name[firm.name]["统一社会信用代码"] == firm.credit_code and by_name[firm.name]["法定代表人"] == "赵六"
    assert by_name["钱七"]["行政相对人类别"] == "自然人" and by_name["钱七"]["证件号码"] == person.id_number
    assert by_name["钱七"]["许可机关统一社会信用代码"] == code and by_name["钱七"]["许可决定日期"] == "2026-09-30"
    # Incremental: the next export continues from the cursor and is empty until something new is published.
    r2 = client.post("/portal/office/export/", {"layout": "permit", "format": "json"})
    assert json.loads(r2.content)["rows"] == []
    _granted(world, party=OrgPartyFactory(organisation=world.brigade_a))
    services.publication_run(today=date(2026, 10, 9))
    r3 = client.post("/portal/office/export/", {"layout": "permit", "format": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(r3.content)).active
    assert ws.max_row == 2 and ws.cell(1, 1).value == "行政相对人名称"
    assert ExportBatch.objects.count() == 3


def test_invalid_rows_are_held_back_and_listed(world, client_for):
    _setup(world)
    firm = OrgPartyFactory(organisation=world.brigade_a)
    _granted(world, party=firm)
    services.publication_run(today=date(2026, 10, 8))
    type(firm).objects.filter(pk=firm.pk).update(credit_code="91411321ABCDEFGH00")  # corrupt check character
    result = credit_export.collect(publications=Publication.objects.all(), layout="permit")
    assert result.rows == [] and "统一社会信用代码无效（GB 32100）" in result.errors[0]["problems"]


def test_penalty_row_validation():
    row = {f: "" for f in credit_export.PENALTY_FIELDS}
    row.update({"行政相对人名称": "某公司", "行政相对人类别": "法人及非法人组织", "统一社会信用代码": "bad", "处罚类别": "罚款",
                "处罚决定日期": "2026-09-30", "公示截止期": "2026-01-01"})
    problems = credit_export.validate_row("penalty", row)
    assert "公示截止期早于处罚决定日期" in problems and "处罚类别含罚款但罚款金额为空" in problems
    assert "行政处罚决定书文号不能为空" in problems
    assert credit_export._wan(2000) == "0.200000"
