"""The full-process record (events and the head of their hash chain) and evidence files."""

from django.db import models

from .people import Organisation, User


class Event(models.Model):
    """One entry of the full-process record (全过程记录, 行政处罚法 Art. 47): append-only, hash-chained
    and keyed.

    ``hash`` = SHA-256(prev_hash + canonical form of this row); ``mac`` = HMAC-SHA256 under a key kept outside
    the database over the hash and the subject row's digest. Rows are never updated or deleted; on
    PostgreSQL a trigger refuses both and the application's role has no UPDATE/DELETE/TRUNCATE on the
    table. ``zhifa audit verify`` walks the chain. Foreign keys are plain ids so that no cascade can
    ever touch this table."""

    seq = models.BigIntegerField("序号", unique=True)
    occurred_at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("用户ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    officer_number = models.CharField("执法证号", max_length=32, blank=True)
    organisation_id = models.BigIntegerField("机构ID", null=True, blank=True, db_index=True)
    organisation_name = models.CharField("机构", max_length=100, blank=True)
    subject_type = models.CharField("对象类型", max_length=60, db_index=True)
    subject_id = models.CharField("对象ID", max_length=64, db_index=True)
    subject_label = models.CharField("对象", max_length=200, blank=True)
    action = models.CharField("动作", max_length=80, db_index=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    before_digest = models.CharField("变更前摘要", max_length=64, blank=True)
    after_digest = models.CharField("变更后摘要", max_length=64, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    ip_address = models.CharField("IP", max_length=64, blank=True)
    prev_hash = models.CharField("前一哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)
    # The key-dependent part (docs/adr/0007-keyed-record.md): the digest of the subject's row after the
    # act, the id of the key and HMAC-SHA256(key, hash, row digest). The key is not in the database.
    row_digest = models.CharField("对象行摘要", max_length=64, blank=True)
    key_id = models.CharField("密钥编号", max_length=16, blank=True)
    mac = models.CharField("密钥签名", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "全过程记录"
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"], name="event_subject_idx")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"

    @property
    def subject_is_model(self) -> bool:
        """Whether the subject is a stored object with its own history page (not a batch or a
        pseudo-subject)."""
        from django.apps import apps

        try:
            apps.get_model(self.subject_type)
        except (LookupError, ValueError):
            return False
        return True


class AuditHead(models.Model):
    """The head of the event chain (last seq and hash), brought up to date in the transaction that appends:
    with each event on SQLite, once at commit on PostgreSQL (trigger ``core_event_head``; read it through
    ``audit.head()``). It detects a truncated log and serialises appends (row lock)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "记录链头"

    def __str__(self):
        return f"#{self.seq} {self.hash[:16]}"


class EvidenceFile(models.Model):
    """An evidence file stored content-addressed (the path is derived from its SHA-256, so the same content
    is stored once and any change to a stored file is detectable). The row is the organisation's own: the same
    content uploaded by two counties is two rows over one stored blob, so de-duplication never links one
    county's case to another county's file nor tells an uploader that another county holds the
    content."""

    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.BigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    original_name = models.CharField("原文件名", max_length=255)
    organisation = models.ForeignKey(
        Organisation, verbose_name="机构", on_delete=models.PROTECT, related_name="evidence_files"
    )
    uploaded_by = models.ForeignKey(
        User, verbose_name="上传人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    captured_at = models.DateTimeField("采集时间", null=True, blank=True)
    capture_meta = models.JSONField("采集信息", default=dict, blank=True)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据文件"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["sha256", "organisation"], name="evidence_unique_sha256_per_org")
        ]

    def __str__(self):
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def relative_path(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"
