"""zhifa overload assess --axles 6 --gross-kg 55000 [--truck|--combination] [--drive-axle single]
[--single-tyre-axles N] [--date 2026-05-01] [--height M --width M --length M] [--rounding floor|ceil|proportional] --json

Prints the Art. 3 limit, the excess, the outcome, the Art. 43 fine and the articles used."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhifa.core.errors import DomainError
from zhifa.discretion.engine import assess


class Command(BaseCommand):
    help = "超限认定与处罚计算（《超限运输车辆行驶公路管理规定》第三条、第四十三条）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        a = sub.add_parser("assess", help="按轴数和车货总质量计算限值、超限量、处罚")
        a.add_argument("--axles", type=int, required=True)
        a.add_argument("--gross-kg", type=int, required=True)
        kind = a.add_mutually_exclusive_group()
        kind.add_argument("--truck", action="store_true", help="货车（默认：5轴以下为货车）")
        kind.add_argument("--combination", action="store_true", help="汽车列车（5轴及以上默认）")
        a.add_argument("--drive-axle", choices=["single", "tandem"], default="tandem")
        a.add_argument("--single-tyre-axles", type=int, default=0)
        a.add_argument("--date", help="违法日期 YYYY-MM-DD（默认今天）")
        a.add_argument("--height", type=float)
        a.add_argument("--width", type=float)
        a.add_argument("--length", type=float)
        a.add_argument("--rounding", choices=["floor", "ceil", "proportional"],
                       help="不足1000千克部分的计算方式（默认取施行中的裁量基准设定）")
        a.add_argument("--first-violation", action="store_true")
        a.add_argument("--json", action="store_true")

    def handle(self, *args, action, **o):
        try:
            on = date.fromisoformat(o["date"]) if o["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{o['date']}") from None
        combination = o["combination"] or (not o["truck"] and o["axles"] >= 5)
        facts = {"axles": o["axles"], "gross_kg": o["gross_kg"], "combination": combination,
                 "single_drive_axle": o["drive_axle"] == "single", "single_tyre_axles": o["single_tyre_axles"],
                 "height_m": o["height"], "width_m": o["width"], "length_m": o["length"],
                 "first_violation": o["first_violation"], "party_kind": "organisation",
                 "rounding": o["rounding"]}
        try:
            result = assess(item_code="CX-001", facts=facts, violation_date=on, today=on)
            info = result.overload or {}
        except DomainError as exc:
            raise CommandError(exc.message) from None
        data = {
            "date": on.isoformat(), "axles": o["axles"], "combination": combination, "gross_kg": o["gross_kg"],
            "limit_kg": info.get("limit_kg"), "limit_rule": info.get("limit_rule"), "excess_kg": info.get("excess_kg"),
            "outcome": result.outcome, "outcome_label": result.outcome_label, "penalty_kinds": result.penalty_kinds,
            "fine": str(result.amount) if result.amount is not None else None,
            "rounding": info.get("rounding"), "rounding_label": info.get("rounding_label"),
            "mass_rule": info.get("mass_rule"), "dimension_rule": info.get("dimension_rule"),
            "benchmark_version": result.benchmark_version, "articles": result.citations, "reasoning": result.reasoning,
        }
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"限值：{data['limit_kg']:,} 千克（{data['limit_rule']}）")
        self.stdout.write(f"超限：{data['excess_kg']:,} 千克")
        self.stdout.write(f"结论：{data['outcome_label']}（{'、'.join(result.penalty_kind_labels) or '无'}）")
        self.stdout.write(f"罚款：{data['fine'] or '—'} 元；计算方式：{data['rounding_label']}")
        self.stdout.write("依据：" + "；".join(data["articles"]))
