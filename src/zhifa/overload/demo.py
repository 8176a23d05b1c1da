"""Demo of off-site overload enforcement: two weighing stations (one device with an expired calibration), a month
of weigh-in-motion records ingested through the real file path, violations turned into cases, unmatched plates in
the review queue, two owners ready for remote handling (one in the defence window, one with a decision to pay),
and vehicles / a company over the 一超四罚 thresholds."""

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from zhifa.core.models import TransportCompany, Vehicle

from . import ingest, services
from .models import Device, Exemption, Lane, LeniencyRule, Station, Violation, ViolationPass

BJ = ZoneInfo("Asia/Shanghai")
AXLE_MIX = [(2, "truck", "1-1", 18_000, 30), (3, "truck", "1-2", 25_000, 8), (4, "truck", "1-1-2", 31_000, 7),
            (5, "combination", "1-2-2", 43_000, 10), (6, "combination", "1-2-3", 49_000, 45)]


def _stations(ctx) -> list[Station]:
    nz = Station.objects.create(organisation=ctx.orgs["nz_station"], code="411321CX01", name="南召县皇后不停车超限检测点", road="G207",
                                stake="K1312+400", location="南召县皇后乡", location_published_on=ctx.today - timedelta(days=700),
                                location_notice_ref="南召县交通运输局公告〔2024〕3号", push_secret="demo-nz-0123456789abcdef")
    fc = Station.objects.create(organisation=ctx.orgs["fc_station"], code="411322CX01", name="方城县券桥不停车超限检测点", road="S231",
                                stake="K45+800", location="方城县券桥镇", location_published_on=ctx.today - timedelta(days=500),
                                location_notice_ref="方城县交通运输局公告〔2025〕1号", push_secret="demo-fc-0123456789abcdef")
    for station in (nz, fc):
        Lane.objects.create(station=station, number=1, direction="上行")
        Lane.objects.create(station=station, number=2, direction="下行")
    year_ago = ctx.today - timedelta(days=300)
    Device.objects.create(station=nz, code="WIM-NZ-01", model_name="DWS-5 动态汽车衡", lanes="1,2", accuracy_class=5,
                          calibration_certificate="豫计检动衡字2026-0137", calibration_valid_from=year_ago,
                          calibration_valid_until=year_ago + timedelta(days=364), review_passed_on=ctx.today - timedelta(days=650),
                          review_reference="南召县交通运输局法审〔2024〕12号")
    Device.objects.create(station=fc, code="WIM-FC-01", model_name="DWS-2 动态汽车衡", lanes="1", accuracy_class=2,
                          calibration_certificate="豫计检动衡字2026-0211", calibration_valid_from=year_ago,
                          calibration_valid_until=year_ago + timedelta(days=364), review_passed_on=ctx.today - timedelta(days=480),
                          review_reference="方城县交通运输局法审〔2025〕4号")
    # Lane 2 at 方城: certificate expired ten days ago — its records are kept and flagged, never cases.
    Device.objects.create(station=fc, code="WIM-FC-02", model_name="DWS-5 动态汽车衡", lanes="2", accuracy_class=5,
                          calibration_certificate="豫计检动衡字2025-0990", calibration_valid_from=ctx.today - timedelta(days=375),
                          calibration_valid_until=ctx.today - timedelta(days=10), review_passed_on=ctx.today - timedelta(days=480),
                          review_reference="方城县交通运输局法审〔2025〕4号")
    return [nz, fc]


def _records(ctx, stations, first_no: dict[str, int]) -> list[dict]:
    rng = ctx.rng
    vehicles = list(Vehicle.objects.filter(is_goods_vehicle=True).select_related("company").order_by("pk")[:1500])
    # Repeat offenders: four vehicles pass overloaded on 4–5 different days (一超四罚), and a small company's
    # vehicles overload so that more than 10% of its fleet is involved.
    repeaters = vehicles[:4]
    small = (TransportCompany.objects.annotate(n=Count("vehicles")).filter(n__gte=5, n__lte=9).order_by("pk").first())
    company_vehicles = list(small.vehicles.all()[:2]) if small else []
    rows, number = [], {s.code: first_no.get(s.code, 0) for s in stations}  # a station's numbers run on
    start = ctx.today - timedelta(days=30)
    per_day = 120 * ctx.scale

    def row(station, lane, at, vehicle_plate, colour, mix, overloaded):
        axles, klass, groups, limit, _ = mix
        factor = rng.uniform(1.08, 1.45) if overloaded else rng.uniform(0.4, 0.97)
        gross = int(limit * factor)
        each = gross // axles
        weights = [each] * (axles - 1) + [gross - each * (axles - 1)]
        number[station.code] += 1
        no = number[station.code]
        speed = round(rng.uniform(25, 80), 1) if rng.random() > 0.01 else 3.0
        device = "WIM-NZ-01" if station is stations[0] else f"WIM-FC-0{lane}"
        return {"record_no": no, "station_code": station.code, "device_code": device, "lane": lane, "direction": "上行" if lane == 1 else "下行",
                "passed_at": at.isoformat(), "plate": vehicle_plate, "plate_colour": colour, "vehicle_class": klass, "axle_count": axles,
                "axle_groups": groups, "axle_weights_kg": weights, "single_tyre_axles": 0, "gross_kg": gross, "speed_kmh": speed,
                "length_mm": rng.randint(9000, 18000), "width_mm": rng.randint(2400, 2550), "height_mm": rng.randint(3000, 4000),
                "lane_change": rng.random() < 0.005, "image_refs": f"wim-img/{station.code}/{no}-1.jpg;wim-img/{station.code}/{no}-2.jpg",
                "video_ref": f"wim-video/{station.code}/{no}.mp4"}

    for d in range(30):
        day = start + timedelta(days=d)
        for station in stations:
            for _ in range(per_day):
                at = datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=BJ)
                mix = rng.choices(AXLE_MIX, weights=[m[4] for m in AXLE_MIX])[0]
                if rng.random() < 0.03:  # unregistered or misread plate
                    plate, colour = f"豫{rng.choice('ABCDEFGH')}·{rng.randint(10000, 99999)}", "yellow"
                else:
                    v = rng.choice(vehicles)
                    plate, colour = v.plate, v.plate_colour
                rows.append(row(station, rng.choice([1, 2]), at, plate, colour, mix, rng.random() < 0.04))
        if d % 6 == 2:  # repeaters, every sixth day at 南召
            for v in repeaters:
                at = datetime.combine(day, time(9, 30), tzinfo=BJ)
                rows.append(row(stations[0], 1, at, v.plate, v.plate_colour, AXLE_MIX[-1], True))
        if d in (5, 11):
            for v in company_vehicles:
                at = datetime.combine(day, time(14, 0), tzinfo=BJ)
                rows.append(row(stations[0], 1, at, v.plate, v.plate_colour, AXLE_MIX[-1], True))
    rows.sort(key=lambda r: r["passed_at"])
    return rows


def _previous_year(ctx, stations) -> tuple[int, int]:
    """The previous year at 南召 (its device reviewed and its location published since early that year): each month
    from March a few days of records pushed and ingested on their own day, the two over-limit passes turned into cases
    and handled to the end through the remote page (不见面: e-delivery consent and acceptance) — decided, delivered
    electronically, paid and closed on later days. Returns the cases handled and the station's last record number."""
    from zhifa.cases import services as cs
    from zhifa.cases.demo import pay_in_full
    from zhifa.cases.models import Case
    from zhifa.core.demo import on_day

    rng, year = ctx.rng, ctx.today.year - 1
    head, officer, reviewer = ctx.users["head"], ctx.users["officer"], ctx.users["reviewer"]
    officers = [officer.officer, ctx.users["officer2"].officer]
    nz = stations[0]
    device = nz.devices.get(code="WIM-NZ-01")
    # That year's certificate; the current one is recorded after the year's records (a recalibration, audited).
    current = {f: getattr(device, f) for f in ("calibration_certificate", "calibration_valid_from", "calibration_valid_until")}
    type(device).objects.filter(pk=device.pk).update(calibration_certificate=f"豫计检动衡字{year}-0042",
                                                     calibration_valid_from=date(year, 1, 6), calibration_valid_until=date(year + 1, 1, 5))
    vehicles = list(Vehicle.objects.filter(is_goods_vehicle=True, owner__isnull=False).order_by("-pk")[:300])
    folder = settings.VAR_DIR / "wim" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    handled, record_no = 0, 0
    for month in range(3, 13):
        day = date(year, month, 12)
        rows = []
        for k in range(14):
            record_no += 1
            v = vehicles[(month * 14 + k) % len(vehicles)]
            axles, klass, groups, limit, _ = AXLE_MIX[-1] if k < 2 else rng.choice(AXLE_MIX)
            gross = int(limit * (rng.uniform(1.12, 1.35) if k < 2 else rng.uniform(0.5, 0.95)))
            each = gross // axles
            at = datetime.combine(day, time(8 + k, rng.randint(0, 59)), tzinfo=BJ)
            rows.append({"record_no": record_no, "station_code": nz.code, "device_code": device.code, "lane": 1 + k % 2,
                         "direction": "上行" if k % 2 == 0 else "下行", "passed_at": at.isoformat(), "plate": v.plate,
                         "plate_colour": v.plate_colour, "vehicle_class": klass, "axle_count": axles, "axle_groups": groups,
                         "axle_weights_kg": [each] * (axles - 1) + [gross - each * (axles - 1)], "single_tyre_axles": 0,
                         "gross_kg": gross, "speed_kmh": round(rng.uniform(30, 70), 1), "length_mm": rng.randint(9000, 18000),
                         "width_mm": rng.randint(2400, 2550), "height_mm": rng.randint(3000, 4000), "lane_change": False,
                         "image_refs": f"wim-img/{nz.code}/{record_no}-1.jpg;wim-img/{nz.code}/{record_no}-2.jpg",
                         "video_ref": f"wim-video/{nz.code}/{record_no}.mp4"})
        path = folder / f"wim-demo-{day:%Y%m%d}.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        with on_day(day, hour=22):  # the day's push, screened the same night
            batch = ingest.ingest_file(path, actor=ctx.users["admin"])
            services.violations_open_cases(batch_ids=[batch.pk])
        for n, violation in enumerate(Violation.objects.filter(batch=batch, status=Violation.Status.CASE).order_by("pk")):
            amount = violation.proposed_amount
            with on_day(day + timedelta(days=2)):
                case = cs.case_open(actor=head, case=Case.objects.get(pk=violation.case_id), officers=officers, legal_review_required=False)
                # The provincial off-site leniency (LeniencyRule) may put the proposal below the benchmark: say so.
                case = cs.case_report(actor=officer, case=case, report_text="不停车检测数据完整，设备检定有效，超限事实清楚。",
                                      proposed_outcome=Case.Outcome.PENALTY, proposed_amount=amount,
                                      deviation_reason="适用本省非现场执法从轻处罚规则，在裁量基准建议金额基础上减轻罚款")
                case = cs.case_internal_review(actor=head, case=case, approve=True, opinion="同意")
                if case.status == "legal_review":
                    cs.case_legal_review(actor=reviewer, case=case, opinion="agree", text="超限检测数据完整，事实清楚，适用依据和从轻规则正确。")
                    case.refresh_from_db()
                case = cs.case_notify(actor=officer, case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount)
            with on_day(day + timedelta(days=4 + n), hour=20):  # the owner on the remote page
                services.remote_act(violation=violation, kind="consent", contact=f"139{rng.randint(10000000, 99999999)}")
                act = services.remote_act(violation=violation, kind="accept")
            with on_day(day + timedelta(days=6)):
                case = services.remote_act_apply(actor=officer, act=act)
                case = cs.case_decide(actor=head, case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount,
                                      legal_basis="《公路安全保护条例》第六十四条；《超限运输车辆行驶公路管理规定》第四十三条",
                                      reasoning=violation.assessment.get("reasoning") or "超限事实清楚，按裁量基准处罚。")
                case = cs.case_deliver(actor=officer, case=case, method=Case.DeliveryMethod.ELECTRONIC,
                                       consent=services.remote_consent_text(violation))
            with on_day(day + timedelta(days=9), hour=16):
                case = pay_in_full(case)
            with on_day(day + timedelta(days=13)):
                cs.case_close(actor=head, case=case, report="罚款已缴清，案件办理完毕，申请结案。")
            handled += 1
    with on_day(date(year + 1, 1, 6)):
        services.device_update(actor=ctx.users["admin"], device=device, **current)
    return handled, record_no


def _walk_remote(ctx) -> None:
    """Two owners for the remote-handling walkthrough: one notified (may consent, defend or accept), one decided and
    delivered electronically (may pay)."""
    from zhifa.cases import services as cs
    from zhifa.cases.models import Case

    head, officer = ctx.users["head"], ctx.users["officer"]
    officers = [officer.officer, ctx.users["officer2"].officer]
    cased = list(Violation.objects.filter(status=Violation.Status.CASE, organisation=ctx.orgs["nz_station"],
                                          proposed_amount__isnull=False).order_by("-first_passed_at")[:2])
    for i, violation in enumerate(cased):
        case = Case.objects.get(pk=violation.case_id)
        amount = violation.proposed_amount
        case = cs.case_open(actor=head, case=case, officers=officers, legal_review_required=False)
        case = cs.case_report(actor=officer, case=case, report_text="不停车检测数据完整，设备检定有效，超限事实清楚。",
                              proposed_outcome=Case.Outcome.PENALTY, proposed_amount=amount)
        case = cs.case_internal_review(actor=head, case=case, approve=True, opinion="同意")
        if case.status == "legal_review":  # a fine the legal-review catalogue lists (行政处罚法第五十八条)
            cs.case_legal_review(actor=ctx.users["reviewer"], case=case, opinion="agree", text="超限检测数据完整，事实清楚，适用依据正确。")
            case.refresh_from_db()
        case = cs.case_notify(actor=officer, case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount)
        label = f"{violation.plate}（{violation.get_plate_colour_display()}牌），查询码 {violation.notice_code}"
        if i == 0:
            ctx.notes.append(f"不见面执法（告知期内，可同意电子送达、陈述申辩或认可）：/overload/remote/ 输入 {label}")
            continue
        services.remote_act(violation=violation, kind="consent", contact="13937700000")
        act = services.remote_act(violation=violation, kind="accept")
        case = services.remote_act_apply(actor=officer, act=act)
        assessment = violation.assessment
        case = cs.case_decide(actor=head, case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount,
                              legal_basis="《公路安全保护条例》第六十四条；《超限运输车辆行驶公路管理规定》第四十三条",
                              reasoning=assessment.get("reasoning") or "超限事实清楚，按裁量基准处罚。")
        case = cs.case_deliver(actor=officer, case=case, method=Case.DeliveryMethod.ELECTRONIC,
                               consent=services.remote_consent_text(violation))
        ctx.notes.append(f"不见面执法（已决定并电子送达，可在线缴款）：/overload/remote/ 输入 {label}")


def _station_photos(rows: list[dict]) -> None:
    """What the stations deliver with their records: two photos of every over-limit pass (front with the plate,
    side with the axles), written to the media store under the records' ``image_refs``. No video (the demo has
    no encoder): the pages say the station has not delivered it."""
    from PIL import Image, ImageDraw, ImageFont

    from .media import media_root

    try:
        font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 26)
    except OSError:
        font = ImageFont.load_default()
    by_key = {(r["station_code"], r["record_no"]): r for r in rows}
    root = media_root()
    for station_code, record_no in ViolationPass.objects.values_list("station_code", "record_no"):
        r = by_key.get((station_code, record_no))
        if r is None:
            continue
        for i, ref in enumerate(r["image_refs"].split(";"), 1):
            img = Image.new("RGB", (640, 360), (96, 104, 112))
            draw = ImageDraw.Draw(img)
            draw.rectangle((0, 250, 640, 360), fill=(60, 64, 70))  # road
            if i == 1:  # front: cab and plate
                draw.rectangle((200, 70, 440, 260), fill=(30, 90, 160))
                draw.rectangle((250, 215, 390, 250), fill=(240, 200, 20))
                draw.text((258, 214), r["plate"], fill=(0, 0, 0), font=font)
            else:  # side: trailer and axles
                draw.rectangle((60, 120, 600, 240), fill=(170, 170, 170))
                for x in range(100, 600, 560 // max(r["axle_count"], 1)):
                    draw.ellipse((x, 225, x + 40, 265), fill=(20, 20, 20))
            draw.text((12, 8), f"{station_code} #{record_no}  {r['passed_at'][:19].replace('T', ' ')}  {r['gross_kg']:,} kg",
                      fill=(255, 255, 255), font=font)
            path = root / ref
            path.parent.mkdir(parents=True, exist_ok=True)
            img.save(path, "JPEG", quality=80)


def load(ctx) -> None:
    stations = _stations(ctx)
    LeniencyRule.objects.create(effective_from=date(2025, 1, 1), min_excess_kg=5000, max_excess_kg=10000, reduction_percent=Decimal("20"),
                                citation="示例数据（待核实）：本省非现场执法从轻处罚规则")
    previous, last_no = _previous_year(ctx, stations)
    rows = _records(ctx, stations, {stations[0].code: last_no})
    permit_vehicle = Vehicle.objects.filter(is_goods_vehicle=True).order_by("-pk").first()
    if permit_vehicle is not None:
        ex = Exemption.objects.create(permit_number="豫超限运输许可2026-0088", plate=permit_vehicle.plate, plate_colour=permit_vehicle.plate_colour,
                                      valid_from=timezone.make_aware(datetime.combine(ctx.today - timedelta(days=20), time(0))),
                                      valid_until=timezone.make_aware(datetime.combine(ctx.today - timedelta(days=18), time(23, 59))),
                                      max_gross_kg=70_000)
        ex.stations.add(stations[0])
    folder = settings.VAR_DIR / "wim" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"wim-demo-{ctx.today:%Y%m%d}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    batch = ingest.ingest_file(path, actor=ctx.users["admin"], chunk_rows=5000)
    opened = services.violations_open_cases(limit=60 * ctx.scale)
    _station_photos(rows)
    _walk_remote(ctx)
    triggers = services.four_penalty_scan(on=ctx.today)
    ctx.notes.append(f"超限检测：{ctx.today.year - 1}年每月的称重数据按日导入，{previous}起超限违法经不见面办理至结案；"
                     f"近一个月 {batch.read:,} 条称重记录（一个月，2个站点），新增违法行为 {batch.violations_new}，生成案件 {opened} 件，"
                     f"一超四罚触发 {len(triggers)} 项；文件 {path}（再次执行 zhifa wim ingest 该文件不会新增任何记录）")
