"""State changes of the core registers. Each service validates, writes, and records the change in the
full-process record within one transaction; the acting user's role and jurisdiction are checked here."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import audit
from .errors import DomainError, NotPermitted
from .models import (
    CalendarDay,
    CalendarYear,
    Driver,
    Officer,
    Organisation,
    Party,
    SourceUnit,
    TransportCompany,
    User,
    Vehicle,
)
from .roles import Role, has_role

REGISTER_EDITORS = (Role.OFFICER, Role.ADMIN, Role.HEAD)


def assert_role(user, *roles: str, message: str = "") -> None:
    if not has_role(user, *roles):
        raise NotPermitted("forbidden", message or "您没有执行此操作的权限。")


def assert_in_jurisdiction(user, organisation: Organisation) -> None:
    """The acting user may only act within their own organisation's subtree."""
    if user is None:  # system jobs act everywhere
        return
    if user.is_superuser and user.organisation_id is None:
        return
    if user.organisation_id is None or not organisation.is_within(user.organisation):
        raise NotPermitted("out_of_jurisdiction", "该机构不在您的管辖范围内。")


def assert_officers_can_act(officers: Iterable[Officer], *, on: date, minimum: int = 2, act: str = "执法") -> list[Officer]:
    """Refuse unless at least ``minimum`` distinct officers take part and each holds a valid certificate on
    ``on`` (行政处罚法 Art. 42: 执法人员不得少于两人; 执法证 required)."""
    distinct = list({o.pk: o for o in officers if o is not None}.values())
    if len(distinct) < minimum:
        raise DomainError("too_few_officers", f"{act}须由不少于{minimum}名持有效执法证的执法人员进行（行政处罚法第四十二条）。")
    problems = [p for p in (o.certificate_problem(on) for o in distinct) if p]
    if problems:
        raise DomainError("officer_not_certified", "；".join(problems))
    return distinct


def officer_for_user(user) -> Officer | None:
    return getattr(user, "officer", None) if user is not None and hasattr(user, "officer") else None


def validated(instance: models.Model) -> models.Model:
    """``instance`` after the model's own validation (``full_clean``); a ValidationError names the fields."""
    instance.full_clean()
    return instance


def audited_create(*, actor, instance: models.Model, action: str, summary: str, organisation=None):
    """Validate and insert ``instance`` and record it, in one transaction (a register row with no workflow)."""
    validated(instance)
    with transaction.atomic():
        instance.save(force_insert=True)
        audit.record(actor=actor, action=action, subject=instance, after=audit.snapshot(instance), summary=summary,
                     organisation=organisation or getattr(instance, "organisation", None))
    return instance


def audited_update(*, actor, instance: models.Model, data: dict, allowed: set[str], action: str, summary: str,
                   organisation=None):
    """Change the ``allowed`` fields of ``instance`` and record before/after, in one transaction."""
    unknown = set(data) - allowed
    if unknown:
        raise DomainError("invalid_fields", f"不允许修改的字段：{', '.join(sorted(unknown))}")
    before = audit.snapshot(instance)
    for key, value in data.items():
        setattr(instance, key, value)
    validated(instance)
    with transaction.atomic():
        instance.save()
        audit.record(actor=actor, action=action, subject=instance, before=before, after=audit.snapshot(instance),
                     summary=summary, organisation=organisation or getattr(instance, "organisation", None))
    return instance


def organisation_create(*, actor, parent: Organisation | None, code: str, name: str, kind: str, **extra) -> Organisation:
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以设置机构。")
    if parent is not None:
        assert_in_jurisdiction(actor, parent)
    org = Organisation(parent=parent, code=code, name=name, kind=kind, **extra)
    return audited_create(actor=actor, instance=org, action="organisation.create", summary=f"新增机构 {name}")


def officer_create(*, actor, organisation: Organisation, name: str, cert_number: str, cert_issued_on: date,
                   cert_expires_on: date, user: User | None = None, **extra) -> Officer:
    assert_role(actor, Role.ADMIN, Role.HEAD, message="只有系统管理员或负责人可以登记执法人员。")
    assert_in_jurisdiction(actor, organisation)
    officer = Officer(organisation=organisation, name=name, cert_number=cert_number, cert_issued_on=cert_issued_on,
                      cert_expires_on=cert_expires_on, user=user, **extra)
    return audited_create(actor=actor, instance=officer, action="officer.create", summary=f"登记执法人员 {name}（{cert_number}）")


OFFICER_CERT_FIELDS = {"cert_status", "cert_expires_on", "annual_review_on", "cert_issued_on", "legal_qualification", "is_active", "position", "phone"}


def officer_update(*, actor, officer: Officer, **data) -> Officer:
    assert_role(actor, Role.ADMIN, Role.HEAD, message="只有系统管理员或负责人可以变更执法证信息。")
    assert_in_jurisdiction(actor, officer.organisation)
    return audited_update(actor=actor, instance=officer, data=data, action="officer.update",
                   summary=f"变更执法人员 {officer.name} 信息", allowed=OFFICER_CERT_FIELDS)


def party_create(*, actor, organisation: Organisation, kind: str, name: str, **extra) -> Party:
    assert_role(actor, *REGISTER_EDITORS)
    assert_in_jurisdiction(actor, organisation)
    party = Party(organisation=organisation, kind=kind, name=name, **extra)
    try:
        return audited_create(actor=actor, instance=party, action="party.create", summary=f"登记当事人 {name}")
    except ValidationError as exc:
        if "__all__" in getattr(exc, "message_dict", {}):
            raise DomainError("duplicate_party", "本机构已登记该证件号码的当事人。") from exc
        raise


PARTY_FIELDS = {"name", "phone", "address", "legal_representative", "id_type", "id_number", "credit_code", "legal_rep_id_type",
                "legal_rep_id_number"}


def party_update(*, actor, party: Party, **data) -> Party:
    assert_role(actor, *REGISTER_EDITORS)
    assert_in_jurisdiction(actor, party.organisation)
    return audited_update(actor=actor, instance=party, data=data, action="party.update", summary=f"变更当事人 {party.name}", allowed=PARTY_FIELDS)


def vehicle_create(*, actor, organisation: Organisation, plate: str, plate_colour: str, owner: Party, vehicle_type: str, **extra) -> Vehicle:
    assert_role(actor, *REGISTER_EDITORS)
    assert_in_jurisdiction(actor, organisation)
    vehicle = Vehicle(organisation=organisation, plate=plate, plate_colour=plate_colour, owner=owner, vehicle_type=vehicle_type, **extra)
    try:
        return audited_create(actor=actor, instance=vehicle, action="vehicle.create", summary=f"登记车辆 {plate}")
    except ValidationError as exc:
        if "__all__" in getattr(exc, "message_dict", {}):
            raise DomainError("duplicate_vehicle", "该号牌号码和颜色的车辆已登记。") from exc
        raise


VEHICLE_FIELDS = {"vehicle_type", "axle_count", "is_combination", "single_drive_axle", "company", "owner",
                  "transport_cert_number", "transport_cert_status", "is_goods_vehicle"}


def vehicle_update(*, actor, vehicle: Vehicle, **data) -> Vehicle:
    # System processes (一超四罚 revocation) act with actor=None and are recorded as 系统.
    if actor is not None:
        assert_role(actor, *REGISTER_EDITORS)
        assert_in_jurisdiction(actor, vehicle.organisation)
    return audited_update(actor=actor, instance=vehicle, data=data, action="vehicle.update", summary=f"变更车辆 {vehicle.plate}", allowed=VEHICLE_FIELDS)


def company_create(*, actor, organisation: Organisation, name: str, credit_code: str, **extra) -> TransportCompany:
    """Register a transport company and, with it, its party record."""
    assert_role(actor, *REGISTER_EDITORS)
    assert_in_jurisdiction(actor, organisation)
    with transaction.atomic():
        party = party_create(actor=actor, organisation=organisation, kind=Party.Kind.ORGANISATION, name=name,
                             credit_code=credit_code, legal_representative=extra.get("legal_representative", ""),
                             phone=extra.get("phone", ""), address=extra.get("address", ""))
        company = TransportCompany(organisation=organisation, party=party, name=name, credit_code=credit_code, **extra)
        return audited_create(actor=actor, instance=company, action="company.create", summary=f"登记运输企业 {name}")


def driver_create(*, actor, organisation: Organisation, name: str, id_number: str, **extra) -> Driver:
    assert_role(actor, *REGISTER_EDITORS)
    assert_in_jurisdiction(actor, organisation)
    with transaction.atomic():
        party = party_create(actor=actor, organisation=organisation, kind=Party.Kind.PERSON, name=name,
                             id_number=id_number, phone=extra.get("phone", ""))
        driver = Driver(organisation=organisation, party=party, name=name, id_number=id_number, **extra)
        return audited_create(actor=actor, instance=driver, action="driver.create", summary=f"登记驾驶员 {name}")


def source_unit_create(*, actor, organisation: Organisation, name: str, credit_code: str, kind: str, **extra) -> SourceUnit:
    assert_role(actor, *REGISTER_EDITORS)
    assert_in_jurisdiction(actor, organisation)
    with transaction.atomic():
        party = party_create(actor=actor, organisation=organisation, kind=Party.Kind.ORGANISATION, name=name,
                             credit_code=credit_code, address=extra.get("address", ""))
        unit = SourceUnit(organisation=organisation, party=party, name=name, credit_code=credit_code, kind=kind, **extra)
        return audited_create(actor=actor, instance=unit, action="source_unit.create", summary=f"登记货运源头单位 {name}")


def assert_statutory_holiday_kept(day: date, is_working_day: bool) -> None:
    """《全国年节及纪念日放假办法》 Art. 2: a statutory holiday is a rest day; an arrangement swaps weekends
    around it (调休), it never makes the holiday itself a working day."""
    from .legal_calendar import statutory_holidays

    name = statutory_holidays(day.year).get(day) if day.year >= 2025 else None
    if is_working_day and name:
        raise DomainError("statutory_holiday", f"{day:%Y年%m月%d日}是法定节假日（{name}），不能设为工作日"
                          "（《全国年节及纪念日放假办法》第二条）。调休上班日应为周末。")


def calendar_day_set(*, actor, day: date, is_working_day: bool, name: str = "", note: str = "") -> CalendarDay:
    """Override one day of the legal calendar (holiday or make-up working day); every open clock is recomputed
    and each moved deadline recorded (``calendar_changed``)."""
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以维护工作日历。")
    assert_statutory_holiday_kept(day, is_working_day)
    from .legal_calendar import Calendar

    with transaction.atomic():
        before_cal = Calendar()
        existing = CalendarDay.objects.filter(date=day).first()
        before = audit.snapshot(existing) if existing else None
        obj, _ = CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": is_working_day, "name": name, "note": note})
        summary = f"设置 {day} 为{'工作日' if is_working_day else '休息日'} {name}"
        audit.record(actor=actor, action="calendar.day_set", subject=obj, before=before, after=audit.snapshot(obj), summary=summary)
        calendar_changed(actor=actor, before=before_cal, reason=f"工作日历调整：{summary.strip()}")
    return obj


def calendar_year_set(*, actor, year: int, confirmed: bool, source: str = "") -> CalendarYear:
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以确认年度放假安排。")
    from .legal_calendar import Calendar

    with transaction.atomic():
        before_cal = Calendar()
        existing = CalendarYear.objects.filter(year=year).first()
        before = audit.snapshot(existing) if existing else None
        obj, _ = CalendarYear.objects.update_or_create(year=year, defaults={"confirmed": confirmed, "source": source})
        summary = f"{year}年放假安排{'已确认' if confirmed else '标记为未确认'} {source}".strip()
        audit.record(actor=actor, action="calendar.year_set", subject=obj, before=before, after=audit.snapshot(obj), summary=summary)
        calendar_changed(actor=actor, before=before_cal, reason=summary)
    return obj


def calendar_arrangement_import(*, actor, year: int, days: Iterable[tuple[date, bool, str]], source: str) -> dict:
    """Enter the State Council's holiday arrangement (国务院办公厅放假安排) of ``year``: ``days`` are (date,
    is_working_day, name) rows — the holidays and the make-up working days (调休). The year's earlier overrides are
    replaced, the year is confirmed with its source, and every open clock is recomputed and each moved deadline
    recorded in the full-process record, all in one transaction. Refused as a whole on any bad row."""
    assert_role(actor, Role.ADMIN, message="只有系统管理员可以录入年度放假安排。")
    if not source.strip():
        raise DomainError("source_required", "请填写放假安排的依据（如 国办发明电〔2026〕X号）。")
    rows: dict[date, tuple[bool, str]] = {}
    for day, is_working_day, name in days:
        if day.year != year:
            raise DomainError("invalid_arrangement", f"{day:%Y-%m-%d}不属于{year}年，放假安排应逐年录入。")
        if day in rows:
            raise DomainError("invalid_arrangement", f"{day:%Y-%m-%d}重复出现。")
        assert_statutory_holiday_kept(day, is_working_day)
        rows[day] = (is_working_day, (name or "").strip()[:50])
    if not rows:
        raise DomainError("invalid_arrangement", "放假安排中没有日期。")
    from .legal_calendar import Calendar

    with transaction.atomic():
        before_cal = Calendar()
        removed = CalendarDay.objects.filter(date__year=year).exclude(date__in=list(rows)).delete()[0]
        for day, (is_working_day, name) in sorted(rows.items()):
            CalendarDay.objects.update_or_create(date=day, defaults={"is_working_day": is_working_day, "name": name,
                                                                     "note": source.strip()[:200]})
        obj, _ = CalendarYear.objects.update_or_create(year=year, defaults={"confirmed": True, "source": source.strip()[:200]})
        rest = sum(1 for w, _ in rows.values() if not w)
        summary = (f"录入{year}年放假安排（{source.strip()}）：休息日{rest}天，调休上班{len(rows) - rest}天"
                   + (f"，删除原调整{removed}天" if removed else "") + "，年度标记为已确认")
        audit.record(actor=actor, action="calendar.arrangement_import", subject=obj, after=audit.snapshot(obj), summary=summary,
                     changes={d.isoformat(): [_day_label(before_cal.is_working_day(d)), _day_label(w, n)]
                              for d, (w, n) in sorted(rows.items()) if before_cal.is_working_day(d) != w or n})
        moved = calendar_changed(actor=actor, before=before_cal, reason=f"{year}年放假安排（{source.strip()}）")
    return {"year": year, "days": len(rows), "removed": removed, "moved": moved}


def _day_label(is_working_day: bool, name: str = "") -> str:
    return ("工作日" if is_working_day else "休息日") + (f"（{name}）" if name else "")


def calendar_changed(*, actor, before, reason: str) -> int:
    """After a change of the legal calendar, every app whose open deadlines run on it recomputes them: each app
    module ``zhifa.<app>.clocks`` may provide ``calendar_changed(*, actor, before, after, reason) -> int`` (the
    number of subjects whose deadlines moved; each writes its own record). Called inside the caller's transaction."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.conf import settings

    from .legal_calendar import Calendar

    after, moved = Calendar(), 0
    for app in settings.ZHIFA_APPS:
        name = f"{app}.clocks"
        if find_spec(name) is None:
            continue
        hook = getattr(import_module(name), "calendar_changed", None)
        if hook is not None:
            moved += hook(actor=actor, before=before, after=after, reason=reason)
    return moved
