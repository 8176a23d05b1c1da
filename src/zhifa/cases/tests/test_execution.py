"""The agency's own enforcement (行政强制法, scenario tests named after the article): only with a law's power
(Art. 13), after the 催告 (Arts. 35, 37), 代履行 with executor and budget (Art. 51), 执行公告 with a deadline (Art. 44),
中止/终结/恢复 on the article's grounds (Arts. 39–40). Golden texts for a person and an organisation."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zhifa.cases import execution, services
from zhifa.cases.execution import _state
from zhifa.cases.models import Case, ExecutionAct
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event
from zhifa.documents.kinds import KINDS
from zhifa.documents.models import Document
from zhifa.documents.render import render_html

from .factories import company, decided, person

pytestmark = pytest.mark.django_db
LAW = "《中华人民共和国公路法》第八十一条"
DUTY = "于十五日内拆除在公路建筑控制区内修建的彩钢板房"


def _delivered(world, party):
    case = decided(world, party=party)
    return services.case_deliver(actor=world.users["officer"], case=case, method=Case.DeliveryMethod.DIRECT)


def _text(act):
    doc = Document.objects.get(number=act.number)
    html = render_html(kind=KINDS[doc.kind], organisation=doc.organisation, number=doc.number, context=doc.context)
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def _cn(d):
    return f"{d.year}年{d.month}月{d.day}日"


def _reminded_before(today):
    """The latest day a 催告书 could have been delivered for its ten working days (Art. 69) to be over by today."""
    from zhifa.core import legal_calendar

    day = today - timedelta(days=14)
    while legal_calendar.add_working_days(day, execution.REMINDER_WORKING_DAYS).date >= today:
        day -= timedelta(days=1)
    return day


def test_art13_art37_power_from_a_law_and_the_reminder_first(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = _delivered(world, person(world))
    today = timezone.localdate()
    kw = dict(actor=world.users["head"], case=case, kind="decision", obligation=DUTY, method="依法强制拆除")
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(**kw, statute="《公路安全保护条例》第六十六条", reminded_on=today - timedelta(days=1))
    assert exc.value.code == "no_enforcement_power" and "第十三条" in exc.value.message
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(**kw, statute=LAW)
    assert exc.value.code == "reminder_required" and "第三十五条" in exc.value.message
    with pytest.raises(NotPermitted):
        execution.execution_issue(**{**kw, "actor": world.users["officer"]}, statute=LAW, reminded_on=today)
    # Regression (Arts. 35, 37, 69): the decision waits for the 催告书's ten working days — it was accepted the next day.
    Case.objects.filter(pk=case.pk).update(delivered_on=today - timedelta(days=60))
    case.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(**{**kw, "case": case}, statute=LAW, reminded_on=today - timedelta(days=1))
    assert exc.value.code == "reminder_period_running" and "第六十九条" in exc.value.message
    assert Event.objects.count() == n and not ExecutionAct.objects.exists() and not Document.objects.filter(kind="execution_decision").exists()


@pytest.mark.parametrize("who", ["person", "organisation"])
def test_golden_execution_decision_and_its_suspension_resumption_termination(world, settings, tmp_path, who):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = person(world, name="赵六") if who == "person" else company(world, name="南阳宏达物流有限公司")
    case = _delivered(world, party)
    today = timezone.localdate()
    reminded = _reminded_before(today)
    # Art. 44: the demolition only after the litigation period (6 months from delivery) and the announced time
    Case.objects.filter(pk=case.pk).update(delivered_on=reminded - timedelta(days=200), decided_on=reminded - timedelta(days=201))
    case.refresh_from_db()
    execution.execution_issue(actor=world.users["head"], case=case, kind="announcement", statute=LAW, obligation=DUTY,
                              deadline=today - timedelta(days=2), on=today - timedelta(days=12))
    act = execution.execution_issue(actor=world.users["head"], case=case, kind="decision", statute=LAW, obligation=DUTY,
                                    method=f"于{_cn(today + timedelta(days=3))}依法强制拆除上述彩钢板房", reminded_on=reminded)
    assert "强执〔" in act.number
    you = "你" if who == "person" else "你单位"
    text = _text(act)
    assert (f"本机关于{_cn(case.decided_on)}作出{case.decision_number}决定，责令{you}{DUTY}。该决定已于{_cn(case.delivered_on)}送达{you}。"
            f"本机关于{_cn(reminded)}向{you}送达催告书，{you}在催告期限内无正当理由仍未履行。") in text
    assert (f"根据{LAW}和《中华人民共和国行政强制法》第三十七条的规定，本机关决定对{you}依法强制执行："
            f"于{_cn(today + timedelta(days=3))}依法强制拆除上述彩钢板房。") in text
    assert text.endswith(f"南召县交通运输综合行政执法大队{_cn(today)}") and "你（单位）" not in text

    with pytest.raises(DomainError) as exc:
        execution.execution_issue(actor=world.users["head"], case=case, kind="resume", reason_text="x")
    assert exc.value.code == "not_suspended"
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(actor=world.users["head"], case=case, kind="suspend", reason="because", reason_text="x")
    assert exc.value.code == "invalid_reason"
    suspend = execution.execution_issue(actor=world.users["head"], case=case, kind="suspend", reason="hardship",
                                        reason_text="当事人因病住院，暂无能力自行拆除")
    text = _text(suspend)
    assert (f"本机关以{act.number}决定对{you}依法实施行政强制执行。因当事人履行行政决定确有困难或者暂无履行能力的（第三十九条第一款第（一）项），"
            f"具体情况为：当事人因病住院，暂无能力自行拆除，根据《中华人民共和国行政强制法》第三十九条的规定，本机关决定自{_cn(today)}起中止执行。") in text
    resume = execution.execution_issue(actor=world.users["head"], case=case, kind="resume", reason_text="当事人已出院，具备履行能力")
    assert "恢执〔" in resume.number and "第三十九条第二款" in _text(resume)
    end = execution.execution_issue(actor=world.users["head"], case=case, kind="terminate", reason="object_lost",
                                    reason_text="彩钢板房已被台风损毁")
    assert "执行标的灭失的（第四十条第（三）项）" in _text(end)
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(actor=world.users["head"], case=case, kind="resume", reason_text="x")
    assert exc.value.code == "execution_terminated"


def test_art51_substitute_names_executor_and_budget(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = _delivered(world, company(world, name="南阳宏达物流有限公司"))
    today = timezone.localdate()
    reminded = _reminded_before(today)
    Case.objects.filter(pk=case.pk).update(delivered_on=reminded - timedelta(days=20))
    case.refresh_from_db()
    kw = dict(actor=world.users["head"], case=case, kind="substitute", statute="《中华人民共和国公路法》第七十九条",
              obligation="清除在公路用地范围内堆放的砂石", method="由代履行人清运砂石并恢复路面", reminded_on=reminded)
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(**kw)
    assert exc.value.code == "substitute_incomplete"
    act = execution.execution_issue(**kw, executor="南召县公路养护服务中心", cost=Decimal("3600"))
    text = _text(act)
    assert "本机关决定由南召县公路养护服务中心代履行：由代履行人清运砂石并恢复路面。" in text
    assert "代履行费用预算为人民币叁仟陆佰元整（￥3,600.00），按照成本合理确定，由你单位承担。" in text


def test_art44_announcement_sets_a_deadline(world, settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = _delivered(world, person(world, name="赵六"))
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(actor=world.users["head"], case=case, kind="announcement", statute=LAW, obligation=DUTY)
    assert exc.value.code == "deadline_required"
    act = execution.execution_issue(actor=world.users["head"], case=case, kind="announcement", statute=LAW, obligation=DUTY,
                                    deadline=date.today() + timedelta(days=10))
    text = _text(act)
    assert f"现予公告：限赵六于{_cn(act.deadline)}前自行拆除；逾期不拆除的，本机关将依法强制拆除，所需费用由当事人承担。" in text
    # Regression: while the review and litigation periods still run, the announcement does not say the party let
    # them pass (it did, whatever the dates — the class of defect issue 14 found in the 催告书).
    assert "在法定期限内未申请行政复议" not in text and "当事人至今未自行拆除" in text


def test_art44_demolition_only_after_the_remedy_periods_and_the_announced_time(world, settings, tmp_path):
    # Regression: a 强制拆除 decision was accepted while the party could still seek reconsideration or litigation
    # and before any 执行公告 had set the party a time to remove the building itself.
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = _delivered(world, person(world, name="赵六"))
    today = timezone.localdate()
    reminded = _reminded_before(today)
    Case.objects.filter(pk=case.pk).update(delivered_on=reminded - timedelta(days=20))
    case.refresh_from_db()
    kw = dict(actor=world.users["head"], case=case, kind="decision", statute=LAW, obligation=DUTY, method="依法强制拆除",
              reminded_on=reminded)
    counts = lambda: (Event.objects.count(), ExecutionAct.objects.count(), Document.objects.count())  # noqa: E731
    before = counts()
    for kind in ("decision", "substitute"):  # within the litigation period, no announcement
        with pytest.raises(DomainError) as exc:
            execution.execution_issue(**{**kw, "kind": kind}, executor="南召县公路养护服务中心", cost=Decimal("3600"))
        assert exc.value.code == "demolition_periods_running" and "第四十四条" in exc.value.message
    assert counts() == before
    # The litigation period is over, but no announcement yet; then one whose time is still running
    Case.objects.filter(pk=case.pk).update(delivered_on=reminded - timedelta(days=200))
    case.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(**kw)
    assert exc.value.code == "demolition_periods_running"
    announcement = execution.execution_issue(actor=world.users["head"], case=case, kind="announcement", statute=LAW,
                                             obligation=DUTY, deadline=today + timedelta(days=5))
    before = counts()
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(**kw)
    assert exc.value.code == "demolition_periods_running" and f"{announcement.deadline:%Y-%m-%d}" in exc.value.message
    assert counts() == before and _state(case) == ""
    ExecutionAct.objects.filter(pk=announcement.pk).update(deadline=today - timedelta(days=1))
    act = execution.execution_issue(**kw)
    assert act.kind == ExecutionAct.Kind.DECISION and act.number


def test_art44_announcement_only_for_a_demolition(world, settings, tmp_path):
    # Art. 44 is the rule for demolishing illegal buildings, structures and facilities: the 执行公告 (which orders
    # the party to remove them) is refused for any other obligation instead of telling it to 拆除.
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = _delivered(world, company(world, name="南阳宏达物流有限公司"))
    n = (Event.objects.count(), Document.objects.count())
    with pytest.raises(DomainError) as exc:
        execution.execution_issue(actor=world.users["head"], case=case, kind="announcement", statute="《中华人民共和国公路法》第七十九条",
                                  obligation="清除在公路用地范围内堆放的砂石", deadline=timezone.localdate() + timedelta(days=10))
    assert exc.value.code == "announcement_demolition_only" and "第四十四条" in exc.value.message
    assert (Event.objects.count(), Document.objects.count()) == n and not ExecutionAct.objects.exists()


def test_execution_form_on_the_case_page_for_the_head_only(world, settings, tmp_path, client_for):
    settings.EVIDENCE_ROOT = str(tmp_path)
    case = _delivered(world, person(world))
    form_url = f"/cases/{case.pk}/act/execute/form/"
    head, officer = client_for("head"), client_for("officer")
    assert form_url in head.get(f"/cases/{case.pk}/").content.decode()  # the act, its form loaded when opened
    assert "授予强制执行权的法律条款" in head.get(form_url, headers={"HX-Request": "true"}).content.decode()
    # without script: the act on a page of its own, posting to the act
    page = head.get(form_url).content.decode()
    assert "授予强制执行权的法律条款" in page and f'action="/cases/{case.pk}/act/execute/"' in page
    assert form_url not in officer.get(f"/cases/{case.pk}/").content.decode()
    assert officer.get(form_url).status_code == 404
