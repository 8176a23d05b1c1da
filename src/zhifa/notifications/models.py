"""Notifications: one row per event and recipient (the inbox item, idempotent by its key), one row per sending."""

from django.conf import settings
from django.db import models

from .kinds import CHOICES


class Notification(models.Model):
    """One message to one recipient about one event: an officer's inbox item, or a message to a party.

    ``key`` names the event and the recipient (``clock_amber:case:12:hearing:2026-11-20:user:7``) and is unique, so
    the daily job, a retried task or a double click never tells anyone the same thing twice."""

    key = models.CharField("事件标识", max_length=200, unique=True)
    kind = models.CharField("类别", max_length=32, choices=CHOICES, db_index=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="notifications")
    party = models.ForeignKey("core.Party", verbose_name="当事人", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    # A person with neither an account nor a party record (a complainant who left a phone number).
    phone = models.CharField("手机号", max_length=30, blank=True)
    name = models.CharField("称呼", max_length=60, blank=True)
    organisation = models.ForeignKey("core.Organisation", verbose_name="发出机构", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容")
    url = models.CharField("链接", max_length=300, blank=True)
    subject_type = models.CharField("对象类型", max_length=60, blank=True)
    subject_id = models.CharField("对象ID", max_length=64, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "消息通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_unread_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(recipient__isnull=False) | models.Q(party__isnull=False) | ~models.Q(phone=""),
                                              name="notification_has_addressee")]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """One sending of a notification on one channel, recorded whatever the outcome (sent, failed, skipped for want
    of an address or by the user's choice). The task claims a row with a conditional update, so two workers never
    send it twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        SMS = "sms", "短信"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "未发送"

    notification = models.ForeignKey(Notification, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    provider_ref = models.CharField("服务商回执", max_length=120, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知发送记录"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]

    def __str__(self):
        return f"{self.notification} · {self.get_channel_display()} · {self.get_status_display()}"


class Preference(models.Model):
    """A user's choice of channels for one kind of notification (the inbox item is always kept)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField("类别", max_length=32, choices=CHOICES)
    email = models.BooleanField("电子邮件", default=True)
    sms = models.BooleanField("短信", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "通知设置"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"
