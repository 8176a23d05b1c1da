"""Transport companies and officers kept in Excel (issue 18 item 4): each row through company_create /
officer_create, errors by row and column in Chinese, a file with any error imports nothing, and only the roles
that may register them may import."""

import random
from datetime import date

import pytest

from zhifa.core.demo import make_credit_code
from zhifa.core.models import Event, Officer, TransportCompany

from .test_imports import sheet

pytestmark = pytest.mark.django_db

COMPANY_HEADER = ["企业名称＊", "统一社会信用代码＊", "企业类型＊", "法定代表人", "许可证有效期至"]
OFFICER_HEADER = ["姓名＊", "执法证号＊", "发证日期＊", "有效期至＊", "所属机构代码", "性别", "具有法律职业资格"]


def test_companies_import_creates_each_company_with_its_party(world, client_for):
    rng = random.Random(11)
    a, b = make_credit_code(rng, "411321"), make_credit_code(rng, "411321")
    r = client_for("officer").post("/registers/companies/import/", {"file": sheet(
        COMPANY_HEADER, ["南召县宏达物流有限公司", a, "普通货运企业", "王五", date(2028, 12, 31)],
        ["南召县顺风客运有限公司", b, "道路旅客运输企业", "", "2029/6/30"])})
    assert r.status_code == 302
    firms = TransportCompany.objects.filter(credit_code__in=[a, b]).order_by("name")
    assert [f.licence_valid_until for f in firms] == [date(2028, 12, 31), date(2029, 6, 30)]
    assert all(f.party.credit_code == f.credit_code for f in firms)
    assert Event.objects.filter(action="company.create").count() == 2


def test_a_bad_company_row_imports_nothing(world, client_for):
    code = make_credit_code(random.Random(12), "411321")
    page = client_for("officer").post("/registers/companies/import/", {"file": sheet(
        COMPANY_HEADER, ["甲物流有限公司", code, "普通货运企业", "", ""], ["乙物流有限公司", "91411321XXXX", "货运", "", "明年"])}).content.decode()
    assert "第4行：企业类型：应为" in page and not TransportCompany.objects.filter(credit_code=code).exists()


def test_officers_import_by_an_administrator_into_units_of_the_jurisdiction(world, client_for):
    r = client_for("admin").post("/registers/officers/import/", {"file": sheet(
        OFFICER_HEADER, ["李明", "41132100901", "2024-03-01", "2029-02-28", world.brigade_a.code, "男", "否"],
        ["赵丽", "41132100902", date(2025, 1, 2), date(2030, 1, 1), "", "女", "是"])})
    assert r.status_code == 302
    li, zhao = Officer.objects.get(cert_number="41132100901"), Officer.objects.get(cert_number="41132100902")
    assert li.organisation == world.brigade_a and li.cert_expires_on == date(2029, 2, 28) and not li.legal_qualification
    assert zhao.organisation == world.city and zhao.legal_qualification


def test_officer_rows_with_errors_name_row_and_column_and_import_nothing(world, client_for):
    page = client_for("head").post("/registers/officers/import/", {"file": sheet(
        OFFICER_HEADER, ["李明", "41132100911", "2024-03-01", "2029-02-28", "", "", ""],
        ["赵丽", "41132100912", "三月", "2030-01-01", "", "", ""],
        ["孙强", "41132100913", "2024-03-01", "2029-02-28", world.brigade_b.code, "", ""])}).content.decode()
    assert "第4行：发证日期：“三月”不是有效日期" in page and f"第5行：所属机构代码：“{world.brigade_b.code}”不是本辖区的机构" in page
    assert "第3行" not in page and not Officer.objects.filter(cert_number__startswith="411321009").exists()


def test_who_may_import_officers(world, client_for):
    assert client_for("officer").get("/registers/officers/import/").status_code == 404
    assert client_for("head").get("/registers/officers/import/").status_code == 200
    assert "从 Excel 导入" not in client_for("officer").get("/registers/officers/").content.decode()
    assert "从 Excel 导入" in client_for("officer").get("/registers/companies/").content.decode()
