"""Automatic cases (Art. 55), remote handling, 一超四罚 thresholds (Art. 66/68) and the four-level exchange."""

from datetime import date, timedelta

import pytest
import time_machine

from zhifa.cases.models import Case
from zhifa.cases.workflow import Status
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event
from zhifa.core.tests.factories import CompanyFactory, DriverFactory, SourceUnitFactory, VehicleFactory
from zhifa.credit.models import DishonestyEntry
from zhifa.overload import exchange, ingest, services
from zhifa.overload.models import Device, ExchangeRecord, FourPenaltyTrigger, RemoteAct, Violation

from .conftest import at, record

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        yield


def push(station, rows):
    return ingest.ingest_records(rows, station=station, name="test", body_sha256="0" * 64)


def detected(station, world, *, plate="豫R·A1001", n=1, gross=60_000, day=1, company=None, start_no=1):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate=plate, company=company)
    push(station, [record(start_no + i, when=at(day + i * 2 if day + i * 2 <= 19 else 19, 9), plate=plate, gross=gross) for i in range(n)])
    return vehicle


def test_violation_open_case_checks_role_and_jurisdiction_in_the_service(station, world):
    """Regression (issue 19 item 5): the service checked neither role nor jurisdiction — only the views did. Another
    county's officer or a supervisor is refused and nothing changes; the county's own officer opens the case."""
    detected(station, world)
    violation = Violation.objects.get()
    events = Event.objects.count()
    for key in ("officer_b", "supervisor"):
        with pytest.raises(DomainError):
            services.violation_open_case(violation=violation, actor=world.users[key])
    violation.refresh_from_db()
    assert violation.status == Violation.Status.DETECTED and not Case.objects.exists() and Event.objects.count() == events
    assert services.violation_open_case(violation=violation, actor=world.users["officer"]).origin_id == str(violation.pk)


def test_art55_case_against_owner_with_evidence_and_notice(station, world):
    vehicle = detected(station, world)
    violation = Violation.objects.get()
    case = services.violation_open_case(violation=violation)
    violation.refresh_from_db()
    assert case.party == vehicle.owner and case.vehicle == vehicle and case.origin_id == str(violation.pk)
    assert violation.status == Violation.Status.CASE and len(violation.notice_code) == 8 and violation.notice_sent_at
    assert violation.proposed_amount is not None and violation.assessment["citations"]
    evidence = case.evidence_items.get()
    assert evidence.file.capture_meta["station"] == "S411321A" and evidence.file.content_type == "application/json"
    assert services.violation_open_case(violation=violation) == case  # idempotent
    assert Case.objects.count() == 1
    assert Event.objects.filter(action="overload.case_open", subject_id=str(violation.pk)).count() == 1
    # Regression: the overload proposal was written to the case row after its last event, so `audit verify`
    # reported every station case of the demo as changed outside the record.
    from zhifa.core import audit

    result = audit.verify(checkpoints=False)
    assert result.ok, result.describe()


def test_art41_device_certificate_expired_after_screening_refuses_case(station, world):
    detected(station, world)
    Device.objects.update(calibration_valid_until=date(2026, 10, 1))
    events = Event.objects.count()
    with pytest.raises(DomainError):
        services.violation_open_case(violation=Violation.objects.get())
    assert Case.objects.count() == 0 and Event.objects.count() == events


def test_ingest_killed_midway_and_rerun_gives_the_same_cases(station, world, tmp_path, monkeypatch):
    for i in range(6):
        VehicleFactory(organisation=world.brigade_a, plate=f"豫R·K{i:04d}")
    rows = [record(100 + i, when=at(1 + i // 4, 8, i), plate=f"豫R·K{i % 6:04d}", gross=60_000 if i % 3 == 0 else 30_000)
            for i in range(24)]
    path = tmp_path / "in.jsonl"
    import json

    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    real = services.violation_open_case
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(**kwargs)

    def ingest_and_open_cases():  # as ``zhifa wim ingest`` does: the ingest, then cases for its batches
        batch = ingest.ingest_file(path, chunk_rows=5)
        services.violations_open_cases(batch_ids=ingest.same_file_batches([batch.pk]))

    monkeypatch.setattr(services.cases, "violation_open_case", dying)
    with pytest.raises(KeyboardInterrupt):
        ingest_and_open_cases()
    monkeypatch.setattr(services.cases, "violation_open_case", real)
    ingest_and_open_cases()
    ingest_and_open_cases()
    got = sorted(Case.objects.values_list("origin_id", "party_id"))
    cased = Violation.objects.filter(status=Violation.Status.CASE)
    assert len(got) == cased.count() == Violation.objects.count() > 0  # one case per violation, none twice
    assert sorted(str(v.pk) for v in cased) == sorted(o for o, _ in got)


def _notified(world, case):
    from zhifa.cases import services as cs

    o = [world.officers["officer"], world.officers["officer2"]]
    # the proposal comes from the overload rule with the measured excess (Art. 43), not a generic item
    amount = cs.assessment_proposal(case).amount
    case = cs.case_open(actor=world.users["head"], case=case, officers=o, legal_review_required=False)
    case = cs.case_report(actor=world.users["officer"], case=case, report_text="超限事实清楚", proposed_outcome=Case.Outcome.PENALTY,
                          proposed_amount=amount)
    case = cs.case_internal_review(actor=world.users["head"], case=case, approve=True, opinion="同意")
    return cs.case_notify(actor=world.users["officer"], case=case, penalty_kind=Case.PenaltyKind.FINE, amount=amount)


def test_remote_handling_identify_consent_accept(station, world):
    vehicle = detected(station, world)
    violation = Violation.objects.get()
    case = services.violation_open_case(violation=violation)
    violation.refresh_from_db()
    assert services.remote_find(plate="豫RA1001", plate_colour="yellow", code=violation.notice_code.lower()) == violation
    assert services.remote_find(plate="豫R·A1001", plate_colour="yellow", code="WRONG123") is None
    assert services.remote_find(plate="豫R·A1001", plate_colour="blue", code=violation.notice_code) is None
    # the owner's ID number is no key (changed in issue 17: it asserted the old behaviour)
    assert services.remote_find(plate="豫R·A1001", plate_colour="yellow", code=vehicle.owner.id_number) is None
    with pytest.raises(DomainError):  # not yet notified: no defence window
        services.remote_act(violation=violation, kind=RemoteAct.Kind.ACCEPT)
    services.remote_act(violation=violation, kind=RemoteAct.Kind.CONSENT, contact="13900000000")
    assert "13900000000" in services.remote_consent_text(violation)
    case = _notified(world, case)
    act = services.remote_act(violation=violation, kind=RemoteAct.Kind.ACCEPT)
    case = services.remote_act_apply(actor=world.users["officer"], act=act)
    assert case.status == Status.NOTIFIED and case.rights_waived_on == TODAY
    assert Event.objects.filter(action="overload.remote_accept").exists()


def test_remote_defence_is_recorded_in_the_case(station, world):
    detected(station, world)
    violation = Violation.objects.get()
    case = _notified(world, services.violation_open_case(violation=violation))
    act = services.remote_act(violation=violation, kind=RemoteAct.Kind.DEFEND, text="称重时车辆变道，数据不准")
    with pytest.raises(DomainError):
        services.remote_act(violation=violation, kind=RemoteAct.Kind.DEFEND, text="再次提交")
    case = services.remote_act_apply(actor=world.users["officer"], act=act)
    assert "数据不准" in case.statement


# ---------------------------------------------------------------- 一超四罚

def _violations(station, world, vehicle, n, *, start=1, driver=None, source=None):
    rows = [record(start + i, when=at(1 + 2 * i, 9), plate=vehicle.plate, gross=60_000) for i in range(n)]
    push(station, rows)
    if driver or source:
        Violation.objects.filter(vehicle=vehicle).update(driver=driver, source_unit=source)


def test_art66_vehicle_three_times_is_not_over_the_threshold(station, world):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·V0003")
    _violations(station, world, vehicle, 3)
    assert services.four_penalty_scan(on=TODAY) == []


def test_art66_vehicle_more_than_three_times_revokes_proposes_listing_and_notifies(station, world):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·V0004")
    _violations(station, world, vehicle, 4)
    [trigger] = services.four_penalty_scan(on=TODAY)
    assert trigger.kind == FourPenaltyTrigger.Kind.VEHICLE and trigger.count == 4 and trigger.party == vehicle.owner
    assert trigger.notice_due_on == date(2026, 12, 1)  # 7 working days after Friday 20 Nov
    assert Case.objects.filter(origin_type="overload.four_penalty", origin_id=str(trigger.pk)).exists()
    # 一超四罚 proposes the listing; the party is not listed until the credit procedure's decision (国办发〔2020〕49号).
    entry = DishonestyEntry.objects.get(party=vehicle.owner)
    assert entry.status == DishonestyEntry.Status.PROPOSED and entry.listed_on is None
    assert entry.source == DishonestyEntry.Source.FOUR_PENALTY and entry.category.code == "overload_vehicle"
    assert entry.facts.startswith("截至") and f"车辆{vehicle.plate}违法超限运输4次" in entry.facts
    assert services.four_penalty_scan(on=TODAY) == []  # rerun adds nothing


def test_four_penalty_scan_checks_role_and_jurisdiction_in_the_service(station, world):
    """Regression (issue 19 item 4): the scan checked no permission — only the page did. An officer (not a head) and
    a county A head naming county B are refused, and nothing changes (no trigger, no case, no listing, no record)."""
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·V0014")
    _violations(station, world, vehicle, 4)
    before = (Event.objects.count(), Case.objects.count(), DishonestyEntry.objects.count())
    with pytest.raises(NotPermitted) as refused:
        services.four_penalty_scan(on=TODAY, actor=world.users["officer"])
    assert refused.value.code == "forbidden"
    with pytest.raises(NotPermitted) as refused:
        services.four_penalty_scan(on=TODAY, actor=world.users["head"], organisation=world.county_b)
    assert refused.value.code == "out_of_jurisdiction"
    assert not FourPenaltyTrigger.objects.exists()
    assert (Event.objects.count(), Case.objects.count(), DishonestyEntry.objects.count()) == before
    [trigger] = services.four_penalty_scan(on=TODAY, actor=world.users["head"])  # the head's own county
    assert trigger.party == vehicle.owner


def test_four_penalty_scan_by_a_head_stays_in_the_heads_county(station, world):
    """A head scanning without naming an organisation scans their own jurisdiction: county B's vehicle over the
    threshold is left to county B's authority (the scheduled job, with no actor, takes every county)."""
    vehicle_b = VehicleFactory(organisation=world.brigade_b, plate="豫R·V0015")
    _violations(station, world, vehicle_b, 4)
    assert services.four_penalty_scan(on=TODAY, actor=world.users["head"]) == []
    assert [t.party for t in services.four_penalty_scan(on=TODAY)] == [vehicle_b.owner]


def test_four_penalty_page_refuses_an_officer_and_changes_nothing(station, world, client_for):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·V0016")
    _violations(station, world, vehicle, 4)
    events = Event.objects.count()
    response = client_for("officer").post("/overload/four/scan/", follow=True)
    assert "只有负责人或系统管理员可以执行一超四罚扫描" in response.content.decode()
    assert not FourPenaltyTrigger.objects.exists() and Event.objects.count() == events


def test_art66_window_is_rolling_twelve_months(station, world):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·V0005")
    _violations(station, world, vehicle, 4)
    Violation.objects.filter(key_record_no=1).update(first_passed_at=at(1) - timedelta(days=400))
    assert services.four_penalty_scan(on=TODAY) == []


def test_art66_driver_more_than_three_times(station, world):
    driver = DriverFactory(organisation=world.brigade_a)
    for i in range(4):
        v = VehicleFactory(organisation=world.brigade_a, plate=f"豫R·D{i:04d}")
        _violations(station, world, v, 1, start=10 + i, driver=driver)
    kinds = {t.kind for t in services.four_penalty_scan(on=TODAY)}
    assert FourPenaltyTrigger.Kind.DRIVER in kinds


@pytest.mark.parametrize(("fleet", "over", "triggered"), [(10, 1, False), (9, 1, True), (20, 2, False), (20, 3, True)])
def test_art66_company_share_over_ten_percent(station, world, fleet, over, triggered):
    company = CompanyFactory(organisation=world.brigade_a)
    vehicles = [VehicleFactory(organisation=world.brigade_a, plate=f"豫R·F{i:04d}", company=company) for i in range(fleet)]
    for i, v in enumerate(vehicles[:over]):
        _violations(station, world, v, 1, start=100 + i)
    kinds = [t.kind for t in services.four_penalty_scan(on=TODAY)]
    assert (FourPenaltyTrigger.Kind.COMPANY in kinds) is triggered


def test_art68_source_unit_three_times(station, world):
    source = SourceUnitFactory(organisation=world.brigade_a)
    for i in range(3):
        v = VehicleFactory(organisation=world.brigade_a, plate=f"豫R·S{i:04d}")
        _violations(station, world, v, 1, start=200 + i, source=source)
    kinds = [t.kind for t in services.four_penalty_scan(on=TODAY)]
    assert FourPenaltyTrigger.Kind.SOURCE in kinds


# ---------------------------------------------------------------- four-level exchange

@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_exchange_export_incremental_and_import_twice_changes_nothing(station, world, fmt):
    detected(station, world, n=1)
    VehicleFactory(organisation=world.brigade_a, plate="豫R·A2002")
    push(station, [record(50, when=at(5), plate="豫R·A2002", gross=60_000)])
    rows, cursor = exchange.rows_after(organisation=world.brigade_a, after=0, limit=1)
    more, cursor2 = exchange.rows_after(organisation=world.brigade_a, after=cursor)
    assert len(rows) == 1 and len(more) == 1 and cursor2 > cursor
    text = exchange.to_jsonl(rows + more) if fmt == "jsonl" else exchange.to_csv(rows + more)
    first = services.exchange_import(rows=exchange.parse(text, fmt))
    second = services.exchange_import(rows=exchange.parse(text, fmt))
    assert (first["created"], second["created"], second["updated"], second["unchanged"]) == (2, 0, 0, 2)


def test_exchange_rejects_rows_breaking_the_schema():
    counts = services.exchange_import(rows=[{"format": "x"}, {"kind": "violation"}])
    assert counts["rejected"] == 2 and counts["created"] == 0


def exchange_row(origin_org, origin_id, *, plate="豫R·A1001", when=None, excess=11_000):
    return {"format": exchange.FORMAT_VERSION, "kind": "violation", "origin_org": origin_org, "origin_id": str(origin_id),
            "plate": plate, "plate_colour": "yellow", "station_code": "S4113XX", "first_passed_at": (when or at(1, 9)).isoformat(),
            "pass_count": 1, "axle_count": 6, "gross_kg": 63_000, "limit_kg": 49_000, "excess_kg": excess,
            "tolerance_percent": "5.00", "status": "case", "case_number": None, "case_status": None, "decision_number": None,
            "decided_on": None, "fine_amount": None}


def exchange_state():
    return sorted(ExchangeRecord.objects.values_list("origin_org", "origin_id", "plate", "merged_violation", "merged_record__origin_id",
                                                     "digest"))


def test_art29_imported_violation_merges_with_the_local_one_of_the_same_vehicle_and_window(station, world, client_for):
    detected(station, world)  # local violation, 豫R·A1001, 2026-11-01 09:00
    local = Violation.objects.get()
    rows = [exchange_row("C411300", 7, when=at(1, 20)),  # same vehicle, 11 h later → the same act
            exchange_row("C411300", 8, when=at(2, 9)),   # exactly 24 h after the first pass → another act
            exchange_row("C411300", 9, plate="豫RA1001", when=at(1, 21)) | {"plate_colour": "黄"}]  # spelled otherwise
    counts = services.exchange_import(rows=rows)
    assert (counts["created"], counts["merged"]) == (3, 2)
    merged = dict(ExchangeRecord.objects.values_list("origin_id", "merged_violation"))
    assert merged == {"7": local.pk, "8": None, "9": local.pk}
    assert Violation.objects.count() == 1 and Violation.objects.get().pass_count == 1  # the local act is not changed
    page = client_for("officer").get(f"/overload/violations/{local.pk}/").content.decode()
    assert "其他层级报送" in page and "C411300/7" in page and "C411300/8" not in page
    # The same data again changes nothing.
    before, events = exchange_state(), Event.objects.count()
    again = services.exchange_import(rows=rows)
    assert (again["created"], again["updated"], again["unchanged"], again["merged"]) == (0, 0, 3, 0)
    assert exchange_state() == before and Event.objects.count() == events


def test_art29_overlapping_imports_from_two_levels_merge_into_the_first_report(station):
    county = [exchange_row("X411321", 1, plate="豫R·B2002", when=at(3, 10)), exchange_row("X411321", 2, plate="豫R·B2003", when=at(3, 10))]
    services.exchange_import(rows=county)
    # The city reports the same two acts (its own ids, 1 h earlier) and a new one; the file lists them out of order.
    city = [exchange_row("C411300", 30, plate="豫R·B2004", when=at(4, 8)), exchange_row("C411300", 10, plate="豫R·B2002", when=at(3, 9)),
            exchange_row("C411300", 20, plate="豫R·B2003", when=at(3, 9))]
    counts = services.exchange_import(rows=city)
    assert (counts["created"], counts["merged"]) == (3, 2)
    into = dict(ExchangeRecord.objects.filter(origin_org="C411300").values_list("origin_id", "merged_record__origin_id"))
    assert into == {"10": "1", "20": "2", "30": None}
    # Overlapping the earlier file again (county 1 changed, county 2 the same): one update, still one act each.
    county[0]["excess_kg"] = 12_000
    counts = services.exchange_import(rows=county + [exchange_row("X411321", 3, plate="豫R·B2004", when=at(4, 9))])
    assert (counts["created"], counts["updated"], counts["unchanged"], counts["merged"]) == (1, 1, 1, 1)
    assert ExchangeRecord.objects.get(origin_org="X411321", origin_id="3").merged_record.origin_id == "30"
    assert ExchangeRecord.objects.filter(merged_violation__isnull=True, merged_record__isnull=True).count() == 3  # three acts


def test_art29_record_imported_before_the_local_violation_merges_on_the_next_import(station, world):
    """Regression: a record was merged only into a local violation that existed when it was imported; the same
    file imported again after our ingest caught the act took the "unchanged" branch and left it unmerged. The
    import merges unchanged rows again, and records that it did."""
    rows = [exchange_row("C411300", 7, when=at(1, 20))]
    assert services.exchange_import(rows=rows)["merged"] == 0
    detected(station, world)  # our own violation of the act, 2026-11-01 09:00, ingested after the import
    local = Violation.objects.get()
    events = Event.objects.filter(action="overload.exchange_import").count()
    again = services.exchange_import(rows=rows)
    assert (again["created"], again["updated"], again["unchanged"], again["merged"]) == (0, 0, 1, 1)
    assert ExchangeRecord.objects.get().merged_violation == local
    assert Event.objects.filter(action="overload.exchange_import").count() == events + 1
    third = services.exchange_import(rows=rows)  # nothing new: nothing merged, nothing recorded
    assert (third["unchanged"], third["merged"]) == (1, 0)
    assert Event.objects.filter(action="overload.exchange_import").count() == events + 1


def test_exchange_does_not_merge_into_a_dismissed_local_violation(station, world):
    detected(station, world)
    Violation.objects.update(status=Violation.Status.DISMISSED)
    counts = services.exchange_import(rows=[exchange_row("C411300", 1, when=at(1, 10))])
    assert counts["created"] == 1 and counts["merged"] == 0
    assert ExchangeRecord.objects.get().merged_violation is None


def test_exchange_rejects_a_time_without_offset():
    counts = services.exchange_import(rows=[exchange_row("C411300", 1) | {"first_passed_at": "2026-11-01T09:00:00"}])
    assert counts["rejected"] == 1 and "时区" in counts["errors"][0]
