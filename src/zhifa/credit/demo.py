"""Demo data of credit: historical penalties imported from the provincial enforcement platform (before this
system went live) and complaints, grades of all firms and the serious-dishonesty list. ``load_ledger`` runs first from
the inspections demo, so the draws there already see the grades; ``load`` adds the rest. Penalty publications are the
portal's (one pipeline): the portal demo publishes the decided cases and then calls ``load_repairs``."""

from datetime import date, timedelta

from zhifa.core.models import TransportCompany

from . import services
from .models import CreditEvent, CreditGrade, CreditPublication, DishonestyEntry, RepairApplication
from .workflow import Status

VIOLATIONS = ["未按规定对车辆进行二级维护", "道路运输车辆未随车携带道路运输证", "未按规定安装使用卫星定位装置", "超越许可事项从事经营",
              "驾驶员未取得从业资格证", "未按规定进行安全生产教育培训", "使用技术检验不合格车辆", "车辆超限运输"]


def _firms(ctx):
    return list(TransportCompany.objects.filter(organisation__path__startswith=ctx.orgs["city"].path).select_related("party__organisation").order_by("pk"))


def load_ledger(ctx) -> None:
    if CreditEvent.objects.filter(source_type="demo.history").exists():
        return
    rng, today = ctx.rng, ctx.today
    firms = _firms(ctx)
    sample = rng.sample(firms, min(60, len(firms)))
    for i, firm in enumerate(sample):
        # 12 firms with ≥ 3 penalties in the last year (the local rule lowers them); others one or two.
        n = 3 + (i % 2) if i < 12 else 1 + (i % 2)
        for k in range(n):
            services.credit_event_record(actor=None, party=firm.party, kind=CreditEvent.Kind.PENALTY, occurred_on=today - timedelta(days=rng.randint(5, 350)),
                                         description=f"{rng.choice(VIOLATIONS)}（省行政执法平台历史处罚）", source_type="demo.history",
                                         source_id=f"{firm.pk}-p{k}", regrade=False)
    for i, firm in enumerate(rng.sample(firms, min(25, len(firms)))):
        for k in range(3 if i < 6 else 1):
            services.credit_event_record(actor=None, party=firm.party, kind=CreditEvent.Kind.COMPLAINT, occurred_on=today - timedelta(days=rng.randint(5, 300)),
                                         description="12328有效投诉：" + rng.choice(["拒载", "服务态度差", "未按规定收费", "车辆卫生不合格"]),
                                         source_type="demo.history", source_id=f"{firm.pk}-c{k}", regrade=False)
    year_end = date(today.year - 1, 12, 31)
    for firm in firms:
        # The annual grading at the end of the previous year, then today's: the grade history holds both.
        services.grade_compute(actor=None, party=firm.party, on=year_end)
        services.grade_compute(actor=None, party=firm.party, on=today)


def load(ctx) -> None:
    load_ledger(ctx)
    today = ctx.today
    listing_note = _walk_listings(ctx)
    # Regrade everyone last: the grades then read every penalty decided by the demos before this one and the list.
    services.grades_recompute(actor=None, organisation=ctx.orgs["city"], on=today)
    dist = {g: CreditGrade.objects.filter(grade=g).count() for g in ("AA", "A", "B", "C", "D")}
    ctx.notes.append("信用：" + "，".join(f"{g}级{n}户" for g, n in dist.items()) + f"；{listing_note}")


def load_repairs(ctx) -> None:
    """Credit repairs of penalty publications. The publications are the portal's (one pipeline: the portal publishes a
    decision and the credit publication follows it), so the portal demo calls this after publishing; repairs run on
    decisions whose minimum period has passed and whose fine is paid (the previous year's cases)."""
    today, head = ctx.today, ctx.users["head"]
    pubs = CreditPublication.objects.filter(status=CreditPublication.Status.PUBLISHED, organisation__path__startswith=ctx.orgs["nz"].path)
    approved = refused = 0
    for pub in pubs.select_related("party__organisation").order_by("decision_date", "pk")[:24]:
        if not pub.penalty_performed and refused >= 3:
            continue
        app = services.repair_apply(actor=None, publication=pub, applicant_name=pub.party.name, channel=RepairApplication.Channel.PUBLIC,
                                    commitment_signed=True, commitment_text="本单位承诺依法诚信经营", applicant_phone="13800000000", on=today)
        if app.status == RepairApplication.Status.CHECKED and approved < 3:
            services.repair_decide(actor=head, application=app, approve=True, note="符合修复条件", on=today)
            approved += 1
        elif app.status == RepairApplication.Status.CHECKS_FAILED:
            refused += 1
        if approved >= 3 and refused >= 3:
            break
    ctx.notes.append(f"信用修复：申请{RepairApplication.objects.count()}件（已修复{approved}件），网上申请页 /credit/public/repair/，"
                     "修复指南 /credit/public/repair-guide/")


def _walk_listings(ctx) -> str:
    """The serious-dishonesty procedure as far as it can truthfully have gone by ``ctx.today``. The overload demo's
    一超四罚 scan proposed its listings today (its records cover the last month), so none can be decided yet: the
    statement period of the notice has to run first (国办发〔2020〕49号). Half of them are notified today, one of
    those with the party's statement; the others await the notice. No party is listed without a decision."""
    officer = ctx.users["officer"]
    path = officer.organisation.path
    proposals = list(DishonestyEntry.objects.filter(status=Status.PROPOSED, organisation__path__startswith=path)
                     .select_related("party", "organisation", "category").order_by("pk"))
    notified = []
    for entry in proposals[: (len(proposals) + 1) // 2]:
        notified.append(services.dishonesty_notify(actor=officer, entry=entry, on=ctx.today))
    if notified:
        services.dishonesty_statement_record(actor=officer, entry=notified[0], on=ctx.today,
                                            statement="对超限次数无异议，车辆已卸载整改，请求从轻处理并给予信用修复机会。")
    by_system = DishonestyEntry.objects.filter(source=DishonestyEntry.Source.FOUR_PENALTY).count()
    due = f"，陈述申辩期限至{notified[0].statement_due_on:%Y-%m-%d}，期满后由负责人决定" if notified else ""
    return (f"严重失信主体名单：一超四罚自动提出列入建议{by_system}件（均为今日提出，尚未决定），其中{officer.organisation.name}"
            f"已送达告知书{len(notified)}件{due}；在列{DishonestyEntry.objects.filter(status=Status.LISTED).count()}户（/credit/dishonesty/）")
