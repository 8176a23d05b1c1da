"""Demo for the complaints app: a year of hotline complaints (12328/12345 split, every one answered, most on time
and instantly, a few reopened after a dissatisfied return call), routing rules, mediations and the soft-enforcement
ledger at the seed's scale for 南召县 (142 persuasions, 26 warnings, 21 interviews). Deterministic via ``ctx.rng``."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core.demo import DemoContext
from zhifa.core.models import Officer, Party, TransportCompany

from . import services
from .models import (
    Category,
    Channel,
    Complaint,
    ComplaintStep,
    DeadlineRule,
    Mediation,
    MediationSession,
    MediationStep,
    RoutingRule,
    SoftMeasure,
)

CONTENT = {
    Category.TAXI: ["出租车司机拒载，称不顺路", "出租车不打表议价", "出租车绕路多收费", "出租车司机态度恶劣"],
    Category.RIDE_HAILING: ["网约车实际车辆与平台信息不符", "网约车司机中途加价"],
    Category.BUS: ["公交车甩站不停", "公交车发车间隔过长", "公交司机接打电话"],
    Category.COACH: ["客车超员", "客车站外揽客", "客运班车甩客"],
    Category.FREIGHT: ["货车夜间超载通行噪声扰民", "渣土车抛洒", "货车占道停放装卸"],
    Category.DRIVING_SCHOOL: ["驾校收费后不安排练车", "驾校教练索要好处"],
    Category.REPAIR: ["维修厂虚报维修项目", "维修配件以次充好"],
    Category.ROAD: ["路面坑洼未修复", "公路两侧堆放杂物"],
    Category.ENFORCEMENT: ["执法人员未出示执法证", "反映检测站处罚过重"],
    Category.CONSULTATION: ["咨询道路运输证年审流程", "咨询超限运输许可办理"],
    Category.OTHER: ["建议增设公交站台", "反映客运站候车环境差"],
}
CATEGORY_WEIGHTS = [(Category.TAXI, 24), (Category.RIDE_HAILING, 6), (Category.BUS, 12), (Category.COACH, 8), (Category.FREIGHT, 14),
                    (Category.DRIVING_SCHOOL, 6), (Category.REPAIR, 5), (Category.ROAD, 7), (Category.ENFORCEMENT, 3),
                    (Category.CONSULTATION, 10), (Category.OTHER, 5)]
ROUTES = {"nz": ["1路", "2路", "3路", "南召—皇后", "南召—云阳", "南召—南阳"], "fc": ["1路", "5路", "方城—券桥", "方城—博望", "方城—南阳"]}
PLACES = {"nz": ["城关镇汽车站", "皇后乡", "云阳镇", "人民路与建设路口", "南召县客运站"], "fc": ["方城县汽车站", "券桥镇", "博望镇", "凤瑞路", "释之路"]}
REPLIES = ["经核查情况属实，已对驾驶员进行批评教育并责令整改，已向投诉人反馈。", "已约谈所属企业负责人，责令加强驾驶员管理。",
           "经调查，未发现所反映问题，已向投诉人解释说明。", "已转交相关单位处理，并告知投诉人办理结果。", "已就政策规定向投诉人作了解答。"]


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    with transaction.atomic():
        rules = _routing(ctx)
        n = _complaints(ctx, rules)
        m = _mediations(ctx)
        s = _soft(ctx)
        audit.record(actor=None, action="demo.load_complaints", subject=("complaints.demo", "complaints"), organisation=ctx.orgs["city"],
                     summary="载入投诉、调解和柔性执法演示数据", changes={"complaints": n, "mediations": m, "soft_measures": s})
    # A few complaints received today go through the services, so routing, notices and the record are live.
    head = ctx.users.get("head")
    if head is not None:
        for i in range(3):
            category = [Category.TAXI, Category.FREIGHT, Category.BUS][i]
            services.complaint_intake(actor=head, organisation=ctx.orgs["nz"], channel=[Channel.HOTLINE_12328, Channel.HOTLINE_12345][i % 2],
                                      category=category, content=rng.choice(CONTENT[category]), complainant_name=ctx.person_name(),
                                      complainant_phone=f"138{rng.randint(10000000, 99999999)}", place=rng.choice(PLACES["nz"]),
                                      received_at=timezone.now() - timedelta(hours=3 - i))
    replied = Complaint.objects.filter(replied_at__isnull=False).count()
    ctx.notes.append(f"投诉举报：{ctx.today.year - 1}年初至今 {n} 件（12328/12345 为主，已答复 {replied} 件，其余为近三日在办），另有今日新受理 3 件按分派规则交办（出租车类交 officer）；"
                     f"行政调解 {m} 件；柔性执法台账 {s} 条（南召县每年：说服教育 142、预警提示 26、约谈 21）。导入工单样表见 docs/complaints.md。")


def _routing(ctx: DemoContext) -> dict:
    officer = Officer.objects.filter(user=ctx.users.get("officer")).first()
    rows = [
        RoutingRule(organisation=ctx.orgs["nz"], priority=10, category=Category.TAXI, target_unit=ctx.orgs["nz_brigade"], target_officer=officer),
        RoutingRule(organisation=ctx.orgs["nz"], priority=20, category=Category.FREIGHT, target_unit=ctx.orgs["nz_squad1"]),
        RoutingRule(organisation=ctx.orgs["nz"], priority=30, keyword="皇后", target_unit=ctx.orgs["nz_station"]),
        RoutingRule(organisation=ctx.orgs["nz"], priority=100, target_unit=ctx.orgs["nz_brigade"]),
        RoutingRule(organisation=ctx.orgs["fc"], priority=100, target_unit=ctx.orgs["fc_brigade"]),
        RoutingRule(organisation=ctx.orgs["city"], priority=200, channel=Channel.MEDIA, target_unit=ctx.orgs["city_brigade"]),
    ]
    RoutingRule.objects.bulk_create(rows)
    return {"nz": rows[:4], "fc": rows[4:5]}


def _complaints(ctx: DemoContext, rules: dict) -> int:
    rng, today = ctx.rng, ctx.today
    tz = timezone.get_current_timezone()
    cal = legal_calendar.calendar()
    deadline = {r.channel: r for r in DeadlineRule.objects.filter(effective_from__lte=today).order_by("effective_from")}
    companies = {key: list(TransportCompany.objects.filter(organisation__path__startswith=ctx.orgs[key].path)) for key in ("nz", "fc")}
    hot = {key: rng.sample(v, min(6, len(v))) for key, v in companies.items()}  # a few firms draw many complaints
    officers = {key: list(Officer.objects.filter(organisation__path__startswith=ctx.orgs[key].path, is_active=True)) for key in ("nz", "fc")}
    channel_weights = [(Channel.HOTLINE_12328, 44), (Channel.HOTLINE_12345, 46), (Channel.PETITION, 3), (Channel.ONLINE, 5), (Channel.MEDIA, 2)]
    # About 720 a year, over the previous calendar year and this year to date.
    span = (today - date(today.year - 1, 1, 1)).days
    total = 720 * ctx.scale * span // 365
    complaints, steps = [], []
    for i in range(total):
        county = "nz" if i % 5 < 3 else "fc"
        days_ago = rng.randint(1, span)
        received = datetime.combine(today - timedelta(days=days_ago), time(rng.randint(8, 19), rng.randint(0, 59)), tzinfo=tz)
        channel = rng.choices([c for c, _ in channel_weights], [w for _, w in channel_weights])[0]
        category = rng.choices([c for c, _ in CATEGORY_WEIGHTS], [w for _, w in CATEGORY_WEIGHTS])[0]
        rule = deadline[channel]
        due = (cal.add_working_days if rule.working_days else cal.add_days)(received.date(), rule.days)
        firm = None
        if category in (Category.TAXI, Category.COACH, Category.FREIGHT, Category.BUS, Category.DRIVING_SCHOOL, Category.REPAIR) and rng.random() < 0.7:
            firm = rng.choice(hot[county]) if rng.random() < 0.45 else rng.choice(companies[county])
        route = rng.choice(ROUTES[county]) if category in (Category.BUS, Category.COACH, Category.TAXI) else ""
        place = rng.choice(PLACES[county])
        text = f"{place}{rng.choice(CONTENT[category])}"
        matched = next((r for r in rules[county] if r.matches(channel=channel, category=category, text=f"{text} {place} {route}")), None)
        unit = matched.target_unit if matched else ctx.orgs[f"{county}_brigade"]
        officer = (matched.target_officer if matched and matched.target_officer_id else
                   rng.choice([o for o in officers[county] if o.organisation.is_within(unit)] or officers[county]))
        # Answer timing: most hotline calls answered on the call; nearly all within the period; a few late.
        r = rng.random()
        if r < 0.62:
            replied = received + timedelta(minutes=rng.randint(3, 25))
        elif r < 0.975:
            replied = datetime.combine(received.date() + timedelta(days=rng.randint(1, max(1, (due.date - received.date()).days))), time(rng.randint(9, 17)), tzinfo=tz)
        else:
            replied = datetime.combine(due.date + timedelta(days=rng.randint(1, 4)), time(10), tzinfo=tz)
        open_now = days_ago <= 3 and rng.random() < 0.5
        status = Complaint.Status.ASSIGNED if open_now else Complaint.Status.CLOSED
        satisfaction, visited, reopened = "", None, 0
        if not open_now:
            visited = replied + timedelta(days=rng.randint(1, 3))
            v = rng.random()
            satisfaction = (Complaint.Satisfaction.SATISFIED if v < 0.83 else Complaint.Satisfaction.BASIC if v < 0.93 else
                            Complaint.Satisfaction.UNREACHABLE if v < 0.97 else Complaint.Satisfaction.DISSATISFIED)
            if satisfaction == Complaint.Satisfaction.DISSATISFIED:
                # Reopened and answered again: most then accept the answer, some stay dissatisfied (closed with explanation).
                reopened = 1
                satisfaction = Complaint.Satisfaction.BASIC if rng.random() < 0.6 else Complaint.Satisfaction.DISSATISFIED
        phone = f"1{rng.choice('3579')}{rng.randint(100000000, 999999999)}"
        c = Complaint(
            number=f"TS{received:%y%m%d}{i:06d}", organisation=unit, channel=channel,
            external_id=f"{channel}-{received:%Y%m%d}-{i:05d}" if channel in (Channel.HOTLINE_12328, Channel.HOTLINE_12345) else "",
            received_at=received, complainant_name=ctx.person_name(), complainant_phone=phone, category=category, content=text,
            firm=firm, firm_name=firm.name if firm else "", place=place, route=route, assigned_officer=officer, routing_rule=matched,
            status=status, due_on=due.date, due_confirmed=due.confirmed and rule.confirmed, deadline_rule=rule,
            replied_at=None if open_now else replied, reply="" if open_now else rng.choice(REPLIES),
            instant_reply=not open_now and (replied - received) <= timedelta(minutes=rule.instant_minutes),
            replied_on_time=None if open_now else replied.date() <= due.date,
            visited_at=visited, satisfaction=satisfaction, closed_at=visited, reopen_count=reopened,
        )
        complaints.append(c)
    Complaint.objects.bulk_create(complaints, batch_size=500)
    for c in complaints:
        steps.append(ComplaintStep(complaint=c, at=c.received_at, action="intake", actor_name="热线平台", to_status=Complaint.Status.RECEIVED, note=f"经{c.get_channel_display()}受理"))
        steps.append(ComplaintStep(complaint=c, at=c.received_at + timedelta(minutes=1), action="assign", actor_name="系统", from_status="received",
                                   to_status=Complaint.Status.ASSIGNED, note=f"分派至{c.organisation}（{c.assigned_officer.name}）"))
        if c.replied_at:
            steps.append(ComplaintStep(complaint=c, at=c.replied_at, action="reply", actor_name=c.assigned_officer.name, from_status="assigned", to_status="replied", note="答复"))
        if c.reopen_count:
            steps.append(ComplaintStep(complaint=c, at=c.visited_at, action="visit_dissatisfied", actor_name="回访员", from_status="replied", to_status="reopened", note="回访不满意，重新办理"))
            steps.append(ComplaintStep(complaint=c, at=c.visited_at, action="reply", actor_name=c.assigned_officer.name, from_status="reopened", to_status="replied", note="再次答复"))
        if c.closed_at:
            steps.append(ComplaintStep(complaint=c, at=c.closed_at, action="visit_satisfied", actor_name="回访员", from_status="replied", to_status="closed",
                                       note=f"回访：{c.get_satisfaction_display()}，办结"))
    ComplaintStep.objects.bulk_create(steps, batch_size=1000)
    return len(complaints)


def _mediations(ctx: DemoContext) -> int:
    rng, today = ctx.rng, ctx.today
    rows, sessions = [], []
    span = (today - date(today.year - 1, 1, 1)).days  # about 24 a year since the start of the previous year
    for i in range(24 * ctx.scale * span // 365):
        county = "nz" if i % 3 else "fc"
        org = ctx.orgs[f"{county}_brigade"]
        parties = list(Party.objects.filter(organisation=org).order_by("pk")[i * 7:i * 7 + 2])
        if len(parties) < 2:
            continue
        mediator = Officer.objects.filter(organisation__path__startswith=org.path, is_active=True).order_by("pk")[i % 5]
        applied = today - timedelta(days=rng.randint(5, span))
        kind = rng.choice(Mediation.Kind.values)
        r = rng.random()
        m = Mediation(number=f"TJ{applied:%y%m%d}{i:04d}", organisation=org, kind=kind, applicant=parties[0], respondent=parties[1],
                      applied_on=applied, claim=f"{Mediation.Kind(kind).label}：双方就费用和责任承担发生争议，申请行政调解。",
                      amount=rng.randint(20, 800) * 100)
        if r < 0.08:
            m.status, m.decided_on, m.refusal_reason = Mediation.Status.REFUSED, applied + timedelta(days=2), "该纠纷已向人民法院起诉，不属于行政调解受理范围。"
        elif r < 0.15 and (today - applied).days < 30:
            m.status = Mediation.Status.APPLIED
        else:
            m.decided_on, m.mediator = applied + timedelta(days=rng.randint(1, 3)), mediator
            held = min(m.decided_on + timedelta(days=rng.randint(2, 7)), today)
            sessions.append((m, MediationSession(held_on=held, attendees=f"申请人、被申请人、调解员{mediator.name}",
                                                 record="双方陈述事实和请求，调解员释法说理，双方同意协商解决。")))
            if r < 0.8 and held < today:
                m.status, m.agreement_on, m.agreement_text = Mediation.Status.CLOSED, held, "经调解，双方自愿达成如下协议：被申请人于协议签订之日起十日内支付申请人款项，双方就此纠纷再无其他争议。"
                m.closed_on, m.outcome = min(held + timedelta(days=10), today), "协议已履行"
            elif r < 0.9 and held < today:
                m.status, m.outcome, m.closed_on = Mediation.Status.CLOSED, "调解不成，告知当事人可依法提起诉讼", held
            else:
                m.status = Mediation.Status.ACCEPTED
        rows.append(m)
    Mediation.objects.bulk_create(rows)
    for m, s in sessions:
        s.mediation = m
    MediationSession.objects.bulk_create([s for _, s in sessions])
    MediationStep.objects.bulk_create([step for m in rows for step in _mediation_steps(m)], batch_size=1000)
    return len(rows)


def _mediation_steps(m: Mediation) -> list[MediationStep]:
    """The history a demo mediation would have had through the services (``workflow.MEDIATION_WORKFLOW``)."""
    tz = timezone.get_current_timezone()
    S = Mediation.Status

    def step(action, from_status, to_status, on, note):
        return MediationStep(mediation=m, action=action, from_status=from_status, to_status=to_status, note=f"调解 {m.number}：{note}",
                             at=datetime.combine(on, time(10), tzinfo=tz))

    steps = [MediationStep(mediation=m, action="apply", to_status=S.APPLIED, note=f"登记调解申请 {m.number}",
                           at=datetime.combine(m.applied_on, time(9), tzinfo=tz))]
    if m.status == S.REFUSED:
        return [*steps, step("refuse", S.APPLIED, S.REFUSED, m.decided_on, f"不予受理：{m.refusal_reason}")]
    if m.status == S.APPLIED:
        return steps
    steps.append(step("accept", S.APPLIED, S.ACCEPTED, m.decided_on, f"受理，调解员{m.mediator.name}"))
    if m.status == S.CLOSED:
        agreed = bool(m.agreement_text)
        steps.append(step("agree", S.ACCEPTED, S.AGREED, m.agreement_on, "达成调解协议") if agreed
                     else step("fail", S.ACCEPTED, S.FAILED, m.closed_on, f"调解不成：{m.outcome}"))
        steps.append(step("close", S.AGREED if agreed else S.FAILED, S.CLOSED, m.closed_on, "结案"))
    return steps


def _soft(ctx: DemoContext) -> int:
    rng, today = ctx.rng, ctx.today
    plan = {"nz": {SoftMeasure.Kind.PERSUASION: 142, SoftMeasure.Kind.WARNING: 26, SoftMeasure.Kind.INTERVIEW: 21,
                   SoftMeasure.Kind.COMMITMENT: 38, SoftMeasure.Kind.RETURN_VISIT: 30},
            "fc": {SoftMeasure.Kind.PERSUASION: 96, SoftMeasure.Kind.WARNING: 18, SoftMeasure.Kind.INTERVIEW: 12,
                   SoftMeasure.Kind.COMMITMENT: 20, SoftMeasure.Kind.RETURN_VISIT: 16}}
    matters = {SoftMeasure.Kind.PERSUASION: ["未随车携带道路运输证", "货物轻微超限，当场卸载后放行", "驾驶员从业资格证未随身携带", "车辆标识不全"],
               SoftMeasure.Kind.WARNING: ["企业车辆近期多次超限，发出预警提示", "道路运输证即将到期提醒", "节前安全生产提示"],
               SoftMeasure.Kind.INTERVIEW: ["企业车辆一季度超限3次，约谈法定代表人", "客运企业投诉集中，约谈安全负责人"],
               SoftMeasure.Kind.COMMITMENT: ["首次违法轻微不罚，当事人书面承诺", "容缺办理承诺"],
               SoftMeasure.Kind.RETURN_VISIT: ["整改情况回访", "约谈后回访企业整改落实"]}
    rows = []
    for county, counts in plan.items():
        org = ctx.orgs[f"{county}_brigade"]
        officers = list(Officer.objects.filter(organisation__path__startswith=org.path, is_active=True))
        companies = list(TransportCompany.objects.filter(organisation=org).select_related("party")[:120])
        persons = list(Party.objects.filter(organisation=org, kind=Party.Kind.PERSON)[:300])
        # The plan's numbers for each year: the previous calendar year and this year to date.
        years = [(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)), (date(today.year, 1, 1), today)]
        for (first, last), (kind, count) in ((y, kc) for y in years for kc in counts.items()):
            for j in range(count * ctx.scale):
                # 约谈 of firms' legal representatives, and (one in four) of drivers with repeated violations
                firm_side = kind == SoftMeasure.Kind.WARNING or (kind == SoftMeasure.Kind.INTERVIEW and j % 4) or rng.random() < 0.3
                party = rng.choice(companies).party if firm_side else rng.choice(persons)
                on = first + timedelta(days=rng.randint(0, (last - first).days))
                rows.append(SoftMeasure(
                    organisation=org, kind=kind, party=party, occurred_on=on, officer=rng.choice(officers),
                    matter=rng.choice(matters[kind]) if firm_side or kind != SoftMeasure.Kind.INTERVIEW else "驾驶员一年内多次违法超限运输，约谈驾驶员本人",
                    minutes="约谈对象到场，通报问题，提出整改要求和期限，对方表示接受。" if kind == SoftMeasure.Kind.INTERVIEW else "",
                    commitment="本人（单位）承诺立即改正违法行为，今后严格遵守道路运输管理规定。" if kind == SoftMeasure.Kind.COMMITMENT else "",
                    follow_up_on=on + timedelta(days=30) if kind in (SoftMeasure.Kind.INTERVIEW, SoftMeasure.Kind.COMMITMENT) else None,
                ))
    SoftMeasure.objects.bulk_create(rows, batch_size=500)
    return len(rows)
