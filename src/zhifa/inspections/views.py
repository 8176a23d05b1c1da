"""Officer UI of random inspection and warnings, and the public pages (results, risk points). Views parse,
call one service and render; refusals show the service's Chinese message."""

from collections import Counter
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit, bulk, xlsx
from zhifa.core.errors import DomainError
from zhifa.core.models import SourceUnit, TransportCompany
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import enforcing_officers

from . import selectors, services
from .forms import FollowUpForm, PlanForm, RedrawForm, WarningCloseForm, WarningFileForm, WarningNotifyForm
from .management.commands.inspections import read_warning_file
from .models import SUBJECT_TYPES, Inspection, InspectionItem, ProvincialWarning, RiskPoint

SUBJECT_LABELS = dict(SUBJECT_TYPES)


def _plan_org(user):
    """Plans are made by the county bureau (or above) the user belongs to: the brigade's parent county."""
    org = user.organisation
    while org is not None and org.kind in ("brigade", "squad", "station") and org.parent_id:
        org = org.parent
    return org


@login_required
def plan_list(request):
    plans = selectors.plans_for(request.user)
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(request.user, kind="inspections.plan", title="双随机抽查计划", qs=plans.order_by("-pk"), columns=[
            ("计划编号", "number"), ("名称", "title"), ("制定机关", "organisation.name"), ("检查开始", "starts_on"), ("检查结束", "ends_on"),
            ("状态", "get_status_display"), ("种子承诺值", "seed_sha256"), ("结果公示日期", "results_published_on"),
            ("公示期限", "publication_deadline")])
    page = Paginator(plans, 30).get_page(request.GET.get("page"))
    stats = selectors.plan_statistics(request.user, timezone.localdate().year)
    return render(request, "inspections/plan_list.html", {"page": page, "stats": stats, "year": timezone.localdate().year,
                                                          "can_plan": has_role(request.user, Role.OFFICER, Role.HEAD, Role.ADMIN)})


@login_required
def plan_new(request):
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.plan_create(actor=request.user, organisation=_plan_org(request.user), title=d["title"], items=list(d["items"]),
                                        target_types=d["target_types"], starts_on=d["starts_on"], ends_on=d["ends_on"],
                                        target_count=d["target_count"], ratio_percent=d["ratio_percent"],
                                        inspectors_per_target=d["inspectors_per_target"], joint_departments=d["joint_departments"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已制定抽查计划 {plan.number}，请公布随机种子承诺值后再抽取。")
            return redirect("inspections:plan_detail", plan.pk)
    return render(request, "core/form.html", {"form": form, "title": "制定双随机抽查计划", "submit_label": "保存计划", "back": "inspections:plans"})


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_get(request.user, pk)
    draws = list(plan.draws.order_by("sequence"))
    inspections = plan.inspections.exclude(status=Inspection.Status.CANCELLED).select_related("party").prefetch_related("inspectors")
    current = next((d for d in reversed(draws) if not d.superseded), None)
    weights = {}
    if current:
        weights = {t["party_id"]: t for t in current.target_snapshot}
    return render(request, "inspections/plan_detail.html", {
        "plan": plan, "draws": draws, "current": current, "inspections": inspections, "weights": weights,
        "items": plan.items.all(), "type_labels": [SUBJECT_LABELS.get(t, t) for t in plan.target_types],
        "redraw_form": RedrawForm(), "is_head": has_role(request.user, Role.HEAD, Role.ADMIN),
        "grade_counts": sorted(Counter(t["grade"] for t in current.target_snapshot).items()) if current else [],
        "steps": plan.steps.select_related("actor"), "events": audit.history(plan),
    })


@login_required
@require_POST
def plan_action(request, pk: int, action: str):
    plan = selectors.plan_get(request.user, pk)
    try:
        if action == "commit":
            services.plan_commit_seed(actor=request.user, plan=plan)
            messages.success(request, f"已公布随机种子承诺值 {plan.seed_sha256}")
        elif action == "draw":
            d = services.plan_draw(actor=request.user, plan=plan)
            messages.success(request, f"已完成第{d.sequence}次抽取，抽中 {len(d.result['targets'])} 户。")
        elif action == "redraw":
            form = RedrawForm(request.POST)
            services.draw_redo(actor=request.user, plan=plan, reason=form.data.get("reason", ""))
            messages.success(request, "已记录重新抽取原因并公布新的种子承诺值，请再次抽取。")
        elif action == "publish":
            services.plan_publish_results(actor=request.user, plan=plan)
            messages.success(request, "抽查结果已在公开平台公示。")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:plan_detail", plan.pk)


@login_required
def draw_verify(request, pk: int):
    d = selectors.draw_get(request.user, pk)
    ok, findings = services.verify_draw(d)
    return render(request, "inspections/draw_verify.html", {"draw": d, "ok": ok, "findings": findings})


@login_required
def inspection_detail(request, pk: int):
    insp = selectors.inspection_get(request.user, pk)
    items = list(insp.plan.items.filter(subject_type=insp.target_type)) or list(insp.plan.items.all())
    error = ""
    if request.method == "POST" and insp.status == Inspection.Status.ASSIGNED:
        checks = {}
        for item in items:
            value = request.POST.get(f"item_{item.pk}")
            if value in ("1", "0"):
                checks[item.pk] = (value == "1", request.POST.get(f"note_{item.pk}", "").strip())
        photos = [(f, f.name, f.content_type) for f in request.FILES.getlist("photos")]
        try:
            on = date.fromisoformat(request.POST.get("on") or timezone.localdate().isoformat())
            services.inspection_record(actor=request.user, inspection=insp, on=on, checks=checks, finding=request.POST.get("finding", ""),
                                       problems=request.POST.get("problems", ""), rectify_days=int(request.POST.get("rectify_days") or 15),
                                       photos=photos)
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = "日期或整改期限格式不正确。"
        else:
            messages.success(request, "检查记录已保存。")
            return redirect("inspections:inspection", insp.pk)
    return render(request, "inspections/inspection.html", {
        "insp": insp, "items": items, "error": error, "today": timezone.localdate(), "checks": insp.checks.select_related("item"),
        "follow_form": FollowUpForm(initial={"on": timezone.localdate()}), "findings": Inspection.Finding.choices,
        "lead": insp.status == Inspection.Status.REFERRED and services.Lead.objects.filter(source_type="inspection", source_id=str(insp.pk)).first(),
        "notice_form": _notice_form(), "notice_doc": _notice_doc(insp),
        "steps": insp.steps.select_related("actor"), "events": audit.history(insp),
    })


def _notice_form():
    from .forms import RectificationNoticeForm

    return RectificationNoticeForm()


@login_required
@require_POST
def inspection_follow_up(request, pk: int):
    insp = selectors.inspection_get(request.user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请完整填写回访日期、整改情况和回访情况。")
    else:
        try:
            services.inspection_follow_up(actor=request.user, inspection=insp, **form.cleaned_data)
            messages.success(request, "回访已记录。")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("inspections:inspection", insp.pk)


@login_required
@require_POST
def rectification_notice(request, kind: str, pk: int):
    """Issue the 责令改正违法行为通知书 of an inspection or a warning (one per subject)."""
    from .forms import RectificationNoticeForm
    from .rectification import rectification_notice_issue

    subject = selectors.inspection_get(request.user, pk) if kind == "inspection" else selectors.warning_get(request.user, pk)
    form = RectificationNoticeForm(request.POST)
    if form.is_valid():
        try:
            doc = rectification_notice_issue(actor=request.user, subject=subject, **form.cleaned_data)
            messages.success(request, f"已制作责令改正违法行为通知书 {doc.number}。")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(f"inspections:{'inspection' if kind == 'inspection' else 'warning'}", pk)


@login_required
@require_POST
def inspection_open_case(request, pk: int):
    insp = selectors.inspection_get(request.user, pk)
    try:
        lead = services.inspection_open_case(actor=request.user, inspection=insp)
        messages.success(request, f"已移送立案{'，案件编号 ' + lead.case_ref if lead.case_ref else '（待立案）'}。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:inspection", insp.pk)


@login_required
def catalogue(request):
    """一单两库: the item list, the target directory (from the registers) and the inspector directory (computed)."""
    user_org = _plan_org(request.user)
    targets = []
    if user_org is not None:
        path = user_org.path
        counts = dict(TransportCompany.objects.filter(organisation__path__startswith=path).exclude(licence_status="revoked")
                      .values_list("kind").annotate(n=Count("id")))
        targets = [(label, counts.get(code, 0)) for code, label in TransportCompany.Kind.choices]
        targets.append(("货运源头单位", SourceUnit.objects.filter(organisation__path__startswith=path).count()))
    inspectors = list(enforcing_officers(user_org).select_related("organisation")) if user_org else []
    return render(request, "inspections/catalogue.html", {
        "items": InspectionItem.objects.filter(active=True).annotate(n_risks=Count("risk_points")),
        "targets": targets, "inspectors": inspectors, "org": user_org,
        "risk_points": RiskPoint.objects.select_related("item").all(),
    })


@login_required
def warning_list(request):
    year = int(request.GET.get("year") or timezone.localdate().year)
    qs = selectors.warnings_for(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    form = WarningFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            rows = read_warning_file(f.read(), f.name)
            result = services.warning_import(actor=request.user, organisation=request.user.organisation, rows=rows, source="file")
        except DomainError as exc:
            messages.error(request, exc.message)
        except (ValueError, KeyError):
            messages.error(request, "文件无法解析，请上传省平台导出的CSV或JSON文件。")
        else:
            messages.success(request, f"导入完成：新增 {result['created']} 条，重复 {result['skipped']} 条，错误 {len(result['errors'])} 条。")
            for e in result["errors"][:10]:
                messages.warning(request, e)
            return redirect("inspections:warnings")
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(request.user, kind="inspections.warning", title="预警抄告", qs=qs.order_by("-received_on", "-pk"),
                                  columns=WARNING_COLUMNS, filters={"状态": dict(ProvincialWarning.Status.choices).get(status, "")})
    counts = selectors.warning_counts(request.user, year)
    months = [(m, counts["months"][m]) for m in range(1, 13)]
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "inspections/warnings.html", {"page": page, "counts": counts, "months": months, "year": year, "form": form,
                                                         "statuses": ProvincialWarning.Status.choices, "status": status,
                                                         "can_close": has_role(request.user, *services.PLANNERS),
                                                         "closable": CLOSABLE})


WARNING_COLUMNS = [
    ("预警编号", "external_id"), ("类别", "get_warning_class_display"), ("类型", "category"), ("内容", "description"),
    ("涉及企业", "party.name"), ("车牌号", "plate"), ("发生时间", "occurred_at"), ("接收日期", "received_on"),
    ("状态", "get_status_display"), ("整改期限", "rectify_deadline"), ("责令改正通知书编号", "notice_number"),
    ("回访/处置结果", "follow_up_result"), ("办结日期", "closed_on"),
]
# A warning is closed after its follow-up (notified, class 1/2) or once referred for a case (class 3).
CLOSABLE = (ProvincialWarning.Status.NOTIFIED, ProvincialWarning.Status.REFERRED)


@login_required
@require_POST
def warning_bulk_close(request):
    """Closing many warnings at once with one follow-up result: a preview of each row, then each through
    services.warning_close (own transaction and audit record, role and jurisdiction checked there), each with its
    own result."""
    if not has_role(request.user, *services.PLANNERS):
        raise Http404
    back = reverse("inspections:warnings")
    ids = bulk.selected_ids(request)
    found = {w.pk: w for w in selectors.warnings_for(request.user).filter(pk__in=ids)}
    if not found:
        messages.error(request, "请先勾选要办结的预警。")
        return redirect(back)
    result = request.POST.get("result", "").strip()[:300]
    rows = []
    for pk in ids:
        if pk not in found:
            continue
        w = found[pk]
        row = bulk.Row(pk=w.pk, label=w.external_id, url=reverse("inspections:warning", args=[w.pk]), obj=w,
                       cells=[w.get_warning_class_display(), w.party.name if w.party_id else w.plate, w.get_status_display()])
        if w.status not in CLOSABLE:
            row.ready, row.plan = False, f"当前状态为“{w.get_status_display()}”：一、二类预警须先通知整改，三类预警须先移交立案"
        elif not result:
            row.ready, row.plan = False, "请填写处置结果"
        else:
            row.plan = f"办结，处置结果：{result}"
        rows.append(row)
    if bulk.confirmed(request):
        def act(row):
            services.warning_close(actor=request.user, warning=row.obj, result=result)
            return "已办结"
        bulk.report(request, "批量办结预警", *bulk.run(rows, act))
    return render(request, bulk.TEMPLATE, bulk.context(
        title="批量办结预警", rows=rows, headers=["预警编号", "类别", "企业/车辆", "状态"], confirm_label="确认办结", back_url=back,
        back_label="预警抄告", shared={"result": result}, shared_text=[("处置结果", result)] if result else ()))


@login_required
def warning_detail(request, pk: int):
    w = selectors.warning_get(request.user, pk)
    notify_form = WarningNotifyForm(request.POST if request.POST.get("action") == "notify" else None)
    close_form = WarningCloseForm(request.POST if request.POST.get("action") == "close" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "notify" and notify_form.is_valid():
                services.warning_notify(actor=request.user, warning=w, **notify_form.cleaned_data)
                messages.success(request, "已通知企业整改。")
                return redirect("inspections:warning", w.pk)
            if action == "refer":
                lead = services.warning_refer(actor=request.user, warning=w)
                messages.success(request, f"已移交立案{'，案件编号 ' + lead.case_ref if lead.case_ref else ''}。")
                return redirect("inspections:warning", w.pk)
            if action == "close" and close_form.is_valid():
                services.warning_close(actor=request.user, warning=w, result=close_form.cleaned_data["result"])
                messages.success(request, "预警已办结。")
                return redirect("inspections:warning", w.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
    from .forms import RectificationNoticeForm

    return render(request, "inspections/warning.html", {"w": w, "notify_form": notify_form, "close_form": close_form,
                                                        "notice_form": RectificationNoticeForm(), "notice_doc": _notice_doc(w),
                                                        "steps": w.steps.select_related("actor"), "events": audit.history(w)})


def _notice_doc(subject):
    """The issued 责令改正违法行为通知书 of an inspection or a warning, for its download link."""
    from zhifa.documents.services import documents_of

    return next((d for d in documents_of(subject) if d.kind == "rectification_notice"), None) if subject.notice_number else None


@login_required
def lead_list(request):
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(request.user, kind="inspections.lead", title="案件线索", qs=selectors.leads_for(request.user).order_by("-pk"),
                                  columns=[("登记日期", "created_on"), ("来源", "get_source_type_display"), ("当事人", "party.name"),
                                           ("线索内容", "description"), ("状态", "get_status_display"), ("案件", "case_ref")])
    page = Paginator(selectors.leads_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "inspections/leads.html", {"page": page})


# --- public pages (no login) -----------------------------------------------------------------------------

def public_results(request):
    return render(request, "inspections/public_results.html", {"plans": selectors.published_plans()[:200]})


def public_plan(request, pk: int):
    plan = get_object_or_404(selectors.published_plans(), pk=pk)
    current = plan.current_draw
    rows = plan.inspections.filter(draw=current).exclude(status=Inspection.Status.CANCELLED).select_related("party")
    return render(request, "inspections/public_plan.html", {"plan": plan, "draw": current, "rows": rows, "items": plan.items.all()})


def public_risk_points(request):
    groups = {}
    rank = {"high": 0, "medium": 1, "low": 2}
    for rp in sorted(selectors.published_risk_points(), key=lambda r: (r.subject_type, rank[r.level], r.pk)):
        groups.setdefault(rp.get_subject_type_display(), []).append(rp)
    return render(request, "inspections/public_risk_points.html", {"groups": groups, "total": sum(len(v) for v in groups.values())})



