"""Where decisions to publish come from. Each source yields :class:`DecisionRecord` rows in one shape, so
publication, de-identification and the 双公示 export do not care which app made the decision.

Sources: permit decisions (``permits.PermitApplication``) and penalty decisions (``cases.Case``)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from zhifa.cases import penalties as cases_penalties
from zhifa.cases.models import Case

PERMIT_TYPE = "permits.permitapplication"
CASE_TYPE = "cases.case"


@dataclass
class DecisionRecord:
    """A decision as the publication register and the credit platform need it (raw, not yet de-identified)."""

    subject_type: str
    subject_id: str
    kind: str  # PublicationRule.Kind
    organisation: object
    decided_on: date
    decision_number: str
    title: str
    party_name: str
    party_kind: str  # core.Party.Kind
    party_id_number: str = ""
    party_credit_code: str = ""
    legal_representative: str = ""
    party_phone: str = ""
    party_address: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)
    changed_on: date | None = None
    change_reason: str = ""
    credit: dict = field(default_factory=dict)
    party: object = None
    party_id_type: str = "id_card"
    legal_rep_id_type: str = "id_card"
    legal_rep_id_number: str = ""
    # Penalties: the 处罚类别 of every kind the decision imposes (行政处罚法 Art. 9), amounts, the penalty's own term
    categories: list[str] = field(default_factory=list)
    fine: Decimal | None = None
    confiscated: Decimal | None = None
    licence: str = ""
    penalty_until: date | None = None
    term_problem: str = ""  # a term on the decision that cannot be turned into 处罚有效期
    performed_on: date | None = None

    @property
    def is_person(self) -> bool:
        return self.party_kind == "person"

    @property
    def is_individual_business(self) -> bool:
        from zhifa.core.identifiers import is_individual_business

        return not self.is_person and is_individual_business(self.party_credit_code)


def _party_fields(party) -> dict:
    return {"party_name": party.name, "party_kind": party.kind, "party_id_number": party.id_number or "",
            "party_credit_code": party.credit_code or "", "legal_representative": party.legal_representative or "",
            "party_phone": party.phone or "", "party_address": party.address or "", "party": party,
            "party_id_type": getattr(party, "id_type", "") or "id_card",
            "legal_rep_id_type": getattr(party, "legal_rep_id_type", "") or "id_card",
            "legal_rep_id_number": getattr(party, "legal_rep_id_number", "") or ""}


def penalty_category(kind: str) -> str:
    """处罚类别 of a penalty kind, as the cases app names the kinds of 行政处罚法 Art. 9."""
    return str(cases_penalties.penalty_category(kind))


def case_penalty_kinds(case) -> list[str]:
    """The kinds a decision imposes: a list where the cases app keeps several (``penalty_kinds``), else the one."""
    kinds = getattr(case, "penalty_kinds", None)
    if callable(kinds):
        kinds = kinds()
    if kinds is not None and not isinstance(kinds, str):
        kinds = [getattr(k, "kind", k) for k in (kinds.all() if hasattr(kinds, "all") else kinds)]
        if kinds:
            return [str(k) for k in kinds]
    return [case.penalty_kind] if case.penalty_kind else []


def permit_records(ids: list[str] | None = None) -> Iterator[DecisionRecord]:
    """Granted permits (and those later revoked): what 双公示 publishes of 行政许可."""
    from zhifa.permits.models import PermitApplication

    S = PermitApplication.Status
    qs = PermitApplication.objects.select_related("organisation", "item", "applicant").filter(status__in=[S.APPROVED, S.REVOKED])
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    for app in qs.iterator(chunk_size=500):
        body = app.organisation.enforcement_body()
        yield DecisionRecord(
            subject_type=PERMIT_TYPE, subject_id=str(app.pk), kind="permit", organisation=app.organisation,
            decided_on=app.decided_on, decision_number=app.decision_number, title=f"{app.item.name}决定（{app.decision_number}）",
            **_party_fields(app.applicant),
            sections=[("许可事项", app.item.name), ("许可内容", app.content or app.item.name), ("设定依据", app.item.basis),
                      ("许可证书编号", app.certificate_number),
                      ("有效期", f"{app.valid_from or ''} 至 {app.valid_until or '长期'}"), ("许可机关", body.name)],
            changed_on=app.revoked_on, change_reason=app.reason if app.revoked_on else "",
            credit={"许可类别": app.item.category, "许可证书名称": app.item.certificate_name, "许可编号": app.certificate_number,
                    "许可内容": app.content or app.item.name, "有效期自": app.valid_from, "有效期至": app.valid_until,
                    "许可机关": body.name, "许可机关统一社会信用代码": body.credit_code,
                    "行政许可决定文书名称": f"{app.item.name}决定书"},
        )


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_TERM = re.compile(r"^\s*([0-9]+|[零〇一二两三四五六七八九十]+)\s*(个月|月|年|日|天|周|星期)\s*$")
# Penalty kinds whose effect lasts for a term written on the decision (暂扣许可证件 三个月; 限制开展生产经营活动 六个月).
TERM_KINDS = ("licence_suspension", "restrict_operation", "order_stop", "restrict_practice")


def _number(text: str) -> int | None:
    """Arabic or Chinese numerals up to 99 (三, 十二, 二十, 三十五)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_DIGITS.get(tens, -100) if tens else 1) * 10 + (_DIGITS.get(ones, -100) if ones else 0)
        return value if value > 0 else None
    return _DIGITS.get(text) if len(text) == 1 else None


def term_end(start: date, term: str) -> date | None:
    """The last day of a penalty term counted from ``start`` (三个月 from 2026-03-10 ends on 2026-06-10: 民法典 Arts.
    201–203, ADR 0004), or None when the term is not written as a number of days, weeks, months or years."""
    from zhifa.credit.services import add_months

    match = _TERM.match(term or "")
    n = _number(match.group(1)) if match else None
    if not n:
        return None
    unit = match.group(2)
    if unit in ("个月", "月"):
        return add_months(start, n)
    if unit == "年":
        return add_months(start, 12 * n)
    return start + timedelta(days=n * (7 if unit in ("周", "星期") else 1))


def penalty_until(case) -> tuple[date | None, str]:
    """双公示 处罚有效期 of a decided case: the end of the longest term among its decided lines with a term (暂扣许可证件,
    限制开展生产经营活动, 责令停产停业, 限制从业), the field set's 长期 (None here) when no line has a term; with a
    problem text when a term cannot be read (the row then stays pending rather than publish a wrong date)."""
    ends, unreadable = [], []
    for line in case.decided_lines:
        if line.kind in TERM_KINDS and line.term:
            end = term_end(case.decided_on, line.term)
            (ends.append(end) if end else unreadable.append(f"{line.get_kind_display()}期限“{line.term}”"))
    if unreadable:
        return None, f"{'、'.join(unreadable)}无法换算为处罚有效期，请按“三个月”“30日”等写明期限"
    return (max(ends) if ends else None), ""


def penalty_content(case) -> str:
    """处罚内容 in words, as the decision states it (every penalty line: 没收违法所得…；罚款…; 吊销…)."""
    if hasattr(case, "penalty_lines"):
        return cases_penalties.case_penalty_content(case)
    if case.penalty_kind == "fine" and case.fine_amount is not None:
        return f"罚款人民币{case.fine_amount}元"
    return case.get_penalty_kind_display() if case.penalty_kind else ""


def case_records(ids: list[str] | None = None) -> Iterator[DecisionRecord]:
    """Decided penalty cases of ``cases.Case`` (outcome 给予行政处罚, with a decision number and date). A
    revoked decision carries ``revoked_on``, which withdraws its publication (行政处罚法 Art. 48)."""
    qs = (Case.objects.filter(decided_on__isnull=False, outcome="penalty").exclude(decision_number="")
          .select_related("organisation", "party", "violation_item"))
    if any(f.name == "penalty_lines" for f in Case._meta.get_fields()):
        qs = qs.prefetch_related("penalty_lines")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    for case in qs.iterator(chunk_size=500):
        body = case.organisation.enforcement_body()
        violation = case.violation_name or (case.violation_item.name if case.violation_item_id else "")
        content = penalty_content(case)
        kinds = case_penalty_kinds(case)
        fine = Decimal(case.fine_amount) if case.fine_amount is not None and "fine" in kinds else None
        # 没收金额, 暂扣/吊销证照 and 处罚有效期 from the decided penalty lines (行政处罚法 Art. 9 kinds).
        confiscated = case.confiscated_amount
        until, term_problem = penalty_until(case)
        yield DecisionRecord(
            categories=[penalty_category(k) for k in kinds], fine=fine,
            confiscated=Decimal(confiscated) if confiscated is not None else None,
            licence=case.licence_affected, penalty_until=until, term_problem=term_problem,
            performed_on=case.paid_on or case.executed_on,
            subject_type=CASE_TYPE, subject_id=str(case.pk), kind="penalty", organisation=case.organisation,
            decided_on=case.decided_on, decision_number=case.decision_number,
            title=f"行政处罚决定书（{case.decision_number}）", **_party_fields(case.party),
            sections=[("违法行为类型", violation), ("违法事实", case.facts), ("处罚依据", case.legal_basis), ("处罚内容", content),
                      ("处罚机关", body.name)],
            changed_on=case.revoked_on, change_reason=case.revocation_reason or "",
            credit={"违法行为类型": violation, "违法事实": case.facts, "处罚依据": case.legal_basis,
                    "处罚内容": content, "处罚机关": body.name, "处罚机关统一社会信用代码": body.credit_code},
        )


SOURCES = {PERMIT_TYPE: permit_records, CASE_TYPE: case_records}


def all_records() -> Iterator[DecisionRecord]:
    for source in SOURCES.values():
        yield from source()


def record_for(subject_type: str, subject_id: str) -> DecisionRecord | None:
    source = SOURCES.get(subject_type)
    if source is None:
        return None
    return next(iter(source([subject_id])), None)
