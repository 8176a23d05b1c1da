"""一超四罚 (公路安全保护条例 Art. 66, 68): the rolling-window counts, with the 四级联网's records, and the scan that
records triggers, their follow-up cases, dishonesty proposals and the Art. 44 notice."""

from __future__ import annotations

import operator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhifa.core import audit, legal_calendar
from zhifa.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from zhifa.core.models import Driver, Organisation, SourceUnit, TransportCompany, Vehicle
from zhifa.core.roles import Role, has_role
from zhifa.core.services import assert_in_jurisdiction, assert_role
from zhifa.integrations import triggers

from ..models import (
    ExchangeLink,
    ExchangeRecord,
    FourPenaltyPolicy,
    FourPenaltyTrigger,
    ScreeningPolicy,
    Violation,
)
from .review import EDITORS


def four_policy(on: date) -> FourPenaltyPolicy:
    policy = FourPenaltyPolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        raise DomainError("no_policy", "没有施行中的一超四罚阈值。")
    return policy


def _window_start(on: date, months: int) -> datetime:
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    day = min(on.day, 28)
    return timezone.make_aware(datetime(year, month + 1, day)) + timedelta(days=1)


def four_penalty_counts(*, on: date | None = None, organisation: Organisation | None = None) -> dict:
    """Rolling-window counts (公路安全保护条例 Art. 66: 一年内): violations per vehicle, per driver, per source unit,
    and per company the share of its goods vehicles with a violation. Dismissed violations do not count."""
    on = on or timezone.localdate()
    policy = four_policy(on)
    start = _window_start(on, policy.window_months)
    end = timezone.make_aware(datetime.combine(on + timedelta(days=1), datetime.min.time()))
    qs = Violation.objects.filter(first_passed_at__gte=start, first_passed_at__lt=end).exclude(status=Violation.Status.DISMISSED)
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    vehicles = dict(qs.filter(vehicle__isnull=False).values_list("vehicle").annotate(n=Count("id")).values_list("vehicle", "n"))
    drivers = dict(qs.filter(driver__isnull=False).values_list("driver").annotate(n=Count("id")).values_list("driver", "n"))
    sources = dict(qs.filter(source_unit__isnull=False).values_list("source_unit").annotate(n=Count("id")).values_list("source_unit", "n"))
    over_vehicles = dict(qs.filter(vehicle__company__isnull=False).values_list("vehicle__company")
                         .annotate(n=Count("vehicle", distinct=True)).values_list("vehicle__company", "n"))
    _add_network_counts(start=start, end=end, organisation=organisation, local=qs, vehicles=vehicles,
                        drivers=drivers, sources=sources, over_vehicles=over_vehicles)
    fleet = dict(TransportCompany.objects.filter(pk__in=over_vehicles).annotate(
        n=Count("vehicles", filter=Q(vehicles__is_goods_vehicle=True))).values_list("pk", "n"))
    companies = {pk: (n, fleet.get(pk, 0)) for pk, n in over_vehicles.items()}
    return {"policy": policy, "vehicles": vehicles, "drivers": drivers, "sources": sources, "companies": companies}


def _add_network_counts(*, start, end, organisation, local, vehicles, drivers, sources, over_vehicles):
    """Other units' violations downloaded from the 四级联网 for our vehicles, drivers, companies and
    source units count like our own: 公路安全保护条例 Art. 66 counts the acts of the year wherever they were
    caught. Counted through the links (``ExchangeLink``) of the units in scope, so each jurisdiction counts
    the subjects it linked itself, whoever downloaded the record first. One act counts once (一事不再罚):
    per subject the distinct acts — a record merged into an earlier imported record of the same act is that
    act — and a record with a local, non-dismissed violation of the same act in the counted scope is counted
    as that violation, whichever was stored first (``_counted_locally``). A record dismissed at its origin
    does not count."""
    records = ExchangeRecord.objects.filter(
        kind="violation", first_passed_at__gte=start, first_passed_at__lt=end,
    ).exclude(origin_status=Violation.Status.DISMISSED)
    counted = _counted_locally(start=start, end=end, organisation=organisation)
    # Left out with the record of the act it was merged into, when that one is our violation's act.
    records = records.exclude(counted).exclude(merged_record__in=ExchangeRecord.objects.filter(counted))
    links = ExchangeLink.objects.filter(record__in=records)
    if organisation is not None:
        links = links.filter(organisation__path__startswith=organisation.path)
    act = Coalesce("record__merged_record", "record")
    for field, counter in (("vehicle", vehicles), ("driver", drivers), ("source_unit", sources)):
        rows = links.filter(**{f"{field}__isnull": False}).values_list(field).annotate(n=Count(act, distinct=True))
        for pk, n in rows.values_list(field, "n"):
            counter[pk] = counter.get(pk, 0) + n
    # A company counts distinct vehicles: ours and the network's of the same vehicle are one.
    pairs = set(links.filter(company__isnull=False, vehicle__isnull=False)
                .values_list("company", "vehicle").distinct())
    if not pairs:
        return
    companies = {c for c, _ in pairs}
    pairs |= set(local.filter(vehicle__company__in=companies)
                 .values_list("vehicle__company", "vehicle").distinct())
    for company in companies:
        over_vehicles[company] = sum(1 for c, _ in pairs if c == company)


def _counted_locally(*, start, end, organisation) -> Q:
    """Exchange records whose act is one of our non-dismissed violations counted in the same scope: same
    plate and colour, first pass less than the merging window apart — the window of the screening
    policy in force on the record's day, as the import's merge uses it (exchange_records._exchange_same_act).
    Computed at counting time, so the act counts once whether the download or our ingest came first."""
    local = Violation.objects.exclude(status=Violation.Status.DISMISSED)
    if organisation is not None:
        local = local.filter(organisation__path__startswith=organisation.path)
    policies = list(ScreeningPolicy.objects.filter(effective_from__lt=timezone.localtime(end).date())
                    .order_by("effective_from").values_list("effective_from", "merge_window_hours"))
    conditions = []
    for i, (effective_from, hours) in enumerate(policies):
        following = policies[i + 1][0] if i + 1 < len(policies) else None
        since = timezone.make_aware(datetime.combine(effective_from, datetime.min.time()))
        until = following and timezone.make_aware(datetime.combine(following, datetime.min.time()))
        if until is not None and until <= start:
            continue  # a policy replaced before the window: no record of the window falls under it
        window = timedelta(hours=hours)
        same_act = local.filter(plate=OuterRef("plate"), plate_colour=OuterRef("plate_colour"),
                                first_passed_at__gt=OuterRef("first_passed_at") - window,
                                first_passed_at__lt=OuterRef("first_passed_at") + window)
        period = Q(first_passed_at__gte=since) if i else Q()
        if until is not None:
            period &= Q(first_passed_at__lt=until)
        conditions.append(period & Exists(same_act))
    if not conditions:
        return Q(pk__in=[])
    # An unread plate names no act (the merge matches nothing for it either).
    return ~Q(plate="") & reduce(operator.or_, conditions)


def company_share_over(over: int, fleet: int, percent: Decimal) -> bool:
    """Whether a company's over-limit vehicles exceed ``percent`` of its goods vehicles (strictly more than).
    公路安全保护条例 Art. 66: the company part of 一超四罚 applies above 10 %. Also shown on the 一超四罚 page."""
    return fleet > 0 and Decimal(over) * 100 > percent * Decimal(fleet)


def may_scan_four_penalty(user) -> bool:
    """Who may run the 一超四罚 scan by hand: a head or an administrator (the page shows the button by this too)."""
    return has_role(user, Role.HEAD, Role.ADMIN)


def four_penalty_scan(*, on: date | None = None, actor=None, organisation: Organisation | None = None) -> list[FourPenaltyTrigger]:
    """Apply 一超四罚 (公路安全保护条例 Art. 66, 68): for each subject over its threshold without a trigger in the
    window, open a follow-up case for the road-transport authority, list the party as seriously dishonest, set
    the Art. 44 notice to the home authority (7 working days). Returns the new triggers; rerunning adds none.

    A person (``actor``) must be a head or an administrator and scans within their own jurisdiction (their
    organisation when none is named); without an actor it is the scheduled job, which scans everywhere."""
    if actor is not None:
        if not may_scan_four_penalty(actor):
            raise NotPermitted("forbidden", "只有负责人或系统管理员可以执行一超四罚扫描。")
        organisation = organisation or actor.organisation
        if organisation is not None:
            assert_in_jurisdiction(actor, organisation)
        elif not actor.is_superuser:
            raise NotPermitted("out_of_jurisdiction", "您的账号未关联机构，不能执行一超四罚扫描。")
    on = on or timezone.localdate()
    counts = four_penalty_counts(on=on, organisation=organisation)
    policy = counts["policy"]
    since = _window_start(on, policy.window_months).date()
    created = []
    for pk, n in counts["vehicles"].items():
        if n > policy.vehicle_max:  # Art. 66 ¶1: more than 3 times → revoke 车辆营运证
            v = Vehicle.objects.select_related("owner", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.VEHICLE, scope=organisation, party=v.owner, organisation=v.organisation, count=n, on=on, since=since,
                                vehicle=v, basis=f"《公路安全保护条例》第六十六条：一年内违法超限运输超过{policy.vehicle_max}次",
                                follow_up=f"吊销车辆 {v.plate} 道路运输证（车辆营运证）", actor=actor)
    for pk, n in counts["drivers"].items():
        if n > policy.driver_max:  # Art. 66 ¶1: driver more than 3 times → stop commercial transport
            d = Driver.objects.select_related("party", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.DRIVER, scope=organisation, party=d.party, organisation=d.organisation, count=n, on=on, since=since,
                                driver=d, basis=f"《公路安全保护条例》第六十六条：驾驶人一年内违法超限运输超过{policy.driver_max}次",
                                follow_up=f"责令驾驶人 {d.name} 停止从事营业性运输（从业资格证 {d.qualification_number}）", actor=actor)
    for pk, (over, fleet) in counts["companies"].items():
        if company_share_over(over, fleet, policy.company_share_percent):
            c = TransportCompany.objects.select_related("party", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.COMPANY, scope=organisation, party=c.party, organisation=c.organisation, count=over, on=on, since=since,
                                company=c, basis=f"《公路安全保护条例》第六十六条：一年内违法超限运输的货运车辆{over}辆，超过本单位货运车辆总数{fleet}辆的{policy.company_share_percent}%",
                                follow_up=f"责令 {c.name} 停业整顿；情节严重的吊销道路运输经营许可证并公告", actor=actor)
    for pk, n in counts["sources"].items():
        if n >= policy.source_min:  # Art. 68 / 道路运输条例 Art. 70: source unit loading and releasing overloaded vehicles
            s = SourceUnit.objects.select_related("party", "organisation").get(pk=pk)
            created += _trigger(kind=FourPenaltyTrigger.Kind.SOURCE, scope=organisation, party=s.party, organisation=s.organisation, count=n, on=on, since=since,
                                source_unit=s, basis=f"《公路安全保护条例》第六十八条；交办公路〔2017〕8号：一年内{n}次装载放行超限车辆",
                                follow_up=f"对货运源头单位 {s.name} 立案查处指使、强令超限装载行为", actor=actor)
    return created


def _trigger(*, kind, party, organisation, count, on, since, basis, follow_up, actor, scope=None, **subject) -> list[FourPenaltyTrigger]:
    field_name, obj = next(iter(subject.items()))
    if scope is not None and not organisation.is_within(scope):
        return []  # another county's vehicle, driver, company or source unit: its own authority scans it
    if FourPenaltyTrigger.objects.filter(kind=kind, **{field_name: obj}, triggered_on__gte=since).exists():
        return []
    due = legal_calendar.add_working_days(on, 7)  # 超限运输车辆行驶公路管理规定 Art. 44: notify within 7 working days
    with transaction.atomic():
        trigger = FourPenaltyTrigger.objects.create(kind=kind, party=party, organisation=organisation, count=count, basis=basis,
                                                    triggered_on=on, follow_up=follow_up, notice_due_on=due.date,
                                                    notice_confirmed=due.confirmed, **subject)
        _follow_up_case(trigger)
        _dishonesty_entry(trigger)
        triggers.four_penalty_recorded(trigger)  # the result goes to the 四级联网 (outbox, same transaction)
        audit.record(actor=actor, action="overload.four_penalty", subject=trigger, after=audit.snapshot(trigger), organisation=organisation,
                     summary=f"一超四罚：{trigger.get_kind_display()} {party.name} 一年内{count}次，{follow_up}；抄告期限 {due.date}")
    return [trigger]


def _follow_up_case(trigger: FourPenaltyTrigger) -> None:
    """The follow-up case (revocation / stop order / suspension) as a lead for the road-transport authority."""
    from zhifa.cases.models import Case
    from zhifa.cases.services import lead_register

    lead_register(actor=None, organisation=trigger.organisation, source=Case.Source.OTHER, party=trigger.party,
                  occurred_at=timezone.now() - timedelta(minutes=1), place="非现场超限检测（一超四罚）",
                  facts=f"{trigger.basis}。拟处理：{trigger.follow_up}。", vehicle=trigger.vehicle,
                  origin=("overload.four_penalty", trigger.pk))


def _dishonesty_entry(trigger: FourPenaltyTrigger) -> None:
    """Propose the serious-dishonesty listing (交办公路〔2017〕8号). A proposal only: the credit app's procedure
    (prior notice, statement and defence, the head's decision — 国办发〔2020〕49号) decides whether the party is
    listed."""
    from zhifa.credit.models import DishonestyCategory, DishonestyEntry
    from zhifa.credit.services import dishonesty_propose

    category = DishonestyCategory.objects.filter(code=f"overload_{trigger.kind}", active=True).first()
    if category is None:  # the administrator switched the category off: nothing to propose
        return
    kind = FourPenaltyTrigger.Kind
    subject = {kind.VEHICLE: lambda: f"车辆{trigger.vehicle.plate}", kind.DRIVER: lambda: f"驾驶人{trigger.driver.name}",
               kind.COMPANY: lambda: trigger.company.name, kind.SOURCE: lambda: trigger.source_unit.name}[trigger.kind]()
    counted = {kind.COMPANY: f"有{trigger.count}辆货运车辆违法超限运输", kind.SOURCE: f"{trigger.count}次装载放行超限车辆"}.get(
        trigger.kind, f"违法超限运输{trigger.count}次")
    d = trigger.triggered_on
    dishonesty_propose(actor=None, party=trigger.party, category=category, reason=f"一超四罚：{trigger.basis}",
                       facts=f"截至{d.year}年{d.month}月{d.day}日的一年内，{subject}{counted}（{trigger.basis}）",
                       source=DishonestyEntry.Source.FOUR_PENALTY, source_ref=f"一超四罚记录第{trigger.pk}号",
                       organisation=trigger.organisation, on=trigger.triggered_on)


def trigger_notice_send(*, actor, trigger: FourPenaltyTrigger) -> FourPenaltyTrigger:
    """Record the Art. 44 notice (抄告) to the vehicle's home road-transport authority."""
    assert_role(actor, *EDITORS)
    assert_in_jurisdiction(actor, trigger.organisation)
    with transaction.atomic():
        if FourPenaltyTrigger.objects.filter(pk=trigger.pk, notice_sent_at__isnull=True).update(notice_sent_at=timezone.now()) != 1:
            raise TransitionNotAllowed("already_sent", "已抄告。")
        trigger.refresh_from_db()
        audit.record(actor=actor, action="overload.notice_send", subject=trigger, organisation=trigger.organisation,
                     summary=f"向车籍地道路运输管理机构抄告（第四十四条）：{trigger.party.name}")
    return trigger
