"""Officer pages of the permit register: list, new application, detail with actions, window statistics."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit, xlsx
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import get_scoped, parties_for

from . import selectors, services
from .forms import ActionForm, ApplicationForm, PeriodForm
from .models import PermitApplication, PermitItem


@login_required
def application_list(request):
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    qs = selectors.applications_for(request.user, search=search, status=status)
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(request.user, kind="permits.application", title="许可申请", qs=qs.order_by("-pk"), columns=EXPORT_COLUMNS,
                                  filters={"关键词": search, "状态": dict(PermitApplication.Status.choices).get(status, "")})
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "permits/list.html", {"page": page, "search": search, "status": status,
                                                 "statuses": PermitApplication.Status.choices})


EXPORT_COLUMNS = [
    ("申请编号", "number"), ("受理机关", "organisation.name"), ("许可事项", "item.name"), ("申请人", "applicant.name"),
    ("申请内容", "content"), ("申请日期", "submitted_on"), ("受理日期", "accepted_on"), ("状态", "get_status_display"),
    ("法定办结期限", "statutory_due"), ("承诺办结期限", "committed_due"), ("决定日期", "decided_on"),
    ("许可决定文书号", "decision_number"), ("许可证书编号", "certificate_number"), ("有效期自", "valid_from"), ("有效期至", "valid_until"),
]


@login_required
def application_create(request):
    form = ApplicationForm(request.POST or None, initial={"submitted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        ident = form.cleaned_data["applicant_identifier"].strip().upper()
        parties = parties_for(request.user)
        applicant = parties.filter(id_number=ident).first() or parties.filter(credit_code=ident).first()
        if applicant is None:
            form.add_error("applicant_identifier", "未找到该证件号码的当事人，请先登记当事人。")
        else:
            try:
                app = services.application_submit(actor=request.user, organisation=request.user.organisation, item=form.cleaned_data["item"],
                                                  applicant=applicant, submitted_on=form.cleaned_data["submitted_on"],
                                                  content=form.cleaned_data["content"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已登记许可申请 {app.number}")
                return redirect("permits:detail", app.pk)
    return render(request, "core/form.html", {"form": form, "title": "登记许可申请", "back": "permits:list"})


@login_required
def application_detail(request, pk: int):
    app = get_scoped(selectors.applications_for(request.user), request.user, pk=pk)
    form = ActionForm(initial={"on": timezone.localdate()})
    if app.applicant.kind == app.applicant.Kind.PERSON:
        audit.log_personal_view(request, app, person=app.applicant.name, what="许可申请人信息")
    return render(request, "permits/detail.html", {"app": app, "form": form, "events": audit.history(app)[:50],
                                                   "changes": app.changes.all()})


@require_POST
@login_required
def application_action(request, pk: int, action: str):
    app = get_scoped(selectors.applications_for(request.user), request.user, pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的日期。")
        return redirect("permits:detail", pk)
    on, reason = form.cleaned_data["on"], form.cleaned_data["reason"]
    try:
        if action == "accept":
            services.application_accept(actor=request.user, application=app, on=on)
        elif action == "refuse":
            services.application_refuse(actor=request.user, application=app, on=on, reason=reason)
        elif action in ("approve", "deny"):
            services.application_decide(actor=request.user, application=app, on=on, approve=action == "approve", reason=reason,
                                        certificate_number=form.cleaned_data["certificate_number"])
        elif action == "revoke":
            services.application_revoke(actor=request.user, application=app, on=on, reason=reason)
        else:
            messages.error(request, "未知操作。")
            return redirect("permits:detail", pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已保存。")
    return redirect("permits:detail", pk)


@login_required
def statistics(request):
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial={"start": date(today.year, 1, 1), "end": today})
    start, end = date(today.year, 1, 1), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    qs = selectors.applications_for(request.user)
    total = services.window_stats(qs, start=start, end=end, today=today)
    by_item = []
    for item in PermitItem.objects.filter(applications__in=qs).distinct():
        by_item.append((item, services.window_stats(qs.filter(item=item), start=start, end=end, today=today)))
    return render(request, "permits/stats.html", {"form": form, "total": total, "by_item": by_item, "start": start, "end": end})


@login_required
def item_list(request):
    if request.method == "POST":
        try:
            counts = services.items_sync_from_power_list(actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已按权责清单同步：新增 {counts['created']} 项，更新 {counts['updated']} 项，停办 {counts['deactivated']} 项。")
        return redirect("permits:items")
    return render(request, "permits/items.html", {"items": PermitItem.objects.all(), "can_sync": has_role(request.user, Role.ADMIN)})
