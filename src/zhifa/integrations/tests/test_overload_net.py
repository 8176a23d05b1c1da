"""四级联网 (target ``overload_net``) against the simulator: an overload case decided → one message,
delivered once; a rejection with its reason, resent after the record is corrected; a 一超四罚 result
uploaded; a download feeding the 12-month counter without double counting on a re-run or a repeated
answer; another county can neither import into a foreign unit nor see its links, and each county counts its
own subject of a shared act."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhifa.cases.tests.factories import decided
from zhifa.core import services as core_services
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.models import Event
from zhifa.core.tests.factories import DriverFactory, PersonPartyFactory, VehicleFactory
from zhifa.integrations import outbox, overload_net
from zhifa.integrations import services as integration_services
from zhifa.integrations.models import Message
from zhifa.overload import ingest, services
from zhifa.overload.models import ExchangeLink, ExchangeRecord, FourPenaltyTrigger, Violation
from zhifa.overload.tests.conftest import at, record

M = Message.Status
BJ = ZoneInfo("Asia/Shanghai")
FOREIGN = "C610100"  # a unit of another province's network, not one of ours


@pytest.fixture(autouse=True)
def wim_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the ingest's part files go to the test's own directory


def push(station, rows):
    return ingest.ingest_records(rows, station=station, name="test", body_sha256="0" * 64)


def violations(station, vehicle, n, *, start=1):
    """``n`` local overload violations of ``vehicle`` (2026-11-01, 03, 05 … at 09:00)."""
    push(station, [record(start + i, when=at(1 + 2 * i, 9), plate=vehicle.plate, gross=60_000)
                   for i in range(n)])
    return list(Violation.objects.filter(plate=vehicle.plate).order_by("first_passed_at"))


def network_row(origin_id, *, when, plate="豫R·N0001", origin=FOREIGN, **extra):
    """A violation another unit reported to the network (the exchange format, docs/overload.md)."""
    return {"format": "zhifa-overload-exchange/1", "kind": "violation", "origin_org": origin,
            "origin_id": str(origin_id), "plate": plate, "plate_colour": "yellow", "station_code": "S610100X",
            "first_passed_at": when.isoformat(), "pass_count": 1, "axle_count": 6, "gross_kg": 62_000,
            "limit_kg": 49_000, "excess_kg": 10_000, "status": "case", **extra}


def overload_case(world, station, *, party=None):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0009")
    [violation] = violations(station, vehicle, 1)
    case = decided(world, party=party or vehicle.owner, origin=("overload.violation", violation.pk))
    return case, violation


@pytest.mark.django_db
def test_overload_case_decided_is_uploaded_once(world, station, simulator):
    case, violation = overload_case(world, station)
    outbox.drain_all()
    outbox.drain_all()  # nothing is sent twice
    [got] = simulator.accepted("overload_net")
    assert got["kind"] == "case_decided" and got["key"] == f"overload_net:case_decided:case:{case.pk}"
    body = got["payload"]
    assert body["format"] == "zhifa-overload-net/1" and body["case_number"] == case.number
    assert body["violation"]["plate"] == violation.plate
    assert body["violation"]["excess_kg"] == violation.excess_kg
    assert body["violation"]["excess_percent"] == f"{violation.excess_kg * 100 / violation.limit_kg:.2f}"
    assert body["decision"]["number"] == case.decision_number
    assert body["decision"]["fine_amount_yuan"] == "2000.00"
    assert body["party"]["id_number"] == case.party.id_number
    m = Message.objects.get(target="overload_net")
    assert m.status == M.ACKNOWLEDGED and m.attempt_set.count() == 1 and m.organisation == world.brigade_a
    # The supervision platform gets its own message of the act; a case not from a violation goes there only.
    assert Message.objects.filter(target="supervision", subject_id=str(case.pk)).count() == 1
    decided(world)
    assert Message.objects.filter(target="overload_net").count() == 1


@pytest.mark.django_db
def test_rejection_shows_the_reason_and_is_resent_after_correction(world, station, simulator, client_for):
    party = PersonPartyFactory(organisation=world.brigade_a, id_number="")
    case, _ = overload_case(world, station, party=party)
    outbox.drain_all()
    m = Message.objects.get(target="overload_net")
    assert m.status == M.REJECTED and "缺少当事人证件号码" in m.last_error
    page = client_for("admin").get("/integrations/?target=overload_net").content.decode()
    assert "四级联网（超限超载）" in page and "缺少当事人证件号码" in page and case.number in page
    core_services.party_update(actor=world.users["officer"], party=party, id_number="411321199001011235")
    outbox.message_resend(actor=world.users["admin"], message=m)
    outbox.drain_all()
    m.refresh_from_db()
    assert m.status == M.ACKNOWLEDGED and m.idempotency_key.endswith("#r1")
    [got] = simulator.accepted("overload_net")
    assert got["payload"]["party"]["id_number"] == "411321199001011235"


@pytest.mark.django_db
def test_four_penalty_result_is_uploaded_in_the_scan(world, station, simulator, client_for):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0004")
    violations(station, vehicle, 4)
    [trigger] = services.four_penalty_scan()
    m = Message.objects.get(target="overload_net", kind="four_penalty")
    assert m.subject_id == str(trigger.pk) and m.organisation == trigger.organisation
    outbox.drain_all()
    [got] = simulator.accepted("overload_net")
    body = got["payload"]
    assert (body["object_code"], body["count"], body["subject"]["plate"]) == ("1", 4, vehicle.plate)
    assert body["basis"].startswith("《公路安全保护条例》第六十六条")
    assert services.four_penalty_scan() == [] and Message.objects.filter(target="overload_net").count() == 1
    [row] = integration_services.reconcile(day=timezone.localdate(), targets=["overload_net"])
    assert (row.expected, row.acknowledged, row.differences) == (1, 1, [])
    page = client_for("supervisor").get(f"/integrations/m/{m.pk}/").content.decode()
    assert "四级联网（超限超载）" in page and "一超四罚结果" in page and 'href="/overload/four/"' in page


def _network(simulator, world):
    driver = DriverFactory(organisation=world.brigade_a)
    simulator.network_rows(
        network_row(101, when=datetime(2026, 6, 1, 10, tzinfo=BJ)),
        network_row(102, when=datetime(2026, 7, 15, 10, tzinfo=BJ),
                    driver_qualification=driver.qualification_number),
        network_row(103, when=at(1, 15)),  # the act of our own violation of 2026-11-01 09:00 (一事不再罚)
        network_row(104, when=datetime(2025, 6, 1, 10, tzinfo=BJ)),  # outside the 12 months
        network_row(105, when=datetime(2026, 8, 1, 10, tzinfo=BJ), origin=world.brigade_b.code),  # ours
        network_row(106, when=datetime(2026, 8, 2, 10, tzinfo=BJ), plate="豫R·Z9999"),  # another vehicle
    )
    return driver


@pytest.mark.django_db
def test_download_feeds_the_twelve_month_counter_once(world, station, simulator):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0001")
    violations(station, vehicle, 3)
    driver = _network(simulator, world)
    assert services.four_penalty_counts()["vehicles"][vehicle.pk] == 3 and services.four_penalty_scan() == []
    simulator.script({"target": "overload_net", "kind": "violations", "mode": "duplicate"})  # every row twice
    first = overload_net.download(actor=world.users["officer"], vehicle=vehicle)
    got = (first["received"], first["own"], first["created"], first["unchanged"], first["merged"])
    assert got == (8, 2, 3, 3, 1)
    records = {r.origin_id: r for r in ExchangeRecord.objects.all()}
    assert set(records) == {"101", "102", "103"} and records["103"].merged_violation is not None
    links = {link.record.origin_id: link for link in ExchangeLink.objects.select_related("record")}
    assert all(link.organisation == world.brigade_a and link.vehicle == vehicle for link in links.values())
    assert set(links) == set(records) and links["102"].driver == driver
    counts = services.four_penalty_counts()
    assert counts["vehicles"][vehicle.pk] == 5 and counts["drivers"][driver.pk] == 1  # 3 ours + 2 elsewhere
    simulator.script()
    fields = ("pk", "digest", "merged_violation", "links__vehicle", "links__driver", "links__organisation")
    state = list(ExchangeRecord.objects.order_by("pk").values_list(*fields))
    again = overload_net.download(actor=world.users["officer"], vehicle=vehicle)
    assert (again["received"], again["created"], again["updated"], again["unchanged"]) == (4, 0, 0, 3)
    assert list(ExchangeRecord.objects.order_by("pk").values_list(*fields)) == state
    assert services.four_penalty_counts()["vehicles"][vehicle.pk] == 5
    downloads = Event.objects.filter(action="integrations.overload_net_download").order_by("pk")
    assert downloads.count() == 2 and "新增3" in downloads[0].summary and "新增0" in downloads[1].summary
    [trigger] = services.four_penalty_scan()  # over three a year: the network's acts count
    assert trigger.kind == FourPenaltyTrigger.Kind.VEHICLE and trigger.count == 5


@pytest.mark.django_db
def test_the_daily_download_pulls_the_vehicles_caught_the_day_before(world, station, simulator):
    """Issue 20 leftovers, item 4: other units' violations came in only when someone asked for one
    vehicle. The daily job (Celery beat) downloads the vehicles and drivers our stations caught the
    day before, as the system."""
    from django.conf import settings as conf

    from zhifa.integrations.tasks import overload_net_daily

    entry = conf.CELERY_BEAT_SCHEDULE["integrations-overload-net-daily"]
    assert entry == {"task": "integrations.overload_net_daily", "schedule": 24 * 3600}
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0001")
    violations(station, vehicle, 3)  # caught on 1, 3 and 5 November
    _network(simulator, world)
    requests = simulator.state.requests
    quiet = overload_net.download_daily(day=datetime(2026, 11, 2).date())  # nobody caught that day
    assert (quiet["subjects"], quiet["downloaded"]) == (0, 0) and simulator.state.requests == requests
    result = overload_net_daily("2026-11-03")
    assert (result["subjects"], result["downloaded"], result["failed"], result["created"]) == (1, 1, 0, 3)
    assert services.four_penalty_counts()["vehicles"][vehicle.pk] == 5  # 3 ours + 2 elsewhere
    [event] = Event.objects.filter(action="integrations.overload_net_download")
    assert event.actor_id is None and event.subject_id == str(vehicle.pk) and "新增3" in event.summary
    # a network that refuses: counted, nothing stored, the run ends normally
    simulator.script({"target": "overload_net", "kind": "violations", "mode": "reject",
                      "reason": "查询账号未授权"})
    refused = overload_net.download_daily(day=datetime(2026, 11, 5).date())
    assert (refused["downloaded"], refused["failed"]) == (0, 1)
    assert Event.objects.filter(action="integrations.overload_net_download").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("ours_first", [True, False], ids=["ingest-then-download", "download-then-ingest"])
def test_an_act_downloaded_and_caught_here_counts_once_in_either_order(world, station, simulator, ours_first):
    """Regression: a downloaded record was merged into our violation of the same act only when imported after
    it; when our ingest created the violation later, both counted (公路安全保护条例 Art. 66: a 吊销 one act
    early; 行政处罚法 Art. 29) and a re-download, unchanged, did not merge them. The count leaves out a record
    with a local violation of the act, whichever came first, and a re-download merges it."""
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0001")
    simulator.network_rows(network_row(103, when=at(1, 15)))  # our station catches the act at 09:00
    if ours_first:
        [violation] = violations(station, vehicle, 1)
    overload_net.download(actor=world.users["officer"], vehicle=vehicle)
    if not ours_first:
        assert services.four_penalty_counts()["vehicles"] == {vehicle.pk: 1}  # the network's act, counted
        [violation] = violations(station, vehicle, 1)
    for scope in (None, world.city, world.county_a):
        assert services.four_penalty_counts(organisation=scope)["vehicles"] == {vehicle.pk: 1}
    again = overload_net.download(actor=world.users["officer"], vehicle=vehicle)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert again["merged"] == (0 if ours_first else 1)
    assert ExchangeRecord.objects.get().merged_violation == violation
    assert services.four_penalty_counts()["vehicles"] == {vehicle.pk: 1}
    # Our violation dismissed on review: the network's report of the act still counts, once.
    Violation.objects.filter(pk=violation.pk).update(status=Violation.Status.DISMISSED)
    assert services.four_penalty_counts()["vehicles"] == {vehicle.pk: 1}


@pytest.mark.django_db
def test_download_refused_by_the_network_stores_nothing(world, simulator):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0001")
    simulator.network_rows(network_row(101, when=datetime(2026, 6, 1, 10, tzinfo=BJ)))
    simulator.script({"target": "overload_net", "kind": "violations", "mode": "reject",
                      "reason": "查询账号未授权"})
    with pytest.raises(DomainError) as refused:
        overload_net.download(actor=world.users["officer"], vehicle=vehicle)
    assert "查询账号未授权" in refused.value.message
    simulator.script({"target": "overload_net", "kind": "violations", "mode": "timeout"})
    with pytest.raises(DomainError) as timed_out:
        overload_net.download(actor=world.users["officer"], vehicle=vehicle)
    assert "未应答" in timed_out.value.message
    assert not ExchangeRecord.objects.exists()
    assert not Event.objects.filter(action="integrations.overload_net_download").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("b_first", [False, True], ids=["county-a-first", "county-b-first"])
def test_each_county_counts_its_own_subject_of_a_shared_act_once(world, simulator, api_for, b_first):
    """Regression: whoever downloaded an act first owned the record and linked only its own subjects;
    the other county saw it as foreign and its driver was never counted. 公路安全保护条例 Art. 66 counts a
    vehicle's and a driver's acts wherever they were caught: county A's vehicle and county B's driver each
    count the act once, whichever county downloads first, and neither county sees the other's subject.
    Another county's vehicle can still be neither downloaded for nor revealed."""
    vehicle_a = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0001")
    driver_b = DriverFactory(organisation=world.brigade_b)
    # The act of county A's vehicle, driven by county B's driver.
    simulator.network_rows(network_row(101, when=datetime(2026, 6, 1, 10, tzinfo=BJ),
                                       driver_qualification=driver_b.qualification_number))
    events = Event.objects.count()
    with pytest.raises(NotPermitted):
        overload_net.download(actor=world.users["officer_b"], vehicle=vehicle_a)
    url = "/api/v1/integrations/overload-net/download"
    refused = api_for("officer_b").post(url, {"vehicle_id": vehicle_a.pk}, content_type="application/json")
    assert refused.status_code == 404  # another unit's vehicle is not revealed
    assert not ExchangeRecord.objects.exists() and Event.objects.count() == events

    def county_a():
        ok = api_for("officer").post(url, {"vehicle_id": vehicle_a.pk}, content_type="application/json")
        assert ok.status_code == 200 and ok.json()["created"] == 1 and "foreign" not in ok.json()

    def county_b():
        theirs = overload_net.download(actor=world.users["officer_b"], driver=driver_b)
        assert (theirs["received"], theirs["created"], theirs["unchanged"]) == (1, 1, 0)  # new to county B

    for download in (county_b, county_a) if b_first else (county_a, county_b):
        download()
    record = ExchangeRecord.objects.get()  # the network's one record of the act, shared
    links = {link.organisation: (link.vehicle, link.driver) for link in record.links.all()}
    assert links == {world.brigade_a: (vehicle_a, None), world.brigade_b: (None, driver_b)}  # each its own
    county_a_counts = services.four_penalty_counts(organisation=world.county_a)
    county_b_counts = services.four_penalty_counts(organisation=world.county_b)
    assert (county_a_counts["vehicles"], county_a_counts["drivers"]) == ({vehicle_a.pk: 1}, {})
    assert (county_b_counts["vehicles"], county_b_counts["drivers"]) == ({}, {driver_b.pk: 1})
    everywhere = services.four_penalty_counts()  # the city, or the scheduled scan: the act once for each
    assert (everywhere["vehicles"], everywhere["drivers"]) == ({vehicle_a.pk: 1}, {driver_b.pk: 1})
    # Downloading again changes nothing for either county.
    again = overload_net.download(actor=world.users["officer_b"], driver=driver_b)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert {link.organisation: (link.vehicle, link.driver) for link in record.links.all()} == links


@pytest.mark.django_db
def test_download_without_a_configured_network_is_not_enabled(world, fast_outbox, api_for):
    vehicle = VehicleFactory(organisation=world.brigade_a, plate="豫R·N0001")
    url = "/api/v1/integrations/overload-net/download"
    answer = api_for("officer").post(url, {"vehicle_id": vehicle.pk}, content_type="application/json")
    assert answer.status_code == 404 and answer.json()["code"] == "not_enabled"
    both = api_for("officer").post(url, {"vehicle_id": vehicle.pk, "driver_id": 1},
                                   content_type="application/json")
    assert both.status_code == 400 and both.json()["code"] == "one_subject"
    assert not Event.objects.filter(action="integrations.overload_net_download").exists()
