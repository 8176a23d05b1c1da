"""The consistency check (``zhifa check figures``): every invariant that ties one register's figures to another's,
recomputed from the raw rows, independently of the code that produced the figures. Each check yields the failures
it finds (Chinese, naming the record); the command prints them and exits non-zero when there is any.

Invariants (issue 16):

- 严重失信名单与信用等级: a party on the serious-dishonesty list holds no grade better than the rules allow a listed
  party;
- 年审学时与学时登记: an annual review's 当年学时 equals the hours register (business and law hours of that year
  credited by the review day);
- 比率不超过100%: every rate of the registry has its numerator inside its denominator's cohort;
- 按单位分列: a by-unit breakdown has the unit's own row and adds up to the unit's total, which equals a direct count;
- 公开一致: every penalty and permit decision is published on the portal, in the credit publications and in the 双公示
  export alike, or in none of them;
- 结案与罚款: no executed, closed or archived case with a fine left unpaid and no enforcement step (催告/申请强制执行);
- 听证通知时限: the hearing notice precedes the hearing by the statutory working days (行政处罚法 Art. 64).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db.models import Case as DjCase
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhifa.core import legal_calendar
from zhifa.core.models import Organisation

from . import charts, metrics

LIMIT = 50  # failures listed per check (all are counted)


@dataclass(frozen=True)
class More:
    """Yielded by a check after its first ``LIMIT`` failures: how many more it counted in the database (the check
    names the first ones and counts the rest in one query instead of walking every row)."""

    count: int


def _listed(qs, describe: Callable) -> Iterator:
    """The first ``LIMIT`` rows of a failing set, described, then the count of the rest — two queries, however many."""
    rows = list(qs[:LIMIT + 1])
    for row in rows[:LIMIT]:
        yield describe(row)
    if len(rows) > LIMIT:
        yield More(qs.count() - LIMIT)


@dataclass(frozen=True)
class Check:
    """One invariant: a key for ``--only``, its Chinese name, and the function that yields failures."""

    key: str
    title: str
    run: Callable[["Context"], Iterator[str]]


@dataclass
class Context:
    today: date

    @property
    def periods(self) -> list[tuple[date, date]]:
        """The previous calendar year and the current year to date — what the reports show."""
        y = self.today.year
        return [(date(y - 1, 1, 1), date(y - 1, 12, 31)), (date(y, 1, 1), self.today)]


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


# --- 严重失信名单与信用等级 -----------------------------------------------------------------------------------

def listed_grade_floor(on: date) -> list[str]:
    """The grades a party on the serious-dishonesty list may hold: the credit rules in force say it
    (``CreditRuleSet.listed_max_grade``, data)."""
    CreditRuleSet = _model("credit.CreditRuleSet")
    rs = CreditRuleSet.objects.filter(effective_from__lte=on).order_by("-effective_from").first() if CreditRuleSet else None
    return rs.listed_grades() if rs is not None else ["AA", "A", "B", "C", "D"]


def check_dishonesty_grades(ctx: Context) -> Iterator[str]:
    Entry, Grade = _model("credit.DishonestyEntry"), _model("credit.CreditGrade")
    if Entry is None or Grade is None:
        return
    allowed = listed_grade_floor(ctx.today)
    listed = Entry.objects.filter(status="listed").values_list("party_id", flat=True)
    wrong = Grade.objects.filter(party_id__in=listed).exclude(grade__in=allowed).select_related("party").order_by("party__name", "pk")
    yield from _listed(wrong, lambda g: f"{g.party.name} 列入严重失信主体名单，信用等级却为 {g.grade}（名单内主体只能为 {'/'.join(allowed)}）")


# --- 年审学时与学时登记 ----------------------------------------------------------------------------------------

def check_review_hours(ctx: Context) -> Iterator[str]:
    """One query: each review beside the register's sum for its officer and year (business and law hours of events
    started in that year, by the review day)."""
    Review, Attendance = _model("training.CertificateReview"), _model("training.Attendance")
    if Review is None or Attendance is None:
        return
    from zhifa.training.models import TrainingEvent

    register = (Attendance.objects.filter(officer_id=OuterRef("officer_id"), event__start_on__year=OuterRef("year"),
                                          event__start_on__lte=OuterRef("reviewed_on"), event__category__in=TrainingEvent.COUNTED)
                .order_by().values("officer_id").annotate(h=Sum("hours")).values("h"))
    reviews = (Review.objects.annotate(register=Coalesce(Subquery(register, output_field=DecimalField(max_digits=8, decimal_places=1)),
                                                         Value(Decimal(0)), output_field=DecimalField(max_digits=8, decimal_places=1)))
               .exclude(training_hours=F("register")).select_related("officer").order_by("year", "officer__name", "pk"))
    yield from _listed(reviews, lambda r: f"{r.officer.name} {r.year}年度年审记载当年学时 {r.training_hours}，学时登记至年审日为 {r.register}")


# --- 比率不超过100% -----------------------------------------------------------------------------------------

def check_rates(ctx: Context) -> Iterator[str]:
    for org in Organisation.objects.order_by("path"):
        for start, end in ctx.periods:
            for r in metrics.RATES:
                num, den = metrics.queryset(metrics.BY_KEY[r.numerator], org, start, end), metrics.queryset(metrics.BY_KEY[r.denominator], org, start, end)
                if num is None or den is None:
                    continue
                outside = num.exclude(pk__in=den.values("pk")).count()
                value = metrics.rate(r, org, start, end)
                if outside or (value.value is not None and not 0 <= value.value <= 100):
                    yield (f"{org.name} {start}至{end} {r.label} {value.display()}：分子 {value.numerator.value}、分母 "
                           f"{value.denominator.value}，分子中有 {outside} 条不在分母范围内")
    # The rates the raw registers give, counted here without the metrics module.
    Warning = _model("inspections.ProvincialWarning")
    if Warning is not None:
        for start, end in ctx.periods:
            received = Warning.objects.filter(received_on__gte=start, received_on__lte=end)
            closed = received.filter(status="closed", closed_on__lte=end).count()
            if closed > received.count():
                yield f"{start}至{end} 预警抄告办结 {closed} 条多于接收 {received.count()} 条"


# --- 按单位分列 -----------------------------------------------------------------------------------------------

def _direct_counts(metric_key: str, start: date, end: date) -> dict[int, int] | None:
    """Independent counts for the figures broken down by unit: each unit's own rows, one GROUP BY over the register."""
    if metric_key == "penalties":
        Case = _model("cases.Case")
        rows = (Case.objects.filter(outcome="penalty", decided_on__gte=start, decided_on__lte=end).order_by()
                .values("organisation_id").annotate(n=Count("pk")).values_list("organisation_id", "n"))
        return dict(rows)
    return None


def check_breakdowns(ctx: Context) -> Iterator[str]:
    """Per period and figure: each unit's own rows counted once (the metric's query grouped by unit, and an independent
    count of the register), then every unit's breakdown and total read from them — two queries per figure and period
    plus one total per unit, not one query per unit and child."""
    keys = sorted({k for c in charts.CHARTS if c.group == "unit" for k in c.metrics})
    orgs = list(Organisation.objects.order_by("path"))
    paths = {o.pk: o.path for o in orgs}
    for start, end in ctx.periods:
        for key in keys:
            metric = metrics.BY_KEY[key]
            roots = [o for o in orgs if o.parent_id is None]
            own = {}
            for root in roots:
                own.update(metrics.grouped(metric, root, start, end) or {})
            direct = _direct_counts(key, start, end)
            for org in orgs:
                total = metrics.evaluate(metric, org, start, end)
                if not total.available:
                    continue
                rows = metrics.by_unit(metric, org, start, end, own_values=own if metrics.additive(metric) else None)
                if not any(row.own and row.unit.pk == org.pk for row in rows):
                    yield f"{org.name} {metric.label}（按单位）缺少本级"
                parts = sum(row.value.value or 0 for row in rows)
                if parts != total.value:
                    yield f"{org.name} {start}至{end} {metric.label}（按单位）合计 {parts}，与本单位总数 {total.value} 不符"
                if direct is not None:
                    counted = sum(n for pk, n in direct.items() if paths.get(pk, "").startswith(org.path))
                    if counted != total.value:
                        yield f"{org.name} {start}至{end} {metric.label} {total.value}，直接计数为 {counted}"


# --- 公开一致 ------------------------------------------------------------------------------------------------

def check_publication(ctx: Context) -> Iterator[str]:
    """Portal, credit publications and the 双公示 export carry the same decisions in the same state — each part of the
    invariant one query over the registers (``portal.pipeline.inconsistent_sets``)."""
    from zhifa.portal import pipeline

    for qs, describe in pipeline.inconsistent_sets(today=ctx.today):
        yield from _listed(qs, describe)


# --- 结案与罚款 ----------------------------------------------------------------------------------------------

def check_closed_unpaid(ctx: Context) -> Iterator[str]:
    Case, Notice = _model("cases.Case"), _model("payments.PaymentNotice")
    if Case is None:
        return
    fined = Case.objects.filter(status__in=["executed", "closed", "archived"], outcome="penalty", fine_amount__gt=0,
                                revoked_on__isnull=True)
    if Notice is None:
        return
    settled = Notice.objects.filter(Q(status="paid") | Q(enforcement_applied_on__isnull=False) | Q(reminded_on__isnull=False))

    labels = dict(Notice.Status.choices)

    def describe(case):
        notice = Notice.objects.filter(case=case).values("status", "principal_paid").first()
        state = "无缴款通知" if notice is None else f"缴款通知{labels.get(notice['status'], notice['status'])}（已缴 {notice['principal_paid']} 元）"
        return (f"案件 {case.number}（{case.party.name}）状态为{case.get_status_display()}，罚款 {case.fine_amount} 元{state}，"
                f"且无催告或申请强制执行")

    # NOT EXISTS (an anti-join at any size), not NOT IN over every notice of the register.
    unsettled = fined.exclude(Exists(settled.filter(case_id=OuterRef("pk"))))
    yield from _listed(unsettled.order_by("pk").select_related("party"), describe)


# --- 听证通知时限 --------------------------------------------------------------------------------------------

def check_hearing_lead(ctx: Context) -> Iterator[str]:
    """The earliest lawful hearing day is computed once per distinct notice day (the legal calendar), then the cases
    held before it are one query (a CASE expression maps each notice day to its earliest hearing day)."""
    Case = _model("cases.Case")
    if Case is None:
        return
    from zhifa.cases import rules

    days = rules.HEARING_NOTICE_WORKING_DAYS
    cases = Case.objects.filter(hearing_notice_on__isnull=False).filter(Q(hearing_on__isnull=False) | Q(hearing_held_on__isnull=False))
    notice_days = sorted(set(cases.order_by().values_list("hearing_notice_on", flat=True).distinct()))
    if not notice_days:
        return
    # 行政处罚法 Art. 64: the party is notified 7 (working, Art. 85) days before the hearing.
    cal = legal_calendar.calendar()  # one snapshot of the calendar for every notice day
    earliest = {d: cal.add_working_days(d, days).date for d in notice_days}
    late = (cases.annotate(held=Coalesce("hearing_held_on", "hearing_on"),
                           earliest=DjCase(*[When(hearing_notice_on=d, then=Value(e)) for d, e in earliest.items()], output_field=DateField()))
            .filter(held__lt=F("earliest")).order_by("pk"))
    yield from _listed(late, lambda c: (f"案件 {c.number} {c.hearing_notice_on} 通知听证、{c.held} 举行：应在举行{days}个工作日前通知"
                                        f"（最早 {c.earliest}，行政处罚法第六十四条）"))


CHECKS = [
    Check("dishonesty", "严重失信名单与信用等级", check_dishonesty_grades),
    Check("review_hours", "年审学时与学时登记", check_review_hours),
    Check("rates", "比率不超过100%（分子在分母范围内）", check_rates),
    Check("breakdowns", "按单位分列含本级且合计一致", check_breakdowns),
    Check("publication", "处罚与许可决定在门户、信用公示、双公示导出中一致", check_publication),
    Check("closed_unpaid", "执行完毕、结案、归档案件无未缴罚款（或已催告/申请强制执行）", check_closed_unpaid),
    Check("hearing_lead", "听证通知早于听证法定工作日数", check_hearing_lead),
]
BY_KEY = {c.key: c for c in CHECKS}


@dataclass
class Result:
    check: Check
    failures: list[str]
    count: int


def run(*, today: date | None = None, only: list[str] | None = None) -> list[Result]:
    ctx = Context(today=today or timezone.localdate())
    results = []
    for check in CHECKS:
        if only and check.key not in only:
            continue
        failures, count = [], 0
        for failure in check.run(ctx):
            if isinstance(failure, More):
                count += failure.count
                continue
            count += 1
            if len(failures) < LIMIT:
                failures.append(failure)
        results.append(Result(check, failures, count))
    return results
