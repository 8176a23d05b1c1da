"""REST API of payments: the payment system's signed callback (no session, HMAC over the raw body), and the
officer's notices, plans, reminders."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhifa.core.errors import DomainError
from zhifa.core.pagination import keyset
from zhifa.core.ratelimit import hit
from zhifa.core.schemas import ErrorOut

from . import selectors, services
from .models import PaymentPlan

router = Router(tags=["payments"])


class CallbackOut(Schema):
    result: str
    transaction_id: str
    status: str | None = None


@router.post("/callback", auth=None, response={200: CallbackOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             summary="支付系统缴款通知回调（X-Signature: HMAC-SHA256(原始报文)）")
def callback(request):
    if not hit("payments_callback", request.META.get("REMOTE_ADDR", ""), limit=600, window=60):
        raise DomainError("rate_limited", "请求过于频繁，请稍后再试。", status=429)
    return services.payment_callback(body=request.body, signature=request.headers.get("X-Signature", ""))


@router.post("/feishui/notify", auth=None, response={200: CallbackOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
                                                     429: ErrorOut, 503: ErrorOut},
             summary="非税收入收缴系统缴款通知（X-Feishui-Signature: HMAC-SHA256(原始报文)，docs/integrations/feishui.md）")
def feishui_notify(request):
    if not hit("payments_callback", request.META.get("REMOTE_ADDR", ""), limit=600, window=60):
        raise DomainError("rate_limited", "请求过于频繁，请稍后再试。", status=429)
    return services.feishui_notification(body=request.body, signature=request.headers.get("X-Feishui-Signature", ""))


class NoticeOut(Schema):
    id: int
    case_id: int
    code: str
    decision_number: str
    party_name: str
    amount: Decimal
    delivered_on: date
    period_from: date | None  # the 15 days run from here when the 缴款码 came after the delivery (Art. 67)
    due_on: date
    due_confirmed: bool
    status: str
    principal_paid: Decimal
    surcharge: Decimal
    paid_total: Decimal
    paid_on: date | None
    overdue_on: date | None
    reminded_on: date | None
    enforcement_applied_on: date | None
    pay_url: str


class NoticePage(Schema):
    items: list[NoticeOut]
    next_cursor: int | None = None


class StateOut(Schema):
    on: date
    surcharge: Decimal
    outstanding: Decimal
    days_late: int
    paid_on: date | None
    next_due_on: date | None


class PaymentOut(Schema):
    transaction_id: str
    amount: Decimal
    paid_at: datetime
    channel: str


class NoticeDetailOut(NoticeOut):
    state: StateOut
    payments: list[PaymentOut]

    @staticmethod
    def resolve_payments(obj):
        return list(obj.payments.all())


@router.get("/notices/", response=NoticePage, summary="缴款通知列表（status: unpaid/partly_paid/paid/overdue/enforcement）")
def notice_list(request, status: str = Query("", max_length=20), after: int | None = None, limit: int = Query(50, ge=1, le=200)):
    rows, cursor = keyset(selectors.notices_for(request.user, status=status), after=after, limit=limit)
    return {"items": rows, "next_cursor": cursor}


def _detail(notice, on: date | None = None):
    state = services.notice_state(notice, on)
    notice.state = {"on": on or timezone.localdate(), "surcharge": state.surcharge, "outstanding": state.outstanding,
                    "days_late": state.days_late, "paid_on": state.paid_on, "next_due_on": state.overdue_on}
    return notice


@router.get("/notices/{int:notice_id}", response={200: NoticeDetailOut, 404: ErrorOut}, summary="缴款通知详情（含当日加处罚款）")
def notice_detail(request, notice_id: int, on: date | None = None):
    return _detail(selectors.notice_get(request.user, notice_id), on)


class PlanIn(Schema):
    kind: PaymentPlan.Kind
    reason: str = Field(min_length=1, max_length=2000)
    schedule: list[tuple[date, Decimal]]
    applied_on: date | None = None


class PlanOut(Schema):
    id: int
    kind: str
    status: str
    applied_on: date
    decided_on: date | None
    document_number: str


@router.post("/notices/{int:notice_id}/plans", response={201: PlanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="登记分期(延期)缴纳申请")
def plan_apply(request, notice_id: int, payload: PlanIn):
    notice = selectors.notice_get(request.user, notice_id)
    return 201, services.payment_plan_apply(actor=request.user, notice=notice, kind=payload.kind, reason=payload.reason,
                                            schedule=payload.schedule, applied_on=payload.applied_on)


class DecideIn(Schema):
    approve: bool
    opinion: str = Field("", max_length=300)


@router.post("/plans/{int:plan_id}/decide", response={200: PlanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}, summary="负责人审批分期(延期)缴纳")
def plan_decide(request, plan_id: int, payload: DecideIn):
    from zhifa.core.selectors import get_scoped

    plan = get_scoped(PaymentPlan.objects.select_related("notice"), request.user, org_field="notice__organisation", pk=plan_id)
    return services.payment_plan_decide(actor=request.user, plan=plan, approve=payload.approve, opinion=payload.opinion)


@router.post("/notices/{int:notice_id}/reminder", response={200: NoticeOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}, summary="制作催告书")
def reminder(request, notice_id: int):
    notice = selectors.notice_get(request.user, notice_id)
    services.payment_reminder_issue(actor=request.user, notice=notice)
    notice.refresh_from_db()
    return notice
