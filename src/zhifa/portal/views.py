"""The public portal (no login) and the officers' publication pages (register, review, 双公示 export)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import get_scoped
from zhifa.core.selectors import scope as core_scope

from . import content, credit_export, selectors, services
from .models import ExportBatch, Publication, PublicationRule
from .public_links import available_links, payment_url

# ---------------------------------------------------------------- public pages


def home(request):
    latest = selectors.public_publications()[:8]
    return render(request, "portal/public/home.html", {"latest": latest, "links": available_links(),
                                                       "count": selectors.public_publications().count()})


def bodies(request):
    return render(request, "portal/public/bodies.html", {"bodies": selectors.enforcement_bodies_with_officers(), "today": timezone.localdate()})


def basis(request):
    from zhifa.permits.models import PermitItem

    return render(request, "portal/public/basis.html", {"basis": content.LEGAL_BASIS, "items": PermitItem.objects.filter(is_active=True),
                                                        "rules": PublicationRule.objects.all()})


def process(request):
    return render(request, "portal/public/process.html", {"processes": content.PROCESSES})


def rights(request):
    return render(request, "portal/public/rights.html", {"rights": content.RIGHTS})


def decisions(request):
    search = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    kind = kind if kind in PublicationRule.Kind.values else ""
    try:
        year = int(request.GET.get("year", "") or 0) or None
    except ValueError:
        year = None
    page = Paginator(selectors.public_publications(search=search, kind=kind, year=year), 20).get_page(request.GET.get("page"))
    return render(request, "portal/public/decisions.html", {"page": page, "search": search, "kind": kind, "year": year or "",
                                                            "kinds": PublicationRule.Kind.choices})


def pay(request):
    """罚款缴纳: the public enters the payment code printed on the decision and is sent to the payments page."""
    code = "".join(ch for ch in request.GET.get("code", "") if ch.isalnum())[:40]
    error = ""
    if code:
        url = payment_url(code)
        if url is None:
            raise Http404
        return redirect(url)
    if "code" in request.GET:
        error = "请输入缴款码。"
    return render(request, "portal/public/pay.html", {"error": error})


def decision_detail(request, pk: int):
    pub = get_object_or_404(selectors.public_publications(), pk=pk)
    return render(request, "portal/public/decision.html", {"pub": pub})


# ---------------------------------------------------------------- officers' pages


@login_required
def office_list(request):
    status = request.GET.get("status", "")
    late = request.GET.get("late") == "1"
    search = request.GET.get("q", "").strip()
    qs = selectors.publications_for(request.user, status=status, late=late, search=search)
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="portal.publication", title="公开信息登记", qs=qs, columns=[
            ("标题", "title"), ("类别", "get_kind_display"), ("当事人（公开）", "party_display"), ("决定日期", "decided_on"),
            ("应公开日期", "due_on"), ("公开日期", "published_on"), ("逾期公开", "is_late"), ("状态", "get_status_display")],
            filters={"关键词": search, "状态": dict(Publication.Status.choices).get(status, ""), "仅逾期": "是" if late else ""})
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "portal/office/list.html", {"page": page, "status": status, "late": late, "search": search,
                                                       "statuses": Publication.Status.choices,
                                                       "review_count": selectors.publications_for(request.user, status=Publication.Status.REVIEW).count()})


@login_required
def office_detail(request, pk: int):
    pub = get_scoped(Publication.objects.all(), request.user, pk=pk)
    return render(request, "portal/office/detail.html", {"pub": pub, "events": audit.history(pub)[:50]})


@require_POST
@login_required
def office_action(request, pk: int, action: str):
    pub = get_scoped(Publication.objects.all(), request.user, pk=pk)
    today = timezone.localdate()
    try:
        if action == "release":
            body = None
            if request.POST.get("edited") == "1":
                body = [[label, request.POST.get(f"section_{i}", text)] for i, (label, text) in enumerate(pub.body)]
            services.publication_release(actor=request.user, publication=pub, today=today, body=body)
            messages.success(request, "已审核并公开。")
        elif action == "withdraw":
            services.publication_withdraw(actor=request.user, publication=pub, today=today, reason=request.POST.get("reason", ""))
            messages.success(request, "已撤回。")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:office_detail", pk)


EXPORTERS = (Role.OFFICER, Role.HEAD, Role.ADMIN)


@login_required
def export(request):
    if not has_role(request.user, *EXPORTERS, Role.SUPERVISOR):
        raise Http404
    batches = core_scope(ExportBatch.objects.all(), request.user)[:20]
    if request.method == "POST":
        layout = request.POST.get("layout")
        file_format = request.POST.get("format")
        if layout not in credit_export.LAYOUTS or file_format not in ("csv", "xlsx", "json"):
            messages.error(request, "请选择导出格式。")
            return redirect("portal:export")
        try:
            result = credit_export.export(actor=request.user, organisation=request.user.organisation,
                                          publications=selectors.publications_for(request.user), layout=layout, file_format=file_format)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("portal:export")
        data, content_type, ext = credit_export.render(result, file_format)
        response = HttpResponse(data, content_type=content_type)
        name = f"shuanggongshi-{layout}-{date.today():%Y%m%d}-batch{result.batch.pk}.{ext}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Export-Rows"] = str(len(result.rows))
        response["X-Export-Errors"] = str(len(result.errors))
        return response
    return render(request, "portal/office/export.html", {"batches": batches, "layouts": credit_export.LAYOUTS})


@login_required
def export_preview(request):
    """The dry run: what the next export would send (new, changed, withdrawn) and what it would hold back — nothing
    is written."""
    if not has_role(request.user, *EXPORTERS, Role.SUPERVISOR):
        raise Http404
    layout = request.GET.get("layout", "penalty")
    if layout not in credit_export.LAYOUTS:
        layout = "penalty"
    result = credit_export.export(actor=None, organisation=request.user.organisation, publications=selectors.publications_for(request.user),
                                  layout=layout, file_format="json", dry_run=True)
    fields = ["本地编号", "数据操作类型", "行政相对人名称", "行政相对人类别",
              "行政处罚决定书文号" if layout == "penalty" else "行政许可决定文书号",
              "处罚类别" if layout == "penalty" else "许可类别", "公示截止期" if layout == "penalty" else "有效期至"]
    return render(request, "portal/office/export_preview.html", {"result": result, "layout": layout, "fields": fields,
                                                                  "rows": [[row.get(f, "") for f in fields] for row in result.rows[:200]]})


@login_required
def export_batch(request, pk: int):
    batch = get_scoped(ExportBatch.objects.all(), request.user, pk=pk)
    if request.method == "POST":
        if not has_role(request.user, *EXPORTERS):
            raise Http404
        try:
            receipt = credit_export.parse_receipt(request.FILES.get("receipt"))
            credit_export.reconcile(actor=request.user, batch=batch, **receipt)
            messages.success(request, "回执已对账。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("portal:export_batch", pk)
    items = batch.items.select_related("publication").order_by("pk")[:500]
    return render(request, "portal/office/batch.html", {"batch": batch, "items": items})
