"""The four lists on a case (四张清单; 行政处罚法 Art. 32, 33): which list the outcome relies on, the facts that meet
the list's conditions as checked from the data, and the party's 告知承诺书 where the list asks for one.

- 首违不罚 (first_violation, Art. 33 ¶1 second sentence): the item is on the list; no earlier violation of the
  same item by the party within the entry's look-back period (computed from the cases, not asserted); harm
  none or minor; corrected, with the date; the signed commitment when the entry requires it.
- 轻微不罚 (minor_no_penalty, Art. 33 ¶1 first sentence): minor, promptly corrected (with the date), no harm.
- 从轻 / 减轻 (lenient / mitigated, Art. 32 and the lists): the entry and the facts are recorded and stated in
  the decision's reasoning.

A no-penalty decision for a first or a minor violation (``case_no_penalty``) is refused until its list
application holds.
"""

from calendar import monthrange
from datetime import date

from django.db import transaction
from django.utils import timezone

from zhifa.core.errors import DomainError
from zhifa.discretion import engine as discretion_engine
from zhifa.discretion.models import ListEntry, ListKind

from .models import Case, ListApplication

LAW = "《中华人民共和国行政处罚法》"
# Art. 33 ¶1 first sentence applies by law even where the item is not on a published list.
ART33_1 = f"{LAW}第三十三条第一款"
NO_PENALTY_LISTS = {Case.NoPenaltyReason.FIRST: ListKind.FIRST_VIOLATION, Case.NoPenaltyReason.TRIVIAL: ListKind.MINOR_NO_PENALTY}
CASE_LISTS = (ListKind.FIRST_VIOLATION, ListKind.MINOR_NO_PENALTY, ListKind.LENIENT, ListKind.MITIGATED)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def _entry(case: Case, list_kind: str) -> ListEntry | None:
    """The list entry for the case's item in the benchmark edition in force on the violation date."""
    edition = discretion_engine.edition_in_force(case.occurred_on)
    if edition is None or not case.violation_item_id:
        return None
    return ListEntry.objects.filter(edition=edition, kind=list_kind, item_id=case.violation_item_id).select_related("edition").first()


def earlier_violations(case: Case, since: date) -> list[dict]:
    """The party's established violations of the same item that occurred from ``since`` up to this violation
    (any jurisdiction: a first violation is first everywhere). A revoked decision or facts found not
    established are no earlier violation; an earlier 首违不罚 is one."""
    if not case.violation_code:
        return []
    qs = (Case.objects.filter(party=case.party, violation_code=case.violation_code, occurred_at__lt=case.occurred_at,
                              outcome__in=[Case.Outcome.PENALTY, Case.Outcome.NO_PENALTY], revoked_on__isnull=True)
          .exclude(pk=case.pk).exclude(no_penalty_reason__in=[Case.NoPenaltyReason.FACTS, Case.NoPenaltyReason.NO_FAULT])
          .order_by("occurred_at"))
    found = []
    for other in qs.only("number", "decision_number", "occurred_at", "outcome"):
        if other.occurred_on >= since:
            found.append({"number": other.number, "decision_number": other.decision_number,
                          "occurred_on": other.occurred_on.isoformat(), "outcome": other.get_outcome_display()})
    return found


def case_list_apply(*, actor, case: Case, list_kind: str, harm: str = "", corrected_on: date | None = None,
                    correction: str = "") -> ListApplication:
    """Record that the case's outcome relies on one of the four lists, with the facts checked against the
    list's conditions. Re-recording before the decision replaces the earlier record."""
    from .services import common

    common.check("list_apply", case, actor)
    if list_kind not in CASE_LISTS:
        raise DomainError("invalid_list", "请选择首次违法不予处罚、轻微违法不予处罚、从轻处罚或者减轻处罚清单。")
    label = ListKind(list_kind).label
    entry = _entry(case, list_kind)
    if entry is None and list_kind != ListKind.MINOR_NO_PENALTY:
        raise DomainError("not_on_list", f"本案违法行为{('“' + case.violation_name + '”') if case.violation_name else ''}"
                          f"未列入违法行为发生时施行的裁量基准的{label}，不能适用该清单。")
    today = timezone.localdate()
    correction = correction.strip()
    if corrected_on is not None and (corrected_on < case.occurred_on or corrected_on > today):
        raise DomainError("invalid_date", "改正日期应在违法行为发生之后且不晚于今天。")
    if harm and harm not in ListApplication.Harm.values:
        raise DomainError("invalid_harm", "危害后果应为“没有造成危害后果”或“危害后果轻微”。")
    corrected = corrected_on is not None and bool(correction)
    earlier: list[dict] = []
    since = None
    if list_kind in (ListKind.FIRST_VIOLATION, ListKind.MINOR_NO_PENALTY):
        # Art. 33 ¶1: both no-penalty grounds require the violation to have been (promptly) corrected.
        if not corrected:
            raise DomainError("correction_required", f"适用{label}须记录当事人改正的情况和改正日期（行政处罚法第三十三条第一款）。")
        allowed = ("none",) if list_kind == ListKind.MINOR_NO_PENALTY else ("none", "minor")
        if harm not in allowed:
            need = "没有造成危害后果" if list_kind == ListKind.MINOR_NO_PENALTY else "危害后果轻微"
            raise DomainError("harm_condition", f"适用{label}须{need}（行政处罚法第三十三条第一款）。")
    if list_kind == ListKind.FIRST_VIOLATION:
        since = _months_before(case.occurred_on, entry.lookback_months)
        earlier = earlier_violations(case, since)
        if earlier:
            numbers = "、".join(x["decision_number"] or x["number"] for x in earlier)
            raise DomainError("not_first_violation", f"当事人自{_cn(since)}以来已有同一违法行为记录（{numbers}），"
                              f"不属于首次违法，不能适用{label}（行政处罚法第三十三条第一款）。")
    values = {
        "list_kind": list_kind, "edition_code": entry.edition.code if entry else "",
        "entry_conditions": entry.conditions if entry else "违法行为轻微并及时改正，没有造成危害后果",
        "entry_basis": entry.basis if entry else ART33_1, "lookback_months": entry.lookback_months if since else None,
        "lookback_from": since, "earlier_cases": earlier, "harm": harm, "corrected": corrected, "corrected_on": corrected_on,
        "correction": correction, "commitment_required": bool(entry and entry.commitment_required),
        "commitment_signed_on": None, "commitment_file": None, "recorded_by": actor,
    }
    with transaction.atomic():
        application, _created = ListApplication.objects.update_or_create(case=case, defaults=values)
        common.move(case, "list_apply", actor, target=case.status, summary=f"适用{label}：{facts_sentence(application)}")
        if application.commitment_required:
            common.issue_document(actor=actor, case=case, kind="commitment_letter")
    return application


def case_commitment_sign(*, actor, case: Case, signed_on: date | None = None, fileobj=None, name: str = "",
                         content_type: str = "") -> ListApplication:
    """The party has signed the 告知承诺书 generated for the case; a scan of the signed letter may be stored."""
    from zhifa.core.evidence import evidence_store

    from .services import common

    common.check("commitment_sign", case, actor)
    application = ListApplication.objects.filter(case=case).first()
    if application is None or not application.commitment_required:
        raise DomainError("no_commitment", "本案适用的清单不要求签署告知承诺书。")
    signed_on = signed_on or timezone.localdate()
    if signed_on > timezone.localdate() or signed_on < timezone.localtime(application.recorded_at).date():
        raise DomainError("invalid_date", "签署日期应在告知承诺书制作之后且不晚于今天。")
    with transaction.atomic():
        ef = None
        if fileobj is not None:
            ef = evidence_store(actor=actor, organisation=case.organisation, fileobj=fileobj, name=name or "告知承诺书（签署件）",
                                content_type=content_type, subject=case)
        ListApplication.objects.filter(pk=application.pk).update(commitment_signed_on=signed_on, commitment_file=ef)
        common.move(case, "commitment_sign", actor, target=case.status,
                       summary=f"当事人于{_cn(signed_on)}签署告知承诺书" + (f"（签署件 SHA-256 {ef.sha256[:16]}…）" if ef else ""))
    application.refresh_from_db()
    return application


def assert_no_penalty_conditions(case: Case, reason: str) -> None:
    """A 首违不罚 / 轻微不罚 decision needs its list application, and the signed commitment where required."""
    wanted = NO_PENALTY_LISTS.get(reason)
    if wanted is None:
        return
    application = ListApplication.objects.filter(case=case).first()
    label = ListKind(wanted).label
    if application is None or application.list_kind != wanted:
        raise DomainError("list_not_applied", f"以“{Case.NoPenaltyReason(reason).label}”不予处罚的，须先记录适用{label}的事实"
                          "（首次违法的核查、危害后果、改正情况和改正日期）。")
    if application.commitment_required and not application.commitment_signed_on:
        raise DomainError("commitment_not_signed", f"{label}要求当事人签署告知承诺书，当事人签署前不得作出不予处罚决定。")


def facts_sentence(application: ListApplication) -> str:
    """The facts that meet the list's conditions, as the decision states them."""
    parts = []
    if application.lookback_from:
        parts.append(f"经核查，当事人自{_cn(application.lookback_from)}至本次违法行为发生时无同一违法行为记录，系首次违法")
    if application.harm:
        parts.append(application.get_harm_display())
    if application.corrected_on:
        parts.append(f"已于{_cn(application.corrected_on)}改正（{application.correction.rstrip('。')}）")
    text = "，".join(parts)
    conditions = f"符合{application.get_list_kind_display()}" + (f"（{application.entry_conditions}）" if application.entry_conditions else "")
    return f"{text}，{conditions}" if text else conditions


def reasoning_sentence(case: Case) -> str:
    """The sentence the decision's reasoning carries for the list applied, or ""."""
    application = ListApplication.objects.filter(case=case).first()
    if application is None:
        return ""
    signed = (f"当事人已于{_cn(application.commitment_signed_on)}签署告知承诺书" if application.commitment_signed_on else "")
    text = f"{facts_sentence(application)}，依据{application.entry_basis}"
    return text + (f"；{signed}" if signed else "") + "。"


def commitment_context(case: Case) -> dict:
    """The fields of the 告知承诺书 generated for the case (documents kind ``commitment_letter``)."""
    from zhifa.core.models import Party
    from zhifa.discretion.commitment import COMMITMENT_TITLE, commitment_paragraphs

    application = ListApplication.objects.get(case=case)
    you = "你" if case.party.kind == Party.Kind.PERSON else "你单位"
    item = f"“{case.violation_name}”" + (f"（事项编码{case.violation_code}）" if case.violation_code else "")
    body = case.organisation.enforcement_body() if hasattr(case.organisation, "enforcement_body") else case.organisation
    # Art. 33 ¶1 (the ground) and ¶3 (education); the list's own basis without repeating the article.
    others = [p.strip() for p in application.entry_basis.split("；") if p.strip() and "行政处罚法》第三十三条" not in p]
    articles = f"{LAW}第三十三条第一款、第三款" + (f"和{'、'.join(others)}" if others else "")
    paragraphs = commitment_paragraphs(party=case.party.name, you=you, item=item, findings=facts_sentence(application) + "。",
                                       articles=articles, authority=body.name)
    return {"letter_title": COMMITMENT_TITLE, "paragraphs": paragraphs, "list_label": application.get_list_kind_display(),
            "party_sign_label": "承诺人（签名）" if you == "你" else "承诺单位（盖章）及法定代表人（签名）"}
