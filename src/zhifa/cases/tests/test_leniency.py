"""The four lists on a case (行政处罚法 Art. 33 ¶1, Art. 32): a 首违不罚 outcome needs the list entry, no earlier
violation of the item in the look-back period (computed from the cases), the correction with its date and the
party's signed 告知承诺书; the decision states those facts. Refusals change nothing."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zhifa.cases import leniency, services
from zhifa.cases.documents import document_context
from zhifa.cases.leniency import _cn
from zhifa.cases.models import Case, ListApplication
from zhifa.cases.workflow import Status
from zhifa.core.errors import DomainError
from zhifa.core.models import Event
from zhifa.documents.kinds import KINDS
from zhifa.documents.render import render_html

from .factories import company, lead, opened, person

pytestmark = pytest.mark.django_db
ITEM = "YS-011"  # 货运经营者没有采取必要措施防止货物脱落、扬撒: on the shipped first-violation list


def _text(case, kind):
    html = render_html(kind=KINDS[kind], organisation=case.organisation, number="", context=document_context(case, kind))
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def _reviewed_no_penalty(world, party):
    case = opened(world, party=party, code=ITEM)
    case = services.case_report(actor=world.users["officer"], case=case, report_text="当事人初次违法，已当场改正。",
                                proposed_outcome=Case.Outcome.NO_PENALTY)
    return services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")


def _earlier_decided(world, party, days_ago):
    """An earlier established violation of the same item by the party (decided, not revoked)."""
    earlier = lead(world, party=party, code=ITEM, days_ago=days_ago)
    Case.objects.filter(pk=earlier.pk).update(outcome=Case.Outcome.PENALTY, decision_number="豫R召交罚〔2026〕0007号",
                                              decided_on=timezone.localdate() - timedelta(days=days_ago - 1))
    return earlier


def _apply(world, case, **kw):
    values = dict(list_kind="first_violation", harm="none", corrected_on=timezone.localdate(), correction="当场加盖篷布并重新捆扎")
    values.update(kw)
    return leniency.case_list_apply(actor=world.users["officer"], case=case, **values)


def test_art33_first_violation_needs_no_earlier_violation_in_lookback(world, shipped_catalogue):
    party = company(world)
    _earlier_decided(world, party, days_ago=200)
    case = _reviewed_no_penalty(world, party)
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        _apply(world, case)
    assert exc.value.code == "not_first_violation" and "豫R召交罚〔2026〕0007号" in exc.value.message and "第三十三条" in exc.value.message
    assert not ListApplication.objects.filter(case=case).exists() and Event.objects.count() == n


def test_art33_violation_before_lookback_does_not_count(world, shipped_catalogue):
    party = company(world)
    _earlier_decided(world, party, days_ago=400)  # the shipped look-back is 12 months
    case = _reviewed_no_penalty(world, party)
    application = _apply(world, case)
    assert application.earlier_cases == [] and application.lookback_months == 12
    assert application.lookback_from == date(case.occurred_on.year - 1, case.occurred_on.month, case.occurred_on.day)


def test_art33_first_violation_needs_correction_and_minor_harm(world, shipped_catalogue):
    case = _reviewed_no_penalty(world, person(world))
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        _apply(world, case, corrected_on=None, correction="")
    assert exc.value.code == "correction_required"
    with pytest.raises(DomainError) as exc:
        _apply(world, case, harm="")
    assert exc.value.code == "harm_condition"
    assert Event.objects.count() == n and not ListApplication.objects.exists()


def test_art33_list_not_applicable_to_item_off_the_list(world, shipped_catalogue):
    case = opened(world, code="YS-008")
    with pytest.raises(DomainError) as exc:
        _apply(world, case)
    assert exc.value.code == "not_on_list"


def test_art33_first_violation_no_penalty_end_to_end_with_signed_commitment(world, shipped_catalogue, django_capture_on_commit_callbacks,
                                                                           settings, tmp_path):
    settings.EVIDENCE_ROOT = str(tmp_path)
    party = company(world, name="南阳宏达物流有限公司")
    case = _reviewed_no_penalty(world, party)
    basis = "《中华人民共和国行政处罚法》第三十三条第一款"
    n = Event.objects.count()
    with pytest.raises(DomainError) as exc:
        services.case_no_penalty(actor=world.users["head"], case=case, reason=Case.NoPenaltyReason.FIRST, reasoning="已教育", legal_basis=basis)
    assert exc.value.code == "list_not_applied"
    assert Case.objects.get(pk=case.pk).status == Status.REVIEWED and Event.objects.count() == n

    with django_capture_on_commit_callbacks(execute=True):
        application = _apply(world, case)
    assert application.commitment_required and case.documents.filter(kind="commitment_letter").exists()
    with pytest.raises(DomainError) as exc:
        services.case_no_penalty(actor=world.users["head"], case=case, reason=Case.NoPenaltyReason.FIRST, reasoning="已教育", legal_basis=basis)
    assert exc.value.code == "commitment_not_signed"

    leniency.case_commitment_sign(actor=world.users["officer"], case=case)
    case.refresh_from_db()
    case = services.case_no_penalty(actor=world.users["head"], case=case, reason=Case.NoPenaltyReason.FIRST,
                                    reasoning="已对当事人进行教育。", legal_basis=basis)
    assert case.status == Status.DECIDED
    text = _text(case, "no_penalty_decision")
    since = application.lookback_from
    assert f"经核查，当事人自{_cn(since)}至本次违法行为发生时无同一违法行为记录，系首次违法" in text
    assert f"已于{_cn(timezone.localdate())}改正（当场加盖篷布并重新捆扎）" in text
    assert "符合首次违法行为不予处罚清单（首次发现，未造成货物脱落、扬撒后果，当场整改的）" in text
    assert f"当事人已于{_cn(timezone.localdate())}签署告知承诺书" in text


def _golden(case):
    ctx = document_context(case, "commitment_letter")
    return "\n".join(ctx["paragraphs"])


def test_commitment_letter_golden_organisation(world, shipped_catalogue):
    case = _reviewed_no_penalty(world, company(world, name="南阳宏达物流有限公司"))
    application = _apply(world, case)
    since, today = application.lookback_from, timezone.localdate()
    assert _golden(case) == (
        "南阳宏达物流有限公司：\n"
        "经查，你单位实施了“货运经营者没有采取必要措施防止货物脱落、扬撒”（事项编码YS-011）的违法行为。"
        f"经核查，当事人自{_cn(since)}至本次违法行为发生时无同一违法行为记录，系首次违法，没有造成危害后果，"
        f"已于{_cn(today)}改正（当场加盖篷布并重新捆扎），符合首次违法行为不予处罚清单（首次发现，未造成货物脱落、扬撒后果，当场整改的）。\n"
        "依据《中华人民共和国行政处罚法》第三十三条第一款、第三款和本省首违不罚清单，"
        "南召县交通运输综合行政执法大队决定对你单位不予行政处罚，并依法对你单位进行教育。\n"
        "本单位承诺：已知悉上述违法事实和相关法律规定，已经改正违法行为；今后严格遵守交通运输法律、法规和规章，不再实施同类违法行为。"
        "如再次实施同类违法行为，愿意依法承担相应法律责任，本次首次违法情节不再作为不予处罚的理由。")
    text = _text(case, "commitment_letter")
    assert "承诺单位（盖章）及法定代表人（签名）" in text and "你（单位）" not in text


def test_commitment_letter_golden_person(world, shipped_catalogue):
    case = _reviewed_no_penalty(world, person(world, name="赵六"))
    _apply(world, case)
    letter = _golden(case)
    assert letter.startswith("赵六：\n经查，你实施了“货运经营者没有采取必要措施防止货物脱落、扬撒”")
    assert "决定对你不予行政处罚，并依法对你进行教育。\n本人承诺：" in letter and "你（单位）" not in letter and "本单位" not in letter
    assert "承诺人（签名）" in _text(case, "commitment_letter")


def test_art32_lenient_list_recorded_and_stated_in_decision(world, shipped_catalogue):
    """从轻 list (YS-007): the list and the facts are recorded and the decision's reasoning states them."""
    case = opened(world, party=company(world), code="YS-007")
    application = _apply(world, case, list_kind="lenient", harm="minor", corrected_on=None, correction="")
    assert application.list_kind == "lenient" and not application.commitment_required
    case = services.case_report(actor=world.users["officer"], case=case, report_text="报告", proposed_outcome=Case.Outcome.PENALTY,
                                proposed_amount=Decimal("1670"), deviation_reason="符合从轻处罚清单")
    case = services.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    services.case_legal_review(actor=world.users["reviewer"], case=case, opinion="agree", text="同意")
    case.refresh_from_db()
    case = services.case_notify(actor=world.users["officer"], case=case, penalty_kind="fine", amount=Decimal("1670"))
    case = services.case_waive(actor=world.users["officer"], case=case)
    case = services.case_decide(actor=world.users["head"], case=case, penalty_kind="fine", amount=Decimal("1670"), lenient=True,
                                legal_basis=case.violation_item.penalty_basis, reasoning="违法事实清楚。", deviation_reason="符合从轻处罚清单")
    text = _text(case, "penalty_decision")
    assert "危害后果轻微，符合从轻处罚清单" in text and "建议罚款2,000.00元" in text and "决定罚款1,670.00元，理由是：符合从轻处罚清单" in text
