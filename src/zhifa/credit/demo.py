"""Demo data of credit: historical penalties imported from the provincial enforcement platform (before this
system went live) and complaints, grades of all firms and the serious-dishonesty list. ``load_ledger`` runs first from
the inspections demo, so the draws there already see the grades; ``load`` adds the rest. Penalty publications are the
portal's (one pipeline): the portal demo publishes the decided cases and then calls ``load_repairs``."""

from datetime import date, timedelta

from zhifa.core.demo import on_day
from zhifa.core.models import TransportCompany

from . import services
from .models import CreditEvent, CreditGrade, CreditPublication, DishonestyEntry, RepairApplication
from .workflow import Status

VIOLATIONS = ["未按规定对车辆进行二级维护", "道路运输车辆未随车携带道路运输证", "未按规定安装使用卫星定位装置", "超越许可事项从事经营",
              "驾驶员未取得从业资格证", "未按规定进行安全生产教育培训", "使用技术检验不合格车辆", "车辆超限运输"]


def _firms(ctx):
    return list(TransportCompany.objects.filter(organisation__path__startswith=ctx.orgs["city"].path).select_related("party__organisation").order_by("pk"))


def load_ledger(ctx) -> None:
    """The credit ledger over the previous year and this year to date, the previous year's listings (each step on its
    own day), then the grading job as it ran at the previous year's end and as it runs today: the year-end grades
    read the penalties, findings and listings of that year's window (credit_grades in the annual report)."""
    if CreditEvent.objects.filter(source_type="demo.history").exists():
        return
    rng, today = ctx.rng, ctx.today
    firms = _firms(ctx)
    first_day = date(today.year - 1, 1, 1)
    span = (today - timedelta(days=5) - first_day).days
    sample = rng.sample(firms, min(60, len(firms)))
    for i, firm in enumerate(sample):
        # 12 firms with ≥ 3 penalties in the two years (the local rule lowers those with ≥ 3 in a window); others one or two.
        n = 3 + (i % 2) if i < 12 else 1 + (i % 2)
        for k in range(n):
            services.credit_event_record(actor=None, party=firm.party, kind=CreditEvent.Kind.PENALTY, occurred_on=first_day + timedelta(days=rng.randint(0, span)),
                                         description=f"{rng.choice(VIOLATIONS)}（省行政执法平台历史处罚）", source_type="demo.history",
                                         source_id=f"{firm.pk}-p{k}", regrade=False)
    for i, firm in enumerate(rng.sample(firms, min(25, len(firms)))):
        for k in range(3 if i < 6 else 1):
            services.credit_event_record(actor=None, party=firm.party, kind=CreditEvent.Kind.COMPLAINT, occurred_on=first_day + timedelta(days=rng.randint(0, span)),
                                         description="12328有效投诉：" + rng.choice(["拒载", "服务态度差", "未按规定收费", "车辆卫生不合格"]),
                                         source_type="demo.history", source_id=f"{firm.pk}-c{k}", regrade=False)
    listed = _previous_year_listings(ctx, [f for f in firms if f not in sample])
    year_end = date(today.year - 1, 12, 31)
    with on_day(year_end, hour=18):  # the annual grading at the end of the previous year
        services.grades_recompute(actor=None, organisation=ctx.orgs["city"], on=year_end)
    services.grades_recompute(actor=None, organisation=ctx.orgs["city"], on=today)
    ctx.notes.append(f"信用：{today.year - 1}年列入严重失信主体名单{len(listed)}户（{'、'.join(f.name for f in listed)}），"
                     f"{today.year - 1}年末评级时按信用规则在列期间最高为C级")


def _previous_year_listings(ctx, firms) -> list:
    """Three freight firms whose vehicle was penalised for overloading four times in the first months of the previous
    year (imported from the provincial platform): an officer proposes the listing, the notice is served, the
    statement period runs out (one firm states and is heard), the head decides to list them (国办发〔2020〕49号 (八));
    one of them leaves the list by credit repair after the minimum period this year."""
    from zhifa.core.models import Vehicle

    from .models import DishonestyCategory

    year, officer, head = ctx.today.year - 1, ctx.users["officer"], ctx.users["head"]
    category = DishonestyCategory.objects.get(code="overload_vehicle")
    chosen = []
    for firm in firms:
        vehicle = Vehicle.objects.filter(owner=firm.party, is_goods_vehicle=True).order_by("pk").first()
        if (vehicle is not None and firm.organisation.is_within(ctx.orgs["nz"]) and firm.kind == TransportCompany.Kind.FREIGHT
                and not DishonestyEntry.objects.filter(party=firm.party).exists()):  # not already proposed this year (一超四罚)
            chosen.append((firm, vehicle))
        if len(chosen) == 3:
            break
    listed = []
    for i, (firm, vehicle) in enumerate(chosen):
        for k, month in enumerate((1, 2, 4, 5)):
            services.credit_event_record(actor=None, party=firm.party, kind=CreditEvent.Kind.PENALTY, occurred_on=date(year, month, 8 + i),
                                         description=f"车辆{vehicle.plate}违法超限运输（省行政执法平台历史处罚）", source_type="demo.history",
                                         source_id=f"{firm.pk}-o{k}", regrade=False)
        proposed = date(year, 6, 2 + i)
        with on_day(proposed):
            entry = services.dishonesty_propose(actor=officer, party=firm.party, category=category, organisation=firm.organisation,
                                                reason=f"车辆{vehicle.plate}一年内违法超限运输4次",
                                                facts=f"{year}年1月至5月，{firm.name}所属车辆{vehicle.plate}4次违法超限运输，均已受到行政处罚"
                                                      "（《公路安全保护条例》第六十六条）")
        with on_day(proposed + timedelta(days=1)):
            entry = services.dishonesty_notify(actor=officer, entry=entry)
        if i == 0:
            with on_day(proposed + timedelta(days=3)):
                entry = services.dishonesty_statement_record(actor=officer, entry=entry,
                                                             statement="超限均属实，已更换车队负责人并加装装载称重设备，请求从轻认定。")
        decide_on = entry.statement_due_on + timedelta(days=3)
        with on_day(decide_on):
            entry = services.dishonesty_decide(actor=head, entry=entry, list_party=True,
                                               review_note="当事人陈述的整改措施不影响认定事实，超限次数达到认定标准，予以列入。" if i == 0 else "")
        listed.append(firm)
        if i == 2 and entry.repair_from <= ctx.today - timedelta(days=30):
            with on_day(entry.repair_from + timedelta(days=20)):
                services.dishonesty_repair_remove(actor=head, entry=entry, corrected=True, commitment_signed=True,
                                                  reason="列入满12个月，已纠正违法行为、缴清全部罚款并作出信用承诺，经信用修复提前移出")
    return listed


def load(ctx) -> None:
    load_ledger(ctx)
    today = ctx.today
    listing_note = _walk_listings(ctx)
    # Regrade everyone last: the grades then read every penalty decided by the demos before this one and the list.
    services.grades_recompute(actor=None, organisation=ctx.orgs["city"], on=today)
    dist = {g: CreditGrade.objects.filter(grade=g).count() for g in ("AA", "A", "B", "C", "D")}
    ctx.notes.append("信用：" + "，".join(f"{g}级{n}户" for g, n in dist.items()) + f"；{listing_note}")


def load_previous_year_repairs(ctx) -> None:
    """Credit repairs applied for in the previous year, each step on its own day (the portal demo calls this after
    publishing and before today's run): the firm's fine was paid (the publication marked performed on the payment
    day), it applies after the minimum publication period; the head grants most, refuses one with the reason, and one
    application is not accepted because the commitment was not signed. A granted repair takes the decision off the
    portal the same day (one pipeline)."""
    from zhifa.cases.models import Case
    from zhifa.portal.services import publication_take_down_repaired

    year, head = ctx.today.year - 1, ctx.users["head"]
    pubs = (CreditPublication.objects.filter(status=CreditPublication.Status.PUBLISHED, organisation__path__startswith=ctx.orgs["nz"].path,
                                             decision_date__year=year, decision_date__month__lte=5, source_type="cases.case")
            .select_related("party__organisation").order_by("decision_date", "pk"))
    done = 0
    for pub in pubs:
        case = Case.objects.filter(pk=int(pub.source_id), paid_on__isnull=False, revoked_on__isnull=True).first()
        if case is None:
            continue
        with on_day(case.paid_on, hour=17):
            services.publication_mark_performed(actor=None, publication=pub, performed_on=case.paid_on)
        applied = max(services.add_months(pub.decision_date, 3) + timedelta(days=5 + done), case.paid_on + timedelta(days=1))
        signed = done != 4
        with on_day(applied, hour=10):
            app = services.repair_apply(actor=None, publication=pub, applicant_name=pub.party.name, channel=RepairApplication.Channel.PUBLIC,
                                        commitment_signed=signed, commitment_text="本单位承诺依法诚信经营" if signed else "",
                                        applicant_phone="13800000000", on=applied)
        if app.status == RepairApplication.Status.CHECKED:
            decided = applied + timedelta(days=3)
            refuse = done == 2
            with on_day(decided, hour=15):
                services.repair_decide(actor=head, application=app, approve=not refuse, on=decided,
                                       note="信用承诺书未经法定代表人签字，不符合修复要求，可补正后重新申请" if refuse else "符合修复条件，同意修复")
                if not refuse:
                    publication_take_down_repaired(actor=None, subject_type=pub.source_type, subject_id=pub.source_id, today=decided)
        done += 1
        if done == 6:
            break


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
