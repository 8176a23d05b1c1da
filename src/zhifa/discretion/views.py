"""Pages: the calculator, the catalogue with each item's levels and history, editions with import/export, the
four lists, the legal-review and hearing catalogue, and the overload rules. Reading is open to every signed-in
user (the benchmark must be public, 行政处罚法 Art. 34); changes are for administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit
from zhifa.core.errors import DomainError
from zhifa.core.roles import Role, has_role

from . import commitment, loader, overload_rules, services
from .forms import CalculatorForm, ImportForm, ItemForm
from .models import (
    BenchmarkEdition,
    BenchmarkLevel,
    ListEntry,
    ListKind,
    OverloadRuleVersion,
    ReviewRule,
    ViolationItem,
)
from .review import rules_in_force


def _is_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


def assessment_context(result, *, party_kind: str, on) -> dict:
    """What ``discretion/_assessment.html`` needs: the assessment plus the review and hearing answers."""
    review = services.review_requirement(item_code=result.item_code, party_kind=party_kind, amount=result.amount,
                                         penalty_kinds=result.penalty_kinds, on=on)
    hearing = services.hearing_right(party_kind=party_kind, amount=result.amount, penalty_kinds=result.penalty_kinds, on=on)
    return {"a": result, "review": review, "hearing": hearing}


@login_required
def calculator(request):
    form = CalculatorForm(request.GET or None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        try:
            result = services.assess(item_code=form.cleaned_data["item"], facts=form.facts(),
                                     violation_date=form.cleaned_data["violation_date"])
        except DomainError as exc:
            context["error"] = exc.message
        else:
            context.update(assessment_context(result, party_kind=form.cleaned_data["party_kind"], on=timezone.localdate()))
            context["letter_query"] = request.GET.urlencode()
    if request.htmx:
        return render(request, "discretion/_assessment.html", context)
    return render(request, "discretion/calculator.html", context)


@login_required
def letter(request, kind: str):
    """Printable 告知承诺书 or 教育记录 for the calculator's facts (blanks for the party and officers)."""
    form = CalculatorForm(request.GET or None)
    if not (form.is_bound and form.is_valid()) or kind not in ("commitment", "education"):
        raise Http404
    try:
        result = services.assess(item_code=form.cleaned_data["item"], facts=form.facts(),
                                 violation_date=form.cleaned_data["violation_date"])
        doc = (commitment.commitment_letter(result) if kind == "commitment" else commitment.education_record(result))
    except (DomainError, ValueError):
        raise Http404 from None
    return render(request, "discretion/letter.html", {"doc": doc, "a": result})


@login_required
def item_list(request):
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    qs = ViolationItem.objects.all()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__icontains=q) | qs.filter(penalty_basis__icontains=q)
    if category:
        qs = qs.filter(category=category)
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        provision = {"text": "原文", "secondary": "转引"}
        return xlsx.list_response(request.user, kind="discretion.violationitem", title="违法行为事项目录", qs=qs.order_by("code"), columns=[
            ("事项编码", "code"), ("违法行为", "name"), ("类别", "category"), ("违反条款", "violated_provision"), ("处罚依据", "penalty_basis"),
            ("处罚种类", lambda i: "、".join(i.penalty_kind_labels)), ("法定罚款下限（元）", "statutory_min"),
            ("法定罚款上限（元）", "statutory_max"), ("有效", "active"), ("条款核对", lambda i: provision.get(i.provision_status, "待核对"))],
            filters={"关键词": q, "类别": category})
    categories = ViolationItem.objects.order_by("category").values_list("category", flat=True).distinct()
    return render(request, "discretion/item_list.html", {"items": qs.order_by("code"), "q": q, "category": category,
                                                         "categories": categories,
                                                         "edition": services.edition_in_force(timezone.localdate())})


@login_required
def item_detail(request, code: str):
    item = get_object_or_404(ViolationItem, code=code)
    editions = []
    for edition in BenchmarkEdition.objects.all():
        levels = list(BenchmarkLevel.objects.filter(edition=edition, item=item).order_by("id"))
        entries = list(ListEntry.objects.filter(edition=edition, item=item))
        if levels or entries:
            editions.append({"edition": edition, "levels": levels, "entries": entries})
    form = None
    if _is_admin(request.user):
        form = ItemForm(request.POST or None, instance=item) if request.method == "POST" else ItemForm(instance=item)
        if request.method == "POST" and form.is_valid():
            data = {k: form.cleaned_data[k] for k in form.Meta.fields}
            try:
                services.item_update(actor=request.user, item=ViolationItem.objects.get(pk=item.pk), **data)
            except (DomainError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "message", None) or "；".join(exc.messages))
            else:
                messages.success(request, f"已保存事项 {item.code}，修改已记入全过程记录。")
                return redirect("discretion:item_detail", item.code)
    elif request.method == "POST":
        raise Http404
    return render(request, "discretion/item_detail.html", {
        "item": item, "editions": editions, "form": form, "events": audit.history(item),
        "limitation": services.limitation_years(item.code)})


@login_required
def edition_list(request):
    form = ImportForm()
    errors = []
    if request.method == "POST":
        if not _is_admin(request.user):
            raise Http404
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                edition = services.edition_import(actor=request.user, content=upload.read(), filename=upload.name)
            except DomainError as exc:
                form.add_error(None, exc.message)
                errors = exc.details.get("errors", [])
            else:
                messages.success(request, f"已导入《{edition.name}》，{edition.effective_from:%Y年%m月%d日}起施行。")
                return redirect("discretion:edition_detail", edition.code)
    today = timezone.localdate()
    current = services.edition_in_force(today)
    return render(request, "discretion/edition_list.html", {
        "editions": BenchmarkEdition.objects.all(), "current": current, "today": today, "form": form,
        "errors": errors, "is_admin": _is_admin(request.user)})


@login_required
def edition_detail(request, code: str):
    edition = get_object_or_404(BenchmarkEdition, code=code)
    levels = BenchmarkLevel.objects.filter(edition=edition).select_related("item").order_by("item__code", "id")
    return render(request, "discretion/edition_detail.html", {
        "edition": edition, "levels": levels, "entries": edition.list_entries.select_related("item"),
        "events": audit.history(edition), "is_admin": _is_admin(request.user),
        "in_force": edition == services.edition_in_force(timezone.localdate())})


@login_required
def edition_export(request, code: str, fmt: str):
    edition = get_object_or_404(BenchmarkEdition, code=code)
    if fmt == "xlsx":
        response = HttpResponse(loader.export_xlsx(edition),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif fmt == "yaml":
        response = HttpResponse(loader.export_yaml(edition), content_type="application/yaml; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{edition.code}.{fmt}"'
    return response


@require_POST
@login_required
def edition_delete(request, code: str):
    edition = get_object_or_404(BenchmarkEdition, code=code)
    try:
        services.edition_delete(actor=request.user, edition=edition)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("discretion:edition_detail", code)
    messages.success(request, f"已撤回《{edition.name}》。")
    return redirect("discretion:edition_list")


@login_required
def lists(request):
    today = timezone.localdate()
    edition = services.edition_in_force(today)
    wanted = request.GET.get("edition")
    if wanted:
        edition = get_object_or_404(BenchmarkEdition, code=wanted)
    groups = []
    for kind, label in ListKind.choices:
        entries = ListEntry.objects.filter(edition=edition, kind=kind).select_related("item") if edition else []
        groups.append({"kind": kind, "label": label, "entries": entries})
    return render(request, "discretion/lists.html", {"edition": edition, "groups": groups,
                                                     "editions": BenchmarkEdition.objects.all()})


@login_required
def review_catalogue(request):
    today = timezone.localdate()
    rules = ReviewRule.objects.all()
    in_force = {r.pk for cat in ReviewRule.Catalogue.values for r in rules_in_force(cat, today)}
    return render(request, "discretion/review.html", {
        "legal_review": [r for r in rules if r.catalogue == ReviewRule.Catalogue.LEGAL_REVIEW],
        "hearing": [r for r in rules if r.catalogue == ReviewRule.Catalogue.HEARING], "in_force": in_force})


@login_required
def overload(request):
    today = timezone.localdate()
    try:
        version = overload_rules.rule_version(today)
    except DomainError:
        version = None
    return render(request, "discretion/overload.html", {
        "version": version, "versions": OverloadRuleVersion.objects.all(),
        "rows": overload_rules.limit_table(today) if version else [],
        "rounding": overload_rules.ROUNDING_LABELS[overload_rules.edition_rounding(today)]})


def public_benchmarks(request):
    """The discretion benchmark in force, published (行政处罚法 Art. 34: 裁量基准应当向社会公布). No login."""
    today = timezone.localdate()
    edition = services.edition_in_force(today)
    q = request.GET.get("q", "").strip()
    items = ViolationItem.objects.order_by("code")
    if q:
        items = items.filter(name__icontains=q) | items.filter(code__icontains=q)
    levels = {}
    if edition:
        for level in BenchmarkLevel.objects.filter(edition=edition).order_by("id"):
            levels.setdefault(level.item_id, []).append(level)
    rows = [{"item": item, "levels": levels.get(item.pk, [])} for item in items]
    return render(request, "discretion/public_benchmarks.html", {"edition": edition, "rows": rows, "q": q})


def public_lists(request):
    """The four lists in force, published. No login."""
    edition = services.edition_in_force(timezone.localdate())
    groups = [{"label": label, "entries": ListEntry.objects.filter(edition=edition, kind=kind).select_related("item") if edition else []}
              for kind, label in ListKind.choices]
    return render(request, "discretion/public_lists.html", {"edition": edition, "groups": groups})
