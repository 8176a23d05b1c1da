"""Demo cases in every state of the procedure, with green, amber and overdue clocks, for 南召县 (and a few for
方城县), and a full previous calendar year of decided, paid and archived cases. Each case is driven through the
services as the demo accounts would do it, each step on its own day in the past (``core.demo.on_day``), so its dates,
history and full-process record agree; fines are paid through the payment notices, never marked paid on the case."""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.demo import on_day
from zhifa.core.models import Party, Vehicle

from . import leniency, preservation
from . import services as cs
from .models import Case

# The demo's violations with the catalogue item whose provisions they cite (the demo's amounts are free, so the
# cases state the item's provisions themselves instead of linking the item and its benchmark).
FACTS = [
    ("驾驶货车从事道路货物运输，未按规定对运输车辆进行维护和检测", "YS-012"),
    ("未取得道路运输经营许可擅自从事道路普通货物运输经营", "YS-001"),
    ("驾驶货车违法超限运输，车货总质量超过限定标准", "CX-001"),
    ("客运车辆不按批准的客运站点停靠", "YS-007"),
    ("货运车辆未采取必要措施防止货物脱落、扬撒", "YS-011"),
]


def fits(code: str, amount) -> bool:
    """Whether a fine of ``amount`` lies in the statutory range of the catalogue item's penalty provision (the
    case service refuses any other: 行政处罚法 Art. 4)."""
    from zhifa.discretion.models import ViolationItem
    from zhifa.discretion.ranges import statutory_range

    if amount is None:
        return True
    rng = statutory_range(item=ViolationItem.objects.get(code=code))
    return rng is None or ((rng.minimum or 0) <= Decimal(amount) <= rng.maximum)


def catalogue_provisions(code: str) -> tuple[str, str]:
    """(violated provision, penalty provision) of a catalogue item, as the demo cases state them."""
    from zhifa.discretion.models import ViolationItem

    item = ViolationItem.objects.get(code=code)
    return item.violated_provision, item.penalty_basis


PLACES = ["G207国道皇后段", "S231省道云阳段", "南召县城关镇汽车站", "G312国道方城段", "皇后超限检测站"]


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class _Driver:
    def __init__(self, ctx, org_key="nz_brigade", officer="officer", officer2="officer2", head="head"):
        self.ctx = ctx
        self.org = ctx.orgs[org_key]
        self.officer, self.head, self.reviewer = ctx.users[officer], ctx.users[head], ctx.users["reviewer"]
        self.team = [ctx.users[officer].officer, ctx.users[officer2].officer]
        self.parties = list(Party.objects.filter(organisation__path__startswith=self.org.path).order_by("pk")[:400])
        self.n = 0

    def lead(self, *, days_ago=2, source=Case.Source.INSPECTION, party=None, code=None, amount=None) -> Case:
        rng = self.ctx.rng
        self.n += 1
        party = party or rng.choice(self.parties)
        vehicle = Vehicle.objects.filter(owner=party).first()
        # A catalogue item's case states that item's facts; the others take in turn the demo's facts whose penalty
        # provision allows the fine the case will propose.
        fitting = [f for f in FACTS if fits(f[1], amount)]
        facts, fact_code = next((f for f in FACTS if code and f[1] == code), fitting[self.n % len(fitting)])
        # The violation type every published decision and 双公示 row must carry.
        violation_name = facts.replace("驾驶货车", "").replace("客运车辆", "")
        when = timezone.now() - timedelta(days=days_ago, hours=rng.randint(1, 8))
        plate = f"（{vehicle.plate}）" if vehicle else ""
        case = cs.lead_register(actor=self.officer, organisation=self.org, source=source, party=party, vehicle=vehicle, occurred_at=when,
                                place=PLACES[self.n % len(PLACES)], facts=f"当事人{party.name}{plate}{facts}。", officers=self.team,
                                violation_name=violation_name, violation_item_code=code)
        if code:  # a catalogue item: its own provisions apply
            return case
        violated, penalty = catalogue_provisions(fact_code)
        return cs.case_set_provisions(actor=self.officer, case=case, violated_provision=violated, penalty_provision=penalty)

    def opened(self, **kw) -> Case:
        case = cs.case_open(actor=self.head, case=self.lead(**kw), officers=self.team)
        start = timezone.now() - timedelta(hours=2)
        cs.transcript_create(actor=self.officer, case=case, kind="scene", started_at=start, ended_at=start + timedelta(minutes=40),
                             place=case.place, officers=self.team, person_name=case.party.name,
                             content={"observations": f"经现场检查，{case.facts}", "measures": "责令改正，登记保存相关证据"})
        cs.transcript_create(actor=self.officer, case=case, kind="inquiry", started_at=start + timedelta(hours=1),
                             ended_at=start + timedelta(hours=1, minutes=30), place="执法大队询问室", officers=self.team,
                             person_name=case.party.name, content=[{"q": "你是否清楚我们是南召县交通运输综合行政执法大队的执法人员？", "a": "清楚。"},
                                                                   {"q": "请陈述当时的情况。", "a": "车辆运输途中被检查，证件未随车携带。"},
                                                                   {"q": "以上记录是否属实？", "a": "属实。"}])
        png = b"\x89PNG\r\n\x1a\n" + f"demo-photo-{case.number}".encode() * 8
        cs.evidence_add(actor=self.officer, case=case, kind="photo", title="现场车辆照片", fileobj=io.BytesIO(png), name="scene.png",
                        content_type="image/png", captured_at=start, capture_device="执法记录仪 NZ-DSJ-03", capture_place=case.place)
        if self.n % 3 == 0:
            # 先行登记保存 (Art. 56): requested, approved by the head (证据登记保存清单), decided within 7 working days.
            p = preservation.preservation_request(actor=self.officer, case=case, place="执法大队证据保管室",
                                                  items=[{"name": "道路运输单证", "spec": "运单、装货清单", "quantity": "3", "unit": "份"}],
                                                  reason="当事人运输单证随车流动，事后难以取得")
            preservation.preservation_approve(actor=self.head, preservation=p, approve=True, opinion="同意")
        return case

    def reviewed(self, amount="2000", legal_review=False, deviation="", **kw) -> Case:
        case = self.opened(amount=amount, **kw)
        if legal_review:
            case = cs.case_set_review(actor=self.head, case=case, legal_review_required=True, discussion_required=False, basis="案情复杂，涉及多个法律关系")
        case = cs.case_report(actor=self.officer, case=case, report_text="经调查，当事人违法事实清楚，证据确凿，建议给予行政处罚。",
                              proposed_outcome=Case.Outcome.PENALTY, proposed_amount=Decimal(amount), deviation_reason=deviation)
        case = cs.case_internal_review(actor=self.head, case=case, approve=True, opinion="同意调查终结报告意见")
        if case.status == "legal_review":
            cs.case_legal_review(actor=self.reviewer, case=case, opinion="agree", text="事实清楚，证据充分，适用依据正确，程序合法，裁量适当。")
            case.refresh_from_db()
        return case

    def notified(self, amount="2000", hearing=False, **kw) -> Case:
        case = self.reviewed(amount=amount, legal_review=hearing, **kw)
        return cs.case_notify(actor=self.officer, case=case, penalty_kind="fine", amount=Decimal(amount), hearing_right=hearing)

    def decided(self, amount="2000", lenient=False, deviation="", **kw) -> Case:
        case = cs.case_waive(actor=self.officer, case=self.notified(amount=amount, deviation=deviation, **kw),
                             statement="对违法事实无异议，放弃陈述申辩。")
        reasoning = ("当事人主动供述违法事实、积极配合调查，依法从轻处罚。" if lenient else
                     "当事人违法事实清楚，证据确凿，按裁量基准一般情形处罚。")
        basis = case.penalty_provision or case.violation_item.penalty_basis  # a catalogue item's case cites its item
        return cs.case_decide(actor=self.head, case=case, penalty_kind="fine", amount=Decimal(amount), legal_basis=basis,
                              reasoning=reasoning, lenient=lenient, deviation_reason=deviation)

    def delivered(self, amount="2000", **kw) -> Case:
        return cs.case_deliver(actor=self.officer, case=self.decided(amount=amount, **kw), method="direct")

    def not_penalised(self, *, party, code: str, list_kind: str, reason: str, harm: str, correction: str, reasoning: str) -> Case:
        """首违不罚 / 轻微不罚 (行政处罚法 Art. 33 ¶1) on the list's recorded facts, delivered the same day."""
        case = cs.case_report(actor=self.officer, case=self.opened(code=code, party=party),
                              report_text=f"经调查，当事人{reasoning}建议不予行政处罚。", proposed_outcome=Case.Outcome.NO_PENALTY)
        case = cs.case_internal_review(actor=self.head, case=case, approve=True, opinion="同意适用清单，不予行政处罚")
        leniency.case_list_apply(actor=self.officer, case=case, list_kind=list_kind, harm=harm, corrected_on=case.occurred_on,
                                 correction=correction)
        if case.list_application.commitment_required:
            leniency.case_commitment_sign(actor=self.officer, case=case)
        case.refresh_from_db()
        case = cs.case_no_penalty(actor=self.head, case=case, reason=reason,
                                  reasoning=f"当事人{reasoning}依法不予行政处罚，已对当事人进行教育。",
                                  legal_basis="《中华人民共和国行政处罚法》第三十三条第一款")
        return cs.case_deliver(actor=self.officer, case=case, method="direct")


def pay_in_full(case: Case) -> Case:
    """The party pays the notice (the payment system's callback moves the case to 执行完毕)."""
    from zhifa.payments.models import PaymentNotice
    from zhifa.payments.services import simulated_payment

    simulated_payment(notice=PaymentNotice.objects.get(case=case))
    case.refresh_from_db()
    return case


def load(ctx) -> None:
    d = _Driver(ctx)
    counts: dict[str, int] = {}
    today = ctx.today

    def keep(make, days_ago: int = 0) -> Case:
        """Build a case as on ``days_ago`` days before the anchor date."""
        with on_day(today - timedelta(days=days_ago)):
            case = make()
        case.refresh_from_db()
        counts[case.status] = counts.get(case.status, 0) + 1
        return case

    def later(case: Case, days_ago: int, step) -> Case:
        """A further step of ``case`` on its own (later) day."""
        counts[case.status] -= 1
        with on_day(today - timedelta(days=days_ago), hour=14):
            step(case)
        case.refresh_from_db()
        counts[case.status] = counts.get(case.status, 0) + 1
        return case

    # Leads: a fresh one, one from a report, one older than the 2-year limitation.
    keep(lambda: d.lead(days_ago=1))
    keep(lambda: d.lead(days_ago=3, source=Case.Source.REPORT))
    keep(lambda: d.lead(days_ago=2 * 365 + 40, source=Case.Source.ASSIGNED))
    keep(lambda: cs.case_decline(actor=d.head, case=d.lead(days_ago=5), reason="经核查，不属于本机关管辖，已告知举报人向有权机关反映。"), 8)
    # Investigation with green, amber and overdue 90-day clocks.
    for days in (20, 87, 100):
        keep(d.opened, days)

    def extended():
        case = d.opened()
        cs.case_extend(actor=d.head, case=case, days=30, reason="需委托检测机构对车辆进行检测", basis="head")
        cs.case_suspend(actor=d.officer, case=case, reason="testing", note="车辆检测")
        return case

    keep(extended, 95)
    keep(lambda: cs.case_report(actor=d.officer, case=d.opened(amount="2000"), report_text="调查终结，建议罚款2000元。", proposed_outcome="penalty",
                                proposed_amount=Decimal("2000")), 40)

    def in_review():
        case = d.opened(amount="30000")
        cs.case_set_review(actor=d.head, case=case, legal_review_required=True, discussion_required=False, basis="拟罚款数额较大")
        case = cs.case_report(actor=d.officer, case=case, report_text="调查终结，建议罚款30000元。", proposed_outcome="penalty",
                              proposed_amount=Decimal("30000"))
        return cs.case_internal_review(actor=d.head, case=case, approve=True, opinion="同意，送法制审核")

    keep(in_review, 45)
    keep(lambda: d.reviewed(amount="1500"), 50)
    # Notice: window open; window over (ready for decision); hearing requested and scheduled; hearing held.
    keep(lambda: d.notified(amount="3000"), 1)
    keep(lambda: d.notified(amount="2500"), 14)

    def hearing_requested(amount):
        return cs.case_hearing_request(actor=d.officer, case=d.notified(amount=amount, hearing=True))

    scheduled = keep(lambda: hearing_requested("30000"), 2)
    later(scheduled, 1, lambda c: cs.case_hearing_schedule(
        actor=d.officer, case=c, hearing_on=legal_calendar.add_working_days(timezone.localdate(), 9).date))
    # 行政处罚法 Art. 64: notified on one day, the hearing held no earlier than 7 working days later.
    heard = keep(lambda: hearing_requested("20000"), 40)
    notice_day = today - timedelta(days=38)
    hearing_day = legal_calendar.add_working_days(notice_day, 8).date
    later(heard, 38, lambda c: cs.case_hearing_schedule(actor=d.officer, case=c, notice_on=notice_day, hearing_on=hearing_day))
    later(heard, (today - hearing_day).days, lambda c: cs.case_hearing_hold(
        actor=d.officer, case=c, record="当事人到场，对违法事实无异议，请求从轻处罚。执法人员出示了证据。"))
    # Decided: awaiting delivery (one overdue), in execution (payment running / overdue), paid, closed, archived.
    keep(lambda: d.decided(amount="2000"), 2)
    keep(lambda: d.decided(amount="1000"), 12)
    for days, amount in [(3, "2000"), (10, "1500"), (25, "3000"), (40, "5000")]:
        keep(lambda amount=amount: d.delivered(amount=amount), days)
    later(keep(lambda: d.delivered(amount="1800"), 20), 17, pay_in_full)
    closed = later(keep(lambda: d.delivered(amount="1200"), 35), 30, pay_in_full)
    later(closed, 28, lambda c: cs.case_close(actor=d.head, case=c, report="罚款已缴清，案件办理完毕，申请结案。"))
    archived = later(keep(lambda: d.delivered(amount="1600"), 60), 55, pay_in_full)
    later(archived, 50, lambda c: cs.case_close(actor=d.head, case=c, report="罚款已缴清，结案。"))
    later(archived, 45, lambda c: cs.case_archive(actor=d.officer, case=c))

    # First violation, no penalty (首违不罚), delivered: the list applied with its facts (no earlier violation in the
    # look-back period, corrected on the spot), the commitment letter generated and signed.
    def first_violation():
        first = cs.case_report(actor=d.officer, case=d.opened(code="YS-011"), report_text="经调查，当事人系初次违法，已当场改正，建议不予行政处罚。",
                               proposed_outcome=Case.Outcome.NO_PENALTY)
        first = cs.case_internal_review(actor=d.head, case=first, approve=True, opinion="同意适用首违不罚清单")
        leniency.case_list_apply(actor=d.officer, case=first, list_kind="first_violation", harm="none",
                                 corrected_on=first.occurred_on, correction="当场对货物加盖篷布、重新捆扎，消除脱落、扬撒隐患")
        leniency.case_commitment_sign(actor=d.officer, case=first)
        first.refresh_from_db()
        first = cs.case_no_penalty(actor=d.head, case=first, reason=Case.NoPenaltyReason.FIRST,
                                   reasoning="当事人初次违法，危害后果轻微并已及时改正，依法不予行政处罚，已对当事人进行教育。",
                                   legal_basis="《中华人民共和国行政处罚法》第三十三条第一款")
        return cs.case_deliver(actor=d.officer, case=first, method="direct")

    keep(first_violation, 15)
    keep(lambda: cs.case_withdraw(actor=d.head, case=d.opened(), reason="经调查，违法事实不能成立。"), 30)
    keep(lambda: cs.case_transfer(actor=d.head, case=d.opened(), to="南召县公安局", reason="涉嫌伪造证件，移送公安机关处理。"), 30)
    revoked = keep(lambda: d.delivered(amount="2000"), 60)
    later(revoked, 50, lambda c: cs.case_revoke(actor=d.head, case=c, reason="行政复议决定撤销原处罚决定。"))
    # Simplified procedure: on-the-spot fines and a warning.
    # Parties with no earlier case: the benchmark's first-violation tier (and its amount) applies to them.
    clean = [p for p in d.parties if not Case.objects.filter(party=p).exists()]
    persons = [p for p in clean if p.kind == Party.Kind.PERSON][:3]
    firms = [p for p in clean if p.kind == Party.Kind.ORGANISATION][:1]
    for party, kind, amount, days, code, facts in [
            (persons[0], "fine", "200", 1, "CZ-005", "驾驶巡游出租汽车不按照规定使用文明用语，车容车貌不符合要求"),
            (persons[1], "fine", "200", 20, "CZ-001", "驾驶巡游出租汽车途中甩客"),
            (persons[2], "warning", None, 4, "WY-002", "驾驶未取得网络预约出租汽车运输证的车辆从事网约车经营活动"),
            (firms[0], "fine", "2000", 6, "YS-011", "所属货运车辆未采取必要措施防止货物脱落、扬撒")]:
        _violated, penalty = catalogue_provisions(code)
        keep(lambda party=party, kind=kind, amount=amount, code=code, facts=facts, penalty=penalty: cs.case_simplified(
            actor=d.officer, organisation=d.org, party=party, officers=d.team, occurred_at=timezone.now() - timedelta(hours=1),
            place=PLACES[0], facts=f"{party.name}{facts}。", penalty_kind=kind, amount=Decimal(amount) if amount else None,
            legal_basis=penalty, violation_item_code=code, vehicle=Vehicle.objects.filter(owner=party).first(),
            deviation_reason="当事人当场改正，未造成危害后果，按简易程序就低处罚"), days)
    previous = _previous_year(ctx, d, keep, later)
    # 方城县: its own cases (another jurisdiction, invisible to 南召 accounts).
    fc = _Driver(ctx, org_key="fc_brigade", officer="fc_officer", officer2="fc_officer2", head="head")
    fc.head = _fc_head(ctx) or fc.head
    if fc.head is not ctx.users["head"]:
        keep(fc.opened, 30)
        keep(lambda: fc.lead(days_ago=2))
    total = sum(counts.values())
    ctx.notes.append(f"案件：{total} 件，覆盖线索登记至归档各状态（含超期、即将到期）；其中{today.year - 1}年全年{previous}件已决定、缴款、结案归档；"
                     "登录 officer/head/reviewer 查看“我的案件”“期限预警”。")


def _benchmark(code: str, *, lenient: bool) -> str:
    """The fine the discretion benchmark in force proposes for ``code`` (行政处罚法 Art. 34) for a violation three
    days before the (demo) day, in its general tier or, for a party who confessed and cooperated, its lenient tier
    (Art. 32)."""
    from zhifa.discretion import engine

    today = timezone.localdate()
    facts = {"confessed": True} if lenient else {}
    return str(engine.assess(item_code=code, facts=facts, violation_date=today - timedelta(days=3), today=today).amount)


# The previous year's catalogue items: decided on the benchmark's proposal (依裁量基准作出的罚款决定).
BENCHMARK_ITEMS = ["YS-012", "YS-007", "YS-001"]


def _previous_year(ctx, d: "_Driver", keep, later) -> int:
    """The previous calendar year in full: fine decisions spread over its months on catalogue items at the
    benchmark's amount (every fourth below it, lenient for a party who confessed, with the reason written), each
    delivered, paid through its notice, closed and archived on later days; the larger ones through legal review
    (法制审核, 行政处罚法 Art. 58). Also first-violation and minor no-penalty decisions (Art. 33), a decision revoked
    on reconsideration, and a fine left unpaid: reminded (催告) and sent to the court (行政强制法 Arts. 53–54)."""
    from zhifa.payments.models import PaymentNotice
    from zhifa.payments.services import payment_enforcement_apply, payment_reminder_issue

    year = ctx.today.year - 1
    n = 0
    for month in range(1, 13):
        for k in range(3):
            opened = date(year, month, 3 + k * 8)
            ago = (ctx.today - opened).days
            if k < 2:
                code, lenient = BENCHMARK_ITEMS[(month + k) % 3], (month + k) % 4 == 0

                def make(code=code, lenient=lenient):
                    amount = _benchmark(code, lenient=False)
                    if not lenient:
                        return d.delivered(amount=amount, code=code, days_ago=3)
                    return d.delivered(amount=_benchmark(code, lenient=True), code=code, days_ago=3, lenient=True,
                                       deviation=f"当事人主动供述违法事实、积极配合调查，依法从轻处罚（裁量基准一般情形为{amount}元）")
            else:
                def make():
                    return d.delivered(amount="30000", hearing=True, days_ago=3)
            case = keep(make, ago)
            if month == 2 and k == 0:
                # Left unpaid: the 催告书 after the due day, the court application once the remedy periods have run.
                notice = PaymentNotice.objects.get(case=case)
                reminded = notice.due_on + timedelta(days=20)
                with on_day(reminded):
                    payment_reminder_issue(actor=d.officer, notice=notice)
                notice.refresh_from_db()
                from zhifa.payments.enforcement import window

                applied = window(notice)[0] + timedelta(days=5)
                with on_day(applied):
                    payment_enforcement_apply(actor=d.head, notice=notice)
                n += 1
                continue
            if month == 5 and k == 1:
                later(case, ago - 30, lambda c: cs.case_revoke(actor=d.head, case=c, reason="行政复议决定撤销原处罚决定，责令重新作出。"))
                n += 1
                continue
            later(case, ago - 10, pay_in_full)
            later(case, ago - 14, lambda c: cs.case_close(actor=d.head, case=c, report="罚款已缴清，案件办理完毕，申请结案。"))
            if month < 12:
                later(case, ago - 20, lambda c: cs.case_archive(actor=d.officer, case=c))
            n += 1
    # 首违不罚 and 轻微不罚 (行政处罚法 Art. 33 ¶1), for parties with no earlier case.
    clean = [p for p in d.parties if not Case.objects.filter(party=p).exists()]
    for (month, code, list_kind, reason, harm, correction, reasoning), party in zip([
            (3, "YS-011", "first_violation", Case.NoPenaltyReason.FIRST, "none", "当场对货物加盖篷布、重新捆扎，消除脱落、扬撒隐患",
             "系初次违法，危害后果轻微并已当场改正，"),
            (6, "YS-011", "first_violation", Case.NoPenaltyReason.FIRST, "none", "当场清理遗撒物并加装挡板",
             "系初次违法，危害后果轻微并已当场改正，"),
            (9, "YS-012", "minor_no_penalty", Case.NoPenaltyReason.TRIVIAL, "none", "当日将车辆送检并补做二级维护",
             "违法行为轻微并及时改正，没有造成危害后果，"),
            (11, "YS-011", "first_violation", Case.NoPenaltyReason.FIRST, "minor", "当场卸载散落货物并重新苫盖",
             "系初次违法，危害后果轻微并已当场改正，")], clean[-4:], strict=False):
        keep(lambda party=party, code=code, list_kind=list_kind, reason=reason, harm=harm, correction=correction, reasoning=reasoning:
             d.not_penalised(party=party, code=code, list_kind=list_kind, reason=reason, harm=harm, correction=correction,
                             reasoning=reasoning), (ctx.today - date(year, month, 15)).days)
        n += 1
    return n


def _fc_head(ctx):
    """A head for 方城县 if the demo has one (the core demo's head belongs to 南召县)."""
    from zhifa.core.models import User

    return User.objects.filter(organisation__path__startswith=ctx.orgs["fc"].path, groups__name="head").first()
