"""四级联网 (the provincial 超限超载 four-level network, target ``overload_net``): the upload of
overload cases and 一超四罚 results through the outbox, and the download of other units' overload
violations of a vehicle, driver or company so that the 一超四罚 counters include them. Format
``zhifa-overload-net/1`` (ours: the provincial format is not public) — see
docs/integrations/overload-net.md, with the mapping table an integrator fills in."""

import logging
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role
from zhifa.core.services import assert_in_jurisdiction, assert_role

from .models import Target
from .outbox import endpoint, outbox_enqueue

log = logging.getLogger(__name__)

FORMAT = "zhifa-overload-net/1"
# A case opened from an off-site overload violation (overload.services.violation_open_case).
CASE_ORIGIN = "overload.violation"
# The case acts the network is told of: the decision (or no-penalty decision), the closure, a revocation.
CASE_KINDS = {"decide": "case_decided", "simplified": "case_decided", "no_penalty": "case_decided",
              "close": "case_closed", "revoke": "case_revoked"}
# 一超四罚 object codes (FourPenaltyTrigger.Kind → code): 1 车辆, 2 驾驶人, 3 运输企业, 4 源头单位.
FOUR_PENALTY_CODES = {"vehicle": "1", "driver": "2", "company": "3", "source": "4"}
DOWNLOAD_ROLES = (Role.OFFICER, Role.HEAD, Role.ADMIN)


def _day(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def _percent(excess: int, limit: int) -> str | None:
    """超限率 (%): excess over the limit, two decimals."""
    if not limit:
        return None
    return str((Decimal(excess) * 100 / Decimal(limit)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _party(party) -> dict:
    if party is None:
        return {"kind": "", "name": "", "id_type": "", "id_number": ""}
    # 证件号码: a unit's 统一社会信用代码, a person's ID number (one field: the network keys parties by it).
    number = party.credit_code or party.id_number
    id_type = "credit_code" if party.credit_code else party.id_type
    return {"kind": party.kind, "name": party.name, "id_type": id_type, "id_number": number,
            "address": party.address}


def _agency(org) -> dict:
    return {"code": org.code, "name": org.name, "credit_code": org.credit_code,
            "region_code": org.region_code}


def case_payload(case, kind: str) -> dict | None:
    """The overload case as the network keeps it: the measured act (kg, %), the vehicle, the owner
    and the decision."""
    Violation = apps.get_model("overload", "Violation")
    v = (Violation.objects.filter(pk=case.origin_id)
         .select_related("station", "vehicle__company", "driver", "source_unit").first())
    if v is None:
        return None
    org = case.organisation
    return {
        "format": FORMAT,
        "kind": kind,
        "record_id": f"{org.code}-{case.number}",
        "agency": _agency(org),
        "case_number": case.number,
        "case_status": case.status,
        "violation": {
            "origin_id": str(v.pk), "plate": v.plate, "plate_colour": v.plate_colour,
            "station_code": v.station.code, "station_name": v.station.name, "road": v.station.road,
            "stake": v.station.stake,
            "first_passed_at": timezone.localtime(v.first_passed_at).isoformat(), "pass_count": v.pass_count,
            "axle_count": v.axle_count, "gross_kg": v.gross_kg, "tolerance_percent": str(v.tolerance_percent),
            "corrected_kg": v.corrected_kg, "limit_kg": v.limit_kg, "excess_kg": v.excess_kg,
            "excess_percent": _percent(v.excess_kg, v.limit_kg),
        },
        "party": _party(case.party),
        "driver_qualification": v.driver.qualification_number if v.driver_id else "",
        "company_credit_code": (v.vehicle.company.credit_code
                                if v.vehicle_id and v.vehicle.company_id else ""),
        "source_unit_credit_code": v.source_unit.credit_code if v.source_unit_id else "",
        "decision": {"number": case.decision_number, "decided_on": _day(case.decided_on),
                     "outcome": case.outcome,
                     "fine_amount_yuan": (None if case.fine_amount is None
                                          else f"{Decimal(case.fine_amount):.2f}")},
        "closed_on": _day(case.closed_on),
        "revoked_on": _day(case.revoked_on),
    }


def trigger_payload(trigger) -> dict:
    """A 一超四罚 result: which of the four (vehicle, driver, company, source unit), who, how many
    acts in the window, the legal basis and the follow-up, and the Art. 44 notice deadline."""
    org = trigger.organisation
    kind = trigger.kind
    subject = {"plate": "", "plate_colour": "", "driver_qualification": "", "credit_code": ""}
    if trigger.vehicle_id:
        subject.update(plate=trigger.vehicle.plate, plate_colour=trigger.vehicle.plate_colour)
    if trigger.driver_id:
        subject.update(driver_qualification=trigger.driver.qualification_number)
    if trigger.company_id:
        subject.update(credit_code=trigger.company.credit_code)
    if trigger.source_unit_id:
        subject.update(credit_code=trigger.source_unit.credit_code)
    return {
        "format": FORMAT,
        "kind": "four_penalty",
        "record_id": f"{org.code}-FP{trigger.pk}",
        "agency": _agency(org),
        "object_code": FOUR_PENALTY_CODES[kind],
        "object_label": trigger.get_kind_display(),
        "subject": subject,
        "party": _party(trigger.party),
        "count": trigger.count,
        "triggered_on": _day(trigger.triggered_on),
        "basis": trigger.basis,
        "follow_up": trigger.follow_up,
        "notice_due_on": _day(trigger.notice_due_on),
        "listed": trigger.listed,
    }


def case_changed(case, action: str) -> None:
    """cases._move (through triggers.case_changed): an overload case's decision, closure or
    revocation goes to the network, in the move's transaction."""
    kind = CASE_KINDS.get(action)
    if kind is None or case.origin_type != CASE_ORIGIN:
        return
    payload = case_payload(case, kind)
    if payload is None:
        return
    outbox_enqueue(target=Target.OVERLOAD_NET, subject=case, kind=kind, payload=payload,
                   idempotency_key=f"overload_net:{kind}:case:{case.pk}", organisation=case.organisation)


def four_penalty_recorded(trigger) -> None:
    """overload._trigger: a 一超四罚 result goes to the network in the transaction that records it."""
    outbox_enqueue(target=Target.OVERLOAD_NET, subject=trigger, kind="four_penalty",
                   payload=trigger_payload(trigger), organisation=trigger.organisation,
                   idempotency_key=f"overload_net:four_penalty:trigger:{trigger.pk}")


def rebuild(message) -> dict | None:
    """The payload rebuilt from the record as it is now (重发 after a correction)."""
    if message.kind == "four_penalty":
        Trigger = apps.get_model("overload", "FourPenaltyTrigger")
        trigger = Trigger.objects.filter(pk=message.subject_id).first()
        return None if trigger is None else trigger_payload(trigger)
    case = apps.get_model("cases", "Case").objects.filter(pk=message.subject_id).first()
    return None if case is None else case_payload(case, message.kind)


def expected(day: date) -> list[tuple[str, str, str]]:
    """What the daily reconciliation expects to have been reported on ``day``."""
    overload = apps.get_model("cases", "Case").objects.filter(origin_type=CASE_ORIGIN)
    rows = []
    for kind, field in (("case_decided", "decided_on"), ("case_closed", "closed_on"),
                        ("case_revoked", "revoked_on")):
        pks = overload.filter(**{field: day}).values_list("pk", flat=True)
        rows += [("cases.case", str(pk), kind) for pk in pks]
    Trigger = apps.get_model("overload", "FourPenaltyTrigger")
    rows += [("overload.fourpenaltytrigger", str(pk), "four_penalty")
             for pk in Trigger.objects.filter(triggered_on=day).values_list("pk", flat=True)]
    return rows


# --- download: other units' violations of a vehicle, driver or company ---------------------------

def _subject(actor, *, vehicle=None, driver=None, company=None) -> tuple[str, object, dict]:
    """The one subject of a download and its query parameters. The subject must lie in the caller's
    jurisdiction (a foreign unit's vehicle, driver or company is neither queried nor imported into)."""
    named = (("vehicle", vehicle), ("driver", driver), ("company", company))
    given = [(name, obj) for name, obj in named if obj is not None]
    if len(given) != 1:
        raise DomainError("one_subject", "请指定一辆车、一名驾驶员或一家运输企业。")
    name, obj = given[0]
    assert_in_jurisdiction(actor, obj.organisation)
    if name == "vehicle":
        return name, obj, {"plate": obj.plate, "plate_colour": obj.plate_colour}
    if name == "driver":
        if not obj.qualification_number:
            raise DomainError("no_qualification",
                              f"驾驶员 {obj.name} 没有登记从业资格证号，无法在四级联网中查询。")
        return name, obj, {"driver_qualification": obj.qualification_number}
    return name, obj, {"company_credit_code": obj.credit_code}


def subject_for(user, *, vehicle_id: int | None = None, driver_id: int | None = None,
                company_id: int | None = None) -> dict:
    """The subject named by id, looked up within the user's jurisdiction (another unit's is a 404: not
    revealed)."""
    from zhifa.core.models import Driver, TransportCompany, Vehicle
    from zhifa.core.selectors import get_scoped

    ids = {"vehicle": (Vehicle, vehicle_id), "driver": (Driver, driver_id),
           "company": (TransportCompany, company_id)}
    given = {name: (model, pk) for name, (model, pk) in ids.items() if pk is not None}
    if len(given) != 1:
        raise DomainError("one_subject", "请指定一辆车、一名驾驶员或一家运输企业。")
    [(name, (model, pk))] = given.items()
    return {name: get_scoped(model.objects.all(), user, pk=pk)}


def download(*, actor, vehicle=None, driver=None, company=None, months: int = 12) -> dict:
    """Pull the network's overload violations of one vehicle, driver or company (the last ``months``
    months) and link them to the subject's unit (overload.services.exchange_import with ``organisation``):
    de-duplicated by (origin unit, origin id, kind), merged with our own record of the same act
    (一事不再罚), idempotent on re-run; a record another unit downloaded before is shared, each unit
    linking only its own subjects; rows of our own units are left out (they are counted from our
    violations). One event records each download, whatever it brought, in the
    transaction that stores the rows. Returns the import's counts."""
    from zhifa.core.models import Organisation
    from zhifa.overload.services import exchange_import

    from . import client

    if actor is not None:  # None: the scheduled download (download_daily), the system acting everywhere
        assert_role(actor, *DOWNLOAD_ROLES,
                    message="只有执法人员、负责人或系统管理员可以从四级联网下载超限记录。")
    name, obj, query = _subject(actor, vehicle=vehicle, driver=driver, company=company)
    conf = endpoint(Target.OVERLOAD_NET)
    if conf is None:
        # 404 like every integration not enabled here (a 5xx would say the platform failed; it is not set up).
        raise DomainError("not_enabled", "未配置四级联网接口地址，无法下载。", status=404)
    since = timezone.localdate() - timedelta(days=31 * months)
    url = f"{conf[0]}/overload_net/violations?{urlencode({**query, 'since': since.isoformat()})}"
    data, error = client.fetch_signed(url, secret=conf[1], signature_header="X-Zhifa-Signature",
                                      what="四级联网查询结果")
    if error:
        raise DomainError("network_refused", f"四级联网未返回数据（{error}），本次未导入任何记录。",
                          status=502)
    rows = data.get("rows") if isinstance(data.get("rows"), list) else []
    origins = {str(r.get("origin_org", "")) for r in rows if isinstance(r, dict)}
    own = set(Organisation.objects.filter(code__in=origins).values_list("code", flat=True))
    foreign = [r for r in rows if not (isinstance(r, dict) and r.get("origin_org") in own)]
    label = {"vehicle": lambda: f"车辆 {obj.plate}", "driver": lambda: f"驾驶员 {obj.name}",
             "company": lambda: f"运输企业 {obj.name}"}[name]()
    with transaction.atomic():
        counts = exchange_import(rows=foreign, actor=actor, organisation=obj.organisation,
                                 audit_event=False)
        counts["own"] = len(rows) - len(foreign)
        counts["received"] = len(rows)
        changes = {k: v for k, v in counts.items() if k != "errors"}
        changes.update(query=query, since=since.isoformat())
        audit.record(actor=actor, action="integrations.overload_net_download", subject=obj,
                     organisation=obj.organisation, changes=changes,
                     summary=(f"从四级联网下载{label}的超限记录：收到{len(rows)}条，"
                              f"新增{counts['created']}，更新{counts['updated']}，"
                              f"未变{counts['unchanged']}，与同一违法行为合并{counts['merged']}，"
                              f"本系统单位的记录{counts['own']}，"
                              f"拒收{counts['rejected']}")[:500])
    return counts


def download_daily(*, day: date | None = None, limit: int | None = None) -> dict:
    """The scheduled download (Celery beat ``integrations-overload-net-daily``, task
    ``integrations.overload_net_daily``; ``zhifa overload_net daily``): the vehicles and
    drivers of our registers named by an overload violation of ours whose first pass fell on
    ``day`` (default yesterday) — the day's catch, whose 一超四罚 counts (公路安全保护条例
    Art. 66) the next decisions read — each downloaded once, as the system, at most ``limit``
    (``OVERLOAD_NET_DAILY_LIMIT``) subjects, vehicles first. A violation reviewed and dismissed
    is left out; companies are counted through their vehicles' rows. A refusal of one subject
    is counted and the run goes on; three in a row stop it (the network is down: the next run,
    or a person, tries again). Returns {"day", "subjects", "downloaded", "failed", "created",
    "merged", "stopped"}."""
    from django.conf import settings

    from zhifa.core.models import Driver, Vehicle

    day = day or timezone.localdate() - timedelta(days=1)
    limit = settings.OVERLOAD_NET_DAILY_LIMIT if limit is None else limit
    result = {"day": day.isoformat(), "subjects": 0, "downloaded": 0, "failed": 0, "created": 0, "merged": 0,
              "stopped": False}
    if endpoint(Target.OVERLOAD_NET) is None:
        return result
    Violation = apps.get_model("overload", "Violation")
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    caught = (Violation.objects
              .filter(first_passed_at__gte=start, first_passed_at__lt=start + timedelta(days=1))
              .exclude(status=Violation.Status.DISMISSED))
    vehicle_ids = sorted(set(caught.exclude(vehicle=None).values_list("vehicle_id", flat=True)))
    driver_ids = sorted(set(caught.exclude(driver=None).values_list("driver_id", flat=True)))
    vehicles = Vehicle.objects.filter(pk__in=vehicle_ids).select_related("organisation")
    drivers = (Driver.objects.filter(pk__in=driver_ids).exclude(qualification_number="")
               .select_related("organisation"))
    subjects = [{"vehicle": v} for v in vehicles.order_by("pk")]
    subjects += [{"driver": d} for d in drivers.order_by("pk")]
    subjects = subjects[:limit]
    result["subjects"], in_a_row = len(subjects), 0
    for subject in subjects:
        try:
            counts = download(actor=None, **subject)
        except DomainError as exc:
            result["failed"] += 1
            in_a_row += 1
            log.warning("四级联网 daily download of %s failed: %s", subject, exc.message)
            if in_a_row >= 3:
                result["stopped"] = True
                break
            continue
        in_a_row = 0
        result["downloaded"] += 1
        result["created"] += counts["created"]
        result["merged"] += counts["merged"]
    return result
