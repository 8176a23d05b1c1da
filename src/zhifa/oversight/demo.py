"""Demo year of internal oversight: the evaluation standard, ~300 closed case files, two evaluation rounds
with ~100 evaluated files and their rectification tables, a problem list from every source (some overdue,
some under 挂牌督办 with ledger entries), and the power and responsibility lists of both counties."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhifa.core.demo import on_day
from zhifa.core.models import Officer

from . import loader, services
from .models import CaseEvaluation, Power, Problem, SupervisionEntry, SupervisionListing

CASE_TITLES = [
    ("车辆违法超限运输", True, 0.45), ("未取得道路运输经营许可擅自从事道路普通货物运输经营", True, 0.1),
    ("未取得道路运输经营许可擅自从事道路旅客运输经营", False, 0.08), ("擅自占用、挖掘公路", True, 0.04),
    ("货运经营者没有采取必要措施防止货物脱落、扬撒", True, 0.06), ("在公路用地范围内设置公路标志以外的其他标志", True, 0.04),
    ("不符合规定条件的人员驾驶道路运输经营车辆", False, 0.08), ("车辆装载物触地拖行、掉落、遗洒", False, 0.05),
    ("客运车辆不按批准的客运站点停靠", True, 0.04), ("道路货物运输站（场）经营者允许超载车辆出站", True, 0.06),
]

FINDINGS = {
    "A1": ["现场笔录未记载出示执法证件情况"],
    "B1": ["超限检测单与询问笔录记载的轴数不一致", "证明运输经营行为的证据仅有当事人陈述，缺少乘客证言"],
    "B2": ["现场照片未注明拍摄时间、地点和拍摄人", "询问笔录未经当事人逐页签名确认", "检测设备检定证书未附卷"],
    "B3": ["未附当事人身份证复印件", "未附车辆行驶证、道路运输证复印件"],
    "C1": ["立案审批表负责人未签署日期", "立案时间晚于调查取证时间"],
    "C2": ["询问笔录未告知申请回避的权利"],
    "C3": ["违法行为通知书未载明陈述申辩期限", "陈述申辩笔录缺失"],
    "C4": ["法制审核意见书未载明审核意见"],
    "C5": ["超过九十日作出决定且无延期审批"],
    "C6": ["送达回证无受送达人签名也未注明留置送达情况", "送达日期晚于法定期限"],
    "D1": ["处罚依据未引用到具体条款项", "引用已修订前的条款序号"],
    "E1": ["处罚决定书未说明裁量理由", "裁量档次与裁量基准不符"],
    "F1": ["文书存在涂改未盖章确认", "未使用规范文书式样"],
    "F2": ["决定书文号不规范", "文书落款日期错误"],
    "G1": ["缺少罚没款缴纳凭证", "结案报告未经负责人审批"],
    "G2": ["卷内目录与材料不一致", "未编页码"],
    "V3": ["作出处罚决定前未送达违法行为通知书"],
    "V5": ["认定超限的检测数据来源于检定过期的设备"],
}

OTHER_PROBLEMS = [
    # (source, category, title, measures)
    ("hotline", "service", "12345热线反映超限检测站执法人员态度生硬", "开展文明执法专题教育，检测站实行服务承诺公示，每月回访投诉人"),
    ("complaint", "excessive", "群众投诉对首次轻微违法的货车驾驶员未适用首违不罚", "组织学习“四张清单”，对同类案件逐案复核，落实说服教育"),
    ("self_inspection", "mechanical", "非现场执法案件未核实车辆实际所有人即作出处罚", "完善非现场执法案件核查流程，增加所有人核实环节"),
    ("self_inspection", "irregular", "部分执法人员执法记录仪未全程开启", "落实音像记录制度，每周抽查执法记录仪数据，纳入考核"),
    ("media", "conduct", "网络舆情反映路政巡查车辆公车私用", "调查核实，规范执法车辆管理，建立派车登记制度"),
    ("supervisor", "lax", "义务监督员反馈砂石料场超限车辆出场未处理", "对源头企业开展专项检查，落实驻点监管"),
    ("visit", "irregular", "明查暗访发现执法站所未公示执法依据和救济途径", "在执法站所公示栏统一公示执法依据、流程和救济途径"),
    ("petition", "excessive", "信访反映暂扣车辆超过法定期限未作处理", "全面清理在扣车辆，建立扣押期限台账和到期提醒"),
    ("superior", "irregular", "上级督查通报行政处罚决定未在规定期限内公示", "建立双公示台账，明确专人在七个工作日内公示"),
    ("hotline", "service", "12328热线反映出租汽车投诉处理超时", "优化投诉分派流程，落实限时办结"),
    ("complaint", "mechanical", "企业反映同一违法行为被重复检查", "落实“双随机、一公开”，统筹检查计划，避免多头执法"),
    ("self_inspection", "file_quality", "简易程序案件当场处罚决定书存根未及时归档", "每月清点当场处罚决定书存根，按月归档"),
    ("supervisor", "service", "义务监督员反馈窗口办事指南与政务平台不一致", "统一更新办事指南，政务平台与窗口同步公示"),
    ("media", "lax", "媒体报道国道沿线非法营运车辆揽客", "开展打击非法营运专项行动，联合公安设卡查处"),
    ("self_inspection", "conduct", "个别执法人员上班期间脱岗", "严肃工作纪律，实行考勤通报"),
    ("visit", "irregular", "检测站未按规定公示卸载场所收费标准", "公示卸载、停放不收费的规定，张贴投诉电话"),
    ("complaint", "excessive", "当事人投诉罚款数额高于裁量基准", "组织法制审核复核，对错误案件依法纠正"),
    ("superior", "mechanical", "省厅通报部分非现场案件告知不及时", "非现场案件形成记录后五个工作日内告知当事人"),
    ("hotline", "service", "12345反映驾培机构投诉无人回复", "指定专人负责驾培投诉，三个工作日内回复"),
    ("self_inspection", "irregular", "法制审核意见书未载明审核人员执法证号", "修订法制审核文书模板"),
    ("supervisor", "lax", "监督员反馈物流园区车辆抛洒滴漏未查处", "联合城管开展路面抛洒整治，落实源头覆盖"),
    ("media", "excessive", "短视频反映执法人员拦车检查未出示证件", "调取执法记录仪核实，开展执法规范化培训"),
    ("visit", "conduct", "暗访发现超限检测站值班记录不完整", "规范值班交接制度，落实站长负责制"),
    ("petition", "irregular", "群众反映公路用地范围内违法建筑长期未拆除", "依法下达限期拆除通知，逾期依法强制拆除"),
    ("self_inspection", "file_quality", "案件证据登记保存清单缺少当事人签字", "完善证据登记保存程序"),
    ("complaint", "service", "投诉网约车驾驶员证办理材料反复补正", "实行一次性告知，编制材料清单"),
    ("superior", "lax", "市局督查发现重点货运源头单位监管台账不全", "建立源头单位一企一档，落实月度检查"),
    ("hotline", "excessive", "反映在同一路段多部门重复拦车检查", "与公安交警建立联合执法机制，统一设点"),
    ("self_inspection", "mechanical", "对主动纠正违法行为的当事人未适用从轻处罚", "组织学习行政处罚法第三十二条，建立案件合议制度"),
    ("visit", "irregular", "执法车辆未按规定喷涂标识", "统一执法车辆标识"),
    ("supervisor", "service", "监督员反馈回访记录流于形式", "规范回访记录内容，纳入绩效考核"),
    ("media", "irregular", "舆情反映执法人员现场收取罚款未开票据", "严格落实罚缴分离，禁止现场收缴罚款（法定情形除外）"),
    ("complaint", "excessive", "企业反映检查频次过高影响正常经营", "按信用等级确定抽查比例，合理控制检查频次"),
    ("self_inspection", "lax", "部分一超四罚抄告未在规定期限内办理", "建立抄告办理台账，逐条销号"),
    ("hotline", "service", "12328反映客运站退票服务不规范", "约谈客运站经营者，督促规范退票服务"),
    ("petition", "conduct", "信访反映执法人员与运输企业存在利害关系未回避", "调查核实，落实回避制度"),
    ("visit", "file_quality", "抽查发现当场处罚决定书填写不全", "组织文书制作专题培训"),
    ("superior", "irregular", "上级通报行政执法统计数据报送不及时", "明确统计报送责任人，按月报送"),
    ("supervisor", "lax", "监督员反馈乡道超限车辆夜间通行", "开展夜间治超专项行动"),
    ("self_inspection", "service", "政务窗口一次性告知不到位", "完善首问负责和一次性告知制度"),
]


def load(ctx) -> None:
    today = ctx.today
    admin, supervisor, head, reviewer = ctx.users["admin"], ctx.users["supervisor"], ctx.users["head"], ctx.users["reviewer"]
    with transaction.atomic():
        standard = loader.load_standard(actor=admin)
        _powers(ctx, admin)
        records = _case_records(ctx, admin)
        # Closed cases of the platform's own demo (cases app) join the paper-era files.
        synced = loader.sync_closed_cases(actor=None)
        # The enterprise round was held in October of the previous year (the year the annual report opens on).
        last_year = date(today.year - 1, 10, 15)
        rounds = [
            ("涉企执法案卷评查", last_year - timedelta(days=370), last_year - timedelta(days=30), 53, last_year, True),
            ("行政处罚案卷评查", today - timedelta(days=200), today - timedelta(days=60), 51, today - timedelta(days=50), False),
        ]
        evaluated = 0
        for name, start, end, size, held_on, enterprise_only in rounds:
            rnd = services.round_create(actor=supervisor, organisation=ctx.orgs["city"], name=f"{held_on:%Y年%m月}{name}",
                                        period_from=start, period_to=end, sample_size=size, standard=standard, enterprise_only=enterprise_only)
            drawn = services.round_draw(actor=supervisor, round=rnd, seed=f"demo-{held_on:%Y%m%d}")
            owners = {ctx.orgs["nz_brigade"].pk: [ctx.users["officer"], ctx.users["officer2"], head],
                      ctx.orgs["fc_brigade"].pk: [ctx.users["fc_officer"], ctx.users["fc_officer2"]]}
            items = list(standard.items.all())
            # The newest round keeps its last three files for the evaluators to score in the demo.
            to_score = drawn if enterprise_only else drawn[:-3]
            for evaluation in to_score:
                with on_day(held_on):  # scored on the round's day: its 评查时间 falls in that year
                    _score(ctx, evaluation, items, owners, [supervisor, reviewer, head], held_on)
                evaluated += 1
            _progress_evaluation_problems(ctx, rnd, held_on)
            if rnd.evaluations.filter(scored_at__isnull=True).count() == 0 and held_on < today - timedelta(days=100):
                services.round_close(actor=supervisor, round=rnd)
        n_other, n_key = _other_problems(ctx)
    ctx.notes.append(f"内部监督：已结案卷 {len(records) + synced} 卷（平台案件 {synced} 卷），评查 {evaluated} 卷（两批次，随机种子已记录），问题清单 {Problem.objects.count()} 项"
                     f"（其中逾期 {sum(1 for p in Problem.objects.all() if p.is_overdue(today))} 项，挂牌督办 {n_key} 项），"
                     f"权责清单 {Power.objects.filter(is_active=True).count()} 项。回头看请用 supervisor 或 head 账号。")


def _powers(ctx, admin) -> None:
    when = timezone.make_aware(datetime.combine(ctx.today - timedelta(days=320), time(9, 0)))
    for bureau, brigade, authority in (("nz", "nz_brigade", "召编办〔2025〕12号"), ("fc", "fc_brigade", "方编办〔2025〕9号")):
        loader.load_powers(actor=admin, bureau=ctx.orgs[bureau], brigade=ctx.orgs[brigade], at=when,
                           reason="年度权责清单全面梳理，报县委编办审核备案后向社会公布", authority=authority)
    nz = ctx.orgs["nz"]
    # Dynamic adjustment over the year (as 睢县 did in May and December).
    p = Power.objects.get(organisation=nz, code="XK-002")
    services.power_update(actor=admin, power=p, reason="依据县级指导目录调整办理时限，压缩审批时间", authority="召编办〔2026〕3号",
                          time_limit="法定20个工作日，承诺5个工作日办结")
    p = Power.objects.get(organisation=nz, code="QR-003")
    services.power_cancel(actor=admin, power=p, reason="该事项已不再列入县级权责清单指导目录", authority="召编办〔2026〕3号")
    p = Power.objects.get(organisation=nz, code="QZ-002")
    services.power_update(actor=admin, power=p, reason="补充办理流程：卸载、分装后放行，不得收取停车费", authority="本局法制科审核",
                          process=p.process + "→责令卸载、分装消除违法状态→放行（卸载、停放不收取费用）")


def _case_records(ctx, admin) -> list:
    rng, today = ctx.rng, ctx.today
    units = {key: list(Officer.objects.filter(organisation__path__startswith=ctx.orgs[key].path, is_active=True)) for key in ("nz_brigade", "fc_brigade")}
    weights = [w for _, _, w in CASE_TITLES]
    records = []
    for i in range(320):
        key = "nz_brigade" if i % 3 else "fc_brigade"
        title, enterprise_likely, _ = rng.choices(CASE_TITLES, weights=weights)[0]
        closed = today - timedelta(days=rng.randint(20, 540))
        officers = rng.sample(units[key], 2)
        prefix = "豫R召交罚" if key == "nz_brigade" else "豫R方交罚"
        enterprise = enterprise_likely and rng.random() < 0.7
        party = f"南阳{rng.choice(['宏达', '顺发', '通达', '鑫源', '恒通', '畅通'])}物流有限公司" if enterprise else ctx.person_name()
        records.append(services.case_record_create(
            actor=admin, organisation=ctx.orgs[key], number=f"{prefix}〔{closed.year}〕{1000 + i:04d}号", title=title,
            closed_on=closed, officers=officers, party_name=party, involves_enterprise=enterprise))
    return records


def _score(ctx, evaluation: CaseEvaluation, items, owners, evaluators, held_on) -> None:
    rng = ctx.rng
    handled = set(evaluation.record.handling_officers.values_list("user_id", flat=True))
    path = evaluation.organisation.path
    # Evaluators never score a file they handled, and only files within their own jurisdiction.
    evaluator = next(e for e in rng.sample(evaluators, len(evaluators)) if e.pk not in handled and path.startswith(e.organisation.path))
    regular = [i for i in items if not i.is_veto]
    deductions = []
    for item in rng.sample(regular, rng.choices([0, 1, 2, 3, 4], weights=[25, 35, 22, 12, 6])[0]):
        finding = rng.choice(FINDINGS.get(item.code, ["材料不规范"]))
        points = min(item.points, Decimal(rng.choice([1, 1, 2, 2, 3, 5])))
        deductions.append(services.DeductionIn(item=item, points=points, finding=finding))
    if rng.random() < 0.04:
        code = rng.choice(["V3", "V5"])
        veto = next(i for i in items if i.code == code)
        deductions.append(services.DeductionIn(item=veto, points=Decimal("0"), finding=FINDINGS[veto.code][0]))
    owner = rng.choice(owners[evaluation.record.organisation.enforcement_body().pk])
    services.evaluation_score(actor=evaluator, evaluation=evaluation, deductions=deductions, owner=owner if deductions else None,
                              comment="案卷总体规范。" if not deductions else "存在问题已列入整改统计表，限期整改。",
                              on=held_on + timedelta(days=rng.randint(0, 10)))


def _progress_evaluation_problems(ctx, rnd, held_on) -> None:
    """Move the round's problems along: older rounds mostly rectified and re-checked, some still open."""
    rng, today = ctx.rng, ctx.today
    checkers = [ctx.users["supervisor"], ctx.users["head"]]
    for problem in Problem.objects.filter(evaluation__round=rnd).select_related("owner"):
        roll = rng.random()
        age = (today - held_on).days
        done_share = 0.88 if age > 120 else 0.62
        if roll < done_share:
            _walk(problem, checkers, problem.found_on + timedelta(days=rng.randint(5, 25)), rng, today)
        elif roll < done_share + 0.2:
            services.problem_transition(actor=problem.owner, problem=problem, action="start", note="正在补正案卷材料",
                                        on=min(today, problem.found_on + timedelta(days=3)))


def _walk(problem, checkers, rectified_on, rng, today) -> None:
    rectified_on = min(rectified_on, today)
    services.problem_transition(actor=problem.owner, problem=problem, action="start", note="已部署整改", on=problem.found_on)
    problem.refresh_from_db()
    services.problem_transition(actor=problem.owner, problem=problem, action="report", on=rectified_on,
                                note="已按整改措施完成整改，相关材料已补正归档，并组织承办人员学习。")
    problem.refresh_from_db()
    recheck_on = rectified_on + timedelta(days=rng.randint(7, 30))
    if recheck_on > today:
        return  # awaiting 回头看
    checker = next(c for c in checkers if c.pk != problem.owner_id)
    if rng.random() < 0.08:
        services.problem_transition(actor=checker, problem=problem, action="recheck_fail", on=recheck_on,
                                    note="回头看发现同类问题在新办案卷中仍然存在，退回继续整改。")
        return
    services.problem_transition(actor=checker, problem=problem, action="recheck_pass", on=recheck_on,
                                note="回头看抽查整改后案卷及新办案件，整改到位，同意销号。")


def _other_problems(ctx) -> tuple[int, int]:
    rng, today = ctx.rng, ctx.today
    units = [("nz_brigade", [ctx.users["officer"], ctx.users["officer2"], ctx.users["head"]]),
             ("nz_station", [ctx.users["head"], ctx.users["reviewer"]]),
             ("fc_brigade", [ctx.users["fc_officer"], ctx.users["fc_officer2"]])]
    checkers = [ctx.users["supervisor"], ctx.users["head"]]
    problems = []
    for n, (source, category, title, measures) in enumerate(OTHER_PROBLEMS):
        key, owners = units[n % len(units)]
        found = today - timedelta(days=rng.randint(5, 330))
        deadline = found + timedelta(days=rng.choice([15, 30, 30, 45, 60, 90]))
        problem = services.problem_create(actor=ctx.users["supervisor"], organisation=ctx.orgs[key], source=source, category=category,
                                          title=title, measures=measures, deadline=deadline, owner=rng.choice(owners), found_on=found,
                                          source_ref=f"{'12345' if source == 'hotline' else 'ZX'}-{found:%Y%m%d}-{n + 1:03d}" if source in ("hotline", "complaint", "superior") else "")
        problems.append(problem)
        if deadline < today - timedelta(days=20) and rng.random() < 0.75:
            _walk(problem, checkers, min(deadline, found + timedelta(days=rng.randint(5, 40))), rng, today)
        elif rng.random() < 0.5:
            services.problem_transition(actor=problem.owner, problem=problem, action="start", note="已制定整改方案", on=found + timedelta(days=2))
    # 挂牌督办: public outcry, media, high-frequency complaints (常德 measure 5).
    for p in problems:
        p.refresh_from_db()
    open_ones = [p for p in problems if p.status != Problem.Status.CLOSED]
    key_picks = [p for p in open_ones if p.source in ("media", "hotline", "petition", "complaint")][:5]
    reasons = {"media": SupervisionListing.Reason.MEDIA, "hotline": SupervisionListing.Reason.FREQUENT,
               "petition": SupervisionListing.Reason.PUBLIC_REACTION, "complaint": SupervisionListing.Reason.ATTENTION}
    listed = 0
    for problem in key_picks:
        on = max(problem.found_on, today - timedelta(days=60))
        listing = services.problem_list_key(actor=ctx.users["supervisor"], problem=problem, reason=reasons[problem.source], on=on,
                                            requirement="责任单位立行立改，每半月报告整改进展，督办时限内完成整改并接受回头看。",
                                            due_on=on + timedelta(days=30))
        listed += 1
        services.supervision_entry_add(actor=ctx.users["supervisor"], listing=listing, kind=SupervisionEntry.Kind.VERIFY, on=on + timedelta(days=3),
                                       note="市局法制科派出督导组调查核实，问题属实。")
        if on + timedelta(days=15) <= today:
            services.supervision_entry_add(actor=problem.owner, listing=listing, kind=SupervisionEntry.Kind.REPORT, on=on + timedelta(days=15),
                                           note="已完成整改措施的第一阶段，相关人员已约谈教育。")
        if listed == 1 and on + timedelta(days=29) <= today:
            _finish_and_lift(ctx, listing, on)
    return len(problems), listed


def _finish_and_lift(ctx, listing, on) -> None:
    """One key problem carried to the end: rectified, re-checked, and its listing lifted (销号)."""
    problem = listing.problem
    problem.refresh_from_db()
    if problem.status == Problem.Status.OPEN:
        services.problem_transition(actor=problem.owner, problem=problem, action="start", note="按督办要求立行立改", on=on)
        problem.refresh_from_db()
    if problem.status == Problem.Status.RECTIFYING:
        services.problem_transition(actor=problem.owner, problem=problem, action="report", on=on + timedelta(days=20),
                                    note="督办事项已整改完毕：涉事人员已调离执法岗位，建立相关制度并公示。")
        problem.refresh_from_db()
    services.problem_transition(actor=ctx.users["supervisor"], problem=problem, action="recheck_pass", on=on + timedelta(days=28),
                                note="督导组回头看：整改措施落实到位，群众满意。")
    services.listing_lift(actor=ctx.users["supervisor"], listing=listing, note="整改到位，同意销号。", on=on + timedelta(days=29))
