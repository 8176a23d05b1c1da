"""Figures of the annual report from the operations register (campaigns), interviews, remote (不见面) handling and
fines reduced, each against an independent count over the same rows (issue 8: every figure from data)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhifa.campaigns import services as ops
from zhifa.campaigns.models import (
    Department,
    Material,
    Operation,
    OperationCase,
    OperationOfficer,
    OperationPartner,
)
from zhifa.campaigns.tests.factories import concluded, department, operation, started
from zhifa.cases.models import Case
from zhifa.cases.tests import factories as case_factories
from zhifa.complaints.models import SoftMeasure
from zhifa.core.tests.factories import OrgPartyFactory, PersonPartyFactory
from zhifa.overload.models import RemoteAct, TolerancePolicy, Violation
from zhifa.overload.tests.factories import DeviceFactory, StationFactory
from zhifa.reports import annual, metrics

YEAR = 2024
BJ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def data(world):
    police = department(world)
    market = department(world, "南召县市场监督管理局", Department.Kind.MARKET)
    emergency = department(world, "南召县应急管理局", Department.Kind.EMERGENCY)
    o = world.officers
    a = concluded(world, starts_on=date(2024, 3, 1), partners=[police, market], vehicles=100, problems=5)
    ops.operation_link_case(actor=world.users["officer"], operation=a, case=case_factories.opened(world, days_ago=2))
    started(world, starts_on=date(2024, 10, 8), partners=[police], officers=[o["officer"], o["officer2"], o["officer3"]])  # in progress
    operation(world, starts_on=date(2024, 12, 20), partners=[emergency])  # planned: not counted
    cancelled = operation(world, starts_on=date(2024, 6, 1), partners=[emergency])
    ops.operation_cancel(actor=world.users["head"], operation=cancelled, reason="改期")
    camp = started(world, kind=Operation.Kind.CAMPAIGN, starts_on=date(2024, 5, 6), days=30, partners=[emergency], title="“百吨王”专项整治")
    ops.operation_link_case(actor=world.users["officer"], operation=camp, case=case_factories.opened(world, days_ago=1))
    ops.operation_conclude(actor=world.users["officer"], operation=camp, summary="完成", ends_on=date(2024, 6, 4), vehicles_checked=300,
                           enterprises_checked=10, problems_found=12, problems_rectified=10)
    concluded(world, kind=Operation.Kind.CAMPAIGN, starts_on=date(2023, 11, 1), partners=[], title="上年的整治")  # last year
    concluded(world, kind=Operation.Kind.PUBLICITY, starts_on=date(2024, 4, 2), title="路政宣传月",
              materials={Material.Kind.LEAFLET: 200, Material.Kind.GOODS: 100, Material.Kind.BANNER: 3})
    concluded(world, kind=Operation.Kind.PUBLICITY, starts_on=date(2024, 12, 4), title="宪法日", materials={Material.Kind.BOOKLET: 50})
    # another county: not in county A's report
    foreign = department(world, "方城县公安局交警大队", organisation=world.county_b)
    ops.operation_start(actor=world.users["officer_b"], operation=ops.operation_create(
        actor=world.users["officer_b"], organisation=world.brigade_b, kind=Operation.Kind.JOINT, title="方城联合", starts_on=date(2024, 5, 1),
        ends_on=date(2024, 5, 1), location="方城", partners=[foreign], officers=[o["officer_b"]]))

    # 约谈 in the soft-enforcement ledger
    for party, day in ((PersonPartyFactory(organisation=world.brigade_a), date(2024, 2, 1)), (PersonPartyFactory(organisation=world.brigade_a), date(2024, 8, 1)),
                       (OrgPartyFactory(organisation=world.brigade_a), date(2024, 9, 1)), (OrgPartyFactory(organisation=world.brigade_a), date(2023, 9, 1))):
        SoftMeasure.objects.create(organisation=world.brigade_a, kind=SoftMeasure.Kind.INTERVIEW, party=party, occurred_on=day,
                                   officer=o["officer"], matter="车辆多次超限", minutes="约谈纪要")
    SoftMeasure.objects.create(organisation=world.brigade_a, kind=SoftMeasure.Kind.PERSUASION, party=party, occurred_on=date(2024, 3, 3),
                               officer=o["officer"], matter="说服教育")

    # 不见面: remote acts carried into cases (one violation accepted after defending: counted once)
    station = StationFactory(organisation=world.brigade_a, code="S411321R")
    device = DeviceFactory(station=station, code="D-R-1")
    policy = TolerancePolicy.objects.get_or_create(accuracy_class=5, effective_from=date(2020, 1, 1), defaults={"percent": 5, "citation": "测试"})[0]

    def violation(no, org_station=station, org_device=device):
        return Violation.objects.create(organisation=org_station.organisation, station=org_station, device=org_device, plate=f"豫R·R{no:04d}",
                                        plate_colour="yellow", key_record_no=no, first_passed_at=datetime(2024, 1, 5, tzinfo=BJ),
                                        last_passed_at=datetime(2024, 1, 5, tzinfo=BJ), axle_count=6, is_combination=True, gross_kg=55000,
                                        tolerance_percent=5, tolerance_policy=policy, corrected_kg=52250, limit_kg=49000, excess_kg=3250,
                                        status=Violation.Status.CASE)

    def act(v, kind, applied):
        RemoteAct.objects.create(violation=v, kind=kind, text="陈述", applied_at=applied, applied_by=world.users["officer"] if applied else None)

    v1, v2, v3 = violation(1), violation(2), violation(3)
    act(v1, RemoteAct.Kind.DEFEND, datetime(2024, 3, 1, 10, tzinfo=BJ))
    act(v1, RemoteAct.Kind.ACCEPT, datetime(2024, 3, 9, 10, tzinfo=BJ))
    act(v2, RemoteAct.Kind.ACCEPT, datetime(2024, 12, 31, 23, 30, tzinfo=BJ))  # late evening Beijing time: still 2024
    act(v2, RemoteAct.Kind.CONSENT, None)
    act(v3, RemoteAct.Kind.ACCEPT, None)  # not yet carried into the case
    station_b = StationFactory(organisation=world.brigade_b, code="S411322R")
    act(violation(4, station_b, DeviceFactory(station=station_b, code="D-R-2")), RemoteAct.Kind.ACCEPT, datetime(2024, 4, 1, tzinfo=BJ))

    # 减免罚款: decided below the discretion proposal fixed on the case
    cases = [case_factories.decided(world, amount=Decimal(x)) for x in ("1500", "800", "2000", "3000")]
    proposals = [("2000", date(2024, 2, 1)), ("800", date(2024, 5, 1)), (None, date(2024, 7, 1)), ("5000", date(2023, 12, 1))]
    for case, (proposal, day) in zip(cases, proposals, strict=True):
        Case.objects.filter(pk=case.pk).update(decided_on=day, assessment={**case.assessment, "amount": proposal})
    return world


def independent(world) -> dict:
    """Every figure counted directly from the models, without the metrics module."""
    path, y = world.county_a.path, YEAR
    took_place = {"in_progress", "concluded"}
    ops_a = [op for op in Operation.objects.all() if op.organisation.path.startswith(path) and op.starts_on.year == y and op.status in took_place]
    enforcing = [op for op in ops_a if op.kind in ("joint", "campaign")]
    enforcing_pks = {op.pk for op in enforcing}
    pub_pks = {op.pk for op in ops_a if op.kind == "publicity"}
    interviews = [m for m in SoftMeasure.objects.filter(kind="interview") if m.organisation.path.startswith(path) and m.occurred_on.year == y]
    remote = {a.violation_id for a in RemoteAct.objects.all() if a.kind in ("accept", "defend") and a.applied_at
              and timezone.localtime(a.applied_at).year == y and a.violation.organisation.path.startswith(path)}
    reductions = []
    for c in Case.objects.all():
        amount = (c.assessment or {}).get("amount")
        if (c.organisation.path.startswith(path) and c.decided_on and c.decided_on.year == y and c.outcome == "penalty"
                and c.penalty_kind == "fine" and amount and Decimal(amount) > c.fine_amount):
            reductions.append(Decimal(amount) - c.fine_amount)
    return {
        "joint_operations": sum(1 for op in ops_a if op.kind == "joint"),
        "campaigns": sum(1 for op in ops_a if op.kind == "campaign"),
        "publicity_events": len(pub_pks),
        "joint_departments": len({p.department_id for p in OperationPartner.objects.all() if p.operation_id in enforcing_pks}),
        "operation_officers": sum(1 for p in OperationOfficer.objects.all() if p.operation_id in enforcing_pks),
        "operation_vehicles": sum(op.vehicles_checked for op in enforcing),
        "operation_enterprises": sum(op.enterprises_checked for op in enforcing),
        "operation_problems": sum(op.problems_found for op in enforcing),
        "operation_cases": sum(1 for link in OperationCase.objects.all() if link.operation_id in enforcing_pks),
        "publicity_materials": sum(m.quantity for m in Material.objects.all() if m.operation_id in pub_pks and m.kind in ("leaflet", "booklet", "goods")),
        "publicity_banners": sum(m.quantity for m in Material.objects.all() if m.operation_id in pub_pks and m.kind == "banner"),
        "interviews": len(interviews),
        "interviews_drivers": sum(1 for m in interviews if m.party.kind == "person"),
        "interviews_firms": sum(1 for m in interviews if m.party.kind == "organisation"),
        "remote_cases": len(remote),
        "fines_reduced_cases": len(reductions),
        "fines_reduced": sum(reductions, Decimal("0")),
    }


def test_operation_figures_equal_independent_counts(data):
    report = annual.build(data.county_a, YEAR)
    expected = independent(data)
    # the fixture by hand: joint A (2 officers, 2 depts, 100 vehicles, 5 problems, 1 case) and the one in progress (3 officers,
    # police); the campaign (2 officers, emergency, 300 vehicles, 10 firms, 12 problems, 1 case); two publicity events
    assert expected == {
        "joint_operations": 2, "campaigns": 1, "publicity_events": 2, "joint_departments": 3, "operation_officers": 7,
        "operation_vehicles": 400, "operation_enterprises": 10, "operation_problems": 17, "operation_cases": 2,
        "publicity_materials": 350, "publicity_banners": 3, "interviews": 3, "interviews_drivers": 2, "interviews_firms": 1,
        "remote_cases": 2, "fines_reduced_cases": 1, "fines_reduced": Decimal("500.00"),
    }
    for key, value in expected.items():
        assert report.figures[key].value.value == value, key


def test_report_text_names_departments_and_each_campaign(data):
    report = annual.build(data.county_a, YEAR)
    text = "".join(part if isinstance(part, str) else part.text for s in report.sections for p in s.paragraphs for part in p)
    assert "联合公安交警、市场监管、应急管理等3个部门" in text
    assert "开展专项整治行动1项：《“百吨王”专项整治》（05月06日至06月04日，检查车辆300台次、企业10家次，发现问题12处、整改到位10处，立案查处1件）" in text
    assert "开展宣传活动2场次，发放宣传资料350份，悬挂宣传横幅3条；约谈3次" in text
    assert "远程办理案件2件" in text and "减免罚款500.00元" in text
    assert "联合执法机制、参与部门和开展次数" not in text and "宣传活动场次、资料发放" not in text  # placeholders replaced


def test_figures_link_to_their_records(data, client_for):
    report = annual.build(data.county_a, YEAR)
    client = client_for("head")
    page = client.get(report.figures["joint_operations"].url).content.decode()
    joint = Operation.objects.filter(kind="joint", status__in=["in_progress", "concluded"], organisation__path__startswith=data.county_a.path,
                                     starts_on__year=YEAR)
    assert joint.count() == 2 and all(op.number in page for op in joint)
    assert client.get(report.figures["fines_reduced"].url).status_code == 200
    page = client.get(report.figures["joint_departments"].url).content.decode()  # partner rows open their operation
    assert all(f"/campaigns/{op.pk}/" in page for op in joint) and data.brigade_a.name in page
    page = client.get(report.figures["publicity_materials"].url).content.decode()
    pubs = Operation.objects.filter(kind="publicity", organisation__path__startswith=data.county_a.path, starts_on__year=YEAR)
    assert pubs.count() == 2 and all(page.count(f'href="/campaigns/{op.pk}/"') >= 1 for op in pubs)


def test_distinct_and_integer_sums_by_month(data):
    m = metrics.BY_KEY["joint_departments"]
    months = metrics.by_month(m, data.county_a, date(YEAR, 1, 1), date(YEAR, 12, 31))
    assert months == {"2024-03": 2, "2024-05": 1, "2024-10": 1}
    assert metrics.evaluate("operation_vehicles", data.county_a, date(YEAR, 1, 1), date(YEAR, 12, 31)).display() == "400"
    assert metrics.evaluate("remote_cases", data.county_b, date(YEAR, 1, 1), date(YEAR, 12, 31)).value == 1
    assert metrics.evaluate("fines_reduced", data.county_a, date(2023, 1, 1), date(2023, 12, 31)).value == Decimal("2000.00")


def test_unit_filter_of_the_dashboard_sees_only_its_operations(data, client_for):
    html = client_for("supervisor").get(f"/campaigns/?unit={data.county_b.code}&start=2024-01-01&end=2024-12-31").content.decode()
    assert "方城联合" in html and "“百吨王”专项整治" not in html
