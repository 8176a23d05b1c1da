"""互联网+监管 (事中事后监管平台), target ``regulation``: the 监管行为 the bureau performs — each 双随机
inspection recorded and its follow-up (行政检查, with the random-inspection result), each penalty decided
(行政处罚) — reported as they happen. The national 互联网+监管 监管行为 data standard names the fields; its
text is distributed to the provincial platforms, not published, so the message is ours
(``zhifa-regulation/1``) with the mapping table in docs/integrations/internet-regulation.md."""

import hashlib
from datetime import date

from django.apps import apps

from .models import Message

FORMAT = "zhifa-regulation/1"
KINDS = {
    "inspection_result": "双随机检查结果",
    "inspection_follow_up": "双随机检查回访结果",
    "penalty_decided": "行政处罚监管行为",
    "penalty_revoked": "撤回行政处罚监管行为",
}
# 监管行为类型 (ours; the integrator maps them to the platform's codes).
BEHAVIOUR = {"inspection": ("01", "行政检查"), "penalty": ("02", "行政处罚")}
# 检查结果 of a 双随机 inspection (ours; the 事中事后监管平台's own codes go in the mapping table).
FINDING = {"pass": ("1", "未发现问题"), "rectify": ("2", "发现问题，责令整改"),
           "case": ("3", "发现问题，移送立案查处")}
# Case acts reported to the platform as a 行政处罚 监管行为 (a decision with a penalty), and the act that
# withdraws it (行政处罚法 Art. 48 ¶2: a published decision that is revoked is withdrawn).
PENALTY_ACTS = {"decide", "simplified"}
REVOKE_ACT = "revoke"


def _day(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def _agency(org) -> dict:
    return {"code": org.code, "name": org.name, "credit_code": org.credit_code,
            "region_code": org.region_code}


def _subject(party) -> dict:
    """监管对象: the firm or person; ``identifier`` is the 统一社会信用代码, else the id number."""
    return {"kind": party.kind, "name": party.name, "credit_code": party.credit_code,
            "id_type": party.id_type, "id_number": party.id_number,
            "identifier": party.credit_code or party.id_number, "address": party.address}


def inspection_payload(inspection, kind: str) -> dict:
    plan, draw = inspection.plan, inspection.draw
    org = inspection.organisation
    checks = [{"item_code": c.item.code, "item_name": c.item.name, "compliant": c.compliant, "note": c.note}
              for c in inspection.checks.select_related("item").order_by("item__code")]
    finding = FINDING.get(inspection.finding, ("", ""))
    code, label = BEHAVIOUR["inspection"]
    return {
        "format": FORMAT,
        "record_id": f"{org.code}-INS-{inspection.pk}",
        "kind": kind,
        "behaviour": {"type": code, "type_name": label,
                      "date": _day(inspection.follow_up_on if kind == "inspection_follow_up"
                                   else inspection.inspected_on)},
        "items": [{"code": i.code, "name": i.name, "legal_basis": i.legal_basis}
                  for i in plan.items.all().order_by("code")],
        "agency": _agency(org),
        "subject": _subject(inspection.party),
        "officers": sorted(o.cert_number for o in inspection.inspectors.all()),
        "random_check": {
            "plan_number": plan.number, "plan_title": plan.title, "joint_departments": plan.joint_departments,
            "draw_sequence": draw.sequence, "draw_algorithm": draw.algorithm, "seed_sha256": draw.seed_sha256,
        },
        "result": {
            "finding": finding[0], "finding_name": finding[1], "problems": inspection.problems,
            "checks": checks, "notice_number": inspection.notice_number,
            "rectify_deadline": _day(inspection.rectify_deadline),
            "follow_up_on": _day(inspection.follow_up_on), "follow_up_result": inspection.follow_up_result,
            "closed_on": _day(inspection.closed_on), "status": inspection.status,
        },
    }


def _penalty_behaviour(case, kind: str, on) -> dict:
    """What a penalty 监管行为 and its withdrawal share: the record id (the same for both), the behaviour, the
    agency and the subject."""
    org = case.organisation
    code, label = BEHAVIOUR["penalty"]
    return {"format": FORMAT, "record_id": f"{org.code}-{case.number}", "kind": kind,
            "behaviour": {"type": code, "type_name": label, "date": _day(on)},
            "agency": _agency(org), "subject": _subject(case.party)}


def penalty_payload(case) -> dict:
    item = case.violation_item
    return {
        **_penalty_behaviour(case, "penalty_decided", case.decided_on),
        "items": [{"code": getattr(item, "code", ""), "name": getattr(item, "name", ""),
                   "legal_basis": case.legal_basis}],
        "officers": sorted(o.cert_number for o in case.officers.all()),
        "penalty": {
            "case_number": case.number, "procedure": case.procedure, "decision_number": case.decision_number,
            "decided_on": _day(case.decided_on), "penalty_kind": case.penalty_kind,
            "fine_amount_yuan": None if case.fine_amount is None else f"{case.fine_amount:.2f}",
            "legal_basis": case.legal_basis,
        },
    }


def revocation_payload(case) -> dict:
    """The withdrawal of a penalty 监管行为 reported before: the decision it withdraws (by its number) and
    why."""
    return {
        **_penalty_behaviour(case, "penalty_revoked", case.revoked_on),
        "revocation": {
            "case_number": case.number, "decision_number": case.decision_number,
            "decided_on": _day(case.decided_on), "revoked_on": _day(case.revoked_on),
            "reason": case.revocation_reason,
        },
    }


def inspection_key(kind: str, inspection) -> str:
    return f"regulation:{kind}:inspection:{inspection.pk}"


def penalty_key(case, kind: str = "penalty_decided") -> str:
    """One decision, one key: the decision number is part of it, so a new decision after a revocation is a
    message of its own, not a duplicate of the revoked one. As a digest (16 hex digits of its SHA-256): the
    key travels in an HTTP header, which carries no Chinese (豫R召交罚〔2026〕…)."""
    digest = hashlib.sha256((case.decision_number or "").encode()).hexdigest()[:16]
    return f"regulation:{kind}:case:{case.pk}:{digest}"


def penalty_reported(case) -> bool:
    """A penalty 监管行为 of this case (this decision) is in the outbox: only what was reported is
    withdrawn."""
    return Message.objects.filter(
        target="regulation", kind="penalty_decided", subject_type="cases.case", subject_id=str(case.pk),
        payload__penalty__decision_number=case.decision_number).exists()


def rebuild(message: Message) -> dict | None:
    if message.kind in ("penalty_decided", "penalty_revoked"):
        case = apps.get_model("cases", "Case").objects.filter(pk=message.subject_id).first()
        if case is None:
            return None
        return penalty_payload(case) if message.kind == "penalty_decided" else revocation_payload(case)
    inspection = apps.get_model("inspections", "Inspection").objects.filter(pk=message.subject_id).first()
    return None if inspection is None else inspection_payload(inspection, message.kind)


def expected(day: date) -> list[tuple[str, str, str]]:
    Inspection = apps.get_model("inspections", "Inspection")
    Case = apps.get_model("cases", "Case")
    rows = [("inspections.inspection", str(pk), "inspection_result")
            for pk in Inspection.objects.filter(inspected_on=day).values_list("pk", flat=True)]
    rows += [("inspections.inspection", str(pk), "inspection_follow_up")
             for pk in Inspection.objects.filter(follow_up_on=day).values_list("pk", flat=True)]
    rows += [("cases.case", str(pk), "penalty_decided")
             for pk in Case.objects.filter(decided_on=day, outcome="penalty").values_list("pk", flat=True)]
    rows += [("cases.case", str(pk), "penalty_revoked")
             for pk in Case.objects.filter(revoked_on=day, outcome="penalty").values_list("pk", flat=True)]
    return rows
