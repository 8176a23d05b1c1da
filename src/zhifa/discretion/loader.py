"""Reading and writing benchmark editions (YAML and XLSX) with per-row validation, and loading the shipped
reference data (``data/*.yaml``). The functions that write take the model classes as an argument so the data
migration can run them with historical models; ``services.edition_import`` wraps them with the audit record."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace

import yaml

from zhifa.core import provisions, xlsx
from zhifa.core.errors import DomainError

from .models import LEGACY_PENALTY_KINDS, PenaltyKind

# libyaml's loader when PyYAML was built with it (the wheels are): the same documents, ~10× faster than the
# pure Python one. The shipped catalogue is read by a data migration and again after every flush of a
# transactional test (0.5 s of CPU a time with the pure Python loader).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_load(content: bytes | str):
    """``yaml.safe_load`` with the fastest safe loader available."""
    return yaml.load(content, Loader=_Loader)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)

DATA_DIR = Path(__file__).resolve().parent / "data"

PENALTY_KINDS = dict(PenaltyKind.choices)
# Labels of older editions that grouped two kinds of 行政处罚法 Art. 9 under one code; read as both kinds.
GROUPED_LABELS = {"没收违法所得、没收非法财物": ["confiscate_income", "confiscate_property"],
                  "责令停产停业、责令关闭": ["order_stop", "order_closure"], **LEGACY_PENALTY_KINDS}
LEVELS = {"minor": "轻微", "general": "一般", "serious": "较重", "severe": "严重"}
LIST_KINDS = {"minor_no_penalty": "轻微违法行为不予处罚清单", "first_violation": "首次违法行为不予处罚清单",
              "lenient": "从轻处罚清单", "mitigated": "减轻处罚清单", "no_coercion": "不予实施行政强制措施清单"}
FORMULAS = {"": "按裁量阶次", "overload_mass": "超限（车货总质量）", "overload_dimension": "超限（外廓尺寸）"}
ROUNDINGS = {"floor": "向下取整", "ceil": "向上取整", "proportional": "按比例"}
STATUSES = {"text": "已对照法规原文", "secondary": "据公开转引核对", "unconfirmed": "待核对"}

EDITION_FIELDS = [("code", "版本编号"), ("name", "名称"), ("region", "适用地区"), ("effective_from", "施行日期"),
                  ("source", "发布文件"), ("overload_rounding", "超限不足1000千克部分计算方式"),
                  ("lenient_share", "从轻幅度比例"), ("mitigated_share", "减轻幅度比例")]
ITEM_COLUMNS = [("code", "事项编码"), ("name", "违法行为"), ("category", "类别"), ("violated_provision", "违反条款"),
                ("penalty_basis", "处罚依据"), ("penalty_kinds", "处罚种类"), ("statutory_min", "法定罚款下限"),
                ("statutory_max", "法定罚款上限"), ("life_health_safety", "涉及生命健康安全"), ("formula", "计算公式"),
                ("provision_status", "条款核对状态"), ("note", "备注")]
LEVEL_COLUMNS = [("item", "事项编码"), ("level", "裁量阶次"), ("circumstances", "适用情形"), ("criteria", "判定条件"),
                 ("penalty_kinds", "处罚种类"), ("min_amount", "罚款下限"), ("max_amount", "罚款上限"),
                 ("recommended", "建议罚款")]
LIST_COLUMNS = [("kind", "清单"), ("item", "事项编码"), ("conditions", "适用条件"), ("criteria", "判定条件"), ("basis", "依据")]
SHEETS = {"edition": "版本", "items": "事项", "levels": "裁量阶次", "lists": "清单"}


@dataclass
class Parsed:
    """A validated edition: ``errors`` lists every problem with its sheet and row; nothing is applied if any."""

    edition: dict = field(default_factory=dict)
    items: list[dict] = field(default_factory=list)
    levels: list[dict] = field(default_factory=list)
    lists: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---- parsing -------------------------------------------------------------------------------------------

def _code_of(value, mapping: dict) -> str | None:
    """Accept an English code or its Chinese label."""
    if value is None:
        return None
    text = str(value).strip()
    if text in mapping:
        return text
    for code, label in mapping.items():
        if text == label:
            return code
    return None


def _decimal(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"“{value}”不是有效的数额") from exc


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip() in ("是", "true", "True", "1", "yes", "Y")


def _kinds(value) -> list[str]:
    if value is None or value == "":
        return []
    parts = value if isinstance(value, list) else re.split(r"[,，;；]", str(value))
    result = []
    for part in parts:
        if not str(part).strip():
            continue
        text = str(part).strip()
        code = _code_of(text, PENALTY_KINDS)
        # "、" separates kinds too; an older edition's grouped label (责令停产停业、责令关闭) stands for both kinds.
        pieces = [code] if code else GROUPED_LABELS.get(text) or [_code_of(p, PENALTY_KINDS) for p in text.split("、")]
        if None in pieces:
            raise ValueError(f"未知的处罚种类“{str(part).strip()}”")
        result.extend(p for p in pieces if p not in result)
    return result


def _criteria(value) -> dict:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return value
    try:
        data = json.loads(str(value))
    except json.JSONDecodeError as exc:
        raise ValueError(f"判定条件不是有效的JSON：{exc.msg}") from exc
    if not isinstance(data, dict):
        raise ValueError("判定条件须为JSON对象，如 {\"harm\": [\"none\"]}")
    return data


def _date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _validate(parsed: Parsed, *, existing_items: set[str], existing_editions: set[str]) -> Parsed:
    ed = parsed.edition
    where = f"工作表「{SHEETS['edition']}」"
    clean_ed = {}
    for key, label in EDITION_FIELDS:
        value = ed.get(key)
        try:
            if key in ("code", "name", "effective_from") and (value is None or str(value).strip() == ""):
                raise ValueError("必填")
            if key == "effective_from":
                value = _date(value)
            elif key == "overload_rounding":
                code = _code_of(value or "floor", ROUNDINGS)
                if code is None:
                    raise ValueError(f"未知的计算方式“{value}”")
                value = code
            elif key in ("lenient_share", "mitigated_share"):
                value = _decimal(value) if value not in (None, "") else Decimal("0.30" if key == "lenient_share" else "0.50")
                if not Decimal(0) <= value <= Decimal(1):
                    raise ValueError("比例须在0到1之间")
            else:
                value = str(value or "").strip()
            clean_ed[key] = value
        except ValueError as exc:
            parsed.errors.append(f"{where}“{label}”：{exc}")
    if clean_ed.get("code") in existing_editions:
        parsed.errors.append(f"{where}“版本编号”：{clean_ed['code']}已存在，请使用新的版本编号")
    clean_ed["region"] = clean_ed.get("region") or "全国"
    parsed.edition = clean_ed

    codes: set[str] = set()
    items = []
    for row in parsed.items:
        n, data, problems = row["_row"], row, []
        where = f"工作表「{SHEETS['items']}」第{n}行"
        code = str(data.get("code") or "").strip()
        item = {"code": code, "_row": n}
        if not code:
            problems.append("“事项编码”必填")
        elif code in codes:
            problems.append(f"事项编码{code}在文件中重复")
        codes.add(code)
        for key in ("name", "violated_provision", "penalty_basis"):
            item[key] = str(data.get(key) or "").strip()
            if not item[key]:
                problems.append(f"“{dict(ITEM_COLUMNS)[key]}”必填")
            elif key != "name":
                try:  # the documents compose the legal basis from these citations (core.provisions)
                    provisions.parse(item[key])
                except DomainError as exc:
                    problems.append(f"“{dict(ITEM_COLUMNS)[key]}”{exc.message}")
        item["category"] = str(data.get("category") or "").strip()
        item["note"] = str(data.get("note") or "").strip()
        try:
            item["penalty_kinds"] = _kinds(data.get("penalty_kinds"))
            if not item["penalty_kinds"]:
                problems.append("“处罚种类”必填")
        except ValueError as exc:
            problems.append(str(exc))
        for key in ("statutory_min", "statutory_max"):
            try:
                item[key] = _decimal(data.get(key))
                if item[key] is not None and item[key] < 0:
                    problems.append(f"“{dict(ITEM_COLUMNS)[key]}”不得为负数")
            except ValueError as exc:
                problems.append(f"“{dict(ITEM_COLUMNS)[key]}”：{exc}")
        if item.get("statutory_min") is not None and item.get("statutory_max") is not None \
                and item["statutory_min"] > item["statutory_max"]:
            problems.append("法定罚款下限高于上限")
        item["life_health_safety"] = _bool(data.get("life_health_safety"))
        formula = _code_of(data.get("formula") or "", FORMULAS)
        if formula is None:
            problems.append(f"未知的计算公式“{data.get('formula')}”")
        item["formula"] = formula or ""
        status = _code_of(data.get("provision_status") or "unconfirmed", STATUSES)
        if status is None:
            problems.append(f"未知的条款核对状态“{data.get('provision_status')}”")
        item["provision_status"] = status or "unconfirmed"
        parsed.errors.extend(f"{where}：{p}" for p in problems)
        items.append(item)
    parsed.items = items
    known = codes | existing_items

    seen = set()
    levels = []
    for data in parsed.levels:
        n, problems = data["_row"], []
        where = f"工作表「{SHEETS['levels']}」第{n}行"
        lv = {"item": str(data.get("item") or "").strip(), "_row": n}
        if lv["item"] not in known:
            problems.append(f"事项编码“{lv['item']}”不在目录中")
        lv["level"] = _code_of(data.get("level"), LEVELS)
        if lv["level"] is None:
            problems.append(f"未知的裁量阶次“{data.get('level')}”（应为轻微、一般、较重、严重）")
        if (lv["item"], lv["level"]) in seen:
            problems.append("同一事项的裁量阶次重复")
        seen.add((lv["item"], lv["level"]))
        lv["circumstances"] = str(data.get("circumstances") or "").strip()
        if not lv["circumstances"]:
            problems.append("“适用情形”必填")
        try:
            lv["criteria"] = _criteria(data.get("criteria"))
        except ValueError as exc:
            problems.append(str(exc))
        try:
            lv["penalty_kinds"] = _kinds(data.get("penalty_kinds"))
        except ValueError as exc:
            problems.append(str(exc))
        for key in ("min_amount", "max_amount", "recommended"):
            try:
                lv[key] = _decimal(data.get(key))
            except ValueError as exc:
                problems.append(f"“{dict(LEVEL_COLUMNS)[key]}”：{exc}")
        lo, hi, rec = lv.get("min_amount"), lv.get("max_amount"), lv.get("recommended")
        if lo is not None and hi is not None and lo > hi:
            problems.append("罚款下限高于上限")
        if rec is not None and ((lo is not None and rec < lo) or (hi is not None and rec > hi)):
            problems.append("建议罚款不在该阶次的幅度内")
        parsed.errors.extend(f"{where}：{p}" for p in problems)
        levels.append(lv)
    parsed.levels = levels

    seen = set()
    entries = []
    for data in parsed.lists:
        n, problems = data["_row"], []
        where = f"工作表「{SHEETS['lists']}」第{n}行"
        entry = {"item": str(data.get("item") or "").strip(), "_row": n}
        entry["kind"] = _code_of(data.get("kind"), LIST_KINDS)
        if entry["kind"] is None:
            problems.append(f"未知的清单“{data.get('kind')}”")
        if entry["item"] not in known:
            problems.append(f"事项编码“{entry['item']}”不在目录中")
        if (entry["kind"], entry["item"]) in seen:
            problems.append("同一清单中该事项重复")
        seen.add((entry["kind"], entry["item"]))
        entry["conditions"] = str(data.get("conditions") or "").strip()
        entry["basis"] = str(data.get("basis") or "").strip()
        for key in ("commitment_required", "lookback_months"):
            if data.get(key) not in (None, ""):
                if key == "commitment_required":
                    entry[key] = _bool(data[key])
                elif str(data[key]).strip().isdigit():
                    entry[key] = int(str(data[key]).strip())
                else:
                    problems.append(f"“追溯期间（月）”应为整数：{data[key]}")
        if not entry["conditions"]:
            problems.append("“适用条件”必填")
        if not entry["basis"]:
            problems.append("“依据”必填")
        try:
            entry["criteria"] = _criteria(data.get("criteria"))
        except ValueError as exc:
            problems.append(str(exc))
        parsed.errors.extend(f"{where}：{p}" for p in problems)
        entries.append(entry)
    parsed.lists = entries
    return parsed


def parse_yaml(content: bytes | str, **known) -> Parsed:
    """The nested YAML form (``edition`` + ``items`` each with ``levels`` and ``lists``)."""
    try:
        doc = yaml_load(content)
    except yaml.YAMLError as exc:
        return Parsed(errors=[f"YAML格式错误：{exc}"])
    if not isinstance(doc, dict) or "edition" not in doc or "items" not in doc:
        return Parsed(errors=["YAML须包含 edition 和 items 两部分"])
    parsed = Parsed(edition=dict(doc.get("edition") or {}))
    for n, item in enumerate(doc.get("items") or [], start=1):
        item = dict(item)
        for lv in item.pop("levels", None) or []:
            parsed.levels.append({**lv, "item": item.get("code"), "_row": f"{n}（事项{item.get('code')}）"})
        for entry in item.pop("lists", None) or []:
            parsed.lists.append({**entry, "item": item.get("code"), "_row": f"{n}（事项{item.get('code')}）"})
        parsed.items.append({**item, "_row": n})
    return _validate(parsed, **known)


def parse_xlsx(content: bytes, **known) -> Parsed:
    """The workbook form: sheets 版本 (key/value), 事项, 裁量阶次, 清单, each with a header row."""
    try:
        names = xlsx.sheet_names(content)
    except DomainError as exc:
        return Parsed(errors=[f"无法读取Excel文件：{exc.message}"])
    missing = [name for name in SHEETS.values() if name not in names]
    if missing:
        return Parsed(errors=[f"缺少工作表：{'、'.join(missing)}"])
    parsed = Parsed()
    labels = {label: key for key, label in EDITION_FIELDS} | {key: key for key, _ in EDITION_FIELDS}
    for row in xlsx.read_values(content, sheet=SHEETS["edition"])[1:]:
        if row and row[0] is not None and str(row[0]).strip() in labels:
            parsed.edition[labels[str(row[0]).strip()]] = row[1] if len(row) > 1 else None

    def rows(sheet: str, columns):
        # The shared reader; a column may be headed by its Chinese label or its key. An empty cell is None here.
        by_label = {label: key for key, label in columns} | {key: key for key, _ in columns}
        found, problems = xlsx.read_rows(content, by_label, required=[key for key, _ in columns], sheet=SHEETS[sheet])
        parsed.errors.extend(problems)
        return [{k: (None if v == "" else v) for k, v in row.values.items()} | {"_row": row.number} for row in found]

    parsed.items = rows("items", ITEM_COLUMNS)
    parsed.levels = rows("levels", LEVEL_COLUMNS)
    parsed.lists = rows("lists", LIST_COLUMNS)
    if parsed.errors:
        return parsed
    return _validate(parsed, **known)


def parse(content: bytes, filename: str, **known) -> Parsed:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return parse_xlsx(content, **known)
    if name.endswith((".yaml", ".yml")):
        return parse_yaml(content, **known)
    return Parsed(errors=["只支持 .xlsx 或 .yaml 文件"])


# ---- applying ------------------------------------------------------------------------------------------

ITEM_FIELDS = ["name", "category", "violated_provision", "penalty_basis", "penalty_kinds", "statutory_min",
               "statutory_max", "life_health_safety", "formula", "provision_status", "note"]


def apply(parsed: Parsed, M, *, imported_from: str = "", on_item=None):
    """Create the edition, its levels and list entries, and create or update the items. ``M`` holds the model
    classes (real or historical); ``on_item(item, before_or_None)`` is called for each created/changed item."""
    assert parsed.ok, parsed.errors
    edition = M.BenchmarkEdition.objects.create(imported_from=imported_from, **parsed.edition)
    by_code = {}
    for data in parsed.items:
        values = {k: data[k] for k in ITEM_FIELDS}
        item = M.ViolationItem.objects.filter(code=data["code"]).first()
        if item is None:
            item = M.ViolationItem.objects.create(code=data["code"], **values)
            if on_item:
                on_item(item, None)
        else:
            before = {k: getattr(item, k) for k in ITEM_FIELDS}
            if any(before[k] != values[k] for k in ITEM_FIELDS):
                for k, v in values.items():
                    setattr(item, k, v)
                item.save()
                if on_item:
                    on_item(item, before)
        by_code[item.code] = item

    def item_for(code):
        if code not in by_code:
            by_code[code] = M.ViolationItem.objects.get(code=code)
        return by_code[code]

    for lv in parsed.levels:
        M.BenchmarkLevel.objects.create(
            edition=edition, item=item_for(lv["item"]), level=lv["level"], circumstances=lv["circumstances"],
            criteria=lv["criteria"], penalty_kinds=lv["penalty_kinds"], min_amount=lv["min_amount"],
            max_amount=lv["max_amount"], recommended=lv["recommended"])
    # Historical models of the first data migration have no commitment field yet.
    has_commitment = any(f.name == "commitment_required" for f in M.ListEntry._meta.get_fields())
    for entry in parsed.lists:
        extra = {}
        if has_commitment:
            # The first-violation list asks the party for a written commitment unless the edition says otherwise.
            extra["commitment_required"] = bool(entry.get("commitment_required", entry["kind"] == "first_violation"))
            if entry.get("lookback_months"):
                extra["lookback_months"] = int(entry["lookback_months"])
        M.ListEntry.objects.create(edition=edition, item=item_for(entry["item"]), kind=entry["kind"],
                                   conditions=entry["conditions"], criteria=entry["criteria"], basis=entry["basis"], **extra)
    return edition


def known_codes(M) -> dict:
    return {"existing_items": set(M.ViolationItem.objects.values_list("code", flat=True)),
            "existing_editions": set(M.BenchmarkEdition.objects.values_list("code", flat=True))}


def load_overload_rules(M, path: Path | None = None) -> int:
    """Load ``data/overload_rules.yaml`` (skipping versions already present)."""
    count = 0
    for row in yaml_load((path or DATA_DIR / "overload_rules.yaml").read_text(encoding="utf-8")):
        if M.OverloadRuleVersion.objects.filter(code=row["code"]).exists():
            continue
        M.OverloadRuleVersion.objects.create(**row)
        count += 1
    return count


def load_review_rules(M, path: Path | None = None) -> int:
    count = 0
    for row in yaml_load((path or DATA_DIR / "review_rules.yaml").read_text(encoding="utf-8")):
        row = {k: v for k, v in row.items() if v is not None}
        lookup = {k: row.get(k, "") for k in ("catalogue", "kind", "party_kind", "penalty_kind", "item_code")}
        if M.ReviewRule.objects.filter(effective_from=row["effective_from"], region=row.get("region", "全国"), **lookup).exists():
            continue
        M.ReviewRule.objects.create(**row)
        count += 1
    return count


def load_shipped(M) -> list[str]:
    """Load every shipped data file that is not loaded yet; returns what was done (for the CLI)."""
    done = []
    n = load_overload_rules(M)
    done.append(f"超限规则版本：新增{n}个")
    n = load_review_rules(M)
    done.append(f"法制审核与听证目录：新增{n}条")
    content = (DATA_DIR / "catalogue_national.yaml").read_text(encoding="utf-8")
    code = yaml_load(content)["edition"]["code"]
    if M.BenchmarkEdition.objects.filter(code=code).exists():
        done.append(f"裁量基准{code}：已存在")
    else:
        parsed = parse_yaml(content, **known_codes(M))
        if not parsed.ok:
            raise ValueError("；".join(parsed.errors))
        edition = apply(parsed, M, imported_from="data/catalogue_national.yaml")
        done.append(f"裁量基准{edition.code}：{len(parsed.items)}个事项、{len(parsed.levels)}个阶次、{len(parsed.lists)}条清单")
    return done


def real_models():
    from . import models

    return SimpleNamespace(ViolationItem=models.ViolationItem, BenchmarkEdition=models.BenchmarkEdition,
                           BenchmarkLevel=models.BenchmarkLevel, ListEntry=models.ListEntry,
                           ReviewRule=models.ReviewRule, OverloadRuleVersion=models.OverloadRuleVersion)


# ---- export --------------------------------------------------------------------------------------------

def _s(value):
    return str(value) if isinstance(value, Decimal) else value


def edition_document(edition) -> dict:
    """An edition with every item it uses (or, for the newest, the whole active catalogue) as the YAML form."""
    from .models import ViolationItem

    ed = {key: _s(getattr(edition, key)) for key, _ in EDITION_FIELDS}
    ed["effective_from"] = edition.effective_from.isoformat()
    # The edition's levels and list entries read once each and grouped by item (they were read per item: two
    # queries for each item of the catalogue), in the same order (by id within an item).
    levels, entries = defaultdict(list), defaultdict(list)
    for lv in edition.levels.order_by("id"):
        levels[lv.item_id].append(lv)
    for e in edition.list_entries.order_by("id"):
        entries[e.item_id].append(e)
    items = []
    for item in ViolationItem.objects.order_by("code"):
        data = {k: _s(getattr(item, k)) for k in ["code", *ITEM_FIELDS]}
        data["levels"] = [
            {"level": lv.level, "circumstances": lv.circumstances, "criteria": lv.criteria,
             "penalty_kinds": lv.penalty_kinds, "min_amount": _s(lv.min_amount), "max_amount": _s(lv.max_amount),
             "recommended": _s(lv.recommended)}
            for lv in levels[item.pk]]
        data["lists"] = [{"kind": e.kind, "conditions": e.conditions, "criteria": e.criteria, "basis": e.basis}
                         for e in entries[item.pk]]
        items.append(data)
    return {"edition": ed, "items": items}


def export_yaml(edition) -> bytes:
    class NoAlias(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    return yaml.dump(edition_document(edition), Dumper=NoAlias, allow_unicode=True, sort_keys=False, width=200).encode()


def export_xlsx(edition) -> bytes:
    """The edition as the workbook :func:`parse_xlsx` reads back (one sheet each: edition, items, levels, lists)."""
    from zhifa.core import xlsx

    doc = edition_document(edition)
    sheets = {name: [] for name in ("items", "levels", "lists")}
    for item in doc["items"]:
        sheets["items"].append([
            item["code"], item["name"], item["category"], item["violated_provision"], item["penalty_basis"],
            "；".join(PENALTY_KINDS[k] for k in item["penalty_kinds"]), item["statutory_min"], item["statutory_max"],
            item["life_health_safety"], item["formula"], item["provision_status"], item["note"]])
        for lv in item["levels"]:
            sheets["levels"].append([
                item["code"], LEVELS[lv["level"]], lv["circumstances"], json.dumps(lv["criteria"], ensure_ascii=False),
                "；".join(PENALTY_KINDS[k] for k in lv["penalty_kinds"]), lv["min_amount"], lv["max_amount"], lv["recommended"]])
        for entry in item["lists"]:
            sheets["lists"].append([LIST_KINDS[entry["kind"]], item["code"], entry["conditions"],
                                    json.dumps(entry["criteria"], ensure_ascii=False), entry["basis"]])
    return xlsx.workbook_bytes(
        [xlsx.Sheet(SHEETS["edition"], ["字段", "值"], [[label, doc["edition"][key]] for key, label in EDITION_FIELDS])]
        + [xlsx.Sheet(SHEETS[name], [label for _, label in columns], sheets[name])
           for name, columns in (("items", ITEM_COLUMNS), ("levels", LEVEL_COLUMNS), ("lists", LIST_COLUMNS))])
