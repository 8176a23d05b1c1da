"""The full-process record as people read it: one formatter for every 变更内容 block.

An event's ``changes`` is JSON (``{field: [before, after]}`` from :func:`core.audit.diff`, or a flat
``{key: value}`` a service wrote). Staff read it as field labels in Chinese (the subject model's
``verbose_name``), values formatted the way the register shows them: local dates, amounts in 元, choices by
their label, 是/否, ``—`` for empty. The stored record itself is never changed (it is hash-chained); the raw
JSON stays one click away for supervisors (:func:`may_view_raw`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .roles import Role, has_role

EMPTY = "—"
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX_DIGEST = re.compile(r"^[0-9a-f]{40,64}$")

# Keys services write that are not fields of the subject model (counts of a batch, digests, request facts).
KEY_LABELS = {
    "accepted": "采纳", "act": "行为", "amount": "金额（元）", "applications": "许可申请数", "attachment": "附件",
    "attendances": "参训记录数", "body_sha256": "回调报文摘要", "candidates": "候选数", "case": "案件",
    "companies": "企业数", "complaints": "投诉数", "content_type": "文件类型", "created": "新建", "deadline": "期限",
    "directory": "名录", "document_id": "文书", "drawn": "抽中", "drivers": "驾驶员数", "duplicates": "重复",
    "equipment": "装备数", "errors": "错误", "events": "培训场次", "feedback": "反馈", "flagged": "标记",
    "inspectors": "检查人员数", "is_active": "有效", "kind": "类别", "late": "逾期", "manifest_sha256": "清单摘要",
    "mediations": "调解数", "method": "请求方式", "name": "名称", "new_seed_sha256": "新随机种子承诺值",
    "notice_code_issued": "已生成缴款码", "number": "编号", "officers": "执法人员数", "path": "页面",
    "proposed_amount": "拟罚款（元）", "published_on": "公布日期", "read": "已读", "reason": "理由",
    "rejected": "不予采纳", "result_sha256": "抽取结果摘要", "seed": "随机种子", "seed_sha256": "随机种子承诺值",
    "sha256": "文件摘要", "size": "大小（字节）", "skipped": "跳过", "soft_measures": "柔性执法措施数",
    "source": "来源", "source_units": "源头单位数", "status": "状态", "superseded_draw": "被替代的抽取",
    "supervisors": "社会监督员数", "targets": "检查对象数", "text": "内容", "transaction_id": "交易流水号",
    "vehicles": "车辆数", "violations_new": "新增违法记录数", "zip_sha256": "案卷包摘要",
    "observations": "检查情况", "measures": "处理措施", "q": "问", "a": "答", "created_at": "创建时间",
    "case_id": "案件", "officer": "执法人员", "officer_id": "执法人员", "organisation_id": "机构", "party_id": "当事人",
    # the items of an evidence preservation (证据登记保存清单, cases.preservation)
    "spec": "规格", "quantity": "数量", "unit": "单位", "note": "备注",
}
# Actions without a summary: their last word read in Chinese.
ACTION_VERBS = {
    "create": "新建", "created": "新建", "update": "修改", "updated": "修改", "edit": "修改", "delete": "删除",
    "open": "立案", "close": "结案", "approve": "批准", "reject": "退回", "submit": "提交", "assign": "分派",
    "publish": "公布", "revoke": "撤销", "cancel": "作废", "import": "导入", "export": "导出", "sync": "同步",
    "view": "查看", "upload": "上传", "issue": "制发", "deliver": "送达", "archive": "归档", "draw": "抽取",
    "extend": "延期", "release": "解除", "pay": "缴款", "decide": "决定", "review": "审核", "sign": "签署",
}
_MONEY_SUFFIX = "（元）"


@dataclass(frozen=True)
class ChangeRow:
    """One line of a 变更内容 block: a label and either before → after or a single value."""

    label: str
    after: str
    before: str | None = None

    @property
    def is_change(self) -> bool:
        return self.before is not None


def _model(subject_type: str):
    try:
        return apps.get_model(subject_type)
    except (LookupError, ValueError):
        return None


def _field(model, key: str, value=None):
    """The field ``key`` names on ``model``; failing that, on another model of the same app (an event on a case
    often records a snapshot of its transcript or evidence item), preferring one whose choices hold ``value``."""
    if model is None:
        return None
    # Read from the models' definitions only, which do not change in a process: looked up once per model, key and
    # value (it scanned every field of the app, and for a choice value of every app, for each row of a history).
    return _field_of(model, key, None if value is None else str(value))


@lru_cache(maxsize=8192)
def _field_of(model, key: str, value: str | None):
    own = next((f for f in model._meta.concrete_fields if key in (f.name, f.attname)), None)
    if own is not None and not (own.choices and value is not None and str(value) not in {str(k) for k, _ in own.flatchoices}):
        return own
    candidates = [f for m in model._meta.app_config.get_models() for f in m._meta.concrete_fields if key in (f.name, f.attname)]
    if value is not None:
        # A value that is a choice of the same-named field of a model of this app, else of any app (a payment
        # notice's status recorded on its case).
        for pool in (candidates, [f for m in apps.get_models() for f in m._meta.concrete_fields if f.name == key and f.choices]):
            for f in pool:
                if f.choices and str(value) in {str(k) for k, _ in f.flatchoices}:
                    return f
    labels = {str(f.verbose_name) for f in candidates}
    return candidates[0] if len(labels) == 1 and key not in GENERIC_KEYS else None


# Keys too generic to borrow a sibling model's meaning for (their label comes from KEY_LABELS).
GENERIC_KEYS = {"status", "kind", "name", "number", "amount", "text", "source", "reason", "created", "errors", "path", "method"}
# Bookkeeping columns that say nothing to a reader of the record.
SKIP_KEYS = {"id", "pk", "updated_at", "modified_at"}
CONTENT_TYPES = {"application/pdf": "PDF 文件", "image/jpeg": "JPEG 图片", "image/png": "PNG 图片", "video/mp4": "MP4 视频",
                 "video/webm": "WebM 视频", "audio/mpeg": "MP3 录音", "audio/wav": "WAV 录音", "text/plain": "文本",
                 "application/json": "JSON 数据", "text/csv": "CSV 表格",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX 文档"}
METHODS = {"GET": "查看", "POST": "提交", "PUT": "修改", "PATCH": "修改", "DELETE": "删除"}
_MODEL_LABEL = re.compile(r"^[a-z_]+\.[a-z_]+$")


VALUE_LABELS: dict[str, dict[str, str]] = {}


def register_value_labels(key: str, labels) -> None:
    """An app names the codes a JSON list field holds (``target_types`` → 道路货物运输企业 …), for the record."""
    VALUE_LABELS.setdefault(key, {}).update({str(k): str(v) for k, v in dict(labels).items()})


def _value_label(key: str, value):
    """Codes a service wrote in a free-form change, in words (a document kind, a file type, a record type)."""
    if isinstance(value, list) and key in VALUE_LABELS:
        return "、".join(VALUE_LABELS[key].get(str(v), str(v)) for v in value) or EMPTY
    if not isinstance(value, str):
        return None
    if key in VALUE_LABELS and value in VALUE_LABELS[key]:
        return VALUE_LABELS[key][value]
    if key == "content_type":
        return CONTENT_TYPES.get(value, "其他文件")
    if key == "method":
        return METHODS.get(value)
    if _MODEL_LABEL.match(value) and _model(value) is not None:
        return subject_kind(value)
    return None


def _is_ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)


def field_label(model, key: str, f=None) -> tuple[str, bool]:
    """(Chinese label, is_money) of ``key`` on ``model``; never the code name."""
    f = f if f is not None else _field(model, key)
    label = str(f.verbose_name) if f is not None else ""
    if not label or _is_ascii(label):
        label = KEY_LABELS.get(key, "")
    if not label:
        label = "其他信息"
    money = label.endswith(_MONEY_SUFFIX) or isinstance(f, models.DecimalField) and "元" in label
    if label.endswith(_MONEY_SUFFIX):
        label = label[: -len(_MONEY_SUFFIX)]
    return label, money


def local_datetime(value, *, seconds: bool = False) -> str:
    """An aware datetime or ISO string as local wall time ``YYYY-MM-DD HH:MM`` (Asia/Shanghai by setting)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def yuan(value) -> str:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount:,} 元"


class NameResolver:
    """Looks up the display name of related objects once per (model, pk); a page shares one (``records.change_rows``)."""

    def __init__(self):
        self.cache: dict[tuple, str] = {}

    def know(self, objects) -> None:
        """Names of objects the page has already read (the case's party and unit, the people of its timeline):
        the events' changes that name them need no query. None and other values are skipped."""
        for obj in objects or ():
            if isinstance(obj, models.Model) and obj.pk is not None:
                self.cache[(obj._meta.label_lower, str(obj.pk))] = str(obj)

    def prefetch(self, events) -> None:
        """Read the names the events' changes will show, one query per model: a case's history names its
        officers, party, unit and item again and again, and asked one by one it cost a query per name."""
        wanted: dict = {}
        for event in events if not isinstance(events, str) else ():
            for _key, value, pair, f in _entries(event):
                if f is None or not f.is_relation or f.related_model is None or f.choices:
                    continue
                for v in value if pair else [value]:
                    if v not in (None, "") and not isinstance(v, (list, dict, bool)):
                        key = (f.related_model._meta.label_lower, str(v))
                        if key not in self.cache:
                            wanted.setdefault(f.related_model, set()).add(str(v))
        for model, pks in wanted.items():
            try:
                found = model._default_manager.in_bulk(list(pks))
            except (ValueError, TypeError, ValidationError):
                continue  # a stored value that is not a key of the model: :meth:`name` says so, one by one
            label = model._meta.label_lower
            for obj in found.values():
                self.cache[(label, str(obj.pk))] = str(obj)

    def name(self, model, pk) -> str:
        key = (model._meta.label_lower, str(pk))
        if key not in self.cache:
            try:
                obj = model._default_manager.filter(pk=pk).first()
            except (ValueError, TypeError, ValidationError):
                obj = None
            self.cache[key] = str(obj) if obj is not None else f"（已不存在的{model._meta.verbose_name}）"
        return self.cache[key]


def format_value(value, field=None, *, money: bool = False, resolver: NameResolver | None = None) -> str:
    """One stored value as the register shows it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.choices and not isinstance(value, (list, dict)):
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if field is not None and field.is_relation and field.related_model is not None and not isinstance(value, (list, dict)):
        try:
            return (resolver or NameResolver()).name(field.related_model, value)
        except (ValueError, TypeError):
            return str(value)
    if money:
        return yuan(value)
    if isinstance(value, list):
        return "、".join(format_value(v, resolver=resolver) for v in value) or EMPTY
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            label, is_money = field_label(None, k)
            parts.append(f"{label}：{format_value(v, money=is_money, resolver=resolver)}")
        return "；".join(parts)
    if isinstance(value, datetime):
        return local_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        if _ISO_DATETIME.match(value):
            return local_datetime(value)
        if _HEX_DIGEST.match(value):
            return value[:16] + "…"
        return value
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def change_rows(event, *, resolver: NameResolver | None = None) -> list[ChangeRow]:
    """The readable lines of one event's ``changes``."""
    changes = event.changes or {}
    if not isinstance(changes, dict):
        return [ChangeRow("内容", format_value(changes, resolver=resolver))]
    model = _model(event.subject_type)
    resolver = resolver or NameResolver()
    rows = []
    for key, value, pair, f in _entries(event):
        label, money = field_label(model, key, f)

        def show(v, f=f, key=key, money=money):
            return _value_label(key, v) or format_value(v, f, money=money, resolver=resolver)

        rows.append(ChangeRow(label, show(value[1]), show(value[0])) if pair else ChangeRow(label, show(value)))
    if rows and all(r.before == EMPTY for r in rows):  # a creation: its values, not "— →" on every line
        rows = [ChangeRow(r.label, r.after) for r in rows]
    return rows


def _entries(event):
    """(key, value, is a before/after pair, the field the key names) for each line ``event.changes`` shows."""
    changes = event.changes
    if not isinstance(changes, dict):
        return
    model = _model(event.subject_type)
    for key, value in changes.items():
        if key in SKIP_KEYS:
            continue
        pair = isinstance(value, list) and len(value) == 2 and _diff_shaped(event, key, value)
        if pair and value[0] in (None, "", [], {}) and value[1] in (None, "", [], {}, False):
            continue  # a new record's empty fields: nothing to read
        sample = (value[1] if value[1] is not None else value[0]) if pair else value
        yield key, value, pair, _field(model, key, sample if isinstance(sample, (str, int)) else None)


def _diff_shaped(event, key, value) -> bool:
    # A two-item list is a before/after pair unless the key is a list of names (drawn numbers, created ids).
    return key not in {"drawn", "created", "errors", "duplicates", "flagged"}


def action_label(event, *, use_summary: bool = True) -> str:
    """What happened, in words: the summary the service wrote, else the action's verb in Chinese."""
    if use_summary and event.summary:
        return event.summary
    verb = re.split(r"[._]", event.action)[-1] if event.action else ""
    word = ACTION_VERBS.get(verb, "办理")
    model = _model(event.subject_type)
    what = str(model._meta.verbose_name) if model is not None else ""
    return f"{word}{what}" if what and not _is_ascii(what) else word


ORIGIN_KINDS = {"overload.four_penalty": "一超四罚", "complaints.complaint": "投诉举报", "inspections.inspection": "双随机检查"}


def subject_kind(subject_type: str) -> str:
    """The kind of a referenced record in words (a case's origin, an event's subject)."""
    if subject_type in ORIGIN_KINDS:
        return ORIGIN_KINDS[subject_type]
    model = _model(subject_type)
    name = str(model._meta.verbose_name) if model is not None else ""
    return name if name and not _is_ascii(name) else "关联记录"


def may_view_raw(user) -> bool:
    """The stored JSON of an event is for those who check the record (法制监督) and administrators."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)
