"""Officer pages (violations, review queue, stations, ingest batches, 一超四罚) and the public remote-handling pages
(不见面执法). Views parse, call one service, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import bulk
from zhifa.core.errors import DomainError, NotPermitted
from zhifa.core.identifiers import PLATE_COLOURS, normalise_plate
from zhifa.core.ratelimit import client_key, rate_limited
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import vehicles_for

from . import ingest, media, selectors, services
from .models import RemoteAct, Violation


def _page(request, qs, size=30):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def violation_list(request, queue: str = ""):
    status = Violation.Status.REVIEW if queue == "review" else request.GET.get("status", "")
    plate = request.GET.get("plate", "")
    qs = selectors.violations_for(request.user, status=status, plate=plate)
    review = status == Violation.Status.REVIEW and has_role(request.user, *services.EDITORS)
    if request.GET.get("format") == "xlsx":
        return _export(request, qs, status=status, plate=plate)
    return render(request, "overload/violation_list.html", {
        # The review queue is worked in pages of 50 (the bulk review form covers one page).
        "page": _page(request, qs.order_by("first_passed_at") if review else qs, size=50 if review else 30),
        "status": status, "plate": plate, "statuses": Violation.Status.choices,
        "bulk": status == Violation.Status.DETECTED and has_role(request.user, Role.OFFICER, Role.HEAD),
        "review_bulk": review, "queue": queue,
        "title": "待人工核查（号牌未匹配）" if status == Violation.Status.REVIEW else "超限违法行为"})


EXPORT_COLUMNS = [
    ("号牌", "plate"), ("号牌颜色", "get_plate_colour_display"), ("首次过车", "first_passed_at"), ("末次过车", "last_passed_at"),
    ("检测站点", "station.name"), ("轴数", "axle_count"), ("实测总质量（千克）", "gross_kg"), ("限值（千克）", "limit_kg"),
    ("超限（千克）", "excess_kg"), ("超限率（%）", "excess_percent"), ("过车次数", "pass_count"), ("状态", "get_status_display"),
    ("车辆所有人", "vehicle.owner.name"), ("拟罚款（元）", "proposed_amount"), ("备注", "note"),
]


def _export(request, qs, *, status: str, plate: str):
    from zhifa.core import xlsx

    title = "待人工核查的超限记录" if status == Violation.Status.REVIEW else "超限违法行为"
    return xlsx.list_response(request.user, kind="overload.violation", title=title, qs=qs.order_by("-first_passed_at"), columns=EXPORT_COLUMNS,
                              filters={"状态": dict(Violation.Status.choices).get(status, ""), "号牌": plate})


def _violation_row(v: Violation) -> bulk.Row:
    return bulk.Row(pk=v.pk, label=v.plate or "（未识别）", url=reverse("overload:violation", args=[v.pk]), obj=v,
                    cells=[f"{timezone.localtime(v.first_passed_at):%Y-%m-%d %H:%M}", v.station.name, v.excess_kg])


@login_required
@require_POST
def bulk_open(request):
    """Opening cases from many violations at once: a preview of what will happen to each selected row, then, once
    confirmed, each row opened through the same service as the single action (each recorded as itself) with its
    own result — a case number, or the reason it was refused."""
    if not has_role(request.user, Role.OFFICER, Role.HEAD):
        raise Http404
    ids = bulk.selected_ids(request)
    found = selectors.violations_for(request.user).filter(pk__in=ids).select_related("station", "vehicle__owner").order_by("first_passed_at")
    if not found:
        messages.error(request, "请先勾选要生成案件的违法行为。")
        return redirect(f"{reverse('overload:list')}?status={Violation.Status.DETECTED}")
    rows = []
    for v in found:
        row = _violation_row(v)
        if v.status != Violation.Status.DETECTED:
            row.ready, row.plan = False, f"当前状态为“{v.get_status_display()}”"
        elif v.vehicle_id is None:
            row.ready, row.plan = False, "号牌未匹配登记车辆，请先人工核查"
        else:
            row.plan = f"生成案件并告知车辆所有人 {v.vehicle.owner.name}"
        rows.append(row)
    if bulk.confirmed(request):
        def act(row):
            case = services.violation_open_case(violation=row.obj, actor=request.user)
            return f"已生成案件 {case.number}，并向车辆所有人发出告知"
        bulk.report(request, "批量生成案件", *bulk.run(rows, act))
    return render(request, bulk.TEMPLATE, bulk.context(
        title="批量生成案件", rows=rows, headers=["号牌", "首次过车", "站点", "超限（千克）"], confirm_label="确认生成案件",
        back_url=f"{reverse('overload:list')}?status={Violation.Status.DETECTED}", back_label="待立案的违法行为"))


REVIEW_ACTIONS = {"match": "确认或更正号牌并匹配登记车辆", "dismiss": "不予处理"}


@login_required
@require_POST
def bulk_review(request):
    """The plate review queue worked in bulk: for each ticked row the officer confirms the read plate or types the
    plate seen on the photo (the registered vehicle is found by it), or rejects the record with one reason for all.
    Preview first; then each row through the single-row service (violation_match / violation_dismiss), recorded as
    itself, with its own result."""
    if not has_role(request.user, *services.EDITORS):
        raise Http404
    ids = bulk.selected_ids(request)
    found = {v.pk: v for v in selectors.violations_for(request.user).filter(pk__in=ids).select_related("station")}
    back = reverse("overload:review")
    if not found:
        messages.error(request, "请先勾选要核查的记录。")
        return redirect(back)
    reason = request.POST.get("reason", "").strip()[:200]
    rows = [_review_row(request, found[pk], reason) for pk in ids if pk in found]
    if bulk.confirmed(request):
        def act(row):
            if row.fields["do"] == "dismiss":
                services.violation_dismiss(actor=request.user, violation=row.obj, reason=reason)
                return f"已记录不予处理：{reason}"
            vehicle = row.vehicle
            fixed = f"已更正号牌为 {vehicle.plate}，" if row.fields["plate"] != row.obj.plate else ""
            services.violation_match(actor=request.user, violation=row.obj, vehicle=vehicle, plate=row.fields["plate"])
            return f"{fixed}已匹配登记车辆 {vehicle.plate}（{vehicle.owner.name}），转为待立案"
        bulk.report(request, "批量核查号牌", *bulk.run(rows, act))
    return render(request, bulk.TEMPLATE, bulk.context(
        title="批量核查号牌", rows=rows, headers=["识别号牌", "首次过车", "站点", "超限（千克）"], confirm_label="确认核查结果",
        back_url=back, back_label="待人工核查", shared={"reason": reason}, shared_text=[("不予处理理由", reason)] if reason else ()))


def _review_row(request, v: Violation, reason: str) -> bulk.Row:
    """What the bulk review will do with one row: find the registered vehicle of the confirmed or corrected plate
    (within the officer's jurisdiction, same plate colour when it was read), or reject with the shared reason."""
    row = _violation_row(v)
    do = bulk.row_value(request, v.pk, "do") or "match"
    typed = bulk.row_value(request, v.pk, "plate") or v.plate
    row.fields = {"do": do, "plate": typed}
    row.vehicle = None
    if v.status != Violation.Status.REVIEW:
        row.ready, row.plan = False, f"当前状态为“{v.get_status_display()}”，不在待核查队列中"
        return row
    if do == "dismiss":
        row.ready, row.plan = (True, f"不予处理：{reason}") if reason else (False, "不予处理须填写理由")
        return row
    if do != "match":
        row.ready, row.plan = False, "请选择处理方式"
        return row
    try:
        plate = normalise_plate(typed)
    except ValidationError:
        row.ready, row.plan = False, f"号牌“{typed}”格式不正确（例如 豫R·A1234）"
        return row
    row.fields["plate"] = plate
    vehicles = vehicles_for(request.user).filter(plate=plate)
    if v.plate_colour:
        vehicles = vehicles.filter(plate_colour=v.plate_colour)
    vehicles = list(vehicles[:2])
    if not vehicles:
        row.ready, row.plan = False, f"本辖区没有号牌为 {plate} 的登记车辆（可先登记车辆，或不予处理）"
    elif len(vehicles) > 1:
        row.ready, row.plan = False, f"号牌 {plate} 对应多辆登记车辆（号牌颜色未识别），请在单条页面选择"
    else:
        row.vehicle = vehicles[0]
        what = "确认号牌" if plate == v.plate else f"更正号牌 {v.plate or '（未识别）'} → {plate}"
        row.plan = f"{what}，匹配登记车辆 {plate}（{row.vehicle.owner.name}）"
    return row


@login_required
def violation_detail(request, pk: int):
    violation = selectors.violation_get(request.user, pk)
    package = services.evidence_package(violation)
    case = None
    if violation.case_id:
        from zhifa.cases.models import Case

        case = Case.objects.filter(pk=violation.case_id).first()
    candidates = vehicles_for(request.user, search=violation.plate[-5:])[:10] if violation.status == Violation.Status.REVIEW else []
    return render(request, "overload/violation_detail.html", {
        "v": violation, "package": package, "case": case, "candidates": candidates,
        "media": media.pass_media(package["passes"]), "media_url": _media_base("overload:violation_media", violation.pk),
        "acts": violation.remote_acts.all(), "consent": services.remote_consent_text(violation),
        "can_act": has_role(request.user, Role.OFFICER, Role.HEAD, Role.ADMIN)})


@login_required
def violation_media(request, pk: int, n: int):
    """A photo or video of the violation's passes, within the viewer's jurisdiction."""
    violation = selectors.violation_get(request.user, pk)
    return _media(request, violation, n)


def _media_base(name: str, *args) -> str:
    """The media route's prefix; the template appends each item's number."""
    return reverse(name, args=[*args, 0]).rsplit("0/", 1)[0]


def _media(request, violation, n: int):
    found = next((m for m in media.pass_media(services.evidence_package(violation)["passes"]) if m.n == n and m.available), None)
    if found is None:
        raise Http404
    return media.media_response(request, found)


@login_required
@require_POST
def violation_action(request, pk: int, action: str):
    violation = selectors.violation_get(request.user, pk)
    try:
        if action == "open":
            if not has_role(request.user, Role.OFFICER, Role.HEAD):
                raise DomainError("forbidden", "只有执法人员可以生成案件。")
            case = services.violation_open_case(violation=violation, actor=request.user)
            messages.success(request, f"已生成案件 {case.number}，并向车辆所有人发出告知。")
        elif action == "match":
            vehicle = vehicles_for(request.user).filter(pk=request.POST.get("vehicle")).first()
            if vehicle is None:
                raise DomainError("vehicle_required", "请选择登记车辆。")
            services.violation_match(actor=request.user, violation=violation, vehicle=vehicle)
            messages.success(request, f"已匹配车辆 {vehicle}。")
        elif action == "dismiss":
            services.violation_dismiss(actor=request.user, violation=violation, reason=request.POST.get("reason", ""))
            messages.success(request, "已记录不予处理。")
        elif action == "apply":
            act = violation.remote_acts.filter(pk=request.POST.get("act")).first()
            if act is None:
                raise Http404
            services.remote_act_apply(actor=request.user, act=act)
            messages.success(request, "已将当事人意见记入案件。")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("overload:violation", pk=pk)


@login_required
def station_list(request):
    today = timezone.localdate()
    stations = []
    for station in selectors.stations_for(request.user):
        devices = [(d, d.evidence_problem(today)) for d in station.devices.all()]
        stations.append((station, devices))
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        # One row per device (a station without a device is one row): the register of Art. 41's conditions.
        rows = [(s, d, p) for s, devices in stations for d, p in (devices or [(None, "无设备")])]
        return xlsx.list_response(request.user, kind="overload.station", title="检测站点与设备", qs=rows, columns=[
            ("站点编号", lambda r: r[0].code), ("站点", lambda r: r[0].name), ("道路", lambda r: r[0].road), ("桩号", lambda r: r[0].stake),
            ("管辖机构", lambda r: r[0].organisation.name), ("地点公布日期", lambda r: r[0].location_published_on),
            ("设备编号", lambda r: r[1] and r[1].code), ("型号", lambda r: r[1] and r[1].model_name),
            ("准确度等级", lambda r: r[1] and r[1].get_accuracy_class_display()), ("检定证书", lambda r: r[1] and r[1].calibration_certificate),
            ("检定有效期自", lambda r: r[1] and r[1].calibration_valid_from), ("检定有效期至", lambda r: r[1] and r[1].calibration_valid_until),
            ("审核通过日期", lambda r: r[1] and r[1].review_passed_on), ("今日可作证据", lambda r: r[2] or "是")])
    return render(request, "overload/station_list.html", {"stations": stations, "today": today})


@login_required
def batch_list(request):
    qs = selectors.batches_for(request.user).order_by("-started_at")
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="overload.ingestbatch", title="称重数据导入批次", qs=qs, columns=[
            ("批次", "pk"), ("名称", "name"), ("来源", "get_source_display"), ("开始", "started_at"), ("状态", "get_status_display"),
            ("读取", "read"), ("接收", "accepted"), ("拒收", "rejected"), ("重复", "duplicates"), ("标记", "flagged"),
            ("新增违法", "violations_new"), ("对账一致", "reconciles")])
    return render(request, "overload/batch_list.html", {"page": _page(request, qs)})


@login_required
def batch_report(request, pk: int):
    batch = selectors.batches_for(request.user).filter(pk=pk).first()
    if batch is None or not batch.report_name:
        raise Http404
    path = ingest.report_dir() / batch.report_name
    if not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"拒收明细-批次{batch.pk}.csv", content_type="text/csv")


@login_required
def four_penalty(request):
    org = request.user.organisation if request.user.organisation_id else None
    if org is None and not request.user.is_superuser:
        raise Http404  # a user without a unit has no jurisdiction (not everyone's)
    counts = services.four_penalty_counts(organisation=org)
    policy = counts["policy"]
    near = []
    from zhifa.core.selectors import companies_for, drivers_for, source_units_for

    # Only the user's own jurisdiction's subjects: a vehicle or company of another county that passed one of our
    # stations is that county's to follow (its name and fleet size are not ours to show).
    vehicles = {v.pk: v for v in vehicles_for(request.user).filter(
        pk__in=[k for k, n in counts["vehicles"].items() if n >= policy.vehicle_max + 1 - policy.near_margin])}
    for pk, n in sorted(counts["vehicles"].items(), key=lambda x: -x[1]):
        if pk in vehicles:
            near.append(("车辆", str(vehicles[pk]), n, f"超过{policy.vehicle_max}次触发", n > policy.vehicle_max))
    drivers = {d.pk: d for d in drivers_for(request.user).filter(
        pk__in=[k for k, n in counts["drivers"].items() if n >= policy.driver_max + 1 - policy.near_margin])}
    for pk, n in counts["drivers"].items():
        if pk in drivers:
            near.append(("驾驶员", drivers[pk].name, n, f"超过{policy.driver_max}次触发", n > policy.driver_max))
    companies = {c.pk: c for c in companies_for(request.user).filter(pk__in=list(counts["companies"]))}
    for pk, (over, fleet) in counts["companies"].items():
        share = over * 100 / fleet if fleet else 0
        if pk in companies and share * 1.5 >= float(policy.company_share_percent):
            near.append(("运输企业", companies[pk].name, f"{over}/{fleet} 辆（{share:.1f}%）", f"超过{policy.company_share_percent}%触发",
                         services.company_share_over(over, fleet, policy.company_share_percent)))
    sources = {s.pk: s for s in source_units_for(request.user).filter(pk__in=list(counts["sources"]))}
    for pk, n in counts["sources"].items():
        if pk in sources and n >= policy.source_min - policy.near_margin:
            near.append(("货运源头单位", sources[pk].name, n, f"达到{policy.source_min}次触发", n >= policy.source_min))
    triggers = list(selectors.triggers_for(request.user)[:100])
    # The listing is proposed by the trigger and decided in the credit app: show where its procedure stands.
    from zhifa.credit.selectors import latest_listings

    listings = latest_listings({t.party_id for t in triggers})
    for t in triggers:
        t.listing = listings.get(t.party_id)
    return render(request, "overload/four_penalty.html", {
        "policy": policy, "near": near, "triggers": triggers,
        "can_scan": services.may_scan_four_penalty(request.user), "can_notify": has_role(request.user, Role.OFFICER, Role.HEAD, Role.ADMIN)})


@login_required
@require_POST
def four_penalty_scan(request):
    org = request.user.organisation if request.user.organisation_id else None
    try:
        triggers = services.four_penalty_scan(actor=request.user, organisation=org)
    except NotPermitted as exc:  # the service decides who may scan and where
        messages.error(request, exc.message)
    else:
        messages.success(request, f"扫描完成，新触发 {len(triggers)} 项。")
    return redirect("overload:four")


@login_required
@require_POST
def trigger_notice(request, pk: int):
    trigger = selectors.triggers_for(request.user).filter(pk=pk).first()
    if trigger is None:
        raise Http404
    try:
        services.trigger_notice_send(actor=request.user, trigger=trigger)
        messages.success(request, "已登记抄告。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("overload:four")


# ---------------------------------------------------------------- public: remote handling (不见面执法)

SESSION_KEY = "overload_remote_violation"


@rate_limited("overload_remote", limit=10, window=60)
def remote_start(request):
    error = ""
    form = {"plate": "", "plate_colour": "yellow", "code": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        violation = services.remote_find(plate=form["plate"], plate_colour=form["plate_colour"], code=form["code"])
        if violation is None:
            error = "未找到对应的超限记录，请核对号牌号码、号牌颜色和《违法行为告知书》上的查询码。"
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = violation.pk
            services.remote_act(violation=violation, kind=RemoteAct.Kind.VIEW, ip=client_key(request))
            return redirect("overload:remote_case")
    return render(request, "overload/remote_start.html", {"form": form, "error": error, "colours": PLATE_COLOURS})


def _remote_violation(request) -> Violation:
    pk = request.session.get(SESSION_KEY)
    violation = Violation.objects.filter(pk=pk, status=Violation.Status.CASE).select_related("station", "device", "vehicle__owner").first()
    if violation is None:
        raise Http404
    return violation


@rate_limited("overload_remote_media", limit=120, window=60)
def remote_media(request, n: int):
    """A photo or video of the party's own violation (the one this session was opened for), nothing else."""
    return _media(request, _remote_violation(request), n)


@rate_limited("overload_remote_act", limit=20, window=60)
def remote_case(request):
    try:
        violation = _remote_violation(request)
    except Http404:
        return redirect("overload:remote")
    from zhifa.cases.models import Case
    from zhifa.cases.workflow import Status

    case = Case.objects.get(pk=violation.case_id)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            services.remote_act(violation=violation, kind=kind, text=request.POST.get("text", ""), contact=request.POST.get("contact", ""),
                                ip=client_key(request))
            messages.success(request, "已提交。执法机构处理后，结果将在本页显示并按您同意的方式送达。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("overload:remote_case")
    notice = getattr(case, "payment_notice", None) if case.status in (Status.EXECUTION, Status.EXECUTED, Status.CLOSED, Status.ARCHIVED) else None
    acts = list(violation.remote_acts.exclude(kind=RemoteAct.Kind.VIEW))
    pending = any(a.kind in (RemoteAct.Kind.ACCEPT, RemoteAct.Kind.DEFEND) and a.applied_at is None for a in acts)
    steps = [("告知", case.status != Status.LEAD), ("陈述申辩", bool(case.statement or case.rights_waived_on)),
             ("处罚决定", bool(case.decided_on)), ("送达", bool(case.delivered_on)), ("缴纳罚款", bool(case.paid_on))]
    package = services.evidence_package(violation)
    return render(request, "overload/remote_case.html", {
        "v": violation, "case": case, "package": package, "media": media.pass_media(package["passes"]),
        "media_url": _media_base("overload:remote_media"), "acts": acts, "pending": pending,
        "consented": any(a.kind == RemoteAct.Kind.CONSENT for a in acts), "can_defend": case.status == Status.NOTIFIED and not pending
        and not case.rights_waived_on, "notice": notice, "steps": steps})


def remote_leave(request):
    request.session.pop(SESSION_KEY, None)
    return redirect("overload:remote")
