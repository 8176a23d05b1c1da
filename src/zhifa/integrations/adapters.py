"""One adapter per target: which acts make a message, the message's format (see docs/integrations/<target>.md),
the receiver's path, the rebuild of a payload from the record for a resend, and what the daily reconciliation
expects to have been reported. Formats are ours where the provincial format is not public (the docs say so and
give the mapping table an integrator fills in)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps

from . import provincial, regulation
from .models import Message, Target

KIND_LABELS = {
    "case_decided": "案件决定", "case_closed": "案件办结", "case_revoked": "处罚决定撤销", "case_corrected": "决定书补正",
    "publication": "公示", "withdrawal": "撤回公示",
    "work_order_reply": "工单答复", "warning_reply": "预警处置反馈",
    "four_penalty": "一超四罚结果",
    **regulation.KINDS,
    "code_request": "申请缴款码", "payment": "缴款对账", "email": "电子邮件", "sms": "短信",
}

# The acts of the case workflow that the supervision platform is told of (docs/integrations/supervision.md).
CASE_KINDS = {"decide": "case_decided", "simplified": "case_decided", "no_penalty": "case_decided", "close": "case_closed", "revoke": "case_revoked"}
# Portal statuses that end a publication: each one is a withdrawal message of its own (双公示 撤回).
WITHDRAWAL_REASONS = {"withdrawn": "01", "expired": "02", "repaired": "03"}


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _day(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


@dataclass(frozen=True)
class Defer:
    """Not ready to send yet (a document still being made): the claim is given back, no try is counted, the next
    one falls due after ``seconds``."""

    reason: str
    seconds: int = 15


@dataclass(frozen=True)
class Adapter(ABC):
    target: str
    base_path: str
    # A local transport (e-mail, the SMS gateway) is sent by ``send`` in the worker's own thread instead of an HTTP
    # POST, and is always "configured"; its messages are recorded by their own rows (notifications.Delivery), not by
    # a full-process event per enqueue and acknowledgement.
    local: bool = False
    audited: bool = True

    def on_acknowledged(self, messages: list[Message]) -> None:
        """Called in the transaction that records the acknowledgements (database work only), for each
        message in a savepoint of its own: an exception rolls back this message's follow-up alone and is
        recorded (``follow_up_failed``); the message stays acknowledged. Default: no follow-up."""
        return None

    def follow_up_failed(self, message: Message, reason: str) -> str:
        """The full-process record's words when ``on_acknowledged`` failed for ``message``."""
        from .outbox import kind_label

        received = f"{kind_label(message.kind)}（{message.receiver_reference or '无编号'}）"
        return f"{Target(message.target).label}已确认接收{received}，但后续处理未能完成：{reason}"

    def outgoing(self, messages: list[Message], now) -> dict[int, "dict | Defer"]:
        """The bodies to send for a claimed batch, where they differ from the stored payload (files attached at
        delivery), or a ``Defer`` for a message not ready to go; called in the drain's own thread, outside any
        transaction. Default: nothing to add."""
        return {}

    def path(self, kind: str) -> str:
        return f"{self.base_path}/{kind.replace('_', '-')}"

    @abstractmethod
    def rebuild(self, message: Message) -> dict | None:
        """The message's payload built again from its record (a manual resend after the record was corrected)."""

    @abstractmethod
    def expected(self, day: date) -> list[tuple[str, str, str]]:
        """(subject_type, subject_id, kind) of every record whose reportable act fell on ``day``."""


# --- 行政执法监督平台 ------------------------------------------------------------------------------------------

def case_payload(case, kind: str) -> dict:
    party = case.party
    org = case.organisation
    item = case.violation_item
    docs = []
    if apps.is_installed("zhifa.documents"):
        # The documents issued so far (a decision's own document is rendered after the commit, so the closing
        # message is the one that lists the whole file); the PDFs themselves are attached at delivery (outgoing).
        Document = apps.get_model("documents", "Document")
        docs = [{"kind": d.kind, "title": d.title, "number": d.number, "pdf_sha256": d.pdf.sha256}
                for d in Document.objects.filter(subject_type__app_label="cases", subject_type__model="case",
                                                 subject_id=str(case.pk)).select_related("pdf").order_by("pk")]
    return {
        "format": "zhifa-supervision/1",
        "record_id": f"{org.code}-{case.number}",
        "kind": kind,
        "agency": {"code": org.code, "name": org.name, "credit_code": org.credit_code, "region_code": org.region_code},
        "case_number": case.number,
        "procedure": case.procedure,
        "status": case.status,
        "party": {"kind": party.kind, "name": party.name, "credit_code": party.credit_code,
                  "id_type": party.id_type, "id_number": party.id_number, "address": party.address},
        "violation": {"code": getattr(item, "code", ""), "name": getattr(item, "name", ""),
                      "occurred_at": case.occurred_at.isoformat(), "place": case.place, "facts": case.facts},
        "officers": sorted(o.cert_number for o in case.officers.all()),
        "decision": {"number": case.decision_number, "decided_on": _day(case.decided_on), "outcome": case.outcome,
                     "penalty_kind": case.penalty_kind, "fine_amount_yuan": _money(case.fine_amount),
                     "legal_basis": case.legal_basis},
        "closed_on": _day(case.closed_on),
        "revoked_on": _day(case.revoked_on),
        "revocation_reason": case.revocation_reason,
        # 补正 of clerical errors in the delivered decision (the decision fields themselves are never edited).
        "corrections": [{"id": c.pk, "field": c.field_label, "old_text": c.old_text, "new_text": c.new_text,
                         "reason": c.reason, "corrected_on": _day(c.corrected_on)}
                        for c in case.corrections.order_by("pk")],
        "documents": docs,
    }


def case_key(case, kind: str, event=None) -> str:
    """The idempotency key of a supervision message: the subject and the event it reports — one message version,
    never the case alone. Decision, closure and revocation happen once per case (the workflow's transitions);
    a 补正 can happen many times, so each carries its correction's id: a second correction under the first one's
    key would be answered "duplicate" and dropped by the platform (and by the outbox, which keeps one message per
    key). A resend with a corrected record adds ``#r<n>`` (outbox.message_resend)."""
    key = f"supervision:{kind}:case:{case.pk}"
    return key if event is None else f"{key}:{event}"


def correction_payload(case, correction) -> dict:
    """The case record after a 补正, naming which correction this message reports (``correction_id``)."""
    return {**case_payload(case, "case_corrected"), "correction_id": correction.pk}


class SupervisionAdapter(Adapter):
    def outgoing(self, messages, now):
        """The decision documents (and, when the case is closed, its whole file) go with the message as PDFs,
        base64 with their SHA-256 (docs/integrations/supervision.md, 附件). Read from the document store at
        delivery — the outbox row keeps the list, not the files. A decision document still being made holds the
        message back (``INTEGRATION_DOCUMENT_WAIT`` seconds at most, then it goes without it and says so)."""
        from django.conf import settings

        from zhifa.cases.services import DECISION_DOCUMENTS

        cases = [m for m in messages if m.subject_type == "cases.case"]
        if not cases or not apps.is_installed("zhifa.documents"):
            return {}
        CaseDocument = apps.get_model("cases", "CaseDocument")
        rows: dict[str, list] = {}
        for row in CaseDocument.objects.filter(case_id__in={m.subject_id for m in cases}).order_by("pk"):
            rows.setdefault(str(row.case_id), []).append(row)
        wait = getattr(settings, "INTEGRATION_DOCUMENT_WAIT", 600)
        bodies, wanted_of = {}, {}
        for m in cases:
            whole_file = m.kind == "case_closed"
            wanted = [r for r in rows.get(m.subject_id, []) if whole_file or r.kind in DECISION_DOCUMENTS]
            pending = [r for r in wanted if r.state == "pending"]
            if pending and (now - m.created_at).total_seconds() < wait:
                bodies[m.pk] = Defer("等待决定书等文书生成后随报文发送")
            else:
                wanted_of[m.pk] = wanted
        # one query for the batch's documents; each PDF read once
        files = _attachments({r.document_id for w in wanted_of.values() for r in w if r.state == "ready" and r.document_id})
        for m in cases:
            if m.pk in wanted_of:
                wanted = wanted_of[m.pk]
                bodies[m.pk] = {**m.payload, "attachments": [files[r.document_id] for r in wanted
                                                             if r.state == "ready" and r.document_id in files],
                                "attachments_missing": [r.kind for r in wanted if r.state != "ready"]}
        return bodies

    def rebuild(self, message):
        case = apps.get_model("cases", "Case").objects.filter(pk=message.subject_id).first()
        if case is None:
            return None
        if message.kind == "case_corrected":
            correction = case.corrections.filter(pk=message.payload.get("correction_id")).first()
            return None if correction is None else correction_payload(case, correction)
        return case_payload(case, message.kind)

    def expected(self, day):
        Case = apps.get_model("cases", "Case")
        rows = [("cases.case", str(pk), "case_decided") for pk in Case.objects.filter(decided_on=day).values_list("pk", flat=True)]
        rows += [("cases.case", str(pk), "case_closed") for pk in Case.objects.filter(closed_on=day).values_list("pk", flat=True)]
        rows += [("cases.case", str(pk), "case_revoked") for pk in Case.objects.filter(revoked_on=day).values_list("pk", flat=True)]
        Correction = apps.get_model("cases", "Correction")
        rows += [("cases.case", str(pk), "case_corrected")
                 for pk in Correction.objects.filter(corrected_on=day).values_list("case_id", flat=True).distinct()]
        return rows


def _attachments(document_ids: set) -> dict[int, dict]:
    """{document id: the PDF as an attachment} — kind, title, number, sha256, size and the bytes in base64."""
    import base64

    from zhifa.core.evidence import evidence_read

    if not document_ids:
        return {}
    out = {}
    for d in apps.get_model("documents", "Document").objects.filter(pk__in=document_ids).select_related("pdf"):
        data = evidence_read(d.pdf)
        out[d.pk] = {"kind": d.kind, "title": d.title, "number": d.number, "content_type": "application/pdf",
                     "sha256": d.pdf.sha256, "size": len(data), "encoding": "base64",
                     "data": base64.b64encode(data).decode("ascii")}
    return out


# --- 双公示 ----------------------------------------------------------------------------------------------------

def publication_payload(pub, kind: str) -> dict | None:
    """The row of the national credit-information field set (portal.credit_export.row_for, the one 双公示 format of
    the product, docs/portal.md), as the file export builds it; a withdrawal is the same row with 数据操作类型 撤回."""
    from zhifa.portal import credit_export, sources

    record = sources.record_for(pub.subject_type, pub.subject_id)
    if record is None:
        return None
    action = credit_export.A.WITHDRAWN if kind == "withdrawal" else credit_export.A.NEW
    org = pub.organisation
    return {
        "format": f"national-credit/{pub.kind}",
        "record_id": f"{org.code}-{pub.pk}",
        "kind": kind,
        "layout": pub.kind,
        "row": credit_export.row_for(record, pub, action),
        "withdrawal_reason_code": WITHDRAWAL_REASONS.get(pub.status, "") if kind == "withdrawal" else "",
    }


class PublicityAdapter(Adapter):
    def rebuild(self, message):
        pub = _publication_of(message)
        return None if pub is None else publication_payload(pub, message.kind)

    def expected(self, day):
        Publication = apps.get_model("portal", "Publication")
        rows = [("portal.publication", str(pk), "publication")
                for pk in Publication.objects.filter(published_on=day).values_list("pk", flat=True)]
        rows += [("portal.publication", str(pk), "withdrawal")
                 for pk in Publication.objects.filter(withdrawn_on=day, status__in=list(WITHDRAWAL_REASONS)).values_list("pk", flat=True)]
        return rows


def _publication_of(message):
    return apps.get_model("portal", "Publication").objects.filter(subject_type=message.subject_type,
                                                                  subject_id=message.subject_id).first()


# --- 12345/12328 热线平台 (answers to work orders the platform pushed) ------------------------------------------

def reply_payload(complaint) -> dict:
    return {
        "format": "zhifa-hotline/1",
        "work_order_id": complaint.external_id,
        "channel": complaint.channel,
        "reference": complaint.number,
        "handling_unit": complaint.organisation.name,
        "reply": complaint.reply,
        "replied_at": complaint.replied_at.isoformat() if complaint.replied_at else None,
        "on_time": complaint.replied_on_time,
        "round": complaint.reopen_count + 1,
    }


class HotlineAdapter(Adapter):
    def rebuild(self, message):
        complaint = apps.get_model("complaints", "Complaint").objects.filter(pk=message.subject_id).first()
        return None if complaint is None else reply_payload(complaint)

    def expected(self, day):
        Complaint = apps.get_model("complaints", "Complaint")
        return [("complaints.complaint", str(pk), "work_order_reply") for pk in Complaint.objects.filter(
            channel__in=HOTLINE_CHANNELS, replied_at__date=day).exclude(external_id="").values_list("pk", flat=True)]


HOTLINE_CHANNELS = ("12345", "12328")


# --- 非税收入收缴系统 (the 缴款码 request; payments arrive by its notification, checked against its daily file) --

def code_period_from(case, day: date) -> date | None:
    """The day the 15 days of 行政处罚法 Art. 67 run from for a 缴款码 asked for and answered on ``day``: that day
    when it is later than the decision's delivery (the party cannot pay before it has the code), else None — the
    period runs from the delivery. The due date sent to the finance system (``FeishuiAdapter.outgoing``), the
    notice (``PaymentNotice.period_from``) and the case's payment clock (``cases.clocks.payment_period_from``)
    all start on this day (docs/payments.md)."""
    return day if case.delivered_on is not None and day > case.delivered_on else None


def code_due_on(case, day: date) -> date:
    """The 缴款期限 of a code asked for on ``day`` for a delivered case (Art. 67, on the legal calendar)."""
    from zhifa.core import legal_calendar
    from zhifa.payments.services import PAYMENT_DAYS

    return legal_calendar.add_days(code_period_from(case, day) or case.delivered_on, PAYMENT_DAYS).date


class FeishuiAdapter(Adapter):
    def outgoing(self, messages, now):
        """A 缴款码 asked for (again) after the decision was delivered — the on-the-spot request failed and a
        retry goes on a later day, or a resend: the period runs from the day it is answered (``code_period_from``),
        so the request tells the finance system that due date, not the one computed at the delivery. The stored
        payload is updated too, so the console shows what was sent. Called with the drain's ``now``, the same
        instant its try is recorded under (``Attempt.started_at``), which ``on_acknowledged`` reads."""
        from django.utils import timezone

        requests = [m for m in messages if m.kind == "code_request"]
        if not requests:
            return {}
        day = timezone.localdate(now)
        Case = apps.get_model("cases", "Case")
        cases = Case.objects.filter(pk__in=[m.subject_id for m in requests], delivered_on__lt=day).only("pk", "delivered_on")
        late = {str(c.pk): c for c in cases}
        bodies = {}
        for m in requests:
            case = late.get(m.subject_id)
            if case is None:
                continue
            due = code_due_on(case, day).isoformat()
            if m.payload.get("due_on") != due:
                m.payload = {**m.payload, "due_on": due}
                Message.objects.filter(pk=m.pk, claim_token=m.claim_token).update(payload=m.payload)
                bodies[m.pk] = m.payload
        return bodies

    def on_acknowledged(self, messages):
        """A 缴款码 answered for a case delivered without its notice (当场处罚: the code is asked for after
        the act's commit, or a retry answered later): the notice and its paper are issued now, once. The party
        cannot pay before it has the code: when the code arrives after the decision's delivery, the 15 days
        of Art. 67 run from the day the request was answered (``code_period_from``: the day of the try that got
        the answer, the day ``outgoing`` computed the due date sent), not from the delivery — else the notice
        could be issued already overdue and the Art. 72 surcharge would run. The case's nearest deadline (the
        at-risk list) is recomputed on it."""
        from django.utils import timezone

        from zhifa.cases.clocks import refresh_due
        from zhifa.cases.tasks import queue_document
        from zhifa.payments.services import payment_notice_issue

        Case = apps.get_model("cases", "Case")
        PaymentNotice = apps.get_model("payments", "PaymentNotice")
        for m in messages:
            if m.kind != "code_request":
                continue
            case = Case.objects.filter(pk=m.subject_id, status="execution", delivered_on__isnull=False).select_related(
                "organisation", "party").first()
            if case is None or PaymentNotice.objects.filter(case=case).exists():
                continue  # an ordinary delivery asks first and issues the notice in its own act
            amount = case.payable_amount if case.payable_amount is not None else case.fine_amount
            sent = m.attempt_set.filter(number=m.attempts).order_by("-pk").values_list("started_at", flat=True).first()
            answered = timezone.localdate(sent or m.acknowledged_at or timezone.now())
            payment_notice_issue(actor=None, case=case, amount=amount, delivered_on=case.delivered_on,
                                 period_from=code_period_from(case, answered))
            refresh_due([case.pk])
            queue_document(actor=None, case=case, kind="payment_notice")

    def follow_up_failed(self, message, reason):
        code = message.receiver_reference or "空"
        return (f"非税收入收缴系统答复的缴款码（{code}）无法使用，未开具缴款通知书："
                f"{reason.rstrip('。')}。请与财政部门核实后处理。")

    def rebuild(self, message):
        """The request built again for a resend: from the notice when there is one, else from the case (a
        request the finance system refused for a case delivered on the spot: no notice yet), due as it would be
        if answered today."""
        from django.utils import timezone

        from zhifa.payments.collectors import code_request_payload

        notice = apps.get_model("payments", "PaymentNotice").objects.filter(case_id=message.subject_id).select_related(
            "case__party", "organisation").first()
        if notice is not None:
            return code_request_payload(case=notice.case, organisation=notice.organisation, amount=notice.amount,
                                        due_on=notice.due_on)
        case = apps.get_model("cases", "Case").objects.filter(pk=message.subject_id, delivered_on__isnull=False).select_related(
            "party", "organisation").first()
        if case is None:
            return None
        amount = case.payable_amount if case.payable_amount is not None else case.fine_amount
        return code_request_payload(case=case, organisation=case.organisation, amount=amount,
                                    due_on=code_due_on(case, timezone.localdate()))

    def expected(self, day):
        Notice = apps.get_model("payments", "PaymentNotice")
        return [("cases.case", str(pk), "code_request") for pk in Notice.objects.filter(
            code_issuer="feishui", created_at__date=day).values_list("case_id", flat=True)]

    def file_differences(self, day: date) -> list[dict]:
        """The finance system's daily file (对账文件) against the payments its notifications recorded here: a payment
        in the file and not here (a notification lost), here and not in the file, or with another amount or code."""
        from zhifa.payments.services import FEISHUI_MERCHANT

        from . import client
        from .outbox import endpoint

        conf = endpoint(Target.FEISHUI)
        if conf is None:
            return []
        rows, error = client.fetch_signed(conf[0] + f"/feishui/reconciliation/{day.isoformat()}", secret=conf[1],
                                          signature_header="X-Feishui-Signature")
        if error:
            return [{"subject": f"{day} 对账文件", "kind": "payment", "problem": error, "message": None, "organisation": None}]
        Payment = apps.get_model("payments", "Payment")
        ours = {p.transaction_id: p for p in Payment.objects.filter(merchant_id=FEISHUI_MERCHANT, paid_at__date=day)
                .select_related("notice")}
        theirs = {str(r.get("bill_no")): r for r in rows.get("rows", [])}
        out = []
        for bill in sorted(set(ours) | set(theirs)):
            mine, file_row = ours.get(bill), theirs.get(bill)
            code = mine.notice.code if mine else str(file_row.get("payment_code", ""))
            org = mine.notice.organisation_id if mine else _notice_org(code)
            if mine is None:
                problem = f"对账文件有、本平台未收到缴款通知（{file_row.get('amount_yuan')}元）"
            elif file_row is None:
                problem = f"本平台已记录、对账文件中没有（{mine.amount}元）"
            elif Decimal(str(file_row.get("amount_yuan"))) != mine.amount or str(file_row.get("payment_code")) != code:
                problem = f"金额或缴款码不一致：对账文件 {file_row.get('amount_yuan')}元/{file_row.get('payment_code')}，本平台 {mine.amount}元/{code}"
            else:
                continue
            out.append({"subject": f"缴款码 {code} 票据号 {bill}", "kind": "payment", "problem": problem, "message": None,
                        "organisation": org})
        return out


def _notice_org(code: str) -> int | None:
    notice = apps.get_model("payments", "PaymentNotice").objects.filter(code=code).only("organisation_id").first()
    return notice.organisation_id if notice else None

# --- 消息通知 (e-mail and SMS of the notifications app: sent through the outbox like everything else) ----------

class LocalAdapter(Adapter):
    """A transport the worker runs itself (e-mail, the SMS gateway): ``send`` instead of an HTTP POST."""

    @abstractmethod
    def send(self, message: Message):
        """Hand ``message`` to the transport; a ``client.Result``."""


class NoticeAdapter(LocalAdapter):
    def send(self, message):
        from zhifa.notifications.services import send_delivery

        from . import client

        try:
            reference = send_delivery(message.payload["delivery_id"])
        except Exception as exc:  # noqa: BLE001 — any gateway failure is an error the outbox retries
            return client.Result("error", reason=f"发送失败：{exc}"[:500])
        return client.Result("accepted", reference=str(reference)[:80])

    def rebuild(self, message):
        return message.payload

    def expected(self, day):
        Delivery = apps.get_model("notifications", "Delivery")
        return [("notifications.delivery", str(pk), channel) for pk, channel in Delivery.objects.filter(
            notification__created_at__date=day).exclude(status="skipped").values_list("pk", "channel")]


# --- 四级联网 (overload cases, 一超四罚 results; payloads and the download in overload_net.py) ---------

class OverloadNetAdapter(Adapter):
    def rebuild(self, message):
        from . import overload_net

        return overload_net.rebuild(message)

    def expected(self, day):
        from . import overload_net

        return overload_net.expected(day)


# --- 互联网+监管 (监管行为 and 双随机 results; the payloads in regulation.py) -----------------------------------

class RegulationAdapter(Adapter):
    def rebuild(self, message):
        return regulation.rebuild(message)

    def expected(self, day):
        return regulation.expected(day)


# --- 省平台预警抄告 (the reply when a warning received by API is handled; provincial.py) --------------------------

class WarningAdapter(Adapter):
    def rebuild(self, message):
        return provincial.rebuild(message)

    def expected(self, day):
        return provincial.expected(day)


ADAPTERS: dict[str, Adapter] = {
    Target.SUPERVISION: SupervisionAdapter(Target.SUPERVISION, "/supervision"),
    Target.PUBLICITY: PublicityAdapter(Target.PUBLICITY, "/publicity"),
    Target.HOTLINE: HotlineAdapter(Target.HOTLINE, "/hotline"),
    Target.FEISHUI: FeishuiAdapter(Target.FEISHUI, "/feishui"),
    Target.REGULATION: RegulationAdapter(Target.REGULATION, "/regulation"),
    Target.WARNING: WarningAdapter(Target.WARNING, "/warning"),
    Target.NOTICE: NoticeAdapter(Target.NOTICE, "", local=True, audited=False),
    Target.OVERLOAD_NET: OverloadNetAdapter(Target.OVERLOAD_NET, "/overload_net"),
}

