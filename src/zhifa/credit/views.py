"""Officer UI of credit supervision and the public credit-repair pages (guide and online application)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.core import audit, xlsx
from zhifa.core.errors import DomainError
from zhifa.core.models import Party
from zhifa.core.ratelimit import rate_limited
from zhifa.core.roles import Role, has_role
from zhifa.core.selectors import get_scoped

from . import selectors, services, workflow
from .forms import (
    ActDateForm,
    DecideForm,
    DecideListingForm,
    ProposeForm,
    PublicRepairForm,
    RepairOnBehalfForm,
    RepairRemoveForm,
    StatementForm,
)
from .models import CreditPublication, GradePolicy, RepairApplication, RepairRegime
from .workflow import Status


@login_required
def grade_list(request):
    grade = request.GET.get("grade", "")
    qs = selectors.grades_for_user(request.user)
    if grade:
        qs = qs.filter(grade=grade)
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="credit.creditgrade", title="企业信用等级", qs=qs.order_by("party__name"), filters={"等级": grade},
                                  columns=[("企业", "party.name"), ("统一社会信用代码", "party.credit_code"), ("等级", "grade"), ("得分", "score"),
                                           ("不良行为记分", "bad_points"), ("近12个月处罚起数", "penalties_12m"), ("评定日期", "computed_on")])
    rs = selectors.rule_set_on(timezone.localdate())
    return render(request, "credit/grades.html", {
        "page": Paginator(qs, 30).get_page(request.GET.get("page")), "grade": grade, "dist": selectors.grade_distribution(request.user),
        "policies": GradePolicy.objects.filter(rule_set=rs), "rule_set": rs,
        "changes": selectors.grade_changes_for(request.user)[:15], "is_head": has_role(request.user, Role.HEAD, Role.ADMIN),
    })


@login_required
@require_POST
def recompute(request):
    try:
        n = services.grades_recompute(actor=request.user, organisation=request.user.organisation)
        messages.success(request, f"已重新评定，等级变化 {n} 户。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit:grades")


@login_required
def party_credit(request, party_id: int):
    party = get_scoped(Party.objects.all(), request.user, pk=party_id)
    today = timezone.localdate()
    form = ProposeForm(request.POST or None, categories=selectors.categories_in_force(today))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.dishonesty_propose(actor=request.user, party=party, **form.cleaned_data)
            messages.success(request, "已提出列入建议。须送达告知书、听取陈述申辩后由负责人决定，建议本身不列入名单。")
            return redirect("credit:dishonesty_detail", entry.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    grade = getattr(party, "credit_grade", None) if hasattr(party, "credit_grade") else None
    if party.kind == Party.Kind.PERSON:
        audit.log_personal_view(request, party, person=party.name, what="当事人信用记录")
    window = selectors.rule_set_on(today).window_days
    return render(request, "credit/party.html", {
        "party": party, "grade": grade, "changes": party.grade_changes.all()[:50], "events": party.credit_events.all()[:100],
        "entries": party.dishonesty_entries.select_related("category"), "publications": party.credit_publications.all(), "form": form,
        "penalties": selectors.penalty_breakdown(party.pk, since=today - timedelta(days=window - 1), until=today),
    })


@login_required
def dishonesty_list(request):
    status = request.GET.get("status", "")
    qs = selectors.dishonesty_for(request.user)
    if status in Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("format") == "xlsx":
        from zhifa.core import xlsx

        return xlsx.list_response(request.user, kind="credit.dishonestyentry", title="严重失信主体名单", qs=qs,
                                  columns=[("当事人", "party.name"), ("认定机关", "organisation.name"), ("名单类别", "category.name"),
                                           ("列入事由", "reason"), ("列入依据", "basis"), ("提出方式", "get_source_display"),
                                           ("状态", "get_status_display"), ("提出日期", "proposed_on"), ("告知书文号", "notice_number"),
                                           ("决定书文号", "decision_number"), ("列入日期", "listed_on"), ("有效期至", "expires_on"),
                                           ("失信惩戒措施", "joint_punishment"), ("移出日期", "removed_on"),
                                           ("移出方式", "get_removal_kind_display"), ("移出原因/不予列入理由", "removal_reason")],
                                  filters={"状态": Status(status).label if status in Status.values else ""})
    return render(request, "credit/dishonesty.html", {"page": Paginator(qs, 30).get_page(request.GET.get("page")),
                                                      "statuses": Status.choices, "status": status})


# One form per step of the listing procedure (the decision form serves both outcomes).
STEP_FORMS = {"notify": ActDateForm, "state": StatementForm, "decide": DecideListingForm, "repair_remove": RepairRemoveForm}


@login_required
def dishonesty_detail(request, pk: int):
    from zhifa.documents.services import documents_of

    entry = selectors.dishonesty_entry_for(request.user, pk)
    actions = {t.action for t in workflow.next_actions(entry.status)}
    is_head = has_role(request.user, Role.HEAD)
    step_forms = {}
    if "notify" in actions:
        step_forms["notify"] = ActDateForm(prefix="notify")
    if "state" in actions:
        step_forms["state"] = StatementForm(prefix="state")
    if is_head and actions & {"decide_list", "decide_not_list"}:
        step_forms["decide"] = DecideListingForm(prefix="decide")
    if is_head and "repair_remove" in actions:
        step_forms["repair_remove"] = RepairRemoveForm(prefix="repair_remove")
    return render(request, "credit/dishonesty_detail.html", {
        "entry": entry, "steps": entry.steps.select_related("actor"), "documents": documents_of(entry), "step_forms": step_forms,
        "is_head": is_head})


@login_required
@require_POST
def dishonesty_step(request, pk: int, step: str):
    entry = selectors.dishonesty_entry_for(request.user, pk)
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix=step)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{' '.join(v)}" if k in form.fields else " ".join(v)
                                         for k, v in form.errors.items()))
        return redirect("credit:dishonesty_detail", entry.pk)
    data = form.cleaned_data
    calls = {
        "notify": lambda: services.dishonesty_notify(actor=request.user, entry=entry, on=data["on"]),
        "state": lambda: services.dishonesty_statement_record(actor=request.user, entry=entry, statement=data["statement"], on=data["on"]),
        "decide": lambda: services.dishonesty_decide(actor=request.user, entry=entry, list_party=data["list_party"],
                                                     review_note=data["review_note"], reason=data["reason"], on=data["on"]),
        "repair_remove": lambda: services.dishonesty_repair_remove(actor=request.user, entry=entry, reason=data["reason"],
                                                                   corrected=data["corrected"], commitment_signed=data["commitment_signed"],
                                                                   on=data["on"]),
    }
    try:
        entry = calls[step]()
        messages.success(request, f"已办理，当前状态：{entry.get_status_display()}。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("credit:dishonesty_detail", entry.pk)


@login_required
def publication_list(request):
    qs = selectors.publications_for(request.user)
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(request.user, kind="credit.publication", title="行政处罚失信信息公示", qs=qs, columns=[
            ("当事人", "party.name"), ("决定书文号", "decision_number"), ("决定日期", "decision_date"), ("失信程度", "get_severity_display"),
            ("特殊领域", "special_field"), ("已履行", "penalty_performed"), ("状态", "get_status_display")])
    return render(request, "credit/publications.html", {"page": Paginator(qs, 30).get_page(request.GET.get("page"))})


@login_required
def repair_on_behalf(request, pk: int):
    pub = get_scoped(selectors.publications_for(request.user), request.user, pk=pk)
    form = RepairOnBehalfForm(request.POST or None, initial={"applicant_name": pub.party.name})
    if request.method == "POST" and form.is_valid():
        try:
            app = services.repair_apply(actor=request.user, publication=pub, channel=RepairApplication.Channel.OFFICER, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            (messages.success if app.status == RepairApplication.Status.CHECKED else messages.warning)(
                request, f"修复申请已登记：{app.get_status_display()}")
            return redirect("credit:repairs")
    return render(request, "core/form.html", {"form": form, "title": f"代为申请信用修复：{pub.party.name} {pub.decision_number}",
                                              "submit_label": "提交并自动核查", "back": "credit:publications"})


@login_required
def repair_list(request):
    qs = selectors.repairs_for(request.user)
    if request.GET.get("format") == "xlsx":
        return xlsx.list_response(request.user, kind="credit.repair", title="信用修复申请", qs=qs, columns=[
            ("申请日期", "applied_on"), ("企业", "publication.party.name"), ("决定书文号", "publication.decision_number"),
            ("渠道", "get_channel_display"), ("适用制度", "regime.code"), ("状态", "get_status_display"), ("审批意见", "decision_note")])
    return render(request, "credit/repairs.html", {"page": Paginator(qs.prefetch_related("steps__actor"), 30).get_page(request.GET.get("page")),
                                                   "form": DecideForm(), "is_head": has_role(request.user, Role.HEAD, Role.ADMIN)})


@login_required
@require_POST
def repair_decide(request, pk: int):
    app = get_scoped(selectors.repairs_for(request.user), request.user, "publication__organisation", pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.repair_decide(actor=request.user, application=app, **form.cleaned_data)
            messages.success(request, "审批已完成。")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("credit:repairs")


# --- public pages -------------------------------------------------------------------------------------------

def public_guide(request):
    regimes = RepairRegime.objects.prefetch_related("periods")
    return render(request, "credit/public_guide.html", {"regimes": regimes, "today": timezone.localdate(),
                                                        "current": selectors.regime_on(timezone.localdate())})


@rate_limited("credit_public_repair", limit=10, window=600)
def public_repair(request):
    form = PublicRepairForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        pub = CreditPublication.objects.filter(party__credit_code=d["credit_code"].strip().upper(), decision_number=d["decision_number"].strip(),
                                               status=CreditPublication.Status.PUBLISHED).select_related("party").first()
        if pub is None:
            form.add_error(None, "未找到该企业正在公示的行政处罚信息，请核对统一社会信用代码和决定书文号。")
        else:
            try:
                result = services.repair_apply(actor=None, publication=pub, channel=RepairApplication.Channel.PUBLIC,
                                               applicant_name=d["applicant_name"], applicant_phone=d["applicant_phone"],
                                               commitment_signed=d["commitment_signed"], commitment_text=form.fields["commitment_signed"].label)
            except DomainError as exc:
                form.add_error(None, exc.message)
    return render(request, "credit/public_repair.html", {"form": form, "result": result})
