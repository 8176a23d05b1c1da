"""罚缴分离 (行政处罚法 Art. 67): payment notices per decision, payments reported by the payment system, and
instalment/deferral plans (Art. 66). Amounts are exact decimals (yuan with fen)."""

from django.conf import settings
from django.db import models

from zhifa.core.models import Organisation
from zhifa.core.workflow import AbstractStep

from .workflow import NoticeStatus, PlanStatus

MONEY = {"max_digits": 12, "decimal_places": 2}


class PaymentNotice(models.Model):
    """The payment notice (缴款通知) for one penalty decision: a unique payment code the party pays against at the
    designated bank or electronic payment system, the fine, and the due date (15 days after delivery)."""

    Status = NoticeStatus  # moved by ``workflow.NOTICE_WORKFLOW``

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="payment_notice")
    organisation = models.ForeignKey(Organisation, verbose_name="执法机构", on_delete=models.PROTECT, related_name="payment_notices")
    class Issuer(models.TextChoices):
        LOCAL = "local", "本平台（未接入非税收入系统）"
        FEISHUI = "feishui", "非税收入收缴系统"

    code = models.CharField("缴款码", max_length=20, unique=True)
    # 罚缴分离 (Art. 67): with the finance bureau's system connected the code is the finance system's, requested
    # through the outbox (docs/integrations/feishui.md); "local" codes are the platform's own (demo, not connected).
    code_issuer = models.CharField("缴款码出具方", max_length=10, choices=Issuer.choices, default=Issuer.LOCAL)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    party_name = models.CharField("缴款人", max_length=120)
    amount = models.DecimalField("罚款金额（元）", **MONEY)
    delivered_on = models.DateField("决定书送达日期")
    # 行政处罚法 Art. 67: 15 days from receipt, of a notice the party can pay with. A finance system's 缴款码
    # that arrives after the decision's delivery (当场处罚) starts the period on the day the notice is issued.
    period_from = models.DateField(
        "缴款期限起算日", null=True, blank=True,
        help_text="缴款码在决定书送达后才取得的，缴款期限自取得缴款码、送达缴款通知书之日起计算；"
        "空为自决定书送达之日起计算")
    due_on = models.DateField("缴款期限")
    due_confirmed = models.BooleanField("期限按已确认日历计算", default=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.UNPAID, db_index=True)
    principal_paid = models.DecimalField("已缴罚款（元）", default=0, **MONEY)
    surcharge_base = models.DecimalField("加处罚款计算基数（罚款金额，元）", null=True, blank=True, **MONEY,
                                         help_text="应缴金额含没收违法所得时为其中的罚款金额（行政处罚法第七十二条第一款第（一）项：按罚款数额加处）；空为应缴金额")
    surcharge = models.DecimalField("加处罚款（元）", default=0, **MONEY, help_text="缴清时固定；未缴清时为最近一次计算的数额")
    paid_total = models.DecimalField("已缴合计（元）", default=0, **MONEY)
    paid_on = models.DateField("缴清日期", null=True, blank=True)
    overdue_on = models.DateField("逾期标记日期", null=True, blank=True)
    reminded_on = models.DateField("催告书送达日期", null=True, blank=True)
    reminder_number = models.CharField("催告书文号", max_length=60, blank=True)
    enforcement_applied_on = models.DateField("申请法院强制执行日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="开具人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("开具时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "缴款通知"
        ordering = ["-created_at", "-pk"]
        # The dashboard's 罚款缴纳 card and the overdue list: a unit's notices still open (unpaid, part paid) — tens
        # of thousands among the hundreds of thousands of a large register, counted on this index alone.
        indexes = [models.Index(fields=["organisation", "due_on"], name="paymentnotice_open_idx",
                                include=["overdue_on", "reminded_on", "enforcement_applied_on"],
                                condition=models.Q(status__in=["unpaid", "partly_paid"]))]

    def __str__(self):
        return f"缴款码 {self.code}（{self.party_name} {self.amount}元）"

    @property
    def pay_path(self) -> str:
        return f"/payments/pay/{self.code}/"

    @property
    def pay_url(self) -> str:
        return settings.ZHIFA_PUBLIC_BASE_URL.rstrip("/") + self.pay_path


class PaymentNoticeStep(AbstractStep):
    """One appended step of a payment notice (issued, each payment received, re-settled under a plan, cancelled;
    ``core.workflow``): statuses are appended, never edited. The case keeps its own history (``cases.StatusChange``)."""

    STATES = NoticeStatus

    notice = models.ForeignKey(PaymentNotice, verbose_name="缴款通知", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "缴款通知流程记录"

    def __str__(self):
        return f"{self.notice.code} {self.action}"



class CollectionAccount(models.Model):
    """An agency's account with the payment system (收款单位, identified by its merchant id): a payment callback for
    a notice of this agency — or of a unit under it without an account of its own — must name this merchant id and
    be signed with this merchant's key (``PAYMENT_MERCHANT_KEYS``, kept outside the database). One agency's key
    cannot pay another agency's notice."""

    organisation = models.OneToOneField(Organisation, verbose_name="执法机构", on_delete=models.PROTECT, related_name="collection_account")
    merchant_id = models.CharField("商户号（收款单位编码）", max_length=40, unique=True,
                                   help_text="支付系统分配给本机构的收款单位编码；对应的签名密钥由运维配置在 PAYMENT_MERCHANT_KEYS 中，不存入数据库")
    name = models.CharField("收款账户名称", max_length=120, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "收款账户"
        ordering = ["organisation__path"]

    def __str__(self):
        return f"{self.organisation.name} {self.merchant_id}"


class Payment(models.Model):
    """One payment reported by the payment system. ``transaction_id`` is the payment system's id within the
    merchant that reported it (``merchant_id``; empty for the shared development key): the same merchant's
    notification twice is one payment; another merchant's equal id is another payment."""

    notice = models.ForeignKey(PaymentNotice, verbose_name="缴款通知", on_delete=models.PROTECT, related_name="payments")
    merchant_id = models.CharField("商户号", max_length=40, blank=True, default="")
    transaction_id = models.CharField("支付流水号", max_length=64)
    amount = models.DecimalField("金额（元）", **MONEY)
    paid_at = models.DateTimeField("支付时间")
    channel = models.CharField("渠道", max_length=40, blank=True)
    body_sha256 = models.CharField("通知报文摘要", max_length=64)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "缴款记录"
        ordering = ["paid_at", "transaction_id"]
        constraints = [models.UniqueConstraint(fields=["merchant_id", "transaction_id"], name="payment_merchant_transaction")]

    def __str__(self):
        return f"{self.transaction_id} {self.amount}元"


class PaymentPlan(models.Model):
    """An application to pay by instalments or later (分期/延期缴纳, 行政处罚法 Art. 66 ¶2), recorded by an officer
    from the party's written application and decided by the head."""

    class Kind(models.TextChoices):
        INSTALMENT = "instalment", "分期缴纳"
        DEFERRAL = "deferral", "延期缴纳"

    Status = PlanStatus  # moved by ``workflow.PLAN_WORKFLOW``

    notice = models.ForeignKey(PaymentNotice, verbose_name="缴款通知", on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    reason = models.TextField("申请理由（经济困难情况）")
    applied_on = models.DateField("申请日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField("审批日期", null=True, blank=True)
    opinion = models.CharField("审批意见", max_length=300, blank=True)
    document_number = models.CharField("分期(延期)缴纳罚款通知书文号", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "分期(延期)缴纳申请"
        ordering = ["applied_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}申请（{self.get_status_display()}）"


class PaymentPlanStep(AbstractStep):
    """One appended step of an instalment or deferral application (recorded, decided; ``core.workflow``). The
    full-process record of these acts stays on the case."""

    STATES = PlanStatus

    plan = models.ForeignKey(PaymentPlan, verbose_name="分期(延期)缴纳申请", on_delete=models.CASCADE, related_name="steps")

    class Meta(AbstractStep.Meta):
        verbose_name = verbose_name_plural = "分期(延期)缴纳申请流程记录"

    def __str__(self):
        return f"{self.plan_id} {self.action}"


class Instalment(models.Model):
    """One instalment (or the single deferred date) of a plan."""

    plan = models.ForeignKey(PaymentPlan, verbose_name="申请", on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField("期次")
    due_on = models.DateField("缴纳期限")
    amount = models.DecimalField("金额（元）", **MONEY)

    class Meta:
        verbose_name = verbose_name_plural = "分期明细"
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="payments_instalment_seq_unique")]

    def __str__(self):
        return f"第{self.seq}期 {self.due_on} {self.amount}元"
