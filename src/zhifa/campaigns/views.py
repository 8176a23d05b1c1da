"""Pages of the operations register: list with filters (period, unit, kind, status), detail with the full-process
record, create/edit, the workflow actions (start, conclude, cancel), linked cases, attachments and the partner
department catalogue. Each view parses, calls one service and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.cases.models import Case
from zhifa.core import audit, xlsx
from zhifa.core.errors import DomainError
from zhifa.core.evidence import evidence_open
from zhifa.core.roles import has_role
from zhifa.core.selectors import scope

from . import selectors, services
from .forms import (
    AttachmentForm,
    CancelForm,
    ConcludeForm,
    DepartmentForm,
    FilterForm,
    LinkCaseForm,
    OperationForm,
)
from .models import Attachment
from .workflow import allowed

COLUMNS = [("编号", "number"), ("类别", "get_kind_display"), ("名称", "title"), ("实施单位", "organisation"), ("开始", "starts_on"),
           ("结束", "ends_on"), ("状态", "get_status_display"), ("执法人员（人次）", "n_officers"), ("检查车辆", "vehicles_checked"),
           ("立案", "n_cases")]


def _error(exc) -> str:
    return getattr(exc, "message", None) or "；".join(getattr(exc, "messages", [str(exc)]))


def _can_handle(user) -> bool:
    return has_role(user, *services.HANDLERS)


@login_required
def operation_list(request):
    form = FilterForm(request.GET or None, user=request.user)
    # Valid filters apply even when another one is malformed; a unit outside the jurisdiction shows nothing.
    data = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
        data = form.cleaned_data
    qs = selectors.operations_for(request.user, search=(data.get("q") or "").strip(), kind=data.get("kind", ""),
                                  status=data.get("status", ""), unit=data.get("unit"), start=data.get("start"), end=data.get("end"))
    if "unit" in form.errors:
        qs = qs.none()
    if request.GET.get("format") == "xlsx":
        rows = ([getattr(o, a)() if callable(getattr(o, a)) else getattr(o, a) for _, a in COLUMNS] for o in qs.iterator(chunk_size=500))
        return xlsx.xlsx_response(f"执法行动-{timezone.localdate():%Y%m%d}",
                                  xlsx.Sheet("执法行动", [c for c, _ in COLUMNS], rows, caption=xlsx.filter_caption("执法行动", xlsx.form_filters(form))))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "can_create": _can_handle(request.user)}
    return render(request, "campaigns/_table.html" if request.htmx else "campaigns/list.html", context)


@login_required
def operation_detail(request, pk: int):
    op = selectors.get_operation(request.user, pk)
    user = request.user
    handler = _can_handle(user)
    context = {
        "op": op, "partners": [link.department for link in op.partner_links.select_related("department")],
        "officers": [link.officer for link in op.officer_links.select_related("officer__organisation")],
        "cases": op.case_links.select_related("case__party"), "materials": op.materials.all(), "attachments": op.attachments.select_related("file"),
        "steps": op.steps.select_related("actor"), "events": audit.history(op)[:50],
        "can_edit": handler and allowed("update", op.status), "can_start": handler and allowed("start", op.status),
        "can_conclude": handler and allowed("conclude", op.status),
        "can_cancel": has_role(user, *services.KEEPERS) and allowed("cancel", op.status),
        "can_link": handler and allowed("link_case", op.status), "can_attach": handler and allowed("attach", op.status),
    }
    if context["can_conclude"]:
        context["conclude_form"] = ConcludeForm(operation=op)
    context.update(cancel_form=CancelForm(), link_form=LinkCaseForm(user=user), attach_form=AttachmentForm())
    return render(request, "campaigns/detail.html", context)


def _operation_data(form) -> dict:
    d = dict(form.cleaned_data)
    return {k: d[k] for k in ("title", "starts_on", "ends_on", "location", "description", "lead_department")}


@login_required
def operation_create(request):
    if not _can_handle(request.user):
        raise Http404
    form = OperationForm(request.POST or None, user=request.user, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            op = services.operation_create(actor=request.user, organisation=d["organisation"], kind=d["kind"], partners=list(d["partners"]),
                                           officers=list(d["officers"]), **_operation_data(form))
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, f"已登记：{op}")
            return redirect("campaigns:detail", op.pk)
    return render(request, "core/form.html", {"form": form, "title": "登记执法行动", "back": "campaigns:list"})


@login_required
def operation_edit(request, pk: int):
    op = selectors.get_operation(request.user, pk)
    if not _can_handle(request.user) or not allowed("update", op.status):
        raise Http404
    initial = {"title": op.title, "starts_on": op.starts_on, "ends_on": op.ends_on, "location": op.location, "description": op.description,
               "lead_department": op.lead_department_id, "partners": list(op.partner_links.values_list("department_id", flat=True)),
               "officers": list(op.officer_links.values_list("officer_id", flat=True))}
    form = OperationForm(request.POST or None, user=request.user, operation=op, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.operation_update(actor=request.user, operation=op, partners=list(d["partners"]), officers=list(d["officers"]), **_operation_data(form))
        except (DomainError, ValidationError) as exc:
            form.add_error(None, _error(exc))
        else:
            messages.success(request, "已保存。")
            return redirect("campaigns:detail", op.pk)
    return render(request, "core/form.html", {"form": form, "title": f"修改执法行动：{op}", "back": "campaigns:detail", "back_arg": op.pk})


@require_POST
@login_required
def operation_action(request, pk: int, action: str):
    """start / conclude / cancel / link / unlink / attach — one service call each; refusals become messages."""
    op = selectors.get_operation(request.user, pk)
    user = request.user
    try:
        if action == "start":
            services.operation_start(actor=user, operation=op)
            messages.success(request, "执法行动已开始实施。")
        elif action == "conclude":
            form = ConcludeForm(request.POST, operation=op)
            if not form.is_valid():
                raise DomainError("invalid", "；".join(e for errs in form.errors.values() for e in errs))
            results, materials = form.results()
            services.operation_conclude(actor=user, operation=op, summary=form.cleaned_data["summary"], ends_on=form.cleaned_data["ends_on"],
                                        materials=materials, **results)
            messages.success(request, "执法行动已结束，成效已登记。")
        elif action == "cancel":
            services.operation_cancel(actor=user, operation=op, reason=request.POST.get("reason", ""))
            messages.success(request, "执法行动已取消。")
        elif action == "link":
            form = LinkCaseForm(request.POST, user=user)
            if not form.is_valid():
                raise DomainError("invalid", "；".join(e for errs in form.errors.values() for e in errs))
            services.operation_link_case(actor=user, operation=op, case=form.case)
            messages.success(request, f"已关联案件 {form.case.number}。")
        elif action == "unlink":
            case = get_object_or_404(scope(Case.objects.all(), user), pk=request.POST.get("case"))
            services.operation_unlink_case(actor=user, operation=op, case=case)
            messages.success(request, f"已取消关联案件 {case.number}。")
        elif action == "attach":
            form = AttachmentForm(request.POST, request.FILES)
            if not form.is_valid():
                raise DomainError("invalid", "；".join(e for errs in form.errors.values() for e in errs))
            f = form.cleaned_data["file"]
            services.operation_attach(actor=user, operation=op, fileobj=f, name=f.name, content_type=f.content_type or "", title=form.cleaned_data["title"])
            messages.success(request, "附件已上传。")
        else:
            raise Http404
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error(exc))
    return redirect("campaigns:detail", op.pk)


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    op = selectors.get_operation(request.user, pk)
    att = get_object_or_404(Attachment.objects.select_related("file"), pk=attachment_id, operation=op)
    return FileResponse(evidence_open(att.file), content_type=att.file.content_type, as_attachment=True, filename=att.file.original_name)


@login_required
def departments(request):
    """The partner-department catalogue; heads and administrators add their local departments."""
    user = request.user
    can_add = has_role(user, *services.KEEPERS) and user.organisation_id is not None
    form = DepartmentForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            raise Http404
        if form.is_valid():
            try:
                dept = services.department_create(actor=user, organisation=user.organisation, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                form.add_error(None, _error(exc))
            else:
                messages.success(request, f"已添加：{dept}")
                return redirect("campaigns:departments")
    rows = selectors.departments_for(user, search=request.GET.get("q", "").strip())
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(user, kind="campaigns.department", title="合作部门目录", qs=rows, columns=[
            ("部门名称", "name"), ("类别", "get_kind_display"), ("登记单位", lambda d: d.organisation.name if d.organisation_id else "全辖共用"),
            ("启用", "active")], filters={"关键词": request.GET.get("q", "").strip()})
    return render(request, "campaigns/departments.html", {"rows": rows, "form": form, "can_add": can_add, "search": request.GET.get("q", "")})


@require_POST
@login_required
def department_toggle(request, pk: int):
    dept = get_object_or_404(selectors.departments_for(request.user), pk=pk)
    try:
        services.department_update(actor=request.user, department=dept, active=not dept.active)
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, f"{dept.name}已{'启用' if dept.active else '停用'}。")
    return redirect("campaigns:departments")

