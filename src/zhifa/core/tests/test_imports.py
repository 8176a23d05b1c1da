"""Registers kept in Excel come in through the register's own checks; errors name the row and the column in
Chinese; a file with any error imports nothing."""

import io
import random

import pytest
from openpyxl import Workbook

from zhifa.core.demo import make_credit_code
from zhifa.core.models import Party, Vehicle


def sheet(header, *rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["当事人名册（2026年）"])  # a title row above the header is allowed
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "名册.xlsx"
    return buf


CODE = make_credit_code(random.Random(7), "411321")
PARTY_HEADER = ["类别＊", "名称/姓名＊", "证件号码", "统一社会信用代码", "联系电话"]


@pytest.mark.django_db
def test_parties_and_vehicles_import(world, client_for):
    client = client_for("officer")
    r = client.post("/registers/parties/import/", {"file": sheet(PARTY_HEADER, ["法人或其他组织", "南召县顺达物流有限公司", "", CODE, ""])})
    assert r.status_code == 302 and Party.objects.filter(name="南召县顺达物流有限公司", organisation=world.brigade_a).exists()
    r = client.post("/registers/vehicles/import/", {"file": sheet(["号牌号码", "号牌颜色", "车辆类型", "轴数", "所有人证件号码或信用代码"],
                                                                   ["豫R·A5678", "黄色", "重型半挂牵引车", 6, CODE])})
    assert r.status_code == 302 and Vehicle.objects.get(plate="豫R·A5678").owner.name == "南召县顺达物流有限公司"


@pytest.mark.django_db
def test_any_bad_row_imports_nothing_and_names_row_and_column(world, client_for):
    before = Party.objects.count()
    r = client_for("officer").post("/registers/parties/import/", {"file": sheet(
        PARTY_HEADER, ["法人或其他组织", "甲公司", "", CODE, ""], ["公司", "乙公司", "", "", ""],
        ["法人或其他组织", "丙公司", "", "9141132100000000X1", ""])})
    page = r.content.decode()
    assert Party.objects.count() == before
    assert "第4行：类别：应为" in page and "第5行：统一社会信用代码" in page and "第3行" not in page
    assert "credit_code" not in page and "kind" not in page


@pytest.mark.django_db
def test_missing_required_column_is_one_error(world, client_for):
    page = client_for("officer").post("/registers/parties/import/", {"file": sheet(["名称/姓名"], ["甲"])}).content.decode()
    assert "表头缺少必填列：类别" in page


@pytest.mark.django_db
def test_template_and_who_may_import(world, client_for):
    r = client_for("officer").get("/registers/vehicles/import/?template=1")
    assert "attachment" in r["Content-Disposition"]
    assert client_for("supervisor").get("/registers/parties/import/").status_code == 404
    assert client_for("officer").get("/registers/organisations/import/").status_code == 404
