"""The standard forms of 《交通运输行政执法文书式样》 (交通运输行政执法程序规定, MOT Order 2019 No. 9) that the
platform renders: each kind's title, template, numbering series (文书代字; None = the form carries no 文书编号)
and the context fields it cannot be issued without."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str
    series: str | None
    required: tuple[str, ...] = field(default=())
    order: int = 100  # position in the case file (案卷) — the standard filing order

    @property
    def template(self) -> str:
        return f"documents/forms/{self.code}.html"


PARTY = ("party_name",)
KINDS: dict[str, DocumentKind] = {k.code: k for k in [
    DocumentKind("register", "立案登记表", "立", PARTY + ("case_source", "brief", "opened_on"), order=10),
    DocumentKind("inquiry_record", "询问笔录", None, ("started_at", "place", "interviewee", "questions"), order=20),
    DocumentKind("scene_record", "现场笔录", None, PARTY + ("started_at", "place", "observations"), order=30),
    # 行政强制法 Arts. 24, 25, 28: the measure's decision with its list, the extension notice and the release.
    DocumentKind("coercion_decision", "行政强制措施决定书", "强", PARTY + ("party_address", "reason", "legal_basis", "measure_kind", "period", "items", "decided_on"), order=35),
    DocumentKind("coercion_extension", "延长行政强制措施期限通知书", "延强", PARTY + ("original_decision", "extension_days", "extension_reason", "period_to", "decided_on"), order=36),
    DocumentKind("coercion_release", "解除行政强制措施决定书", "解强", PARTY + ("original_decision", "release_reason", "items", "returned_to", "released_on"), order=37),
    DocumentKind("inspection_record", "勘验笔录", None, PARTY + ("started_at", "place", "observations"), order=31),
    # 行政处罚法 Arts. 55-56: samples taken (抽样取证凭证); registered preservation with the head's approval
    # (证据登记保存清单) and its release (解除证据登记保存决定书).
    DocumentKind("sampling_voucher", "抽样取证凭证", "抽", PARTY + ("items", "sample_place", "sampled_on"), order=32),
    DocumentKind("preservation_list", "证据登记保存清单", "登保", PARTY + ("items", "preserve_place", "preserve_reason", "approved_on", "decide_by"), order=33),
    DocumentKind("preservation_release", "解除证据登记保存决定书", "解保", PARTY + ("items", "original_decision", "release_reason", "returned_to", "released_on"), order=34),
    # 《交通运输行政执法程序规定》; 行政处罚法 Art. 28 (责令改正): the order with its deadline, followed by a check.
    DocumentKind("rectification_notice", "责令改正违法行为通知书", "责改", PARTY + ("problems", "violated_provision", "order_basis", "deadline", "found_on"), order=38),
    DocumentKind("violation_notice", "违法行为通知书", "违通", PARTY + ("facts", "violated_provision", "penalty_provision", "proposed_penalty", "notified_on"), order=40),
    DocumentKind("hearing_notice", "听证通知书", "听通", PARTY + ("hearing_at", "place", "host"), order=50),
    DocumentKind("hearing_record", "听证笔录", None, PARTY + ("hearing_at", "place", "host", "statements"), order=60),
    # 行政处罚法 Art. 33 ¶1: the party's written commitment for a first violation not penalised (首违不罚 list).
    DocumentKind("commitment_letter", "首次违法行为不予行政处罚告知承诺书", None, PARTY + ("paragraphs",), order=65),
    DocumentKind("onspot_decision", "当场行政处罚决定书", "简罚", PARTY + ("facts", "violated_provision", "penalty_provision", "penalty", "decided_on"), order=70),
    DocumentKind("penalty_decision", "行政处罚决定书", "罚", PARTY + ("facts", "evidence", "violated_provision", "penalty_provision", "discretion_reasoning", "penalty", "decided_on"), order=70),
    DocumentKind("no_penalty_decision", "不予行政处罚决定书", "不罚", PARTY + ("facts", "evidence", "penalty_provision", "reason", "decided_on"), order=70),
    DocumentKind("delivery_receipt", "送达回证", None, PARTY + ("served_document", "method"), order=80),
    # 行政处罚法 Arts. 67, 72: the party's payment code, QR, amount due, last day, channels and the surcharge rule.
    DocumentKind("payment_notice", "缴款通知书", "缴", PARTY + ("decision_number", "amount", "payment_code", "due_on", "issued_on"), order=85),
    DocumentKind("instalment_notice", "分期(延期)缴纳罚款通知书", "分缴", PARTY + ("decision_number", "amount", "schedule", "approved_on"), order=90),
    DocumentKind("reminder", "催告书", "催", PARTY + ("decision_number", "amount", "surcharge", "issued_on"), order=95),
    # 国办发〔2020〕49号 (八): the prior notice and the written decision of a serious-dishonesty listing (credit app).
    DocumentKind("dishonesty_notice", "严重失信主体名单认定告知书", "失告", PARTY + ("facts", "legal_basis", "measures", "statement_due", "notified_on"), order=96),
    DocumentKind("dishonesty_decision", "列入严重失信主体名单决定书", "失决", PARTY + ("facts", "legal_basis", "measures", "notice_number", "expires_on", "decided_on"), order=97),
    # 行政强制法 Arts. 53-55: the application to the people's court after the 催告.
    DocumentKind("enforcement_application", "行政强制执行申请书", "执申", PARTY + ("court", "decision_number", "reminder_number", "total"), order=97),
    # 行政强制法 Arts. 37, 39-40, 44, 51: the agency's own enforcement where a law gives it the power.
    DocumentKind("execution_decision", "行政强制执行决定书", "强执", PARTY + ("statute", "obligation", "method", "reminded_on"), order=96),
    DocumentKind("substitute_decision", "代履行决定书", "代履", PARTY + ("statute", "obligation", "method", "executor", "reminded_on"), order=96),
    DocumentKind("execution_announcement", "执行公告", "执公", PARTY + ("statute", "obligation", "deadline"), order=96),
    DocumentKind("execution_suspend", "中止行政强制执行通知书", "中执", PARTY + ("grounds", "reason_text"), order=96),
    DocumentKind("execution_terminate", "终结行政强制执行通知书", "终执", PARTY + ("grounds", "reason_text"), order=96),
    DocumentKind("execution_resume", "恢复行政强制执行通知书", "恢执", PARTY + ("reason_text",), order=96),
    DocumentKind("closing_report", "结案报告", None, PARTY + ("brief", "outcome", "execution", "closed_on"), order=99),
]}

CHOICES = [(k.code, k.title) for k in KINDS.values()]


def kind_of(code: str) -> DocumentKind | None:
    return KINDS.get(code)
