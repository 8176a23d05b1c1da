"""Penalty decisions from the cases app through publication and the 双公示 export."""

from datetime import date

import pytest

from zhifa.portal import credit_export, services
from zhifa.portal.models import Publication

case_factories = pytest.importorskip("zhifa.cases.tests.factories")
ID_NUMBER = "11010519491231002X"


def _decided_on(case, on: date):
    # The case engine decides "today"; the publication deadline is what is tested, so place the decision date.
    type(case).objects.filter(pk=case.pk).update(decided_on=on)
    case.refresh_from_db()
    return case


def test_guoban_2018_118_penalty_of_0930_public_by_1015_masked(world, client):
    party = case_factories.person(world, name="赵大海", id_number=ID_NUMBER, phone="13700001111")
    case = _decided_on(case_factories.decided(world, party=party), date(2026, 9, 30))
    services.publication_run(today=date(2026, 10, 9))
    pub = Publication.objects.get(subject_type="cases.case", subject_id=str(case.pk))
    assert pub.kind == "penalty" and pub.due_on == date(2026, 10, 15) and pub.status == Publication.Status.PUBLISHED
    page = client.get(f"/portal/decisions/{pub.pk}/").content.decode()
    assert case.decision_number in page and "罚款人民币2,000.00元" in page and "赵＊＊" in page
    assert ID_NUMBER not in page and "赵大海" not in page and "13700001111" not in page


def test_xingzheng_chufa_fa_art48_revoked_penalty_withdrawn(world):
    case = _decided_on(case_factories.decided(world), date(2026, 9, 30))
    services.publication_run(today=date(2026, 10, 9))
    type(case).objects.filter(pk=case.pk).update(revoked_on=date(2026, 10, 20), revocation_reason="行政复议决定撤销")
    services.publication_run(today=date(2026, 10, 21))
    pub = Publication.objects.get(subject_type="cases.case", subject_id=str(case.pk))
    assert pub.status == Publication.Status.WITHDRAWN and pub.withdraw_due == date(2026, 10, 23) and not pub.withdraw_late


def _preview(world):
    return credit_export.export(actor=None, organisation=world.brigade_a, publications=Publication.objects.all(), layout="penalty",
                                file_format="json", dry_run=True)


def test_penalty_export_row(world):
    from zhifa.core.identifiers import credit_code_check_char

    code = "11411321MB1234567"
    code += credit_code_check_char(code)
    type(world.brigade_a).objects.filter(pk=world.brigade_a.pk).update(credit_code=code)
    firm = case_factories.company(world, legal_representative="孙八")
    case = _decided_on(case_factories.decided(world, party=firm), date(2026, 9, 30))
    services.publication_run(today=date(2026, 10, 9))
    result = _preview(world)
    # A case without a catalogued violation cannot leave: 违法行为类型 is required by the platform layout.
    assert result.rows == [] and result.errors[0]["problems"] == ["违法行为类型不能为空"]
    type(case).objects.filter(pk=case.pk).update(violation_name="未随车携带道路运输证")
    result = _preview(world)
    assert result.errors == []
    row = result.rows[0]
    assert row["行政处罚决定书文号"] == case.decision_number and row["罚款金额(万元)"] == "0.200000"
    assert row["处罚类别"] == "罚款" and row["统一社会信用代码"] == firm.credit_code and row["处罚机关统一社会信用代码"] == code
    assert row["公示截止期"] >= row["处罚决定日期"] == "2026-09-30"
