"""Officer pages for payment notices, and the public pay page (no login) with the demo's simulated payment."""

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhifa.core.errors import DomainError
from zhifa.core.ratelimit import rate_limited
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import get_scoped
from zhifa.documents.composer import qr_png

from . import selectors, services
from .collectors import FINANCE_CODE
from .forms import DecideForm, PlanForm
from .models import PaymentNotice, PaymentPlan

TABS = [("", "全部"), ("unpaid", "待缴纳"), ("partly_paid", "部分缴纳"), ("overdue", "逾期未缴"),
        ("enforcement", "申请法院强制执行候选"), ("paid", "已缴清")]


def simulator_enabled() -> bool:
    """The demo's pay button; off in production unless explicitly enabled."""
    return getattr(settings, "ZHIFA_PAYMENT_SIMULATOR", settings.ENVIRONMENT != "production")


EXPORT_COLUMNS = [("缴款码", "code"), ("案件编号", "case.number"), ("决定书文号", "decision_number"), ("缴款人", "party_name"),
                  ("罚款金额（元）", "amount"), ("已缴合计（元）", "paid_total"), ("加处罚款（元）", "surcharge"),
                  ("状态", "get_status_display"), ("缴款期限", "due_on"), ("缴清日期", "paid_on")]


@login_required
def notice_list(request):
    status = request.GET.get("status", "")
    search = request.GET.get("q", "").strip()
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="payments.paymentnotice", title="罚没款缴纳", columns=EXPORT_COLUMNS,
                                  qs=selectors.notices_for(request.user, status=status, search=search),
                                  filters={"状态": dict(TABS).get(status, ""), "关键词": search})
    page = Paginator(selectors.notices_for(request.user, status=status, search=search), 30).get_page(request.GET.get("page"))
    rows = [(n, services.notice_state(n)) for n in page]
    return render(request, "payments/list.html", {"page": page, "rows": rows, "tabs": TABS, "status": status, "search": search})


@login_required
def notice_detail(request, pk: int):
    notice = selectors.notice_get(request.user, pk)
    state = services.notice_state(notice)
    qr = "data:image/png;base64," + base64.b64encode(qr_png(notice.pay_url)).decode()
    roles = {"head": has_role(request.user, Role.HEAD), "officer": has_role(request.user, Role.OFFICER, Role.HEAD)}
    return render(request, "payments/detail.html", {
        "notice": notice, "state": state, "qr": qr, "roles": roles, "payments": notice.payments.all(),
        "plans": notice.plans.prefetch_related("instalments", "steps__actor"), "plan_form": PlanForm(), "decide_form": DecideForm(),
        "enforcement_ready_on": services.enforcement_ready_on(notice), "schedule": services.schedule_of(notice),
        "steps": notice.steps.select_related("actor"),
    })


def _run(request, pk: int, fn, ok: str):
    try:
        fn()
        messages.success(request, ok)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("payments:detail", pk)


@login_required
@require_POST
def plan_apply(request, pk: int):
    notice = selectors.notice_get(request.user, pk)
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("payments:detail", pk)
    d = form.cleaned_data
    return _run(request, pk, lambda: services.payment_plan_apply(actor=request.user, notice=notice, kind=d["kind"], reason=d["reason"],
                                                                 schedule=d["schedule"], applied_on=d["applied_on"]), "已登记申请，待负责人审批。")


@login_required
@require_POST
def plan_decide(request, plan_id: int):
    plan = get_scoped(PaymentPlan.objects.select_related("notice"), request.user, org_field="notice__organisation", pk=plan_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审批结果。")
        return redirect("payments:detail", plan.notice_id)
    return _run(request, plan.notice_id, lambda: services.payment_plan_decide(actor=request.user, plan=plan, approve=form.cleaned_data["approve"],
                                                                              opinion=form.cleaned_data["opinion"]), "已审批。")


@login_required
@require_POST
def reminder(request, pk: int):
    notice = selectors.notice_get(request.user, pk)
    return _run(request, pk, lambda: services.payment_reminder_issue(actor=request.user, notice=notice), "已制作催告书。")


@login_required
@require_POST
def enforcement(request, pk: int):
    notice = selectors.notice_get(request.user, pk)
    return _run(request, pk, lambda: services.payment_enforcement_apply(actor=request.user, notice=notice), "已记录申请人民法院强制执行。")


def _public_notice(code: str) -> PaymentNotice:
    # Our own codes carry a check digit (a mistyped one is refused before the lookup); a finance system's code is
    # kept as it issued it (collectors.FINANCE_CODE).
    if not (services.payment_code_valid(code) or FINANCE_CODE.fullmatch(code)):
        raise Http404
    notice = PaymentNotice.objects.select_related("organisation").filter(code=code).first()
    if notice is None:
        raise Http404
    return notice


def _masked(name: str) -> str:
    """Personal names are partly masked on the public page (国办发〔2018〕118号 de-identification)."""
    if len(name) <= 4:
        return name[0] + "*" * (len(name) - 1)
    return name


@rate_limited("payments_pay", limit=30, window=60, methods=("GET", "POST"))
def pay_page(request, code: str):
    notice = _public_notice(code)
    return render(request, "payments/pay.html", {"notice": notice, "state": services.notice_state(notice),
                                                 "due": services.amount_due(notice),
                                                 "party": _masked(notice.party_name), "simulator": simulator_enabled()})


@rate_limited("payments_pay", limit=60, window=60, methods=("GET",))
def pay_qr(request, code: str):
    notice = _public_notice(code)
    return HttpResponse(qr_png(notice.pay_url), content_type="image/png")


@require_POST
@rate_limited("payments_pay", limit=30, window=60)
def pay_simulate(request, code: str):
    if not simulator_enabled():
        raise Http404
    notice = _public_notice(code)
    try:
        result = services.simulated_payment(notice=notice)
        messages.success(request, "模拟支付成功，支付系统通知已处理。" if result["result"] == "recorded" else "该通知已处理。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("payments:pay", code)
