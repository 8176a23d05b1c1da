"""Officer UI of internal oversight, and the public page of the power list. Views parse, call one service,
and render; reads go through the selectors (another jurisdiction's object is a 404)."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit, xlsx
from zhifa.core.errors import DomainError
from zhifa.core.models import User
from zhifa.core.roles import has_role
from zhifa.core.selectors import get_scoped, scope

from . import selectors, services, workflow
from .forms import (
    CancelPowerForm,
    CaseRecordForm,
    EntryForm,
    ExtendForm,
    ListKeyForm,
    PowerForm,
    ProblemEditForm,
    ProblemForm,
    RoundForm,
)
from .models import CaseEvaluation, EvaluationRound, Power, Problem, SupervisionListing


def _errors(form, exc):
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, getattr(exc, "message", None) or "；".join(getattr(exc, "messages", [str(exc)])))


def _table(request, qs, columns, *, title, link, filters=None, new_url="", export=True, extra=None):
    """Render (or export) a register list: ``columns`` are (label, getter); the first cell links to ``link(obj)``."""
    if export and request.GET.get("export") == "xlsx":
        rows = ([getter(o) for _, getter in columns] for o in qs[:20000])
        applied = {k: v for k, v in request.GET.items() if k not in ("export", "page") and v}
        caption = xlsx.filter_caption(title, {"筛选条件": "，".join(applied.values())} if applied else {})
        return xlsx.xlsx_response(f"{title}-{timezone.localdate():%Y%m%d}", xlsx.Sheet(title, [c[0] for c in columns], rows, caption=caption))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [{"url": link(o), "cells": [getter(o) for _, getter in columns]} for o in page]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "oversight/list.html", {
        "title": title, "headers": [c[0] for c in columns], "rows": rows, "page": page, "filters": filters or [],
        "q": request.GET.get("q", ""), "new_url": new_url, "query": query.urlencode(), "extra": extra or {},
    })


def _choice_filter(name, label, choices, request):
    return {"name": name, "label": label, "choices": [("", f"全部{label}"), *choices], "value": request.GET.get(name, "")}


def _flag(name, label, request):
    return {"name": name, "label": label, "choices": [("", "不限"), ("1", label)], "value": request.GET.get(name, "")}


def _d(value):
    return value.strftime("%Y-%m-%d") if value else ""


# --------------------------------------------------------------------------------------------------------
# 问题清单
# --------------------------------------------------------------------------------------------------------


@login_required
def problem_list(request):
    g = request.GET
    qs = selectors.problems_for(request.user, search=g.get("q", "").strip(), status=g.get("status", ""), source=g.get("source", ""),
                                overdue=g.get("overdue") == "1", key=g.get("key") == "1")
    today = timezone.localdate()
    columns = [
        ("编号", lambda p: p.number), ("问题概述", lambda p: p.title), ("来源", lambda p: p.get_source_display()),
        ("类别", lambda p: p.get_category_display()), ("责任单位", lambda p: p.organisation.name),
        ("责任人", lambda p: p.owner.display_name), ("整改时限", lambda p: _d(p.deadline)),
        ("状态", lambda p: p.get_status_display() + ("（逾期）" if p.is_overdue(today) else "")),
        ("挂牌督办", lambda p: "是" if p.is_key else ""), ("整改措施", lambda p: p.measures),
    ]
    filters = [_choice_filter("status", "状态", Problem.Status.choices, request), _choice_filter("source", "来源", Problem.Source.choices, request),
               _flag("overdue", "已逾期", request), _flag("key", "挂牌督办", request)]
    return _table(request, qs, columns, title="问题清单", link=lambda p: reverse("oversight:problem_detail", args=[p.pk]), filters=filters,
                  new_url=reverse("oversight:problem_create"), extra={"stats": selectors.problem_stats(selectors.problems_for(request.user))})


@login_required
def problem_create(request):
    form = ProblemForm(request.POST or None, user=request.user, initial={"found_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"已登记问题 {problem.number}")
            return redirect("oversight:problem_detail", problem.pk)
    return render(request, "core/form.html", {"form": form, "title": "登记问题", "back": "oversight:problem_list"})


@login_required
def problem_edit(request, pk: int):
    problem = get_scoped(Problem.objects.all(), request.user, pk=pk)
    initial = {k: getattr(problem, k) for k in ("category", "title", "description", "source_ref", "measures", "owner")}
    form = ProblemEditForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        try:
            services.problem_update(actor=request.user, problem=problem, **changed)
        except (DomainError, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("oversight:problem_detail", pk)
    return render(request, "core/form.html", {"form": form, "title": f"修改问题 {problem.number}"})


@login_required
def problem_detail(request, pk: int):
    problem = get_scoped(Problem.objects.select_related("organisation", "owner", "evaluation__record", "deduction__item"), request.user, pk=pk)
    user = request.user
    actions = [(action, workflow.ACTION_LABELS[action]) for action in workflow.actions_from(problem.status)
               if services.problem_may_act(user, problem, action)]
    overseer = has_role(user, *services.OVERSEERS)
    listing = getattr(problem, "listing", None) if problem.is_key else None
    can_extend = workflow.WORKFLOW.allowed("extend", problem.status) and services.problem_may_act(user, problem, "extend")
    return render(request, "oversight/problem_detail.html", {
        "problem": problem, "steps": problem.steps.select_related("actor"), "actions": actions, "overdue": problem.is_overdue(),
        "listing": listing, "can_extend": can_extend,
        "can_list": overseer and listing is None and problem.status != Problem.Status.CLOSED,
        "extend_form": ExtendForm(), "list_form": ListKeyForm(initial={"due_on": problem.deadline}),
        "events": audit.history(problem)[:50],
    })


@require_POST
@login_required
def problem_act(request, pk: int):
    problem = get_scoped(Problem.objects.all(), request.user, pk=pk)
    try:
        services.problem_transition(actor=request.user, problem=problem, action=request.POST.get("action", ""), note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已办理。")
    return redirect("oversight:problem_detail", pk)


@require_POST
@login_required
def problem_extend(request, pk: int):
    problem = get_scoped(Problem.objects.all(), request.user, pk=pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写新的整改时限和延期理由。")
    else:
        try:
            services.problem_extend(actor=request.user, problem=problem, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已延期。")
    return redirect("oversight:problem_detail", pk)


@require_POST
@login_required
def problem_list_key(request, pk: int):
    problem = get_scoped(Problem.objects.all(), request.user, pk=pk)
    form = ListKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写督办事由、要求和时限。")
        return redirect("oversight:problem_detail", pk)
    try:
        listing = services.problem_list_key(actor=request.user, problem=problem, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("oversight:problem_detail", pk)
    messages.success(request, f"已挂牌督办 {listing.number}")
    return redirect("oversight:listing_detail", listing.pk)


# --------------------------------------------------------------------------------------------------------
# 挂牌督办台账
# --------------------------------------------------------------------------------------------------------


@login_required
def listing_list(request):
    qs = selectors.listings_for(request.user, search=request.GET.get("q", "").strip(), status=request.GET.get("status", ""))
    today = timezone.localdate()
    columns = [
        ("督办编号", lambda x: x.number), ("问题", lambda x: f"{x.problem.number} {x.problem.title}"), ("督办事由", lambda x: x.get_reason_display()),
        ("责任单位", lambda x: x.problem.organisation.name), ("责任人", lambda x: x.problem.owner.display_name),
        ("挂牌日期", lambda x: _d(x.listed_on)), ("督办时限", lambda x: _d(x.due_on)),
        ("问题状态", lambda x: x.problem.get_status_display()),
        ("督办状态", lambda x: x.get_status_display() + ("（超期）" if x.status == SupervisionListing.Status.ACTIVE and x.due_on < today else "")),
        ("督办要求", lambda x: x.requirement),
    ]
    return _table(request, qs, columns, title="挂牌督办台账", link=lambda x: reverse("oversight:listing_detail", args=[x.pk]),
                  filters=[_choice_filter("status", "状态", SupervisionListing.Status.choices, request)])


@login_required
def listing_detail(request, pk: int):
    listing = get_scoped(SupervisionListing.objects.select_related("problem", "problem__owner", "listed_by"), request.user, "problem__organisation", pk=pk)
    form = EntryForm(request.POST or None, initial={"on": timezone.localdate(), "kind": "visit"})
    if request.method == "POST":
        if request.POST.get("lift"):
            try:
                services.listing_lift(actor=request.user, listing=listing, note=request.POST.get("note", ""))
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "督办事项已销号。")
            return redirect("oversight:listing_detail", pk)
        if form.is_valid():
            try:
                services.supervision_entry_add(actor=request.user, listing=listing, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                _errors(form, exc)
            else:
                messages.success(request, "已记录。")
                return redirect("oversight:listing_detail", pk)
    return render(request, "oversight/listing_detail.html", {
        "listing": listing, "entries": listing.entries.select_related("actor"), "form": form,
        "overseer": has_role(request.user, *services.OVERSEERS), "events": audit.history(listing)[:50],
    })


# --------------------------------------------------------------------------------------------------------
# 案卷评查
# --------------------------------------------------------------------------------------------------------


@login_required
def round_list(request):
    qs = selectors.rounds_for(request.user, search=request.GET.get("q", "").strip())
    columns = [("名称", lambda r: r.name), ("组织单位", lambda r: r.organisation.name), ("评查标准", lambda r: str(r.standard)),
               ("结案期间", lambda r: f"{_d(r.period_from)} 至 {_d(r.period_to)}"), ("抽取/候选", lambda r: f"{r.drawn}/{r.candidates}"),
               ("已评查", lambda r: r.scored), ("随机种子", lambda r: r.seed), ("状态", lambda r: r.get_status_display())]
    new_url = reverse("oversight:round_create") if has_role(request.user, *services.ORGANISERS) else ""
    return _table(request, qs, columns, title="案卷评查", link=lambda r: reverse("oversight:round_detail", args=[r.pk]), new_url=new_url)


@login_required
def round_create(request):
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.round_create(actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"已创建评查批次 {rnd.name}，请抽取案卷。")
            return redirect("oversight:round_detail", rnd.pk)
    return render(request, "core/form.html", {"form": form, "title": "新建评查批次", "back": "oversight:round_list"})


@login_required
def round_detail(request, pk: int):
    rnd = get_scoped(EvaluationRound.objects.select_related("standard", "organisation", "drawn_by"), request.user, pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "draw":
                services.round_draw(actor=request.user, round=rnd, seed=request.POST.get("seed", "").strip() or None)
                messages.success(request, "已随机抽取案卷。")
            elif request.POST.get("op") == "close":
                services.round_close(actor=request.user, round=rnd)
                messages.success(request, "评查批次已结束。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("oversight:round_detail", pk)
    evaluations = list(rnd.evaluations.select_related("record", "evaluator", "organisation"))
    grades = {g.label: sum(1 for e in evaluations if e.grade == g) for g in CaseEvaluation.Grade}
    scored = [e.score for e in evaluations if e.score is not None]
    return render(request, "oversight/round_detail.html", {
        "round": rnd, "evaluations": evaluations, "grades": grades,
        "average": (sum(scored) / len(scored)).quantize(Decimal("0.1")) if scored else None,
        "verified": services.round_verify_draw(rnd) if rnd.seed else None,
        "organiser": has_role(request.user, *services.ORGANISERS), "steps": rnd.steps.select_related("actor"),
        "events": audit.history(rnd)[:30],
    })


@login_required
def rectification(request, pk: int):
    """整改统计表 of one round (XLSX with ?export=xlsx)."""
    rnd = get_scoped(EvaluationRound.objects.all(), request.user, pk=pk)
    table = selectors.rectification_table(rnd.evaluations.all())
    headers = ["序号", "案号", "评查项目", "类别", "存在问题", "扣分", "整改措施", "责任单位", "责任人", "整改时限", "整改情况", "完成日期", "状态"]

    def row(n, p):
        item = p.deduction.item if p.deduction_id else None
        return [n, p.evaluation.record.number, f"{item.code} {item.text}" if item else "", item.get_category_display() if item else "",
                p.deduction.finding if p.deduction_id else p.title, p.deduction.points if p.deduction_id else "", p.measures, p.organisation.name, p.owner.display_name,
                _d(p.deadline), p.rectification, _d(p.rectified_on),
                p.get_status_display() + ("（逾期）" if p.is_overdue() else "")]

    rows = [row(n, p) for n, p in enumerate(table["rows"], start=1)]
    if request.GET.get("export") == "xlsx":
        return xlsx.xlsx_response(f"案卷评查问题整改统计表-{rnd.name}",
                                  xlsx.Sheet("整改统计表", headers, rows, caption=f"{rnd.name} 案卷评查问题整改统计表"))
    return render(request, "oversight/rectification.html", {"round": rnd, "table": table, "headers": headers,
                                                            "rows": list(zip(rows, table["rows"], strict=True))})


@login_required
def evaluation_detail(request, pk: int):
    evaluation = get_scoped(CaseEvaluation.objects.select_related("round__standard", "record", "evaluator"), request.user, pk=pk)
    standard = evaluation.round.standard
    items = list(standard.items.all())
    owners = scope(User.objects.filter(is_active=True).select_related("organisation"), request.user).filter(
        organisation__path__startswith=evaluation.record.organisation.enforcement_body().path)
    error = ""
    if request.method == "POST":
        deductions = []
        try:
            for item in items:
                if not request.POST.get(f"hit_{item.pk}"):
                    continue
                raw = request.POST.get(f"points_{item.pk}", "").strip() or ("0" if item.is_veto else "")
                try:
                    points = Decimal(raw)
                except InvalidOperation:
                    raise DomainError("invalid_points", f"评查项目 {item.code} 的扣分不是有效数字。") from None
                deductions.append(services.DeductionIn(item=item, points=points, finding=request.POST.get(f"finding_{item.pk}", "")))
            owner_id = request.POST.get("owner")
            owner = owners.filter(pk=owner_id).first() if owner_id else None
            services.evaluation_score(actor=request.user, evaluation=evaluation, deductions=deductions,
                                      comment=request.POST.get("comment", ""), owner=owner)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "评查结果已保存，发现的问题已列入整改统计表。")
            return redirect("oversight:evaluation_detail", pk)
    handled = evaluation.record.handling_officers.all()
    return render(request, "oversight/evaluation_detail.html", {
        "evaluation": evaluation, "items": items, "owners": owners, "error": error, "handled": handled,
        "deductions": evaluation.deductions.select_related("item"), "problems": evaluation.problems.select_related("owner"),
        "can_score": has_role(request.user, *services.EVALUATORS) and not evaluation.is_scored,
        "post": request.POST if request.method == "POST" else {},
    })


@login_required
def record_list(request):
    qs = selectors.case_records_for(request.user, search=request.GET.get("q", "").strip())
    columns = [("案号", lambda r: r.number), ("案由", lambda r: r.title), ("当事人", lambda r: r.party_name), ("办案机构", lambda r: r.organisation.name),
               ("结案日期", lambda r: _d(r.closed_on)), ("承办人员", lambda r: "、".join(o.name for o in r.handling_officers.all())),
               ("涉企", lambda r: r.involves_enterprise), ("来源", lambda r: "平台案件" if r.case_id else "人工登记")]
    return _table(request, qs, columns, title="案卷登记", link=lambda r: reverse("oversight:record_detail", args=[r.pk]),
                  new_url=reverse("oversight:record_create"))


@login_required
def record_create(request):
    form = CaseRecordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            record = services.case_record_create(actor=request.user, **data)
        except (DomainError, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"已登记案卷 {record.number}")
            return redirect("oversight:record_detail", record.pk)
    return render(request, "core/form.html", {"form": form, "title": "登记已结案卷", "back": "oversight:record_list"})


@login_required
def record_detail(request, pk: int):
    record = get_scoped(selectors.case_records_for(request.user), request.user, pk=pk)
    fields = [("案号", record.number), ("案由", record.title), ("当事人", record.party_name), ("办案机构", record.organisation),
              ("结案日期", record.closed_on), ("承办人员", "、".join(o.name for o in record.handling_officers.all())),
              ("涉企案件", "是" if record.involves_enterprise else "否"), ("平台案件ID", record.case_id or "人工登记")]
    return render(request, "oversight/simple_detail.html", {
        "title": f"案卷 {record.number}", "back": reverse("oversight:record_list"), "back_label": "案卷登记", "fields": fields,
        "related_title": "评查记录", "related_headers": ["评查批次", "得分", "等次", "评查人"],
        "related": [(reverse("oversight:evaluation_detail", args=[e.pk]), [e.round.name, e.score, e.get_grade_display(), e.evaluator])
                    for e in record.evaluations.select_related("round", "evaluator")],
        "events": audit.history(record)[:30],
    })


# --------------------------------------------------------------------------------------------------------
# 权责清单
# --------------------------------------------------------------------------------------------------------

POWER_COLUMNS = [
    ("事项编码", lambda p: p.code), ("事项名称", lambda p: p.name), ("权力类型", lambda p: p.get_kind_display()),
    ("设定依据", lambda p: p.legal_basis), ("实施主体", lambda p: p.responsible_unit), ("救济途径", lambda p: p.remedy),
]


@login_required
def power_list(request):
    g = request.GET
    qs = selectors.powers_for(request.user, search=g.get("q", "").strip(), kind=g.get("kind", ""), include_cancelled=g.get("cancelled") == "1")
    if g.get("cancelled") != "1":
        qs = qs.filter(is_active=True)
    columns = [*POWER_COLUMNS, ("公布单位", lambda p: p.organisation.name), ("版本", lambda p: p.version),
               ("状态", lambda p: "有效" if p.is_active else "已取消"), ("最近调整", lambda p: _d(timezone.localtime(p.updated_at)))]
    new_url = reverse("oversight:power_create") if has_role(request.user, *services.POWER_EDITORS) else ""
    return _table(request, qs, columns, title="权责清单", link=lambda p: reverse("oversight:power_detail", args=[p.pk]), new_url=new_url,
                  filters=[_choice_filter("kind", "权力类型", Power.Kind.choices, request), _flag("cancelled", "含已取消", request)],
                  extra={"public_url": reverse("oversight:public_powers")})


@login_required
def power_create(request):
    form = PowerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            power = services.power_create(actor=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"已新增 {power.code}")
            return redirect("oversight:power_detail", power.pk)
    return render(request, "core/form.html", {"form": form, "title": "新增权力事项", "back": "oversight:power_list"})


@login_required
def power_edit(request, pk: int):
    power = get_object_or_404(selectors.powers_for(request.user), pk=pk)
    initial = {f: getattr(power, f) for f in services.POWER_FIELDS}
    form = PowerForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.POWER_FIELDS and v != initial[k]}
        try:
            services.power_update(actor=request.user, power=power, reason=form.cleaned_data["reason"],
                                  authority=form.cleaned_data["authority"], **data)
        except (DomainError, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, "已调整，调整记录已保存。")
            return redirect("oversight:power_detail", pk)
    return render(request, "core/form.html", {"form": form, "title": f"调整 {power.code} {power.name}"})


@login_required
def power_detail(request, pk: int):
    power = get_object_or_404(selectors.powers_for(request.user), pk=pk)
    form = CancelPowerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.power_cancel(actor=request.user, power=power, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "该事项已取消，调整记录已保存。")
        return redirect("oversight:power_detail", pk)
    return render(request, "oversight/power_detail.html", {
        "power": power, "revisions": _labelled(power.revisions.select_related("actor")), "form": form,
        "violation_items": selectors.violation_items_for(power), "editor": has_role(request.user, *services.POWER_EDITORS),
    })


def _labelled(revisions):
    """Revisions with their changed fields named by their Chinese labels."""
    labels = {f.name: str(f.verbose_name) for f in Power._meta.fields}
    rows = list(revisions)
    for r in rows:
        r.labelled_changes = [(labels.get(k, k), v) for k, v in r.changes.items()]
    return rows


# --------------------------------------------------------------------------------------------------------
# 公开页（无需登录）
# --------------------------------------------------------------------------------------------------------


def public_powers(request):
    g = request.GET
    org_id = g.get("org", "")
    qs = selectors.public_powers(search=g.get("q", "").strip()[:50], kind=g.get("kind", ""), organisation_id=int(org_id) if org_id.isdigit() else None)
    page = Paginator(qs, 50).get_page(g.get("page"))
    units = Power.objects.filter(is_active=True).values_list("organisation_id", "organisation__name").distinct().order_by("organisation__name")
    counts = {Power.Kind(k).label: n for k, n in _kind_counts(qs)}
    query = g.copy()
    query.pop("page", None)
    return render(request, "oversight/public_powers.html", {"page": page, "kinds": Power.Kind.choices, "units": units, "counts": counts,
                                                            "q": g.get("q", ""), "kind": g.get("kind", ""), "org": org_id, "query": query.urlencode()})


def _kind_counts(qs):
    from django.db.models import Count

    return qs.order_by().values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")


def public_power_detail(request, pk: int):
    power = get_object_or_404(Power.objects.select_related("organisation"), pk=pk, is_active=True)
    return render(request, "oversight/public_power_detail.html", {"power": power, "revisions": power.revisions.all()[:20]})

