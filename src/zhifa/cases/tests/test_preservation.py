"""先行登记保存 and 抽样取证 (行政处罚法 Art. 56, scenario tests named after the article): the head's approval, the
numbered 证据登记保存清单, the decision within 7 working days on the legal calendar, the 解除证据登记保存决定书; the
抽样取证凭证; the 勘验笔录. Golden texts for a person and an organisation. Refusals change nothing."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from zhifa.cases import preservation, services
from zhifa.cases.models import EvidenceItem, EvidencePreservation, Transcript
from zhifa.core import legal_calendar
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event
from zhifa.documents.kinds import KINDS
from zhifa.documents.models import Document
from zhifa.documents.render import render_html

from .factories import company, opened, person

pytestmark = pytest.mark.django_db
ITEMS = [{"name": "道路运输单证", "spec": "运单、装货清单", "quantity": "3", "unit": "份"},
         {"name": "车辆营运证复印件", "quantity": "1", "unit": "份"}]
# 2026-09-28 is a Monday: seven working days run over the National Day holidays (10-01..07) and count the
# make-up Saturday 10-10 (legal-reference §9): 9-29, 9-30, 10-8, 10-9, 10-10, 10-12, 10-13.
MONDAY = date(2026, 9, 28)


def _text(doc: Document) -> str:
    html = render_html(kind=KINDS[doc.kind], organisation=doc.organisation, number=doc.number, context=doc.context)
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def _doc(case, kind) -> Document:
    return Document.objects.get(subject_id=str(case.pk), kind=kind)


def _request(world, case):
    return preservation.preservation_request(actor=world.users["officer"], case=case, items=ITEMS, place="南召县交通运输综合行政执法大队证据保管室",
                                             reason="当事人运输单证随车流动，事后难以取得", holder="周伟")


def test_art56_preservation_needs_the_heads_approval(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = opened(world)
    p = _request(world, case)
    assert p.status == EvidencePreservation.Status.REQUESTED and not case.evidence_items.filter(preserved=True).exists()
    n = Event.objects.count()
    with pytest.raises(NotPermitted):
        preservation.preservation_approve(actor=world.users["officer"], preservation=p, approve=True)
    with pytest.raises(DomainError) as exc:
        preservation.preservation_release(actor=world.users["head"], preservation=p, reason="x")
    assert exc.value.code == "not_preserved"
    p.refresh_from_db()
    assert p.status == EvidencePreservation.Status.REQUESTED and Event.objects.count() == n and not Document.objects.exists()
    with pytest.raises(DomainError) as exc:
        preservation.preservation_approve(actor=world.users["head"], preservation=p, approve=False)
    assert exc.value.code == "opinion_required"
    refused = preservation.preservation_approve(actor=world.users["head"], preservation=p, approve=False, opinion="证据可以另行调取")
    assert refused.status == EvidencePreservation.Status.REFUSED and not Document.objects.exists()


def test_art56_decision_within_seven_working_days_on_the_legal_calendar(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 9, 28, 10, 0)), tick=False):
        case = opened(world)
        p = preservation.preservation_approve(actor=world.users["head"], preservation=_request(world, case), approve=True, opinion="同意")
    assert p.approved_on == MONDAY and p.decide_by == legal_calendar.add_working_days(MONDAY, 7).date == date(2026, 10, 13)
    assert p.list_number and "登保〔2026〕" in p.list_number
    preserved = case.evidence_items.filter(preserved=True)
    assert {e.title for e in preserved} == {"道路运输单证", "车辆营运证复印件"} and {e.preserved_until for e in preserved} == {p.decide_by}
    doc = _doc(case, "preservation_list")
    assert doc.number == p.list_number


def test_art56_release_issues_the_numbered_decision_and_frees_the_items(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = opened(world, party=company(world, name="南阳宏达物流有限公司"))
    p = preservation.preservation_approve(actor=world.users["head"], preservation=_request(world, case), approve=True)
    p = preservation.preservation_release(actor=world.users["head"], preservation=p, reason="经核查，上述单证已复制存档，无需继续保存",
                                          returned_to="周伟")
    assert p.status == EvidencePreservation.Status.RELEASED and "解保〔" in p.release_number
    assert not case.evidence_items.filter(preserved=True).exists()
    text = _text(_doc(case, "preservation_release"))
    today = timezone.localdate()
    day = f"{today.year}年{today.month}月{today.day}日"
    assert (f"南阳宏达物流有限公司：本机关于{day}以{p.list_number}证据登记保存清单对你单位的下列物品予以先行登记保存。"
            "因经核查，上述单证已复制存档，无需继续保存，根据《中华人民共和国行政处罚法》第五十六条的规定，"
            f"本机关决定自{day}起解除证据登记保存：") in text
    assert "上列物品于解除之日退还周伟，请当场清点核对并签收。" in text and "你（单位）" not in text
    with pytest.raises(DomainError):
        preservation.preservation_handle(actor=world.users["head"], preservation=p, handling="再次处理")


def test_art56_late_decision_is_recorded_as_late(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = opened(world)
    p = preservation.preservation_approve(actor=world.users["head"], preservation=_request(world, case), approve=True)
    assert preservation.overdue(case) == []
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        assert preservation.overdue(case) == [p]
        p = preservation.preservation_handle(actor=world.users["head"], preservation=p, handling="送交检测机构检测")
    assert p.status == EvidencePreservation.Status.HANDLED
    assert "已超过" in Event.objects.filter(action="case.preserve_decide").last().summary


@pytest.mark.parametrize("who", ["person", "organisation"])
def test_golden_preservation_list(world, settings, tmp_path, who):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = person(world, name="赵六") if who == "person" else company(world, name="南阳宏达物流有限公司")
    case = opened(world, party=party)
    p = preservation.preservation_approve(actor=world.users["head"], preservation=_request(world, case), approve=True)
    text = _text(_doc(case, "preservation_list"))
    you = "你" if who == "person" else "你单位"
    approved = f"{p.approved_on.year}年{p.approved_on.month}月{p.approved_on.day}日"
    until = f"{p.decide_by.year}年{p.decide_by.month}月{p.decide_by.day}日"
    assert (f"因当事人运输单证随车流动，事后难以取得，根据《中华人民共和国行政处罚法》第五十六条的规定，经本机关负责人于{approved}批准，"
            f"对{you}的下列物品予以先行登记保存（案号：{case.number}）：") in text
    assert "序号名称数量规格、特征1道路运输单证3份运单、装货清单2车辆营运证复印件1份—" in text
    assert (f"保存地点：南召县交通运输综合行政执法大队证据保管室。在登记保存期间，{you}及其他任何人不得损毁、销毁或者转移上述物品。"
            f"本机关将于{until}前（七个工作日内）依法作出处理决定。") in text
    assert "物品持有人/见证人：周伟" in text and "你（单位）" not in text and "None" not in text


@pytest.mark.parametrize("who", ["person", "organisation"])
def test_golden_sampling_voucher(world, settings, tmp_path, who):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = person(world, name="赵六") if who == "person" else company(world, name="南阳宏达物流有限公司")
    case = opened(world, party=party)
    p = preservation.sampling_record(actor=world.users["officer"], case=case, place="G207线皇后超限检测站",
                                     items=[{"name": "散装石料", "spec": "粒径5-10毫米", "quantity": "2", "unit": "千克"}],
                                     purpose="送检测机构检测货物种类", holder="周伟")
    assert "抽〔" in p.list_number and case.evidence_items.filter(title="样品：散装石料", kind=EvidenceItem.Kind.PHYSICAL).exists()
    text = _text(_doc(case, "sampling_voucher"))
    you = "你" if who == "person" else "你单位"
    day = f"{p.handled_on.year}年{p.handled_on.month}月{p.handled_on.day}日"
    assert (f"根据《中华人民共和国行政处罚法》第五十五条、第五十六条的规定，本机关执法人员于{day}在G207线皇后超限检测站对{you}的下列物品抽取样品，"
            f"用于送检测机构检测货物种类（案号：{case.number}）：") in text
    assert "1散装石料2千克粒径5-10毫米" in text and f"以上样品经{you}核对无误，由执法人员封存。" in text


@pytest.mark.parametrize("who", ["person", "organisation"])
def test_golden_inspection_record(world, settings, tmp_path, django_capture_on_commit_callbacks, who):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = person(world, name="赵六") if who == "person" else company(world, name="南阳宏达物流有限公司")
    case = opened(world, party=party)
    start = timezone.make_aware(timezone.datetime(2026, 12, 1, 10, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.transcript_create(actor=world.users["officer"], case=case, kind=Transcript.Kind.INSPECTION, started_at=start,
                                   ended_at=start + timedelta(minutes=40), place="G207线K1234+500处路面",
                                   officers=[world.officers["officer"], world.officers["officer2"]], person_name="周伟",
                                   person_relation="驾驶员", content={"observations": "路面有长约12米、宽约0.5米的刮擦痕迹。",
                                                                      "measures": "拍摄照片6张，绘制现场示意图1份"})
    text = _text(_doc(case, "inspection_record"))
    assert "勘验时间：2026年12月1日10时30分至2026年12月1日11时10分" in text
    assert f"当事人：{party.name}见证人/在场人：周伟（驾驶员）" in text
    assert "勘验情况：路面有长约12米、宽约0.5米的刮擦痕迹。绘图、拍照、录像及其他情况：拍摄照片6张，绘制现场示意图1份" in text
