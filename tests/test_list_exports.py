"""Every register list exports to XLSX through core.xlsx (issue 18 item 4): the caption names the list and the
filters applied, the header is the page's columns in Chinese, and each export is itself recorded."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from zhifa.cases.tests.factories import opened
from zhifa.core.models import Event

pytestmark = pytest.mark.django_db

LISTS = [
    ("officer", "/overload/?status=detected&plate=豫R&format=xlsx", "超限违法行为", "号牌", "状态：待立案；号牌：豫R"),
    ("officer", "/overload/review/?format=xlsx", "待人工核查的超限记录", "号牌", "状态：待人工核查"),
    ("officer", "/overload/batches/?format=xlsx", "称重数据导入批次", "批次", ""),
    ("officer", "/coercion/?status=in_force&format=xlsx", "行政强制措施", "登记编号", "状态：实施中"),
    ("officer", "/inspections/?format=xlsx", "双随机抽查计划", "计划编号", ""),
    ("officer", "/inspections/warnings/?status=closed&format=xlsx", "预警抄告", "预警编号", "状态：已办结"),
    ("officer", "/inspections/leads/?format=xlsx", "案件线索", "登记日期", ""),
    ("officer", "/permits/?status=submitted&format=xlsx", "许可申请", "申请编号", "状态：已申请"),
    ("officer", "/documents/?q=豫R&format=xlsx", "执法文书", "文书名称", "关键词：豫R"),
    ("head", "/cases/at-risk/?format=xlsx", "期限预警", "案件编号", ""),
    ("officer", "/credit/publications/?format=xlsx", "行政处罚失信信息公示", "当事人", ""),
    ("head", "/credit/repairs/?format=xlsx", "信用修复申请", "申请日期", ""),
    ("officer", "/discretion/items/?q=超限&format=xlsx", "违法行为事项目录", "事项编码", "关键词：超限"),
    ("admin", "/integrations/reconciliations/?format=xlsx", "报送对账", "对账日期", ""),
    ("officer", "/overload/stations/?format=xlsx", "检测站点与设备", "站点编号", ""),
    ("officer", "/campaigns/departments/?q=公安&format=xlsx", "合作部门目录", "部门名称", "关键词：公安"),
    ("officer", "/portal/office/?late=1&format=xlsx", "公开信息登记", "标题", "仅逾期：是"),
]


@pytest.mark.parametrize("role,url,title,first,applied", LISTS)
def test_list_exports_with_its_filters(world, client_for, role, url, title, first, applied):
    before = Event.objects.filter(action="register.export").count()
    response = client_for(role).get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[0][0].startswith(title) and applied in rows[0][0] and rows[1][0] == first
    assert Event.objects.filter(action="register.export").count() == before + 1


def test_at_risk_export_lists_the_pages_cases(world, client_for):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    case = opened(world)
    with time_machine.travel(timezone.now() + timedelta(days=95)):
        page = client_for("head").get("/cases/at-risk/").content.decode()
        response = client_for("head").get("/cases/at-risk/?format=xlsx")
        rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert case.number in page
    assert [r[0] for r in rows[2:]] == [case.number] and rows[2][5] == "已超期" and "已超期" in rows[2][6]
