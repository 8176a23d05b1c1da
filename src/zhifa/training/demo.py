"""Demo for the training app: the previous calendar year's and this year's training events with attendance (most officers reach 60 business and law
hours, a few are short), two exams, annual reviews, equipment (body cameras, terminals, tablets, vehicles) with
assignments, and social supervisors with feedback. Deterministic via ``ctx.rng``."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from zhifa.core import audit
from zhifa.core.demo import DemoContext
from zhifa.core.models import Officer

from .models import (
    Attendance,
    CertificateReview,
    Equipment,
    EquipmentAssignment,
    Exam,
    ExamScore,
    SocialSupervisor,
    SupervisorFeedback,
    TrainingEvent,
)

EVENTS = [
    ("《行政处罚法》专题培训", "law", 12), ("交通运输行政执法程序规定解读", "law", 8), ("超限超载治理业务培训", "business", 16),
    ("执法文书制作规范培训", "business", 8), ("《行政强制法》与证据收集", "law", 8), ("道路运输市场监管业务", "business", 12),
    ("执法记录仪使用与全过程记录", "business", 4), ("轻微违法不罚与包容审慎监管", "law", 6), ("网络学法（学习强国·法治）", "law", 10),
    ("政治理论学习", "political", 8), ("行政复议与行政诉讼应诉", "law", 6), ("安全生产与应急处置", "business", 6),
]


def load(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    officers = list(Officer.objects.filter(is_active=True).select_related("organisation").order_by("pk"))
    with transaction.atomic():
        year_start = date(today.year, 1, 1)
        span = max((today - year_start).days - 7, 30)
        events, attendances = [], []
        # The previous calendar year in full (everyone reaches the hours), then this year to date (a few are short).
        for start_of, days, short_set in ((date(today.year - 1, 1, 1), 350, set()),
                                          (year_start, span, {o.pk for k, o in enumerate(officers) if k % 9 == 4})):
            year_events = []
            for i, (title, category, hours) in enumerate(EVENTS):
                start = start_of + timedelta(days=int(days * (i + 0.5) / len(EVENTS)))
                org = ctx.orgs["city"] if i % 3 == 0 else ctx.orgs["nz"] if i % 3 == 1 else ctx.orgs["fc"]
                year_events.append(TrainingEvent(organisation=org, title=title, category=category, start_on=start,
                                                 end_on=start + timedelta(days=max(0, hours // 8 - 1)), hours=Decimal(hours),
                                                 place=rng.choice(["局三楼会议室", "市执法支队培训中心", "线上", "南召县执法大队会议室"]),
                                                 teacher=rng.choice(["市局法规科", "县司法局", "省交通运输厅执法局", "律师事务所"])))
            TrainingEvent.objects.bulk_create(year_events)
            events += year_events
            counted = [e for e in year_events if e.category in TrainingEvent.COUNTED]
            for o in officers:
                skip = 5 if o.pk in short_set else rng.choice([0, 0, 1])
                missed = set(rng.sample(range(len(counted)), skip))
                for j, e in enumerate(counted):
                    if j not in missed:
                        attendances.append(Attendance(event=e, officer=o, hours=e.hours))
                if rng.random() < 0.7:
                    attendances.append(Attendance(event=next(e for e in year_events if e.category == "political"), officer=o, hours=Decimal(8)))
        Attendance.objects.bulk_create(attendances, batch_size=1000)

        exams = [Exam(organisation=ctx.orgs["city"], title=f"{y}年度执法人员法律知识考试", held_on=first + timedelta(days=int(days * 0.55)))
                 for y, first, days in ((today.year - 1, date(today.year - 1, 1, 1), 350), (today.year, year_start, span))]
        exams.append(Exam(organisation=ctx.orgs["city"], title=f"{today.year}年度执法业务技能考核", held_on=year_start + timedelta(days=int(span * 0.9))))
        Exam.objects.bulk_create(exams)
        ExamScore.objects.bulk_create([ExamScore(exam=ex, officer=o, score=Decimal(min(100, max(45, int(rng.gauss(82, 9))))))
                                       for ex in exams for o in officers])

        # 年审 early this year of the previous year's record: 当年学时 read from the hours register by the review day,
        # as ``certificate_review_record`` does (the consistency check recomputes it).
        from .selectors import hours_by_officer

        reviewed = [o for o in officers if o.annual_review_on and o.annual_review_on.year == today.year
                    and o.cert_expires_on >= o.annual_review_on]
        reviews = [CertificateReview(officer=o, year=today.year - 1, reviewed_on=o.annual_review_on, result="passed", note="年审合格",
                                     training_hours=hours_by_officer(Officer.objects.filter(pk=o.pk), today.year - 1,
                                                                     until=o.annual_review_on).get(o.pk, Decimal(0)))
                   for o in reviewed]
        CertificateReview.objects.bulk_create(reviews)

        n_eq = _equipment(ctx, officers)
        n_sup, n_fb = _supervisors(ctx)
        audit.record(actor=None, action="demo.load_training", subject=("training.demo", "training"), organisation=ctx.orgs["city"],
                     summary="载入执法队伍演示数据", changes={"events": len(events), "attendances": len(attendances), "equipment": n_eq,
                                                            "supervisors": n_sup, "feedback": n_fb})
    hours = hours_by_officer(Officer.objects.filter(is_active=True), today.year)
    short = sum(1 for o in officers if hours.get(o.pk, 0) < 60)
    ctx.notes.append(f"执法队伍：{today.year}年培训 {len(events)} 期，{short} 名执法人员业务和法律学时未达60学时（见工作台“培训学时”）；"
                     f"执法装备 {n_eq} 件；社会义务监督员 {n_sup} 名、意见 {n_fb} 条。")


def _equipment(ctx: DemoContext, officers: list[Officer]) -> int:
    rng, today = ctx.rng, ctx.today
    plan = [("body_camera", "执法记录仪 DSJ-V7", 50), ("handheld", "移动执法终端 ZF-T20", 24), ("tablet", "平板电脑 MatePad 11", 10),
            ("vehicle", "执法车辆 大众帕萨特", 8), ("printer", "便携打印机 HM-E200", 12)]
    items, seq = [], 0
    orgs = [ctx.orgs[k] for k in ("nz_brigade", "nz_squad1", "nz_squad2", "nz_station", "fc_brigade", "fc_squad1", "fc_station", "city_brigade")]
    for kind, model_name, count in plan:
        for i in range(count * ctx.scale):
            seq += 1
            org = orgs[i % len(orgs)]
            serial = f"豫R·{rng.choice('ABCDEF')}{rng.randint(1000, 9999)}警" if kind == "vehicle" else f"SN{rng.randint(10**9, 10**10 - 1)}"
            status = "repair" if i % 17 == 3 else "scrapped" if i % 23 == 5 else "in_service"
            items.append(Equipment(organisation=org, kind=kind, asset_number=f"ZFZB-{seq:04d}", model_name=model_name, serial=serial,
                                   purchased_on=today - timedelta(days=rng.randint(100, 1800)), status=status))
    Equipment.objects.bulk_create(items)
    assignments = []
    for e in items:
        local = [o for o in officers if o.organisation.is_within(e.organisation)]
        if e.status == "in_service" and local and e.kind != "vehicle":
            assignments.append(EquipmentAssignment(equipment=e, officer=rng.choice(local), assigned_on=today - timedelta(days=rng.randint(10, 300))))
    EquipmentAssignment.objects.bulk_create(assignments)
    return len(items)


def _supervisors(ctx: DemoContext) -> tuple[int, int]:
    rng, today = ctx.rng, ctx.today
    employers = ["县人大代表", "县政协委员", "运输企业代表", "出租车驾驶员", "社区工作者", "新闻媒体记者", "律师"]
    sups = []
    for county in ("nz", "fc"):
        for i in range(6 * ctx.scale):
            appointed = today - timedelta(days=rng.randint(100, 600))
            sups.append(SocialSupervisor(organisation=ctx.orgs[county], name=ctx.person_name(), phone=f"139{rng.randint(10000000, 99999999)}",
                                         employer=employers[i % len(employers)], appointed_on=appointed, term_ends_on=appointed + timedelta(days=730)))
    SocialSupervisor.objects.bulk_create(sups)
    contents = {"suggestion": "建议在客运站增设执法公示栏", "clue": "反映夜间有货车绕行逃避检测", "criticism": "反映个别执法人员着装不规范",
                "praise": "表扬执法人员耐心为群众解答"}
    feedback = []
    for s in sups:
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(list(contents))
            received = today - timedelta(days=rng.randint(1, 300))
            answered = rng.random() < 0.85
            feedback.append(SupervisorFeedback(supervisor=s, organisation=s.organisation, kind=kind, received_on=received, content=contents[kind],
                                               response="已核查并落实整改，向监督员反馈。" if answered else "",
                                               responded_on=received + timedelta(days=rng.randint(1, 10)) if answered else None))
    SupervisorFeedback.objects.bulk_create(feedback)
    return len(sups), len(feedback)
