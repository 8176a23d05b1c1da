"""Demo data of random inspection: the item list, 28 risk points for six firm types (seed 000 reports 28 for
six types; the wording here is written for the demo), a completed and published plan (drawn, verified,
inspected, one problem rectified after a follow-up, one referred for a case), a drawn plan with a recorded
redraw, a draft plan for the user, and two years of provincial warnings (338 received, 338 closed — seed 000)
plus a few new ones to handle."""

import io
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zhifa.core.demo import on_day
from zhifa.core.models import TransportCompany

from . import services
from .models import Inspection, InspectionItem, ProvincialWarning, RiskPoint

ITEMS = [
    # code, name, subject type, basis, key?, checklist
    ("HY-01", "货运企业安全生产主体责任落实情况", "freight", "《中华人民共和国道路运输条例》第三十五条；《道路货物运输及站场管理规定》", True, ["安全生产管理制度", "安全例会记录", "驾驶员安全教育"]),
    ("HY-02", "货运车辆技术管理与动态监控", "freight", "《道路运输车辆技术管理规定》；《道路运输车辆动态监督管理办法》第二十条", True, ["二级维护记录", "卫星定位装置在线率", "超速处理记录"]),
    ("HY-03", "货运经营许可事项核查", "freight", "《道路货物运输及站场管理规定》第十二条", False, ["经营许可证有效", "车辆道路运输证"]),
    ("WH-01", "危险货物运输企业资质与安全管理", "dangerous", "《道路危险货物运输管理规定》第八条、第三十一条", True, ["专职安全管理人员", "押运员配备", "应急预案"]),
    ("WH-02", "危险货物运输车辆与罐体检验", "dangerous", "《道路危险货物运输管理规定》第二十四条", True, ["罐体检验报告", "标志灯牌"]),
    ("KY-01", "客运企业安全生产与驾驶员管理", "passenger", "《道路旅客运输及客运站管理规定》第八十四条", True, ["驾驶员从业资格", "连续驾驶时间", "安全告知"]),
    ("KY-02", "客运车辆技术状况", "passenger", "《道路运输车辆技术管理规定》第十二条", False, ["年度审验", "安全设施"]),
    ("CZ-01", "出租汽车企业经营服务规范", "taxi", "《巡游出租汽车经营服务管理规定》第二十条", False, ["计价器检定", "服务质量信誉考核"]),
    ("CZ-02", "出租汽车驾驶员从业资格与车辆安全", "taxi", "《出租汽车驾驶员从业资格管理规定》", True, ["从业资格注册", "车辆安全检查"]),
    ("JP-01", "驾驶员培训机构教学管理", "driving_school", "《机动车驾驶员培训管理规定》第三十二条", True, ["教练员资格", "培训学时记录", "教练车技术状况"]),
    ("WX-01", "机动车维修企业维修质量管理", "repair", "《机动车维修管理规定》第三十三条", True, ["维修档案", "竣工出厂合格证", "配件进货台账"]),
    ("WX-02", "机动车维修企业环保与安全设施", "repair", "《机动车维修管理规定》第十四条", False, ["废油废液处置", "消防设施"]),
    ("YT-01", "货运源头单位称重与装载管理", "source_unit", "《超限运输车辆行驶公路管理规定》第二十八条至第三十二条", True, ["称重设备运行", "装载登记", "不放行超限车辆"]),
]

RISKS = {
    # subject type: [(risk point, level, advice, item code)]
    "freight": [
        ("车辆超限超载运输", "high", "装载前过磅，建立装载登记制度，严禁超限装载和放行。", "HY-02", "《公路安全保护条例》第三十三条"),
        ("卫星定位装置不在线或被屏蔽", "high", "指定专人实时监控，发现离线立即处置并记录。", "HY-02", "《道路运输车辆动态监督管理办法》第二十条"),
        ("未按规定进行二级维护", "medium", "按周期安排维护并保存维护记录。", "HY-02", "《道路运输车辆技术管理规定》第十四条"),
        ("驾驶员未取得从业资格", "medium", "聘用前核验从业资格证，建立驾驶员档案。", "HY-01", "《道路运输从业人员管理规定》"),
        ("未随车携带道路运输证", "low", "出车前检查证件，电子证照同步。", "HY-03", "《中华人民共和国道路运输条例》第六十八条"),
        ("超越许可事项经营", "low", "按许可范围经营，变更经营范围及时办理许可。", "HY-03", "《中华人民共和国道路运输条例》第六十四条"),
    ],
    "dangerous": [
        ("未配备专职安全管理人员", "high", "按车辆规模配备专职安全管理人员并持证上岗。", "WH-01", "《道路危险货物运输管理规定》第八条"),
        ("运输途中无押运人员", "high", "每车配备取得资格的押运员，出车前签到。", "WH-01", "《道路危险货物运输管理规定》第四十条"),
        ("罐体未按期检验", "high", "建立罐体检验台账，到期前安排检验。", "WH-02", "《道路危险货物运输管理规定》第二十四条"),
        ("未制定或演练应急预案", "medium", "制定应急预案并每年至少演练一次。", "WH-01", "《道路危险货物运输管理规定》第三十一条"),
        ("标志灯牌不符合规定", "low", "按标准悬挂标志灯、标志牌并定期检查。", "WH-02", "GB 13392"),
    ],
    "passenger": [
        ("驾驶员疲劳驾驶", "high", "严格执行连续驾驶不超过4小时、日间不超过8小时规定。", "KY-01", "《道路旅客运输及客运站管理规定》"),
        ("客车超员", "high", "出站检查核定载客人数，途中不得上客超员。", "KY-01", "《中华人民共和国道路交通安全法》第四十九条"),
        ("未进行安全告知", "medium", "发车前播放安全告知，提醒乘客系好安全带。", "KY-01", "《道路旅客运输及客运站管理规定》"),
        ("车辆未按期审验", "medium", "建立审验台账，到期前完成审验。", "KY-02", "《道路运输车辆技术管理规定》第十二条"),
        ("站外揽客", "low", "按核定线路和站点经营，禁止站外揽客。", "KY-02", "《道路旅客运输及客运站管理规定》"),
    ],
    "taxi": [
        ("驾驶员未注册从业", "medium", "驾驶员上岗前完成从业资格注册。", "CZ-02", "《出租汽车驾驶员从业资格管理规定》"),
        ("拒载、议价、绕道", "medium", "加强服务培训，公布投诉电话，落实服务质量考核。", "CZ-01", "《巡游出租汽车经营服务管理规定》第二十条"),
        ("计价器未检定", "low", "每年按期检定计价器。", "CZ-01", "《巡游出租汽车经营服务管理规定》"),
        ("车辆安全设施缺失", "low", "每日出车前检查灭火器、安全带等设施。", "CZ-02", "《巡游出租汽车经营服务管理规定》"),
    ],
    "driving_school": [
        ("教练员无相应资格", "medium", "聘用具备资格的教练员并建立档案。", "JP-01", "《机动车驾驶员培训管理规定》"),
        ("培训学时造假", "high", "使用计时培训系统，如实记录学时。", "JP-01", "《机动车驾驶员培训管理规定》第三十二条"),
        ("教练车技术状况不良", "medium", "按期维护教练车并保存记录。", "JP-01", "《机动车驾驶员培训管理规定》"),
        ("超范围招生培训", "low", "按许可的培训车型和规模招生。", "JP-01", "《机动车驾驶员培训管理规定》"),
    ],
    "repair": [
        ("未建立维修档案", "medium", "按规定建立维修档案并保存两年以上。", "WX-01", "《机动车维修管理规定》第三十五条"),
        ("未签发竣工出厂合格证", "medium", "二级维护、总成修理和整车修理竣工后签发合格证。", "WX-01", "《机动车维修管理规定》第三十六条"),
        ("使用假冒伪劣配件", "high", "建立配件采购台账，索取合格证明。", "WX-01", "《机动车维修管理规定》第三十三条"),
        ("废油废液随意处置", "low", "交有资质单位处置并留存转移联单。", "WX-02", "《中华人民共和国固体废物污染环境防治法》"),
    ],
}

WARNING_TYPES = {1: ["车辆动态监控离线", "驾驶员信息未备案", "道路运输证即将到期"], 2: ["车辆超速行驶", "驾驶员疲劳驾驶", "车辆未按期年审"],
                 3: ["车辆严重超速（超过50%）", "凌晨2至5时违规运行", "货车疑似超限运输"]}


def _items_and_risks(ctx) -> dict[str, InspectionItem]:
    org = ctx.orgs["nz"]
    items = {}
    for code, name, subject, basis, key, checklist in ITEMS:
        items[code] = InspectionItem.objects.create(organisation=org, code=code, name=name, subject_type=subject, legal_basis=basis,
                                                    is_key=key, max_ratio_percent=5, checklist=checklist,
                                                    frequency="每年不少于1次" if key else "按比例随机抽查")
    RiskPoint.objects.bulk_create([RiskPoint(subject_type=subject, title=title, level=level, advice=advice, item=items[code], legal_basis=basis)
                                   for subject, rows in RISKS.items() for title, level, advice, code, basis in rows])
    return items


def _do_inspections(ctx, plan, on, *, rectify=1, case=1, follow_up=True):
    insps = list(plan.inspections.exclude(status=Inspection.Status.CANCELLED).order_by("pk"))
    for n, insp in enumerate(insps):
        user = insp.inspectors.order_by("pk").first().user
        items = list(plan.items.filter(subject_type=insp.target_type)) or list(plan.items.all())
        if n < rectify:
            checks = {i.pk: (k != 0, "未落实动态监控值班制度" if k == 0 else "") for k, i in enumerate(items)}
            finding, problems = Inspection.Finding.RECTIFY, "未落实动态监控值班制度，部分车辆卫星定位装置离线超过24小时"
        elif n < rectify + case:
            checks = {i.pk: (k != 0, "使用技术检验不合格车辆从事经营" if k == 0 else "") for k, i in enumerate(items)}
            finding, problems = Inspection.Finding.CASE, "使用技术检验不合格车辆从事道路运输经营"
        else:
            checks = {i.pk: (True, "") for i in items}
            finding, problems = Inspection.Finding.PASS, ""
        photo = io.BytesIO(b"\x89PNG\r\n\x1a\n" + f"demo-{plan.number}-{insp.pk}".encode())
        services.inspection_record(actor=user, inspection=insp, on=on, checks=checks, finding=finding, problems=problems, rectify_days=15,
                                   photos=[(photo, f"现场检查{insp.pk}.png", "image/png")])
        if finding == Inspection.Finding.RECTIFY and follow_up:
            services.inspection_follow_up(actor=user, inspection=insp, on=on + timedelta(days=15), rectified=True,
                                          result="回访核实：已落实值班制度，离线车辆已恢复在线")


def _previous_year_plans(ctx, items) -> list[str]:
    """The previous calendar year's rounds, each step on its own day: a spring round of freight and dangerous-goods
    firms with the emergency department (联合双随机) and an autumn round of passenger, driving-school and repair firms;
    drawn, inspected, problems rectified after follow-up or referred for a case, results published."""
    head, nz, year = ctx.users["head"], ctx.orgs["nz"], ctx.today.year - 1
    numbers = []
    for start, title, codes, types, joint in (
            (date(year, 4, 8), f"{year}年普通货运与危险货物运输企业双随机联合抽查", ["HY-01", "HY-02", "WH-01"], ["freight", "dangerous"], "县应急管理局"),
            (date(year, 9, 9), f"{year}年客运、驾培、维修企业双随机抽查", ["KY-01", "JP-01", "WX-01"], ["passenger", "driving_school", "repair"], "")):
        with on_day(start):
            plan = services.plan_create(actor=head, organisation=nz, title=title, items=[items[c] for c in codes], target_types=types,
                                        starts_on=start, ends_on=start + timedelta(days=30), target_count=8, joint_departments=joint)
            services.plan_commit_seed(actor=head, plan=plan)
            services.plan_draw(actor=head, plan=plan, on=start)
        with on_day(start + timedelta(days=7)):
            _do_inspections(ctx, plan, start + timedelta(days=7), rectify=2, case=1, follow_up=False)
        with on_day(start + timedelta(days=22)):
            for insp in plan.inspections.filter(finding=Inspection.Finding.RECTIFY):
                services.inspection_follow_up(actor=insp.inspectors.order_by("pk").first().user, inspection=insp, on=start + timedelta(days=22),
                                              rectified=True, result="回访核实：问题已整改到位")
        with on_day(start + timedelta(days=40)):
            plan.refresh_from_db()
            services.plan_publish_results(actor=head, plan=plan, on=start + timedelta(days=40))
        numbers.append(plan.number)
    return [f"双随机：{year}年抽查计划 {'、'.join(numbers)} 已抽取、检查、回访并公示（年度报告的日常监管数字）"]


def _plans(ctx, items) -> list[str]:
    today, head = ctx.today, ctx.users["head"]
    nz = ctx.orgs["nz"]
    notes = []
    # 1. Last quarter: drawn, verified, inspected, one rectified after follow-up, one referred, published.
    start = today - timedelta(days=75)
    p1 = services.plan_create(actor=head, organisation=nz, title=f"{start.year}年第{(start.month - 1) // 3 + 1}季度普通货运与危货企业双随机抽查",
                              items=[items["HY-01"], items["HY-02"], items["WH-01"]], target_types=["freight", "dangerous"],
                              starts_on=start, ends_on=start + timedelta(days=30), target_count=8, joint_departments="县应急管理局")
    services.plan_commit_seed(actor=head, plan=p1)
    d1 = services.plan_draw(actor=head, plan=p1, on=start)
    _do_inspections(ctx, p1, start + timedelta(days=7), rectify=2, case=1)
    p1.refresh_from_db()
    services.plan_publish_results(actor=head, plan=p1, on=start + timedelta(days=40))
    ok, _ = services.verify_draw(d1)
    notes.append(f"双随机：计划 {p1.number} 已抽取（抽取记录 {d1.pk}，zhifa inspections verify-draw {d1.pk} {'复核通过' if ok else '复核失败'}）、检查、整改回访并公示")
    # 2. This month: drawn, redrawn with a recorded reason, inspections in progress (some done).
    p2 = services.plan_create(actor=head, organisation=nz, title=f"{today.year}年客运、驾培、维修企业双随机抽查",
                              items=[items["KY-01"], items["JP-01"], items["WX-01"], items["WX-02"]], target_types=["passenger", "driving_school", "repair"],
                              starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=27), target_count=6)
    services.plan_commit_seed(actor=head, plan=p2)
    services.plan_draw(actor=head, plan=p2, on=today - timedelta(days=3))
    services.draw_redo(actor=head, plan=p2, reason="抽中的1户维修企业已于上月注销，经局长批准重新抽取")
    d2 = services.plan_draw(actor=head, plan=p2, on=today - timedelta(days=2))
    first = p2.inspections.exclude(status=Inspection.Status.CANCELLED).order_by("pk").first()
    user = first.inspectors.order_by("pk").first().user
    services.inspection_record(actor=user, inspection=first, on=today - timedelta(days=1),
                               checks={i.pk: (False, "维修档案不全") for i in (list(p2.items.filter(subject_type=first.target_type)) or list(p2.items.all()))},
                               finding=Inspection.Finding.RECTIFY, problems="维修档案不全，未签发竣工出厂合格证", rectify_days=15)
    assigned = sorted({o.user.username for i in p2.inspections.filter(status=Inspection.Status.ASSIGNED) for o in i.inspectors.all() if o.user})
    notes.append(f"双随机：计划 {p2.number} 经记录原因重新抽取（第{d2.sequence}次），检查中；被抽中的检查人员账号：{'、'.join(assigned[:6])}")
    # 3. A draft for the user to publish and draw (head).
    p3 = services.plan_create(actor=head, organisation=nz, title="货运源头单位专项双随机抽查", items=[items["YT-01"]], target_types=["source_unit"],
                              starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=33), target_count=4)
    notes.append(f"双随机：草拟计划 {p3.number}（以 head 登录公布种子并抽取）")
    return notes


def _warnings(ctx) -> str:
    rng, today = ctx.rng, ctx.today
    officer = ctx.users["officer"]
    org = ctx.orgs["nz_brigade"]
    firms = list(TransportCompany.objects.filter(organisation=org, kind__in=["freight", "dangerous", "passenger"]).order_by("pk"))
    rows = []
    # Seed 000: 338 warnings over two years, all closed. Class 3 cases were handled on the road (plate only).
    for n in range(338):
        cls = 1 if n % 5 in (0, 1) else (2 if n % 5 in (2, 3) else 3)
        days_ago = rng.randint(20, 720)
        firm = rng.choice(firms) if cls < 3 else None
        rows.append({"external_id": f"HN-YJ-{today.year - 2}{n:05d}", "warning_class": cls, "category": rng.choice(WARNING_TYPES[cls]),
                     "description": "省综合交通服务管理平台自动预警", "occurred_at": timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(9))),
                     "credit_code": firm.credit_code if firm else "", "plate": f"豫R·{rng.choice('ABCDEFGH')}{rng.randint(10000, 99999)}",
                     "received_on": today - timedelta(days=days_ago)})
    services.warning_import(actor=officer, organisation=org, rows=rows, source="api", on=today)
    for w in ProvincialWarning.objects.filter(external_id__startswith=f"HN-YJ-{today.year - 2}").order_by("pk"):
        if w.warning_class < 3:
            services.warning_notify(actor=officer, warning=w, deadline=w.received_on + timedelta(days=10), note="通知企业限期整改并报送整改情况")
            services.warning_close(actor=officer, warning=w, result="回访核实已整改", on=w.received_on + timedelta(days=rng.randint(3, 12)))
        else:
            services.warning_refer(actor=officer, warning=w)
            services.warning_close(actor=officer, warning=w, result="执法大队已现场查处", on=w.received_on + timedelta(days=rng.randint(1, 6)))
    fresh = []
    for n, cls in enumerate((1, 1, 2, 3)):
        firm = firms[n]
        fresh.append({"external_id": f"HN-YJ-{today:%Y%m%d}{n:03d}", "warning_class": cls, "category": WARNING_TYPES[cls][n % 3],
                      "description": "省综合交通服务管理平台自动预警（待处置）", "occurred_at": timezone.now() - timedelta(hours=5 + n),
                      "credit_code": firm.credit_code, "plate": ""})
    services.warning_import(actor=officer, organisation=org, rows=fresh, source="api", on=today)
    return "预警抄告：历史338条已全部办结，另有4条新预警待处置（/inspections/warnings/）"


def load(ctx) -> None:
    from zhifa.credit import demo as credit_demo

    items = _items_and_risks(ctx)
    # The previous year's rounds first (their findings are credit events of that year), then the credit ledger and
    # the grades (year-end, then today's), so this year's draws see the grades; the warnings' credit events regrade
    # as of today, so they come after the year-end grading (a regrade dated today run before it would leave no
    # year-end grade for an unchanged firm).
    ctx.notes.extend(_previous_year_plans(ctx, items))
    credit_demo.load_ledger(ctx)
    ctx.notes.extend(_plans(ctx, items))
    ctx.notes.append(_warnings(ctx))
    ctx.notes.append(f"风险点：{RiskPoint.objects.count()}个（6类企业），公示页 /inspections/public/risk-points/；抽查结果公示 /inspections/public/results/")
