"""Issue 14 end to end: a simplified fine and an ordinary fine with a hearing, driven through the services as
officers do it, and every paper the party receives read as the party reads it: one decision number everywhere
(case, decision, 缴款通知书, 催告书, pay page, API answer), Beijing time, the violated provision apart from the
penalty provision, the defence and the hearing as recorded, the payment code on paper, the enforcement body as
issuer."""

import json
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.cases.tests.factories import PENALTY, VIOLATED
from zhifa.core.evidence import evidence_read
from zhifa.core.models import Organisation
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory
from zhifa.documents.composer import document_text, lint
from zhifa.documents.models import Document

pytestmark = pytest.mark.django_db

BASIS = "违反了《中华人民共和国公路法》第四十八条的规定，依据《中华人民共和国公路法》第七十六条第（四）项的规定"


def _pdf_text(doc: Document, tmp_path) -> str:
    path = tmp_path / f"{doc.kind}.pdf"
    path.write_bytes(evidence_read(doc.pdf))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout.replace(" ", "").replace("\n", "")


def _docs(case) -> dict[str, Document]:
    return {d.kind: d for d in Document.objects.filter(subject_type__model="case", subject_id=str(case.pk)).order_by("pk")}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run one act and the papers it queues after its commit (as in production)."""

    def call(fn, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kw)

    return call


def test_simplified_fine_one_number_local_time_basis_and_payment_code_on_paper(world, api_for, run, settings, tmp_path,
                                                                              django_capture_on_commit_callbacks, client):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = PersonPartyFactory(organisation=world.brigade_a, name="赵六")
    payload = {"party_id": party.pk, "officer_ids": [world.officers["officer"].pk, world.officers["officer2"].pk],
               "occurred_at": datetime(2026, 12, 1, 1, 20, tzinfo=UTC).isoformat(),  # 9:20 in Beijing
               "place": "G207国道皇后段", "facts": "赵六驾驶履带式挖掘机未经公路管理机构同意擅自在公路上行驶",
               "penalty_kind": "fine", "amount": "200", "legal_basis": PENALTY, "violated_provision": VIOLATED}
    with time_machine.travel(datetime(2026, 12, 1, 2, 0, tzinfo=UTC)), django_capture_on_commit_callbacks(execute=True):
        answer = api_for("officer").post("/api/v1/cases/simplified", json.dumps(payload), content_type="application/json")
    assert answer.status_code == 201, answer.content
    case = Case.objects.get(pk=answer.json()["id"])
    docs = _docs(case)
    number = case.decision_number
    # one number: the API answer, the case, the decision, the payment notice (record and paper)
    assert number.startswith("豫R召交简罚〔2026〕") and answer.json()["decision_number"] == number
    assert docs["onspot_decision"].number == number and case.payment_notice.decision_number == number
    decision = _pdf_text(docs["onspot_decision"], tmp_path)
    assert number in decision and "2026年12月1日9时20分" in decision and "1时20分" not in decision
    assert BASIS in decision and "你的上述行为" in decision and "（单位）" not in decision
    assert decision.count("擅自在公路上行驶") == 1  # the facts are stated once, not again as "reasoning"
    assert case.payment_notice.code in decision  # the payment code and its QR on the decision itself
    notice_paper = _pdf_text(docs["payment_notice"], tmp_path)
    assert number in notice_paper and case.payment_notice.code in notice_paper and "百分之三" in notice_paper
    assert "南召县交通运输综合行政执法大队" in notice_paper
    # the public pay page shows the same number and asks for the amount due
    page = client.get(case.payment_notice.pay_path).content.decode()
    assert number in page and "200.00" in page
    # 催告书 after the due date, while the 60-day review period still runs: same number, no claim about review
    with time_machine.travel(datetime(2026, 12, 28, 2, 0, tzinfo=UTC)):
        from zhifa.payments.services import payment_reminder_issue

        reminder = payment_reminder_issue(actor=world.users["officer"], notice=case.payment_notice)
        text = document_text(reminder)
    assert number in text and case.payment_notice.code in text
    assert "未申请行政复议" not in text and "不停止本决定的执行" in text
    for doc in Document.objects.all():
        assert lint(document_text(doc)) == [], doc.title


def test_ordinary_fine_with_hearing_reflects_defence_hearing_and_review(world, run, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    firm = OrgPartyFactory(organisation=world.brigade_a, name="南阳宏达物流有限公司")
    officers = [world.officers["officer"], world.officers["officer2"]]
    with time_machine.travel(datetime(2026, 11, 2, 3, 0, tzinfo=UTC)):
        case = services.lead_register(actor=world.users["officer"], organisation=world.brigade_a, source=Case.Source.INSPECTION,
                                      party=firm, occurred_at=datetime(2026, 11, 2, 2, 30, tzinfo=UTC), place="G207国道皇后段",
                                      facts="当事人所属豫R·D3578履带式挖掘机未经公路管理机构同意擅自在公路上行驶", officers=officers)
        case = services.case_set_provisions(actor=world.users["officer"], case=case, violated_provision=VIOLATED, penalty_provision=PENALTY)
        case = run(services.case_open, actor=world.users["head"], case=case, officers=officers)
        case = services.case_set_review(actor=world.users["head"], case=case, legal_review_required=True, discussion_required=False,
                                        basis="拟罚款数额较大")
        case = services.case_report(actor=world.users["officer"], case=case, report_text="违法事实清楚。", proposed_outcome="penalty",
                                    proposed_amount=Decimal("5000"))
        case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="同意")
        case.refresh_from_db()
        case = run(services.case_notify, actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("5000"),
                   hearing_right=True)
        case = services.case_statement(actor=world.users["officer"], case=case, statement="车辆已于十月完成二级维护，记录未及时归档",
                                       adopted="当事人未能提供维护记录，申辩意见不予采纳")
        case = services.case_hearing_request(actor=world.users["officer"], case=case)
        case = run(services.case_hearing_schedule, actor=world.users["officer"], case=case, hearing_on=date(2026, 11, 20))
    with time_machine.travel(datetime(2026, 11, 20, 2, 0, tzinfo=UTC)):
        case = run(services.case_hearing_hold, actor=world.users["officer"], case=case,
                   record="当事人委托代理人到场，承认未按期维护，请求从轻处罚。")
        case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="听证后送法制审核")
        services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="听证程序合法")
        case.refresh_from_db()
        case = run(services.case_decide, actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("4000"),
                   legal_basis=PENALTY, reasoning="当事人在听证中承认违法事实，酌情从轻处罚", deviation_reason="听证后从轻")
        case = run(services.case_deliver, actor=world.users["officer"], case=case, method="direct", address="南召县城关镇白河路18号")
    docs = _docs(case)
    number = case.decision_number
    assert number.startswith("豫R召交罚〔2026〕") and docs["penalty_decision"].number == number
    assert case.payment_notice.decision_number == number and number in document_text(docs["payment_notice"])
    register = document_text(docs["register"])
    assert "2026年11月2日10时30分" in register and "2时30分" not in register  # Beijing time, never UTC
    notice = document_text(docs["violation_notice"])
    assert BASIS in notice and "你单位的上述行为" in notice and "违反了违反" not in notice
    assert "举行公开听证会" in document_text(docs["hearing_notice"])
    decision = _pdf_text(docs["penalty_decision"], tmp_path).replace("\n", "")
    assert BASIS in decision
    assert "车辆已于十月完成二级维护" in decision and "申辩意见不予采纳" in decision  # the defence and its review
    assert "2026年11月20日依法举行了听证" in decision and "请求从轻处罚" in decision  # the hearing record
    assert "未提出陈述、申辩意见" not in decision
    receipt = document_text(docs["delivery_receipt"])
    assert "南召县城关镇白河路18号" in receipt and number in receipt
    for doc in docs.values():
        text = document_text(doc)
        assert lint(text) == [] and "南召县交通运输综合行政执法大队" in text, doc.title


def test_waiver_never_replaces_the_defence(world, run, settings, tmp_path):
    """Regression (issue 14): "本人放弃听证权利" overwrote the party's real defence in the decision."""
    from zhifa.cases.tests.factories import notified

    settings.EVIDENCE_ROOT = str(tmp_path)
    case = notified(world)
    case = services.case_statement(actor=world.users["officer"], case=case, statement="车辆刚购入，尚未到维护周期")
    case = services.case_waive(actor=world.users["officer"], case=case, statement="本人放弃听证权利")
    case.refresh_from_db()
    assert case.statement == "车辆刚购入，尚未到维护周期" and case.waiver_statement == "本人放弃听证权利"
    case = run(services.case_decide, actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("2000"),
               legal_basis=PENALTY, reasoning="违法事实清楚")
    text = document_text(Document.objects.get(kind="penalty_decision"))
    assert "车辆刚购入，尚未到维护周期" in text and "书面声明放弃陈述、申辩的权利（“本人放弃听证权利”）" in text


def test_overload_decision_is_issued_and_signed_by_the_enforcement_body_not_the_station(world):
    """Item 8: a case of a weighing station is decided and signed by the enforcement body above it."""
    from zhifa.documents.services import document_issue

    from .factories import context_for

    station = Organisation.objects.create(code="C411321CX", name="南召县皇后超限检测站", kind=Organisation.Kind.STATION,
                                          parent=world.brigade_a)
    world.users["officer"].organisation = station
    doc = document_issue(actor=world.users["head"], organisation=station, kind="penalty_decision", subject=station,
                         context=context_for("penalty_decision"))
    text = document_text(doc)
    assert "南召县交通运输综合行政执法大队" in text and "超限检测站" not in text.split("当事人")[0]
    assert text.strip().splitlines()[0] == "南召县交通运输综合行政执法大队" and doc.number.startswith("豫R召交罚")


def test_revoked_fine_is_never_due(world, run, client, settings, tmp_path):
    """Item 6: a revoked decision's notice shows nothing to pay, nowhere (pay page, officer list)."""
    from zhifa.cases.tests.factories import decided

    settings.EVIDENCE_ROOT = str(tmp_path)
    case = run(services.case_deliver, actor=world.users["officer"], case=decided(world), method="direct")
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        case = services.case_revoke(actor=world.users["head"], case=case, reason="行政复议决定撤销原处罚决定")
        notice = case.payment_notice
        notice.refresh_from_db()
        from zhifa.payments.services import amount_due, notice_state

        assert notice.status == "cancelled" and amount_due(notice) is None and notice_state(notice).outstanding == 0
        page = client.get(notice.pay_path).content.decode()
        assert "已撤销" in page and "应缴金额" not in page and "模拟支付" not in page
        client.force_login(world.users["officer"])
        listing = client.get("/payments/").content.decode()
        assert "已撤销" in listing and "逾期" not in listing.split(notice.code)[1].split("</tr>")[0]
