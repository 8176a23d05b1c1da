"""Organisations (the jurisdiction tree), users with their sign-in factors and API tokens, and officers."""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from ..identifiers import (
    validate_credit_code,
)


class Organisation(models.Model):
    """A node of the administrative tree (省 → 市 → 县 → 执法大队 → 中队/站所). Each node is a jurisdiction:
    a user sees the data of their own node and its subtree. ``path`` is a materialised path of codes."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"
        BRIGADE = "brigade", "执法大队"
        SQUAD = "squad", "中队"
        STATION = "station", "站所"

    code = models.CharField("机构代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("层级", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("层级路径", max_length=400, unique=True, editable=False)
    region_code = models.CharField("行政区划代码", max_length=12, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    doc_prefix = models.CharField("文书字号前缀", max_length=20, blank=True, help_text="如 豫R交罚")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    is_enforcement_body = models.BooleanField("执法主体", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "机构"
        ordering = ["path"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.credit_code:
            self.credit_code = validate_credit_code(self.credit_code)

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_within(self, other: "Organisation") -> bool:
        return self.path.startswith(other.path)

    def enforcement_body(self) -> "Organisation":
        """The nearest node (self or ancestor) that decides in its own name: brigade, county or above, and
        flagged as an enforcement body (a weighing station or squad never issues or signs a decision)."""
        node = self
        while (
            node.kind in (self.Kind.SQUAD, self.Kind.STATION) or not node.is_enforcement_body
        ) and node.parent_id:
            node = node.parent
        return node


class User(AbstractUser):
    """A person who signs in. Roles are groups named by ``roles.Role`` codes; ``organisation`` is the
    jurisdiction the user acts in."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="所属机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    failed_login_count = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def is_locked(self, now=None) -> bool:
        return bool(self.locked_until and self.locked_until > (now or timezone.now()))


class Officer(models.Model):
    """A law-enforcement officer (执法人员) with a 执法证. Only an officer whose certificate is valid on the
    day may perform an enforcement act (行政处罚法 Art. 42; 交通运输行政执法程序规定)."""

    class CertStatus(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂扣"
        EXPIRED = "expired", "过期"
        REVOKED = "revoked", "吊销/注销"

    user = models.OneToOneField(
        User, verbose_name="用户账号", null=True, blank=True, on_delete=models.PROTECT, related_name="officer"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属机构", on_delete=models.PROTECT, related_name="officers"
    )
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=2, blank=True)
    position = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)
    cert_number = models.CharField("执法证号", max_length=32, unique=True)
    cert_status = models.CharField(
        "执法证状态", max_length=16, choices=CertStatus.choices, default=CertStatus.VALID
    )
    cert_issued_on = models.DateField("发证日期")
    cert_expires_on = models.DateField("有效期至")
    annual_review_on = models.DateField("最近年审日期", null=True, blank=True)
    legal_qualification = models.BooleanField("具有法律职业资格", default=False)
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法人员"
        ordering = ["organisation__path", "name"]

    def __str__(self):
        return f"{self.name}（{self.cert_number}）"

    def certificate_problem(self, on: date | None = None) -> str | None:
        """Why this officer may not act on ``on`` (Chinese), or None when the certificate is valid."""
        on = on or timezone.localdate()
        if not self.is_active:
            return f"{self.name}已不在执法岗位。"
        if self.cert_status != self.CertStatus.VALID:
            return f"{self.name}的执法证状态为“{self.get_cert_status_display()}”，不得从事执法活动。"
        if self.cert_issued_on > on:
            return f"{self.name}的执法证自{self.cert_issued_on:%Y年%m月%d日}起生效。"
        if self.cert_expires_on < on:
            return f"{self.name}的执法证已于{self.cert_expires_on:%Y年%m月%d日}过期，不得从事执法活动。"
        return None

    def can_enforce(self, on: date | None = None) -> bool:
        return self.certificate_problem(on) is None

    @property
    def certificate_state_label(self) -> str:
        return self.CertStatus(self.certificate_state).label

    @property
    def certificate_state(self) -> str:
        """Effective state today: a 'valid' certificate past its expiry date reads as expired."""
        if self.cert_status == self.CertStatus.VALID and self.cert_expires_on < timezone.localdate():
            return self.CertStatus.EXPIRED
        return self.cert_status


class TotpDevice(models.Model):
    """A user's TOTP authenticator (second sign-in factor). ``last_step`` is the last accepted time step, so a
    code cannot be used twice."""

    user = models.OneToOneField(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField("密钥", max_length=64)
    confirmed = models.BooleanField("已启用", default=False)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令设备"

    def __str__(self):
        return f"{self.user}（{'已启用' if self.confirmed else '未确认'}）"


class RecoveryCode(models.Model):
    """A one-time recovery code for signing in when the authenticator is lost. Only a keyed digest of
    the code is stored (HMAC-SHA256 under SECRET_KEY); a used code keeps its row with ``used_at`` so it
    cannot be used again."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField("摘要", max_length=64, unique=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "恢复码"

    def __str__(self):
        return f"{self.user}（{'已使用' if self.used_at else '未使用'}）"


class ApiToken(models.Model):
    """A bearer token for system clients (weighing stations, provincial platforms, payment system, tests).
    Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField("已停用", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "API令牌"

    def __str__(self):
        return self.name
