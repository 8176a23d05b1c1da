"""Officer and public pages of the complaints app: workflow actions on a complaint or mediation, the XLSX
import, the KPI and analysis page, and the public complaint form with its tracking page."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit, xlsx
from zhifa.core.errors import DomainError
from zhifa.core.ratelimit import rate_limited
from zhifa.core.roles import has_role
from zhifa.core.selectors import get_scoped, scope

from . import selectors, services
from .forms import (
    AssignForm,
    ImportForm,
    MediationConcludeForm,
    MediationDecisionForm,
    MediationSessionForm,
    PeriodForm,
    PublicComplaintForm,
    ReplyForm,
    TrackForm,
    VisitForm,
)
from .models import Complaint, Mediation, SoftMeasure


def _error_text(exc) -> str:
    return getattr(exc, "message", None) or "；".join(getattr(exc, "messages", [str(exc)]))


def _complaint(request, pk):
    return get_scoped(Complaint.objects.all(), request.user, pk=pk)


@require_POST
@login_required
def complaint_action(request, pk: int, action: str):
    """One workflow step on a complaint (assign, reply, return visit, close)."""
    complaint = _complaint(request, pk)
    forms = {"assign": AssignForm, "reply": ReplyForm, "visit": VisitForm}
    try:
        if action == "close":
            services.complaint_close(actor=request.user, complaint=complaint, note=request.POST.get("note", ""))
        elif action in forms:
            form = forms[action](request.POST, user=request.user) if action == "assign" else forms[action](request.POST)
            if not form.is_valid():
                raise DomainError("invalid", "；".join(e for errs in form.errors.values() for e in errs))
            data = form.cleaned_data
            if action == "assign":
                services.complaint_assign(actor=request.user, complaint=complaint, unit=data["unit"], officer=data["officer"], note=data["note"])
            elif action == "reply":
                services.complaint_reply(actor=request.user, complaint=complaint, reply=data["reply"])
            else:
                services.complaint_return_visit(actor=request.user, complaint=complaint, satisfaction=data["satisfaction"], note=data["note"])
        else:
            raise Http404
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "已办理。")
    return redirect("complaints:detail", "complaints", pk)


ASSIGNABLE = (Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED, Complaint.Status.REOPENED)


@login_required
def complaint_bulk_assign(request):
    """Work orders assigned in bulk: the open orders of the jurisdiction (unassigned first) with one unit and, if
    chosen, one handler for all ticked rows; a preview of each row, then each through services.complaint_assign
    (own transaction, audit record and notification; role and jurisdiction checked there), each with its result."""
    from zhifa.core import bulk

    if not has_role(request.user, *services.HANDLERS):
        raise Http404
    form = AssignForm(request.POST or None, user=request.user)
    back = reverse("complaints:bulk_assign")
    if request.method != "POST":
        open_orders = (selectors.complaints_for(request.user, search=request.GET.get("q", "").strip()).filter(status__in=ASSIGNABLE)
                       .select_related("organisation", "assigned_officer").order_by("assigned_officer_id", "due_on", "pk"))
        return render(request, "complaints/bulk_assign.html", {"form": AssignForm(user=request.user), "rows": open_orders[:100],
                                                               "total": open_orders.count(), "q": request.GET.get("q", "")})
    ids = bulk.selected_ids(request)
    found = {c.pk: c for c in selectors.complaints_for(request.user).filter(pk__in=ids).select_related("organisation", "assigned_officer")}
    if not found:
        messages.error(request, "请先勾选要分派的工单。")
        return redirect(back)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    problem = "" if valid else "；".join(e for errs in form.errors.values() for e in errs)
    unit, officer, note = data.get("unit"), data.get("officer"), data.get("note", "")
    target = f"{unit}" + (f"（{officer.name}）" if officer else "") if unit else ""
    rows = []
    for pk in ids:
        if pk not in found:
            continue
        c = found[pk]
        row = bulk.Row(pk=c.pk, label=c.number, url=reverse("complaints:detail", args=["complaints", c.pk]), obj=c,
                       cells=[c.get_category_display(), f"{c.due_on:%Y-%m-%d}", c.organisation.name,
                              c.assigned_officer.name if c.assigned_officer_id else "未指定"])
        if c.status not in ASSIGNABLE:
            row.ready, row.plan = False, f"当前为“{c.get_status_display()}”，不能分派"
        elif problem:
            row.ready, row.plan = False, problem
        else:
            row.plan = f"分派至 {target}"
        rows.append(row)
    if bulk.confirmed(request):
        def act(row):
            services.complaint_assign(actor=request.user, complaint=row.obj, unit=unit, officer=officer, note=note)
            return f"已分派至 {target}，已通知承办人"
        bulk.report(request, "批量分派工单", *bulk.run(rows, act))
    shared = {"unit": unit.pk if unit else "", "officer": officer.pk if officer else "", "note": note}
    return render(request, bulk.TEMPLATE, bulk.context(
        title="批量分派工单", rows=rows, headers=["受理编号", "类别", "办理期限", "当前承办单位", "当前承办人"], confirm_label="确认分派",
        back_url=back, back_label="待分派工单", shared=shared,
        shared_text=[("分派至", target)] + ([("说明", note)] if note else []) if target else ()))


@require_POST
@login_required
def mediation_action(request, pk: int, action: str):
    mediation = get_scoped(Mediation.objects.all(), request.user, pk=pk)
    try:
        if action == "decide":
            form = MediationDecisionForm(request.POST, user=request.user)
        elif action == "session":
            form = MediationSessionForm(request.POST)
        elif action == "conclude":
            form = MediationConcludeForm(request.POST)
        elif action == "close":
            form = None
        else:
            raise Http404
        if form is not None and not form.is_valid():
            raise DomainError("invalid", "；".join(f"{form.fields[k].label if k in form.fields else ''}{e}" for k, errs in form.errors.items() for e in errs))
        if action == "decide":
            services.mediation_decide(actor=request.user, mediation=mediation, **form.cleaned_data)
        elif action == "session":
            services.mediation_add_session(actor=request.user, mediation=mediation, **form.cleaned_data)
        elif action == "conclude":
            services.mediation_conclude(actor=request.user, mediation=mediation, **form.cleaned_data)
        else:
            services.mediation_close(actor=request.user, mediation=mediation, closed_on=timezone.localdate(), outcome=request.POST.get("outcome", ""))
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "已办理。")
    return redirect("complaints:detail", "mediations", pk)


@login_required
def complaint_import(request):
    if not has_role(request.user, *services.HANDLERS):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.complaint_import_xlsx(actor=request.user, organisation=request.user.organisation,
                                                    file=form.cleaned_data["file"], default_channel=form.cleaned_data["default_channel"])
        except DomainError as exc:
            form.add_error("file", exc.message)
    return render(request, "complaints/import.html", {"form": form, "result": result})


def _period(request) -> tuple[date, date, PeriodForm]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial={"start": date(today.year, 1, 1), "end": today})
    start, end = date(today.year, 1, 1), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return start, end, form


@login_required
def analysis(request):
    """KPIs and high-frequency analysis for a period (default: this year to date)."""
    start, end, form = _period(request)
    qs = selectors.complaints_in_period(request.user, start=start, end=end)
    kpis = selectors.complaint_kpis(qs)
    breakdowns = {by: selectors.complaint_breakdown(qs, by) for by in ("channel", "category", "firm", "route", "month")}
    if request.GET.get("format") == "xlsx":
        rows = [("受理", kpis.received), ("即时答复", kpis.instant), ("即时答复率(%)", kpis.instant_rate or ""),
                ("应办结", kpis.due), ("按期办结", kpis.on_time), ("限时办结率(%)", kpis.on_time_rate or ""),
                ("有效回访", kpis.visited), ("满意及基本满意", kpis.satisfied), ("回访满意率(%)", kpis.satisfaction_rate or "")]
        titles = {"channel": "渠道", "category": "类别", "firm": "企业", "route": "线路", "month": "月份"}
        for by, data in breakdowns.items():
            rows += [(f"{titles[by]}：{label}", n) for label, n in data]
        return xlsx.xlsx_response(f"投诉分析-{start:%Y%m%d}-{end:%Y%m%d}",
                                  xlsx.Sheet("投诉分析", ["指标", "数值"], rows, caption=f"投诉分析 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}"))
    soft = selectors.soft_measure_counts(scope(SoftMeasure.objects.all(), request.user), start=start, end=end)
    mediation = selectors.mediation_counts(scope(Mediation.objects.all(), request.user), start=start, end=end)
    return render(request, "complaints/analysis.html", {
        "form": form, "start": start, "end": end, "kpis": kpis, "breakdowns": [(t, rows, max([n for _, n in rows] or [1])) for t, rows in [("按渠道", breakdowns["channel"]), ("按类别", breakdowns["category"]), ("高频被投诉企业", breakdowns["firm"]), ("按线路", breakdowns["route"]), ("按月份", breakdowns["month"])]],
        "soft": [(SoftMeasure.Kind(k).label, n) for k, n in soft.items()],
        "mediation": [(Mediation.Status(k).label, n) for k, n in mediation.items()],
    })


@login_required
def notices(request):
    """Assignment notices live in the one inbox now (notifications app); old links lead there."""
    return redirect("notifications:inbox")


# ---------------------------------------------------------------------------------------------------------------
# Public pages (no login)

@rate_limited("complaint_public", limit=10, window=600)
def public_new(request):
    form = PublicComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_intake(
                actor=None, organisation=data["organisation"], channel="online", content=data["content"], category=data["category"],
                complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"], place=data["place"], plate=data["plate"])
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return render(request, "complaints/public_done.html", {"complaint": complaint})
    return render(request, "complaints/public_new.html", {"form": form})


@rate_limited("complaint_track", limit=20, window=600, methods=("GET", "POST"))
def public_track(request):
    form = TrackForm(request.GET or None)
    complaint = None
    if form.is_bound and form.is_valid():
        complaint = Complaint.objects.filter(number=form.cleaned_data["number"].strip().upper()).first()
        # The phone tail is the second factor: a wrong one reads exactly like an unknown number.
        if complaint is None or not complaint.complainant_phone.endswith(form.cleaned_data["phone_tail"]):
            complaint = None
            form.add_error(None, "未查询到该投诉，请核对受理编号和手机号后四位。")
        else:
            with transaction.atomic():
                audit.record(actor=None, action="complaint.public_track", subject=complaint, organisation=complaint.organisation,
                             summary=f"投诉人查询办理进度 {complaint.number}")
    return render(request, "complaints/public_track.html", {"form": form, "complaint": complaint})
