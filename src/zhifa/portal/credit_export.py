"""双公示 export: penalty and permit decisions in the national credit-information field set (docs/portal.md keeps the
field specification and its public source), sent by change — new, changed, withdrawn — from the one publication
register. Every row is validated against the specification before it leaves; a row that fails stays pending (with its
problems) and is tried again by every export until it passes. A dry run computes the same batch and changes nothing.
The platform's receipt reconciles each batch: rows sent = accepted + rejected (+ awaiting the receipt); a rejected row
is sent again. Formats: CSV (UTF-8 with BOM, as the provincial platforms import it), XLSX and JSON."""

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.identifiers import (
    IdType,
    is_individual_business,
    validate_credit_code,
    validate_identity_document,
)
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from . import sources
from .models import ExportBatch, ExportItem, Publication

P = Publication.Status
A = ExportItem.Action

# 行政相对人类别 (national field set)
PARTY_ORGANISATION, PARTY_PERSON, PARTY_INDIVIDUAL_BUSINESS = "法人及非法人组织", "自然人", "个体工商户"
# 处罚类别: the kinds of 行政处罚法 Art. 9 (2021) as the field set lists them; several are joined with "；".
PENALTY_CATEGORIES = ["警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级", "吊销许可证件",
                      "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他"]
CONFISCATION = {"没收违法所得", "没收非法财物"}
# The field 暂扣或吊销证照名称及编号 names a licence suspended or revoked; a 降低资质等级 names no licence (its subject is
# the qualification and its new level, in 处罚内容), so it does not require the field.
LICENCE = {"暂扣许可证件", "吊销许可证件"}
LONG_TERM = date(2099, 12, 31)  # the field set's value for "长期" (no end date)
ID_TYPE_LABELS = IdType.LABELS

PARTY_FIELDS = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "法定代表人证件类型", "法定代表人证件号码",
                "证件类型", "证件号码"]
PENALTY_FIELDS = PARTY_FIELDS + [
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)",
    "没收违法所得、没收非法财物的金额(万元)", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
PERMIT_FIELDS = PARTY_FIELDS + [
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容", "许可决定日期",
    "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
# Exchange control columns after the data items: the local row key the receipt answers with, and the change.
CONTROL_FIELDS = ["本地编号", "数据操作类型"]
LAYOUTS = {"penalty": PENALTY_FIELDS, "permit": PERMIT_FIELDS}
REQUIRED = {
    "penalty": ["行政相对人名称", "行政相对人类别", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别",
                "处罚内容", "处罚决定日期", "处罚有效期", "公示截止期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位",
                "数据来源单位统一社会信用代码"],
    "permit": ["行政相对人名称", "行政相对人类别", "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可内容",
               "许可决定日期", "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位",
               "数据来源单位统一社会信用代码"],
}
FAR_FUTURE = LONG_TERM


def _d(value) -> str:
    return value.isoformat() if isinstance(value, date) else (value or "")


def _wan(amount) -> str:
    """Yuan → 万元 with six decimals (the platform's unit): exact for every amount in yuan and fen (Decimal)."""
    if amount is None:
        return ""
    return str((Decimal(amount) / Decimal(10000)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP))


def party_category(record: sources.DecisionRecord) -> str:
    if record.is_person:
        return PARTY_PERSON
    return PARTY_INDIVIDUAL_BUSINESS if is_individual_business(record.party_credit_code) else PARTY_ORGANISATION


def row_for(record: sources.DecisionRecord, pub: Publication, action: str = A.NEW) -> dict:
    person = record.is_person
    source_body = record.organisation.enforcement_body()
    withdrawn = action == A.WITHDRAWN
    row = {
        "行政相对人名称": record.party_name,
        "行政相对人类别": party_category(record),
        "统一社会信用代码": "" if person else record.party_credit_code,
        "法定代表人": "" if person else record.legal_representative,
        "法定代表人证件类型": "" if person or not record.legal_rep_id_number else ID_TYPE_LABELS.get(record.legal_rep_id_type, ""),
        "法定代表人证件号码": "" if person else record.legal_rep_id_number,
        "证件类型": ID_TYPE_LABELS.get(record.party_id_type, "") if person else "",
        "证件号码": record.party_id_number if person else "",
        "数据来源单位": source_body.name,
        "数据来源单位统一社会信用代码": source_body.credit_code,
        "备注": (f"撤回：{pub.withdraw_reason or pub.get_status_display()}" if withdrawn else ""),
    }
    c = record.credit
    if record.kind == "penalty":
        row.update({
            "行政处罚决定书文号": record.decision_number, "违法行为类型": c.get("违法行为类型", ""), "违法事实": c.get("违法事实", ""),
            "处罚依据": c.get("处罚依据", ""), "处罚类别": "；".join(record.categories), "处罚内容": c.get("处罚内容", ""),
            "罚款金额(万元)": _wan(record.fine), "没收违法所得、没收非法财物的金额(万元)": _wan(record.confiscated),
            "暂扣或吊销证照名称及编号": record.licence, "处罚决定日期": _d(record.decided_on),
            # 处罚有效期: the end of the penalty's own effect (a suspension's term), long-term where it has none;
            # 公示截止期: the end of the publication period from the credit rules — two different dates.
            "处罚有效期": "" if record.term_problem else _d(record.penalty_until or LONG_TERM), "公示截止期": _d(pub.public_until),
            "处罚机关": c.get("处罚机关", ""), "处罚机关统一社会信用代码": c.get("处罚机关统一社会信用代码", ""),
        })
    else:
        row.update({
            "行政许可决定文书名称": c.get("行政许可决定文书名称", ""), "行政许可决定文书号": record.decision_number,
            "许可类别": c.get("许可类别", ""), "许可证书名称": c.get("许可证书名称", ""), "许可编号": c.get("许可编号", ""),
            "许可内容": c.get("许可内容", ""), "许可决定日期": _d(record.decided_on), "有效期自": _d(c.get("有效期自")),
            "有效期至": _d(c.get("有效期至") or FAR_FUTURE), "许可机关": c.get("许可机关", ""),
            "许可机关统一社会信用代码": c.get("许可机关统一社会信用代码", ""),
            "当前状态": "2" if (record.changed_on or withdrawn) else "1",
        })
    out = {k: row.get(k, "") for k in LAYOUTS[record.kind]}
    out.update({"本地编号": str(pub.pk), "数据操作类型": A(action).label})
    return out


def _check_document(problems: list, label: str, id_type_label: str, number: str) -> None:
    types = {v: k for k, v in ID_TYPE_LABELS.items()}
    if id_type_label not in types:
        problems.append(f"{label}证件类型应为：{'、'.join(ID_TYPE_LABELS.values())}")
        return
    try:
        validate_identity_document(types[id_type_label], number)
    except ValidationError as exc:
        problems.append(f"{label}证件号码无效：{exc.messages[0]}")


def _amount(problems: list, name: str, value: str) -> None:
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        problems.append(f"{name}不是数字")
        return
    if amount < 0:
        problems.append(f"{name}不能为负数")
    if amount.as_tuple().exponent < -6:
        problems.append(f"{name}最多六位小数（万元）")


def validate_row(layout: str, row: dict) -> list[str]:
    """Problems of one row against the field specification (Chinese), empty when it may leave."""
    problems = [f"{name}不能为空" for name in REQUIRED[layout] if not str(row.get(name, "")).strip()]
    category = row.get("行政相对人类别")
    if category == PARTY_PERSON:
        _check_document(problems, "", row.get("证件类型", ""), row.get("证件号码", ""))
        if row.get("统一社会信用代码"):
            problems.append("自然人不应填写统一社会信用代码")
    elif category in (PARTY_ORGANISATION, PARTY_INDIVIDUAL_BUSINESS):
        try:
            validate_credit_code(row.get("统一社会信用代码", ""))
        except ValidationError:
            problems.append("统一社会信用代码无效（GB 32100）")
        if (category == PARTY_INDIVIDUAL_BUSINESS) != is_individual_business(row.get("统一社会信用代码", "")):
            problems.append("行政相对人类别与统一社会信用代码的登记类型不符（个体工商户为92开头）")
        if not row.get("法定代表人", "").strip():
            problems.append("法人及非法人组织、个体工商户须填写法定代表人（负责人、经营者）")
        if row.get("法定代表人证件号码"):
            _check_document(problems, "法定代表人", row.get("法定代表人证件类型", ""), row["法定代表人证件号码"])
        if row.get("证件号码"):
            problems.append("证件类型、证件号码仅自然人填写")
    elif category:
        problems.append(f"行政相对人类别应为：{PARTY_ORGANISATION}、{PARTY_PERSON}、{PARTY_INDIVIDUAL_BUSINESS}")
    for name in ("处罚机关统一社会信用代码", "许可机关统一社会信用代码", "数据来源单位统一社会信用代码"):
        if row.get(name):
            try:
                validate_credit_code(row[name])
            except ValidationError:
                problems.append(f"{name}无效（GB 32100）")
    dates = {}
    for name in ("处罚决定日期", "处罚有效期", "公示截止期", "许可决定日期", "有效期自", "有效期至"):
        if row.get(name):
            try:
                dates[name] = date.fromisoformat(row[name])
            except ValueError:
                problems.append(f"{name}格式应为YYYY-MM-DD")
    if "公示截止期" in dates and "处罚决定日期" in dates and dates["公示截止期"] < dates["处罚决定日期"]:
        problems.append("公示截止期早于处罚决定日期")
    if "处罚有效期" in dates and "处罚决定日期" in dates and dates["处罚有效期"] < dates["处罚决定日期"]:
        problems.append("处罚有效期早于处罚决定日期")
    if "有效期至" in dates and "有效期自" in dates and dates["有效期至"] < dates["有效期自"]:
        problems.append("有效期至早于有效期自")
    if layout == "penalty":
        categories = [c for c in str(row.get("处罚类别", "")).split("；") if c]
        unknown = [c for c in categories if c not in PENALTY_CATEGORIES]
        if unknown:
            problems.append(f"处罚类别“{'、'.join(unknown)}”不在规定的类别中")
        for name, needed, label in (("罚款金额(万元)", {"罚款"}, "罚款"), ("没收违法所得、没收非法财物的金额(万元)", CONFISCATION, "没收")):
            if row.get(name):
                _amount(problems, name, row[name])
            elif needed & set(categories):
                problems.append(f"处罚类别含{label}但{name}为空")
        if LICENCE & set(categories) and not row.get("暂扣或吊销证照名称及编号"):
            problems.append("处罚类别含暂扣或吊销许可证件，须填写暂扣或吊销证照名称及编号")
    elif row.get("当前状态") not in ("1", "2"):
        problems.append("当前状态应为1（有效）或2（无效）")
    return problems


def _hash(row: dict) -> str:
    data = {k: v for k, v in row.items() if k not in CONTROL_FIELDS}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@dataclass
class Change:
    """One row to send (or held back): the publication, its export state, the change and the validated row."""

    publication: Publication
    item: ExportItem | None
    action: str
    row: dict
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ExportResult:
    layout: str
    rows: list[dict]
    errors: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    dry_run: bool = False
    batch: ExportBatch | None = None


def should_be_sent(pub: Publication) -> bool:
    """A publication the credit platform must show: published, and (penalties) published by the credit rules."""
    return pub.status == P.PUBLISHED and (pub.kind != "penalty" or pub.credit_published)


def changes(*, publications, layout: str, limit: int = 5000) -> tuple[list[Change], list[ExportItem], list[Publication]]:
    """What the next export sends for ``publications`` (already scoped): new, changed and withdrawn rows, and rows
    pending from earlier exports. Also returns items to drop (never sent, no longer to send) and publications
    looked at with nothing to send (their check time moves on)."""
    candidates = (publications.filter(kind=layout).exclude(status=P.REVIEW)
                  .filter(Q(export_item__isnull=True) | Q(export_item__status__in=[ExportItem.Status.PENDING, ExportItem.Status.REJECTED])
                          | Q(updated_at__gt=F("export_item__synced_at")))
                  .select_related("export_item", "organisation").order_by("pk")[:limit])
    pubs = list(candidates)
    records = {}
    by_type: dict[str, list[str]] = {}
    for pub in pubs:
        by_type.setdefault(pub.subject_type, []).append(pub.subject_id)
    for subject_type, ids in by_type.items():
        source = sources.SOURCES.get(subject_type)
        if source:
            records.update({(r.subject_type, r.subject_id): r for r in source(ids)})
    out, drop, unchanged = [], [], []
    for pub in pubs:
        item = getattr(pub, "export_item", None)
        # The platform holds a valid row: sent (and not refused as new) and not withdrawn since.
        sent_valid = (item is not None and item.sent_at is not None and item.action != A.WITHDRAWN
                      and not (item.status == ExportItem.Status.REJECTED and item.action == A.NEW))
        if should_be_sent(pub):
            action = A.CHANGED if sent_valid else A.NEW
        elif sent_valid:
            action = A.WITHDRAWN
        else:
            if item is not None and item.sent_at is None:
                drop.append(item)  # held back and never sent: nothing to withdraw
            else:
                unchanged.append(pub)
            continue
        record = records.get((pub.subject_type, pub.subject_id))
        if record is None:
            out.append(Change(pub, item, action, {"本地编号": str(pub.pk), "数据操作类型": A(action).label}, ["来源记录不存在"]))
            continue
        row = row_for(record, pub, action)
        if action == A.CHANGED and item.row_hash == _hash(row) and item.status not in (ExportItem.Status.PENDING, ExportItem.Status.REJECTED):
            unchanged.append(pub)
            continue
        problems = validate_row(layout, row) + ([record.term_problem] if record.term_problem else [])
        out.append(Change(pub, item, action, row, problems))
    return out, drop, unchanged


EXPORT_WRITE_BATCH = 500  # rows per INSERT/UPDATE of the export state (``export``)


def export(*, actor, organisation, publications, layout: str, file_format: str, dry_run: bool = False) -> ExportResult:
    """Send what changed since the last export (new, changed, withdrawn) and what is still pending. ``dry_run``
    computes the same rows and writes nothing (no batch, no item, no audit record)."""
    if layout not in LAYOUTS:
        raise DomainError("invalid_layout", "数据类别应为行政处罚或行政许可。")
    if actor is not None and not dry_run:
        assert_role(actor, Role.OFFICER, Role.HEAD, Role.ADMIN)
    found, drop, unchanged = changes(publications=publications, layout=layout)
    good = [c for c in found if c.ok]
    counts = {a: sum(1 for c in good if c.action == a) for a in A.values}
    result = ExportResult(layout=layout, rows=[c.row for c in good], counts=counts, dry_run=dry_run,
                          errors=[{"publication": c.publication.pk, "decision_number": c.publication.decision_number,
                                   "action": A(c.action).label, "problems": c.problems} for c in found if not c.ok])
    if dry_run:
        return result
    now = timezone.now()
    with transaction.atomic():
        batch = ExportBatch.objects.create(organisation=organisation, layout=layout, file_format=file_format, rows=len(good),
                                           new=counts[A.NEW], changed=counts[A.CHANGED], withdrawn=counts[A.WITHDRAWN],
                                           errors=result.errors, created_by=actor)
        # Each publication's export state in bulk (its item came with it from ``changes``): INSERTs of the
        # new items and UPDATEs of the changed ones in batches of EXPORT_WRITE_BATCH rows, not a locked read
        # and a write per row (~2,500 statements for the demo's exports).
        created, updated = [], {True: [], False: []}
        for c in found:
            values = {"organisation": c.publication.organisation, "layout": layout, "action": c.action, "synced_at": now}
            if c.ok:
                values.update(status=ExportItem.Status.SENT, row_hash=_hash(c.row), problems=[], batch=batch, sent_at=now, answered_at=None)
            else:
                values.update(status=ExportItem.Status.PENDING, problems=c.problems)
            if c.item is None:
                created.append(ExportItem(publication=c.publication, **values))
            else:
                for name, value in values.items():
                    setattr(c.item, name, value)
                updated[c.ok].append(c.item)
        ExportItem.objects.bulk_create(created, batch_size=EXPORT_WRITE_BATCH)
        for ok, items in updated.items():
            fields = ["organisation", "layout", "action", "synced_at", "status", "problems"]
            sent = ["row_hash", "batch", "sent_at", "answered_at"] if ok else []
            # A batch bounds the statement: bulk_update writes one CASE per field with a WHEN per row, and on
            # PostgreSQL Django puts every row in one statement.
            ExportItem.objects.bulk_update(items, fields + sent, batch_size=EXPORT_WRITE_BATCH)
        ExportItem.objects.filter(pk__in=[i.pk for i in drop]).delete()
        ExportItem.objects.filter(publication__in=unchanged).update(synced_at=now)
        audit.record(actor=actor, action="credit_export.create", subject=batch, organisation=organisation, after=audit.snapshot(batch),
                     summary=f"双公示报送（{batch.get_layout_display()}）{len(good)} 条：新增 {batch.new}、变更 {batch.changed}、"
                             f"撤回 {batch.withdrawn}；校验未通过 {len(result.errors)} 条待报送")
    result.batch = batch
    return result


def reconcile(*, actor, batch: ExportBatch, accepted: list, rejected: dict) -> ExportBatch:
    """Apply the platform's receipt: ``accepted`` local row keys (本地编号) and ``rejected`` {key: reason}. A rejected
    row goes back to pending and is sent again by the next export. Keys that are not rows of this batch are refused."""
    if actor is not None:
        assert_role(actor, Role.OFFICER, Role.HEAD, Role.ADMIN)
        assert_in_jurisdiction(actor, batch.organisation)
    items = {str(i.publication_id): i for i in batch.items.all()}
    unknown = [str(k) for k in [*accepted, *rejected] if str(k) not in items]
    if unknown:
        raise DomainError("unknown_rows", f"回执中的本地编号 {'、'.join(unknown[:5])} 不是本批次报送的记录。")
    now = timezone.now()
    with transaction.atomic():
        before = audit.snapshot(batch)
        for key in accepted:
            ExportItem.objects.filter(pk=items[str(key)].pk).update(status=ExportItem.Status.ACCEPTED, answered_at=now, problems=[])
        for key, reason in rejected.items():
            ExportItem.objects.filter(pk=items[str(key)].pk).update(status=ExportItem.Status.REJECTED, answered_at=now,
                                                                    problems=[f"平台退回：{reason}"])
        answered = batch.items.filter(status__in=[ExportItem.Status.ACCEPTED, ExportItem.Status.REJECTED])
        batch.accepted = answered.filter(status=ExportItem.Status.ACCEPTED).count()
        batch.rejected = answered.filter(status=ExportItem.Status.REJECTED).count()
        batch.reconciled_at = now if batch.accepted + batch.rejected == batch.rows else None
        batch.save(update_fields=["accepted", "rejected", "reconciled_at"])
        audit.record(actor=actor, action="credit_export.reconcile", subject=batch, organisation=batch.organisation, before=before,
                     after=audit.snapshot(batch),
                     summary=f"双公示回执对账：报送 {batch.rows} 条，平台接收 {batch.accepted} 条、退回 {batch.rejected} 条")
    return batch


def parse_receipt(fileobj) -> dict:
    """The platform's receipt (JSON): {"accepted": [本地编号, …], "rejected": [{"本地编号": …, "原因": "…"}, …]}."""
    if fileobj is None:
        raise DomainError("receipt_required", "请上传信用平台回执文件。")
    try:
        data = json.loads(fileobj.read().decode("utf-8-sig"))
        accepted = [str(k) for k in data.get("accepted", [])]
        rejected = {str(r["本地编号"]): str(r.get("原因", "")) for r in data.get("rejected", [])}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise DomainError("invalid_receipt", "回执文件格式不正确：应为JSON，含accepted（本地编号列表）和rejected（本地编号与原因）。") from None
    return {"accepted": accepted, "rejected": rejected}


def inconsistent_sets(*, today: date) -> list:
    """Publications whose 双公示 state differs from the portal (the pipeline's "everywhere or nowhere"), and batches
    whose receipt does not add up — each one query: (failing rows, describe)."""
    to_send = Q(status=P.PUBLISHED) & (~Q(kind="penalty") | Q(credit_published=True))  # should_be_sent, in SQL
    in_export = (Q(export_item__isnull=False) & ~Q(export_item__action=A.WITHDRAWN)
                 & Q(export_item__status__in=[ExportItem.Status.SENT, ExportItem.Status.ACCEPTED]))
    pubs = Publication.objects.exclude(status=P.REVIEW).select_related("export_item")
    missing = pubs.filter(to_send, published_on__lt=today).exclude(in_export).order_by("pk")
    stale = pubs.filter(to_send & in_export, export_item__synced_at__isnull=False, updated_at__gt=F("export_item__synced_at"),
                        updated_at__date__lt=today).order_by("pk")
    still_valid = pubs.filter(in_export).exclude(to_send).order_by("pk")
    batches = ExportBatch.objects.filter(reconciled_at__isnull=False).exclude(rows=F("accepted") + F("rejected")).order_by("pk")

    def label(pub):
        return f"{pub.get_kind_display()} {pub.decision_number}"

    def describe_missing(pub):
        item = getattr(pub, "export_item", None)
        why = f"（校验未通过：{'；'.join(item.problems)}）" if item is not None and item.problems else ""
        return f"{label(pub)} 已在门户公开，双公示导出中没有{why}"

    return [(missing, describe_missing),
            (stale, lambda pub: f"{label(pub)} 公开信息已变更，双公示未重新报送"),
            (still_valid, lambda pub: f"{label(pub)} 门户为“{pub.get_status_display()}”，双公示中仍为有效（未报送撤回）"),
            (batches, lambda b: f"双公示批次 #{b.pk} 报送 {b.rows} 条，回执接收 {b.accepted} 条、退回 {b.rejected} 条，对不上")]


def render(result: ExportResult, file_format: str) -> tuple[bytes, str, str]:
    """(content, content type, file extension)."""
    fields = LAYOUTS[result.layout] + CONTROL_FIELDS
    if file_format == "json":
        data = {"layout": result.layout, "batch": result.batch.pk if result.batch else None, "dry_run": result.dry_run,
                "counts": result.counts, "rows": result.rows, "errors": result.errors}
        return json.dumps(data, ensure_ascii=False, indent=1).encode(), "application/json", "json"
    if file_format == "xlsx":
        from zhifa.core import xlsx

        sheets = [xlsx.Sheet("行政处罚" if result.layout == "penalty" else "行政许可", fields, ([row[f] for f in fields] for row in result.rows))]
        if result.errors:
            sheets.append(xlsx.Sheet("校验未通过", ["本地编号", "决定书文号", "数据操作类型", "问题"],
                                     ([e["publication"], e["decision_number"], e["action"], "；".join(e["problems"])] for e in result.errors)))
        return xlsx.workbook_bytes(sheets), xlsx.CONTENT_TYPE, "xlsx"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields)
    writer.writeheader()
    writer.writerows(result.rows)
    return ("\ufeff" + buf.getvalue()).encode(), "text/csv; charset=utf-8", "csv"
