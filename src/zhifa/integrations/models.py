"""The transactional outbox (对外报送): one ``Message`` per reportable change, written by the service that makes the
change in the same transaction; every delivery try is an ``Attempt``; ``Reconciliation`` is the daily comparison of
what should have been sent with what the receiver acknowledged."""

from django.db import models


class Target(models.TextChoices):
    SUPERVISION = "supervision", "行政执法监督平台"
    PUBLICITY = "publicity", "双公示（信用信息平台）"
    HOTLINE = "hotline", "12345/12328热线平台"
    FEISHUI = "feishui", "非税收入收缴系统"
    NOTICE = "notice", "消息通知（电子邮件、短信）"
    OVERLOAD_NET = "overload_net", "四级联网（超限超载）"
    REGULATION = "regulation", "互联网+监管（事中事后监管平台）"
    WARNING = "warning", "省平台预警抄告（答复）"


class Message(models.Model):
    """An outgoing message. ``subject_type``/``subject_id`` name the record it reports (messages of one subject and
    target are delivered in ``pk`` order: a later one waits until the earlier one is acknowledged). The
    ``idempotency_key`` travels with every try, so a receiver that got a try whose answer was lost answers
    "duplicate" instead of recording it twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        ACKNOWLEDGED = "acknowledged", "已确认"
        REJECTED = "rejected", "被退回"
        DEAD = "dead", "发送失败（已停止重试）"

    # A message in one of these states holds back the later messages of its subject.
    OPEN = (Status.PENDING, Status.SENDING, Status.REJECTED, Status.DEAD)

    target = models.CharField("报送平台", max_length=20, choices=Target.choices, db_index=True)
    kind = models.CharField("报送类别", max_length=40)
    subject_type = models.CharField("来源类型", max_length=60)
    subject_id = models.CharField("来源ID", max_length=64)
    subject_label = models.CharField("来源", max_length=200, blank=True)
    organisation = models.ForeignKey("core.Organisation", verbose_name="报送单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField("幂等键", max_length=160, unique=True)
    payload = models.JSONField("报文内容", default=dict)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", db_index=True)
    lease_until = models.DateTimeField("占用截止", null=True, blank=True)
    # Who holds the claim: a fresh token per claiming batch, so one UPDATE claims a batch and the rows it won are
    # read back by the token; a later claim (the lease ran out) replaces it, so a stale worker changes nothing.
    claim_token = models.CharField("占用标识", max_length=32, blank=True, db_index=True)
    last_error = models.CharField("最近一次失败原因", max_length=500, blank=True)
    receiver_reference = models.CharField("接收方编号", max_length=80, blank=True)
    resend_count = models.PositiveIntegerField("重发次数", default=0)
    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送消息"
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["target", "subject_type", "subject_id"], name="outbox_subject_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self):
        return f"{self.get_target_display()} {self.kind} {self.subject_label or self.subject_id}"


class Attempt(models.Model):
    """One delivery try of a message: when, how it ended, the receiver's answer or the error."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "接收成功"
        DUPLICATE = "duplicate", "接收方已收到（重复）"
        REJECTED = "rejected", "接收方退回"
        ERROR = "error", "发送出错"
        TIMEOUT = "timeout", "超时"

    message = models.ForeignKey(Message, verbose_name="报送消息", on_delete=models.CASCADE, related_name="attempt_set")
    number = models.PositiveIntegerField("第几次")
    started_at = models.DateTimeField("开始时间")
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField("HTTP状态", null=True, blank=True)
    reason = models.CharField("说明", max_length=500, blank=True)
    receiver_reference = models.CharField("接收方编号", max_length=80, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送尝试"
        ordering = ["message", "number"]

    def __str__(self):
        return f"{self.message_id}#{self.number} {self.get_outcome_display()}"


class Reconciliation(models.Model):
    """The daily comparison for one target and day: records that should have been reported (from the registers)
    against messages the receiver acknowledged; ``differences`` lists each record missing or unacknowledged."""

    target = models.CharField("报送平台", max_length=20, choices=Target.choices)
    day = models.DateField("对账日期")
    expected = models.PositiveIntegerField("应报送", default=0)
    acknowledged = models.PositiveIntegerField("已确认", default=0)
    differences = models.JSONField("差异", default=list, help_text="[{subject, kind, problem}, …]")
    # The totals per unit ({organisation id or "": [expected, acknowledged]}): a county's console adds up its own
    # units' counts, never the city's whole (selectors.reconciliations_for).
    by_organisation = models.JSONField("按单位合计", default=dict)
    created_at = models.DateTimeField("对账时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "报送对账"
        ordering = ["-day", "target"]
        constraints = [models.UniqueConstraint(fields=["target", "day"], name="reconciliation_target_day")]

    def __str__(self):
        return f"{self.get_target_display()} {self.day}"
