"""Demo coercive measures for 南召县's brigade: one in every state, with green, amber and overdue periods and an
emergency measure whose 24-hour report is running. Each is driven through the services as the demo accounts would
do it; afterwards its dates are moved back by a fixed number of days (the demo's own history, not a live act)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from zhifa.cases import services as cs
from zhifa.cases.demo import pay_in_full
from zhifa.cases.models import Case
from zhifa.core.demo import on_day, record_backdating
from zhifa.core.models import Party, Vehicle

from . import services, tasks
from .models import Measure, MeasureBasis, MeasureStep
from .services import Scene

FACTS = "驾驶货车造成公路路面、护栏损坏，拒不接受公路管理机构现场调查处理"
# Damaging road furniture (公路附属设施): 公路法 Art. 52, fined under Art. 76 (六) (catalogue item LZ-005); the
# vehicle is held under 公路安全保护条例 Art. 72 (the coercive measure, not the penalty).
VIOLATED, PENALTY = "《中华人民共和国公路法》第五十二条", "《中华人民共和国公路法》第七十六条第（六）项"


def _shift(measure: Measure, days: int) -> Measure:
    """Move the measure's history ``days`` back (demo only)."""
    delta = timedelta(days=days)
    updates = {f: F(f) - delta for f in ("applied_at", "approved_at", "taken_at", "reported_at", "starts_on", "extended_on",
                                         "extension_notified_on") if getattr(measure, f) is not None}
    Measure.objects.filter(pk=measure.pk).update(**updates)
    MeasureStep.objects.filter(measure=measure).update(at=F("at") - delta)
    measure.pauses.update(started_on=F("started_on") - delta, notified_on=F("notified_on") - delta)
    measure.pauses.filter(ended_on__isnull=False).update(ended_on=F("ended_on") - delta)
    measure.refresh_from_db()
    record_backdating(measure, days=days)
    return measure


class _Driver:
    def __init__(self, ctx):
        self.ctx = ctx
        self.org = ctx.orgs["nz_brigade"]
        self.officer, self.head = ctx.users["officer"], ctx.users["head"]
        self.team = [ctx.users["officer"].officer, ctx.users["officer2"].officer]
        owners = Vehicle.objects.filter(organisation__path__startswith=self.org.path).exclude(owner__address="").values_list("owner", flat=True)
        self.parties = list(Party.objects.filter(pk__in=owners[:200]).order_by("pk"))
        ctx.rng.shuffle(self.parties)  # one party (and vehicle) per measure: a vehicle is never seized twice (Art. 23)
        self.seize = MeasureBasis.objects.get(code="seize_vehicle_road_damage")
        self.seal = MeasureBasis.objects.get(code="seal_unsafe_equipment")

    def case(self) -> Case:
        party = self.parties.pop()
        vehicle = Vehicle.objects.filter(owner=party).order_by("pk").first()
        case = cs.lead_register(actor=self.officer, organisation=self.org, source=Case.Source.INSPECTION, party=party, vehicle=vehicle,
                                occurred_at=timezone.now() - timedelta(hours=3), place="G207国道皇后段K1123处",
                                facts=f"当事人{party.name}（{vehicle.plate}）{FACTS}。", officers=self.team, violation_name=FACTS)
        return cs.case_set_provisions(actor=self.officer, case=case, violated_provision=VIOLATED, penalty_provision=PENALTY)

    def scene(self, case: Case, *, at=None, basis=None) -> Scene:
        vehicle = case.vehicle
        items = ([{"name": "防撞护栏检测设备", "quantity": Decimal("2"), "unit": "套", "description": "未经检定"}] if basis is self.seal else
                 [{"name": f"货车{vehicle.plate}", "quantity": Decimal("1"), "unit": "辆", "description": vehicle.get_plate_colour_display()},
                  {"name": "车辆行驶证", "quantity": Decimal("1"), "unit": "本", "description": ""}])
        return Scene(taken_at=at or timezone.now(), officers=self.team, items=items, rights_notified=True,
                     statement="当事人称损坏系意外，同意配合调查。", scene_record=f"经现场勘查，{case.facts}执法人员出示执法证件，当场告知理由、依据和权利。",
                     custody_place="南召县交通运输综合行政执法大队停车场", place=case.place)

    def applied(self, basis=None) -> Measure:
        return services.measure_apply(actor=self.officer, case=self.case(), basis=basis or self.seize,
                                      reason=f"{FACTS}，为查清事实、防止证据灭失")

    def approved(self, basis=None) -> Measure:
        return services.measure_approve(actor=self.head, measure=self.applied(basis), opinion="同意")

    def in_force(self, basis=None) -> Measure:
        m = self.approved(basis)
        return services.measure_take(actor=self.officer, measure=m, scene=self.scene(m.case, basis=basis))

    def emergency(self, hours_ago: int) -> Measure:
        case = self.case()
        return services.measure_take_emergency(actor=self.officer, case=case, basis=self.seize, reason=f"{FACTS}，当事人欲驾车离开现场",
                                               scene=self.scene(case, at=timezone.now() - timedelta(hours=hours_ago)))


def _decided(d: _Driver, case: Case) -> Case:
    case = cs.case_open(actor=d.head, case=case, officers=d.team)
    case = cs.case_report(actor=d.officer, case=case, report_text="经调查，违法事实清楚，证据确凿。", proposed_outcome=Case.Outcome.PENALTY,
                          proposed_amount=Decimal("3000"))
    case = cs.case_internal_review(actor=d.head, case=case, approve=True, opinion="同意")
    case = cs.case_notify(actor=d.officer, case=case, penalty_kind=Case.PenaltyKind.FINE, amount=Decimal("3000"), hearing_right=False)
    case = cs.case_waive(actor=d.officer, case=case, statement="无异议")
    return cs.case_decide(actor=d.head, case=case, penalty_kind=Case.PenaltyKind.FINE, amount=Decimal("3000"),
                          legal_basis=PENALTY, reasoning="违法事实清楚，依法处理。")


def load(ctx) -> None:
    d = _Driver(ctx)
    if len(d.parties) < 22:
        return
    kept = []
    kept.append(d.applied())
    kept.append(d.approved(d.seal))
    kept.append(services.measure_refuse(actor=d.head, measure=d.applied(), opinion="违法情节轻微，当事人已配合调查，无须扣押"))
    kept.append(d.emergency(hours_ago=5))  # 24-hour report running
    kept.append(services.measure_report(actor=d.officer, measure=d.emergency(hours_ago=2), note="已电话报告负责人"))
    kept.append(_shift(services.measure_confirm(actor=d.head, measure=services.measure_report(actor=d.officer, measure=d.emergency(1)),
                                                opinion="同意补办"), 6))
    kept.append(_shift(d.in_force(), 3))                    # green
    kept.append(_shift(d.in_force(d.seal), 28))             # amber: 30 days run out in 2 days
    kept.append(_shift(d.in_force(), 33))                   # red: period over, to be released
    extended = d.in_force()
    services.measure_pause(actor=d.officer, measure=extended, reason="appraisal", started_on=timezone.localdate(),
                           notified_on=timezone.localdate(), note="委托公路工程质量检测机构鉴定护栏损坏程度")
    services.measure_resume(actor=d.officer, measure=extended, ended_on=timezone.localdate())
    kept.append(_shift(services.measure_extend(actor=d.head, measure=extended, days=30, reason="损坏程度需专业鉴定，案情复杂"), 0))
    kept.append(services.measure_release(actor=d.head, measure=_shift(d.in_force(), 12), reason="decided", note="当事人已赔偿路产损失"))
    disposed = d.in_force()
    _decided(d, disposed.case)
    kept.append(services.measure_dispose(actor=d.head, measure=disposed, note="依处理决定没收违法运输的物品"))
    # The previous calendar year, each step on its own day: vehicles seized for road damage and released after the
    # decision; unsafe equipment sealed; a seizure extended while the damage was appraised (行政强制法 Art. 25); a
    # seizure ended by the decision's confiscation (Art. 27).
    year = ctx.today.year - 1
    for month in (2, 4, 6, 8, 10, 12):
        if not d.parties:
            break
        taken = date(year, month, 10)
        with on_day(taken):
            measure = d.in_force(d.seal if month == 4 else None)
        if month == 6:
            with on_day(taken + timedelta(days=25), hour=11):
                services.measure_extend(actor=d.head, measure=measure, days=30, reason="护栏损坏程度需专业鉴定，案情复杂")
            with on_day(taken + timedelta(days=45), hour=15):
                kept.append(services.measure_release(actor=d.head, measure=measure, reason="decided", note="鉴定完成，当事人已赔偿路产损失，依法解除扣押"))
        elif month == 10:
            with on_day(taken + timedelta(days=15), hour=10):
                _decided(d, measure.case)
            with on_day(taken + timedelta(days=16), hour=15):
                kept.append(services.measure_dispose(actor=d.head, measure=measure, note="依处理决定没收违法运输的物品"))
            with on_day(taken + timedelta(days=17), hour=10):  # the decision delivered, the fine paid, the case closed
                case = cs.case_deliver(actor=d.officer, case=Case.objects.get(pk=measure.case_id), method="direct")
            with on_day(taken + timedelta(days=24), hour=10):
                case = pay_in_full(case)
            with on_day(taken + timedelta(days=27), hour=10):
                cs.case_close(actor=d.head, case=case, report="罚款已缴清，扣押物品已依决定处理，申请结案。")
        else:
            with on_day(taken + timedelta(days=12), hour=15):
                kept.append(services.measure_release(actor=d.head, measure=measure, reason="decided", note="当事人已赔偿路产损失，依法解除扣押"))
    flagged = tasks.flag_overdue()
    states = sorted({m.get_status_display() for m in kept})
    ctx.notes.append(f"行政强制措施：{len(kept)} 件（{'、'.join(states)}），超期预警 {flagged} 件；入口“行政强制措施”。")
