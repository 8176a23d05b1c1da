"""Demo operations of 南召县 for the previous year and the anchor year to date: joint actions with the police, market and emergency departments,
special campaigns with linked cases, and publicity events with materials, at the scale of seed 002 (联合执法,
专项整治, 宣传活动12余场次, 彩页600余份, 宣传制品700余份). Built through the services (audited); deterministic via
``ctx.rng`` and ``ctx.today``."""

from datetime import date, timedelta

from zhifa.cases.models import Case
from zhifa.cases.workflow import Status as CaseStatus
from zhifa.core.models import Officer

from . import services
from .models import Department, Material, Operation

LOCAL_DEPARTMENTS = [
    ("南召县公安局交通管理大队", Department.Kind.TRAFFIC_POLICE),
    ("南召县市场监督管理局", Department.Kind.MARKET),
    ("南召县应急管理局", Department.Kind.EMERGENCY),
    ("南阳市生态环境局南召分局", Department.Kind.ECOLOGY),
    ("南召县农业农村局", Department.Kind.AGRICULTURE),
    ("皇后乡人民政府", Department.Kind.TOWNSHIP),
    ("南召县公安局城关派出所", Department.Kind.POLICE),
]
J, C, P = Operation.Kind.JOINT, Operation.Kind.CAMPAIGN, Operation.Kind.PUBLICITY
PREVIOUS, CURRENT, BOTH = {-1}, {0}, {-1, 0}  # the years (relative to the anchor year) an action belongs to
# (years, (month, day) it starts, kind, title, location, partner names (local ones by index), days, vehicles, firms, problems).
# Two different years: some actions recur (the quarterly overload actions, the publicity days), others were one
# year's work only, so the previous year's report and the current year's read different figures.
PLAN = [
    (BOTH, (1, 8), J, "货运车辆超限超载路面联合治理（第一季度）", "G207国道皇后检测站路段", [0], 3, 180, 0, 14),
    (BOTH, (1, 20), P, "春运道路运输安全宣传", "南召县汽车站", [], 1, 0, 0, 0),
    (PREVIOUS, (3, 3), C, "交通运输执法领域突出问题专项整治行动", "县执法大队", [], 60, 0, 0, 4),
    (BOTH, (3, 18), J, "客运站周边非法营运联合整治", "南召县汽车站周边", [0, 6], 2, 65, 0, 9),
    (BOTH, (4, 15), P, "“路政宣传月”送法进源头企业", "皇后乡砂石料场", [], 2, 0, 11, 0),
    (PREVIOUS, (4, 22), J, "农村公路抛撒污染联合执法", "皇后乡至云阳镇农村公路", [0, 3, 4, 5], 2, 90, 6, 12),
    (CURRENT, (4, 28), C, "网约车、巡游出租车非法营运专项整治", "县城区及高铁站", [0], 40, 150, 3, 19),
    (BOTH, (5, 12), C, "“百吨王”严重超限超载专项整治", "G207、S231沿线", [0], 45, 620, 8, 31),
    (BOTH, (6, 10), P, "安全生产月道路运输安全宣传", "县城人民广场", [], 1, 0, 0, 0),
    (PREVIOUS, (6, 17), J, "机动车维修行业环境联合检查", "县城汽配一条街", [1, 2, 3], 2, 0, 27, 16),
    (BOTH, (6, 24), J, "货运车辆超限超载路面联合治理（第二季度）", "S231省道南召段", [0], 3, 210, 0, 17),
    (CURRENT, (7, 15), J, "危险货物道路运输联合执法检查", "辖区危险货物运输企业及G312沿线", [0, 2], 2, 45, 6, 11),
    (CURRENT, (8, 19), J, "货运车辆超限超载路面联合治理（第三季度）", "G207国道云阳段", [0], 3, 195, 0, 15),
    (PREVIOUS, (9, 9), P, "信用交通宣传月", "县政务服务中心", [], 1, 0, 0, 0),
    (PREVIOUS, (9, 16), C, "道路客运企业安全隐患专项整治", "辖区客运企业", [2], 30, 0, 23, 38),
    (BOTH, (10, 14), J, "货运源头企业联合检查", "辖区货运源头单位", [1, 2], 2, 0, 14, 8),
    (CURRENT, (10, 28), J, "农村客运班线和校车运营联合检查", "县城至各乡镇客运线路", [0, 6], 2, 70, 4, 10),
    (BOTH, (11, 10), J, "货运车辆超限超载路面联合治理（第四季度）", "G207国道南召段", [0], 20, 240, 0, 21),
    (BOTH, (12, 1), P, "宪法宣传周交通法规宣传", "南召县第一高级中学", [], 1, 0, 0, 0),
    (BOTH, (12, 4), P, "“12·4”国家宪法日宣传", "县城人民广场", [], 1, 0, 0, 0),
]


def load(ctx) -> None:
    head = ctx.users["head"]
    nz = ctx.orgs["nz"]
    local = [services.department_create(actor=head, name=name, kind=kind, organisation=nz) for name, kind in LOCAL_DEPARTMENTS]
    team = list(Officer.objects.filter(organisation__path__startswith=nz.path, is_active=True).order_by("pk"))
    cases = list(Case.objects.filter(organisation__path__startswith=nz.path).exclude(status__in=[CaseStatus.LEAD, CaseStatus.NOT_OPENED])
                 .order_by("occurred_at"))
    linked: set[int] = set()
    # The annual report opens on the previous year: that year in full, and the anchor year up to the anchor date.
    for year in (ctx.today.year - 1, ctx.today.year):
        counts = _year(ctx, year, local, team, cases, linked)
        ctx.notes.append(f"执法行动：/campaigns/ 南召县{year}年已结束联合执法{counts[J]}次、专项整治{counts[C]}项、宣传活动{counts[P]}场；"
                         f"年度报告 /reports/annual/?year={year} 中的联合执法、专项监管、预防监管数字来自这些登记。")
    ctx.notes.append(f"执法行动关联立案案件{len(linked)}件（行动期间发现的违法行为；案件演示数据均在近期）。")


def _year(ctx, year: int, local: list, team: list, cases: list, linked: set) -> dict:
    head, officer = ctx.users["head"], ctx.users["officer"]
    brigade = ctx.orgs["nz_brigade"]
    year_start = date(year, 1, 1)
    counts = {J: 0, C: 0, P: 0}
    for years, (month, day), kind, title, location, partner_idx, days, vehicles, firms, problems in PLAN:
        if year - ctx.today.year not in years:
            continue
        start = date(year, month, day)
        end = start + timedelta(days=days - 1)
        size = min(len(team), ctx.rng.randint(4, 9) if kind != P else ctx.rng.randint(2, 4))
        op = services.operation_create(actor=officer, organisation=brigade, kind=kind, title=title, starts_on=start, ends_on=end, location=location,
                                       description=f"{title}工作方案：明确分工、路段和时段，执法全过程记录。",
                                       partners=[local[k] for k in partner_idx], officers=ctx.rng.sample(team, size))
        if start > ctx.today:
            continue  # planned
        op = services.operation_start(actor=officer, operation=op)
        for case in cases:  # cases from the action: violations found while it ran, each counted once
            if case.pk not in linked and kind != P and start <= case.occurred_on <= end + timedelta(days=3) and ctx.rng.random() < 0.5:
                services.operation_link_case(actor=officer, operation=op, case=case)
                linked.add(case.pk)
        if end >= ctx.today:
            continue  # in progress
        materials = {}
        if kind == P:
            materials = {Material.Kind.LEAFLET: ctx.rng.randint(40, 60), Material.Kind.GOODS: ctx.rng.randint(45, 75),
                         Material.Kind.BANNER: ctx.rng.randint(1, 3)}
        services.operation_conclude(
            actor=head, operation=op, ends_on=end, materials=materials,
            summary=f"{title}已完成。" + (f"检查车辆{vehicles}台次，发现问题{problems}处，均已督促整改。" if kind != P else "现场解答群众咨询，发放宣传资料。"),
            vehicles_checked=vehicles, enterprises_checked=firms, problems_found=problems, problems_rectified=max(0, problems - ctx.rng.randint(0, 2)),
            audience=ctx.rng.randint(150, 600) if kind == P else 0)
        counts[kind] += 1
    if year == ctx.today.year:
        cancelled = services.operation_create(actor=officer, organisation=brigade, kind=J, title="节前客运市场联合检查", starts_on=year_start + timedelta(days=20),
                                              ends_on=year_start + timedelta(days=21), location="南召县汽车站", partners=[local[0]], officers=team[:2])
        services.operation_cancel(actor=head, operation=cancelled, reason="交警部门临时抽调保障任务，行动顺延。")
    return counts
