"""The delivery console (接口报送): per target and day, the counts; the messages with their tries and the
receiver's answers; resend; XLSX export; the daily reconciliations. Admin and supervisor roles only."""

import json
from datetime import date

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from zhifa.core import xlsx
from zhifa.core.errors import DomainError
from zhifa.core.roles import has_role

from . import outbox, selectors
from .adapters import KIND_LABELS
from .models import Message, Target


def console_only(view):
    """The console exists only for its roles (selectors.CONSOLE_ROLES): to anyone else it is a 404, like every
    role-limited page (tests/test_access_matrix.py), not a 403 that tells them it is there."""
    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_role(request.user, *selectors.CONSOLE_ROLES):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


SUBJECT_URLS = {
    "cases.case": ("cases:detail", lambda pk: [pk]),
    "portal.publication": ("portal:office_detail", lambda pk: [pk]),
    "complaints.complaint": ("complaints:detail", lambda pk: ["complaints", pk]),
    "overload.fourpenaltytrigger": ("overload:four", lambda pk: []),  # the 一超四罚 page lists the results
}


def subject_url(message: Message) -> str:
    name, args = SUBJECT_URLS.get(message.subject_type, (None, None))
    if name is None:
        return ""
    try:
        return reverse(name, args=args(int(message.subject_id)))
    except (NoReverseMatch, ValueError):
        return ""


def _filters(request) -> dict:
    target = request.GET.get("target", "")
    status = request.GET.get("status", "")
    try:
        day = date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else None
    except ValueError:
        day = None
    return {"target": target if target in Target.values else "", "status": status if status in Message.Status.values else "",
            "day": day}


def _caption(f: dict) -> dict:
    out = {}
    if f["target"]:
        out["报送平台"] = Target(f["target"]).label
    if f["status"]:
        out["状态"] = Message.Status(f["status"]).label
    if f["day"]:
        out["登记日期"] = f"{f['day']:%Y年%m月%d日}"
    return out


@login_required
@console_only
def console(request):
    f = _filters(request)
    qs = selectors.messages_for(request.user, **f)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for m in page:
        m.kind_label = KIND_LABELS.get(m.kind, m.kind)
        m.link = subject_url(m)
    summary = selectors.daily_summary(request.user)
    for row in summary:
        row["target_label"] = Target(row["target"]).label
    query = "&".join(f"{k}={v}" for k, v in (("target", f["target"]), ("status", f["status"]),
                                              ("day", f["day"].isoformat() if f["day"] else "")) if v)
    return render(request, "integrations/console.html", {
        "page": page, "summary": summary, "f": f, "targets": Target.choices, "statuses": Message.Status.choices,
        "query": query, "caption": "、".join(f"{k}：{v}" for k, v in _caption(f).items())})


@login_required
@console_only
def message_detail(request, pk: int):
    m = selectors.message_get(request.user, pk)
    m.kind_label = KIND_LABELS.get(m.kind, m.kind)
    return render(request, "integrations/message.html", {
        "m": m, "attempts": m.attempt_set.all(), "link": subject_url(m),
        "payload": json.dumps(m.payload, ensure_ascii=False, indent=2),
        "resendable": m.status in (Message.Status.REJECTED, Message.Status.DEAD)})


@require_POST
@login_required
@console_only
def message_resend(request, pk: int):
    m = selectors.message_get(request.user, pk)
    try:
        outbox.message_resend(actor=request.user, message=m)
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        m.refresh_from_db()
        flash.success(request, f"已重新发送（当前状态：{m.get_status_display()}）。")
    return redirect("integrations:message", pk=m.pk)


@login_required
@console_only
def console_export(request):
    f = _filters(request)
    qs = selectors.messages_for(request.user, **f).order_by("pk")
    columns = [("报送平台", "get_target_display"), ("报送类别", lambda m: KIND_LABELS.get(m.kind, m.kind)),
               ("来源", "subject_label"), ("报送单位", "organisation"), ("状态", "get_status_display"),
               ("已尝试次数", "attempts"), ("接收方编号", "receiver_reference"), ("退回或失败原因", "last_error"),
               ("登记时间", "created_at"), ("确认时间", "acknowledged_at"), ("幂等键", "idempotency_key")]
    return xlsx.list_response(request.user, kind="integrations.messages", title="接口报送记录", qs=qs, columns=columns,
                              filters=_caption(f))


@login_required
@console_only
def reconciliations(request):
    rows = selectors.reconciliations_for(request.user)
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(request.user, kind="integrations.reconciliation", title="报送对账", qs=rows, columns=[
            ("对账日期", "day"), ("报送平台", "get_target_display"), ("应报送", "expected"), ("已确认", "acknowledged"),
            ("差异", lambda r: len(r.differences)), ("对账时间", "created_at")])
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "integrations/reconciliations.html", {"page": page})


@login_required
@console_only
def reconciliation_detail(request, pk: int):
    row = selectors.reconciliation_get(request.user, pk)
    diffs = [dict(d, kind_label=KIND_LABELS.get(d["kind"], d["kind"])) for d in row.differences]
    return render(request, "integrations/reconciliation.html", {"row": row, "diffs": diffs})
