"""双公示 export to the national credit-information field set (docs/portal.md): rows validated against the field
specification for penalties and permits, for a person, an organisation and a 个体工商户; export by change (new,
changed, withdrawn); failed rows stay pending; dry runs change nothing; each batch reconciles with the receipt."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.core.identifiers import credit_code_check_char
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory
from zhifa.portal import credit_export, services
from zhifa.portal.models import ExportBatch, ExportItem, Publication
from zhifa.portal.tests.test_publication import _granted

cases = pytest.importorskip("zhifa.cases.tests.factories")
ID_NUMBER = "11010519491231002X"  # the sample number of GB 11643


def _code(prefix: str) -> str:
    first17 = f"{prefix}411321MA12345{len(prefix)}6"[:17]
    return first17 + credit_code_check_char(first17)


def _setup(world):
    code = "11411321MB1234567"
    code += credit_code_check_char(code)
    type(world.brigade_a).objects.filter(pk=world.brigade_a.pk).update(credit_code=code)
    world.brigade_a.refresh_from_db()
    return code


def _decided(world, *, party, on=date(2026, 9, 30), amount=Decimal("2000"), **kw):
    case = cases.decided(world, party=party, amount=amount, **kw)
    type(case).objects.filter(pk=case.pk).update(decided_on=on, violation_name="未随车携带道路运输证")
    case.refresh_from_db()
    return case


def _export(world, layout, *, dry_run=False):
    return credit_export.export(actor=world.users["officer"] if not dry_run else None, organisation=world.brigade_a,
                                publications=Publication.objects.all(), layout=layout, file_format="json", dry_run=dry_run)


def _spec_ok(layout, rows):
    """Every row has exactly the specified fields (then the control columns) and passes the specification."""
    for row in rows:
        assert list(row) == credit_export.LAYOUTS[layout] + credit_export.CONTROL_FIELDS
        assert credit_export.validate_row(layout, row) == []


@pytest.fixture
def parties(world):
    _setup(world)
    person = PersonPartyFactory(organisation=world.brigade_a, name="钱七", id_number=ID_NUMBER)
    firm = OrgPartyFactory(organisation=world.brigade_a, name="宏达物流有限公司", legal_representative="赵六",
                           legal_rep_id_type="id_card", legal_rep_id_number=ID_NUMBER)
    shop = OrgPartyFactory(organisation=world.brigade_a, name="南召县李记货运部", credit_code=_code("92"), legal_representative="李四")
    return {"person": person, "firm": firm, "shop": shop}


def test_penalty_rows_for_person_organisation_and_individual_business_meet_the_spec(world, parties):
    for party in parties.values():
        _decided(world, party=party)
    services.publication_run(today=date(2026, 10, 9))
    result = _export(world, "penalty")
    assert result.errors == [] and len(result.rows) == 3
    _spec_ok("penalty", result.rows)
    by_name = {r["行政相对人名称"]: r for r in result.rows}
    person, firm, shop = by_name["钱七"], by_name["宏达物流有限公司"], by_name["南召县李记货运部"]
    assert (person["行政相对人类别"], person["证件类型"], person["证件号码"], person["统一社会信用代码"]) == ("自然人", "身份证", ID_NUMBER, "")
    assert (firm["行政相对人类别"], firm["法定代表人"], firm["法定代表人证件类型"], firm["法定代表人证件号码"]) == \
        ("法人及非法人组织", "赵六", "身份证", ID_NUMBER)
    assert shop["行政相对人类别"] == "个体工商户" and shop["统一社会信用代码"].startswith("92") and shop["法定代表人"] == "李四"
    # 万元 exactly; 处罚有效期 (the penalty's own term: a fine has none → 长期) apart from 公示截止期 (credit rules).
    assert firm["罚款金额(万元)"] == "0.200000" and firm["处罚类别"] == "罚款"
    assert firm["处罚有效期"] == "2099-12-31" and firm["公示截止期"] != firm["处罚有效期"]


def test_permit_rows_for_person_organisation_and_individual_business_meet_the_spec(world, parties, client_for):
    for party in parties.values():
        _granted(world, party=party)
    services.publication_run(today=date(2026, 10, 8))
    r = client_for("officer").post("/portal/office/export/", {"layout": "permit", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and r["X-Export-Errors"] == "0"
    _spec_ok("permit", rows)
    assert {row["行政相对人类别"] for row in rows} == {"自然人", "法人及非法人组织", "个体工商户"}
    assert all(row["当前状态"] == "1" and row["数据操作类型"] == "新增" for row in rows)


@pytest.mark.parametrize("id_type,number,label", [("passport", "E12345678", "护照号"), ("hk_macao_permit", "H12345678", "港澳居民来往内地通行证"),
                                                  ("taiwan_permit", "12345678", "台湾居民来往大陆通行证")])
def test_persons_with_passports_and_hmt_permits_are_exported(world, id_type, number, label):
    _setup(world)
    person = PersonPartyFactory(organisation=world.brigade_a, id_type=id_type, id_number=number)
    person.full_clean()
    _decided(world, party=person)
    services.publication_run(today=date(2026, 10, 9))
    [row] = _export(world, "penalty").rows
    assert (row["证件类型"], row["证件号码"]) == (label, number)


def test_rows_against_the_spec_fail_with_chinese_reasons():
    row = {f: "" for f in credit_export.PENALTY_FIELDS}
    row.update({"行政相对人名称": "某公司", "行政相对人类别": "法人及非法人组织", "统一社会信用代码": "bad", "处罚类别": "罚款；吊销许可证件；记过",
                "处罚决定日期": "2026-09-30", "公示截止期": "2026-01-01", "处罚有效期": "2026-01-01"})
    problems = credit_export.validate_row("penalty", row)
    for expected in ("公示截止期早于处罚决定日期", "处罚有效期早于处罚决定日期", "处罚类别含罚款但罚款金额(万元)为空", "行政处罚决定书文号不能为空",
                     "处罚类别“记过”不在规定的类别中", "法人及非法人组织、个体工商户须填写法定代表人（负责人、经营者）",
                     "处罚类别含暂扣或吊销许可证件，须填写暂扣或吊销证照名称及编号"):
        assert expected in problems
    # 降低资质等级 names no licence: it does not require the licence field (it stayed pending for ever).
    row["处罚类别"] = "降低资质等级"
    assert not any("证照名称" in p for p in credit_export.validate_row("penalty", row))
    person = {"行政相对人类别": "自然人", "证件类型": "护照号", "证件号码": "护照?"}
    assert "证件号码无效：护照号号码格式不正确。" in credit_export.validate_row("permit", person)
    shop = {"行政相对人类别": "个体工商户", "统一社会信用代码": _code("91"), "法定代表人": "李四"}
    assert "行政相对人类别与统一社会信用代码的登记类型不符（个体工商户为92开头）" in credit_export.validate_row("permit", shop)
    assert credit_export._wan(Decimal("12345.67")) == "1.234567" and credit_export._wan(2000) == "0.200000"


def test_publicity_period_by_severity_from_the_credit_rules(world, parties):
    """《信用修复管理办法》(2026-04-01): minor not published (≤ 3 months), general ≤ 1 year, serious up to 3 years —
    by the calendar (2026-04-30 + 3 years = 2029-04-30, not + 1,095 days); before it, the 2023 measures (≤ 3 years)."""
    from zhifa.cases import services as case_services

    serious = _decided(world, party=parties["person"], amount=Decimal("20000"), on=date(2026, 4, 30), legal_review=True)
    general = _decided(world, party=parties["firm"], on=date(2026, 4, 30))
    older = _decided(world, party=parties["shop"], on=date(2025, 6, 30))
    warning = cases.notified(world, party=PersonPartyFactory(organisation=world.brigade_a))
    warning = case_services.case_waive(actor=world.users["officer"], case=warning, statement="无异议")
    warning = case_services.case_decide(actor=world.users["head"], case=warning, penalty_kind="warning", amount=None,
                                        legal_basis="《道路运输条例》第六十八条", reasoning="情节轻微，给予警告。")
    type(warning).objects.filter(pk=warning.pk).update(decided_on=date(2026, 4, 30), violation_name="未随车携带道路运输证")
    services.publication_run(today=date(2026, 5, 8))
    pub = {c.pk: Publication.objects.get(subject_id=str(c.pk), subject_type="cases.case") for c in (serious, general, older, warning)}
    assert (pub[serious.pk].severity, pub[serious.pk].public_until) == ("serious", date(2029, 4, 30))
    assert (pub[general.pk].severity, pub[general.pk].public_until) == ("general", date(2027, 4, 30))
    assert pub[older.pk].public_until == date(2028, 6, 30)  # 2023 measures: longest three years
    minor = pub[warning.pk]
    assert (minor.severity, minor.public_until, minor.credit_published) == ("minor", date(2026, 7, 30), False)
    rows = _export(world, "penalty").rows
    assert warning.decision_number not in {r["行政处罚决定书文号"] for r in rows} and len(rows) == 3


def test_dry_run_changes_nothing_cli_api_and_preview(world, parties, client_for, api_for):
    _decided(world, party=parties["firm"])
    services.publication_run(today=date(2026, 10, 9))
    out = io.StringIO()
    call_command("publicity", "export", "--layout", "penalty", "--unit", world.brigade_a.code, "--dry-run", stdout=out)
    assert "预览（未导出、未改变任何记录）：报送 1 条（新增 1" in out.getvalue()
    body = api_for("officer").get("/api/v1/portal/export/preview?layout=penalty").json()
    assert body["dry_run"] and body["counts"]["new"] == 1 and body["batch"] is None and len(body["rows"]) == 1
    page = client_for("officer").get("/portal/office/export/preview/?layout=penalty").content.decode()
    assert "将报送" in page and "新增 1" in page and parties["firm"].name in page
    assert ExportBatch.objects.count() == 0 and ExportItem.objects.count() == 0
    # The real export then sends exactly what the preview showed, once.
    assert len(_export(world, "penalty").rows) == 1 and _export(world, "penalty").rows == []


def test_export_by_change_new_changed_withdrawn_and_resent_after_revocation(world, parties):
    case = _decided(world, party=parties["firm"])
    services.publication_run(today=date(2026, 10, 9))
    first = _export(world, "penalty")
    assert first.counts == {"new": 1, "changed": 0, "withdrawn": 0} and _export(world, "penalty").rows == []
    # A correction of the published text reaches the platform as a change.
    pub = Publication.objects.get(subject_id=str(case.pk))
    type(case).objects.filter(pk=case.pk).update(facts="更正后的违法事实：驾驶货车未随车携带道路运输证。")
    Publication.objects.filter(pk=pub.pk).update(updated_at=timezone.now())  # the publication saved again after the correction
    changed = _export(world, "penalty")
    assert changed.counts["changed"] == 1 and changed.rows[0]["违法事实"].startswith("更正后")
    # 行政处罚法 Art. 48: the revoked decision is withdrawn from the portal and the withdrawal is sent.
    type(case).objects.filter(pk=case.pk).update(revoked_on=date(2026, 10, 20), revocation_reason="行政复议决定撤销")
    services.publication_run(today=date(2026, 10, 21))
    withdrawn = _export(world, "penalty")
    assert withdrawn.counts == {"new": 0, "changed": 0, "withdrawn": 1}
    assert withdrawn.rows[0]["数据操作类型"] == "撤回" and "行政复议决定撤销" in withdrawn.rows[0]["备注"]
    assert _export(world, "penalty").rows == []


def test_export_writes_its_rows_state_in_bulk(world, parties):
    """Regression (issue 19): each row's export state was written by ``update_or_create`` (a locked read and
    a write per row, ~2,500 statements for the demo's exports); now the new rows in one INSERT and the rows
    sent again in one UPDATE per batch of ``EXPORT_WRITE_BATCH`` (here one batch each)."""
    cases_ = {key: _decided(world, party=party) for key, party in parties.items()}
    services.publication_run(today=date(2026, 10, 9))

    def writes(sql_list, verb):
        return [sql for sql in sql_list if sql.startswith(verb) and "portal_exportitem" in sql]

    with CaptureQueriesContext(connection) as first:
        assert _export(world, "penalty").counts["new"] == 3
    sql = [q["sql"] for q in first.captured_queries]
    assert len(writes(sql, "INSERT")) == 1 and writes(sql, "UPDATE") == []
    for case in cases_.values():
        type(case).objects.filter(pk=case.pk).update(facts="更正后的违法事实：驾驶货车未随车携带道路运输证。")
    Publication.objects.update(updated_at=timezone.now())
    with CaptureQueriesContext(connection) as again:
        assert _export(world, "penalty").counts["changed"] == 3
    sql = [q["sql"] for q in again.captured_queries]
    assert writes(sql, "INSERT") == [] and len(writes(sql, "UPDATE")) == 1
    sent_as_changed = (ExportItem.Status.SENT, ExportItem.Action.CHANGED)
    assert set(ExportItem.objects.values_list("status", "action")) == {sent_as_changed}


def test_failed_row_stays_pending_until_it_passes(world, parties):
    firm = parties["firm"]
    _decided(world, party=firm)
    services.publication_run(today=date(2026, 10, 9))
    type(firm).objects.filter(pk=firm.pk).update(credit_code="91411321ABCDEFGH00")  # corrupt check character
    for _ in range(2):  # exported twice: held back both times, never skipped by a cursor
        result = _export(world, "penalty")
        assert result.rows == [] and "统一社会信用代码无效（GB 32100）" in result.errors[0]["problems"]
        assert ExportItem.objects.get().status == ExportItem.Status.PENDING
    type(firm).objects.filter(pk=firm.pk).update(credit_code=_code("91"))
    result = _export(world, "penalty")
    assert len(result.rows) == 1 and result.counts["new"] == 1 and ExportItem.objects.get().status == ExportItem.Status.SENT


def test_each_batch_reconciles_sent_against_accepted(world, parties, client_for):
    for party in parties.values():
        _granted(world, party=party)
    services.publication_run(today=date(2026, 10, 8))
    result = _export(world, "permit")
    batch = result.batch
    keys = [r["本地编号"] for r in result.rows]
    receipt = io.BytesIO(json.dumps({"accepted": keys[:2], "rejected": [{"本地编号": keys[2], "原因": "许可编号重复"}]}).encode())
    receipt.name = "receipt.json"
    client_for("officer").post(f"/portal/office/export/{batch.pk}/", {"receipt": receipt})
    batch.refresh_from_db()
    assert (batch.rows, batch.accepted, batch.rejected, batch.outstanding) == (3, 2, 1, 0) and batch.reconciled_at
    # The rejected row is sent again by the next export (as new: the platform never accepted it).
    again = _export(world, "permit")
    assert [r["本地编号"] for r in again.rows] == [keys[2]] and again.counts["new"] == 1
    wb = openpyxl.load_workbook(io.BytesIO(credit_export.render(again, "xlsx")[0]))
    assert wb.active.cell(1, 1).value == "行政相对人名称"


def test_receipt_naming_rows_of_another_batch_is_refused_and_changes_nothing(world, parties):
    from zhifa.core.errors import DomainError

    _granted(world, party=parties["firm"])
    services.publication_run(today=date(2026, 10, 8))
    batch = _export(world, "permit").batch
    with pytest.raises(DomainError) as exc:
        credit_export.reconcile(actor=world.users["officer"], batch=batch, accepted=["999999"], rejected={})
    assert exc.value.code == "unknown_rows"
    batch.refresh_from_db()
    assert batch.accepted == 0 and batch.reconciled_at is None and ExportItem.objects.get().status == ExportItem.Status.SENT


def test_penalty_published_once_reaches_portal_credit_and_export_and_revocation_follows(world, parties):
    """One pipeline: the portal row leads; the credit publication and the 双公示 export follow it."""
    from zhifa.credit.models import CreditPublication
    from zhifa.portal import pipeline

    case = _decided(world, party=parties["firm"])
    services.publication_run(today=date(2026, 10, 9))
    credit = CreditPublication.objects.get(source_type="cases.case", source_id=str(case.pk))
    assert credit.status == "published" and credit.decision_number == case.decision_number and credit.severity == "general"
    today = date(2026, 10, 12)
    assert any("双公示导出中没有" in line for line in pipeline.inconsistencies(today=today))
    _export(world, "penalty")
    assert list(pipeline.inconsistencies(today=today)) == []
    type(case).objects.filter(pk=case.pk).update(revoked_on=date(2026, 10, 20), revocation_reason="行政复议决定撤销")
    services.publication_run(today=date(2026, 10, 21))
    credit.refresh_from_db()
    assert credit.status == "revoked"
    assert any("未报送撤回" in line for line in pipeline.inconsistencies(today=date(2026, 10, 22)))
    _export(world, "penalty")
    assert list(pipeline.inconsistencies(today=date(2026, 10, 22))) == []


def test_paid_penalty_marks_its_credit_publication_performed(world, parties):
    """Credit repair needs the penalty performed: the payment reaches the credit publication through the daily run."""
    from zhifa.cases import services as case_services
    from zhifa.credit.models import CreditPublication
    from zhifa.payments.models import PaymentNotice
    from zhifa.payments.services import simulated_payment

    case = _decided(world, party=parties["firm"])
    services.publication_run(today=date(2026, 10, 9))
    credit = CreditPublication.objects.get(source_type="cases.case", source_id=str(case.pk))
    assert not credit.penalty_performed
    case = case_services.case_deliver(actor=world.users["officer"], case=case, method="direct")
    simulated_payment(notice=PaymentNotice.objects.get(case=case))
    services.publication_run(today=timezone.localdate())
    credit.refresh_from_db()
    assert credit.penalty_performed and credit.performed_on == timezone.localdate()


def _decided_lines(world, *, party, lines, on=date(2026, 9, 30)):
    """A decision combining kinds of 行政处罚法 Art. 9, notified and decided with the same lines."""
    from zhifa.cases import services as case_services

    # 没收违法所得并处罚款: the fine is a multiple of the gains, which the legal reviewer checks (Arts. 4, 58)
    case = cases.reviewed(world, party=party, amount=Decimal("10000"), legal_review=True,
                          range_check="违法所得150元，罚款10,000元在处罚依据规定的幅度内。")
    case = case_services.case_notify(actor=world.users["officer"], case=case, lines=lines)
    case = case_services.case_waive(actor=world.users["officer"], case=case, statement="无异议，放弃陈述申辩和听证")
    case = case_services.case_decide(actor=world.users["head"], case=case, lines=lines, legal_basis=cases.PENALTY,
                                     reasoning="违法事实清楚，依法合并处罚。")
    type(case).objects.filter(pk=case.pk).update(decided_on=on, violation_name="超越许可事项从事道路运输经营")
    case.refresh_from_db()
    return case


def test_confiscation_licence_and_penalty_term_come_from_the_decided_lines(world, parties):
    """Regression: the export read 没收金额, 暂扣/吊销证照 and 处罚有效期 from attributes the cases model did not have, so
    the three fields were always empty (处罚有效期 always 长期). They come from the decided penalty lines: the
    confiscated amount in 万元, the licence as the decision names it, and the end of the suspension's term."""
    licence = "道路运输证（No. 411321000123）"
    _decided_lines(world, party=parties["firm"], lines=[
        {"kind": "fine", "amount": "10000"}, {"kind": "confiscate_income", "amount": "150"},
        {"kind": "licence_suspension", "subject": licence, "term": "三个月"}])
    services.publication_run(today=date(2026, 10, 9))
    result = _export(world, "penalty")
    assert result.errors == [] and len(result.rows) == 1
    _spec_ok("penalty", result.rows)
    row = result.rows[0]
    assert row["处罚类别"] == "罚款；没收违法所得；暂扣许可证件"
    assert row["罚款金额(万元)"] == "1.000000" and row["没收违法所得、没收非法财物的金额(万元)"] == "0.015000"
    assert row["暂扣或吊销证照名称及编号"] == licence
    assert row["处罚有效期"] == "2026-12-30"  # three months from the decision of 2026-09-30 (民法典 Arts. 201–203)
    assert row["公示截止期"] != row["处罚有效期"]


def test_penalty_term_that_cannot_be_read_keeps_the_row_pending(world, parties):
    _decided_lines(world, party=parties["shop"], lines=[{"kind": "licence_suspension", "subject": "道路运输经营许可证（No. 7）", "term": "一季度"}])
    services.publication_run(today=date(2026, 10, 9))
    result = _export(world, "penalty")
    assert result.rows == [] and len(result.errors) == 1
    assert any("期限“一季度”无法换算为处罚有效期" in p for p in result.errors[0]["problems"])
    assert ExportItem.objects.get().status == ExportItem.Status.PENDING


@pytest.mark.parametrize("term,end", [("三个月", date(2026, 6, 10)), ("6个月", date(2026, 9, 10)), ("十五日", date(2026, 3, 25)),
                                      ("30天", date(2026, 4, 9)), ("一年", date(2027, 3, 10)), ("二十日", date(2026, 3, 30))])
def test_term_end_counts_months_by_the_calendar(term, end):
    from zhifa.portal.sources import term_end

    assert term_end(date(2026, 3, 10), term) == end


def test_term_end_refuses_what_is_not_a_term():
    from zhifa.portal.sources import term_end

    assert [term_end(date(2026, 3, 10), t) for t in ("", "一季度", "十个工作日以内", "0个月")] == [None, None, None, None]
